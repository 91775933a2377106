//! Token verification, the domain rule every front end of the service shares: the HTTP
//! API's authentication step (`api::authenticate`, which then applies the Administrator
//! rule) and, later, the Lambda authorizer. It knows headers and the store, nothing of
//! HTTP requests or responses.
//!
//! 1. [`presented`]: one usable `Authorization` header whose token has the shape
//!    `<body>-<DATA_CENTER>` ([`crate::auth`]); no store call.
//! 2. [`lookup`]: the token's SHA-256 digest, a strongly consistent `GetItem` on it
//!    ([`TokenStore::get_caller`]), and the item must exist and not be revoked (a
//!    `Revoked` that is not `false` counts as revoked: fail closed, [`crate::store`]).
//!
//! [`verify`] does both. The two steps are public apart so that a caller can run the store
//! call alone under its deadline and time it (the HTTP API's request log does).

use lambda_http::http::HeaderMap;

use crate::auth::{self, CredentialError};
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
    /// The store could not answer; nothing is known about the token.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A caller whose token was found and is usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCaller {
    /// The digest of the caller's token (a new token's `CreatedBy`).
    pub token_hash: TokenHash,
    /// The caller's item: tenant, role, `TokenId`; never revoked.
    pub record: CallerRecord,
}

/// Step 1: the token `headers` present for `data_center`.
///
/// # Errors
/// [`VerifyError::BadCredentials`].
pub fn presented(headers: &HeaderMap, data_center: &str) -> Result<Token, VerifyError> {
    auth::presented_token(headers, data_center).map_err(VerifyError::BadCredentials)
}

/// Step 2: the item of `token`, read consistently from `store`, if it is usable.
///
/// # Errors
/// [`VerifyError::UnknownToken`], [`VerifyError::RevokedToken`] or
/// [`VerifyError::Store`].
pub async fn lookup(token: &Token, store: &impl TokenStore) -> Result<VerifiedCaller, VerifyError> {
    let token_hash = token.digest();
    let record = store
        .get_caller(&token_hash)
        .await?
        .ok_or(VerifyError::UnknownToken)?;
    if record.revoked {
        return Err(VerifyError::RevokedToken);
    }
    Ok(VerifiedCaller { token_hash, record })
}

/// Both steps: the caller whose token `headers` present, if it is usable.
///
/// # Errors
/// Any [`VerifyError`].
pub async fn verify(
    headers: &HeaderMap,
    data_center: &str,
    store: &impl TokenStore,
) -> Result<VerifiedCaller, VerifyError> {
    lookup(&presented(headers, data_center)?, store).await
}

#[cfg(test)]
mod tests {
    use lambda_http::http::header::AUTHORIZATION;
    use lambda_http::http::HeaderValue;

    use super::*;
    use crate::store::memory::{MemoryItem, MemoryStore};

    const ADMIN: &str = "adminadminadminadmin00001-us-1";
    const REVOKED: &str = "revokedrevokedrevokedrev1-us-1";

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
        let verified = verify(&headers(Some(&format!("Bearer {ADMIN}"))), "us-1", &store)
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
        ] {
            let got = verify(&headers(authorization.as_deref()), "us-1", &store).await;
            assert_eq!(got, Err(expected), "{authorization:?}");
        }
        store.fail_with(Some(StoreError::Unavailable("down".to_owned())));
        let got = verify(&headers(Some(&format!("Bearer {ADMIN}"))), "us-1", &store).await;
        assert_eq!(
            got,
            Err(VerifyError::Store(StoreError::Unavailable(
                "down".to_owned()
            )))
        );
    }
}
