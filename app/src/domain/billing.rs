//! Billing event types and outcomes (SPEC §4): the one place their codes are written.

use serde::{Deserialize, Serialize};

/// The type of a billing event: a request type, or the type a refused request is logged
/// under. Serialised as its SPEC code (`billing.new_entity`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum EventType {
    NewEntity,
    PauseEntity,
    UnpauseEntity,
    TerminateEntity,
    CreateLocation,
    CreateLocationUnknownCsa,
    DeleteLocation,
    UpdateLogin,
    NewCamera,
    AttachCamera,
    AttachCameraUnknownCsa,
    DetachCamera,
    UnknownType,
    UpdatePassword,
    SetLicences,
}

impl EventType {
    /// Every type, in the order the Billing Events filter lists them.
    pub const ALL: [EventType; 15] = [
        Self::NewEntity,
        Self::PauseEntity,
        Self::UnpauseEntity,
        Self::TerminateEntity,
        Self::CreateLocation,
        Self::CreateLocationUnknownCsa,
        Self::DeleteLocation,
        Self::UpdateLogin,
        Self::NewCamera,
        Self::AttachCamera,
        Self::AttachCameraUnknownCsa,
        Self::DetachCamera,
        Self::UnknownType,
        Self::UpdatePassword,
        Self::SetLicences,
    ];

    /// The SPEC code, as stored and sent.
    pub fn code(self) -> &'static str {
        self.entry().0
    }

    /// What the Billing Events tab calls it.
    pub fn label(self) -> &'static str {
        self.entry().1
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The label of a stored code; a code this version does not know reads as unknown.
    pub fn label_of(code: &str) -> &'static str {
        Self::from_code(code).unwrap_or(Self::UnknownType).label()
    }

    fn entry(self) -> (&'static str, &'static str) {
        match self {
            Self::NewEntity => ("billing.new_entity", "Billing. New entity"),
            Self::PauseEntity => ("billing.pause_entity", "Billing. Pause entity"),
            Self::UnpauseEntity => ("billing.unpause_entity", "Billing. Unpause entity"),
            Self::TerminateEntity => ("billing.terminate_entity", "Billing. Terminate entity"),
            Self::CreateLocation => ("billing.create_location", "Billing. Create location"),
            Self::CreateLocationUnknownCsa => {
                ("billing.create_location_unknown_csa", "Billing. Failed to create location")
            }
            Self::DeleteLocation => ("billing.delete_location", "Billing. Delete location"),
            Self::UpdateLogin => ("billing.update_login", "Billing. Update login"),
            Self::NewCamera => ("billing.new_camera", "Billing. New camera"),
            Self::AttachCamera => ("billing.attach_camera", "Billing. Attach camera"),
            Self::AttachCameraUnknownCsa => ("billing.attach_camera_unknown_csa", "Billing. Failed to attach camera"),
            Self::DetachCamera => ("billing.detach_camera", "Billing. Detach camera"),
            Self::UnknownType => ("billing.unknown_type", "Billing. Unknown type"),
            Self::UpdatePassword => ("billing.update_password", "Billing. Update password"),
            Self::SetLicences => ("billing.set_licences", "Billing. Set licences"),
        }
    }
}

impl From<EventType> for &'static str {
    fn from(t: EventType) -> Self {
        t.code()
    }
}

impl TryFrom<String> for EventType {
    type Error = String;
    fn try_from(code: String) -> Result<Self, String> {
        Self::from_code(&code).ok_or_else(|| format!("unknown billing event type {code}"))
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What became of a billing request, as its event records it (SPEC §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Applied,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Rejected => "rejected",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_one_code_and_a_label() {
        let codes: std::collections::BTreeSet<_> = EventType::ALL.iter().map(|t| t.code()).collect();
        assert_eq!(codes.len(), 15);
        for t in EventType::ALL {
            assert_eq!(EventType::from_code(t.code()), Some(t));
            assert!(t.code().starts_with("billing.") && t.label().starts_with("Billing. "), "{t}");
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{}\"", t.code()));
            assert_eq!(serde_json::from_str::<EventType>(&format!("\"{t}\"")).unwrap(), t);
        }
        assert_eq!(EventType::label_of("billing.attach_camera_unknown_csa"), "Billing. Failed to attach camera");
        assert_eq!(EventType::label_of("billing.whatever"), "Billing. Unknown type");
        assert!(serde_json::from_str::<EventType>("\"billing.whatever\"").is_err());
        for o in [Outcome::Applied, Outcome::Rejected] {
            assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{}\"", o.as_str()));
        }
    }
}
