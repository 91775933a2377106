//! Helpers of the event layer's unit tests: a payload 2.0 event (an `events/` file with other headers), the `events/` files, and
//! what the handler would read from an event.

use lambda_http::http::header::AUTHORIZATION;
use lambda_http::request::LambdaRequest;
use serde_json::Value;

use super::parse_event;

/// The create event of `events/http-api-create-200.json` (payload 2.0) with `headers` in
/// place of its own.
pub(super) fn v2(headers: Value) -> String {
    let mut e = event("http-api-create-200.json");
    e["headers"] = headers;
    e.to_string()
}

pub(super) fn authorization(req: LambdaRequest) -> Option<String> {
    let req: lambda_http::Request = req.into();
    req.headers()
        .get(AUTHORIZATION)
        .map(|v| v.to_str().unwrap().to_owned())
}

pub(super) const ADMIN: &str = "Bearer localdevadmin000000000001-us-1";
pub(super) const STANDARD: &str = "Bearer localdevstandard000000001-us-1";

/// A real event file of `events/`, parsed.
pub(super) fn event(name: &str) -> Value {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
}

/// What the handler gets from `raw`: the caller's token or why there is none.
pub(super) fn credential(raw: &str) -> Result<String, crate::auth::CredentialError> {
    let req: lambda_http::Request = parse_event(raw).unwrap().into();
    crate::auth::presented_token(req.headers(), "us-1").map(|t| t.expose().to_owned())
}

pub(super) fn without_authorization(mut e: Value) -> Value {
    for field in ["headers", "multiValueHeaders"] {
        if let Some(map) = e.get_mut(field).and_then(Value::as_object_mut) {
            map.retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
        }
    }
    e
}
