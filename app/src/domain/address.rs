//! How an address of the CSA directory reads.

pub fn format_address(city: &str, street: &str, house: &str, entrance: &str) -> String {
    let mut s = format!("{city}, {street} {house}");
    if !entrance.is_empty() {
        s.push_str(&format!(", entrance {entrance}"));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_with_and_without_entrance() {
        assert_eq!(super::format_address("Riga", "Brivibas iela", "12", "3"), "Riga, Brivibas iela 12, entrance 3");
        assert_eq!(super::format_address("Riga", "Brivibas iela", "12", ""), "Riga, Brivibas iela 12");
    }
}
