//! The permission checkboxes of SPEC §3, grouped as the spec lists them: the console's
//! Access Settings and sub-user editors and the web client's sub-user form.

use crate::domain::permissions::{analytics_slug, ANALYTICS_TYPES, GROUPS};
use crate::lang::{labels, td_string};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// One checkbox: slug, label, and why it cannot be newly granted (if so).
#[derive(Clone)]
pub struct Choice {
    pub slug: String,
    pub label: String,
    pub blocked: Option<String>,
}

/// The groups to offer, named in the page's language: every slug but the `hidden` ones;
/// `blocked` ones carry their reason.
pub fn groups(blocked: &[(String, String)], hidden: &[String]) -> Vec<(&'static str, Vec<Choice>)> {
    let l = crate::lang::current();
    let choice = |slug: String, label: String| {
        let blocked = blocked.iter().find(|(s, _)| *s == slug).map(|(_, why)| why.clone());
        Choice { slug, label, blocked }
    };
    let plain = GROUPS.iter().map(|g| {
        let choices = g.slugs.iter().map(|(s, _)| choice(s.to_string(), labels::user_permission_in(l, s).to_string()));
        (labels::permission_group_in(l, g.name), choices.collect::<Vec<_>>())
    });
    let analytics = ANALYTICS_TYPES
        .iter()
        .map(|(t, level, _)| {
            let name = labels::analytics_type_in(l, t);
            let label = td_string!(l, common.permissions_analytics_choice, name = name, level = level);
            choice(analytics_slug(t), label.to_string())
        })
        .collect();
    plain
        .chain(std::iter::once((labels::permission_group_in(l, "Analytics"), analytics)))
        .map(|(name, choices)| (name, choices.into_iter().filter(|c| !hidden.contains(&c.slug)).collect::<Vec<_>>()))
        .filter(|(_, choices)| !choices.is_empty())
        .collect()
}

/// Checkboxes bound to `selected`; a change from `baseline` is marked. A blocked slug can be
/// unticked but not newly ticked.
#[component]
pub fn PermissionChecks(
    groups: Vec<(&'static str, Vec<Choice>)>,
    selected: RwSignal<BTreeSet<String>>,
    baseline: RwSignal<BTreeSet<String>>,
    can_edit: bool,
) -> impl IntoView {
    view! {
        <div class="permission-groups">
            {groups.into_iter().map(|(name, choices)| view! {
                <fieldset class="permission-group">
                    <legend>{name}</legend>
                    {choices.into_iter().map(|c| {
                        let input_id = format!("perm-{}", c.slug);
                        let slug = c.slug.clone();
                        let held = { let slug = slug.clone(); move || selected.with(|s| s.contains(&slug)) };
                        let was_stored = { let slug = slug.clone(); move || baseline.with(|b| b.contains(&slug)) };
                        let blocked = c.blocked.clone();
                        let locked = { let blocked = blocked.is_some(); let was = was_stored.clone(); move || !can_edit || (blocked && !was()) };
                        let changed = { let held = held.clone(); let was = was_stored.clone(); move || held() != was() };
                        let toggle = { let slug = slug.clone(); move |ev: leptos::ev::Event| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| { if on { s.insert(slug.clone()); } else { s.remove(&slug); } });
                        }};
                        view! {
                            <div class="check" class:changed=changed>
                                <input type="checkbox" id=input_id.clone() prop:checked=held disabled=locked on:change=toggle />
                                <label for=input_id>
                                    {format!("{} ({})", c.label, c.slug)}
                                    {blocked.clone().map(|why| view! { <span class="hint">{format!(" — {why}")}</span> })}
                                </label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            }).collect_view()}
        </div>
    }
}
