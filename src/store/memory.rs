//! An in-memory [`TokenStore`] for unit tests of the handler logic and for the
//! handler-cost benchmark. Not a substitute for DynamoDB in integration tests.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{CallerRecord, NewTokenItem, PutOutcome, StoreError, TokenStore};
use crate::token::TokenHash;

/// One stored item, as the memory store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryItem {
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
    /// `Revoked`.
    pub revoked: bool,
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
                tenant_id: item.tenant_id,
                role: Some(item.role.clone()),
                description: item.description.clone(),
                date_created: item.date_created.clone(),
                created_by: item.created_by.as_ref().map(|h| h.as_str().to_owned()),
                revoked: false,
            },
        );
        Ok(PutOutcome::Created)
    }
}
