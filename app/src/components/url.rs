//! Building links that carry list state (filters, sort, cursor) in the query string.

use leptos_router::params::ParamsMap;

pub use crate::domain::text::percent_encode as encode;

/// `path?k=v&...` from the current query with `changes` applied (`None` removes a key).
/// Changing anything but the cursor starts again from the first page.
pub fn with_params(path: &str, query: &ParamsMap, changes: &[(&str, Option<&str>)]) -> String {
    let resets_cursor = changes.iter().any(|(k, _)| *k != "after");
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in query.latest_values() {
        if changes.iter().any(|(c, _)| *c == k.as_ref()) || (resets_cursor && k == "after") {
            continue;
        }
        pairs.push((k.to_string(), v.to_string()));
    }
    for (k, v) in changes {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            pairs.push((k.to_string(), v.to_string()));
        }
    }
    pairs.sort();
    if pairs.is_empty() {
        return path.to_string();
    }
    let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    format!("{path}?{}", q.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}
