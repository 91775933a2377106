//! Keeping the process serving when the Lambda runtime library itself panics.
//!
//! `lambda_runtime` (1.5) builds each invocation's `Context` from the Runtime API's
//! response headers before any layer or handler sees the event, and panics there when
//! `Lambda-Runtime-Deadline-Ms` is missing (`expect("missing lambda-runtime-deadline-ms
//! header")`). The Lambda service always sends it; some local emulators do not. Handler
//! panics are caught by the runtime and reported as invocation errors; this one is not, and
//! it would end the process. [`restart_after_panic`] builds and runs the runtime loop again
//! instead. The invocation that caused the panic gets no answer (its request id never
//! reaches our code); the caller's emulator times it out.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use lambda_runtime::Error;

/// Runs the runtime loop `start` returns; if that loop panics, calls `start` again for a
/// new one, so the next event is served. Returns what the loop returns when it ends
/// without a panic (a Runtime API error, for example).
///
/// Only the loop is guarded: a panic while `start` builds it (e.g. `lambda_runtime`'s
/// `Runtime::new` without the Lambda environment variables) is not caught, so a start-up
/// failure still ends the process rather than repeating forever. The loop holds no
/// request state across the panic: it happens between two events, before the handler
/// runs (`AssertUnwindSafe`).
pub async fn restart_after_panic<F, Fut>(mut start: F) -> Result<(), Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    loop {
        let serving = start();
        match AssertUnwindSafe(serving).catch_unwind().await {
            Ok(result) => return result,
            Err(_) => tracing::error!(
                "the Lambda runtime panicked outside the handler (an invocation without \
                 Lambda-Runtime-Deadline-Ms?); that invocation gets no answer, serving the next"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn a_loop_that_panics_is_started_again() {
        let started = Cell::new(0);
        let result = restart_after_panic(|| {
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

    #[tokio::test]
    async fn an_error_ends_it_without_a_restart() {
        let started = Cell::new(0);
        let result = restart_after_panic(|| {
            started.set(started.get() + 1);
            async { Err::<(), Error>("Runtime API gone".into()) }
        })
        .await;
        assert_eq!(result.unwrap_err().to_string(), "Runtime API gone");
        assert_eq!(started.get(), 1);
    }

    #[tokio::test]
    #[should_panic(expected = "AWS_LAMBDA_RUNTIME_API")]
    async fn a_panic_while_building_the_loop_is_not_caught() {
        let _ = restart_after_panic(|| -> std::future::Ready<Result<(), Error>> {
            panic!("AWS_LAMBDA_RUNTIME_API is not set")
        })
        .await;
    }
}
