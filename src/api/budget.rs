//! The request's time budget (docs/api.md, rule 7): every store call of a request must be
//! answered before its deadline, or the request is answered 503, within 5 seconds of the
//! request and before the invocation's own deadline.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambda_http::{Request, RequestExt};
use tokio::time::{timeout_at, Instant};

use crate::error::ApiError;

/// Every store call of a request must finish within this time of the request's start,
/// or the request is answered 503. Below the contract's 5 seconds with margin for a cold
/// start (the process starts in ~12 ms and gives its warm-up call at most 0.5 s) and the
/// response.
pub const STORE_DEADLINE: Duration = Duration::from_millis(4200);

/// Time kept back from the invocation's deadline (the Runtime API's
/// `Lambda-Runtime-Deadline-Ms`, `lambda_runtime::Context::deadline`) to write the 503
/// and hand it to the Runtime API before Lambda stops the invocation.
pub const RESPONSE_MARGIN: Duration = Duration::from_millis(300);

/// When the request's store calls must be done: [`STORE_DEADLINE`] after `started`, or
/// the invocation's deadline less [`RESPONSE_MARGIN`] if that comes first (a function
/// whose timeout is shorter than 5 s still answers with its own 503).
pub fn request_deadline(request: &Request, started: Instant) -> Instant {
    invocation_deadline(request.lambda_context_ref().map(|c| c.deadline), started)
}

/// The same budget for an invocation that started at `started` and must be answered by
/// `deadline_ms` (ms since the Unix epoch, `Lambda-Runtime-Deadline-Ms`; `None` or 0 when
/// unknown): for handlers of other events (the Lambda authorizer, `crate::authorizer`).
pub fn invocation_deadline(deadline_ms: Option<u64>, started: Instant) -> Instant {
    let budget = deadline_ms
        .filter(|&ms| ms > 0)
        .map(|deadline_ms| {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            Duration::from_millis(deadline_ms)
                .saturating_sub(now)
                .saturating_sub(RESPONSE_MARGIN)
        })
        .map_or(STORE_DEADLINE, |left| left.min(STORE_DEADLINE));
    started + budget
}

/// Runs a store call under the request's deadline, mapping its error to an [`ApiError`];
/// no answer by `deadline` is a 503.
///
/// # Errors
/// The call's error, or [`ApiError::Unavailable`] at the deadline.
pub async fn within<T, E: Into<ApiError>>(
    deadline: Instant,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, ApiError> {
    match timeout_at(deadline, call).await {
        Err(_) => Err(ApiError::Unavailable(
            "deadline_exceeded: no answer within the request's budget".to_owned(),
        )),
        Ok(result) => result.map_err(Into::into),
    }
}
