//! Every way a request can fail, and the one place that maps each to its HTTP status,
//! headers and plain-English message (docs/api.md, "Errors").
//!
//! Statuses follow the evaluation order: 404, 405, 401, 403, 400, then the operation's
//! own 404, then 503/500. Messages never reveal internals (no table names, SDK errors or
//! token material), and never whether a token id exists in another tenant.

use lambda_http::http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Response};

use crate::auth::CredentialError;
use crate::description::DescriptionError;
use crate::endpoint::{RouteError, COLLECTION_PATH};
use crate::envelope;
use crate::paging::ParamError;

/// The `WWW-Authenticate` challenge sent with every 401 (RFC 6750 §3).
pub const WWW_AUTHENTICATE: &str = r#"Bearer realm="api""#;

/// The single 401 message, identical for every reason (no oracle).
pub const UNAUTHORIZED_MESSAGE: &str = "A valid API token is required.";

/// The single message of a `DELETE` whose `TokenId` is not a token of the caller's
/// tenant, whether another tenant has it or nobody does (no cross-tenant oracle).
pub const TOKEN_NOT_FOUND_MESSAGE: &str = "No API token with this TokenId exists in your tenant.";

/// A request that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404 (rule 1) or 405 with the path's `Allow` (rule 2).
    #[error(transparent)]
    Route(#[from] RouteError),
    /// 401: no usable token.
    #[error("unauthorized: {0}")]
    BadCredentials(CredentialError),
    /// 401: well-formed token with no item in the table.
    #[error("unauthorized: unknown token")]
    UnknownToken,
    /// 401: the caller's item has `Revoked = true` (or a `Revoked` that is not `false`).
    #[error("unauthorized: revoked token")]
    RevokedToken,
    /// 403: the caller's role is not exactly `Administrator`.
    #[error("forbidden: role is not Administrator")]
    Forbidden,
    /// 400: the description breaks a rule.
    #[error("invalid description: {0:?}")]
    InvalidDescription(DescriptionError),
    /// 400: a list parameter breaks its rule.
    #[error("invalid parameter: {0:?}")]
    InvalidParameter(ParamError),
    /// 404: the `TokenId` to revoke is not a token of the caller's tenant.
    #[error("token not found in the caller's tenant")]
    TokenNotFound,
    /// 503: DynamoDB unavailable, throttled or too slow; the request may be retried.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// 500: anything else unexpected (the cause is logged, never returned).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Route(RouteError::NotFound) | Self::TokenNotFound => StatusCode::NOT_FOUND,
            Self::Route(RouteError::MethodNotAllowed { .. }) => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadCredentials(_) | Self::UnknownToken | Self::RevokedToken => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::InvalidDescription(_) | Self::InvalidParameter(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The short stable reason class written to the log line (never to the client).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Route(RouteError::NotFound) => "not_found",
            Self::Route(RouteError::MethodNotAllowed { .. }) => "method_not_allowed",
            Self::BadCredentials(e) => e.reason(),
            Self::UnknownToken => "unknown_token",
            Self::RevokedToken => "revoked_token",
            Self::Forbidden => "not_administrator",
            Self::InvalidDescription(DescriptionError::TooLong) => "description_too_long",
            Self::InvalidDescription(DescriptionError::ControlCharacter) => {
                "description_control_character"
            }
            Self::InvalidParameter(e) => e.reason(),
            Self::TokenNotFound => "token_not_found",
            Self::Unavailable(_) => "store_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The cause of a 503 or 500 for the log line (an error kind or code, never request
    /// data); `None` for the other errors, whose `reason` says it all.
    pub fn cause(&self) -> Option<&str> {
        match self {
            Self::Unavailable(cause) | Self::Internal(cause) => Some(cause),
            _ => None,
        }
    }

    /// The plain-English `Message` of the error envelope.
    pub fn message(&self) -> String {
        match self {
            Self::Route(RouteError::NotFound) => format!(
                "Not found. This API serves {COLLECTION_PATH} (GET, POST) and {COLLECTION_PATH}/{{TokenId}} (DELETE)."
            ),
            Self::Route(RouteError::MethodNotAllowed { allow }) => {
                format!("Method not allowed. This path allows {allow}.")
            }
            Self::BadCredentials(_) | Self::UnknownToken | Self::RevokedToken => {
                UNAUTHORIZED_MESSAGE.to_owned()
            }
            Self::Forbidden => {
                "This API token is not allowed to manage API tokens: an Administrator token is required.".to_owned()
            }
            Self::InvalidDescription(e) => e.to_string(),
            Self::InvalidParameter(e) => e.to_string(),
            Self::TokenNotFound => TOKEN_NOT_FOUND_MESSAGE.to_owned(),
            Self::Unavailable(_) => {
                "The service is temporarily unavailable. Please retry shortly.".to_owned()
            }
            Self::Internal(_) => "An internal error occurred. Please retry later.".to_owned(),
        }
    }

    /// The complete response: status, the common headers, the challenge or `Allow`
    /// header where the status needs one, and the error envelope.
    pub fn into_response(self) -> Response<Body> {
        let mut response = json_response(self.status(), envelope::error_body(&self.message()));
        let headers = response.headers_mut();
        match self {
            Self::BadCredentials(_) | Self::UnknownToken | Self::RevokedToken => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(WWW_AUTHENTICATE),
                );
            }
            Self::Route(RouteError::MethodNotAllowed { allow }) => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            _ => {}
        }
        response
    }
}

/// A response with `body` and the headers every response carries:
/// `Content-Type: application/json` and `Cache-Control: no-store` (tokens must not be
/// cached; RFC 9111 §5.2.2.5).
pub fn json_response(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_401_is_byte_identical() {
        let bodies: Vec<_> = [
            ApiError::BadCredentials(CredentialError::Missing),
            ApiError::BadCredentials(CredentialError::BadShape),
            ApiError::BadCredentials(CredentialError::Malformed),
            ApiError::BadCredentials(CredentialError::Repeated),
            ApiError::UnknownToken,
            ApiError::RevokedToken,
        ]
        .into_iter()
        .map(|e| {
            let r = e.into_response();
            assert_eq!(r.status(), 401);
            assert_eq!(r.headers()["www-authenticate"], WWW_AUTHENTICATE);
            format!("{:?}|{:?}", r.headers(), r.body())
        })
        .collect();
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    }

    #[test]
    fn messages_reveal_no_internals() {
        let e = ApiError::Internal("ResourceNotFoundException: table tokens-prod".into());
        assert!(!e.message().contains("tokens-prod"));
        let e = ApiError::Unavailable("dispatch failure: connection refused 127.0.0.1:8000".into());
        assert!(!e.message().contains("127.0.0.1"));
    }

    #[test]
    fn status_mapping() {
        assert_eq!(ApiError::Route(RouteError::NotFound).status(), 404);
        assert_eq!(ApiError::TokenNotFound.status(), 404);
        for allow in ["GET, POST", "DELETE"] {
            let r = ApiError::Route(RouteError::MethodNotAllowed { allow }).into_response();
            assert_eq!(r.status(), 405);
            assert_eq!(r.headers()["allow"], allow);
        }
        assert_eq!(ApiError::Forbidden.status(), 403);
        assert_eq!(ApiError::InvalidParameter(ParamError::Limit).status(), 400);
        assert_eq!(
            ApiError::InvalidDescription(DescriptionError::TooLong).status(),
            400
        );
        assert_eq!(ApiError::Unavailable(String::new()).status(), 503);
        assert_eq!(ApiError::Internal(String::new()).status(), 500);
        let r = ApiError::Route(RouteError::NotFound).into_response();
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["cache-control"], "no-store");
    }
}
