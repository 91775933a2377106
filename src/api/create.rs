//! `POST /api/v1/admin/apikey`: a new Standard token for the caller's tenant.
//!
//! Parameters (query, first value of each, checked in this order; 400 if invalid):
//! `description` ([`crate::description`]'s rules) and `expires_in` ([`crate::lifetime`]:
//! 60 to 31,622,400 seconds in plain digits, at most the deployment's
//! `MAX_TOKEN_LIFETIME`, which is also the default). The token is drawn from the CSPRNG and
//! written with a conditional `PutItem`; a `TokenHash` collision draws a new token (at most
//! [`MAX_CREATE_ATTEMPTS`]). The 200 holds the published example's body exactly, the new
//! `TokenId` in [`API_TOKEN_ID_HEADER`] and, for a token that expires, its `DateExpires` in
//! [`API_TOKEN_EXPIRES_HEADER`].

use lambda_http::http::{HeaderName, HeaderValue};
use lambda_http::{Request, RequestExt};

use super::app::App;
use super::authenticate::Caller;
use super::request_log::RequestLog;
use crate::dates;
use crate::description;
use crate::envelope::{self, IssuedToken};
use crate::error::ApiError;
use crate::lifetime::{self, Seconds};
use crate::response::Success;
use crate::store::{NewTokenItem, PutOutcome, TokenStore, STANDARD};
use crate::token::{Token, TokenGenerator};
use crate::token_id::TokenId;

/// Tokens drawn per request before giving up on `TokenHash` collisions.
pub const MAX_CREATE_ATTEMPTS: usize = 3;

/// Response header of a create carrying the new token's `TokenId` (the body stays
/// exactly the published example's).
pub const API_TOKEN_ID_HEADER: &str = "api-token-id";

/// Response header of a create (and a rotation) carrying the new token's `DateExpires`,
/// present only when it expires.
pub const API_TOKEN_EXPIRES_HEADER: &str = "api-token-expires";

/// The answer to a request that issued a token (a create, a rotation): the create's body
/// (`envelope::success_body`), the new token's `TokenId` in [`API_TOKEN_ID_HEADER`] and,
/// when it expires, its `DateExpires` in [`API_TOKEN_EXPIRES_HEADER`].
pub(super) fn issued(
    reason: &'static str,
    token: IssuedToken<'_>,
    token_id: TokenId,
    date_expires: Option<&str>,
) -> Success {
    let mut success = Success::new(reason, envelope::success_body(token));
    let headers = [
        (API_TOKEN_ID_HEADER, Some(token_id.to_string())),
        (API_TOKEN_EXPIRES_HEADER, date_expires.map(str::to_owned)),
    ];
    for (name, value) in headers {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            success = success.with_header(HeaderName::from_static(name), value);
        }
    }
    success
}

/// The create's parameter: the validated `description` (rule 5).
///
/// # Errors
/// [`ApiError::InvalidDescription`].
fn description(request: &Request) -> Result<String, ApiError> {
    description::validate(
        request
            .query_string_parameters_ref()
            .and_then(|q| q.first("description")),
    )
    .map_err(ApiError::InvalidDescription)
}

/// The create's lifetime: `expires_in`, else the deployment's maximum, else none (rule 5).
///
/// # Errors
/// [`ApiError::InvalidParameter`] with a [`lifetime::ExpiresInError`].
fn lifetime(request: &Request, max: Option<Seconds>) -> Result<Option<Seconds>, ApiError> {
    let first = request
        .query_string_parameters_ref()
        .and_then(|q| q.first("expires_in"));
    Ok(lifetime::for_create(first, max)?)
}

impl<S: TokenStore, G: TokenGenerator> App<S, G> {
    /// Creates the token and answers it, once.
    pub(super) async fn create(
        &self,
        request: &Request,
        caller: &Caller,
        log: &mut RequestLog,
    ) -> Result<Success, ApiError> {
        let description = description(request)?;
        let lifetime = lifetime(request, self.max_token_lifetime)?;
        let now = (self.clock)();
        let date_created = dates::format(now).map_err(|e| ApiError::Internal(e.to_string()))?;
        // Whole seconds after `now`: `DateExpires` - `DateCreated` is exactly the lifetime.
        let date_expires = lifetime
            .map(|l| dates::format(l.after(now)))
            .transpose()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let token_id = TokenId::new(dates::unix_ms(now));
        for _ in 0..MAX_CREATE_ATTEMPTS {
            let body = self
                .generator
                .new_body()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let token = Token::from_body(&body, &self.data_center);
            let item = NewTokenItem {
                token_hash: token.digest(),
                token_id,
                tenant_id: caller.tenant_id,
                role: STANDARD.to_owned(),
                description: description.clone(),
                date_created: date_created.clone(),
                created_by: Some(caller.token_hash.clone()),
                created_by_id: caller.token_id,
                date_expires: date_expires.clone(),
                rotated_from_id: None,
            };
            match log.store(self.store.put_new(&item)).await? {
                PutOutcome::Created => {
                    log.new_token_id = Some(token_id);
                    let success = issued(
                        "created",
                        IssuedToken {
                            date_created: &date_created,
                            token: token.expose(),
                            description: &description,
                            tenant_id: caller.tenant_id,
                        },
                        token_id,
                        date_expires.as_deref(),
                    );
                    return Ok(success);
                }
                PutOutcome::AlreadyExists => log.collisions += 1,
            }
        }
        Err(ApiError::Internal(format!(
            "{MAX_CREATE_ATTEMPTS} token collisions in a row"
        )))
    }
}
