//! Create API Token: the `POST /api/v1/admin/apikey` endpoint of a multi-tenant
//! marketing platform, as an AWS Lambda function behind API Gateway (REST API payload
//! 1.0, HTTP API payload 2.0), Lambda Function URLs and Application Load Balancers.
//!
//! The layers, outermost first:
//! - [`runtime`]: keeps the process serving when `lambda_runtime` panics between events
//!   (an invocation without `Lambda-Runtime-Deadline-Ms`).
//! - [`event`]: the raw Lambda event, scrubbed of header bytes HTTP forbids before
//!   `lambda_http` parses it (so such a request still gets its 401).
//! - [`routes`]: the HTTP adapter. Takes a [`lambda_http::Request`] (any front door),
//!   applies the contract's evaluation order and returns the response. Logs one line per
//!   request.
//! - [`auth`], [`description`], [`token`]: pure domain functions (credential parsing,
//!   input validation, token generation and digests).
//! - [`store`]: the narrow [`store::TokenStore`] trait with a DynamoDB implementation
//!   ([`store::dynamodb`]) and an in-memory one for unit tests and benchmarks
//!   ([`store::memory`]).
//! - [`error`] maps every failure to its HTTP status in one place; [`envelope`] writes
//!   the `{"Status", "Message", "Response"}` JSON envelope.
//!
//! The contract is `SPEC.md` (shared with the team); the README records where we chose
//! behaviour the contract leaves open.

pub mod auth;
pub mod config;
pub mod description;
pub mod envelope;
pub mod error;
pub mod event;
pub mod logging;
pub mod routes;
pub mod runtime;
pub mod store;
pub mod token;

pub use config::Config;
pub use routes::App;
