//! `create-api-token`: the Lambda function binary.
//!
//! Cold start: set up logging ([`create_api_token::logging`]: `AWS_LAMBDA_LOG_LEVEL` /
//! `RUST_LOG`, `AWS_LAMBDA_LOG_FORMAT`, dependencies capped at `info`), read
//! [`create_api_token::Config`] (fails naming `TABLE_NAME` if it is unset, or
//! `MAX_TOKEN_LIFETIME` if it is invalid), build the DynamoDB client once with its time
//! limits, open its connection with a cheap
//! call, then serve events from the Lambda Runtime API until the process is stopped (if
//! `lambda_runtime`'s loop ends outside the handler, a new one is started, a bounded number
//! of times: [`create_api_token::runtime`]), writing each request's log line and CloudWatch
//! metrics record to stdout.
//!
//! One binary for both execution models (AWS Lambda developer guide, "Lambda Managed
//! Instances"; [`create_api_token::startup`]): without `AWS_LAMBDA_MAX_CONCURRENCY` (or with 1) one request at a time on a
//! single-threaded Tokio runtime, as classic Lambda sends them; with N > 1 (Managed
//! Instances) `lambda_runtime`'s `run_concurrent` polls with N workers on a multi-threaded
//! runtime, all sharing one [`App`] (one DynamoDB client, one token generator, one log
//! writer) behind an [`Arc`]. Each request keeps its own deadline and writes its own log line
//! with its own request id.

#![warn(missing_docs)]

use std::convert::Infallible;
use std::sync::Arc;

use create_api_token::event::ScrubHeaders;
use create_api_token::metrics::MetricsSink;
use create_api_token::runtime::serve_with_restarts;
use create_api_token::{startup, App};
use lambda_http::{service_fn, Adapter, Error, Request};
use lambda_runtime::layers::TracingLayer;
use lambda_runtime::Runtime;

fn main() -> Result<(), Error> {
    startup::tokio_runtime()?.block_on(serve())
}

async fn serve() -> Result<(), Error> {
    create_api_token::logging::init();
    let config = startup::config_from_env()?;
    let store = startup::dynamodb_store(&config).await;

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
