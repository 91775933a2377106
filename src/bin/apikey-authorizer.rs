//! `apikey-authorizer`: the Lambda authorizer binary ([`create_api_token::authorizer`]).
//!
//! The function's cold start ([`create_api_token::startup`]): logging, the configuration
//! (`TABLE_NAME`, `DATA_CENTER`; a typed error naming the variable), the DynamoDB client
//! built once with its time limits and warmed up for at most 0.5 s; then authorizer events
//! from the Lambda Runtime API until the process is stopped, one at a time or, with
//! `AWS_LAMBDA_MAX_CONCURRENCY` > 1, concurrently, sharing one [`Authorizer`] behind an
//! [`Arc`]. If `lambda_runtime`'s loop ends outside the handler, a new one is started (bounded: [`create_api_token::runtime`]).
//!
//! A binary of its own rather than a mode of `create-api-token`: docs/api.md, "Why a second
//! binary".

#![warn(missing_docs)]

use std::sync::Arc;

use create_api_token::authorizer::Authorizer;
use create_api_token::metrics::MetricsSink;
use create_api_token::runtime::serve_with_restarts;
use create_api_token::startup;
use lambda_runtime::layers::TracingLayer;
use lambda_runtime::{service_fn, Error, LambdaEvent, Runtime};
use serde_json::value::RawValue;

fn main() -> Result<(), Error> {
    startup::tokio_runtime()?.block_on(serve())
}

async fn serve() -> Result<(), Error> {
    create_api_token::logging::init();
    let config = startup::config_from_env()?;
    let store = startup::dynamodb_store(&config).await;
    let authorizer =
        Arc::new(Authorizer::new(store, config.data_center).with_metrics(MetricsSink::Stdout));
    let handler = service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let authorizer = Arc::clone(&authorizer);
        async move { authorizer.handle(event).await }
    });
    serve_with_restarts(|| {
        Runtime::new(handler.clone())
            .layer(TracingLayer::new())
            .run_concurrent()
    })
    .await
}
