//! Tables as files: CSV (RFC 4180, UTF-8, a header row, CRLF line ends) and JSON Lines.
//!
//! A CSV cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) gets a leading `'`, so that opening an export never runs
//! what a subscriber typed into a name (OWASP's "CSV injection").

use serde::Serialize;

/// The formats of an export: `?format=csv` or `?format=jsonl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    pub fn from_param(format: &str) -> Option<Self> {
        match format {
            "csv" => Some(Self::Csv),
            "jsonl" => Some(Self::JsonLines),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::JsonLines => "jsonl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8; header=present",
            Self::JsonLines => "application/jsonl; charset=utf-8",
        }
    }
}

/// A row of an exported table: its columns, as CSV cells, in the order of `COLUMNS`. The
/// JSON Lines form is the row's own serialisation.
pub trait Record: Serialize {
    const COLUMNS: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

/// One cell, quoted when it must be, defused when a spreadsheet would evaluate it.
pub fn csv_cell(value: &str) -> String {
    let defused = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    if defused.contains([',', '"', '\r', '\n']) || defused.starts_with(' ') || defused.ends_with(' ') {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// One CSV line, with its CRLF.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells.iter().map(|c| csv_cell(c.as_ref())).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// The header line of a table in `format` (JSON Lines has none).
pub fn header<R: Record>(format: Format) -> String {
    match format {
        Format::Csv => csv_line(R::COLUMNS),
        Format::JsonLines => String::new(),
    }
}

/// One row in `format`, with its line end.
pub fn line<R: Record>(row: &R, format: Format) -> String {
    match format {
        Format::Csv => csv_line(&row.cells()),
        Format::JsonLines => {
            let mut json = serde_json::to_string(row).unwrap_or_else(|_| "{}".into());
            json.push('\n');
            json
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        id: i64,
        name: String,
    }

    impl Record for Row {
        const COLUMNS: &'static [&'static str] = &["ID", "Name"];
        fn cells(&self) -> Vec<String> {
            vec![self.id.to_string(), self.name.clone()]
        }
    }

    #[test]
    fn cells_are_quoted_as_rfc_4180_says() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("Smith, Anna"), "\"Smith, Anna\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell(" padded "), "\" padded \"");
        assert_eq!(csv_cell("Ёлка"), "Ёлка");
        assert_eq!(csv_line(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }

    #[test]
    fn formulas_are_defused() {
        for evil in ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_cell(evil).trim_start_matches('"').starts_with('\''), "{evil:?} → {}", csv_cell(evil));
        }
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_cell("a=b"), "a=b");
    }

    #[test]
    fn rows_as_csv_and_json_lines() {
        let row = Row { id: 7, name: "=cmd, \"x\"".into() };
        assert_eq!(header::<Row>(Format::Csv), "ID,Name\r\n");
        assert_eq!(line(&row, Format::Csv), "7,\"'=cmd, \"\"x\"\"\"\r\n");
        assert_eq!(header::<Row>(Format::JsonLines), "");
        assert_eq!(line(&row, Format::JsonLines), "{\"id\":7,\"name\":\"=cmd, \\\"x\\\"\"}\n");
        assert_eq!(Format::from_param("jsonl"), Some(Format::JsonLines));
        assert_eq!(Format::from_param("xlsx"), None);
    }
}
