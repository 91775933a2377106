//! The table's layout as code: its `TenantTokens` index and [`create_table`] (the
//! bootstrap tool and the tests against DynamoDB Local; in AWS `template.yaml` makes it).

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;

use super::classify::classify;
use super::item::attr;
use crate::store::StoreError;

/// The global secondary index listing a tenant's tokens: partition key `TenantId` (N), sort
/// key `TokenId` (S), projecting [`INDEX_PROJECTED_ATTRIBUTES`] besides the keys.
pub const TENANT_TOKENS_INDEX: &str = "TenantTokens";

/// Non-key attributes the `TenantTokens` index projects (`INCLUDE`): what a listed item
/// needs. Never the plaintext token, which is stored nowhere.
pub const INDEX_PROJECTED_ATTRIBUTES: [&str; 9] = [
    attr::DATE_CREATED,
    attr::DESCRIPTION,
    attr::ROLE,
    attr::REVOKED,
    attr::DATE_REVOKED,
    attr::CREATED_BY_ID,
    attr::DATE_EXPIRES,
    attr::DATE_LAST_USED,
    attr::ROTATED_TO_ID,
];

/// Creates the token table if it does not exist: on-demand, partition key `TokenHash` (S),
/// and the [`TENANT_TOKENS_INDEX`] global secondary index (partition key `TenantId` (N),
/// sort key `TokenId` (S), `INCLUDE` projection of [`INDEX_PROJECTED_ATTRIBUTES`]), as
/// `template.yaml` declares it. Used by the bootstrap tool and the tests against DynamoDB
/// Local; in AWS the table comes from `template.yaml`. Returns `true` if it was created.
///
/// # Errors
/// [`StoreError`] if the table cannot be created (an existing table is not an error).
pub async fn create_table(client: &Client, table_name: &str) -> Result<bool, StoreError> {
    let build_error = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Internal(e.to_string());
    let definition = |name: &str, kind: ScalarAttributeType| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .map_err(build_error)
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .map_err(build_error)
    };
    let index = GlobalSecondaryIndex::builder()
        .index_name(TENANT_TOKENS_INDEX)
        .key_schema(key(attr::TENANT_ID, KeyType::Hash)?)
        .key_schema(key(attr::TOKEN_ID, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::Include)
                .set_non_key_attributes(Some(
                    INDEX_PROJECTED_ATTRIBUTES.map(str::to_owned).to_vec(),
                ))
                .build(),
        )
        .build()
        .map_err(build_error)?;
    let result = client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(definition(attr::TOKEN_HASH, ScalarAttributeType::S)?)
        .attribute_definitions(definition(attr::TENANT_ID, ScalarAttributeType::N)?)
        .attribute_definitions(definition(attr::TOKEN_ID, ScalarAttributeType::S)?)
        .key_schema(key(attr::TOKEN_HASH, KeyType::Hash)?)
        .global_secondary_indexes(index)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("ResourceInUseException") => Ok(false),
        Err(e) => Err(classify(&e)),
    }
}
