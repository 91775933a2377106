//! Every way a request can fail, and the one place that maps each to its HTTP status,
//! extra header, plain-English message and log reason (docs/api.md, "Errors"). Pure: the
//! response itself is built by [`crate::response::error`].
//!
//! Statuses follow the evaluation order: 404, 405, 401, 403, 400, then the operation's
//! own 404, then 503/500. Messages never reveal internals (no table names, SDK errors or
//! token material), and never whether a token id exists in another tenant.

use lambda_http::http::{header, HeaderName, StatusCode};

use crate::auth::CredentialError;
use crate::description::DescriptionError;
use crate::endpoint::{self, RouteError};
use crate::store::{RotateConflict, StoreError};
use crate::verify::VerifyError;

pub use crate::parameter::ParameterError;

/// The `WWW-Authenticate` challenge sent with every 401 (RFC 6750 §3).
pub const WWW_AUTHENTICATE: &str = r#"Bearer realm="api""#;

/// The single 401 message, identical for every reason (no oracle) but one: an expired
/// token ([`EXPIRED_MESSAGE`]).
pub const UNAUTHORIZED_MESSAGE: &str = "A valid API token is required.";

/// The challenge of the 401 for a token that has expired (RFC 6750 §3: `invalid_token`),
/// the one 401 that says why: only a holder of the exact token sees it, and NIST SP
/// 800-63B-4 asks that an expired credential be reported as expired.
pub const WWW_AUTHENTICATE_EXPIRED: &str =
    r#"Bearer realm="api", error="invalid_token", error_description="The API token expired""#;

/// The message of the 401 for a token that has expired.
pub const EXPIRED_MESSAGE: &str = "The API token has expired.";

/// The single message of a get, `DELETE` or rotation whose `TokenId` is not a token of the
/// caller's tenant, whether another tenant has it or nobody does (no cross-tenant oracle).
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
    /// 401: the caller's item has a `DateExpires` that cannot be read (the common 401).
    #[error("unauthorized: unreadable expiry")]
    UnreadableExpiry,
    /// 401: the caller's token has expired (its own message and challenge).
    #[error("unauthorized: expired token")]
    ExpiredToken,
    /// 403: the caller's role is not exactly `Administrator`.
    #[error("forbidden: role is not Administrator")]
    Forbidden,
    /// 400: the description breaks a rule.
    #[error("invalid description: {0:?}")]
    InvalidDescription(DescriptionError),
    /// 400: a parameter of the operation breaks its rule.
    #[error("invalid parameter: {0:?}")]
    InvalidParameter(Box<dyn ParameterError>),
    /// 404: the `TokenId` to read, revoke or rotate is not a token of the caller's tenant
    /// (or, for a get, an item that cannot be shown).
    #[error("token not found in the caller's tenant")]
    TokenNotFound,
    /// 409: the token to rotate is revoked, expired (or its expiry cannot be read) or was
    /// already rotated.
    #[error("conflict: {0:?}")]
    Conflict(RotateConflict),
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
            Self::BadCredentials(_)
            | Self::UnknownToken
            | Self::RevokedToken
            | Self::UnreadableExpiry
            | Self::ExpiredToken => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
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
            Self::UnreadableExpiry => "unreadable_expiry",
            Self::ExpiredToken => "expired_token",
            Self::Forbidden => "not_administrator",
            Self::InvalidDescription(DescriptionError::TooLong) => "description_too_long",
            Self::InvalidDescription(DescriptionError::ControlCharacter) => {
                "description_control_character"
            }
            Self::InvalidParameter(e) => e.reason(),
            Self::TokenNotFound => "token_not_found",
            Self::Conflict(RotateConflict::Revoked) => "conflict_revoked",
            Self::Conflict(RotateConflict::Expired) => "conflict_expired",
            Self::Conflict(RotateConflict::ExpiryUnreadable) => "conflict_expiry_unreadable",
            Self::Conflict(RotateConflict::Rotated) => "conflict_rotated",
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
            Self::Route(RouteError::NotFound) => {
                format!("Not found. This API serves {}.", endpoint::served())
            }
            Self::Route(RouteError::MethodNotAllowed { allow }) => {
                format!("Method not allowed. This path allows {allow}.")
            }
            Self::BadCredentials(_)
            | Self::UnknownToken
            | Self::RevokedToken
            | Self::UnreadableExpiry => UNAUTHORIZED_MESSAGE.to_owned(),
            Self::ExpiredToken => EXPIRED_MESSAGE.to_owned(),
            Self::Forbidden => {
                "This API token is not allowed to manage API tokens: an Administrator token is required.".to_owned()
            }
            Self::InvalidDescription(e) => e.to_string(),
            Self::InvalidParameter(e) => e.to_string(),
            Self::TokenNotFound => TOKEN_NOT_FOUND_MESSAGE.to_owned(),
            Self::Conflict(conflict) => conflict_message(*conflict).to_owned(),
            Self::Unavailable(_) => {
                "The service is temporarily unavailable. Please retry shortly.".to_owned()
            }
            Self::Internal(_) => "An internal error occurred. Please retry later.".to_owned(),
        }
    }

    /// The header the status needs besides the common ones, with its value: the
    /// `WWW-Authenticate` challenge of a 401, the path's `Allow` of a 405.
    pub fn header(&self) -> Option<(HeaderName, &'static str)> {
        match self {
            Self::BadCredentials(_)
            | Self::UnknownToken
            | Self::RevokedToken
            | Self::UnreadableExpiry => Some((header::WWW_AUTHENTICATE, WWW_AUTHENTICATE)),
            Self::ExpiredToken => Some((header::WWW_AUTHENTICATE, WWW_AUTHENTICATE_EXPIRED)),
            Self::Route(RouteError::MethodNotAllowed { allow }) => Some((header::ALLOW, allow)),
            _ => None,
        }
    }
}

/// The 409's message: which of the rotation's preconditions the token fails.
pub fn conflict_message(conflict: RotateConflict) -> &'static str {
    match conflict {
        RotateConflict::Revoked => "This API token is revoked.",
        RotateConflict::Expired => "This API token has expired.",
        RotateConflict::ExpiryUnreadable => "This API token's expiry date cannot be read.",
        RotateConflict::Rotated => "This API token was already rotated.",
    }
}

impl From<StoreError> for ApiError {
    /// A transient store failure is a 503, anything else a 500.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
            StoreError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<VerifyError> for ApiError {
    /// Every refused token is a 401 (one body for all but an expired token); a store
    /// failure as above.
    fn from(error: VerifyError) -> Self {
        match error {
            VerifyError::BadCredentials(e) => Self::BadCredentials(e),
            VerifyError::UnknownToken => Self::UnknownToken,
            VerifyError::RevokedToken => Self::RevokedToken,
            VerifyError::UnreadableExpiry => Self::UnreadableExpiry,
            VerifyError::ExpiredToken => Self::ExpiredToken,
            VerifyError::Store(e) => e.into(),
        }
    }
}

impl<E: ParameterError> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self::InvalidParameter(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parameter error as an operation defines one.
    #[derive(Debug, thiserror::Error)]
    #[error("The limit must be an integer from 1 to 100.")]
    struct Limit;

    impl ParameterError for Limit {
        fn reason(&self) -> &'static str {
            "invalid_limit"
        }
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
            let e = ApiError::Route(RouteError::MethodNotAllowed { allow });
            assert_eq!(e.status(), 405);
            assert_eq!(e.header(), Some((header::ALLOW, allow)));
        }
        assert_eq!(ApiError::Forbidden.status(), 403);
        let invalid = ApiError::from(Limit);
        assert_eq!(invalid.status(), 400);
        assert_eq!(invalid.reason(), "invalid_limit");
        assert_eq!(
            invalid.message(),
            "The limit must be an integer from 1 to 100."
        );
        assert_eq!(
            ApiError::InvalidDescription(DescriptionError::TooLong).status(),
            400
        );
        assert_eq!(ApiError::Unavailable(String::new()).status(), 503);
        assert_eq!(ApiError::Internal(String::new()).status(), 500);
        assert_eq!(
            ApiError::from(StoreError::Unavailable("x".into())).status(),
            503
        );
        assert_eq!(
            ApiError::from(StoreError::Internal("x".into())).status(),
            500
        );
    }

    #[test]
    fn each_conflict_is_a_409_that_says_which() {
        let all = [
            RotateConflict::Revoked,
            RotateConflict::Expired,
            RotateConflict::ExpiryUnreadable,
            RotateConflict::Rotated,
        ];
        let messages: std::collections::HashSet<String> = all
            .iter()
            .map(|c| ApiError::Conflict(*c).message())
            .collect();
        assert_eq!(messages.len(), all.len());
        for c in all {
            assert_eq!(ApiError::Conflict(c).status(), StatusCode::CONFLICT);
            assert_eq!(ApiError::Conflict(c).header(), None);
        }
    }

    #[test]
    fn the_404_message_names_what_the_routing_table_serves() {
        assert_eq!(
            ApiError::Route(RouteError::NotFound).message(),
            "Not found. This API serves /api/v1/admin/apikey (GET, POST), \
             /api/v1/admin/apikey/{TokenId} (GET, DELETE), \
             /api/v1/admin/apikey/{TokenId}/rotate (POST) and /api/v1/apikey/self (GET)."
        );
    }
}
