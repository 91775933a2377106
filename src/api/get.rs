//! `GET /api/v1/admin/apikey/{TokenId}`: read one of the caller's tenant's tokens.
//!
//! Parameter: the path's `TokenId` (already a valid ULID: [`crate::endpoint`] answered 404
//! otherwise). The answer reflects every revoke and rotation that answered before it: the
//! index gives the item's key, the item itself is read consistently
//! ([`TokenStore::get_token`]). A `TokenId` that is not a token of the caller's tenant, or
//! whose item cannot be shown, is the revoke's 404, one body for every reason.

use super::app::App;
use super::authenticate::Caller;
use super::request_log::RequestLog;
use crate::envelope;
use crate::error::ApiError;
use crate::response::Success;
use crate::store::{TokenKey, TokenStore};
use crate::token_id::TokenId;

impl<S: TokenStore, G> App<S, G> {
    /// Answers the caller's tenant's token `token_id` as it now is.
    pub(super) async fn get(
        &self,
        token_id: TokenId,
        caller: &Caller,
        log: &mut RequestLog,
    ) -> Result<Success, ApiError> {
        let key = TokenKey {
            tenant_id: caller.tenant_id,
            token_id,
        };
        let token = log
            .store(self.store.get_token(&key))
            .await?
            .ok_or(ApiError::TokenNotFound)?;
        Ok(Success::new("read", envelope::item_body(&token)))
    }
}
