//! Rules 3 and 4, the authentication step every operation shares: the token must verify
//! ([`crate::verify`]: a single usable `Authorization` header, an item read with a
//! strongly consistent `GetItem`, not revoked), so a revocation takes effect on the next
//! request ([`App::authenticate`]); then, on every path but the caller's own token's, its
//! role must be exactly `Administrator` ([`administrator`]).

use lambda_http::Request;

use super::app::App;
use super::request_log::RequestLog;
use crate::error::ApiError;
use crate::token::TokenHash;
use crate::token_id::TokenId;
use crate::verify::{self, VerifiedCaller};

/// The authenticated caller: an Administrator token's item.
#[derive(Debug)]
pub(super) struct Caller {
    /// The digest of the caller's token: a new token's `CreatedBy`.
    pub(super) token_hash: TokenHash,
    /// The caller's tenant: the only tenant it may act on.
    pub(super) tenant_id: i64,
    /// The caller's `TokenId`, if its item has one.
    pub(super) token_id: Option<TokenId>,
}

impl<S: crate::store::TokenStore, G> App<S, G> {
    /// Rule 3: the verified caller of `request` (else 401). The store call runs under the
    /// request's deadline. The log learns the caller's tenant and `TokenId`.
    pub(super) async fn authenticate(
        &self,
        request: &Request,
        log: &mut RequestLog,
    ) -> Result<VerifiedCaller, ApiError> {
        let token = verify::presented(request.headers(), &self.data_center)?;
        let verified = log.store(verify::lookup(&token, &self.store)).await?;
        log.tenant_id = Some(verified.record.tenant_id);
        log.caller_token_id = verified.record.token_id;
        Ok(verified)
    }
}

/// Rule 4: `verified` as an Administrator caller (else 403).
///
/// # Errors
/// [`ApiError::Forbidden`].
pub(super) fn administrator(verified: VerifiedCaller) -> Result<Caller, ApiError> {
    if !verified.record.is_administrator() {
        return Err(ApiError::Forbidden);
    }
    Ok(Caller {
        token_hash: verified.token_hash,
        tenant_id: verified.record.tenant_id,
        token_id: verified.record.token_id,
    })
}
