//! An in-memory [`TokenStore`] for unit tests of the handler logic and for the
//! handler-cost benchmark. Not a substitute for DynamoDB in integration tests: it has no
//! index, so lists are immediately consistent here.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{
    CallerRecord, ListQuery, NewTokenItem, PutOutcome, Revocation, StoreError, TokenPage,
    TokenStore, TokenSummary,
};
use crate::token::TokenHash;
use crate::token_id::TokenId;

/// One stored item, as the memory store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemoryItem {
    /// `TokenId`, if any.
    pub token_id: Option<TokenId>,
    /// `TenantId`.
    pub tenant_id: i64,
    /// `Role`, if any.
    pub role: Option<String>,
    /// `Description`.
    pub description: String,
    /// `DateCreated`.
    pub date_created: String,
    /// `CreatedBy` hex digest, if any.
    pub created_by: Option<String>,
    /// `CreatedById`, if any.
    pub created_by_id: Option<TokenId>,
    /// `Revoked`.
    pub revoked: bool,
    /// `DateRevoked`, if any.
    pub date_revoked: Option<String>,
    /// `RevokedById`, if any.
    pub revoked_by_id: Option<TokenId>,
    /// A `TokenId` as a script could write it that is not a ULID (`token_id` is then
    /// `None`): the item is in the tenant's index but cannot be shown, so a list leaves it
    /// out and names it ([`TokenPage::unshowable`]).
    pub unshowable_token_id: Option<String>,
}

impl MemoryItem {
    fn summary(&self, token_id: TokenId) -> TokenSummary {
        TokenSummary {
            token_id,
            date_created: self.date_created.clone(),
            description: self.description.clone(),
            tenant_id: self.tenant_id,
            role: self.role.clone(),
            revoked: self.revoked,
            date_revoked: self.date_revoked.clone(),
            created_by_id: self.created_by_id,
        }
    }
}

/// Items keyed by `TokenHash` hex, behind a mutex. `fail_with` makes every call fail.
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<String, MemoryItem>>,
    fail_with: Mutex<Option<StoreError>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts or replaces an item directly (test set-up only).
    pub fn insert(&self, token_hash: &TokenHash, item: MemoryItem) {
        self.lock().insert(token_hash.as_str().to_owned(), item);
    }

    /// The item stored under `token_hash`, if any.
    pub fn get(&self, token_hash: &TokenHash) -> Option<MemoryItem> {
        self.lock().get(token_hash.as_str()).cloned()
    }

    /// A snapshot of every item, keyed by `TokenHash` hex.
    pub fn items(&self) -> HashMap<String, MemoryItem> {
        self.lock().clone()
    }

    /// Makes every later call fail with `error` (or succeed again with `None`).
    pub fn fail_with(&self, error: Option<StoreError>) {
        *self.fail_with.lock().unwrap_or_else(|e| e.into_inner()) = error;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, MemoryItem>> {
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn check_failure(&self) -> Result<(), StoreError> {
        match &*self.fail_with.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

impl TokenStore for MemoryStore {
    async fn get_caller(&self, token_hash: &TokenHash) -> Result<Option<CallerRecord>, StoreError> {
        self.check_failure()?;
        Ok(self
            .lock()
            .get(token_hash.as_str())
            .map(|item| CallerRecord {
                tenant_id: item.tenant_id,
                role: item.role.clone(),
                revoked: item.revoked,
                token_id: item.token_id,
            }))
    }

    async fn put_new(&self, item: &NewTokenItem) -> Result<PutOutcome, StoreError> {
        self.check_failure()?;
        let mut items = self.lock();
        if items.contains_key(item.token_hash.as_str()) {
            return Ok(PutOutcome::AlreadyExists);
        }
        items.insert(
            item.token_hash.as_str().to_owned(),
            MemoryItem {
                token_id: Some(item.token_id),
                tenant_id: item.tenant_id,
                role: Some(item.role.clone()),
                description: item.description.clone(),
                date_created: item.date_created.clone(),
                created_by: item.created_by.as_ref().map(|h| h.as_str().to_owned()),
                created_by_id: item.created_by_id,
                ..MemoryItem::default()
            },
        );
        Ok(PutOutcome::Created)
    }

    async fn list_tokens(&self, query: &ListQuery) -> Result<TokenPage, StoreError> {
        self.check_failure()?;
        let items = self.lock();
        let tenant = || {
            items
                .values()
                .filter(|item| item.tenant_id == query.tenant_id)
        };
        let mut tokens: Vec<TokenSummary> = tenant()
            .filter_map(|item| item.token_id.map(|id| item.summary(id)))
            .filter(|t| query.before.is_none_or(|before| t.token_id < before))
            .collect();
        tokens.sort_by_key(|t| std::cmp::Reverse(t.token_id));
        let limit = (query.limit as usize).max(1);
        let next = (tokens.len() > limit).then(|| tokens[limit - 1].token_id);
        tokens.truncate(limit);
        // No index here: every unshowable item of the tenant is named on every page.
        let mut unshowable: Vec<String> = tenant()
            .filter_map(|item| item.unshowable_token_id.clone())
            .collect();
        unshowable.sort();
        Ok(TokenPage {
            tokens,
            next,
            unshowable,
        })
    }

    async fn revoke(&self, revocation: &Revocation) -> Result<Option<TokenSummary>, StoreError> {
        self.check_failure()?;
        let mut items = self.lock();
        let Some(item) = items.values_mut().find(|item| {
            item.tenant_id == revocation.tenant_id && item.token_id == Some(revocation.token_id)
        }) else {
            return Ok(None);
        };
        item.revoked = true;
        item.date_revoked
            .get_or_insert_with(|| revocation.date_revoked.clone());
        if item.revoked_by_id.is_none() {
            item.revoked_by_id = revocation.revoked_by_id;
        }
        Ok(Some(item.summary(revocation.token_id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unshowable_item_is_named_not_listed_and_paging_goes_on() {
        let store = MemoryStore::new();
        let id = |n: u32| TokenId::parse(&format!("01KBGD{n:020}")).unwrap();
        for n in 1..=3 {
            let item = MemoryItem {
                token_id: Some(id(n)),
                tenant_id: 1,
                ..MemoryItem::default()
            };
            store.insert(&TokenHash::of(&format!("memoryfixture{n:012}-us-1")), item);
        }
        let bad = MemoryItem {
            tenant_id: 1,
            unshowable_token_id: Some("not-a-ulid".to_owned()),
            ..MemoryItem::default()
        };
        store.insert(&TokenHash::of("memoryfixturebad00000-us-1"), bad);
        let query = |before| ListQuery {
            tenant_id: 1,
            limit: 2,
            before,
        };
        let first = store.list_tokens(&query(None)).await.unwrap();
        assert_eq!(
            first.tokens.iter().map(|t| t.token_id).collect::<Vec<_>>(),
            [id(3), id(2)]
        );
        assert_eq!(first.next, Some(id(2)));
        assert_eq!(first.unshowable, ["not-a-ulid"]);
        let second = store.list_tokens(&query(first.next)).await.unwrap();
        assert_eq!(second.tokens.len(), 1);
        assert_eq!(second.next, None);
    }
}
