//! The Analytics tab: licences per level — total, used, free — and, for a level whose
//! licences went to zero, how many cases are kept hidden and when they will be removed.

use crate::components::list::{Column, DataTable};
use crate::components::states::{Empty, ErrorState, Loading};
use crate::error::AppError;
use crate::lang::{t, t_string, use_i18n};
use crate::views::analytics::LevelRow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A level without licences whose cases are kept, hidden, until `purge_at` (SPEC §8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptCases {
    pub level: i64,
    /// Cases of the level (of the user and its sub-users) within the administrator's scope.
    pub cases: i64,
    /// More are kept on cameras outside the administrator's scope.
    pub cases_elsewhere: bool,
    pub purge_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Licences {
    /// The levels with licences (`used` within the administrator's scope).
    pub rows: Vec<LevelRow>,
    pub kept: Vec<KeptCases>,
}

#[server(prefix = "/api/console", endpoint = "user_licences")]
pub async fn user_licences(id: i64) -> Result<Licences, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        let mut conn = ctx.db().pool.acquire().await?;
        let mut rows = crate::backend::cases::licence_levels(&mut conn, id, Some(ctx.admin.id)).await?;
        drop(conn);
        rows.retain(|l| l.total > 0);
        let kept = super::queries::kept_cases(ctx.db(), id, ctx.admin.id)
            .await?
            .into_iter()
            .map(|k| KeptCases {
                level: k.level,
                cases: k.cases,
                cases_elsewhere: k.all_cases > k.cases,
                purge_at: k.zero_since + crate::domain::retention::UNLICENSED_KEEP_MS,
            })
            .collect();
        Ok(Licences { rows, kept })
    })
    .await
}

#[component]
pub fn AnalyticsTab(id: i64) -> impl IntoView {
    let licences = Resource::new(move || id, user_licences);
    let i18n = use_i18n();
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match licences.await {
                    Ok(l) if l.rows.is_empty() && l.kept.is_empty() => {
                        view! { <Empty message=t_string!(i18n, card.analytics_none) /> }.into_any()
                    }
                    Ok(l) => view! {
                        {(!l.rows.is_empty()).then(|| view! { <DataTable columns=licence_columns() rows=l.rows row=licence_row /> })}
                        <KeptList kept=l.kept />
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The licence table's columns in the page's language.
fn licence_columns() -> [Column; 4] {
    use crate::lang::td_string;
    let l = crate::lang::current();
    [
        Column::new(td_string!(l, card.analytics_col_level)),
        Column::new(td_string!(l, card.analytics_col_total)),
        Column::new(td_string!(l, card.analytics_col_used)),
        Column::new(td_string!(l, card.analytics_col_free)),
    ]
}

fn licence_row(r: LevelRow) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <tr>
            <td data-label=t_string!(i18n, card.analytics_cell_level)>{t_string!(i18n, card.analytics_level, level = r.level).to_string()}</td>
            <td data-label=t_string!(i18n, card.analytics_cell_total)>{r.total}</td>
            <td data-label=t_string!(i18n, card.analytics_cell_used)>
                {r.used}
                {r.used_elsewhere.then(|| view! { <span class="hint">{t!(i18n, card.analytics_used_elsewhere)}</span> })}
            </td>
            <td data-label=t_string!(i18n, card.analytics_cell_free)>{r.free}</td>
        </tr>
    }
}

/// Levels whose licences went to zero: their cases are hidden from the user, kept for 7
/// days in case licences come back, then removed.
#[component]
fn KeptList(kept: Vec<KeptCases>) -> impl IntoView {
    let i18n = use_i18n();
    (!kept.is_empty()).then(|| view! {
        <section class="notice" aria-label=t_string!(i18n, card.analytics_kept_label)>
            <h2>{t!(i18n, card.analytics_kept_title)}</h2>
            <ul class="sync-list">
                {kept.into_iter().map(|k| view! {
                    <li>
                        {t_string!(
                            i18n,
                            card.analytics_kept,
                            level = k.level,
                            count = k.cases,
                            until = crate::lang::datetime(k.purge_at)
                        ).to_string()}
                        {k.cases_elsewhere.then(|| view! { <span class="hint">{t!(i18n, card.analytics_kept_elsewhere)}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    })
}
