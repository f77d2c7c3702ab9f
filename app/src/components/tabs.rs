//! An accessible tab list of links: `role="tablist"`, each `role="tab"`, arrow keys move
//! between tabs, and every tab is a real link that opens in a new browser tab.

use leptos::prelude::*;

#[derive(Clone)]
pub struct TabLink {
    pub label: &'static str,
    pub href: String,
    pub selected: bool,
}

#[component]
pub fn TabList(#[prop(into)] label: String, tabs: Vec<TabLink>) -> impl IntoView {
    view! {
        <div class="tablist" role="tablist" aria-label=label on:keydown=move_focus>
            {tabs
                .into_iter()
                .map(|t| {
                    view! {
                        <a
                            role="tab"
                            href=t.href
                            aria-selected=if t.selected { "true" } else { "false" }
                            tabindex=if t.selected { "0" } else { "-1" }
                            class:selected=t.selected
                        >
                            {t.label}
                        </a>
                    }
                })
                .collect_view()}
        </div>
    }
}

fn move_focus(ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let key = ev.key();
        let Some(current) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
            return;
        };
        let Some(list) = current.parent_element() else {
            return;
        };
        let tabs = list.children();
        let count = tabs.length();
        let index = (0..count).find(|i| tabs.item(*i).as_ref() == Some(&current));
        let target = match (key.as_str(), index) {
            ("ArrowRight", Some(i)) => Some((i + 1) % count),
            ("ArrowLeft", Some(i)) => Some((i + count - 1) % count),
            ("Home", _) => Some(0),
            ("End", _) => Some(count.saturating_sub(1)),
            _ => None,
        };
        if let Some(el) = target.and_then(|i| tabs.item(i)).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            ev.prevent_default();
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
