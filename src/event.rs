//! The Lambda event as it arrives, before `lambda_http` turns it into an HTTP request.
//!
//! `lambda_http` refuses a whole event when one header value holds bytes HTTP forbids
//! (CR, LF, NUL and other controls; RFC 9110 §5.5), or a header name is not a token, so a
//! caller who puts `\r\n` into `Authorization` would get an invocation error (a 502 at API
//! Gateway) instead of the contract's 401. [`ScrubHeaders`] sits in front of
//! [`lambda_http::Adapter`]: events parse as before; an event that fails only because of
//! such headers is parsed again with them scrubbed — an unusable `Authorization` becomes
//! [`UNUSABLE_AUTHORIZATION`] (so the caller gets 401) and any other invalid header is
//! dropped. An event that is still not an HTTP request from API Gateway, a Function URL or
//! an ALB is an invocation error that names no input.
//!
//! `lambda_http`'s conversion to an `http::Request` also panics on a few inputs (a body
//! flagged base64 that is not, a raw query with `"` or `<`, a `Host` that is not a host);
//! [`parse_event`] removes each cause first (the ignored body is dropped, the raw query is
//! re-encoded, an unusable `Host` is dropped), so no panic reaches the runtime.
//!
//! `Authorization` is a singleton field: [`parse_event`] also sees every `Authorization`
//! entry of the event's `headers` and `multiValueHeaders` maps, under any spelling of the
//! name, before `lambda_http` folds them into one `HeaderMap` and keeps one value. An event
//! that carries the credential more than once gets the values back as repeated field lines,
//! which [`crate::auth::presented_token`] refuses on every front door.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use lambda_http::http::header::AUTHORIZATION;
use lambda_http::http::{HeaderMap, HeaderName, HeaderValue};
use lambda_http::request::LambdaRequest;
use lambda_http::{LambdaEvent, Service};
use lambda_runtime::Diagnostic;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use url::Url;

/// What replaces an `Authorization` value HTTP does not allow: no scheme and no token, so
/// the endpoint answers 401 as for any malformed header.
pub const UNUSABLE_AUTHORIZATION: &str = "unusable";

/// `error_type` of the invocation error for an event that is not an HTTP request.
pub const NOT_HTTP_ERROR_TYPE: &str = "UnsupportedEvent";

/// A service over raw events that scrubs invalid headers, then hands a
/// [`LambdaRequest`] to `inner` (normally a [`lambda_http::Adapter`]).
#[derive(Debug, Clone)]
pub struct ScrubHeaders<S> {
    inner: S,
}

impl<S> ScrubHeaders<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

/// Parses `raw` as an HTTP event of any front door, scrubbing invalid headers if that is
/// what stops it.
///
/// # Errors
/// A [`Diagnostic`] of type [`NOT_HTTP_ERROR_TYPE`] if it is not such an event.
pub fn parse_event(raw: &str) -> Result<LambdaRequest, Diagnostic> {
    if has_empty_method(raw) {
        return Err(not_http());
    }
    let repeated = repeated_authorization(raw);
    let request = match serde_json::from_str::<LambdaRequest>(raw) {
        Ok(request) => request,
        Err(_) => {
            let mut event: Value = serde_json::from_str(raw).map_err(|_| not_http())?;
            if !scrub_headers(&mut event) {
                return Err(not_http());
            }
            serde_json::from_value(event).map_err(|_| not_http())?
        }
    };
    let mut request = make_convertible(without_body(request)?).ok_or_else(not_http)?;
    if let Some(values) = repeated {
        keep_repeated(&mut request, &values);
    }
    Ok(request)
}

/// `true` if the event names its HTTP method with an empty string (`httpMethod` of REST
/// and ALB events, `requestContext.httpMethod`, `requestContext.http.method` of payload
/// 2.0). `aws_lambda_events` reads an empty method as `GET`, which would turn a malformed
/// event into a list request; no front door sends one, so such an event is refused.
fn has_empty_method(raw: &str) -> bool {
    #[derive(Deserialize)]
    struct Event {
        #[serde(rename = "httpMethod")]
        http_method: Option<String>,
        #[serde(rename = "requestContext")]
        request_context: Option<Context>,
    }
    #[derive(Deserialize)]
    struct Context {
        #[serde(rename = "httpMethod")]
        http_method: Option<String>,
        http: Option<Http>,
    }
    #[derive(Deserialize)]
    struct Http {
        method: Option<String>,
    }
    let Ok(event) = serde_json::from_str::<Event>(raw) else {
        // Not an object of this shape: the full parse decides.
        return false;
    };
    let context = event.request_context;
    [
        event.http_method,
        context.as_ref().and_then(|c| c.http_method.clone()),
        context.and_then(|c| c.http).and_then(|h| h.method),
    ]
    .iter()
    .flatten()
    .any(|m| m.is_empty())
}

/// The `Authorization` entries of an event's `headers` and `multiValueHeaders` maps, as
/// the JSON holds them: every spelling of the name, every value of an array, a key given
/// twice seen twice (a map given twice too: `lambda_http` refuses that event, and the
/// second parse in [`parse_event`] keeps the last map).
#[derive(Debug, Default)]
struct AuthorizationEntries {
    headers: Vec<Value>,
    multi_value_headers: Vec<Value>,
}

impl<'de> Deserialize<'de> for AuthorizationEntries {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct Event;
        impl<'de> Visitor<'de> for Event {
            type Value = AuthorizationEntries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an event object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut entries = AuthorizationEntries::default();
                while let Some(field) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let into = match field.as_ref() {
                        "headers" => &mut entries.headers,
                        "multiValueHeaders" => &mut entries.multi_value_headers,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    into.extend(map.next_value::<AuthorizationValues>()?.0);
                }
                Ok(entries)
            }
        }
        de.deserialize_map(Event)
    }
}

/// The values of every key of one header map (null, a map of strings or a map of arrays)
/// that is `Authorization` in any letter case; other entries are skipped unread.
struct AuthorizationValues(Vec<Value>);

impl<'de> Deserialize<'de> for AuthorizationValues {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = AuthorizationValues;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a header map or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(AuthorizationValues(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(AuthorizationValues(Vec::new()))
            }
            fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
                de.deserialize_map(self)
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut values = Vec::new();
                while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if !name.eq_ignore_ascii_case(AUTHORIZATION.as_str()) {
                        map.next_value::<de::IgnoredAny>()?;
                        continue;
                    }
                    match map.next_value::<Value>()? {
                        Value::Null => {}
                        Value::Array(items) => values.extend(items),
                        one => values.push(one),
                    }
                }
                Ok(AuthorizationValues(values))
            }
        }
        de.deserialize_option(Entries)
    }
}

/// Every `Authorization` value of `raw` if it carries the credential more than once, under
/// any spelling of the name, in `headers` or `multiValueHeaders`; `None` if it carries it
/// at most once (or is not such an event).
///
/// `lambda_http` would hide the repetition: a single-value map keeps one value per name
/// whatever its case (`HeaderMap::insert`), and for payload 1.0 and ALB events it merges
/// `headers` into `multiValueHeaders` with `HeaderMap::extend`, which replaces all values
/// of a name by the single-value map's one. API Gateway's REST shape has the one value in
/// both maps (`headers` holds the last of `multiValueHeaders`): that is one credential,
/// and two maps that disagree are two.
fn repeated_authorization(raw: &str) -> Option<Vec<Value>> {
    let AuthorizationEntries {
        headers: single,
        multi_value_headers: multi,
    } = serde_json::from_str(raw).ok()?;
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
fn keep_repeated(request: &mut LambdaRequest, values: &[Value]) {
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
        let value = value
            .as_str()
            .and_then(|s| HeaderValue::from_str(s).ok())
            .unwrap_or(HeaderValue::from_static(UNUSABLE_AUTHORIZATION));
        target.append(AUTHORIZATION, value);
    }
}

fn not_http() -> Diagnostic {
    Diagnostic {
        error_type: NOT_HTTP_ERROR_TYPE.to_owned(),
        error_message:
            "the event is not an HTTP request from API Gateway, a Lambda Function URL or an ALB"
                .to_owned(),
    }
}

/// Bytes percent-encoded in an HTTP API `rawQueryString` before `lambda_http` appends it to
/// the request URI: those RFC 3986 §3.4 does not allow in a query (and the `http` crate
/// refuses), e.g. the `"`, `<`, `>` that curl sends unencoded. `%` is kept, so existing
/// escapes are not encoded twice; form decoding gives the same values afterwards.
const QUERY_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// `true` if `lambda_http` can build its request URI from these parts without panicking:
/// it does `Url::parse("{scheme}://{host}{path}").unwrap()` (or `http://localhost{path}`
/// without a host), appends the HTTP API's raw query, and parses the result as an
/// `http::Uri` with `expect`.
fn uri_builds(scheme: &str, host: Option<&str>, path: &str, raw_query: Option<&str>) -> bool {
    let base = match host {
        None => Url::parse(&format!("http://localhost{path}")).map(|u| u.path().to_owned()),
        Some(host) => Url::parse(&format!("{scheme}://{host}{path}")).map(|u| u.to_string()),
    };
    let Ok(mut uri) = base else {
        return false;
    };
    if let Some(query) = raw_query.filter(|q| !q.is_empty()) {
        uri.push('?');
        uri.push_str(query);
    }
    uri.parse::<lambda_http::http::Uri>().is_ok()
}

/// The path `lambda_http` puts in the URI for API Gateway events: the stage first unless
/// it is `$default` or already there.
fn path_with_stage(stage: Option<&str>, path: &str) -> String {
    match stage {
        Some(stage) if stage != "$default" && !path.starts_with(&format!("/{stage}/")) => {
            format!("/{stage}{path}")
        }
        _ => path.to_owned(),
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Drops `Host` / `X-Forwarded-Proto` (and the request context's domain name) when they
/// cannot form a URI with `path`, as a proxy would refuse them; `None` if even the path
/// cannot.
fn fix_uri_parts(
    headers: &mut HeaderMap,
    domain_name: Option<&mut Option<String>>,
    path: &str,
    raw_query: Option<&str>,
) -> Option<()> {
    let scheme = header_str(headers, "x-forwarded-proto")
        .unwrap_or("https")
        .to_owned();
    let host = header_str(headers, "host").map(str::to_owned).or_else(|| {
        domain_name
            .as_ref()
            .and_then(|d| d.as_deref().map(str::to_owned))
    });
    if uri_builds(&scheme, host.as_deref(), path, raw_query) {
        return Some(());
    }
    headers.remove("host");
    headers.remove("x-forwarded-proto");
    if let Some(domain_name) = domain_name {
        *domain_name = None;
    }
    uri_builds("https", None, path, raw_query).then_some(())
}

/// Makes sure `lambda_http`'s conversion to an `http::Request` cannot panic: re-encodes an
/// HTTP API raw query and drops unusable `Host` / `X-Forwarded-Proto` values. `None` if
/// the event cannot be made convertible (it is then refused).
fn make_convertible(mut request: LambdaRequest) -> Option<LambdaRequest> {
    match &mut request {
        LambdaRequest::ApiGatewayV2(r) => {
            if let Some(query) = &mut r.raw_query_string {
                let encoded: std::borrow::Cow<'_, str> =
                    utf8_percent_encode(query, QUERY_UNSAFE).into();
                if let std::borrow::Cow::Owned(encoded) = encoded {
                    *query = encoded;
                }
            }
            let path = path_with_stage(
                r.request_context.stage.as_deref(),
                r.raw_path.as_deref().unwrap_or_default(),
            );
            let query = r.raw_query_string.clone();
            fix_uri_parts(
                &mut r.headers,
                Some(&mut r.request_context.domain_name),
                &path,
                query.as_deref(),
            )?;
        }
        LambdaRequest::ApiGatewayV1(r) => {
            let path = path_with_stage(
                r.request_context.stage.as_deref(),
                r.path.as_deref().unwrap_or_default(),
            );
            fix_uri_parts(
                &mut r.headers,
                Some(&mut r.request_context.domain_name),
                &path,
                None,
            )?;
        }
        LambdaRequest::Alb(r) => {
            let path = r.path.clone().unwrap_or_default();
            fix_uri_parts(&mut r.headers, None, &path, None)?;
        }
        _ => return None,
    }
    Some(request)
}

/// Drops the request body: the API ignores it whatever it holds (docs/api.md), and
/// `lambda_http` would panic on an `isBase64Encoded` body that is not base64. Event shapes
/// that are not one of the contract's front doors (WebSocket, VPC Lattice) are refused.
fn without_body(mut request: LambdaRequest) -> Result<LambdaRequest, Diagnostic> {
    match &mut request {
        LambdaRequest::ApiGatewayV1(r) => {
            r.body = None;
            r.is_base64_encoded = false;
        }
        LambdaRequest::ApiGatewayV2(r) => {
            r.body = None;
            r.is_base64_encoded = false;
        }
        LambdaRequest::Alb(r) => {
            r.body = None;
            r.is_base64_encoded = false;
        }
        _ => return Err(not_http()),
    }
    Ok(request)
}

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

impl<S> Service<LambdaEvent<Box<RawValue>>> for ScrubHeaders<S>
where
    S: Service<LambdaEvent<LambdaRequest>>,
    S::Future: Unpin,
    S::Error: Into<Diagnostic>,
{
    type Response = S::Response;
    type Error = Diagnostic;
    type Future = ScrubFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, event: LambdaEvent<Box<RawValue>>) -> Self::Future {
        let (raw, context) = event.into_parts();
        match parse_event(raw.get()) {
            Ok(request) => ScrubFuture::Inner(self.inner.call(LambdaEvent::new(request, context))),
            Err(diagnostic) => {
                tracing::warn!(
                    error_type = NOT_HTTP_ERROR_TYPE,
                    "event refused: not an HTTP request"
                );
                ScrubFuture::Refused(Some(diagnostic))
            }
        }
    }
}

/// The future of [`ScrubHeaders`]: the inner service's, or an immediate refusal.
#[derive(Debug)]
pub enum ScrubFuture<F> {
    /// The inner service is answering.
    Inner(F),
    /// The event was refused; taken on first poll.
    Refused(Option<Diagnostic>),
}

impl<F, R, E> Future for ScrubFuture<F>
where
    F: Future<Output = Result<R, E>> + Unpin,
    E: Into<Diagnostic>,
{
    type Output = Result<R, Diagnostic>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Self::Inner(f) => Pin::new(f).poll(cx).map_err(Into::into),
            Self::Refused(d) => Poll::Ready(Err(d.take().unwrap_or_else(|| Diagnostic {
                error_type: NOT_HTTP_ERROR_TYPE.to_owned(),
                error_message: "polled after completion".to_owned(),
            }))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(headers: Value) -> String {
        serde_json::json!({
            "version": "2.0", "routeKey": "$default", "rawPath": "/api/v1/admin/apikey",
            "rawQueryString": "", "headers": headers,
            "requestContext": {"accountId": "1", "apiId": "a", "domainName": "a.example.com",
                "domainPrefix": "a", "requestId": "r", "routeKey": "$default", "stage": "$default",
                "time": "t", "timeEpoch": 0,
                "http": {"method": "POST", "path": "/api/v1/admin/apikey", "protocol": "HTTP/1.1",
                         "sourceIp": "192.0.2.1", "userAgent": "x"}},
            "isBase64Encoded": false
        })
        .to_string()
    }

    fn authorization(req: LambdaRequest) -> Option<String> {
        let req: lambda_http::Request = req.into();
        req.headers()
            .get(AUTHORIZATION)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    const ADMIN: &str = "Bearer localdevadmin000000000001-us-1";
    const STANDARD: &str = "Bearer localdevstandard000000001-us-1";

    /// A real event file of `events/`, parsed.
    fn event(name: &str) -> Value {
        let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
    }

    /// What the handler gets from `raw`: the caller's token or why there is none.
    fn credential(raw: &str) -> Result<String, crate::auth::CredentialError> {
        let req: lambda_http::Request = parse_event(raw).unwrap().into();
        crate::auth::presented_token(req.headers(), "us-1").map(|t| t.expose().to_owned())
    }

    fn without_authorization(mut e: Value) -> Value {
        for field in ["headers", "multiValueHeaders"] {
            if let Some(map) = e.get_mut(field).and_then(Value::as_object_mut) {
                map.retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
            }
        }
        e
    }

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
        // `"headers"` twice at the top level: lambda_http refuses such an event, and so
        // does `parse_event`, unless a forbidden byte sends it through the scrubbing
        // parse, which keeps the last map. The first map's credential counts all the same.
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
        assert!(parse_event(&without_bad_byte).is_err());
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

    #[test]
    fn bodies_are_dropped_even_when_not_base64() {
        let mut e: Value = serde_json::from_str(&v2(serde_json::json!({}))).unwrap();
        e["isBase64Encoded"] = true.into();
        e["body"] = "not base64 %%%".into();
        let req: lambda_http::Request = parse_event(&e.to_string()).unwrap().into();
        assert!(
            matches!(req.body(), lambda_http::Body::Empty),
            "{:?}",
            req.body()
        );
    }

    fn description_of(raw: &str) -> Option<String> {
        use lambda_http::RequestExt;
        let req: lambda_http::Request = parse_event(raw).unwrap().into();
        req.query_string_parameters_ref()
            .and_then(|q| q.first("description"))
            .map(str::to_owned)
    }

    #[test]
    fn raw_queries_the_http_crate_refuses_are_re_encoded_not_panicked_on() {
        for (raw_query, expected) in [
            (r#"description="quoted" <b>"#, r#""quoted" <b>"#),
            ("description=caf\u{e9} \u{2713}", "caf\u{e9} \u{2713}"),
            (r"description=a|b^c`d{e}[f]\g", r"a|b^c`d{e}[f]\g"),
            ("description=100%25+sure", "100% sure"),
            ("description=50%", "50%"),
        ] {
            let mut e: Value = serde_json::from_str(&v2(serde_json::json!({}))).unwrap();
            e["rawQueryString"] = raw_query.into();
            assert_eq!(
                description_of(&e.to_string()).as_deref(),
                Some(expected),
                "{raw_query}"
            );
        }
    }

    #[test]
    fn unusable_host_and_scheme_are_dropped_not_panicked_on() {
        for (host, proto) in [
            ("a b", "https"),
            ("example.com:99999", "https"),
            ("a{b", "https"),
            ("example.com", "ht tp"),
            ("example.com", ""),
        ] {
            let raw = v2(serde_json::json!({"host": host, "x-forwarded-proto": proto}));
            let req: lambda_http::Request = parse_event(&raw).unwrap().into();
            assert!(
                req.uri().path().ends_with("/api/v1/admin/apikey"),
                "{host} {proto}"
            );
        }
    }

    #[test]
    fn other_event_shapes_are_refused() {
        // An API Gateway WebSocket event: not one of the contract's front doors.
        let ws = serde_json::json!({
            "requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "c",
                "connectedAt": 0, "requestTimeEpoch": 0, "apiId": "a", "stage": "prod"},
            "isBase64Encoded": true, "body": "%%%"
        });
        let err = parse_event(&ws.to_string()).unwrap_err();
        assert_eq!(err.error_type, NOT_HTTP_ERROR_TYPE);
    }

    #[test]
    fn events_with_an_empty_method_are_refused_not_read_as_get() {
        for (path, event) in [
            (
                "httpMethod",
                r#"{"httpMethod":"","path":"/api/v1/admin/apikey","requestContext":{"httpMethod":"","stage":"Prod"}}"#,
            ),
            (
                "requestContext.http.method",
                r#"{"version":"2.0","rawPath":"/api/v1/admin/apikey","requestContext":{"http":{"method":""}}}"#,
            ),
        ] {
            assert!(has_empty_method(event), "{path}");
        }
        assert!(!has_empty_method(
            r#"{"httpMethod":"GET","requestContext":{"http":{"method":"GET"}}}"#
        ));
        assert!(!has_empty_method("[1, 2]"));
        let mut rest: Value =
            serde_json::from_str(include_str!("../events/rest-list-200.json")).unwrap();
        assert!(parse_event(&rest.to_string()).is_ok());
        rest["httpMethod"] = "".into();
        rest["requestContext"]["httpMethod"] = "".into();
        let error = parse_event(&rest.to_string()).unwrap_err();
        assert_eq!(error.error_type, NOT_HTTP_ERROR_TYPE);
    }

    #[test]
    fn non_http_events_are_refused_without_echoing_input() {
        for raw in [
            r#"{"command":"hi"}"#,
            "{}",
            "null",
            "[1,2,3]",
            r#""secret-us-1""#,
        ] {
            let err = parse_event(raw).unwrap_err();
            assert_eq!(err.error_type, NOT_HTTP_ERROR_TYPE);
            assert!(!err.error_message.contains("secret"));
        }
    }
}
