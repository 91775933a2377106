//! The cold start both Lambda binaries share (`create-api-token` and `apikey-authorizer`),
//! in one place: the Tokio runtime for the execution model, the configuration (a typed
//! error naming the variable), and the DynamoDB store, its client built once with its time
//! limits and its connection opened by a warm-up call of at most [`WARM_UP_LIMIT`].
//!
//! One binary per execution model is not needed (AWS Lambda developer guide, "Lambda
//! Managed Instances"): without `AWS_LAMBDA_MAX_CONCURRENCY` (or with 1) one request at a
//! time on a single-threaded runtime, as classic Lambda sends them; with N > 1
//! `lambda_runtime`'s `run_concurrent` polls with N workers on a multi-threaded runtime.

use std::time::Duration;

use crate::config::{Config, ConfigError};
use crate::store::dynamodb::{client_from_env, with_endpoint, DynamoDbStore, Timeouts};

/// Longest the cold-start warm-up call may take before the function starts serving anyway.
pub const WARM_UP_LIMIT: Duration = Duration::from_millis(500);

/// `AWS_LAMBDA_MAX_CONCURRENCY`, read as `lambda_runtime` reads it: a positive integer,
/// else 1 (Lambda sets it only for functions on Managed Instances).
pub fn max_concurrency() -> u32 {
    std::env::var("AWS_LAMBDA_MAX_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
}

/// The Tokio runtime for [`max_concurrency`]: current-thread for one request at a time
/// (no second thread needed), multi-threaded when concurrent requests share the execution
/// environment's vCPUs.
///
/// # Errors
/// The runtime could not be built (the operating system refused a thread or a timer).
pub fn tokio_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    if max_concurrency() > 1 {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()
}

/// [`Config::from_env`], logging the error (which names the variable) before returning it.
///
/// # Errors
/// [`ConfigError`]: the function cannot start.
pub fn config_from_env() -> Result<Config, ConfigError> {
    Config::from_env().inspect_err(|error| {
        tracing::error!(%error, "configuration error; the function cannot start");
    })
}

/// The token table's store: the DynamoDB client built once with [`Timeouts::default`]
/// (pointed at `LOCAL_DYNAMODB_ENDPOINT_URL` when set, see
/// [`Config::local_dynamodb_endpoint_url`]), its connection opened by a warm-up call that
/// may take at most [`WARM_UP_LIMIT`]; a failed or slow warm-up is logged and the function
/// serves anyway.
pub async fn dynamodb_store(config: &Config) -> DynamoDbStore {
    let client = client_from_env(Timeouts::default()).await;
    let client = match &config.local_dynamodb_endpoint_url {
        Some(url) => with_endpoint(&client, url),
        None => client,
    };
    let store = DynamoDbStore::new(client, config.table_name.clone());
    match tokio::time::timeout(WARM_UP_LIMIT, store.warm_up()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "DynamoDB warm-up call failed; serving anyway"),
        Err(_) => tracing::warn!("DynamoDB warm-up call timed out; serving anyway"),
    }
    store
}
