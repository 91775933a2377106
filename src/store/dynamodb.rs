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

use std::collections::HashMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ReturnValue, ReturnValuesOnConditionCheckFailure,
    ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;

use super::{
    CallerRecord, ListQuery, NewTokenItem, PutOutcome, Revocation, StoreError, TokenPage,
    TokenStore, TokenSummary,
};
use crate::token::TokenHash;
use crate::token_id::TokenId;

/// Attribute names of the token table (docs/api.md, "Storage").
pub mod attr {
    /// Partition key (S): lower-case hex SHA-256 of the token.
    pub const TOKEN_HASH: &str = "TokenHash";
    /// (N) the tenant the token acts for.
    pub const TENANT_ID: &str = "TenantId";
    /// (S) `Administrator` or `Standard`.
    pub const ROLE: &str = "Role";
    /// (S) the description as given.
    pub const DESCRIPTION: &str = "Description";
    /// (S) `YYYY-MM-DDTHH:MM:SS` UTC.
    pub const DATE_CREATED: &str = "DateCreated";
    /// (S) `TokenHash` of the creating token.
    pub const CREATED_BY: &str = "CreatedBy";
    /// (BOOL) `true` disables the token.
    pub const REVOKED: &str = "Revoked";
    /// (S) the item's ULID; sort key of the `TenantTokens` index.
    pub const TOKEN_ID: &str = "TokenId";
    /// (S) `TokenId` of the creating token, when it had one.
    pub const CREATED_BY_ID: &str = "CreatedById";
    /// (S) when the token was revoked, `YYYY-MM-DDTHH:MM:SS` UTC.
    pub const DATE_REVOKED: &str = "DateRevoked";
    /// (S) `TokenId` of the revoking token.
    pub const REVOKED_BY_ID: &str = "RevokedById";
}

/// The global secondary index listing a tenant's tokens: partition key `TenantId` (N), sort
/// key `TokenId` (S), projecting [`INDEX_PROJECTED_ATTRIBUTES`] besides the keys.
pub const TENANT_TOKENS_INDEX: &str = "TenantTokens";

/// Non-key attributes the `TenantTokens` index projects (`INCLUDE`): what a listed item
/// needs. Never the plaintext token, which is stored nowhere.
pub const INDEX_PROJECTED_ATTRIBUTES: [&str; 6] = [
    attr::DATE_CREATED,
    attr::DESCRIPTION,
    attr::ROLE,
    attr::REVOKED,
    attr::DATE_REVOKED,
    attr::CREATED_BY_ID,
];

/// Time limits and retries of the DynamoDB client (AWS SDK for Rust "Timeouts" and
/// "Retries" developer-guide pages). With two calls per request (`GetItem`, `PutItem`)
/// and the handler's overall [`crate::routes::STORE_DEADLINE`], a request that cannot
/// reach DynamoDB is answered within 5 seconds.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// TCP + TLS connection set-up.
    pub connect: Duration,
    /// One attempt (one HTTP request and its response).
    pub attempt: Duration,
    /// One operation: all attempts and the back-off between them.
    pub operation: Duration,
    /// Attempts per operation (first try included), standard retry mode.
    pub max_attempts: u32,
    /// First retry back-off (jittered, doubling).
    pub initial_backoff: Duration,
    /// Largest retry back-off.
    pub max_backoff: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_millis(1000),
            attempt: Duration::from_millis(1000),
            operation: Duration::from_millis(2200),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(25),
            max_backoff: Duration::from_millis(250),
        }
    }
}

/// Loads the AWS configuration the standard way (region, credentials, and
/// `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local) and builds a DynamoDB client with
/// `timeouts`. Call once per process.
pub async fn client_from_env(timeouts: Timeouts) -> Client {
    let sdk_config = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeouts.connect)
                .operation_attempt_timeout(timeouts.attempt)
                .operation_timeout(timeouts.operation)
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(timeouts.max_attempts)
                .with_initial_backoff(timeouts.initial_backoff)
                .with_max_backoff(timeouts.max_backoff),
        )
        .load()
        .await;
    Client::new(&sdk_config)
}

/// The token table, read and written through one shared client.
#[derive(Debug, Clone)]
pub struct DynamoDbStore {
    client: Client,
    table_name: String,
}

impl DynamoDbStore {
    /// A store over `table_name` using `client` (built once, e.g. by [`client_from_env`]).
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
        }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table name.
    pub fn table_name(&self) -> &str {
        &self.table_name
    }

    /// Opens the connection (DNS, TCP, TLS) and resolves credentials during cold start
    /// with a `GetItem` on a key no token can have, so that the first caller does not pay
    /// for them. Errors are returned for logging only; the function still starts.
    ///
    /// # Errors
    /// [`StoreError`] as for [`TokenStore::get_caller`].
    pub async fn warm_up(&self) -> Result<(), StoreError> {
        // "-" is never a SHA-256 hex digest, so this reads nothing.
        self.client
            .get_item()
            .table_name(&self.table_name)
            .key(attr::TOKEN_HASH, AttributeValue::S("-".to_owned()))
            .projection_expression(attr::TOKEN_HASH)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(&e))
    }
}

impl TokenStore for DynamoDbStore {
    async fn get_caller(&self, token_hash: &TokenHash) -> Result<Option<CallerRecord>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
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
        output.item.map(|item| caller_from_item(&item)).transpose()
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
            .client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(item_attributes(item)))
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
        let mut start_key = None;
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.table_name)
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
            for item in output.items() {
                tokens.push(summary_from_item(item, query.tenant_id)?);
            }
            start_key = output.last_evaluated_key;
            if tokens.len() >= wanted || start_key.is_none() {
                break;
            }
        }
        let limit = wanted - 1;
        let next = (tokens.len() > limit).then(|| tokens[limit - 1].token_id);
        tokens.truncate(limit);
        Ok(TokenPage { tokens, next })
    }

    async fn revoke(&self, revocation: &Revocation) -> Result<Option<TokenSummary>, StoreError> {
        let tenant = AttributeValue::N(revocation.tenant_id.to_string());
        let token_id = AttributeValue::S(revocation.token_id.to_string());
        let found = self
            .client
            .query()
            .table_name(&self.table_name)
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
            .client
            .update_item()
            .table_name(&self.table_name)
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
                .map(|item| summary_from_item(item, revocation.tenant_id))
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

/// The attributes of a new token item (docs/api.md, "Storage"); `CreatedBy` and
/// `CreatedById` only if known.
pub fn item_attributes(item: &NewTokenItem) -> HashMap<String, AttributeValue> {
    let mut attributes = HashMap::with_capacity(8);
    let mut put = |name: &str, value: AttributeValue| {
        attributes.insert(name.to_owned(), value);
    };
    put(
        attr::TOKEN_HASH,
        AttributeValue::S(item.token_hash.as_str().to_owned()),
    );
    put(attr::TOKEN_ID, AttributeValue::S(item.token_id.to_string()));
    put(
        attr::TENANT_ID,
        AttributeValue::N(item.tenant_id.to_string()),
    );
    put(attr::ROLE, AttributeValue::S(item.role.clone()));
    put(
        attr::DESCRIPTION,
        AttributeValue::S(item.description.clone()),
    );
    put(
        attr::DATE_CREATED,
        AttributeValue::S(item.date_created.clone()),
    );
    if let Some(created_by) = &item.created_by {
        put(
            attr::CREATED_BY,
            AttributeValue::S(created_by.as_str().to_owned()),
        );
    }
    if let Some(created_by_id) = &item.created_by_id {
        put(
            attr::CREATED_BY_ID,
            AttributeValue::S(created_by_id.to_string()),
        );
    }
    attributes
}

/// `Revoked`: absent or `BOOL false` is not revoked; anything else is (fail closed).
fn is_revoked(item: &HashMap<String, AttributeValue>) -> bool {
    !matches!(
        item.get(attr::REVOKED),
        None | Some(AttributeValue::Bool(false))
    )
}

fn string_attribute(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
}

fn integer_attribute(item: &HashMap<String, AttributeValue>, name: &str) -> Option<i64> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

/// Reads the caller's record from its item.
///
/// - `TenantId` must be an integer N, else [`StoreError::Internal`] (a corrupt item).
/// - `Role` is kept only if it is an S; `TokenId` only if it is a valid ULID.
/// - `Revoked`: absent or `BOOL false` is not revoked; anything else is (fail closed).
fn caller_from_item(item: &HashMap<String, AttributeValue>) -> Result<CallerRecord, StoreError> {
    if is_revoked(item) {
        // A revoked token is refused (401) whatever else its item holds.
        return Ok(CallerRecord {
            tenant_id: 0,
            role: None,
            revoked: true,
            token_id: None,
        });
    }
    let tenant_id = integer_attribute(item, attr::TENANT_ID)
        .ok_or_else(|| StoreError::Internal("caller item has no integer TenantId".to_owned()))?;
    Ok(CallerRecord {
        tenant_id,
        role: string_attribute(item, attr::ROLE),
        revoked: false,
        token_id: string_attribute(item, attr::TOKEN_ID).and_then(|s| TokenId::parse(&s)),
    })
}

/// Reads a listed or revoked item. It must carry a valid `TokenId` and the `TenantId` that
/// was asked for: anything else is [`StoreError::Internal`] (a corrupt item, or an index
/// answering for the wrong tenant), never shown to the caller.
fn summary_from_item(
    item: &HashMap<String, AttributeValue>,
    tenant_id: i64,
) -> Result<TokenSummary, StoreError> {
    let token_id = string_attribute(item, attr::TOKEN_ID)
        .and_then(|s| TokenId::parse(&s))
        .ok_or_else(|| StoreError::Internal("listed item has no valid TokenId".to_owned()))?;
    if integer_attribute(item, attr::TENANT_ID) != Some(tenant_id) {
        return Err(StoreError::Internal(
            "listed item belongs to another tenant".to_owned(),
        ));
    }
    Ok(TokenSummary {
        token_id,
        date_created: string_attribute(item, attr::DATE_CREATED).unwrap_or_default(),
        description: string_attribute(item, attr::DESCRIPTION).unwrap_or_default(),
        tenant_id,
        role: string_attribute(item, attr::ROLE),
        revoked: is_revoked(item),
        date_revoked: string_attribute(item, attr::DATE_REVOKED),
        created_by_id: string_attribute(item, attr::CREATED_BY_ID).and_then(|s| TokenId::parse(&s)),
    })
}

/// Error codes DynamoDB returns when a request exceeds a throughput or rate limit
/// (DynamoDB developer guide, "Error handling with DynamoDB"). After the SDK's retries
/// they mean "try again later": 503, cause class `throttled`.
const THROTTLING_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
];

/// Error codes of DynamoDB's own transient faults (same guide), also 503, cause class
/// `service_unavailable`, like any HTTP 5xx whatever its code.
const TRANSIENT_CODES: &[&str] = &[
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// Maps an SDK error to [`StoreError`], with a cause an operator can act on: a class, then
/// the error kind or code, never the SDK's message (which may quote request data) nor any
/// credential. [`StoreError::Unavailable`] (503):
///
/// - `no_aws_credentials: <kind>`: the credential provider chain found no credentials or
///   failed (`not_loaded`, `provider_timed_out`, `invalid_configuration`,
///   `provider_error`, `unhandled`);
/// - `endpoint_unreachable: io`: no connection (refused, DNS, TLS);
/// - `timed_out: connect` / `timed_out: operation`: the client's connect or
///   attempt/operation time limit ([`Timeouts`]);
/// - `dispatch_failure: user` / `dispatch_failure: other`: the request could not be sent
///   for another reason;
/// - `throttled: <code> (HTTP <status>)`: a throughput or rate limit, after retries;
/// - `service_unavailable: <code> (HTTP <status>)`: DynamoDB's own transient fault or any
///   HTTP 5xx;
/// - `unparseable_response`.
///
/// [`StoreError::Internal`] (500): `service_error: <code> (HTTP <status>)` for anything
/// else DynamoDB refused (e.g. `ResourceNotFoundException` for a missing table),
/// `request_construction_failure`, `unknown_sdk_error`.
pub fn classify<E>(error: &SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::TimeoutError(_) => StoreError::Unavailable("timed_out: operation".to_owned()),
        SdkError::DispatchFailure(f) => {
            if let Some(kind) = f.as_connector_error().and_then(credentials_error_kind) {
                return StoreError::Unavailable(format!("no_aws_credentials: {kind}"));
            }
            StoreError::Unavailable(
                if f.is_timeout() {
                    "timed_out: connect"
                } else if f.is_io() {
                    "endpoint_unreachable: io"
                } else if f.is_user() {
                    "dispatch_failure: user"
                } else {
                    "dispatch_failure: other"
                }
                .to_owned(),
            )
        }
        SdkError::ResponseError(_) => StoreError::Unavailable("unparseable_response".to_owned()),
        SdkError::ServiceError(e) => {
            let code = e.err().code().unwrap_or("unknown");
            let status = e.raw().status().as_u16();
            if THROTTLING_CODES.contains(&code) {
                StoreError::Unavailable(format!("throttled: {code} (HTTP {status})"))
            } else if TRANSIENT_CODES.contains(&code) || status >= 500 {
                StoreError::Unavailable(format!("service_unavailable: {code} (HTTP {status})"))
            } else {
                StoreError::Internal(format!("service_error: {code} (HTTP {status})"))
            }
        }
        SdkError::ConstructionFailure(_) => {
            StoreError::Internal("request_construction_failure".to_owned())
        }
        _ => StoreError::Internal("unknown_sdk_error".to_owned()),
    }
}

/// The kind of the credential provider error somewhere in `error`'s source chain: how the
/// SDK reports that it could not resolve credentials before sending anything.
fn credentials_error_kind(error: &aws_sdk_dynamodb::error::ConnectorError) -> Option<&'static str> {
    use aws_credential_types::provider::error::CredentialsError;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return Some(match c {
                CredentialsError::CredentialsNotLoaded(_) => "not_loaded",
                CredentialsError::ProviderTimedOut(_) => "provider_timed_out",
                CredentialsError::InvalidConfiguration(_) => "invalid_configuration",
                CredentialsError::ProviderError(_) => "provider_error",
                CredentialsError::Unhandled(_) => "unhandled",
                _ => "other",
            });
        }
        source = e.source();
    }
    None
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pairs: &[(&str, AttributeValue)]) -> HashMap<String, AttributeValue> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn caller_record_from_item() {
        let r = caller_from_item(&item(&[
            ("TenantId", AttributeValue::N("42".into())),
            ("Role", AttributeValue::S("Administrator".into())),
        ]))
        .unwrap();
        assert_eq!(r.tenant_id, 42);
        assert!(r.is_administrator());
        assert!(!r.revoked);
    }

    #[test]
    fn revoked_fails_closed() {
        let base = [("TenantId", AttributeValue::N("1".into()))];
        let with = |v: AttributeValue| {
            let mut i = item(&base);
            i.insert("Revoked".into(), v);
            caller_from_item(&i).unwrap().revoked
        };
        assert!(!caller_from_item(&item(&base)).unwrap().revoked);
        assert!(!with(AttributeValue::Bool(false)));
        assert!(with(AttributeValue::Bool(true)));
        assert!(with(AttributeValue::S("false".into())));
        assert!(with(AttributeValue::Null(true)));
    }

    #[test]
    fn roles_other_than_exact_administrator_are_not_admin() {
        for role in [
            Some(AttributeValue::S("administrator".into())),
            Some(AttributeValue::S("Administrator ".into())),
            Some(AttributeValue::S("Standard".into())),
            Some(AttributeValue::Ss(vec!["Administrator".into()])),
            None,
        ] {
            let mut i = item(&[("TenantId", AttributeValue::N("1".into()))]);
            if let Some(r) = role {
                i.insert("Role".into(), r);
            }
            assert!(!caller_from_item(&i).unwrap().is_administrator());
        }
    }

    #[test]
    fn tenant_must_be_an_integer() {
        for t in [
            Some(AttributeValue::N("1.5".into())),
            Some(AttributeValue::S("1".into())),
            None,
        ] {
            let mut i = item(&[]);
            if let Some(t) = t {
                i.insert("TenantId".into(), t);
            }
            assert!(matches!(caller_from_item(&i), Err(StoreError::Internal(_))));
        }
    }

    mod classify_causes {
        use super::super::*;
        use aws_credential_types::provider::error::CredentialsError;
        use aws_sdk_dynamodb::error::ErrorMetadata;
        use aws_sdk_dynamodb::operation::get_item::GetItemError;
        use aws_smithy_runtime_api::client::result::ConnectorError;
        use aws_smithy_types::body::SdkBody;

        type GetItemSdkError = SdkError<GetItemError, HttpResponse>;

        fn service(code: &str, status: u16) -> GetItemSdkError {
            let err = GetItemError::generic(
                ErrorMetadata::builder()
                    .code(code)
                    .message("secret-looking message TokenHash=abc123")
                    .build(),
            );
            let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
            SdkError::service_error(err, raw)
        }

        fn unavailable(e: &GetItemSdkError) -> String {
            match classify(e) {
                StoreError::Unavailable(cause) => cause,
                other => panic!("expected Unavailable, got {other:?}"),
            }
        }

        #[test]
        fn each_503_cause_names_its_class_and_nothing_else() {
            let no_creds = SdkError::dispatch_failure(ConnectorError::other(
                Box::new(CredentialsError::not_loaded(
                    "no providers in chain provided credentials",
                )),
                None,
            ));
            assert_eq!(unavailable(&no_creds), "no_aws_credentials: not_loaded");
            let provider_failed = SdkError::dispatch_failure(ConnectorError::other(
                Box::new(CredentialsError::provider_error("AKIASECRET rejected")),
                None,
            ));
            assert_eq!(
                unavailable(&provider_failed),
                "no_aws_credentials: provider_error"
            );
            let refused = SdkError::dispatch_failure(ConnectorError::io(
                "connection refused 10.0.0.1".into(),
            ));
            assert_eq!(unavailable(&refused), "endpoint_unreachable: io");
            let connect = SdkError::dispatch_failure(ConnectorError::timeout("connect".into()));
            assert_eq!(unavailable(&connect), "timed_out: connect");
            let other = SdkError::dispatch_failure(ConnectorError::other("boom".into(), None));
            assert_eq!(unavailable(&other), "dispatch_failure: other");
            let operation: GetItemSdkError = SdkError::timeout_error("operation timeout");
            assert_eq!(unavailable(&operation), "timed_out: operation");
            for code in [
                "ProvisionedThroughputExceededException",
                "ThrottlingException",
                "RequestLimitExceeded",
            ] {
                assert_eq!(
                    unavailable(&service(code, 400)),
                    format!("throttled: {code} (HTTP 400)")
                );
            }
            assert_eq!(
                unavailable(&service("InternalServerError", 500)),
                "service_unavailable: InternalServerError (HTTP 500)"
            );
            assert_eq!(
                unavailable(&service("Whatever", 502)),
                "service_unavailable: Whatever (HTTP 502)"
            );
        }

        #[test]
        fn other_refusals_are_500_with_their_code_and_no_message() {
            match classify(&service("ResourceNotFoundException", 400)) {
                StoreError::Internal(cause) => {
                    assert_eq!(cause, "service_error: ResourceNotFoundException (HTTP 400)")
                }
                other => panic!("{other:?}"),
            }
            match classify(&service("ValidationException", 400)) {
                StoreError::Internal(cause) => assert!(!cause.contains("abc123"), "{cause}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
