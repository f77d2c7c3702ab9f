//! Billing event types and their labels (SPEC §4).

pub const EVENT_TYPES: &[(&str, &str)] = &[
    ("billing.new_entity", "Billing. New entity"),
    ("billing.pause_entity", "Billing. Pause entity"),
    ("billing.unpause_entity", "Billing. Unpause entity"),
    ("billing.terminate_entity", "Billing. Terminate entity"),
    ("billing.create_location", "Billing. Create location"),
    ("billing.create_location_unknown_csa", "Billing. Failed to create location"),
    ("billing.delete_location", "Billing. Delete location"),
    ("billing.update_login", "Billing. Update login"),
    ("billing.new_camera", "Billing. New camera"),
    ("billing.attach_camera", "Billing. Attach camera"),
    ("billing.attach_camera_unknown_csa", "Billing. Failed to attach camera"),
    ("billing.detach_camera", "Billing. Detach camera"),
    ("billing.unknown_type", "Billing. Unknown type"),
    ("billing.update_password", "Billing. Update password"),
    ("billing.set_licences", "Billing. Set licences"),
];

/// What became of a billing request, as its event records it (SPEC §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Claimed, not yet applied or refused (never seen after its transaction commits).
    Pending,
    Applied,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Applied => "applied",
            Self::Rejected => "rejected",
        }
    }
}

pub fn event_label(code: &str) -> &'static str {
    EVENT_TYPES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("Billing. Unknown type")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_label() {
        assert_eq!(EVENT_TYPES.len(), 15);
        assert_eq!(event_label("billing.attach_camera_unknown_csa"), "Billing. Failed to attach camera");
        assert_eq!(event_label("billing.whatever"), "Billing. Unknown type");
        for o in [Outcome::Pending, Outcome::Applied, Outcome::Rejected] {
            assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{}\"", o.as_str()));
        }
    }
}
