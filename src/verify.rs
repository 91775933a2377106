//! Token verification, the domain rule every front end of the service shares: the HTTP
//! API's authentication step (`api::authenticate`, which then applies the Administrator
//! rule) and, later, the Lambda authorizer. It knows headers and the store, nothing of
//! HTTP requests or responses.
//!
//! 1. [`presented`]: one usable `Authorization` header whose token has the shape
//!    `<body>-<DATA_CENTER>` ([`crate::auth`]); no store call.
//! 2. [`lookup`]: the token's SHA-256 digest, a strongly consistent `GetItem` on it
//!    ([`TokenStore::get_caller`]), and the item must exist, not be revoked (a `Revoked`
//!    that is not `false` counts as revoked: fail closed, [`crate::store`]), have a
//!    readable `DateExpires` if any (fail closed) and not be expired (`DateExpires` at or
//!    before now).
//! 3. The use is recorded (docs/api.md, "Last use"): [`last_use_write`] decides whether
//!    this use needs a `DateLastUsed` write (the item's date is older than 5 minutes and
//!    this process has not written it within 5 minutes, [`crate::last_use`]), and
//!    [`record_last_use`] makes it, capped and never failing. The HTTP adapter runs it
//!    concurrently with the operation; the authorizer after its verification.
//!
//! [`verify`] does steps 1 and 2. They are public apart so that a caller can run the store
//! call alone under its deadline and time it (the HTTP API's request log does).

use std::time::{Duration, Instant};

use lambda_http::http::HeaderMap;
use time::OffsetDateTime;

use crate::auth::{self, CredentialError};
use crate::dates;
use crate::last_use::{self, LastUseReport, LastUseWrite, RecentWrites, LAST_USE_INTERVAL};
use crate::lifetime::Expiry;
use crate::store::{CallerRecord, StoreError, TokenStore};
use crate::token::{Token, TokenHash};

/// Why a presented token does not authenticate its caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No single usable `Authorization` header, or a token of the wrong shape.
    #[error("no usable token: {0}")]
    BadCredentials(CredentialError),
    /// A well-formed token with no item in the table.
    #[error("unknown token")]
    UnknownToken,
    /// The token's item is revoked.
    #[error("revoked token")]
    RevokedToken,
    /// The token's `DateExpires` is at or before now: reported as expired.
    #[error("expired token")]
    ExpiredToken,
    /// The token's `DateExpires` cannot be read: unusable, but not reported as expired.
    #[error("unreadable expiry")]
    UnreadableExpiry,
    /// The store could not answer; nothing is known about the token.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A caller whose token was found and is usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCaller {
    /// The digest of the caller's token (a new token's `CreatedBy`).
    pub token_hash: TokenHash,
    /// The caller's item: tenant, role, `TokenId`; never revoked, never expired.
    pub record: CallerRecord,
}

/// Step 1: the token `headers` present for `data_center`.
///
/// # Errors
/// [`VerifyError::BadCredentials`].
pub fn presented(headers: &HeaderMap, data_center: &str) -> Result<Token, VerifyError> {
    auth::presented_token(headers, data_center).map_err(VerifyError::BadCredentials)
}

/// Step 2: the item of `token`, read consistently from `store`, if it is usable at `now`.
///
/// # Errors
/// [`VerifyError::UnknownToken`], [`VerifyError::RevokedToken`],
/// [`VerifyError::UnreadableExpiry`], [`VerifyError::ExpiredToken`] or
/// [`VerifyError::Store`].
pub async fn lookup(
    token: &Token,
    store: &impl TokenStore,
    now: OffsetDateTime,
) -> Result<VerifiedCaller, VerifyError> {
    let token_hash = token.digest();
    let record = store
        .get_caller(&token_hash)
        .await?
        .ok_or(VerifyError::UnknownToken)?;
    if record.revoked {
        return Err(VerifyError::RevokedToken);
    }
    match record.expiry {
        Expiry::Unreadable => return Err(VerifyError::UnreadableExpiry),
        expiry if expiry.has_passed(now) => return Err(VerifyError::ExpiredToken),
        _ => {}
    }
    Ok(VerifiedCaller { token_hash, record })
}

/// Steps 1 and 2: the caller whose token `headers` present, if it is usable at `now`.
///
/// # Errors
/// Any [`VerifyError`].
pub async fn verify(
    headers: &HeaderMap,
    data_center: &str,
    store: &impl TokenStore,
    now: OffsetDateTime,
) -> Result<VerifiedCaller, VerifyError> {
    lookup(&presented(headers, data_center)?, store, now).await
}

/// Step 3, the decision: the `DateLastUsed` write this use of `caller` needs at `now`, if
/// any (at most one per token per 5 minutes: see [`last_use::plan`]). Claims the write in
/// `memory`, so the caller must then run it ([`record_last_use`]). `None` also when `now`
/// cannot be written as a date (a year beyond 9999).
pub fn last_use_write(
    caller: &VerifiedCaller,
    now: OffsetDateTime,
    memory: &RecentWrites,
) -> Option<LastUseWrite> {
    let date = dates::format(now).ok()?;
    let cutoff = dates::format(now - LAST_USE_INTERVAL).ok()?;
    last_use::plan(
        &caller.token_hash,
        caller.record.date_last_used.as_deref(),
        &date,
        &cutoff,
        memory,
        Instant::now(),
    )
}

/// Step 3, the write: the store's conditional `UpdateItem` for `write`, for at most `cap`.
/// Never fails: a failure or time-out is [`LastUseReport::Failed`] (and the claim in
/// `memory` is released so that the next use tries again).
pub async fn record_last_use(
    store: &impl TokenStore,
    write: &LastUseWrite,
    cap: Duration,
    memory: &RecentWrites,
) -> LastUseReport {
    last_use::run(
        store.record_last_use(&write.token_hash, &write.date, &write.cutoff),
        cap,
        &write.token_hash,
        memory,
    )
    .await
}

#[cfg(test)]
mod tests {
    use lambda_http::http::header::AUTHORIZATION;
    use lambda_http::http::HeaderValue;

    use super::*;
    use crate::store::memory::{MemoryItem, MemoryStore};

    const ADMIN: &str = "adminadminadminadmin00001-us-1";
    const REVOKED: &str = "revokedrevokedrevokedrev1-us-1";
    const EXPIRED: &str = "expiredexpiredexpiredexp1-us-1";
    const UNREADABLE: &str = "unreadableunreadableunre1-us-1";
    const EXPIRING: &str = "expiringexpiringexpiring1-us-1";
    const NOW: OffsetDateTime = time::macros::datetime!(2026-04-18 12:00:00.5 UTC);

    fn headers(authorization: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[tokio::test]
    async fn a_usable_token_gives_its_record_and_every_other_one_a_reason() {
        let store = MemoryStore::new();
        let item = |revoked| MemoryItem {
            tenant_id: 7,
            role: Some("Standard".to_owned()),
            revoked,
            ..MemoryItem::default()
        };
        store.insert(&TokenHash::of(ADMIN), item(false));
        store.insert(&TokenHash::of(REVOKED), item(true));
        let expiring = |date: &str| MemoryItem {
            date_expires: Some(date.to_owned()),
            ..item(false)
        };
        store.insert(&TokenHash::of(EXPIRED), expiring("2026-04-18T12:00:00"));
        store.insert(&TokenHash::of(UNREADABLE), expiring("2026-04-18"));
        store.insert(&TokenHash::of(EXPIRING), expiring("2026-04-18T12:00:01"));
        assert!(verify(
            &headers(Some(&format!("Bearer {EXPIRING}"))),
            "us-1",
            &store,
            NOW
        )
        .await
        .is_ok());
        let verified = verify(
            &headers(Some(&format!("Bearer {ADMIN}"))),
            "us-1",
            &store,
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(verified.token_hash, TokenHash::of(ADMIN));
        assert_eq!(verified.record.tenant_id, 7);
        assert!(!verified.record.is_administrator());
        for (authorization, expected) in [
            (None, VerifyError::BadCredentials(CredentialError::Missing)),
            (
                Some(format!("Bearer {ADMIN}-eu-1")),
                VerifyError::BadCredentials(CredentialError::BadShape),
            ),
            (
                Some("Bearer unknownunknownunknownunkn-us-1".to_owned()),
                VerifyError::UnknownToken,
            ),
            (Some(format!("Bearer {REVOKED}")), VerifyError::RevokedToken),
            (Some(format!("Bearer {EXPIRED}")), VerifyError::ExpiredToken),
            (
                Some(format!("Bearer {UNREADABLE}")),
                VerifyError::UnreadableExpiry,
            ),
        ] {
            let got = verify(&headers(authorization.as_deref()), "us-1", &store, NOW).await;
            assert_eq!(got, Err(expected), "{authorization:?}");
        }
        store.fail_with(Some(StoreError::Unavailable("down".to_owned())));
        let got = verify(
            &headers(Some(&format!("Bearer {ADMIN}"))),
            "us-1",
            &store,
            NOW,
        )
        .await;
        assert_eq!(
            got,
            Err(VerifyError::Store(StoreError::Unavailable(
                "down".to_owned()
            )))
        );
    }

    #[tokio::test]
    async fn a_use_is_written_once_and_the_write_never_fails() {
        let store = MemoryStore::new();
        store.insert(&TokenHash::of(ADMIN), MemoryItem::default());
        let memory = RecentWrites::new(10);
        let caller = verify(
            &headers(Some(&format!("Bearer {ADMIN}"))),
            "us-1",
            &store,
            NOW,
        )
        .await
        .unwrap();
        let write = last_use_write(&caller, NOW, &memory).unwrap();
        assert_eq!(write.date, "2026-04-18T12:00:00");
        assert_eq!(write.cutoff, "2026-04-18T11:55:00");
        let cap = Duration::from_secs(1);
        assert_eq!(
            record_last_use(&store, &write, cap, &memory).await,
            LastUseReport::Written
        );
        // The same process, same item as read: nothing more to write.
        assert_eq!(last_use_write(&caller, NOW, &memory), None);
        // Another process (fresh memory) reading the item as it was: the store skips.
        let other = RecentWrites::new(10);
        let write = last_use_write(&caller, NOW, &other).unwrap();
        assert_eq!(
            record_last_use(&store, &write, cap, &other).await,
            LastUseReport::Skipped
        );
        assert_eq!(store.last_use_writes(), 1);
        // A failing store: reported, released, retried on the next use.
        let third = RecentWrites::new(10);
        store.fail_last_use_with(Some(StoreError::Unavailable("throttled: X".to_owned())));
        let write = last_use_write(&caller, NOW, &third).unwrap();
        assert_eq!(
            record_last_use(&store, &write, cap, &third).await,
            LastUseReport::Failed("throttled: X".to_owned())
        );
        assert!(last_use_write(&caller, NOW, &third).is_some());
    }
}
