//! Where a browser may be sent after signing in: only a path of this site. Anything a
//! browser could read as another host is refused, in any encoding: `//host`, `/\host`,
//! control characters (browsers drop tabs and new lines, so `/<tab>/host` is `//host`),
//! schemes, and percent-encoded forms of these.

/// The path to follow after sign-in: `next` when it is a same-site path, else `/users`.
pub fn safe_next(next: &str) -> String {
    if is_same_site_path(next) {
        next.to_string()
    } else {
        "/users".to_string()
    }
}

fn is_same_site_path(next: &str) -> bool {
    let mut layer = next.to_string();
    // Each decoded layer must pass too (a value may be decoded again on its way).
    for _ in 0..4 {
        let b = layer.as_bytes();
        if b.first() != Some(&b'/') || matches!(b.get(1), Some(b'/' | b'\\')) {
            return false;
        }
        if layer.chars().any(|c| c == '\\' || c.is_control()) {
            return false;
        }
        match percent_decode(&layer) {
            Some(decoded) if decoded == layer => return true,
            Some(decoded) => layer = decoded,
            None => return false,
        }
    }
    false
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn same_site_paths_are_followed() {
        for ok in ["/users", "/users/3/cameras", "/users?q=anna&status=active", "/audit-log?target=a%20b", "/"] {
            assert_eq!(safe_next(ok), ok);
        }
    }

    #[test]
    fn anything_that_leaves_the_site_goes_to_users() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "/%25252F%25252Fevil.example",
            "/%zz",
            " /users",
            "/users\u{0}",
        ] {
            assert_eq!(safe_next(bad), "/users", "{bad:?}");
        }
    }
}
