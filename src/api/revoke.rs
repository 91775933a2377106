//! `DELETE /api/v1/admin/apikey/{TokenId}`: revoke one of the caller's tenant's tokens.
//!
//! Parameter: the path's `TokenId` (already a valid ULID: [`crate::endpoint`] answered 404
//! otherwise). Idempotent: a revoked token answers 200 with its first `DateRevoked`. A
//! `TokenId` that is not a token of the caller's tenant is a 404, one body whether another
//! tenant has it or nobody does.

use super::app::App;
use super::authenticate::Caller;
use super::request_log::RequestLog;
use crate::dates;
use crate::envelope;
use crate::error::ApiError;
use crate::response::Success;
use crate::store::{Revocation, TokenStore};
use crate::token_id::TokenId;

impl<S: TokenStore, G> App<S, G> {
    /// Revokes `token_id` for the caller and answers the token as it now is.
    pub(super) async fn revoke(
        &self,
        token_id: TokenId,
        caller: &Caller,
        log: &mut RequestLog,
    ) -> Result<Success, ApiError> {
        let revocation = Revocation {
            tenant_id: caller.tenant_id,
            token_id,
            date_revoked: dates::format((self.clock)())
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            revoked_by_id: caller.token_id,
        };
        let revoked = log
            .store(self.store.revoke(&revocation))
            .await?
            .ok_or(ApiError::TokenNotFound)?;
        Ok(Success::new("revoked", envelope::item_body(&revoked)))
    }
}
