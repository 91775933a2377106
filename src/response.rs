//! Builds every HTTP response of the API, success and error alike, so that each carries
//! the same headers:
//!
//! - `Content-Type: application/json` (every body is the JSON envelope, [`crate::envelope`]);
//! - `Cache-Control: no-store`: tokens must not be cached (RFC 9111 §5.2.2.5);
//! - `X-Content-Type-Options: nosniff`: a browser never reads a body as anything but JSON.
//!
//! An error's status, extra header (`WWW-Authenticate`, `Allow`) and message come from
//! [`ApiError`]'s pure mapping ([`crate::error`]).

use lambda_http::http::header::{HeaderName, CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};

use crate::envelope;
use crate::error::ApiError;

/// The headers every response carries, with their values.
pub const COMMON_HEADERS: [(HeaderName, &str); 3] = [
    (CONTENT_TYPE, "application/json"),
    (CACHE_CONTROL, "no-store"),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
];

/// What a successful request answers: a success envelope, the operation's extra headers
/// (e.g. `Api-Token-Id`, `Api-Token-Expires`), and the log line's reason class.
#[derive(Debug)]
pub struct Success {
    reason: &'static str,
    body: String,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Success {
    /// A 200 with `body`, logged with `reason` (e.g. `created`).
    pub fn new(reason: &'static str, body: String) -> Self {
        Self {
            reason,
            body,
            headers: Vec::new(),
        }
    }

    /// Adds the header `name: value` (e.g. a create's `Api-Token-Id`).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The short stable reason class written to the log line.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// The response of a request that succeeded: 200, the common headers, the operation's
/// own headers if any, and the success envelope.
pub fn success(success: Success) -> Response<Body> {
    let mut response = json(StatusCode::OK, success.body);
    for (name, value) in success.headers {
        response.headers_mut().insert(name, value);
    }
    response
}

/// The response of a request that failed: its status, the common headers, the challenge or
/// `Allow` header where the status needs one, and the error envelope.
pub fn error(error: &ApiError) -> Response<Body> {
    let mut response = json(error.status(), envelope::error_body(&error.message()));
    if let Some((name, value)) = error.header() {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A response with `status`, `body` and the common headers.
fn json(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in COMMON_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::CredentialError;
    use crate::endpoint::RouteError;
    use crate::error::WWW_AUTHENTICATE;

    #[test]
    fn every_401_is_byte_identical() {
        let bodies: Vec<_> = [
            ApiError::BadCredentials(CredentialError::Missing),
            ApiError::BadCredentials(CredentialError::BadShape),
            ApiError::BadCredentials(CredentialError::Malformed),
            ApiError::BadCredentials(CredentialError::Repeated),
            ApiError::UnknownToken,
            ApiError::RevokedToken,
            ApiError::UnreadableExpiry,
        ]
        .into_iter()
        .map(|e| {
            let r = error(&e);
            assert_eq!(r.status(), 401);
            assert_eq!(r.headers()["www-authenticate"], WWW_AUTHENTICATE);
            format!("{:?}|{:?}", r.headers(), r.body())
        })
        .collect();
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    }

    #[test]
    fn an_expired_token_gets_its_own_401() {
        let r = error(&ApiError::ExpiredToken);
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.headers()["www-authenticate"],
            r#"Bearer realm="api", error="invalid_token", error_description="The API token expired""#
        );
        assert_eq!(
            r.body(),
            &Body::Text(
                r#"{"Status":false,"Message":"The API token has expired.","Response":null}"#
                    .to_owned()
            )
        );
    }

    #[test]
    fn error_responses_carry_their_status_header() {
        for allow in ["GET, POST", "DELETE"] {
            let r = error(&ApiError::Route(RouteError::MethodNotAllowed { allow }));
            assert_eq!(r.status(), 405);
            assert_eq!(r.headers()["allow"], allow);
        }
        let r = error(&ApiError::Route(RouteError::NotFound));
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["cache-control"], "no-store");
    }

    #[test]
    fn every_response_carries_the_common_headers_nosniff_included() {
        let responses = [
            success(Success::new("created", envelope::error_body(""))),
            success(Success::new("created", String::new()).with_header(
                HeaderName::from_static("api-token-id"),
                HeaderValue::from_static("x"),
            )),
            error(&ApiError::Route(RouteError::NotFound)),
            error(&ApiError::Route(RouteError::MethodNotAllowed {
                allow: "DELETE",
            })),
            error(&ApiError::UnknownToken),
            error(&ApiError::Forbidden),
            error(&ApiError::TokenNotFound),
            error(&ApiError::Unavailable(String::new())),
            error(&ApiError::Internal(String::new())),
        ];
        for r in responses {
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
            assert_eq!(r.headers()["content-type"], "application/json");
            assert_eq!(r.headers()["cache-control"], "no-store");
        }
    }
}
