//! `Authorization` is a singleton field: this sees every `Authorization` entry of the
//! event's `headers` and `multiValueHeaders` maps, under any spelling of the name, before
//! `lambda_http` folds them into one `HeaderMap` and keeps one value, and gives a repeated
//! credential back as repeated field lines, which [`crate::auth::presented_token`]
//! refuses on every front door.

use lambda_http::http::header::AUTHORIZATION;
use lambda_http::http::HeaderValue;
use lambda_http::request::LambdaRequest;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::headers::UNUSABLE_AUTHORIZATION;

/// The `Authorization` entries of an event's `headers` and `multiValueHeaders` maps, as
/// the JSON holds them: every spelling of the name, every value of an array, a key given
/// twice seen twice, a map given twice seen whole (the event keeps the last map, and the
/// first map's credential still counts). Gathered by [`HeaderMapSeed`] during the one
/// parse of the event ([`super::parse`]).
#[derive(Debug, Default)]
pub(super) struct AuthorizationEntries {
    pub(super) headers: Vec<Value>,
    pub(super) multi_value_headers: Vec<Value>,
}

/// Reads one header map (null, a map of strings or a map of arrays) into a [`Value`],
/// keeping a value of every key that is `Authorization` in any letter case in `into` as
/// well. Anything but a map or null is an error (no front door sends one).
pub(super) struct HeaderMapSeed<'a> {
    pub(super) into: &'a mut Vec<Value>,
}

impl<'de> DeserializeSeed<'de> for HeaderMapSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for HeaderMapSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a header map or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_map(self)
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Value, M::Error> {
        let mut headers = serde_json::Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value::<Value>()?;
            if name.eq_ignore_ascii_case(AUTHORIZATION.as_str()) {
                match &value {
                    Value::Null => {}
                    Value::Array(items) => self.into.extend(items.iter().cloned()),
                    one => self.into.push(one.clone()),
                }
            }
            headers.insert(name, value);
        }
        Ok(Value::Object(headers))
    }
}

/// Every `Authorization` value of the event if it carries the credential more than once,
/// under any spelling of the name, in `headers` or `multiValueHeaders`; `None` if it
/// carries it at most once.
///
/// `lambda_http` would hide the repetition: a single-value map keeps one value per name
/// whatever its case (`HeaderMap::insert`), and for payload 1.0 and ALB events it merges
/// `headers` into `multiValueHeaders` with `HeaderMap::extend`, which replaces all values
/// of a name by the single-value map's one. API Gateway's REST shape has the one value in
/// both maps (`headers` holds the last of `multiValueHeaders`): that is one credential,
/// and two maps that disagree are two.
pub(super) fn repeated_authorization(entries: AuthorizationEntries) -> Option<Vec<Value>> {
    let AuthorizationEntries {
        headers: single,
        multi_value_headers: multi,
    } = entries;
    if multi.len() > 1 {
        Some(multi)
    } else if single.len() > 1 {
        Some(single)
    } else {
        match (single.first(), multi.first()) {
            (Some(s), Some(m)) if s != m => Some(vec![m.clone(), s.clone()]),
            _ => None,
        }
    }
}

/// Puts `values` back as the request's `Authorization` field lines, where `lambda_http`
/// takes its headers from, so the handler sees the repetition as HTTP would
/// (`crate::auth::presented_token` refuses it). A value HTTP does not allow becomes
/// [`UNUSABLE_AUTHORIZATION`].
pub(super) fn keep_repeated(request: &mut LambdaRequest, values: &[Value]) {
    let (single, multi) = match request {
        LambdaRequest::ApiGatewayV1(r) => (&mut r.headers, Some(&mut r.multi_value_headers)),
        LambdaRequest::Alb(r) => (&mut r.headers, Some(&mut r.multi_value_headers)),
        LambdaRequest::ApiGatewayV2(r) => (&mut r.headers, None),
        _ => return,
    };
    single.remove(AUTHORIZATION);
    // Payload 1.0 and ALB: `multiValueHeaders` is the source once `headers` has no entry.
    let target = match multi {
        Some(multi) => multi,
        None => single,
    };
    target.remove(AUTHORIZATION);
    for value in values {
        target.append(AUTHORIZATION, field_value(value));
    }
}

/// One `Authorization` value of the event as a field value; a value HTTP does not allow
/// (or not a string) becomes [`UNUSABLE_AUTHORIZATION`].
pub(super) fn field_value(value: &Value) -> HeaderValue {
    value
        .as_str()
        .and_then(|s| HeaderValue::from_str(s).ok())
        .unwrap_or(HeaderValue::from_static(UNUSABLE_AUTHORIZATION))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::testing::{credential, event, without_authorization, ADMIN, STANDARD};

    #[test]
    fn one_authorization_in_both_rest_maps_is_one_value() {
        // API Gateway's REST shape: the value in `headers` and again in `multiValueHeaders`.
        for file in [
            "rest-create-200.json",
            "http-api-payload-v1-create-200.json",
            "alb-create-200.json",
            "alb-multi-value-create-200.json",
            "http-api-create-200.json",
            "function-url-create-200.json",
        ] {
            let raw = event(file).to_string();
            assert_eq!(
                credential(&raw).as_deref(),
                Ok("localdevadmin000000000001-us-1"),
                "{file}"
            );
        }
    }

    #[test]
    fn rest_multi_value_authorization_twice_is_repeated() {
        // Two `Authorization` headers through a REST API: both in `multiValueHeaders`,
        // the last in `headers`.
        let mut e = event("rest-create-200.json");
        e["multiValueHeaders"]["Authorization"] = serde_json::json!([ADMIN, STANDARD]);
        e["headers"]["Authorization"] = STANDARD.into();
        assert_eq!(
            credential(&e.to_string()),
            Err(crate::auth::CredentialError::Repeated)
        );
        // The same value twice is still two.
        e["multiValueHeaders"]["Authorization"] = serde_json::json!([ADMIN, ADMIN]);
        e["headers"]["Authorization"] = ADMIN.into();
        assert_eq!(
            credential(&e.to_string()),
            Err(crate::auth::CredentialError::Repeated)
        );
    }

    #[test]
    fn authorization_under_two_spellings_is_repeated_on_every_front_door() {
        use crate::auth::CredentialError::Repeated;
        // REST: both spellings in both maps, in one map only, or one in each.
        let base = without_authorization(event("rest-create-200.json"));
        let mut both = base.clone();
        both["headers"]["Authorization"] = ADMIN.into();
        both["headers"]["authorization"] = STANDARD.into();
        both["multiValueHeaders"]["Authorization"] = serde_json::json!([ADMIN]);
        both["multiValueHeaders"]["authorization"] = serde_json::json!([STANDARD]);
        let mut single_only = base.clone();
        single_only["headers"]["Authorization"] = ADMIN.into();
        single_only["headers"]["AUTHORIZATION"] = ADMIN.into();
        single_only["multiValueHeaders"] = Value::Null;
        let mut one_in_each = base.clone();
        one_in_each["headers"]["authorization"] = STANDARD.into();
        one_in_each["multiValueHeaders"]["Authorization"] = serde_json::json!([ADMIN]);
        // ALB single-value and multi-value, HTTP API, Function URL.
        let mut alb = without_authorization(event("alb-create-200.json"));
        alb["headers"]["Authorization"] = ADMIN.into();
        alb["headers"]["authorization"] = STANDARD.into();
        let mut alb_multi = without_authorization(event("alb-multi-value-create-200.json"));
        alb_multi["multiValueHeaders"]["Authorization"] = serde_json::json!([ADMIN]);
        alb_multi["multiValueHeaders"]["authorization"] = serde_json::json!([STANDARD]);
        let mut v2 = without_authorization(event("http-api-create-200.json"));
        v2["headers"]["Authorization"] = STANDARD.into();
        v2["headers"]["authorization"] = ADMIN.into();
        let mut url = without_authorization(event("function-url-create-200.json"));
        url["headers"]["authorization"] = ADMIN.into();
        url["headers"]["Authorization"] = ADMIN.into();
        for (name, e) in [
            ("rest both maps", both),
            ("rest headers only", single_only),
            ("rest one in each map", one_in_each),
            ("alb", alb),
            ("alb multi-value", alb_multi),
            ("http api", v2),
            ("function url", url),
        ] {
            assert_eq!(credential(&e.to_string()), Err(Repeated), "{name}");
        }
    }

    #[test]
    fn authorization_twice_under_the_same_key_is_repeated() {
        // JSON allows a key twice; a map keeps one of them.
        let e = without_authorization(event("alb-create-200.json")).to_string();
        let raw = e.replacen(
            r#""headers":{"#,
            &format!(r#""headers":{{"authorization":"{STANDARD}","authorization":"{ADMIN}","#),
            1,
        );
        assert_ne!(raw, e);
        assert_eq!(
            credential(&raw),
            Err(crate::auth::CredentialError::Repeated)
        );
    }

    #[test]
    fn a_header_map_given_twice_is_seen_whole() {
        // `"headers"` twice at the top level: the one parse keeps the last map, and the
        // first map's credential counts all the same, with or without a forbidden byte
        // to scrub (before the one parse, the event without one was refused whole).
        let mut e = without_authorization(event("alb-create-200.json"));
        e["headers"]["user-agent"] = "curl\r\n".into();
        let e = e.to_string();
        let raw = e.replacen(
            '{',
            &format!(r#"{{"headers":{{"authorization":"{STANDARD}"}},"#),
            1,
        );
        let raw = raw.replacen(
            r#""headers":{"accept""#,
            &format!(r#""headers":{{"authorization":"{ADMIN}","accept""#),
            1,
        );
        assert_eq!(raw.matches("authorization").count(), 2, "{raw}");
        assert_eq!(
            credential(&raw),
            Err(crate::auth::CredentialError::Repeated)
        );
        let without_bad_byte = raw.replace(r"curl\r\n", "curl");
        assert_ne!(without_bad_byte, raw);
        assert_eq!(
            credential(&without_bad_byte),
            Err(crate::auth::CredentialError::Repeated)
        );
    }

    #[test]
    fn rest_headers_and_multi_value_headers_that_disagree_are_repeated() {
        // Two different credentials, one per map: API Gateway never sends this, a
        // hand-made event can; neither is taken.
        let mut e = event("rest-create-200.json");
        e["headers"]["Authorization"] = STANDARD.into();
        assert_eq!(
            credential(&e.to_string()),
            Err(crate::auth::CredentialError::Repeated)
        );
    }

    #[test]
    fn a_repeated_authorization_with_forbidden_bytes_is_still_repeated() {
        let mut e = event("rest-create-200.json");
        e["multiValueHeaders"]["Authorization"] = serde_json::json!([ADMIN, "Bearer a\r\nb"]);
        assert_eq!(
            credential(&e.to_string()),
            Err(crate::auth::CredentialError::Repeated)
        );
    }
}
