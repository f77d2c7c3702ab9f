//! One page of a keyset-paginated list.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Total of rows matching the filter (only rows the caller may see).
    pub total: i64,
    /// `total` is a lower bound: the count stopped at [`COUNT_CAP`].
    #[serde(default)]
    pub total_capped: bool,
    /// Opaque cursor of the next page, `None` on the last page.
    pub next: Option<String>,
}

pub const PAGE_SIZE: i64 = 25;

/// Counts of broad searches stop here and show as "1,000+": counting every match costs as
/// much as reading them all, and nobody pages through a thousand results.
pub const COUNT_CAP: i64 = 1_000;

/// Rows an export asks a list's query for at a time.
pub const EXPORT_CHUNK: i64 = 1_000;

/// What a list's query is asked for: the rows after a cursor, how many, and whether to
/// count them all (a page the console shows is counted; an export's chunks are not).
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub after: Option<String>,
    pub size: i64,
    pub counted: bool,
}

impl Window {
    /// A page of a list in the console.
    pub fn page(after: Option<String>) -> Self {
        Self { after, size: PAGE_SIZE, counted: true }
    }

    /// A chunk of an export.
    pub fn chunk(after: Option<String>) -> Self {
        Self { after, size: EXPORT_CHUNK, counted: false }
    }

    /// `LIMIT` of the query: one row more than the window, to tell whether more follow.
    pub fn limit(&self) -> i64 {
        self.size + 1
    }

    /// The id after which an id-ordered list goes on.
    pub fn after_id(&self) -> i64 {
        self.after.as_deref().and_then(Cursor::decode).map_or(0, |c| c.id)
    }
}

impl<T> Page<T> {
    /// Builds a page from up to `PAGE_SIZE + 1` fetched rows: the extra row only tells
    /// that a next page exists.
    pub fn from_rows(rows: Vec<T>, total: i64, cursor: impl Fn(&T) -> Cursor) -> Self {
        Self::from_window(rows, total, &Window::page(None), cursor)
    }

    /// Builds a page of `window` from up to `window.limit()` fetched rows.
    pub fn from_window(mut rows: Vec<T>, total: i64, window: &Window, cursor: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() as i64 > window.size;
        rows.truncate(window.size as usize);
        let next = if more { rows.last().map(|r| cursor(r).encode()) } else { None };
        Self { rows, total, total_capped: false, next }
    }

    /// Takes a count made with `LIMIT COUNT_CAP + 1`: above the cap, `total` becomes the cap
    /// and is marked as a lower bound.
    pub fn capped(mut self) -> Self {
        if self.total > COUNT_CAP {
            self.total = COUNT_CAP;
            self.total_capped = true;
        }
        self
    }

    /// The cursor of an id-ordered list.
    pub fn after_id(after: Option<&str>) -> i64 {
        after.and_then(Cursor::decode).map(|c| c.id).unwrap_or(0)
    }
}

/// A keyset cursor: the sort key of the last row shown, and its id as tie-breaker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}~{}", self.id, self.key)
    }

    /// Parses a cursor from the URL; anything malformed is treated as "first page".
    pub fn decode(s: &str) -> Option<Self> {
        let (id, key) = s.split_once('~')?;
        Some(Self { id: id.parse().ok()?, key: key.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn cursor_round_trip_and_garbage() {
        let c = Cursor { key: "Anna ~ Smith".into(), id: 42 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("nonsense"), None);
        assert_eq!(Cursor::decode("x~1"), None);
    }

    #[test]
    fn from_rows_detects_the_next_page() {
        let rows: Vec<i64> = (1..=26).collect();
        let page = super::Page::from_rows(rows, 30, |r| Cursor { key: String::new(), id: *r });
        assert_eq!(page.rows.len(), 25);
        assert_eq!(page.next.as_deref().and_then(Cursor::decode).map(|c| c.id), Some(25));
        let last = super::Page::from_rows(vec![1i64, 2], 2, |r| Cursor { key: String::new(), id: *r });
        assert_eq!(last.next, None);
        assert_eq!(super::Page::<i64>::after_id(Some("7~")), 7);
        assert_eq!(super::Page::<i64>::after_id(Some("junk")), 0);
    }

    #[test]
    fn capped_counts_become_a_lower_bound() {
        let page =
            |total| super::Page::from_rows(vec![1i64], total, |r| Cursor { key: String::new(), id: *r }).capped();
        assert_eq!((page(1_000).total, page(1_000).total_capped), (1_000, false));
        assert_eq!((page(1_001).total, page(1_001).total_capped), (1_000, true));
        assert_eq!((page(3).total, page(3).total_capped), (3, false));
    }
}
