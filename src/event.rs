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
//! an ALB is an invocation error that names no input. The body, which the endpoint
//! ignores, is dropped here, so an `isBase64Encoded` body that is not base64 cannot make
//! `lambda_http` panic.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use lambda_http::http::{HeaderName, HeaderValue};
use lambda_http::request::LambdaRequest;
use lambda_http::{LambdaEvent, Service};
use lambda_runtime::Diagnostic;
use serde_json::value::RawValue;
use serde_json::Value;

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
    if let Ok(request) = serde_json::from_str::<LambdaRequest>(raw) {
        return Ok(without_body(request));
    }
    let not_http = || Diagnostic {
        error_type: NOT_HTTP_ERROR_TYPE.to_owned(),
        error_message:
            "the event is not an HTTP request from API Gateway, a Lambda Function URL or an ALB"
                .to_owned(),
    };
    let mut event: Value = serde_json::from_str(raw).map_err(|_| not_http())?;
    if !scrub_headers(&mut event) {
        return Err(not_http());
    }
    serde_json::from_value(event)
        .map(without_body)
        .map_err(|_| not_http())
}

/// Drops the request body: the endpoint ignores it whatever it holds (SPEC.md), and
/// `lambda_http` would panic on an `isBase64Encoded` body that is not base64.
fn without_body(mut request: LambdaRequest) -> LambdaRequest {
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
        _ => {}
    }
    request
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
    use lambda_http::http::header::AUTHORIZATION;

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
