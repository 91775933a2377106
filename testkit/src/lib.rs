//! The test kit of `create-api-token`: what its integration tests, the benchmark and the
//! demo share, as a crate (a dev-dependency of the package; unit tests inside `src/` do
//! not use it).
//!
//! - [`dynamodb_local`]: AWS's DynamoDB Local for the test process (through
//!   `scripts/dynamodb-local.sh`, the project's one launcher) and the local-AWS
//!   environment; [`table`]: one fresh table per test, and fixtures written into it.
//! - [`runtime_api`]: a loopback Lambda Runtime API; [`process`]: the real function
//!   binary spawned as Lambda does and served through it ([`Function`]).
//! - [`events`]: the one builder of test events for every front door (REST API, HTTP API
//!   payload 2.0 and 1.0, Function URL, ALB single- and multi-value), as JSON or as an
//!   in-process `lambda_http::Request`.
//! - [`response`]: the function's HTTP response as a front door gets it, and the
//!   assertions every response meets; [`openapi`]: the check that a response conforms to
//!   `openapi.yaml`.
//! - [`doubles`]: fake DynamoDB endpoints (silent, throttling, failing).
//! - [`fixtures`]: the documented dev tokens, the `events/` files, the in-memory app.
//! - [`measure`]: the benchmarks' samples, units and `/proc` readings.
//!
//! DynamoDB Local: `DYNAMODB_LOCAL_ENDPOINT` (e.g. `http://127.0.0.1:8000`) is used if set;
//! otherwise the kit starts one from `DYNAMODB_LOCAL_DIR` (written to `.tools/env.sh` by
//! `scripts/setup.sh`) on a free port, stopped when the test process exits.

#![warn(missing_docs)]

pub mod doubles;
pub mod dynamodb_local;
pub mod events;
pub mod fixtures;
pub mod measure;
pub mod openapi;
pub mod process;
pub mod response;
pub mod runtime_api;
pub mod table;

pub use doubles::{FakeMode, SilentDynamoDb, ThrottlingDynamoDb};
pub use dynamodb_local::{
    endpoint as dynamodb_local_endpoint, free_port, set_local_aws_env, LOCAL_AWS_ENV,
};
pub use fixtures::*;
pub use process::{wait_until_polling, Function};
pub use response::{assert_error_envelope, assert_no_token_material, HttpResponse};
pub use runtime_api::{Outcome, RuntimeApi};
pub use table::Table;
