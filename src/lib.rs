//! The API-token service of a multi-tenant marketing platform, as one AWS Lambda function
//! behind API Gateway (REST API payload 1.0, HTTP API payload 2.0), Lambda Function URLs
//! and Application Load Balancers: create (`POST /api/v1/admin/apikey`), list
//! (`GET /api/v1/admin/apikey`), read (`GET /api/v1/admin/apikey/{TokenId}`), revoke
//! (`DELETE /api/v1/admin/apikey/{TokenId}`) and rotate
//! (`POST /api/v1/admin/apikey/{TokenId}/rotate`) a tenant's API tokens, and let any token
//! read itself (`GET /api/v1/apikey/self`).
//!
//! The layers, outermost first:
//! - [`runtime`]: keeps the process serving when `lambda_runtime`'s loop ends outside the
//!   handler (a panic or an error), with bounded restarts; the patched `lambda_runtime` in
//!   `vendor/` reads every `Lambda-Runtime-*` header leniently.
//! - [`event`]: the raw Lambda event, scrubbed of header bytes HTTP forbids before
//!   `lambda_http` parses it (so such a request still gets its 401).
//! - [`api`]: the HTTP adapter. [`App::handle`] takes a [`lambda_http::Request`] (any
//!   front door), applies the contract's evaluation order and returns the response; one
//!   file per operation. Logs one line per request ([`logging`]) and writes one CloudWatch
//!   metrics record ([`metrics`]).
//! - [`endpoint`]: THE routing table (path, `Allow`, method -> [`endpoint::Operation`]):
//!   404/405, the 404 message, and the operation that drives logs and metrics.
//! - [`response`] builds every HTTP response; [`error`] maps every failure to its status,
//!   header and message (pure); [`envelope`] writes the `{"Status", "Message",
//!   "Response"}` JSON envelope.
//! - [`authorizer`]: the Lambda authorizer (second binary, `apikey-authorizer`): the
//!   same verification ([`verify`]) answered as API Gateway's REST and HTTP API
//!   authorizers expect.
//! - [`verify`]: the domain's token verification (presented token, digest, consistent
//!   read, not revoked), shared by every front end.
//! - [`startup`]: the cold start both Lambda binaries share.
//! - [`auth`], [`description`], [`token`], [`token_id`], [`dates`]: pure domain functions
//!   (credential parsing, input validation, token generation and digests, ULIDs, the one
//!   date format).
//! - [`store`]: the narrow [`store::TokenStore`] trait with a DynamoDB implementation
//!   ([`store::dynamodb`], which also holds the bootstrap tool's operator operations) and
//!   an in-memory one for unit tests and benchmarks ([`store::memory`]); [`store::rotation`]:
//!   the rules of a rotation (conflicts, the new token's lifetime, the grace), which both
//!   stores apply.
//! - [`config`]: the environment the function and the bootstrap tool read.
//!
//! The contract is `docs/api.md` (behaviour, evaluation order, errors, storage, and the
//! choices made where the original contract was silent) with `openapi.yaml` (OpenAPI 3.1:
//! operations, parameters, every status with its envelope schema).

#![warn(missing_docs)]

pub mod api;
pub mod auth;
pub mod authorizer;
pub mod config;
pub mod dates;
pub mod description;
pub mod endpoint;
pub mod envelope;
pub mod error;
pub mod event;
pub mod last_use;
pub mod lifetime;
pub mod logging;
pub mod metrics;
pub mod parameter;
pub mod response;
pub mod runtime;
pub mod startup;
pub mod store;
pub mod token;
pub mod token_id;
pub mod verify;

pub use api::App;
pub use config::Config;
