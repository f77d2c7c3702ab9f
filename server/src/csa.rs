//! `server csa import FILE.csv`: the CSA address directory (`code,city,street,house,entrance`).

use app::backend::db::Db;
use app::error::AppError;

#[derive(Debug, PartialEq)]
pub struct CsaRow {
    pub code: String,
    pub city: String,
    pub street: String,
    pub house: String,
    pub entrance: String,
}

/// Splits one CSV line (RFC 4180 quoting).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("one field").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().expect("one field").push(c),
        }
    }
    out.into_iter().map(|f| f.trim().to_string()).collect()
}

/// Parses the file; errors name the line.
pub fn parse(text: &str) -> Result<Vec<CsaRow>, String> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or("the file is empty")?;
    let header = fields(header.trim_start_matches('\u{feff}'));
    if header != ["code", "city", "street", "house", "entrance"] {
        return Err("the header must be: code,city,street,house,entrance".into());
    }
    lines
        .map(|(n, line)| {
            let f = fields(line);
            if f.len() != 5 || f[0].is_empty() {
                return Err(format!("line {}: expected 5 fields with a code", n + 1));
            }
            let mut f = f.into_iter();
            let mut next = || f.next().unwrap_or_default();
            Ok(CsaRow { code: next(), city: next(), street: next(), house: next(), entrance: next() })
        })
        .collect()
}

/// Upserts the rows in one transaction; returns how many were written.
pub async fn import(db: &Db, rows: &[CsaRow]) -> Result<usize, AppError> {
    let mut tx = db.pool.begin().await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO csa_codes (code, city, street, house, entrance) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (code) DO UPDATE SET city = excluded.city, street = excluded.street, \
             house = excluded.house, entrance = excluded.entrance",
        )
        .bind(&r.code)
        .bind(&r.city)
        .bind(&r.street)
        .bind(&r.house)
        .bind(&r.entrance)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_fields_and_rejects_bad_lines() {
        let rows = parse(
            "code,city,street,house,entrance\nA1,Riga,\"Brivibas, iela\",12,3\n\nA2,Riga,Elizabetes,\"4\"\"a\",\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].street, "Brivibas, iela");
        assert_eq!(rows[1].house, "4\"a");
        assert_eq!(rows[1].entrance, "");
        assert!(parse("").is_err());
        assert!(parse("a,b\n").is_err());
        assert!(parse("code,city,street,house,entrance\nA1,Riga\n").unwrap_err().contains("line 2"));
    }
}
