//! The few direct DOM touches the app needs (browser only; no-ops on the server).

/// Marks the document as hydrated (`<body data-hydrated>`), which end-to-end tests wait for.
pub fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// Full navigation (used after sign-in and sign-out so every cached view starts afresh).
pub fn hard_navigate(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// The current path and query, for "come back here after signing in".
pub fn current_path() -> String {
    #[cfg(feature = "hydrate")]
    if let Some(loc) = web_sys::window().map(|w| w.location()) {
        return format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
    }
    "/users".to_string()
}

/// The theme cookie: `light` or `dark`; without it, the system's preference.
pub const THEME_COOKIE: &str = "vms_theme";

/// Whether the page shows dark now: the theme chosen, or else the system's.
pub fn dark_theme() -> bool {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        match w.document().and_then(|d| d.document_element()).and_then(|e| e.get_attribute("data-theme")).as_deref() {
            Some("dark") => return true,
            Some("light") => return false,
            _ => {}
        }
        return w.match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches());
    }
    false
}

/// Shows the page in `theme` (`light` or `dark`) at once, and remembers it for a year.
pub fn set_theme(theme: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        if let Some(root) = doc.document_element() {
            let _ = root.set_attribute("data-theme", theme);
        }
        if let Ok(html) = doc.dyn_into::<web_sys::HtmlDocument>() {
            let _ = html.set_cookie(&format!("{THEME_COOKIE}={theme}; Path=/; Max-Age=31536000; SameSite=Lax"));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = theme;
}

/// Focuses the element `id` when `/` is pressed outside a text field (as on GitHub or
/// Gmail). Browser only.
pub fn focus_on_slash(id: &'static str) {
    #[cfg(feature = "hydrate")]
    {
        let handle = leptos::prelude::window_event_listener(leptos::ev::keydown, move |ev| {
            use wasm_bindgen::JsCast;
            if ev.key() != "/" || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let typing = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| {
                matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || e.has_attribute("contenteditable")
            });
            if typing {
                return;
            }
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                ev.prevent_default();
                let _ = el.focus();
            }
        });
        leptos::prelude::on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Moves the focus `step` places (1 or -1) among the elements `selector` matches, from the
/// one that has it. Browser only.
pub fn move_focus(selector: &str, step: i32) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Ok(list) = doc.query_selector_all(selector) else { return };
        let items: Vec<web_sys::HtmlElement> =
            (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok()).collect();
        if items.is_empty() {
            return;
        }
        let active = doc.active_element();
        let at = items.iter().position(|e| active.as_ref().is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>()));
        let next = match at {
            Some(i) => (i as i32 + step).clamp(0, items.len() as i32 - 1) as usize,
            None if step > 0 => 0,
            None => items.len() - 1,
        };
        let _ = items[next].focus();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (selector, step);
}
