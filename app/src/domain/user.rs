//! Subscriber account status.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    Active,
    Paused,
    Deleted,
}

impl UserStatus {
    pub const ALL: [UserStatus; 3] = [Self::Active, Self::Paused, Self::Deleted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::UserStatus;

    #[test]
    fn round_trips_every_status() {
        for status in UserStatus::ALL {
            assert_eq!(UserStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(UserStatus::parse("gone"), None);
    }
}
