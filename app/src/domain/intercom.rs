//! Intercom rules: flat ranges and door keys.

/// Most flats one intercom serves.
pub const MAX_FLATS: i64 = 10_000;

/// Checks a flat range `from..=to`.
pub fn check_range(from: i64, to: i64) -> Result<(), String> {
    if from < 1 {
        return Err("The first flat must be 1 or more.".into());
    }
    if to < from {
        return Err("The last flat must not be below the first.".into());
    }
    if to - from + 1 > MAX_FLATS {
        return Err(format!("An intercom serves at most {MAX_FLATS} flats."));
    }
    Ok(())
}

/// A key code as stored: trimmed, upper-case; 4–32 of A–Z, 0–9 and '-'.
pub fn normalise_key(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_uppercase();
    if !(4..=32).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("A key code is 4–32 characters of letters, digits and '-'.".into());
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_keys() {
        assert!(check_range(1, 1).is_ok());
        assert!(check_range(0, 5).is_err());
        assert!(check_range(10, 9).is_err());
        assert!(check_range(1, MAX_FLATS).is_ok());
        assert!(check_range(1, MAX_FLATS + 1).is_err());
        assert_eq!(normalise_key(" ab12-cd ").as_deref(), Ok("AB12-CD"));
        assert!(normalise_key("abc").is_err());
        assert!(normalise_key("ab cd").is_err());
        assert!(normalise_key(&"A".repeat(33)).is_err());
    }
}
