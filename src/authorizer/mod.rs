//! The Lambda authorizer `apikey-authorizer`: lets any API Gateway route accept the tokens
//! this service issues (docs/api.md, "For platform teams: the authorizer").
//!
//! One invocation, in order:
//! 1. the event's shape ([`shapes`]): REST API `REQUEST` (or `TOKEN`) authorizer, or HTTP
//!    API payload 2.0; anything else is the invocation error [`UNSUPPORTED_EVENT`], and
//!    the process serves the next event;
//! 2. the domain verification, the function's own code ([`crate::verify`]): the singleton
//!    `Authorization`, Bearer or Basic, shape, digest, consistent `GetItem`, not revoked;
//!    not expired; any role passes. The store call runs under the function's budget
//!    ([`crate::api::budget`]: 4.2 s, or the invocation's deadline less a margin when that
//!    comes first), and its outcome is classified as the function's ([`ApiError`]: a 401
//!    is a refusal, a 503 "cannot answer", anything else an error);
//! 3. the answer ([`policy`]): REST Allow = an IAM policy for the caller's API and stage
//!    with the context `tenantId`, `role`, `tokenId`; REST deny = the invocation error
//!    `Unauthorized` (API Gateway's 401); HTTP API `{"isAuthorized": true|false, ...}`
//!    (false: API Gateway's 403). A store that cannot answer is the invocation error
//!    [`STORE_UNAVAILABLE`] (API Gateway's 500), never an Allow and never `Unauthorized`
//!    (a client retries a 500 rather than discarding a good token).
//!
//! After an Allow's verification, the use is recorded as the function records it
//! ([`verify::last_use_write`], [`verify::record_last_use`]: at most one `DateLastUsed` write
//! per token per 5 minutes, capped at [`WRITE_CAP`] and the invocation's budget, never
//! changing the decision), so it runs on at most one invocation per token per 5 minutes.
//!
//! One log line and one metrics record per invocation ([`record`]).

pub mod policy;
pub mod record;
pub mod shapes;

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::value::RawValue;
use serde_json::Value;
use time::OffsetDateTime;
use tokio::time::Instant;

use lambda_http::http::StatusCode;

use crate::api::budget::{invocation_deadline, within};
use crate::error::ApiError;
use crate::last_use::{RecentWrites, WRITE_CAP};
use crate::metrics::MetricsSink;
use crate::store::TokenStore;
use crate::verify::{self, VerifiedCaller};
use policy::{RestAllow, SimpleResponse};
use record::{Decision, InvocationRecord};
use shapes::{AuthorizerEvent, Shape, ShapeError};

/// `errorType` and `errorMessage` of a REST deny: API Gateway answers 401 only for exactly
/// this `errorMessage`.
pub const UNAUTHORIZED: &str = "Unauthorized";
/// `errorType` of the invocation error for a store that could not answer in time.
pub const STORE_UNAVAILABLE: &str = "StoreUnavailable";
/// `errorType` of the invocation error for any other store failure (access denied, a
/// missing table, an item that cannot be read).
pub const INTERNAL_ERROR: &str = "InternalError";
/// `errorType` of the invocation error for an event this function does not answer.
pub const UNSUPPORTED_EVENT: &str = "UnsupportedEvent";

/// The authorizer over a token store, built once per process.
pub struct Authorizer<S> {
    store: S,
    data_center: String,
    metrics: MetricsSink,
    clock: fn() -> OffsetDateTime,
    recent_writes: RecentWrites,
}

/// How an invocation ended, before it becomes JSON or an invocation error.
enum Outcome {
    Allow(Shape, Option<policy::MethodArn>, Box<VerifiedCaller>),
    /// The function's 401 for this token (the reason is its log reason).
    Deny(Shape, ApiError),
    Failed(Failure),
}

enum Failure {
    Shape(ShapeError),
    Store(ApiError),
}

impl<S: TokenStore> Authorizer<S> {
    /// The authorizer over `store`, accepting tokens `<body>-<data_center>`.
    pub fn new(store: S, data_center: impl Into<String>) -> Self {
        Self {
            store,
            data_center: data_center.into(),
            metrics: MetricsSink::Off,
            clock: OffsetDateTime::now_utc,
            recent_writes: RecentWrites::default(),
        }
    }

    /// Replaces the clock that decides expiry and `DateLastUsed` (tests pin it).
    pub fn with_clock(mut self, clock: fn() -> OffsetDateTime) -> Self {
        self.clock = clock;
        self
    }

    /// Sets where each invocation's metrics record goes ([`MetricsSink::Off`] unless set).
    pub fn with_metrics(mut self, sink: MetricsSink) -> Self {
        self.metrics = sink;
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Answers one invocation as `lambda_runtime` hands it over.
    ///
    /// # Errors
    /// A [`Diagnostic`]: the REST deny ([`UNAUTHORIZED`]), or a failure
    /// ([`STORE_UNAVAILABLE`], [`INTERNAL_ERROR`], [`UNSUPPORTED_EVENT`]).
    pub async fn handle(&self, event: LambdaEvent<Box<RawValue>>) -> Result<Value, Diagnostic> {
        let (raw, context) = event.into_parts();
        self.answer(raw.get(), &context.request_id, Some(context.deadline))
            .await
    }

    /// Answers the authorizer event `raw` of invocation `request_id`, whose deadline is
    /// `deadline_ms` (ms since the Unix epoch; `None` or 0 if unknown).
    ///
    /// # Errors
    /// As [`Authorizer::handle`].
    pub async fn answer(
        &self,
        raw: &str,
        request_id: &str,
        deadline_ms: Option<u64>,
    ) -> Result<Value, Diagnostic> {
        let started = Instant::now();
        let mut record = InvocationRecord::new(started);
        let outcome = self
            .decide(raw, invocation_deadline(deadline_ms, started), &mut record)
            .await;
        let (decision, reason, cause) = match &outcome {
            Outcome::Allow(..) => (Decision::Allow, "allowed", None),
            Outcome::Deny(_, refusal) => (Decision::Deny, refusal.reason(), None),
            Outcome::Failed(Failure::Shape(e)) => (Decision::Error, e.reason(), None),
            Outcome::Failed(Failure::Store(e @ ApiError::Unavailable(_))) => {
                (Decision::StoreUnavailable, e.reason(), e.cause())
            }
            Outcome::Failed(Failure::Store(e)) => (Decision::Error, e.reason(), e.cause()),
        };
        record.write(&self.metrics, request_id, decision, reason, cause);
        respond(outcome)
    }

    async fn decide(&self, raw: &str, deadline: Instant, record: &mut InvocationRecord) -> Outcome {
        let AuthorizerEvent {
            shape,
            authorization,
            method_arn,
        } = match shapes::parse(raw) {
            Ok(event) => event,
            Err(e) => return Outcome::Failed(Failure::Shape(e)),
        };
        record.shape = Some(shape.name());
        let token = match verify::presented(&authorization, &self.data_center) {
            Ok(token) => token,
            Err(refusal) => return Outcome::Deny(shape, refusal.into()),
        };
        let now = (self.clock)();
        let called = Instant::now();
        let looked_up = within(deadline, verify::lookup(&token, &self.store, now)).await;
        record.store_time = Some(called.elapsed());
        match looked_up {
            Ok(verified) => {
                record.tenant_id = Some(verified.record.tenant_id);
                record.token_id = verified.record.token_id.map(|id| id.to_string());
                if let Some(write) = verify::last_use_write(&verified, now, &self.recent_writes) {
                    let cap = WRITE_CAP.min(deadline.saturating_duration_since(Instant::now()));
                    record.last_use = Some(
                        verify::record_last_use(&self.store, &write, cap, &self.recent_writes)
                            .await,
                    );
                }
                Outcome::Allow(shape, method_arn, Box::new(verified))
            }
            Err(e) if e.status() == StatusCode::UNAUTHORIZED => Outcome::Deny(shape, e),
            Err(e) => Outcome::Failed(Failure::Store(e)),
        }
    }
}

/// The outcome as Lambda's answer: a JSON response, or an invocation error.
fn respond(outcome: Outcome) -> Result<Value, Diagnostic> {
    let json = |v: Result<Value, serde_json::Error>| {
        v.map_err(|_| diagnostic(INTERNAL_ERROR, "the answer could not be written"))
    };
    match outcome {
        Outcome::Allow(Shape::HttpApi, _, verified) => json(serde_json::to_value(
            SimpleResponse::allow(&verified.record),
        )),
        Outcome::Allow(_, Some(arn), verified) => {
            json(serde_json::to_value(RestAllow::new(&verified.record, &arn)))
        }
        // A REST shape always has its parsed methodArn; never allow without one.
        Outcome::Allow(_, None, _) => Err(diagnostic(
            UNSUPPORTED_EVENT,
            "the event has no methodArn to scope the policy",
        )),
        Outcome::Deny(Shape::HttpApi, _) => json(serde_json::to_value(SimpleResponse::deny())),
        Outcome::Deny(_, _) => Err(diagnostic(UNAUTHORIZED, UNAUTHORIZED)),
        Outcome::Failed(Failure::Shape(e)) => Err(diagnostic(UNSUPPORTED_EVENT, &e.to_string())),
        Outcome::Failed(Failure::Store(ApiError::Unavailable(_))) => Err(diagnostic(
            STORE_UNAVAILABLE,
            "The token store did not answer in time; retry.",
        )),
        Outcome::Failed(Failure::Store(_)) => Err(diagnostic(
            INTERNAL_ERROR,
            "The token could not be verified.",
        )),
    }
}

fn diagnostic(error_type: &str, message: &str) -> Diagnostic {
    Diagnostic {
        error_type: error_type.to_owned(),
        error_message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests;
