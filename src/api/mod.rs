//! The HTTP adapter: one request in (any front door `lambda_http` parses), one response
//! out ([`App::handle`]), in the contract's evaluation order.
//!
//! - `app`: [`App`], its builders, `handle` and `evaluate` (the one `match` over
//!   [`crate::endpoint::Operation`]);
//! - `authenticate`: the shared authentication step (rules 3 and 4), over
//!   [`crate::verify`];
//! - `request_log`: the request's one log line and metrics record;
//! - [`budget`]: the request's deadline for its store calls;
//! - one file per operation, each parsing its own parameters: [`create`], [`list`],
//!   `get`, `revoke`, `rotate`, `self_view`.

mod app;
mod authenticate;
pub mod budget;
pub mod create;
mod get;
pub mod list;
mod request_log;
mod revoke;
mod rotate;
mod self_view;

pub use app::App;
