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
