//! An in-memory [`TokenStore`] for unit tests of the handler logic and for the
//! handler-cost benchmark. Not a substitute for DynamoDB in integration tests: it has no
//! index, so lists are immediately consistent here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::{
    CallerRecord, LastUseOutcome, ListQuery, NewTokenItem, PutOutcome, Revocation, RotateOutcome,
    Rotation, StoreError, TokenKey, TokenPage, TokenStore, TokenSummary,
};
use crate::dates;
use crate::lifetime::Expiry;
use crate::store::rotation::{self, OldChange, OldToken};
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
    /// `DateExpires`, if any, as stored (possibly unreadable).
    pub date_expires: Option<String>,
    /// `DateLastUsed`, if any.
    pub date_last_used: Option<String>,
    /// `RotatedFromId`, if any.
    pub rotated_from_id: Option<TokenId>,
    /// `RotatedToId`, if any.
    pub rotated_to_id: Option<TokenId>,
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
            date_expires: self.date_expires.clone(),
            date_last_used: self.date_last_used.clone(),
        }
    }
}

/// Items keyed by `TokenHash` hex, behind a mutex. `fail_with` makes every call fail;
/// [`MemoryStore::fail_last_use_with`] and [`MemoryStore::delay_last_use`] act on the
/// last-use write alone, whose applied writes [`MemoryStore::last_use_writes`] counts.
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<String, MemoryItem>>,
    fail_with: Mutex<Option<StoreError>>,
    fail_last_use_with: Mutex<Option<StoreError>>,
    last_use_delay: Mutex<Option<Duration>>,
    last_use_writes: AtomicUsize,
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

    /// Makes every later last-use write fail with `error` (or succeed again with `None`);
    /// the other calls are unaffected.
    pub fn fail_last_use_with(&self, error: Option<StoreError>) {
        *self
            .fail_last_use_with
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = error;
    }

    /// Makes every later last-use write take `delay` (tokio time) before it applies.
    pub fn delay_last_use(&self, delay: Option<Duration>) {
        *self
            .last_use_delay
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = delay;
    }

    /// How many last-use writes changed an item (skipped and failed ones not counted).
    pub fn last_use_writes(&self) -> usize {
        self.last_use_writes.load(Ordering::SeqCst)
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
                expiry: item
                    .date_expires
                    .as_deref()
                    .map_or(Expiry::Never, Expiry::from_stored),
                date_last_used: item.date_last_used.clone(),
                date_created: item.date_created.clone(),
                description: item.description.clone(),
                date_revoked: item.date_revoked.clone(),
                created_by_id: item.created_by_id,
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
                date_expires: item.date_expires.clone(),
                rotated_from_id: item.rotated_from_id,
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

    /// As DynamoDB's conditional `UpdateItem`: never creates an item, writes only when
    /// `DateLastUsed` is absent or before `cutoff`.
    async fn record_last_use(
        &self,
        token_hash: &TokenHash,
        date: &str,
        cutoff: &str,
    ) -> Result<LastUseOutcome, StoreError> {
        self.check_failure()?;
        let delay = *self
            .last_use_delay
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        if let Some(e) = &*self
            .fail_last_use_with
            .lock()
            .unwrap_or_else(|e| e.into_inner())
        {
            return Err(e.clone());
        }
        let mut items = self.lock();
        match items.get_mut(token_hash.as_str()) {
            Some(item) if item.date_last_used.as_deref().is_none_or(|d| d < cutoff) => {
                item.date_last_used = Some(date.to_owned());
                self.last_use_writes.fetch_add(1, Ordering::SeqCst);
                Ok(LastUseOutcome::Written)
            }
            _ => Ok(LastUseOutcome::Skipped),
        }
    }

    async fn get_token(&self, key: &TokenKey) -> Result<Option<TokenSummary>, StoreError> {
        self.check_failure()?;
        Ok(self
            .lock()
            .values()
            .find(|item| item.tenant_id == key.tenant_id && item.token_id == Some(key.token_id))
            .map(|item| item.summary(key.token_id)))
    }

    /// Atomic under the one lock: the old item is read, the plan made and both writes
    /// applied with no other call in between, or nothing is written.
    async fn rotate(&self, rotation: &Rotation) -> Result<RotateOutcome, StoreError> {
        self.check_failure()?;
        let mut items = self.lock();
        if items.contains_key(rotation.new_token_hash.as_str()) {
            return Ok(RotateOutcome::Collision);
        }
        let Some(old) = items.values_mut().find(|item| {
            item.tenant_id == rotation.tenant_id && item.token_id == Some(rotation.token_id)
        }) else {
            return Ok(RotateOutcome::NotFound);
        };
        let state = OldToken {
            role: old.role.clone(),
            description: old.description.clone(),
            date_created: dates::parse(&old.date_created),
            expiry: old
                .date_expires
                .as_deref()
                .map_or(Expiry::Never, Expiry::from_stored),
            revoked: old.revoked,
            rotated: old.rotated_to_id.is_some(),
        };
        let plan = match rotation::plan(&state, rotation) {
            Ok(plan) => plan,
            Err(conflict) => return Ok(RotateOutcome::Conflict(conflict)),
        };
        old.rotated_to_id = Some(plan.new_item.token_id);
        match &plan.old_change {
            OldChange::Revoke {
                date_revoked,
                revoked_by_id,
            } => {
                old.revoked = true;
                old.date_revoked = Some(date_revoked.clone());
                old.revoked_by_id = *revoked_by_id;
            }
            OldChange::ExpireAt(date) => old.date_expires = Some(date.clone()),
        }
        let new = &plan.new_item;
        items.insert(
            new.token_hash.as_str().to_owned(),
            MemoryItem {
                token_id: Some(new.token_id),
                tenant_id: new.tenant_id,
                role: Some(new.role.clone()),
                description: new.description.clone(),
                date_created: new.date_created.clone(),
                created_by: new.created_by.as_ref().map(|h| h.as_str().to_owned()),
                created_by_id: new.created_by_id,
                date_expires: new.date_expires.clone(),
                rotated_from_id: new.rotated_from_id,
                ..MemoryItem::default()
            },
        );
        Ok(RotateOutcome::Rotated(Box::new(plan.new_item)))
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
