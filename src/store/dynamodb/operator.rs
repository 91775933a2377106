//! The operator's operations on the table, for the bootstrap tool only (the function's
//! IAM policy allows none of them): read a whole tenant, items without a `TokenId`
//! included (they are not in the `TenantTokens` index), revoke an item by its token's
//! digest, mark an item rotated (a dev fixture), and prove which DynamoDB answers (the
//! ARN of the table). Minting and revoking by `TokenId` are the function's own
//! [`TokenStore`](crate::store::TokenStore) operations. Items are read through the same
//! mapping as the function's ([`super::item`]).

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::classify::classify;
use super::client::DynamoDbStore;
use super::item::{attr, TENANT_ITEM_ATTRIBUTES};
use crate::store::{StoreError, TenantItem};
use crate::token::TokenHash;
use crate::token_id::TokenId;

/// Items per `Scan` page of [`DynamoDbStore::scan_tenant`].
pub const SCAN_PAGE_ITEMS: i32 = 500;

/// Why an operator's operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    /// The table does not exist.
    #[error("no such table")]
    NoTable,
    /// Any other failure, classified as the function's are.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Progress of a scan, after each page: items read so far, and how many were the tenant's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanProgress {
    /// Items of the table read so far.
    pub scanned: i32,
    /// Items of the tenant found so far.
    pub found: usize,
}

impl DynamoDbStore {
    /// Every item of `tenant`, read with a strongly consistent, filtered `Scan` of the
    /// whole table (all pages, [`SCAN_PAGE_ITEMS`] each), calling `progress` after every
    /// page but the last.
    ///
    /// # Errors
    /// [`OperatorError::NoTable`], or [`OperatorError::Store`].
    pub async fn scan_tenant(
        &self,
        tenant: i64,
        mut progress: impl FnMut(ScanProgress),
    ) -> Result<Vec<TenantItem>, OperatorError> {
        let names: Vec<String> = (0..TENANT_ITEM_ATTRIBUTES.len())
            .map(|i| format!("#a{i}"))
            .collect();
        let mut items = Vec::new();
        let mut scanned = 0;
        let mut start_key = None;
        loop {
            let mut request = self
                .client()
                .scan()
                .table_name(self.table_name())
                .consistent_read(true)
                .limit(SCAN_PAGE_ITEMS)
                .filter_expression("#tenant = :tenant")
                .expression_attribute_names("#tenant", attr::TENANT_ID)
                .expression_attribute_values(":tenant", AttributeValue::N(tenant.to_string()))
                .projection_expression(names.join(", "))
                .set_exclusive_start_key(start_key.take());
            for (name, attribute) in names.iter().zip(TENANT_ITEM_ATTRIBUTES) {
                request = request.expression_attribute_names(name, attribute);
            }
            let page = request.send().await.map_err(|e| {
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception())
                {
                    OperatorError::NoTable
                } else {
                    OperatorError::Store(classify(&e))
                }
            })?;
            scanned += page.scanned_count;
            items.extend(page.items().iter().map(TenantItem::from));
            start_key = page.last_evaluated_key;
            if start_key.is_none() {
                return Ok(items);
            }
            progress(ScanProgress {
                scanned,
                found: items.len(),
            });
        }
    }

    /// Revokes the item keyed by `token_hash`, whatever its tenant and whether or not it
    /// has a `TokenId`, by an `UpdateItem` conditioned on `attribute_exists(TokenHash)` (so
    /// an unknown token creates nothing), setting `Revoked = true` and keeping the first
    /// `DateRevoked`. `Ok(None)` if no item has that digest.
    ///
    /// # Errors
    /// [`StoreError`] as for the function's calls.
    pub async fn revoke_by_hash(
        &self,
        token_hash: &TokenHash,
        date_revoked: &str,
    ) -> Result<Option<TenantItem>, StoreError> {
        let result = self
            .update_token(token_hash.as_str())
            .condition_expression("attribute_exists(TokenHash)")
            .update_expression(
                "SET Revoked = :true, DateRevoked = if_not_exists(DateRevoked, :now)",
            )
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":now", AttributeValue::S(date_revoked.to_owned()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => Ok(Some(TenantItem::from(
                &output.attributes.unwrap_or_default(),
            ))),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(None)
            }
            Err(e) => Err(classify(&e)),
        }
    }

    /// Sets `RotatedToId = rotated_to` on the item keyed by `token_hash`, as a rotation to
    /// that `TokenId` leaves the old item, by an `UpdateItem` conditioned on
    /// `attribute_exists(TokenHash)` (an unknown token creates nothing). For the bootstrap
    /// tool's dev fixture of a token already rotated (`mint --import-token ... --rotated-to`,
    /// DynamoDB Local only). `Ok(false)` if no item has that digest.
    ///
    /// # Errors
    /// [`StoreError`] as for the function's calls.
    pub async fn set_rotated_to(
        &self,
        token_hash: &TokenHash,
        rotated_to: TokenId,
    ) -> Result<bool, StoreError> {
        let result = self
            .update_token(token_hash.as_str())
            .condition_expression("attribute_exists(TokenHash)")
            .update_expression("SET #to = :to")
            .expression_attribute_names("#to", attr::ROTATED_TO_ID)
            .expression_attribute_values(":to", AttributeValue::S(rotated_to.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(false)
            }
            Err(e) => Err(classify(&e)),
        }
    }

    /// The table's ARN as the endpoint reports it (`DescribeTable`): DynamoDB Local gives
    /// every table one in region `ddblocal`, account `000000000000`.
    ///
    /// # Errors
    /// [`OperatorError::NoTable`], or [`OperatorError::Store`].
    pub async fn table_arn(&self) -> Result<String, OperatorError> {
        let described = self
            .client()
            .describe_table()
            .table_name(self.table_name())
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception())
                {
                    OperatorError::NoTable
                } else {
                    OperatorError::Store(classify(&e))
                }
            })?;
        Ok(described
            .table
            .and_then(|t| t.table_arn)
            .unwrap_or_default())
    }
}
