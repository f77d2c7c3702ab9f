//! The request types and their fields: one table drives validation and the OpenAPI document.

use super::request::Request;
use crate::api_error::ApiError;
use app::backend::password;
use app::domain::billing::EventType;
use axum::http::StatusCode;
use serde_json::Value;

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A string of 1..=n characters.
    Text(usize),
    /// A password: `password` (at least 8 characters; only its argon2id hash is kept) or
    /// `password_hash` (an argon2id PHC string billing made, kept as it is). Never logged.
    Password,
    Mac,
    /// An integer ≥ 0.
    Count,
    /// An object of string values.
    Properties,
}

pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub struct TypeSpec {
    pub name: EventType,
    pub summary: &'static str,
    pub fields: &'static [Field],
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: true }
}
const fn opt(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: false }
}

pub const TYPES: &[TypeSpec] = &[
    TypeSpec {
        name: EventType::NewEntity,
        summary: "Creates the user (status active, default permissions). An existing entity is a 409.",
        fields: &[req("login", Kind::Text(64)), req("password", Kind::Password), req("name", Kind::Text(200)), opt("properties", Kind::Properties)],
    },
    TypeSpec { name: EventType::PauseEntity, summary: "Status paused: every camera shows as locked.", fields: &[] },
    TypeSpec { name: EventType::UnpauseEntity, summary: "Status back to active.", fields: &[] },
    TypeSpec { name: EventType::TerminateEntity, summary: "Deletes the user and all its sub-users.", fields: &[] },
    TypeSpec {
        name: EventType::CreateLocation,
        summary: "Links the user to the location of a CSA code (created on first use). Unknown codes are logged as billing.create_location_unknown_csa.",
        fields: &[req("csa", Kind::Text(64)), opt("name", Kind::Text(200))],
    },
    TypeSpec {
        name: EventType::DeleteLocation,
        summary: "Unlinks the user from the location and revokes its cameras there.",
        fields: &[req("csa", Kind::Text(64))],
    },
    TypeSpec { name: EventType::UpdateLogin, summary: "Changes the login; a taken login is a 422.", fields: &[req("login", Kind::Text(64))] },
    TypeSpec {
        name: EventType::UpdatePassword,
        summary: "Changes the password and ends the user's sessions.",
        fields: &[req("password", Kind::Password)],
    },
    TypeSpec {
        name: EventType::NewCamera,
        summary: "Registers the camera device (idempotent on mac).",
        fields: &[req("mac", Kind::Mac), req("serial_number", Kind::Text(64)), opt("name", Kind::Text(200)), opt("model", Kind::Text(200))],
    },
    TypeSpec {
        name: EventType::AttachCamera,
        summary: "Places the camera at the location of csa and grants the user access. A CSA code the user is not linked to is logged as billing.attach_camera_unknown_csa.",
        fields: &[req("mac", Kind::Mac), req("csa", Kind::Text(64))],
    },
    TypeSpec {
        name: EventType::DetachCamera,
        summary: "Revokes the user's and its sub-users' access to the camera.",
        fields: &[req("mac", Kind::Mac)],
    },
    TypeSpec {
        name: EventType::SetLicences,
        summary: "Sets analytics licence totals per level. Zero is always accepted; a non-zero total below the licences in use is a 422.",
        fields: &[req("analytics_l1", Kind::Count), req("analytics_l2", Kind::Count), req("analytics_l3", Kind::Count)],
    },
];

/// The table entry of a request type; `None` for the types only refusals are logged under.
pub fn spec(t: EventType) -> Option<&'static TypeSpec> {
    TYPES.iter().find(|s| s.name == t)
}

/// The password a request sets: to be hashed here, or hashed already by billing.
#[derive(Debug, PartialEq)]
pub enum Credential {
    Plain(String),
    Hashed(String),
}

/// The request's `password` or `password_hash` (one of them, valid).
pub fn credential(r: &Request) -> Result<Credential, ApiError> {
    match r.body.get("password_hash") {
        None | Some(Value::Null) => valid_password(r).map(Credential::Plain),
        Some(_) if !matches!(r.body.get("password"), None | Some(Value::Null)) => {
            Err(ApiError::field("password_hash", "give password or password_hash, not both"))
        }
        Some(Value::String(h)) => match password::check_hash(h) {
            Ok(()) => Ok(Credential::Hashed(h.clone())),
            Err(why) => Err(ApiError::field("password_hash", why)),
        },
        Some(_) => Err(ApiError::field("password_hash", "must be a string")),
    }
}

fn valid_password(r: &Request) -> Result<String, ApiError> {
    match r.body.get("password") {
        Some(Value::String(p)) if p.chars().count() >= password::MIN_LENGTH && p.len() <= 1024 => Ok(p.clone()),
        Some(Value::String(_)) => Err(ApiError::field("password", "must be 8 to 1024 characters")),
        None | Some(Value::Null) => Err(ApiError::field("password", "is required")),
        Some(_) => Err(ApiError::field("password", "must be a string")),
    }
}

fn check(r: &Request, f: &Field) -> Result<(), ApiError> {
    let given = |name| !matches!(r.body.get(name), None | Some(Value::Null));
    let present = given(f.name) || (matches!(f.kind, Kind::Password) && given("password_hash"));
    if !f.required && !present {
        return Ok(());
    }
    match f.kind {
        Kind::Text(max) => r.string(f.name, max).map(drop),
        Kind::Password => credential(r).map(drop),
        Kind::Mac => r.mac().map(drop),
        Kind::Count => r.count(f.name).map(drop),
        Kind::Properties => match r.body.get(f.name) {
            Some(Value::Object(m)) if m.values().all(Value::is_string) => Ok(()),
            _ => Err(ApiError::field(f.name, "must be an object of string values")),
        },
    }
}

/// Checks every field of the type at once, so one answer names every problem.
pub fn validate(r: &Request, spec: &TypeSpec) -> Result<(), ApiError> {
    let mut err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "The request is not valid.");
    for f in spec.fields {
        if let Err(e) = check(r, f) {
            err.errors.extend(e.errors);
        }
    }
    if err.errors.is_empty() {
        Ok(())
    } else {
        Err(err)
    }
}

/// Whether a request of this type can change what users' apps show (their environments):
/// status, camera access, or the licences that make analytics permissions effective.
pub fn changes_environment(t: EventType) -> bool {
    use EventType::*;
    match t {
        PauseEntity | UnpauseEntity | TerminateEntity | DeleteLocation | AttachCamera | DetachCamera | SetLicences => {
            true
        }
        NewEntity
        | CreateLocation
        | CreateLocationUnknownCsa
        | UpdateLogin
        | NewCamera
        | AttachCameraUnknownCsa
        | UnknownType
        | UpdatePassword => false,
    }
}
