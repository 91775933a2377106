//! `POST /api/v1/admin/apikey/{TokenId}/rotate`: replace one of the caller's tenant's tokens
//! with a new one, with an optional overlap (docs/api.md, "Rotation").
//!
//! Parameters (query, first value of each, [`crate::lifetime`]'s rules: 400 if invalid):
//! `grace` (seconds the old token keeps working, 0 to 7 days, default 0: revoked now) and
//! `expires_in` (the new token's lifetime, as for create). The rules of the rotation are
//! [`crate::store::rotation`]'s; the store writes both items together or neither
//! ([`TokenStore::rotate`]). A `TokenHash` collision draws a new token (at most
//! [`MAX_CREATE_ATTEMPTS`], as create). The 200 is the create's body exactly, with the new
//! `TokenId` in `Api-Token-Id` and its `DateExpires` in `Api-Token-Expires` when it
//! expires; a token that is not the tenant's is the revoke's 404; a token that is revoked,
//! expired (or whose expiry cannot be read) or already rotated is a 409 saying which.

use lambda_http::{Request, RequestExt};

use super::app::App;
use super::authenticate::Caller;
use super::create::{issued, MAX_CREATE_ATTEMPTS};
use super::request_log::RequestLog;
use crate::dates;
use crate::envelope::IssuedToken;
use crate::error::ApiError;
use crate::lifetime::{self, Seconds};
use crate::response::Success;
use crate::store::{RotateOutcome, Rotation, TokenStore};
use crate::token::{Token, TokenGenerator};
use crate::token_id::TokenId;

/// The rotation's parameters: `grace` and `expires_in` (rule 5).
///
/// # Errors
/// A 400 naming the parameter.
fn parameters(
    request: &Request,
    max: Option<Seconds>,
) -> Result<(Seconds, Option<Seconds>), ApiError> {
    let query = request.query_string_parameters_ref();
    let first = |name: &str| query.and_then(|q| q.first(name));
    let grace = lifetime::grace(first("grace"))?;
    let expires_in = lifetime::requested(first("expires_in"), max)?;
    Ok((grace, expires_in))
}

impl<S: TokenStore, G: TokenGenerator> App<S, G> {
    /// Rotates `token_id` for the caller and answers the new token, once.
    pub(super) async fn rotate(
        &self,
        request: &Request,
        token_id: TokenId,
        caller: &Caller,
        log: &mut RequestLog,
    ) -> Result<Success, ApiError> {
        let max_lifetime = self.max_token_lifetime;
        let (grace, expires_in) = parameters(request, max_lifetime)?;
        let now = (self.clock)();
        for _ in 0..MAX_CREATE_ATTEMPTS {
            let body = self
                .generator
                .new_body()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let token = Token::from_body(&body, &self.data_center);
            let rotation = Rotation {
                tenant_id: caller.tenant_id,
                token_id,
                now,
                grace,
                expires_in,
                max_lifetime,
                new_token_hash: token.digest(),
                new_token_id: TokenId::new(dates::unix_ms(now)),
                caller_hash: caller.token_hash.clone(),
                caller_id: caller.token_id,
            };
            match log.store(self.store.rotate(&rotation)).await? {
                RotateOutcome::Rotated(new) => {
                    log.new_token_id = Some(new.token_id);
                    let success = issued(
                        "rotated",
                        IssuedToken {
                            date_created: &new.date_created,
                            token: token.expose(),
                            description: &new.description,
                            tenant_id: new.tenant_id,
                        },
                        new.token_id,
                        new.date_expires.as_deref(),
                    );
                    return Ok(success);
                }
                RotateOutcome::NotFound => return Err(ApiError::TokenNotFound),
                RotateOutcome::Conflict(conflict) => return Err(ApiError::Conflict(conflict)),
                RotateOutcome::Collision => log.collisions += 1,
            }
        }
        Err(ApiError::Internal(format!(
            "{MAX_CREATE_ATTEMPTS} token collisions in a row"
        )))
    }
}
