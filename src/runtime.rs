//! Keeping the process serving when the Lambda runtime library's loop ends.
//!
//! `lambda_runtime` builds each invocation's `Context` from the Runtime API's response
//! headers before any layer or handler sees the event. As published (1.5.0), a header it
//! cannot read there ends its loop: an error (a `Lambda-Runtime-Client-Context` whose
//! `custom` values are numbers or objects, a Cognito identity without its fields, a
//! deadline that is not a number) returns from the loop, a missing
//! `Lambda-Runtime-Deadline-Ms` panics; with N concurrent workers it ends the worker that
//! met it. The error carries no request id, so nothing outside the library can answer that
//! invocation. The build therefore uses a patched copy (`vendor/lambda_runtime`, see its
//! `PATCHED.md`) that reads such headers leniently: the handler answers every invocation
//! as usual.
//!
//! [`serve_with_restarts`] is the second line: whatever still ends the loop (a panic or
//! an error: the Runtime API gone, a future library change), it builds and runs a new
//! loop, so the next event is served. It gives up after [`MAX_QUICK_RESTARTS`] loops in a
//! row that each ended within [`STEADY`] of their start, so a dead Runtime API (every
//! `/next` refused at once) still ends the process, as Lambda expects of a broken runtime.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use lambda_runtime::Error;
use tokio::time::Instant;

/// Restarts allowed in a row when each loop ends within [`STEADY`] of its start.
pub const MAX_QUICK_RESTARTS: u32 = 5;

/// A loop that served at least this long before it ended resets the count of quick
/// restarts: it was serving, not failing to start.
pub const STEADY: Duration = Duration::from_secs(10);

/// Pause before the first quick restart, doubled for each further one (50 ms, 100 ms, ...
/// 800 ms: a dead Runtime API ends the process about 1.5 s after its first failure).
const FIRST_PAUSE: Duration = Duration::from_millis(50);

/// How one runtime loop ended.
enum Ended {
    Panicked,
    Failed(Error),
    Returned,
}

/// Runs the runtime loop `start` returns; when it ends (a panic, or an error), calls `start`
/// again for a new one, so the next event is served. Returns the last error once
/// [`MAX_QUICK_RESTARTS`] loops in a row have each ended within [`STEADY`], and returns
/// `Ok` if a loop ends without error (`lambda_runtime`'s loops never do while the Runtime
/// API answers).
///
/// Only the loop is guarded: a panic while `start` builds it (e.g. `lambda_runtime`'s
/// `Runtime::new` without the Lambda environment variables) is not caught, so a start-up
/// failure still ends the process rather than repeating. The loop holds no request state
/// across its end: a panic there happens between two events, before the handler runs
/// (handler panics are caught and answered by `lambda_runtime` itself), hence
/// `AssertUnwindSafe`.
pub async fn serve_with_restarts<F, Fut>(mut start: F) -> Result<(), Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    let mut quick = 0u32;
    loop {
        let started = Instant::now();
        let ended = match AssertUnwindSafe(start()).catch_unwind().await {
            Ok(Ok(())) => Ended::Returned,
            Ok(Err(error)) => Ended::Failed(error),
            Err(_) => Ended::Panicked,
        };
        let served = started.elapsed();
        if served >= STEADY {
            quick = 0;
        }
        let error = match ended {
            Ended::Returned => return Ok(()),
            Ended::Failed(error) => error,
            Ended::Panicked => Error::from("the Lambda runtime panicked outside the handler"),
        };
        if quick >= MAX_QUICK_RESTARTS {
            tracing::error!(
                %error,
                restarts = quick,
                "the Lambda runtime loop keeps ending at once (is the Runtime API gone?); \
                 the function stops"
            );
            return Err(error);
        }
        let pause = if served >= STEADY {
            Duration::ZERO
        } else {
            FIRST_PAUSE * 2u32.pow(quick)
        };
        quick += 1;
        tracing::error!(
            %error,
            served_ms = u64::try_from(served.as_millis()).unwrap_or(u64::MAX),
            restart = quick,
            "the Lambda runtime loop ended outside the handler; serving on with a new loop"
        );
        tokio::time::sleep(pause).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_panics_is_started_again() {
        let started = Cell::new(0);
        let result = serve_with_restarts(|| {
            started.set(started.get() + 1);
            let n = started.get();
            async move {
                if n < 3 {
                    panic!("missing lambda-runtime-deadline-ms header");
                }
                Ok(())
            }
        })
        .await;
        assert!(result.is_ok());
        assert_eq!(started.get(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_fails_is_started_again() {
        let started = Cell::new(0);
        let result = serve_with_restarts(|| {
            started.set(started.get() + 1);
            let n = started.get();
            async move {
                if n < 3 {
                    return Err::<(), Error>("invalid type: integer `3`, expected a string".into());
                }
                Ok(())
            }
        })
        .await;
        assert!(result.is_ok());
        assert_eq!(started.get(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dead_runtime_api_ends_it_after_the_quick_restarts() {
        let started = Cell::new(0);
        let began = Instant::now();
        let result = serve_with_restarts(|| {
            started.set(started.get() + 1);
            async { Err::<(), Error>("Runtime API gone".into()) }
        })
        .await;
        assert_eq!(result.unwrap_err().to_string(), "Runtime API gone");
        assert_eq!(started.get(), 1 + MAX_QUICK_RESTARTS);
        // 50 + 100 + 200 + 400 + 800 ms of pauses.
        assert_eq!(began.elapsed(), Duration::from_millis(1550));
    }

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_served_for_a_while_resets_the_count() {
        // Every other loop serves for `STEADY` before failing: more failures in all than
        // `MAX_QUICK_RESTARTS`, never that many quick ones in a row.
        let started = Cell::new(0u32);
        let result = serve_with_restarts(|| {
            started.set(started.get() + 1);
            let n = started.get();
            async move {
                if n > 4 * MAX_QUICK_RESTARTS {
                    return Ok(());
                }
                if n.is_multiple_of(2) {
                    tokio::time::sleep(STEADY).await;
                }
                Err::<(), Error>("one bad invocation".into())
            }
        })
        .await;
        assert!(result.is_ok());
        assert_eq!(started.get(), 4 * MAX_QUICK_RESTARTS + 1);
    }

    /// The patched `lambda_runtime` (vendor/lambda_runtime/PATCHED.md) reads every header
    /// value into a `Context` (this fails if the build uses a copy without the patch).
    #[test]
    fn the_runtime_reads_any_invocation_header() {
        use lambda_http::http::{HeaderMap, HeaderValue};
        use lambda_runtime::{Config, Context};
        use std::sync::Arc;

        let read = |changes: &[(&'static str, &[u8])]| {
            let mut headers = HeaderMap::new();
            headers.insert(
                "lambda-runtime-aws-request-id",
                HeaderValue::from_static("id"),
            );
            headers.insert(
                "lambda-runtime-deadline-ms",
                HeaderValue::from_static("123"),
            );
            for (name, value) in changes {
                headers.insert(*name, HeaderValue::from_bytes(value).unwrap());
            }
            std::panic::catch_unwind(|| {
                Context::new("id", Arc::new(Config::default()), &headers).unwrap()
            })
            .unwrap_or_else(|_| panic!("Context::new panicked on {changes:?}"))
        };

        let context = read(&[(
            "lambda-runtime-client-context",
            br#"{"client":{"appVersionCode":42},"custom":{"n":3,"o":{"a":1}}}"#,
        )]);
        let client_context = context.client_context.unwrap();
        assert_eq!(client_context.custom["n"], "3");
        assert_eq!(client_context.custom["o"], r#"{"a":1}"#);
        assert_eq!(client_context.client.app_version_code, "42");
        let client_context = read(&[(
            "lambda-runtime-client-context",
            "{\"client\":{\"appTitle\":\"Caf\u{e9}\"}}".as_bytes(),
        )])
        .client_context
        .unwrap();
        assert_eq!(client_context.client.app_title, "Caf\u{e9}");
        assert_eq!(
            read(&[("lambda-runtime-client-context", b"{")]).client_context,
            None
        );
        assert_eq!(
            read(&[("lambda-runtime-cognito-identity", b"{}")]).identity,
            None
        );
        assert_eq!(read(&[("lambda-runtime-deadline-ms", b"soon")]).deadline, 0);
        let mut without_deadline = HeaderMap::new();
        without_deadline.insert(
            "lambda-runtime-aws-request-id",
            HeaderValue::from_static("id"),
        );
        let context = Context::new("id", Arc::new(Config::default()), &without_deadline).unwrap();
        assert_eq!(context.deadline, 0);
        assert_eq!(
            read(&[("lambda-runtime-invoked-function-arn", b"arn:\xe9")]).invoked_function_arn,
            "arn:\u{fffd}"
        );
    }

    #[tokio::test]
    #[should_panic(expected = "AWS_LAMBDA_RUNTIME_API")]
    async fn a_panic_while_building_the_loop_is_not_caught() {
        let _ = serve_with_restarts(|| -> std::future::Ready<Result<(), Error>> {
            panic!("AWS_LAMBDA_RUNTIME_API is not set")
        })
        .await;
    }
}
