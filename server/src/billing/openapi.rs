//! `GET /api/billing/v1/openapi.json`, generated from the request type table.

use super::types::{Kind, TYPES};
use app::domain::billing::EventType;
use serde_json::{json, Map, Value};

fn schema(kind: Kind) -> Value {
    match kind {
        Kind::Text(max) => json!({"type": "string", "minLength": 1, "maxLength": max}),
        Kind::Password => {
            json!({"type": "string", "minLength": 8, "maxLength": 1024, "format": "password", "writeOnly": true})
        }
        Kind::Mac => {
            json!({"type": "string", "pattern": "^[0-9A-Fa-f]{2}([:.-]?[0-9A-Fa-f]{2}){5}$", "example": "00:1a:2b:3c:4d:5e"})
        }
        Kind::Count => json!({"type": "integer", "minimum": 0}),
        Kind::Properties => json!({"type": "object", "additionalProperties": {"type": "string"}}),
    }
}

pub fn document() -> Value {
    let mut schemas = Map::new();
    let mut one_of = Vec::new();
    for t in TYPES {
        let mut properties = Map::new();
        properties.insert("id".into(), json!({"$ref": "#/components/schemas/RequestId"}));
        properties.insert("type".into(), json!({"type": "string", "enum": [t.name]}));
        properties.insert("entity".into(), json!({"type": "string", "minLength": 1, "maxLength": 128, "description": "The billing entity id of the user."}));
        let mut required = vec!["id", "type", "entity"];
        let mut alternatives = None;
        for f in t.fields {
            properties.insert(f.name.into(), schema(f.kind));
            if matches!(f.kind, Kind::Password) {
                properties.insert(
                    "password_hash".into(),
                    json!({"type": "string", "pattern": "^\\$argon2id\\$v=19\\$", "writeOnly": true,
                           "description": "Instead of password: an argon2id PHC string (m×t at least 19456×2 or another OWASP configuration; m ≤ 262144, t ≤ 16, p ≤ 8), kept as it is."}),
                );
                alternatives = Some(json!([{"required": ["password"]}, {"required": ["password_hash"]}]));
            } else if f.required {
                required.push(f.name);
            }
        }
        let name = t.name.code().trim_start_matches("billing.").to_string();
        schemas.insert(
            name.clone(),
            match alternatives {
                Some(one_of) => json!({"type": "object", "description": t.summary, "required": required, "properties": properties, "oneOf": one_of}),
                None => json!({"type": "object", "description": t.summary, "required": required, "properties": properties}),
            },
        );
        one_of.push(json!({"$ref": format!("#/components/schemas/{name}")}));
    }
    schemas.insert("RequestId".into(), json!({"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$", "description": "Chosen by billing; the idempotency key."}));
    schemas.insert("Applied".into(), json!({"type": "object", "required": ["id", "type", "event_id", "user_id", "outcome"], "properties": {
        "id": {"type": "string"}, "type": {"type": "string"}, "event_id": {"type": "integer"}, "user_id": {"type": "integer"}, "outcome": {"type": "string", "enum": ["applied"]}}}));
    schemas.insert("Error".into(), json!({"type": "object", "required": ["message", "errors"], "properties": {
        "message": {"type": "string"}, "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}));
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let labels: Vec<Value> = EventType::ALL.iter().map(|t| json!({"code": t.code(), "label": t.label()})).collect();
    json!({
        "openapi": "3.0.3",
        "info": {"title": "VMS billing API", "version": "1", "x-event-types": labels,
                 "description": "The billing system creates and changes subscriber accounts. Every request with a valid envelope is logged with its outcome; a repeated id with the same body returns the original answer."},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"bearer": []}],
        "paths": {"/api/billing/v1/requests": {"post": {
            "summary": "Send one billing request",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": one_of, "discriminator": {"propertyName": "type"}}}}},
            "responses": {
                "200": {"description": "Applied (or the replay of an applied request)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Applied"}}}},
                "400": error("Malformed JSON"),
                "401": error("Missing or wrong token"),
                "404": error("Unknown entity"),
                "409": error("Conflict: existing entity, terminated entity, or a request id reused with another body"),
                "413": error("Body over 64 KiB"),
                "415": error("Not JSON"),
                "422": error("Validation failure, unknown CSA code or unknown type")
            }
        }}}
    })
}
