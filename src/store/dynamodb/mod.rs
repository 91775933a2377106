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
//!
//! The client is built once per process by [`client_from_env`] with the time limits of
//! [`Timeouts`], so that a request whose store is unreachable, silent or throttling is
//! answered (503) well within 5 seconds.
//!
//! The files: `item` (attribute names, item mapping, fail-closed rules), `classify` (SDK
//! error -> [`StoreError`]), `client` (the client and its [`Timeouts`]), `schema` (the
//! index and [`create_table`]), `operator` (the bootstrap tool's operations, which the
//! function never uses).

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::{
    CallerRecord, ListQuery, NewTokenItem, PutOutcome, Revocation, StoreError, TokenPage,
    TokenStore, TokenSummary,
};
use crate::token::TokenHash;

mod classify;
mod client;
mod item;
mod operator;
mod schema;

pub use classify::classify;
pub use client::{client_from_env, with_endpoint, DynamoDbStore, Timeouts};
pub use item::{
    attr, item_attributes, summary_from_item, Item, Unshowable, TENANT_ITEM_ATTRIBUTES,
};
pub use operator::{OperatorError, ScanProgress, SCAN_PAGE_ITEMS};
pub use schema::{create_table, INDEX_PROJECTED_ATTRIBUTES, TENANT_TOKENS_INDEX};

impl TokenStore for DynamoDbStore {
    async fn get_caller(&self, token_hash: &TokenHash) -> Result<Option<CallerRecord>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .key(
                attr::TOKEN_HASH,
                AttributeValue::S(token_hash.as_str().to_owned()),
            )
            .consistent_read(true)
            // `Role` is a DynamoDB reserved word, hence the placeholder.
            .projection_expression("TenantId, #role, Revoked, TokenId")
            .expression_attribute_names("#role", attr::ROLE)
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
            // An item that cannot be shown is left out and named; the page goes on.
            for item in output.items() {
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
        let found = self
            .client()
            .query()
            .table_name(self.table_name())
            .index_name(TENANT_TOKENS_INDEX)
            .key_condition_expression("TenantId = :tenant AND TokenId = :id")
            .expression_attribute_values(":tenant", tenant.clone())
            .expression_attribute_values(":id", token_id.clone())
            .projection_expression(attr::TOKEN_HASH)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let Some(AttributeValue::S(token_hash)) =
            found.items().first().and_then(|i| i.get(attr::TOKEN_HASH))
        else {
            return Ok(None);
        };
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .key(attr::TOKEN_HASH, AttributeValue::S(token_hash.clone()))
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
}
