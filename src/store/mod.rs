//! The narrow storage interface the function needs: read the caller's item, write a new
//! token item without overwriting anything, list a tenant's tokens, revoke one of them,
//! and record a token's last use.
//!
//! [`dynamodb::DynamoDbStore`] is the production implementation (one table, partition key
//! `TokenHash`, global secondary index `TenantTokens`); [`memory::MemoryStore`] keeps items
//! in a map for unit tests and the handler-cost benchmark. The table's layout is described
//! in `docs/api.md` ("Storage").

pub mod dynamodb;
pub mod memory;
pub mod rotation;

use std::future::Future;

use crate::lifetime::Expiry;
use crate::token::TokenHash;
use crate::token_id::TokenId;
pub use rotation::{RotateConflict, Rotation};

/// The `Role` value that may create, list and revoke tokens. Compared exactly
/// (case-sensitive).
pub const ADMINISTRATOR: &str = "Administrator";
/// The `Role` given to every token the function creates.
pub const STANDARD: &str = "Standard";

/// What the function needs to know about the caller's token item: what authentication
/// decides on, and what `GET /api/v1/apikey/self` shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallerRecord {
    /// `TenantId`: the tenant the token acts for.
    pub tenant_id: i64,
    /// `Role`, if present (`Administrator` or `Standard`; anything else is not admin).
    pub role: Option<String>,
    /// `true` if the item has `Revoked = true`. A `Revoked` attribute of any other type
    /// is treated as revoked too (fail closed).
    pub revoked: bool,
    /// `TokenId`, if the item has one (items written before TokenIds existed have none).
    pub token_id: Option<TokenId>,
    /// `DateExpires` as the item mapping read it: absent is never, unreadable fails
    /// closed ([`Expiry`]).
    pub expiry: Expiry,
    /// `DateLastUsed`, if the item has a string one (`YYYY-MM-DDTHH:MM:SS` UTC).
    pub date_last_used: Option<String>,
    /// `DateCreated`, if a string (else empty).
    pub date_created: String,
    /// `Description`, if a string (else empty).
    pub description: String,
    /// `DateRevoked`, if a string.
    pub date_revoked: Option<String>,
    /// `CreatedById`, if a valid `TokenId`.
    pub created_by_id: Option<TokenId>,
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
    /// `TokenId` (S): the item's ULID, sort key of the `TenantTokens` index.
    pub token_id: TokenId,
    /// `TenantId` (N): partition key of the `TenantTokens` index.
    pub tenant_id: i64,
    /// `Role` (S).
    pub role: String,
    /// `Description` (S), possibly empty.
    pub description: String,
    /// `DateCreated` (S), `YYYY-MM-DDTHH:MM:SS` UTC.
    pub date_created: String,
    /// `CreatedBy` (S): `TokenHash` of the creating token; `None` for bootstrap tokens.
    pub created_by: Option<TokenHash>,
    /// `CreatedById` (S): `TokenId` of the creating token, when it has one.
    pub created_by_id: Option<TokenId>,
    /// `DateExpires` (S), `YYYY-MM-DDTHH:MM:SS` UTC; `None`: the token never expires.
    pub date_expires: Option<String>,
    /// `RotatedFromId` (S): the token a rotation replaced with this one.
    pub rotated_from_id: Option<TokenId>,
}

/// Result of a rotation ([`TokenStore::rotate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// Both writes applied: the new item as written.
    Rotated(Box<NewTokenItem>),
    /// The tenant has no token with that id (another tenant's, nobody's): nothing written.
    NotFound,
    /// The old token cannot be rotated: nothing written.
    Conflict(RotateConflict),
    /// The new token's `TokenHash` is taken: nothing written; draw another token.
    Collision,
}

/// Result of a conditional create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The item was written.
    Created,
    /// An item with the same `TokenHash` exists; nothing was written.
    AlreadyExists,
}

/// A token as the list and revoke operations show it: never the token, never a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSummary {
    /// `TokenId`.
    pub token_id: TokenId,
    /// `DateCreated` (`YYYY-MM-DDTHH:MM:SS` UTC).
    pub date_created: String,
    /// `Description`.
    pub description: String,
    /// `TenantId`.
    pub tenant_id: i64,
    /// `Role`, if the item has a string one.
    pub role: Option<String>,
    /// `Revoked`: absent or `false` is `false`; any other value is `true` (fail closed).
    pub revoked: bool,
    /// `DateRevoked`, when revoked through the API or the bootstrap tool.
    pub date_revoked: Option<String>,
    /// `CreatedById`: the creating token's `TokenId`, if known.
    pub created_by_id: Option<TokenId>,
    /// `DateExpires`, as stored, if a string; `None`: never expires.
    pub date_expires: Option<String>,
    /// `DateLastUsed`, if a string; `None`: not used since last use was recorded.
    pub date_last_used: Option<String>,
}

/// One page of a tenant's tokens, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPage {
    /// At most the requested number of tokens, in descending `TokenId` order.
    pub tokens: Vec<TokenSummary>,
    /// The `TokenId` to pass as `before` for the next page; `None` when this page is the
    /// last.
    pub next: Option<TokenId>,
    /// Items of the tenant read for this page that cannot be shown (docs/api.md,
    /// "Listing"), left out of `tokens`, each named by its `TokenId` as stored.
    pub unshowable: Vec<String>,
}

/// Which of a tenant's tokens to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    /// The caller's tenant: the only tenant ever listed.
    pub tenant_id: i64,
    /// Page size, 1 to 100.
    pub limit: u32,
    /// Only tokens whose `TokenId` sorts before this one (created earlier).
    pub before: Option<TokenId>,
}

/// One token to read: `token_id` of `tenant_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenKey {
    /// The caller's tenant: the item must belong to it, or it is not found.
    pub tenant_id: i64,
    /// The token to read.
    pub token_id: TokenId,
}

/// A revocation: mark `token_id` of `tenant_id` revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// The caller's tenant: the item must belong to it, or nothing changes.
    pub tenant_id: i64,
    /// The token to revoke.
    pub token_id: TokenId,
    /// `DateRevoked` to set if the item has none yet (`YYYY-MM-DDTHH:MM:SS` UTC).
    pub date_revoked: String,
    /// `RevokedById` to set if the item has none yet: the caller's `TokenId`, if any.
    pub revoked_by_id: Option<TokenId>,
}

/// Any item of a tenant as the operator's tool shows it (docs/api.md, "TokenId": items
/// written before TokenIds existed included): every attribute that is missing or of the
/// wrong type is `None`, `Revoked` is read as authentication reads it (fail closed).
/// Never the token nor its digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantItem {
    /// `TokenId` as stored, whether or not it is a valid ULID.
    pub token_id: Option<String>,
    /// `DateCreated`.
    pub date_created: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `TenantId`, if an integer.
    pub tenant_id: Option<i64>,
    /// `Role`, if a string.
    pub role: Option<String>,
    /// `Revoked`: absent or `false` is `false`; any other value is `true` (fail closed).
    pub revoked: bool,
    /// `DateRevoked`.
    pub date_revoked: Option<String>,
    /// `CreatedById`: the creating token's `TokenId`.
    pub created_by_id: Option<String>,
    /// `DateExpires`.
    pub date_expires: Option<String>,
    /// `DateLastUsed`.
    pub date_last_used: Option<String>,
}

impl From<&TokenSummary> for TenantItem {
    fn from(summary: &TokenSummary) -> Self {
        Self {
            token_id: Some(summary.token_id.to_string()),
            date_created: Some(summary.date_created.clone()),
            description: Some(summary.description.clone()),
            tenant_id: Some(summary.tenant_id),
            role: summary.role.clone(),
            revoked: summary.revoked,
            date_revoked: summary.date_revoked.clone(),
            created_by_id: summary.created_by_id.map(|id| id.to_string()),
            date_expires: summary.date_expires.clone(),
            date_last_used: summary.date_last_used.clone(),
        }
    }
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

/// What the store's conditional `DateLastUsed` write did ([`TokenStore::record_last_use`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastUseOutcome {
    /// `DateLastUsed` was set.
    Written,
    /// Nothing was written: another request or process wrote it within the interval, or
    /// the item no longer exists (the write never creates one).
    Skipped,
}

/// The operations the function performs. Implementations must be cheap to share across
/// requests (`&self`), must never overwrite an existing item, and must never return or
/// change an item of a tenant other than the one asked for.
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

    /// One page of `query.tenant_id`'s tokens that have a `TokenId`, newest first.
    /// Eventually consistent (served from the `TenantTokens` index).
    fn list_tokens(
        &self,
        query: &ListQuery,
    ) -> impl Future<Output = Result<TokenPage, StoreError>> + Send;

    /// Marks the tenant's token revoked, keeping the first `DateRevoked` and `RevokedById`
    /// if it was revoked before, and returns it as it now is; `Ok(None)` if the tenant has
    /// no token with that id (whether another tenant has one or nobody does).
    fn revoke(
        &self,
        revocation: &Revocation,
    ) -> impl Future<Output = Result<Option<TokenSummary>, StoreError>> + Send;

    /// Sets `DateLastUsed = date` on the item keyed by `token_hash`, only if the item
    /// exists (never creating one) and its `DateLastUsed` is absent or before `cutoff`
    /// (docs/api.md, "Last use"). A failed condition is [`LastUseOutcome::Skipped`], not an
    /// error.
    fn record_last_use(
        &self,
        token_hash: &TokenHash,
        date: &str,
        cutoff: &str,
    ) -> impl Future<Output = Result<LastUseOutcome, StoreError>> + Send;

    /// The tenant's token `key.token_id` as it now is: its key found through the
    /// `TenantTokens` index, then the item read consistently (so every revoke and rotation
    /// that answered before is seen) and its tenant checked again. `Ok(None)` if the tenant
    /// has no such token (another tenant's, nobody's) or its item cannot be shown.
    fn get_token(
        &self,
        key: &TokenKey,
    ) -> impl Future<Output = Result<Option<TokenSummary>, StoreError>> + Send;

    /// Rotates the tenant's token `rotation.token_id` ([`crate::store::rotation`]'s rules):
    /// reads it as it now is, then writes the new item and the old item's change together
    /// or not at all, the new one only if its `TokenHash` is free, the old one only if it
    /// is still the tenant's, unrevoked, unexpired and never rotated.
    fn rotate(
        &self,
        rotation: &Rotation,
    ) -> impl Future<Output = Result<RotateOutcome, StoreError>> + Send;
}
