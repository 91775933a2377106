//! `GET /api/v1/apikey/self`: the caller's own token, for any usable token (Standard or
//! Administrator: rule 4 does not apply here).
//!
//! No parameter, no store call beyond authentication's: the item was read consistently to
//! verify the token ([`crate::verify::lookup`]), and its record carries what the view
//! shows. `TokenId` is `null` for a token made before TokenIds existed.

use super::app::App;
use crate::envelope;
use crate::error::ApiError;
use crate::response::Success;
use crate::verify::VerifiedCaller;

impl<S, G> App<S, G> {
    /// Answers the verified caller's own item.
    pub(super) fn self_view(&self, caller: &VerifiedCaller) -> Result<Success, ApiError> {
        Ok(Success::new(
            "read_self",
            envelope::self_body(&caller.record),
        ))
    }
}
