//! SPEC, Front doors: every invocation the Runtime API hands over gets an answer, whatever
//! its headers hold, and the process goes on serving, one at a time and concurrently.
//!
//! `lambda_runtime` builds each invocation's `Context` from the `.../invocation/next`
//! response headers before any layer or handler runs. In 1.5.0 as published, a header it
//! cannot read there (a client context whose `custom` values are numbers or objects, a
//! Cognito identity without its fields, a deadline that is missing or not a number, a
//! function ARN with non-ASCII bytes) either returns an error that ends the runtime loop
//! (the process exits; with N workers, that worker ends) or panics (the loop is started
//! again), and that invocation is never answered. The patched copy in `vendor/lambda_runtime`
//! reads them leniently instead, so the handler answers as usual.
//!
//! Each case runs through the real `create-api-token` binary and the loopback Runtime API
//! (`testkit::runtime_api`), which hands the event out with the case's header bytes:
//! - one at a time: the invocation with the bad header gets the handler's own answer (a
//!   create: 200 and a new item), the next plain invocation is served, twice in a row;
//! - `AWS_LAMBDA_MAX_CONCURRENCY=4`: six such invocations at once (more than the workers),
//!   each answered, then a plain one, and all four workers are polling again.

use std::time::Duration;

use futures_util::future::join_all;
use testkit::runtime_api::{HeaderChange, Outcome};
use testkit::*;

/// How long one invocation may take before the test calls it unanswered.
const ANSWER_LIMIT: Duration = Duration::from_secs(10);

/// The header of the Runtime API's `.../next` response that a case changes.
const CLIENT_CONTEXT: &str = "lambda-runtime-client-context";
const COGNITO_IDENTITY: &str = "lambda-runtime-cognito-identity";
const DEADLINE: &str = "lambda-runtime-deadline-ms";
const TRACE_ID: &str = "lambda-runtime-trace-id";
const FUNCTION_ARN: &str = "lambda-runtime-invoked-function-arn";

/// A create that a dev Administrator sends through an HTTP API (payload 2.0).
fn create_event() -> String {
    event_file("http-api-create-200.json")
}

/// Asserts that `outcome` is the handler's answer to a create: HTTP 200 with a token.
fn assert_created(case: &str, outcome: Option<Outcome>, function: &Function) {
    match outcome {
        Some(Outcome::Response(body)) => {
            let response = HttpResponse::parse(&body);
            assert_eq!(response.status, 200, "{case}: {}", response.body);
            assert!(
                response.json()["Response"]["token"]["Token"].is_string(),
                "{case}: {}",
                response.body
            );
        }
        other => panic!(
            "{case}: expected the handler's answer, got {other:?}; logs: {:#?}",
            function.logs()
        ),
    }
}

/// Asserts that nothing panicked and that the loop was never started again.
fn assert_no_restart(case: &str, function: &Function) {
    let logs = function.logs();
    assert!(
        !logs
            .iter()
            .any(|l| l.contains("panicked") || l.contains("runtime loop ended")),
        "{case}: {logs:#?}"
    );
}

/// With `warns`, each invocation with `changes` (request ids `req-000001` and `req-000003`)
/// left one warning naming its request id and the changed header; without, no warning.
fn assert_warnings(case: &str, changes: &[HeaderChange<'_>], warns: bool, function: &Function) {
    let logs = function.logs();
    let warnings: Vec<&String> = logs.iter().filter(|l| l.contains("WARN")).collect();
    if !warns {
        assert!(warnings.is_empty(), "{case}: {warnings:#?}");
        return;
    }
    let header = format!(r#"header="{}""#, changes[0].0);
    for id in ["req-000001", "req-000003"] {
        let id = format!(r#"request_id="{id}""#);
        assert_eq!(
            warnings
                .iter()
                .filter(|l| l.contains(&id) && l.contains(&header))
                .count(),
            1,
            "{case}: {logs:#?}"
        );
    }
    assert_eq!(warnings.len(), 2, "{case}: {warnings:#?}");
}

/// One at a time: the invocation with `changes` gets the handler's answer and the process
/// serves the next one; twice, so that the first leaves nothing behind.
async fn one_at_a_time(case: &str, changes: &[HeaderChange<'_>], warns: bool) {
    let table = Table::new(&format!("hdr1-{case}")).await;
    table.seed_dev_tokens().await;
    let mut function = Function::start(&table.name, &[]).await;

    for round in 0..2 {
        let before = table.items().await.len();
        let outcome = function
            .runtime
            .invoke_with_headers(&create_event(), changes, ANSWER_LIMIT)
            .await;
        assert_created(&format!("{case}, round {round}"), outcome, &function);
        assert_eq!(
            table.items().await.len(),
            before + 1,
            "{case}, round {round}"
        );
        assert!(
            function.is_running(),
            "{case}, round {round}: the process exited: {:#?}",
            function.logs()
        );

        let response = function.call(&event_file("rest-create-200.json")).await;
        assert_eq!(
            response.status, 200,
            "{case}, round {round}: {}",
            response.body
        );
    }
    assert_no_restart(case, &function);
    assert_warnings(case, changes, warns, &function);
    assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN, DEV_STANDARD_TOKEN]);
}

/// Waits until `n` workers are polling `.../next` at once.
async fn wait_for_workers(function: &Function, n: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while function.runtime.waiting_polls() < n {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {n} workers polling; logs: {:#?}",
            function.runtime.waiting_polls(),
            function.logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `AWS_LAMBDA_MAX_CONCURRENCY=4`: six invocations with `changes` at once, each answered
/// by the handler, then a plain one; all four workers poll again afterwards.
async fn concurrently(case: &str, changes: &[HeaderChange<'_>]) {
    let table = Table::new(&format!("hdr4-{case}")).await;
    table.seed_dev_tokens().await;
    let mut function = Function::start(&table.name, &[("AWS_LAMBDA_MAX_CONCURRENCY", "4")]).await;
    wait_for_workers(&function, 4).await;
    let before = table.items().await.len();

    let event = create_event();
    let outcomes = join_all((0..6).map(|_| {
        function
            .runtime
            .invoke_with_headers(&event, changes, ANSWER_LIMIT)
    }))
    .await;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        assert_created(&format!("{case}, invocation {i}"), outcome, &function);
    }
    assert!(
        function.is_running(),
        "{case}: the process exited: {:#?}",
        function.logs()
    );

    let response = function.call(&event_file("rest-create-200.json")).await;
    assert_eq!(response.status, 200, "{case}: {}", response.body);
    wait_for_workers(&function, 4).await;
    assert_eq!(table.items().await.len(), before + 6 + 1, "{case}");
    assert_no_restart(case, &function);
}

/// One module per header value, with a test for each mode; `warns`: whether the function
/// logs a warning for it (a header it cannot read at all), rather than reading it as is.
macro_rules! header_case {
    ($name:ident, warns: $warns:expr, $changes:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn one_at_a_time() {
                super::one_at_a_time(stringify!($name), $changes, $warns).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn concurrently() {
                super::concurrently(stringify!($name), $changes).await;
            }
        }
    };
}

// `custom` with numbers and a boolean, as warm-up plugins and direct SDK invokes send it.
header_case!(
    client_context_numeric_custom, warns: false,
    &[(
        CLIENT_CONTEXT,
        Some(br#"{"custom":{"warmer":true,"concurrency":3,"ratio":0.5}}"#)
    )]
);

// `custom` with an object and an array value (a payload passed through the context).
header_case!(
    client_context_object_custom, warns: false,
    &[(
        CLIENT_CONTEXT,
        Some(br#"{"custom":{"payload":{"source":"aws.events","n":1},"tags":["a"]}}"#)
    )]
);

// Not JSON at all (cut short).
header_case!(
    client_context_malformed_json, warns: true,
    &[(CLIENT_CONTEXT, Some(br#"{"custom":{"warmer":"#))]
);

// A `client` with only some of its fields, and UTF-8 beyond ASCII (obs-text on the wire).
header_case!(
    client_context_partial_client_utf8, warns: false,
    &[(
        CLIENT_CONTEXT,
        Some("{\"client\":{\"appTitle\":\"Caf\u{e9} \u{2603}\",\"appVersionCode\":42}}".as_bytes())
    )]
);

// A Cognito identity without its pool id.
header_case!(
    cognito_identity_missing_field, warns: true,
    &[(
        COGNITO_IDENTITY,
        Some(br#"{"cognitoIdentityId":"us-east-1:11111111-2222-3333-4444-555555555555"}"#)
    )]
);

// A Cognito identity that is not JSON.
header_case!(
    cognito_identity_malformed_json, warns: true,
    &[(COGNITO_IDENTITY, Some(b"us-east-1:not-json"))]
);

// No `Lambda-Runtime-Deadline-Ms` (some local emulators).
header_case!(deadline_missing, warns: true, &[(DEADLINE, None)]);

// A deadline that is not a number of milliseconds.
header_case!(deadline_not_a_number, warns: true, &[(DEADLINE, Some(b"soon"))]);

// A negative deadline (not a `u64`).
header_case!(deadline_negative, warns: true, &[(DEADLINE, Some(b"-1"))]);

// A trace id with bytes that are not ASCII (obs-text) and not UTF-8.
header_case!(
    trace_id_odd_bytes, warns: false,
    &[(TRACE_ID, Some(b"Root=1-5759e988-\xff\xfe;Parent=\x80;Sampled=1"))]
);

// A function ARN with bytes that are not ASCII.
header_case!(
    function_arn_odd_bytes, warns: false,
    &[(
        FUNCTION_ARN,
        Some(b"arn:aws:lambda:us-east-1:123456789012:function:caf\xc3\xa9")
    )]
);
