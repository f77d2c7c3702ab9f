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

/// 1234567 → "1,234,567".
pub fn digits(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
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
    }
}
