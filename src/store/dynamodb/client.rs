//! The DynamoDB client, built once per process with the time limits and retries that
//! keep a request's answer within 5 seconds ([`Timeouts`]), and [`DynamoDbStore`]: the
//! table read and written through it.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::classify::classify;
use super::item::{attr, CALLER_PROJECTION, CALLER_PROJECTION_NAMES};
use crate::store::StoreError;

/// Time limits and retries of the DynamoDB client (AWS SDK for Rust "Timeouts" and
/// "Retries" developer-guide pages). With two calls per request (`GetItem`, `PutItem`)
/// and the handler's overall [`crate::api::budget::STORE_DEADLINE`], a request that cannot
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

/// `client` with its DynamoDB endpoint set to `url` explicitly on the client's own
/// configuration, which no environment variable or shared-config setting can redirect
/// (AWS SDKs and Tools reference guide, "Service-specific endpoints").
pub fn with_endpoint(client: &Client, url: &str) -> Client {
    Client::from_conf(client.config().to_builder().endpoint_url(url).build())
}

/// The caller lookup every request starts with, ready to send: a strongly consistent
/// `GetItem` of the item whose `TokenHash` is `token_hash`, projected to
/// [`CALLER_PROJECTION`] (authentication and the caller's own view read nothing else).
/// The warm-up and the benchmark's floors send the same request.
pub fn caller_lookup(client: &Client, table: &str, token_hash: &str) -> GetItemFluentBuilder {
    client
        .get_item()
        .table_name(table)
        .key(attr::TOKEN_HASH, AttributeValue::S(token_hash.to_owned()))
        .consistent_read(true)
        .projection_expression(CALLER_PROJECTION)
        .set_expression_attribute_names(Some(
            CALLER_PROJECTION_NAMES
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ))
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

    /// An `UpdateItem` of the token item whose `TokenHash` is `token_hash`, to be given its
    /// condition and expressions: every change to a stored item starts here.
    pub(super) fn update_token(&self, token_hash: &str) -> UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table_name)
            .key(attr::TOKEN_HASH, AttributeValue::S(token_hash.to_owned()))
    }

    /// Opens the connection (DNS, TCP, TLS) and resolves credentials during cold start
    /// with a `GetItem` on a key no token can have, so that the first caller does not pay
    /// for them. Errors are returned for logging only; the function still starts.
    ///
    /// # Errors
    /// [`StoreError`] as for [`crate::store::TokenStore::get_caller`].
    pub async fn warm_up(&self) -> Result<(), StoreError> {
        // "-" is never a SHA-256 hex digest, so this reads nothing. The request has the
        // caller lookup's shape (consistent, the same projection), so that the first real
        // lookup finds both ends' code paths for it already taken.
        caller_lookup(&self.client, &self.table_name, "-")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(&e))
    }
}
