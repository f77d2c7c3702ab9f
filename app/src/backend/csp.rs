//! The Content-Security-Policy of pages: scripts from this site or carrying the page's
//! nonce (Leptos puts it on the hydration script and on streamed resource scripts),
//! WebAssembly, no inline styles, nothing framed, nothing sent to another site.

pub fn content_security_policy(nonce: Option<&str>) -> String {
    let nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the policy, with this response's nonce, on the page being rendered.
pub fn send() {
    use leptos::prelude::use_context;
    let nonce = leptos::nonce::use_nonce();
    let policy = content_security_policy(nonce.as_ref().map(|n| n.as_inner().as_ref()));
    if let (Some(res), Ok(v)) = (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&policy)) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_names_the_nonce() {
        let p = super::content_security_policy(Some("abc"));
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"), "{p}");
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!super::content_security_policy(None).contains("nonce"));
    }
}
