//! [`RequestLog`]: what the request's one log line and one metrics record say, gathered
//! while the request is evaluated, and the one place that writes them
//! ([`RequestLog::write`]). Each request has its own, so concurrent requests never share a
//! line or a record. No token, digest, `Authorization` value or description is ever
//! logged. Who did what: the caller's, the target's and the new token's `TokenId`s (public
//! handles, never secrets) and the client's source IP.

use std::future::Future;
use std::time::Duration;

use lambda_http::http::StatusCode;
use tokio::time::Instant;

use super::budget::within;
use crate::endpoint::Operation;
use crate::error::ApiError;
use crate::last_use::LastUseReport;
use crate::metrics::{MetricsSink, RequestMetrics};
use crate::token_id::TokenId;

/// The request's log: its deadline, and what its line will say besides status and reason.
#[derive(Debug)]
pub(super) struct RequestLog {
    /// When every store call of the request must be done ([`super::budget`]).
    deadline: Instant,
    /// The operation, once the path and method named one.
    pub(super) operation: Option<Operation>,
    /// The caller's tenant, once authenticated.
    pub(super) tenant_id: Option<i64>,
    /// New tokens that collided with a stored one (create only; almost always 0).
    pub(super) collisions: u32,
    /// Items a list left out because they cannot be shown, by `TokenId` as stored.
    pub(super) unshowable: Vec<String>,
    /// Time spent in store calls ([`RequestLog::store`]); `None` before the first.
    store_time: Option<Duration>,
    /// How the token's `DateLastUsed` write ended; `None` when none was needed.
    pub(super) last_use: Option<LastUseReport>,
    /// The caller's `TokenId`, once authenticated (if its item has one).
    pub(super) caller_token_id: Option<TokenId>,
    /// The `TokenId` a get, revoke or rotation acts on.
    pub(super) target_token_id: Option<TokenId>,
    /// The `TokenId` of the token a create or rotation issued.
    pub(super) new_token_id: Option<TokenId>,
    /// The client's IP address as the front door reports it.
    pub(super) source_ip: Option<String>,
}

impl RequestLog {
    /// The log of a request whose store calls must be done by `deadline`.
    pub(super) fn new(deadline: Instant) -> Self {
        Self {
            deadline,
            operation: None,
            tenant_id: None,
            collisions: 0,
            unshowable: Vec::new(),
            store_time: None,
            last_use: None,
            caller_token_id: None,
            target_token_id: None,
            new_token_id: None,
            source_ip: None,
        }
    }

    /// What is left of the request's budget for store calls (zero once it has passed).
    pub(super) fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Runs a store call under the request's deadline (see [`within`]), adding its time to
    /// the request's store latency.
    pub(super) async fn store<T, E: Into<ApiError>>(
        &mut self,
        call: impl Future<Output = Result<T, E>>,
    ) -> Result<T, ApiError> {
        let started = Instant::now();
        let result = within(self.deadline, call).await;
        *self.store_time.get_or_insert(Duration::ZERO) += started.elapsed();
        result
    }

    /// Writes the request's one log line, `ERROR` for 5xx (with the cause: an error class
    /// and code, never request data), `INFO` otherwise, and its metrics record to `sink`.
    ///
    /// The log line's fields (each a plain value: strings, integers; absent when unknown):
    /// `request_id`, `operation`, `status`, `reason`, `tenant_id`, `latency_us`,
    /// `store_latency_us`, `collisions` (only when non-zero), `cause` (5xx only), `unshowable_items` and
    /// `unshowable` (a list that left items out: how many, and their `TokenId`s as stored,
    /// each quoted and escaped, at most [`NAMED_UNSHOWABLE`] named),
    /// `last_use` (`written`, `skipped` or `failed:<cause>`; only when a `DateLastUsed`
    /// write was needed; a failed write also counts in the metrics record), and the audit
    /// fields `caller_token_id`, `target_token_id` (get, revoke, rotate), `new_token_id`
    /// (create, rotate: only when issued) and `source_ip`.
    pub(super) fn write(
        &self,
        sink: &MetricsSink,
        request_id: &str,
        status: StatusCode,
        reason: &str,
        cause: Option<&str>,
        started: Instant,
    ) {
        let elapsed = started.elapsed();
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let latency_us = micros(elapsed);
        let store_latency_us = self.store_time.map(micros);
        let status = status.as_u16();
        // Only present on the rare request whose new token collided with a stored one.
        let collisions = (self.collisions > 0).then_some(self.collisions);
        let unshowable_items = u32::try_from(self.unshowable.len()).unwrap_or(u32::MAX);
        let unshowable = (unshowable_items > 0).then(|| named_unshowable(&self.unshowable));
        let unshowable_items = unshowable.is_some().then_some(unshowable_items);
        let operation = self.operation.as_ref().map(Operation::name);
        let tenant_id = self.tenant_id;
        let last_use = self.last_use.as_ref().map(LastUseReport::log_value);
        let last_use = last_use.as_deref();
        let id = |id: Option<TokenId>| id.map(|id| id.to_string());
        let caller_token_id = id(self.caller_token_id);
        let caller_token_id = caller_token_id.as_deref();
        let target_token_id = id(self.target_token_id);
        let target_token_id = target_token_id.as_deref();
        let new_token_id = id(self.new_token_id);
        let new_token_id = new_token_id.as_deref();
        let source_ip = self.source_ip.as_deref();
        macro_rules! line {
            ($level:expr) => {
                tracing::event!(
                    $level,
                    request_id,
                    operation,
                    status,
                    reason,
                    tenant_id,
                    latency_us,
                    store_latency_us,
                    collisions,
                    unshowable_items,
                    unshowable,
                    cause,
                    last_use,
                    caller_token_id,
                    target_token_id,
                    new_token_id,
                    source_ip,
                    "api token request"
                )
            };
        }
        if status >= 500 {
            line!(tracing::Level::ERROR);
        } else {
            line!(tracing::Level::INFO);
        }
        sink.emit(&RequestMetrics {
            request_id,
            operation: self.operation,
            status,
            reason,
            cause,
            store_latency: self.store_time,
            request_latency: elapsed,
            last_use_failed: self
                .last_use
                .as_ref()
                .is_some_and(LastUseReport::is_failure),
            unshowable_items: unshowable_items.unwrap_or(0),
        });
    }
}

/// How many unshowable items a log line names; the count says how many there were.
pub(super) const NAMED_UNSHOWABLE: usize = 20;

/// The `unshowable` field: the first [`NAMED_UNSHOWABLE`] `TokenId`s as stored, each
/// Rust-quoted (control characters escaped, at most 64 characters), comma-separated. A
/// hand-written `TokenId` can hold anything, and must not break the line.
fn named_unshowable(ids: &[String]) -> String {
    ids.iter()
        .take(NAMED_UNSHOWABLE)
        .map(|id| format!("{:?}", id.chars().take(64).collect::<String>()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unshowable_ids_are_quoted_escaped_and_bounded() {
        let ids = vec![
            "not-a-ulid".to_owned(),
            "a\nb\u{1b}[31m".to_owned(),
            "x".repeat(100),
        ];
        let named = named_unshowable(&ids);
        assert!(
            named.starts_with(r#""not-a-ulid","a\nb\u{1b}[31m","xxx"#),
            "{named}"
        );
        assert!(!named.contains('\n') && !named.contains('\u{1b}'));
        assert_eq!(named.matches('x').count(), 64);
        let many: Vec<String> = (0..30).map(|i| i.to_string()).collect();
        assert_eq!(named_unshowable(&many).split(',').count(), NAMED_UNSHOWABLE);
    }
}
