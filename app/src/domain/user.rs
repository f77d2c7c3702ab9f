//! Subscriber accounts: status and login rules.

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

/// Why a login cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginProblem {
    /// Empty, or longer than 64 characters.
    Length,
    Spaces,
}

impl LoginProblem {
    /// What the billing API says of the login field (reads after "login").
    pub fn reason(self) -> &'static str {
        match self {
            Self::Length => "is required: 1-64 characters",
            Self::Spaces => "must not contain spaces",
        }
    }
}

/// Why a login cannot be used, if it cannot: 1-64 characters without spaces.
pub fn login_problem(login: &str) -> Option<LoginProblem> {
    if login.is_empty() || login.chars().count() > 64 {
        Some(LoginProblem::Length)
    } else if login.chars().any(char::is_whitespace) {
        Some(LoginProblem::Spaces)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{login_problem, UserStatus};

    #[test]
    fn logins_are_short_and_without_spaces() {
        assert_eq!(login_problem("anna.k-2"), None);
        assert!(login_problem("").is_some());
        assert!(login_problem("an na").is_some());
        assert!(login_problem(&"x".repeat(65)).is_some());
        assert_eq!(login_problem(&"ж".repeat(64)), None);
    }

    #[test]
    fn round_trips_every_status() {
        for status in UserStatus::ALL {
            assert_eq!(UserStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(UserStatus::parse("gone"), None);
    }
}
