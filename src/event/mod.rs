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
//!
//! The jobs, one file each: `authorization` (the singleton rule), `uri` (the repairs that
//! keep `lambda_http`'s URI building from panicking), `headers` (scrubbing bytes HTTP
//! forbids); this file parses the event and is the runtime's service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use lambda_http::aws_lambda_events::alb::AlbTargetGroupRequest;
use lambda_http::aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayV2httpRequest};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::http::HeaderMap;
use lambda_http::request::LambdaRequest;
use lambda_http::{LambdaEvent, Service};
use lambda_runtime::Diagnostic;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

mod authorization;
mod headers;
mod parse;
#[cfg(test)]
mod testing;
mod uri;

pub use headers::{scrub_headers, UNUSABLE_AUTHORIZATION};

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

/// Parses `raw` as an HTTP event of any front door, scrubbing invalid headers, in one pass
/// over the text (`parse`): the body is skipped unread, and the typed event of
/// `lambda_http` is read from that pass's value, trying API Gateway payload 1.0, payload
/// 2.0 and ALB in `lambda_http`'s own order.
///
/// # Errors
/// A [`Diagnostic`] of type [`NOT_HTTP_ERROR_TYPE`] if it is not such an event.
pub fn parse_event(raw: &str) -> Result<LambdaRequest, Diagnostic> {
    let parse::Parsed {
        mut event,
        authorization,
    } = serde_json::from_str(raw).map_err(|_| not_http())?;
    if parse::has_empty_method(&event) || parse::too_many_header_values(&event) {
        return Err(not_http());
    }
    scrub_headers(&mut event);
    uri::drop_empty_query_lists(&mut event);
    let http_api_v1 = event.get("version").and_then(Value::as_str) == Some("1.0");
    let request = if let Ok(mut r) = ApiGatewayProxyRequest::deserialize(&event) {
        if http_api_v1 {
            http_api_v1_stage(&mut r);
        }
        LambdaRequest::ApiGatewayV1(r)
    } else if let Ok(r) = ApiGatewayV2httpRequest::deserialize(&event) {
        LambdaRequest::ApiGatewayV2(r)
    } else if let Ok(r) = AlbTargetGroupRequest::deserialize(&event) {
        LambdaRequest::Alb(r)
    } else {
        return Err(not_http());
    };
    drop(event);
    let mut request = uri::make_convertible(without_body(request)?).ok_or_else(not_http)?;
    if let Some(values) = authorization::repeated_authorization(authorization) {
        authorization::keep_repeated(&mut request, &values);
    }
    Ok(request)
}

/// The stage rule for an HTTP API that invokes with payload format 1.0 (`"version":
/// "1.0"`, which REST APIs do not send): under a named stage `S` its `path` starts with
/// `/S`, as the client sent it (and as `requestContext.path` has it), unlike a REST API's,
/// which lacks the stage. The path is put in REST's form, without `/S`, so that the rest of
/// the function reads both alike (`lambda_http` puts `/S` back in the request URI). A path
/// without `/S` (API Gateway never sends one) is emptied, which no route matches: 404, as
/// for a payload 2.0 `rawPath` without its stage ([`crate::endpoint::resolve`]).
fn http_api_v1_stage(request: &mut ApiGatewayProxyRequest) {
    let Some(stage) = request
        .request_context
        .stage
        .as_deref()
        .filter(|s| !s.is_empty() && *s != "$default")
    else {
        return;
    };
    let path = request.path.as_deref().unwrap_or_default();
    let without_stage = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(stage))
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .map(str::to_owned);
    request.path = Some(without_stage.unwrap_or_default());
}

/// The invocation error of an event that is not an HTTP request; it names no input.
fn not_http() -> Diagnostic {
    Diagnostic {
        error_type: NOT_HTTP_ERROR_TYPE.to_owned(),
        error_message:
            "the event is not an HTTP request from API Gateway, a Lambda Function URL or an ALB"
                .to_owned(),
    }
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

/// An event that carries a request's header maps but is not itself an HTTP request (the
/// Lambda authorizer's REST `REQUEST` and `TOKEN` events, and HTTP API payload 2.0 event),
/// after its one parse (the `parse` module): every field but `body`, and its `Authorization` field
/// lines. The same singleton rule as for HTTP events: every spelling of the name in
/// `headers` and `multiValueHeaders`; one value present in both maps is one line; several
/// values, or maps that disagree, are repeated lines, which
/// [`crate::auth::presented_token`] refuses. No lines when the event has none, or when its
/// header maps are neither maps nor null (its typed parse then refuses it).
///
/// # Errors
/// The text is not JSON.
pub fn authorizer_input(raw: &str) -> Result<(Value, HeaderMap), serde_json::Error> {
    let parse::Parsed {
        event,
        authorization: entries,
    } = match serde_json::from_str::<parse::Parsed>(raw) {
        Ok(parsed) => parsed,
        Err(_) => return serde_json::from_str(raw).map(|event| (event, HeaderMap::new())),
    };
    let first = entries
        .headers
        .first()
        .or(entries.multi_value_headers.first())
        .cloned();
    let values = authorization::repeated_authorization(entries)
        .unwrap_or_else(|| first.into_iter().collect());
    let mut lines = HeaderMap::new();
    for value in &values {
        lines.append(AUTHORIZATION, authorization::field_value(value));
    }
    Ok((event, lines))
}

#[cfg(test)]
mod tests {
    use super::testing::v2;
    use super::*;

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
            let event: Value = serde_json::from_str(event).unwrap();
            assert!(parse::has_empty_method(&event), "{path}");
        }
        assert!(!parse::has_empty_method(&serde_json::json!(
            {"httpMethod":"GET","requestContext":{"http":{"method":"GET"}}}
        )));
        assert!(!parse::has_empty_method(&serde_json::json!([1, 2])));
        let mut rest: Value =
            serde_json::from_str(include_str!("../../events/rest-list-200.json")).unwrap();
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

    #[test]
    fn more_header_values_than_a_header_map_holds_are_refused_not_panicked_on() {
        // `http`'s HeaderMap panics ("size overflows MAX_SIZE") past about 24,576 names
        // (hyperium/http#603), which `lambda_http` built from any event; found by
        // examples/event_memory.rs.
        for n in [parse::MAX_HEADER_VALUES + 1, 40_000] {
            let headers: serde_json::Map<String, Value> = (0..n)
                .map(|i| (format!("x-h-{i}"), Value::from("v")))
                .collect();
            let err = parse_event(&v2(Value::Object(headers))).unwrap_err();
            assert_eq!(err.error_type, NOT_HTTP_ERROR_TYPE);
        }
        let mut e: Value = serde_json::from_str(&v2(serde_json::json!({}))).unwrap();
        e["multiValueHeaders"] =
            serde_json::json!({"x-a": vec!["v"; 6_000], "x-b": vec!["v"; 6_000]});
        assert!(parse_event(&e.to_string()).is_err());
        let headers: serde_json::Map<String, Value> = (0..parse::MAX_HEADER_VALUES - 1)
            .map(|i| (format!("x-h-{i}"), Value::from("v")))
            .collect();
        assert!(parse_event(&v2(Value::Object(headers))).is_ok());
    }

    #[test]
    fn http_api_payload_v1_keeps_its_named_stage_in_path() {
        let stage_path = |path: &str, stage: &str| {
            let mut e: Value =
                serde_json::from_str(include_str!("../../events/rest-list-200.json")).unwrap();
            e["version"] = "1.0".into();
            e["path"] = path.into();
            e["requestContext"]["stage"] = stage.into();
            let req: lambda_http::Request = parse_event(&e.to_string()).unwrap().into();
            crate::endpoint::resolve(&req)
        };
        let list = Ok(crate::endpoint::Operation::List);
        assert_eq!(stage_path("/Prod/api/v1/admin/apikey", "Prod"), list);
        assert_eq!(stage_path("/api/v1/admin/apikey", "$default"), list);
        let not_found = Err(crate::endpoint::RouteError::NotFound);
        for (path, stage) in [
            ("/api/v1/admin/apikey", "Prod"),
            ("/Prodx/api/v1/admin/apikey", "Prod"),
            ("/Prod", "Prod"),
            ("/Dev/api/v1/admin/apikey", "Prod"),
        ] {
            assert_eq!(stage_path(path, stage), not_found, "{stage} {path}");
        }
    }
}
