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

use lambda_http::request::LambdaRequest;
use lambda_http::{LambdaEvent, Service};
use lambda_runtime::Diagnostic;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

mod authorization;
mod headers;
#[cfg(test)]
mod testing;
mod uri;

pub use authorization::authorization_lines;
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

/// Parses `raw` as an HTTP event of any front door, scrubbing invalid headers if that is
/// what stops it.
///
/// # Errors
/// A [`Diagnostic`] of type [`NOT_HTTP_ERROR_TYPE`] if it is not such an event.
pub fn parse_event(raw: &str) -> Result<LambdaRequest, Diagnostic> {
    if has_empty_method(raw) {
        return Err(not_http());
    }
    let repeated = authorization::repeated_authorization(raw);
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
    let mut request = uri::make_convertible(without_body(request)?).ok_or_else(not_http)?;
    if let Some(values) = repeated {
        authorization::keep_repeated(&mut request, &values);
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
            assert!(has_empty_method(event), "{path}");
        }
        assert!(!has_empty_method(
            r#"{"httpMethod":"GET","requestContext":{"http":{"method":"GET"}}}"#
        ));
        assert!(!has_empty_method("[1, 2]"));
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
}
