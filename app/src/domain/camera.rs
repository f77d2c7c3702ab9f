//! Camera status, derived from the states of its streams (SPEC §2).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CameraStatus {
    Empty,
    Active,
    PartiallyActive,
    Inactive,
}

impl CameraStatus {
    /// `streams` holds the `up` flag of every stream the camera has reported.
    pub fn from_streams(streams: &[bool]) -> Self {
        let up = streams.iter().filter(|up| **up).count();
        match (streams.len(), up) {
            (0, _) => Self::Empty,
            (n, u) if u == n => Self::Active,
            (_, 0) => Self::Inactive,
            _ => Self::PartiallyActive,
        }
    }

    /// From the count of streams and of streams that are up, as SQL aggregates give them.
    pub fn from_counts(streams: i64, up: i64) -> Self {
        match (streams, up) {
            (n, _) if n <= 0 => Self::Empty,
            (n, u) if u >= n => Self::Active,
            (_, u) if u <= 0 => Self::Inactive,
            _ => Self::PartiallyActive,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Active => "active",
            Self::PartiallyActive => "partially active",
            Self::Inactive => "inactive",
        }
    }
}

/// A camera's video stream, as media servers report it (SPEC §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    High,
    Low,
}

impl Stream {
    pub const ALL: [Stream; 2] = [Self::High, Self::Low];

    /// The name as stored and sent: `high` or `low`.
    pub fn name(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Low => "low",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A MAC address in its one stored form, lower-case `aa:bb:cc:dd:ee:ff`; `None` if it is not one.
pub fn normalise_mac(raw: &str) -> Option<String> {
    let hex: String = raw.chars().filter(|c| !matches!(c, ':' | '-' | '.')).collect();
    if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    Some((0..6).map(|i| &hex[i * 2..i * 2 + 2]).collect::<Vec<_>>().join(":"))
}

#[cfg(test)]
mod tests {
    use super::CameraStatus::{self, *};

    #[test]
    fn status_from_every_stream_combination() {
        let cases: &[(&[bool], CameraStatus)] = &[
            (&[], Empty),
            (&[true], Active),
            (&[false], Inactive),
            (&[true, true], Active),
            (&[true, false], PartiallyActive),
            (&[false, true], PartiallyActive),
            (&[false, false], Inactive),
        ];
        for (streams, expected) in cases {
            assert_eq!(CameraStatus::from_streams(streams), *expected, "{streams:?}");
            let up = streams.iter().filter(|u| **u).count() as i64;
            assert_eq!(CameraStatus::from_counts(streams.len() as i64, up), *expected);
        }
    }

    #[test]
    fn labels_match_the_spec() {
        assert_eq!(PartiallyActive.label(), "partially active");
        assert_eq!(Empty.label(), "empty");
        assert_eq!(Active.label(), "active");
        assert_eq!(Inactive.label(), "inactive");
    }
}
