//! The API-token service of a multi-tenant marketing platform, as one AWS Lambda function
//! behind API Gateway (REST API payload 1.0, HTTP API payload 2.0), Lambda Function URLs
//! and Application Load Balancers: create (`POST /api/v1/admin/apikey`), list
//! (`GET /api/v1/admin/apikey`) and revoke (`DELETE /api/v1/admin/apikey/{TokenId}`) a
//! tenant's API tokens.
//!
//! The layers, outermost first:
//! - [`runtime`]: keeps the process serving when `lambda_runtime` panics between events
//!   (an invocation without `Lambda-Runtime-Deadline-Ms`).
//! - [`event`]: the raw Lambda event, scrubbed of header bytes HTTP forbids before
//!   `lambda_http` parses it (so such a request still gets its 401).
//! - [`routes`]: the HTTP adapter. Takes a [`lambda_http::Request`] (any front door),
//!   applies the contract's evaluation order and returns the response. Logs one line per
//!   request ([`logging`]) and writes one CloudWatch metrics record ([`metrics`]).
//!   [`endpoint`] decides which operation a request names (404/405); [`paging`]
//!   validates the list's parameters.
//! - [`auth`], [`description`], [`token`], [`token_id`]: pure domain functions
//!   (credential parsing, input validation, token generation and digests, ULIDs).
//! - [`store`]: the narrow [`store::TokenStore`] trait with a DynamoDB implementation
//!   ([`store::dynamodb`]) and an in-memory one for unit tests and benchmarks
//!   ([`store::memory`]).
//! - [`error`] maps every failure to its HTTP status in one place; [`envelope`] writes
//!   the `{"Status", "Message", "Response"}` JSON envelope.
//!
//! The contract is `docs/api.md` (behaviour, evaluation order, errors, storage, and the
//! choices made where the original contract was silent) with `openapi.yaml` (OpenAPI 3.1:
//! operations, parameters, every status with its envelope schema).

#![warn(missing_docs)]

pub mod auth;
pub mod config;
pub mod dates;
pub mod description;
pub mod endpoint;
pub mod envelope;
pub mod error;
pub mod event;
pub mod logging;
pub mod metrics;
pub mod paging;
pub mod routes;
pub mod runtime;
pub mod store;
pub mod token;
pub mod token_id;

pub use config::Config;
pub use routes::App;
