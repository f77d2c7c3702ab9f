//! How an address of the CSA directory reads.

/// The parts of a CSA code's address, as a query reads them (`#[sqlx(flatten)]` in a row).
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AddressParts {
    pub city: String,
    pub street: String,
    pub house: String,
    pub entrance: String,
}

impl AddressParts {
    /// The address as the console writes it.
    pub fn line(&self) -> String {
        format_address(&self.city, &self.street, &self.house, &self.entrance)
    }
}

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
