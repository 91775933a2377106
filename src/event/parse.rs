//! The one parse of an event: a single pass over the raw JSON that keeps every top-level
//! field but `body` (the API ignores it, and it is what makes an event large: Lambda's
//! 6 MB), gathers every `Authorization` entry of the header maps on the way
//! ([`super::authorization`]), and leaves a [`Value`] from which every later step reads:
//! the empty-method check, the header scrubbing and the typed event of `lambda_http`,
//! which is read from that value, not from the text again. A field given twice at the top
//! level keeps its last value (and both header maps' credentials count).

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::authorization::{AuthorizationEntries, HeaderMapSeed};

/// An event after its one parse.
#[derive(Debug)]
pub(super) struct Parsed {
    /// Every top-level field but `body`.
    pub(super) event: Value,
    /// The `Authorization` entries of `headers` and `multiValueHeaders`, repeats included.
    pub(super) authorization: AuthorizationEntries,
}

impl<'de> Deserialize<'de> for Parsed {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_map(TopLevel)
    }
}

struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = Parsed;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an event object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Parsed, M::Error> {
        let mut event = Map::new();
        let mut authorization = AuthorizationEntries::default();
        while let Some(field) = map.next_key::<String>()? {
            let value = match field.as_str() {
                "body" => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                "headers" => map.next_value_seed(HeaderMapSeed {
                    into: &mut authorization.headers,
                })?,
                "multiValueHeaders" => map.next_value_seed(HeaderMapSeed {
                    into: &mut authorization.multi_value_headers,
                })?,
                _ => map.next_value::<Value>()?,
            };
            event.insert(field, value);
        }
        Ok(Parsed {
            event: Value::Object(event),
            authorization,
        })
    }
}

/// Most header values an event may carry, over both maps. `http`'s `HeaderMap` panics
/// ("size overflows MAX_SIZE") while `lambda_http` builds the request once it must index
/// about 24,576 names (its documented 32,768 entries are not reached: hyperium/http#603,
/// docs corrected in hyperium/http#865; `lambda_http` uses the panicking `append`, not
/// `try_append`); no front door sends anywhere near this many (API Gateway takes 10 KB of
/// headers, an ALB 64 KB).
pub(super) const MAX_HEADER_VALUES: usize = 10_000;

/// `true` if the header maps of `event` hold more than [`MAX_HEADER_VALUES`] values.
pub(super) fn too_many_header_values(event: &Value) -> bool {
    let count: usize = ["headers", "multiValueHeaders"]
        .iter()
        .filter_map(|field| event.get(field).and_then(Value::as_object))
        .flat_map(|map| map.values())
        .map(|v| v.as_array().map_or(1, Vec::len))
        .sum();
    count > MAX_HEADER_VALUES
}

/// `true` if the event names its HTTP method with an empty string (`httpMethod` of REST
/// and ALB events, `requestContext.httpMethod`, `requestContext.http.method` of payload
/// 2.0). `aws_lambda_events` reads an empty method as `GET`, which would turn a malformed
/// event into a list request; no front door sends one, so such an event is refused.
pub(super) fn has_empty_method(event: &Value) -> bool {
    let context = event.get("requestContext");
    [
        event.get("httpMethod"),
        context.and_then(|c| c.get("httpMethod")),
        context
            .and_then(|c| c.get("http"))
            .and_then(|h| h.get("method")),
    ]
    .iter()
    .flatten()
    .any(|m| m.as_str() == Some(""))
}
