//! `create-api-token`: the Lambda function binary.
//!
//! Cold start: set up logging ([`create_api_token::logging`]: `AWS_LAMBDA_LOG_LEVEL` /
//! `RUST_LOG`, `AWS_LAMBDA_LOG_FORMAT`, dependencies capped at `info`), read [`Config`] (fails naming `TABLE_NAME` if it is unset),
//! build the DynamoDB client once with its time limits, open its connection with a cheap
//! call, then serve events from the Lambda Runtime API until the process is stopped (a
//! panic inside `lambda_runtime` between events starts its loop again:
//! [`create_api_token::runtime`]), writing each request's log line and CloudWatch metrics
//! record to stdout.

#![warn(missing_docs)]

use std::convert::Infallible;
use std::time::Duration;

use create_api_token::event::ScrubHeaders;
use create_api_token::metrics::MetricsSink;
use create_api_token::runtime::restart_after_panic;
use create_api_token::store::dynamodb::{client_from_env, DynamoDbStore, Timeouts};
use create_api_token::{App, Config};
use lambda_http::{service_fn, Adapter, Error, Request};
use lambda_runtime::layers::TracingLayer;
use lambda_runtime::Runtime;

/// Longest the cold-start warm-up call may take before the function starts serving anyway.
const WARM_UP_LIMIT: Duration = Duration::from_millis(500);

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
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
        Some(url) => aws_sdk_dynamodb::Client::from_conf(
            client.config().to_builder().endpoint_url(url).build(),
        ),
        None => client,
    };
    let store = DynamoDbStore::new(client, config.table_name);
    match tokio::time::timeout(WARM_UP_LIMIT, store.warm_up()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "DynamoDB warm-up call failed; serving anyway"),
        Err(_) => tracing::warn!("DynamoDB warm-up call timed out; serving anyway"),
    }

    // One CloudWatch EMF record per request on stdout (create_api_token::metrics).
    let app = App::new(store, config.data_center).with_metrics(MetricsSink::Stdout);
    let app = &app;
    let handler = service_fn(move |request: Request| async move {
        Ok::<_, Infallible>(app.handle(request).await)
    });
    // As `lambda_http::run`, with invalid header bytes scrubbed before parsing, and a new
    // runtime loop if lambda_runtime panics between events.
    restart_after_panic(|| {
        Runtime::new(ScrubHeaders::new(Adapter::from(handler)))
            .layer(TracingLayer::new())
            .run()
    })
    .await
}
