//! The narrow storage interface the endpoint needs: read the caller's item, write a new
//! token item without overwriting anything.
//!
//! [`dynamodb::DynamoDbStore`] is the production implementation (one table, partition key
//! `TokenHash`); [`memory::MemoryStore`] keeps items in a map for unit tests and the
//! handler-cost benchmark.

pub mod dynamodb;
pub mod memory;

use std::future::Future;

use crate::token::TokenHash;

/// The `Role` value that may create tokens. Compared exactly (case-sensitive).
pub const ADMINISTRATOR: &str = "Administrator";
/// The `Role` given to every token this endpoint creates.
pub const STANDARD: &str = "Standard";

/// What the endpoint needs to know about the caller's token item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerRecord {
    /// `TenantId`: the tenant the token acts for.
    pub tenant_id: i64,
    /// `Role`, if present (`Administrator` or `Standard`; anything else is not admin).
    pub role: Option<String>,
    /// `true` if the item has `Revoked = true`. A `Revoked` attribute of any other type
    /// is treated as revoked too (fail closed).
    pub revoked: bool,
}

impl CallerRecord {
    /// `true` only for a role of exactly `Administrator`.
    pub fn is_administrator(&self) -> bool {
        self.role.as_deref() == Some(ADMINISTRATOR)
    }
}

/// A token item to create. Field names follow the table's attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTokenItem {
    /// `TokenHash` (S, partition key): SHA-256 hex of the new token.
    pub token_hash: TokenHash,
    /// `TenantId` (N).
    pub tenant_id: i64,
    /// `Role` (S).
    pub role: String,
    /// `Description` (S), possibly empty.
    pub description: String,
    /// `DateCreated` (S), `YYYY-MM-DDTHH:MM:SS` UTC.
    pub date_created: String,
    /// `CreatedBy` (S): `TokenHash` of the creating token; `None` for bootstrap tokens.
    pub created_by: Option<TokenHash>,
}

/// Result of a conditional create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The item was written.
    Created,
    /// An item with the same `TokenHash` exists; nothing was written.
    AlreadyExists,
}

/// A storage failure. The `String` is a short cause for logs (an error code or kind),
/// never containing request data, token material or digests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Transient: unreachable, timed out, throttled or a server-side 5xx after retries.
    /// Mapped to 503.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else (missing table, access denied, a malformed item). Mapped to 500.
    #[error("store failure: {0}")]
    Internal(String),
}

/// The two operations the endpoint performs. Implementations must be cheap to share
/// across requests (`&self`) and must never overwrite an existing item.
pub trait TokenStore: Send + Sync {
    /// Strongly consistent read of the item keyed by `token_hash`; `Ok(None)` if absent.
    fn get_caller(
        &self,
        token_hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<CallerRecord>, StoreError>> + Send;

    /// Writes `item` only if no item has its `TokenHash` (a conditional write).
    fn put_new(
        &self,
        item: &NewTokenItem,
    ) -> impl Future<Output = Result<PutOutcome, StoreError>> + Send;
}
