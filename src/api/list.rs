//! `GET /api/v1/admin/apikey`: one page of the caller's tenant's tokens, newest first,
//! served from the `TenantTokens` index (eventually consistent).
//!
//! Its query parameters (docs/api.md, "Listing"), parsed here ([`parse`]):
//! - `limit`: decimal digits only (no sign, no spaces), value 1 to [`MAX_LIMIT`]; absent or
//!   empty gives [`DEFAULT_LIMIT`]. Leading zeros are allowed (`050` is 50).
//! - `before`: a `TokenId` (26 characters of Crockford base32, either case); absent or
//!   empty means "from the newest".
//! - Repeated: the first value wins, as for `description`. Other parameters are ignored.
//!
//! An invalid one is a 400 ([`ParamError`]), after authentication.

use lambda_http::{Request, RequestExt};

use super::app::App;
use super::authenticate::Caller;
use super::request_log::RequestLog;
use crate::envelope;
use crate::error::{ApiError, ParameterError};
use crate::response::Success;
use crate::store::{ListQuery, TokenStore};
use crate::token_id::TokenId;

/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest `limit`.
pub const MAX_LIMIT: u32 = 100;

/// Validated list parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListParams {
    /// Page size, 1 to [`MAX_LIMIT`].
    pub limit: u32,
    /// Only tokens created before this one.
    pub before: Option<TokenId>,
}

/// A list parameter that breaks its rule (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// `limit` is not an integer from 1 to 100.
    #[error("The limit must be an integer from 1 to 100.")]
    Limit,
    /// `before` is not a TokenId.
    #[error("The before parameter must be a TokenId (26 characters, as returned in next).")]
    Before,
}

impl ParameterError for ParamError {
    fn reason(&self) -> &'static str {
        match self {
            Self::Limit => "invalid_limit",
            Self::Before => "invalid_before",
        }
    }
}

/// Validates the first values of `limit` and `before`, already percent-decoded.
///
/// # Errors
/// [`ParamError::Limit`] or [`ParamError::Before`] (checked in that order).
pub fn parse(limit: Option<&str>, before: Option<&str>) -> Result<ListParams, ParamError> {
    let limit = match limit {
        None | Some("") => DEFAULT_LIMIT,
        Some(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
            let digits = text.trim_start_matches('0');
            // More than three significant digits is above 100 whatever they are.
            match digits.parse::<u32>() {
                Ok(n) if digits.len() <= 3 && (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(ParamError::Limit),
            }
        }
        Some(_) => return Err(ParamError::Limit),
    };
    let before = match before {
        None | Some("") => None,
        Some(text) => Some(TokenId::parse(text).ok_or(ParamError::Before)?),
    };
    Ok(ListParams { limit, before })
}

impl<S: TokenStore, G> App<S, G> {
    /// Answers one page of the caller's tenant's tokens.
    pub(super) async fn list(
        &self,
        request: &Request,
        caller: &Caller,
        log: &mut RequestLog,
    ) -> Result<Success, ApiError> {
        let query = request.query_string_parameters_ref();
        let first = |name: &str| query.and_then(|q| q.first(name));
        let params = parse(first("limit"), first("before"))?;
        let page = log
            .store(self.store.list_tokens(&ListQuery {
                tenant_id: caller.tenant_id,
                limit: params.limit,
                before: params.before,
            }))
            .await?;
        log.unshowable = page.unshowable.clone();
        Ok(Success::new("listed", envelope::list_body(&page)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        for (text, expected) in [
            (None, Some(50)),
            (Some(""), Some(50)),
            (Some("1"), Some(1)),
            (Some("100"), Some(100)),
            (Some("050"), Some(50)),
            (Some("0000000000000000000007"), Some(7)),
            (Some("0"), None),
            (Some("101"), None),
            (Some("-1"), None),
            (Some("+5"), None),
            (Some(" 5"), None),
            (Some("5 "), None),
            (Some("1e2"), None),
            (Some("99999999999999999999999"), None),
            (Some("ten"), None),
            (Some("５"), None),
        ] {
            let got = parse(text, None).map(|p| p.limit).ok();
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn before() {
        let p = parse(None, Some("01kbdevadm0000000000000001")).unwrap();
        assert_eq!(p.before.unwrap().to_string(), "01KBDEVADM0000000000000001");
        assert_eq!(parse(None, Some("")).unwrap().before, None);
        assert_eq!(parse(None, Some("nope")), Err(ParamError::Before));
        assert_eq!(parse(Some("0"), Some("nope")), Err(ParamError::Limit));
    }
}
