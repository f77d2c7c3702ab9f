//! Counts and numbers as the pages write them.

/// "1 camera", "3 cameras", "1 entry": `noun` is the plural.
pub fn count_label(n: i64, noun: &str) -> String {
    if n != 1 {
        return format!("{} {noun}", digits(n));
    }
    let one = match noun.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => noun.strip_suffix('s').unwrap_or(noun).to_string(),
    };
    format!("1 {one}")
}

/// A URL component: every byte but unreserved ones (RFC 3986) percent-encoded.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// 1234567 → "1,234,567".
pub fn digits(n: i64) -> String {
    digits_with(n, ",")
}

/// The digits of `n` in groups of three, `separator` between groups.
pub fn digits_with(n: i64, separator: &str) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 * separator.len() + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_read_naturally() {
        assert_eq!(super::count_label(1, "cameras"), "1 camera");
        assert_eq!(super::count_label(1, "entries"), "1 entry");
        assert_eq!(super::count_label(0, "sub-users"), "0 sub-users");
        assert_eq!(super::count_label(12, "events"), "12 events");
        assert_eq!(super::digits(1_000), "1,000");
        assert_eq!(super::digits(999), "999");
        assert_eq!(super::digits(1_234_567), "1,234,567");
        assert_eq!(super::digits(-12_345), "-12,345");
        assert_eq!(super::digits_with(-1_234_567, "\u{a0}"), "-1\u{a0}234\u{a0}567");
    }
}
