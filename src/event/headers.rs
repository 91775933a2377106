//! Scrubbing: header names and values HTTP forbids (CR, LF, NUL and other controls; RFC
//! 9110 §5.5) would make `lambda_http` refuse the whole event. An unusable
//! `Authorization` becomes [`UNUSABLE_AUTHORIZATION`] (so the caller gets 401), any other
//! invalid value is emptied, an invalid name dropped.

use lambda_http::http::{HeaderName, HeaderValue};
use serde_json::Value;

/// What replaces an `Authorization` value HTTP does not allow: no scheme and no token, so
/// the endpoint answers 401 as for any malformed header.
pub const UNUSABLE_AUTHORIZATION: &str = "unusable";

/// Replaces or removes header entries `http` would refuse, in `headers` (name → string)
/// and `multiValueHeaders` (name → array of strings). Returns `true` if it changed anything.
pub fn scrub_headers(event: &mut Value) -> bool {
    let mut changed = false;
    for field in ["headers", "multiValueHeaders"] {
        let Some(map) = event.get_mut(field).and_then(Value::as_object_mut) else {
            continue;
        };
        map.retain(|name, _| {
            let keep = HeaderName::from_bytes(name.as_bytes()).is_ok();
            changed |= !keep;
            keep
        });
        for (name, value) in map.iter_mut() {
            let is_authorization = name.eq_ignore_ascii_case("authorization");
            let values: Vec<&mut Value> = match value {
                Value::Array(items) => items.iter_mut().collect(),
                other => vec![other],
            };
            for v in values {
                let valid = v.as_str().is_none_or(|s| HeaderValue::from_str(s).is_ok());
                if !valid {
                    changed = true;
                    *v = if is_authorization {
                        Value::from(UNUSABLE_AUTHORIZATION)
                    } else {
                        Value::from("")
                    };
                }
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use lambda_http::http::header::AUTHORIZATION;
    use lambda_http::request::LambdaRequest;

    use super::super::parse_event;
    use super::super::testing::{authorization, v2};
    use super::*;

    #[test]
    fn valid_events_parse_unchanged() {
        let req = parse_event(&v2(serde_json::json!({"authorization": "Bearer x"}))).unwrap();
        assert_eq!(authorization(req).as_deref(), Some("Bearer x"));
    }

    #[test]
    fn forbidden_bytes_in_authorization_make_it_unusable() {
        for bad in [
            "Bearer a\r\nX-Injected: 1",
            "Bearer a\0",
            "Bearer \u{7f}",
            "a\nb",
        ] {
            let raw = v2(serde_json::json!({"authorization": bad, "user-agent": "ok"}));
            assert!(
                serde_json::from_str::<LambdaRequest>(&raw).is_err(),
                "{bad:?}"
            );
            let req = parse_event(&raw).unwrap();
            assert_eq!(authorization(req).as_deref(), Some(UNUSABLE_AUTHORIZATION));
        }
    }

    #[test]
    fn other_invalid_headers_are_emptied_or_dropped() {
        let raw = v2(
            serde_json::json!({"user-agent": "a\r\nb", "bad name": "x", "authorization": "Bearer t"}),
        );
        let req: lambda_http::Request = parse_event(&raw).unwrap().into();
        assert_eq!(req.headers()["user-agent"], "");
        assert!(req.headers().get("bad name").is_none());
        assert_eq!(req.headers()[AUTHORIZATION], "Bearer t");
    }
}
