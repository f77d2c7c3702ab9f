//! The request types and their fields: one table drives validation and the OpenAPI document.

use super::request::Request;
use crate::api_error::ApiError;
use app::backend::password;
use axum::http::StatusCode;
use serde_json::Value;

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A string of 1..=n characters.
    Text(usize),
    /// A password of at least 8 characters; never stored or logged.
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
    pub name: &'static str,
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
        name: "billing.new_entity",
        summary: "Creates the user (status active, default permissions). An existing entity is a 409.",
        fields: &[req("login", Kind::Text(64)), req("password", Kind::Password), req("name", Kind::Text(200)), opt("properties", Kind::Properties)],
    },
    TypeSpec { name: "billing.pause_entity", summary: "Status paused: every camera shows as locked.", fields: &[] },
    TypeSpec { name: "billing.unpause_entity", summary: "Status back to active.", fields: &[] },
    TypeSpec { name: "billing.terminate_entity", summary: "Deletes the user and all its sub-users.", fields: &[] },
    TypeSpec {
        name: "billing.create_location",
        summary: "Links the user to the location of a CSA code (created on first use). Unknown codes are logged as billing.create_location_unknown_csa.",
        fields: &[req("csa", Kind::Text(64)), opt("name", Kind::Text(200))],
    },
    TypeSpec {
        name: "billing.delete_location",
        summary: "Unlinks the user from the location and revokes its cameras there.",
        fields: &[req("csa", Kind::Text(64))],
    },
    TypeSpec { name: "billing.update_login", summary: "Changes the login; a taken login is a 422.", fields: &[req("login", Kind::Text(64))] },
    TypeSpec {
        name: "billing.update_password",
        summary: "Changes the password and ends the user's sessions.",
        fields: &[req("password", Kind::Password)],
    },
    TypeSpec {
        name: "billing.new_camera",
        summary: "Registers the camera device (idempotent on mac).",
        fields: &[req("mac", Kind::Mac), req("serial_number", Kind::Text(64)), opt("name", Kind::Text(200)), opt("model", Kind::Text(200))],
    },
    TypeSpec {
        name: "billing.attach_camera",
        summary: "Places the camera at the location of csa and grants the user access. A CSA code the user is not linked to is logged as billing.attach_camera_unknown_csa.",
        fields: &[req("mac", Kind::Mac), req("csa", Kind::Text(64))],
    },
    TypeSpec {
        name: "billing.detach_camera",
        summary: "Revokes the user's and its sub-users' access to the camera.",
        fields: &[req("mac", Kind::Mac)],
    },
    TypeSpec {
        name: "billing.set_licences",
        summary: "Sets analytics licence totals per level. Zero is always accepted; a non-zero total below the licences in use is a 422.",
        fields: &[req("analytics_l1", Kind::Count), req("analytics_l2", Kind::Count), req("analytics_l3", Kind::Count)],
    },
];

pub fn spec(name: &str) -> Option<&'static TypeSpec> {
    TYPES.iter().find(|t| t.name == name)
}

pub fn valid_password(r: &Request) -> Result<String, ApiError> {
    match r.body.get("password") {
        Some(Value::String(p)) if p.chars().count() >= password::MIN_LENGTH && p.len() <= 1024 => Ok(p.clone()),
        Some(Value::String(_)) => Err(ApiError::field("password", "must be 8 to 1024 characters")),
        None | Some(Value::Null) => Err(ApiError::field("password", "is required")),
        Some(_) => Err(ApiError::field("password", "must be a string")),
    }
}

fn check(r: &Request, f: &Field) -> Result<(), ApiError> {
    let present = !matches!(r.body.get(f.name), None | Some(Value::Null));
    if !f.required && !present {
        return Ok(());
    }
    match f.kind {
        Kind::Text(max) => r.string(f.name, max).map(drop),
        Kind::Password => valid_password(r).map(drop),
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
pub fn changes_environment(kind: &str) -> bool {
    matches!(
        kind,
        "billing.pause_entity"
            | "billing.unpause_entity"
            | "billing.terminate_entity"
            | "billing.delete_location"
            | "billing.attach_camera"
            | "billing.detach_camera"
            | "billing.set_licences"
    )
}
