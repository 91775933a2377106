//! Rules 3 and 4, the authentication step every operation shares: the token must verify
//! ([`crate::verify`]: a single usable `Authorization` header, an item read with a
//! strongly consistent `GetItem`, not revoked, not expired), so a revocation takes effect
//! on the next request ([`App::authenticate`]); then, on every path but the caller's own
//! token's, its role must be exactly `Administrator` ([`App::administrator`]).
//!
//! Between the two, the use is recorded: [`App::last_use`] is the `DateLastUsed` write a
//! verified use needs (at most once per token per 5 minutes), which `App::evaluate` runs
//! concurrently with the rest of the request, never before it.

use std::future::Future;

use lambda_http::Request;
use time::OffsetDateTime;

use super::app::App;
use super::request_log::RequestLog;
use crate::error::ApiError;
use crate::last_use::{LastUseReport, WRITE_CAP};
use crate::store::TokenStore;
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

impl<S: TokenStore, G> App<S, G> {
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

    /// Rule 3: the verified caller of `request` at `now` (else 401). The store call runs
    /// under the request's deadline.
    pub(super) async fn authenticate(
        &self,
        request: &Request,
        now: OffsetDateTime,
        log: &mut RequestLog,
    ) -> Result<VerifiedCaller, ApiError> {
        let token = verify::presented(request.headers(), &self.data_center)?;
        let verified = log.store(verify::lookup(&token, &self.store, now)).await?;
        log.tenant_id = Some(verified.record.tenant_id);
        log.caller_token_id = verified.record.token_id;
        Ok(verified)
    }

    /// The `DateLastUsed` write of `caller`'s use at `now`, as a future to run beside the
    /// operation: `None` when none is needed; otherwise it ends within
    /// min([`WRITE_CAP`], what is left of the request's budget) and never fails.
    pub(super) fn last_use<'a>(
        &'a self,
        caller: &VerifiedCaller,
        now: OffsetDateTime,
        log: &RequestLog,
    ) -> impl Future<Output = Option<LastUseReport>> + 'a {
        let write = verify::last_use_write(caller, now, &self.recent_writes);
        let cap = log.time_left().min(WRITE_CAP);
        async move {
            let write = write?;
            Some(verify::record_last_use(&self.store, &write, cap, &self.recent_writes).await)
        }
    }
}
