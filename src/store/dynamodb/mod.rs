//! [`TokenStore`] on one DynamoDB table (partition key `TokenHash` (S), no sort key) with
//! the global secondary index [`TENANT_TOKENS_INDEX`] (partition key `TenantId` (N), sort
//! key `TokenId` (S)); docs/api.md, "Storage".
//!
//! - The caller is read with a strongly consistent `GetItem` (`ConsistentRead = true`), so
//!   a token revoked a moment ago fails at once. Authentication never reads the index.
//! - New items are written with `PutItem` and the condition
//!   `attribute_not_exists(TokenHash)`: an existing item is never overwritten; the
//!   condition failing (`ConditionalCheckFailedException`) is [`PutOutcome::AlreadyExists`],
//!   unless the item in the way carries the new item's own `TokenId`: then a retried
//!   attempt found its own applied write, which is [`PutOutcome::Created`].
//! - Lists are a `Query` on the index (`TenantId = :tenant`, newest `TokenId` first), so
//!   they are eventually consistent (DynamoDB developer guide, "Global secondary indexes":
//!   reads from a GSI are eventually consistent).
//! - A revocation finds the item's key with a `Query` on the index (`TenantId = :tenant AND
//!   TokenId = :id`), then writes it with an `UpdateItem` conditioned on the same tenant and
//!   id, so an item of another tenant can never be changed even if the index were stale.
//! - A token's last use is one `UpdateItem SET DateLastUsed = :now` on its key, conditioned
//!   on `attribute_exists(TokenHash) AND (attribute_not_exists(DateLastUsed) OR
//!   DateLastUsed < :cutoff)`: it never creates an item, and of several processes writing
//!   within 5 minutes only the first succeeds; the others' failed condition is
//!   [`LastUseOutcome::Skipped`].
//! - A get finds the key the same way as a revocation, then reads the item consistently
//!   (`GetItem`) and checks its tenant and id again.
//! - A rotation finds the key the same way, reads the old item consistently, plans the
//!   rotation ([`crate::store::rotation`]), and writes it in ONE `TransactWriteItems`: the new item
//!   `Put` on `attribute_not_exists(TokenHash)`, the old item's `Update` on its tenant, id,
//!   no `RotatedToId`, not revoked and not expired; `ClientRequestToken` = the new
//!   `TokenId`, so the SDK's retry of an attempt whose answer was lost is idempotent. A
//!   cancelled `Put` is a collision; a cancelled `Update` (another writer came first) is
//!   classified by reading the item again.
//!
//! The client is built once per process by [`client_from_env`] with the time limits of
//! [`Timeouts`], so that a request whose store is unreachable, silent or throttling is
//! answered (503) well within 5 seconds.
//!
//! The files: `item` (attribute names, item mapping, fail-closed rules), `classify` (SDK
//! error -> [`StoreError`]), `client` (the client and its [`Timeouts`]), `schema` (the
//! index and [`create_table`]), `operator` (the bootstrap tool's operations, which the
//! function never uses), `rotate` (the rotation's transaction).

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::{
    CallerRecord, LastUseOutcome, ListQuery, NewTokenItem, PutOutcome, Revocation, RotateOutcome,
    Rotation, StoreError, TokenKey, TokenPage, TokenStore, TokenSummary,
};
use crate::store::rotation;
use crate::token::TokenHash;
use item::{item_tenant, old_token_from_item, token_of_tenant};
use rotate::{Written, MAX_ROTATE_ATTEMPTS};

mod classify;
mod client;
mod item;
mod operator;
mod rotate;
mod schema;

pub use classify::classify;
pub use client::{caller_lookup, client_from_env, with_endpoint, DynamoDbStore, Timeouts};
pub use item::{
    attr, item_attributes, summary_from_item, Item, Unshowable, CALLER_PROJECTION,
    CALLER_PROJECTION_NAMES, TENANT_ITEM_ATTRIBUTES,
};
pub use operator::{OperatorError, ScanProgress, SCAN_PAGE_ITEMS};
pub use schema::{create_table, INDEX_PROJECTED_ATTRIBUTES, TENANT_TOKENS_INDEX};

impl TokenStore for DynamoDbStore {
    async fn get_caller(&self, token_hash: &TokenHash) -> Result<Option<CallerRecord>, StoreError> {
        let output = caller_lookup(self.client(), self.table_name(), token_hash.as_str())
            .send()
            .await
            .map_err(|e| classify(&e))?;
        output.item.as_ref().map(CallerRecord::try_from).transpose()
    }

    /// The write is conditioned on `attribute_not_exists(TokenHash)` and asks for the
    /// existing item back when the condition fails (`ReturnValuesOnConditionCheckFailure =
    /// ALL_OLD`). The SDK retries an attempt whose answer was lost (a dropped connection,
    /// an attempt timeout) although DynamoDB may have applied it; the retry then finds the
    /// item it wrote. The item's `TokenId` is fresh per request, so an existing item
    /// carrying this item's `TokenId` is this request's own write: [`PutOutcome::Created`],
    /// not a collision, and no second token is drawn.
    async fn put_new(&self, item: &NewTokenItem) -> Result<PutOutcome, StoreError> {
        let result = self
            .client()
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(Item::from(item)))
            .condition_expression("attribute_not_exists(TokenHash)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(PutOutcome::Created),
            Err(error) => match &error {
                SdkError::ServiceError(e) => match e.err() {
                    PutItemError::ConditionalCheckFailedException(failed) => {
                        let existing_id = failed.item().and_then(|old| old.get(attr::TOKEN_ID));
                        if existing_id == Some(&AttributeValue::S(item.token_id.to_string())) {
                            Ok(PutOutcome::Created)
                        } else {
                            Ok(PutOutcome::AlreadyExists)
                        }
                    }
                    _ => Err(classify(&error)),
                },
                _ => Err(classify(&error)),
            },
        }
    }

    async fn list_tokens(&self, query: &ListQuery) -> Result<TokenPage, StoreError> {
        // One item more than the page, so that `next` is set only when a next page exists.
        let wanted = query.limit.max(1) as usize + 1;
        let mut tokens = Vec::with_capacity(wanted);
        let mut unshowable = Vec::new();
        let mut start_key = None;
        loop {
            let mut request = self
                .client()
                .query()
                .table_name(self.table_name())
                .index_name(TENANT_TOKENS_INDEX)
                .expression_attribute_values(
                    ":tenant",
                    AttributeValue::N(query.tenant_id.to_string()),
                )
                .scan_index_forward(false)
                .limit(i32::try_from(wanted - tokens.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start_key.take());
            request = match query.before {
                Some(before) => request
                    .key_condition_expression("TenantId = :tenant AND TokenId < :before")
                    .expression_attribute_values(":before", AttributeValue::S(before.to_string())),
                None => request.key_condition_expression("TenantId = :tenant"),
            };
            let output = request.send().await.map_err(|e| classify(&e))?;
            // An item that cannot be shown is left out and named; the page goes on. An
            // item of another tenant is not one of those: the index answered for the wrong
            // partition, and nothing of the page is shown (fail closed).
            for item in output.items() {
                if item_tenant(item) != Some(query.tenant_id) {
                    return Err(StoreError::Internal(
                        "listed item belongs to another tenant".to_owned(),
                    ));
                }
                match summary_from_item(item, query.tenant_id) {
                    Ok(token) => tokens.push(token),
                    Err(bad) => unshowable.push(bad.token_id),
                }
            }
            start_key = output.last_evaluated_key;
            if tokens.len() >= wanted || start_key.is_none() {
                break;
            }
        }
        let limit = wanted - 1;
        let next = (tokens.len() > limit).then(|| tokens[limit - 1].token_id);
        tokens.truncate(limit);
        Ok(TokenPage {
            tokens,
            next,
            unshowable,
        })
    }

    async fn revoke(&self, revocation: &Revocation) -> Result<Option<TokenSummary>, StoreError> {
        let tenant = AttributeValue::N(revocation.tenant_id.to_string());
        let token_id = AttributeValue::S(revocation.token_id.to_string());
        let key = TokenKey {
            tenant_id: revocation.tenant_id,
            token_id: revocation.token_id,
        };
        let Some(token_hash) = self.token_hash_of(&key).await? else {
            return Ok(None);
        };
        let mut update = self
            .update_token(&token_hash)
            // The item must still be this tenant's token with this id: never another's.
            .condition_expression("TenantId = :tenant AND TokenId = :id")
            .expression_attribute_values(":tenant", tenant)
            .expression_attribute_values(":id", token_id)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":now", AttributeValue::S(revocation.date_revoked.clone()))
            .return_values(ReturnValue::AllNew);
        update = match revocation.revoked_by_id {
            Some(by) => update
                .update_expression(
                    "SET Revoked = :true, DateRevoked = if_not_exists(DateRevoked, :now), \
                     RevokedById = if_not_exists(RevokedById, :by)",
                )
                .expression_attribute_values(":by", AttributeValue::S(by.to_string())),
            None => update.update_expression(
                "SET Revoked = :true, DateRevoked = if_not_exists(DateRevoked, :now)",
            ),
        };
        match update.send().await {
            Ok(output) => output
                .attributes
                .as_ref()
                .map(|item| {
                    summary_from_item(item, revocation.tenant_id).map_err(|_| {
                        StoreError::Internal("revoked item cannot be shown".to_owned())
                    })
                })
                .transpose(),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(None)
            }
            Err(e) => Err(classify(&e)),
        }
    }

    async fn record_last_use(
        &self,
        token_hash: &TokenHash,
        date: &str,
        cutoff: &str,
    ) -> Result<LastUseOutcome, StoreError> {
        let result = self
            .update_token(token_hash.as_str())
            .update_expression("SET DateLastUsed = :now")
            .condition_expression(
                "attribute_exists(TokenHash) AND \
                 (attribute_not_exists(DateLastUsed) OR DateLastUsed < :cutoff)",
            )
            .expression_attribute_values(":now", AttributeValue::S(date.to_owned()))
            .expression_attribute_values(":cutoff", AttributeValue::S(cutoff.to_owned()))
            .return_values(ReturnValue::None)
            .send()
            .await;
        match result {
            Ok(_) => Ok(LastUseOutcome::Written),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(LastUseOutcome::Skipped)
            }
            Err(e) => Err(classify(&e)),
        }
    }

    /// The index gives the key; the item is then read consistently (`GetItem`), so the
    /// answer reflects every write that answered before, and shown only if it is still
    /// the tenant's token with that id.
    async fn get_token(&self, key: &TokenKey) -> Result<Option<TokenSummary>, StoreError> {
        let Some(token_hash) = self.token_hash_of(key).await? else {
            return Ok(None);
        };
        let output = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .key(attr::TOKEN_HASH, AttributeValue::S(token_hash))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        Ok(output
            .item
            .as_ref()
            .and_then(|item| token_of_tenant(item, key.tenant_id, key.token_id)))
    }

    async fn rotate(&self, rotation: &Rotation) -> Result<RotateOutcome, StoreError> {
        let key = TokenKey {
            tenant_id: rotation.tenant_id,
            token_id: rotation.token_id,
        };
        let Some(token_hash) = self.token_hash_of(&key).await? else {
            return Ok(RotateOutcome::NotFound);
        };
        // A cancelled write is followed by a fresh read, which then says why (409/404);
        // the same plan is sent again only after a transaction conflict that changed nothing.
        for _ in 0..MAX_ROTATE_ATTEMPTS {
            let output = self
                .client()
                .get_item()
                .table_name(self.table_name())
                .key(attr::TOKEN_HASH, AttributeValue::S(token_hash.clone()))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| classify(&e))?;
            let old = output.item.as_ref().and_then(|item| {
                old_token_from_item(item, rotation.tenant_id, &rotation.token_id.to_string())
            });
            let Some(old) = old else {
                return Ok(RotateOutcome::NotFound);
            };
            let plan = match rotation::plan(&old, rotation) {
                Ok(plan) => plan,
                Err(conflict) => return Ok(RotateOutcome::Conflict(conflict)),
            };
            match self.write_rotation(&token_hash, rotation, &plan).await? {
                Written::Applied => return Ok(RotateOutcome::Rotated(Box::new(plan.new_item))),
                Written::Collision => return Ok(RotateOutcome::Collision),
                Written::OldChanged => continue,
            }
        }
        Err(StoreError::Unavailable(
            "rotation: transaction conflicts".to_owned(),
        ))
    }
}

impl DynamoDbStore {
    /// The `TokenHash` of the tenant's token `key.token_id`, from the `TenantTokens` index
    /// (`TenantId = :tenant AND TokenId = :id`, projecting the key only); `None` if the
    /// tenant has no such token. Eventually consistent: callers re-check the item.
    async fn token_hash_of(&self, key: &TokenKey) -> Result<Option<String>, StoreError> {
        let found = self
            .client()
            .query()
            .table_name(self.table_name())
            .index_name(TENANT_TOKENS_INDEX)
            .key_condition_expression("TenantId = :tenant AND TokenId = :id")
            .expression_attribute_values(":tenant", AttributeValue::N(key.tenant_id.to_string()))
            .expression_attribute_values(":id", AttributeValue::S(key.token_id.to_string()))
            .projection_expression(attr::TOKEN_HASH)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        Ok(
            match found.items().first().and_then(|i| i.get(attr::TOKEN_HASH)) {
                Some(AttributeValue::S(token_hash)) => Some(token_hash.clone()),
                _ => None,
            },
        )
    }
}
