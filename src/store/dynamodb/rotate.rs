//! The rotation's ONE `TransactWriteItems` (module docs of [`super`]): the new item's `Put`
//! on `attribute_not_exists(TokenHash)` and the old item's `Update` on its tenant, id, no
//! `RotatedToId`, not revoked and not expired, with `ClientRequestToken` = the new
//! `TokenId`; and what a cancellation means.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use super::{attr, classify, DynamoDbStore, Item};
use crate::dates;
use crate::store::rotation::{OldChange, Plan, Rotation};
use crate::store::StoreError;

/// Reads and transactions one rotation makes at most when other writers keep changing the
/// old item between its read and its write.
pub(super) const MAX_ROTATE_ATTEMPTS: usize = 3;

/// How a rotation's transaction ended.
pub(super) enum Written {
    /// Both writes applied.
    Applied,
    /// The new item's `TokenHash` is taken (the `Put`'s condition failed).
    Collision,
    /// The old item no longer met its condition, or another transaction held it.
    OldChanged,
}

impl DynamoDbStore {
    /// The rotation's ONE `TransactWriteItems` (see the module docs).
    pub(super) async fn write_rotation(
        &self,
        old_hash: &str,
        rotation: &Rotation,
        plan: &Plan,
    ) -> Result<Written, StoreError> {
        let put = Put::builder()
            .table_name(self.table_name())
            .set_item(Some(Item::from(&plan.new_item)))
            .condition_expression("attribute_not_exists(TokenHash)")
            .build()
            .map_err(|e| StoreError::Internal(format!("rotation put: {e}")))?;
        let now = dates::format(rotation.now).map_err(|e| StoreError::Internal(e.to_string()))?;
        let mut update = Update::builder()
            .table_name(self.table_name())
            .key(attr::TOKEN_HASH, AttributeValue::S(old_hash.to_owned()))
            .condition_expression(
                "TenantId = :tenant AND TokenId = :id AND attribute_not_exists(RotatedToId) \
                 AND (attribute_not_exists(Revoked) OR Revoked = :false) \
                 AND (attribute_not_exists(DateExpires) OR DateExpires > :now)",
            )
            .expression_attribute_values(
                ":tenant",
                AttributeValue::N(rotation.tenant_id.to_string()),
            )
            .expression_attribute_values(":id", AttributeValue::S(rotation.token_id.to_string()))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":now", AttributeValue::S(now))
            .expression_attribute_values(
                ":new",
                AttributeValue::S(plan.new_item.token_id.to_string()),
            );
        update = match &plan.old_change {
            OldChange::Revoke {
                date_revoked,
                revoked_by_id,
            } => {
                let update = update
                    .expression_attribute_values(":true", AttributeValue::Bool(true))
                    .expression_attribute_values(
                        ":revoked",
                        AttributeValue::S(date_revoked.clone()),
                    );
                match revoked_by_id {
                    Some(by) => update
                        .update_expression(
                            "SET RotatedToId = :new, Revoked = :true, DateRevoked = :revoked, \
                             RevokedById = :by",
                        )
                        .expression_attribute_values(":by", AttributeValue::S(by.to_string())),
                    None => update.update_expression(
                        "SET RotatedToId = :new, Revoked = :true, DateRevoked = :revoked",
                    ),
                }
            }
            OldChange::ExpireAt(date) => update
                .update_expression("SET RotatedToId = :new, DateExpires = :expires")
                .expression_attribute_values(":expires", AttributeValue::S(date.clone())),
        };
        let update = update
            .build()
            .map_err(|e| StoreError::Internal(format!("rotation update: {e}")))?;
        let result = self
            .client()
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(update).build())
            .client_request_token(plan.new_item.token_id.to_string())
            .send()
            .await;
        match result {
            Ok(_) => Ok(Written::Applied),
            Err(SdkError::ServiceError(e)) => match e.err() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                    let code = |i: usize| {
                        cancelled
                            .cancellation_reasons()
                            .get(i)
                            .and_then(|r| r.code())
                            .unwrap_or("None")
                    };
                    Ok(match (code(0), code(1)) {
                        ("ConditionalCheckFailed", _) => Written::Collision,
                        (_, "ConditionalCheckFailed" | "TransactionConflict") => {
                            Written::OldChanged
                        }
                        ("TransactionConflict", _) => Written::OldChanged,
                        _ => {
                            return Err(StoreError::Unavailable(format!(
                                "TransactionCanceled: {}/{}",
                                code(0),
                                code(1)
                            )))
                        }
                    })
                }
                TransactWriteItemsError::TransactionInProgressException(_) => {
                    Ok(Written::OldChanged)
                }
                _ => Err(classify(&SdkError::ServiceError(e))),
            },
            Err(e) => Err(classify(&e)),
        }
    }
}
