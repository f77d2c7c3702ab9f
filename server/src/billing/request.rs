//! The billing request: its envelope and typed access to its fields.

use super::types::{self, TypeSpec};
use crate::api_error::ApiError;
use app::domain::billing::EventType;
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    pub kind: String,
    pub entity: String,
    pub body: Map<String, Value>,
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

impl Request {
    /// Checks the envelope (`id`, `type`, `entity`); only requests with a valid envelope are
    /// logged.
    pub fn parse(body: Map<String, Value>) -> Result<Self, ApiError> {
        let mut err = ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "The request envelope is not valid.");
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
        let id = text("id");
        match &id {
            None => err = err.with("id", "is required and must be a string"),
            Some(id) if !valid_id(id) => err = err.with("id", "must be 1-64 characters of A-Z a-z 0-9 . _ : -"),
            _ => {}
        }
        let kind = text("type");
        if kind.as_deref().is_none_or(str::is_empty) {
            err = err.with("type", "is required and must be a string");
        }
        let entity = text("entity");
        match &entity {
            Some(e) if !e.trim().is_empty() && e.len() <= 128 => {}
            _ => err = err.with("entity", "is required: a string of 1-128 characters"),
        }
        if !err.errors.is_empty() {
            return Err(err);
        }
        Ok(Self {
            id: id.unwrap_or_default(),
            kind: kind.unwrap_or_default(),
            entity: entity.unwrap_or_default(),
            body,
        })
    }

    /// The request type it names, if it names one (not an unknown code, nor a type only
    /// refusals are logged under).
    pub fn request_type(&self) -> Option<&'static TypeSpec> {
        EventType::from_code(&self.kind).and_then(types::spec)
    }

    /// The type its event is logged under before it is applied.
    pub fn logged_type(&self) -> EventType {
        self.request_type().map_or(EventType::UnknownType, |spec| spec.name)
    }

    /// A required string field, trimmed, of 1..=max characters.
    pub fn string(&self, field: &str, max: usize) -> Result<String, ApiError> {
        match self.body.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => Ok(s.trim().to_string()),
            Some(Value::String(_)) => Err(ApiError::field(field, format!("must be 1-{max} characters"))),
            None | Some(Value::Null) => Err(ApiError::field(field, "is required")),
            Some(_) => Err(ApiError::field(field, "must be a string")),
        }
    }

    pub fn optional_string(&self, field: &str, max: usize) -> Result<Option<String>, ApiError> {
        match self.body.get(field) {
            None | Some(Value::Null) => Ok(None),
            _ => self.string(field, max).map(Some),
        }
    }

    /// A required integer ≥ 0.
    pub fn count(&self, field: &str) -> Result<i64, ApiError> {
        match self.body.get(field) {
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) if (0..=1_000_000).contains(&v) => Ok(v),
                _ => Err(ApiError::field(field, "must be an integer from 0 to 1000000")),
            },
            None | Some(Value::Null) => Err(ApiError::field(field, "is required")),
            Some(_) => Err(ApiError::field(field, "must be an integer")),
        }
    }

    /// A MAC address, normalised to lower-case `aa:bb:cc:dd:ee:ff`.
    pub fn mac(&self) -> Result<String, ApiError> {
        let raw = self.string("mac", 32)?;
        normalise_mac(&raw).ok_or_else(|| ApiError::field("mac", "must be a MAC address like 00:1a:2b:3c:4d:5e"))
    }

    /// The body as stored in the event log: passwords are never kept.
    pub fn redacted(&self) -> Value {
        let mut body = self.body.clone();
        for secret in ["password", "password_hash"] {
            if body.contains_key(secret) {
                body.insert(secret.into(), Value::String("[redacted]".into()));
            }
        }
        Value::Object(body)
    }
}

pub use app::domain::camera::normalise_mac;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(v: Value) -> Result<Request, ApiError> {
        Request::parse(v.as_object().unwrap().clone())
    }

    #[test]
    fn envelope_rules() {
        assert!(req(json!({"id": "a.b_c:d-1", "type": "billing.x", "entity": "E1"})).is_ok());
        let e = req(json!({"id": "bad id!", "type": 3})).unwrap_err();
        assert_eq!(e.errors.keys().cloned().collect::<Vec<_>>(), ["entity", "id", "type"]);
        assert!(req(json!({"id": "x".repeat(65), "type": "t", "entity": "e"})).is_err());
        assert!(req(json!({"id": "", "type": "t", "entity": "e"})).is_err());
    }

    #[test]
    fn macs_and_redaction() {
        assert_eq!(normalise_mac("00-1A-2b-3c-4d-5E").as_deref(), Some("00:1a:2b:3c:4d:5e"));
        assert_eq!(normalise_mac("001a2b3c4d5"), None);
        assert_eq!(normalise_mac("zz:1a:2b:3c:4d:5e"), None);
        let r = req(json!({"id": "1", "type": "t", "entity": "e", "password": "secret-pw"})).unwrap();
        assert_eq!(r.redacted()["password"], "[redacted]");
        assert!(!r.redacted().to_string().contains("secret-pw"));
    }
}
