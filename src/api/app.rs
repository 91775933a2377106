//! [`App`]: the API with its dependencies, built once per process, and the evaluation of
//! one request in the contract's order (docs/api.md):
//!
//! 1. the path names no resource: 404, and 2. the method is not one of the path's: 405
//!    with the path's `Allow` ([`endpoint::resolve`]);
//! 3. no usable, an unknown, a revoked or an expired token: 401 (one body for all but the
//!    expired one), and 4. the caller's role is not exactly `Administrator`: 403, on every
//!    path but the caller's own token's (`authenticate`, applied per operation by the one
//!    `match` of `App::operate`); from rule 4 on, the token's last-use write (when one is
//!    needed) runs concurrently with the rest of the request (`tokio::join!`), under its
//!    own cap;
//! 5. an invalid parameter of the operation: 400, and 6. the operation itself: one file
//!    per operation (`create`, `list`, `get`, `revoke`, `rotate`, `self_view`), dispatched
//!    by that `match`;
//! 7. DynamoDB unavailable / throttled / too slow: 503 before the request's deadline
//!    ([`super::budget`]); any other unexpected failure: 500.
//!
//! Business errors become responses ([`crate::response`]), never Lambda invocation
//! errors. Each request writes exactly one log line and one metrics record
//! (`RequestLog::write`).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use time::OffsetDateTime;
use tokio::time::Instant;

use super::budget;
use super::request_log::RequestLog;
use crate::endpoint::{self, Operation};
use crate::error::ApiError;
use crate::last_use::RecentWrites;
use crate::lifetime::Seconds;
use crate::metrics::MetricsSink;
use crate::response::{self, Success};
use crate::store::TokenStore;
use crate::token::{OsSeededGenerator, TokenGenerator};
use crate::verify::VerifiedCaller;

/// The API, with its dependencies built once per process.
pub struct App<S, G = OsSeededGenerator> {
    pub(super) store: S,
    pub(super) generator: G,
    pub(super) data_center: String,
    pub(super) clock: fn() -> OffsetDateTime,
    /// `MAX_TOKEN_LIFETIME`: the default and the cap of a new token's lifetime.
    pub(super) max_token_lifetime: Option<Seconds>,
    /// This process's memory of its recent `DateLastUsed` writes.
    pub(super) recent_writes: RecentWrites,
    metrics: MetricsSink,
}

impl<S: TokenStore> App<S, OsSeededGenerator> {
    /// The API over `store`, issuing tokens `<body>-<data_center>` from the OS-seeded
    /// CSPRNG and stamping them with the system clock (UTC).
    pub fn new(store: S, data_center: impl Into<String>) -> Self {
        Self {
            store,
            generator: OsSeededGenerator,
            data_center: data_center.into(),
            clock: OffsetDateTime::now_utc,
            max_token_lifetime: None,
            recent_writes: RecentWrites::default(),
            metrics: MetricsSink::Off,
        }
    }
}

impl<S: TokenStore, G: TokenGenerator> App<S, G> {
    /// Replaces the token generator (tests inject one to force collisions).
    pub fn with_generator<G2: TokenGenerator>(self, generator: G2) -> App<S, G2> {
        App {
            store: self.store,
            generator,
            data_center: self.data_center,
            clock: self.clock,
            max_token_lifetime: self.max_token_lifetime,
            recent_writes: self.recent_writes,
            metrics: self.metrics,
        }
    }

    /// Sets the deployment's maximum token lifetime (`MAX_TOKEN_LIFETIME`): a create
    /// without `expires_in` gets it, and an `expires_in` above it is a 400. `None` (the
    /// default): no maximum.
    pub fn with_max_token_lifetime(mut self, max: Option<Seconds>) -> Self {
        self.max_token_lifetime = max;
        self
    }

    /// Sets where each request's CloudWatch metrics record goes ([`crate::metrics`]);
    /// [`MetricsSink::Off`] unless set (the function binary sets `Stdout`).
    pub fn with_metrics(mut self, sink: MetricsSink) -> Self {
        self.metrics = sink;
        self
    }

    /// Replaces the clock (tests pin `DateCreated`).
    pub fn with_clock(mut self, clock: fn() -> OffsetDateTime) -> Self {
        self.clock = clock;
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The token generator.
    pub fn generator(&self) -> &G {
        &self.generator
    }

    /// Answers one request. Never fails: every error is an HTTP response.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let started = Instant::now();
        let mut log = RequestLog::new(budget::request_deadline(&request, started));
        log.source_ip = source_ip(&request);
        let result = self.evaluate(&request, &mut log).await;
        let request_id = request
            .lambda_context_ref()
            .map(|c| c.request_id.as_str())
            .unwrap_or("-");
        match result {
            Ok(success) => {
                let reason = success.reason();
                log.write(
                    &self.metrics,
                    request_id,
                    StatusCode::OK,
                    reason,
                    None,
                    started,
                );
                response::success(success)
            }
            Err(error) => {
                log.write(
                    &self.metrics,
                    request_id,
                    error.status(),
                    error.reason(),
                    error.cause(),
                    started,
                );
                response::error(&error)
            }
        }
    }

    /// The contract's evaluation order, with the one `match` that dispatches each
    /// [`Operation`] to its file, applying rule 4 ([`App::administrator`]) to every operation
    /// but the caller's own token's.
    async fn evaluate(&self, request: &Request, log: &mut RequestLog) -> Result<Success, ApiError> {
        let operation = endpoint::resolve(request)?;
        log.operation = Some(operation);
        log.target_token_id = operation.target();
        let now = (self.clock)();
        let verified = self.authenticate(request, now, log).await?;
        // The use is recorded beside the operation, never before it: the request waits
        // for the write only if it ends later than the operation (and never past its cap).
        let last_use = self.last_use(&verified, now, log);
        let (result, last_use) =
            tokio::join!(self.operate(operation, request, verified, log), last_use);
        log.last_use = last_use;
        result
    }

    /// Rules 4 to 6 for a verified caller: the one `match` dispatching each [`Operation`]
    /// to its file, applying rule 4 ([`App::administrator`]) to every operation but the
    /// caller's own token's.
    async fn operate(
        &self,
        operation: Operation,
        request: &Request,
        verified: VerifiedCaller,
        log: &mut RequestLog,
    ) -> Result<Success, ApiError> {
        match operation {
            Operation::Create => {
                self.create(request, &Self::administrator(verified)?, log)
                    .await
            }
            Operation::List => {
                self.list(request, &Self::administrator(verified)?, log)
                    .await
            }
            Operation::Get(token_id) => {
                self.get(token_id, &Self::administrator(verified)?, log)
                    .await
            }
            Operation::Revoke(token_id) => {
                self.revoke(token_id, &Self::administrator(verified)?, log)
                    .await
            }
            Operation::Rotate(token_id) => {
                self.rotate(request, token_id, &Self::administrator(verified)?, log)
                    .await
            }
            Operation::SelfView => self.self_view(&verified),
        }
    }
}

/// The client's address as the front door reports it (the log's `source_ip`): API
/// Gateway's `requestContext` (REST: `identity.sourceIp`; HTTP API and Function URLs:
/// `http.sourceIp`); for an ALB, which has no such field, the last address of
/// `X-Forwarded-For` (the one the load balancer itself appended). `None` if absent.
fn source_ip(request: &Request) -> Option<String> {
    use lambda_http::request::RequestContext;
    let reported = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(c)) => c.identity.source_ip.clone(),
        Some(RequestContext::ApiGatewayV2(c)) => c.http.source_ip.clone(),
        Some(RequestContext::Alb(_)) => request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|a| !a.is_empty())
            .map(str::to_owned),
        _ => None,
    };
    // Only what parses as an IP address is logged: the field never carries request text.
    reported.filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
}
