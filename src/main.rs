//! `create-api-token`: the Lambda function binary.
//!
//! Cold start: set up logging ([`create_api_token::logging`]: `AWS_LAMBDA_LOG_LEVEL` /
//! `RUST_LOG`, `AWS_LAMBDA_LOG_FORMAT`, dependencies capped at `info`), read [`Config`] (fails naming `TABLE_NAME` if it is unset, or
//! `MAX_TOKEN_LIFETIME` if it is invalid),
//! build the DynamoDB client once with its time limits, open its connection with a cheap
//! call, then serve events from the Lambda Runtime API until the process is stopped (if
//! `lambda_runtime`'s loop ends outside the handler, a new one is started, a bounded number
//! of times: [`create_api_token::runtime`]), writing each request's log line and CloudWatch
//! metrics record to stdout.
//!
//! One binary for both execution models (AWS Lambda developer guide, "Lambda Managed
//! Instances"): without `AWS_LAMBDA_MAX_CONCURRENCY` (or with 1) one request at a time on a
//! single-threaded Tokio runtime, as classic Lambda sends them; with N > 1 (Managed
//! Instances) `lambda_runtime`'s `run_concurrent` polls with N workers on a multi-threaded
//! runtime, all sharing one [`App`] (one DynamoDB client, one token generator, one log
//! writer) behind an [`Arc`]. Each request keeps its own deadline and writes its own log line
//! with its own request id.

#![warn(missing_docs)]

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use create_api_token::event::ScrubHeaders;
use create_api_token::metrics::MetricsSink;
use create_api_token::runtime::serve_with_restarts;
use create_api_token::store::dynamodb::{client_from_env, with_endpoint, DynamoDbStore, Timeouts};
use create_api_token::{App, Config};
use lambda_http::{service_fn, Adapter, Error, Request};
use lambda_runtime::layers::TracingLayer;
use lambda_runtime::Runtime;

/// Longest the cold-start warm-up call may take before the function starts serving anyway.
const WARM_UP_LIMIT: Duration = Duration::from_millis(500);

/// `AWS_LAMBDA_MAX_CONCURRENCY`, read as `lambda_runtime` reads it: a positive integer,
/// else 1 (Lambda sets it only for functions on Managed Instances).
fn max_concurrency() -> u32 {
    std::env::var("AWS_LAMBDA_MAX_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
}

fn main() -> Result<(), Error> {
    // One request at a time needs no second thread; concurrent requests share the
    // execution environment's vCPUs.
    let runtime = if max_concurrency() > 1 {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()?;
    runtime.block_on(serve())
}

async fn serve() -> Result<(), Error> {
    create_api_token::logging::init();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!(%error, "configuration error; the function cannot start");
            return Err(error.into());
        }
    };
    let client = client_from_env(Timeouts::default()).await;
    // `LOCAL_DYNAMODB_ENDPOINT_URL` (set by `sam local --env-vars local/env.json`) wins over
    // the standard resolution; see `Config::local_dynamodb_endpoint_url`.
    let client = match &config.local_dynamodb_endpoint_url {
        Some(url) => with_endpoint(&client, url),
        None => client,
    };
    let store = DynamoDbStore::new(client, config.table_name);
    match tokio::time::timeout(WARM_UP_LIMIT, store.warm_up()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "DynamoDB warm-up call failed; serving anyway"),
        Err(_) => tracing::warn!("DynamoDB warm-up call timed out; serving anyway"),
    }

    // One CloudWatch EMF record per request on stdout (create_api_token::metrics).
    let app = Arc::new(
        App::new(store, config.data_center)
            .with_max_token_lifetime(config.max_token_lifetime)
            .with_metrics(MetricsSink::Stdout),
    );
    let handler = service_fn(move |request: Request| {
        let app = Arc::clone(&app);
        async move { Ok::<_, Infallible>(app.handle(request).await) }
    });
    // As `lambda_http::run`, with invalid header bytes scrubbed before parsing, and a new
    // runtime loop if lambda_runtime's ends (bounded); sequential unless
    // `AWS_LAMBDA_MAX_CONCURRENCY` > 1. (With N workers, the loop ends only once every
    // worker has.)
    serve_with_restarts(|| {
        Runtime::new(ScrubHeaders::new(Adapter::from(handler.clone())))
            .layer(TracingLayer::new())
            .run_concurrent()
    })
    .await
}
