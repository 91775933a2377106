//! Faults and cross-request guarantees, through the real `create-api-token` binary (and,
//! for the token collision, the public `App` over DynamoDB Local):
//!
//! - DynamoDB refusing connections, accepting and never answering, and throttling every
//!   call: 503 with the standard envelope within 5 s, at most 3 attempts per call, and the
//!   process still serves the next event;
//! - a missing table: a fast 500 whose log line names the cause class, without secrets;
//! - start-up without `TABLE_NAME`, or with a `LOCAL_DYNAMODB_ENDPOINT_URL` that is not
//!   DynamoDB Local on this machine: the process exits non-zero naming the variable;
//! - a token collision on write: the stored item is untouched and the caller still gets
//!   a fresh token;
//! - revocation takes effect on the next call; the tenant comes only from the stored
//!   caller; an issued token acts as a `Standard` token.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use create_api_token::store::dynamodb::DynamoDbStore;
use create_api_token::token::{GenerateError, OsSeededGenerator, TokenGenerator, TokenHash};
use create_api_token::App;
use lambda_http::Body;
use testkit::*;

/// docs/api.md rule 7: a 503 within 5 seconds of the request.
const FAULT_LIMIT: Duration = Duration::from_secs(5);

const UNAVAILABLE_MESSAGE: &str = "The service is temporarily unavailable. Please retry shortly.";

/// Sends `event`, returning the parsed response and the wall time of the invoke.
async fn timed_call(function: &Function, event: &str) -> (HttpResponse, Duration) {
    let started = Instant::now();
    let response = function.call(event).await;
    (response, started.elapsed())
}

/// A 503 for an unavailable store: envelope, fixed message, nothing internal.
fn assert_unavailable(response: &HttpResponse, elapsed: Duration, case: &str) {
    assert_error_envelope(response, 503);
    assert_eq!(response.json()["Message"], UNAVAILABLE_MESSAGE, "{case}");
    for internal in ["127.0.0.1", "dispatch", "Exception", "timeout"] {
        assert!(
            !response.body.contains(internal),
            "{case}: the 503 reveals {internal:?}"
        );
    }
    assert!(
        elapsed < FAULT_LIMIT,
        "{case}: 503 after {elapsed:?}, not within {FAULT_LIMIT:?}"
    );
    eprintln!("fault latency: {case}: {} ms", elapsed.as_millis());
}

/// The process is alive and serving: a 404 event (no DynamoDB needed) gets its 404.
async fn assert_still_serving(function: &mut Function, case: &str) {
    let response = function
        .call(&event_file("http-api-wrong-path-404.json"))
        .await;
    assert_error_envelope(&response, 404);
    assert!(function.is_running(), "{case}: the process exited");
}

/// A well-formed `http-api-create-200.json` variant presenting `authorization`.
fn create_event_with(authorization: &str) -> String {
    events::from_file("http-api-create-200.json")
        .authorization(authorization)
        .to_string()
}

/// The issued token of a 200 response.
fn issued_token(response: &HttpResponse) -> String {
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()["Response"]["token"]["Token"]
        .as_str()
        .expect("Token")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_give_a_fast_503_and_the_process_lives_on() {
    // A port that was free a moment ago: nothing listens, so connects are refused.
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let mut function = Function::start(
        "tokens-refused",
        &[("AWS_ENDPOINT_URL_DYNAMODB", endpoint.as_str())],
    )
    .await;
    wait_until_polling(&function, Duration::from_secs(15)).await;

    let (response, elapsed) = timed_call(&function, &event_file("http-api-create-200.json")).await;
    assert_unavailable(&response, elapsed, "connection refused");
    assert_still_serving(&mut function, "connection refused").await;
    // A second faulty call behaves the same (no poisoned state).
    let (response, elapsed) = timed_call(&function, &event_file("rest-create-200.json")).await;
    assert_unavailable(&response, elapsed, "connection refused, again");
    assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_never_answers_gives_503_within_5_s() {
    // Accepts every connection and holds it open without ever reading or answering.
    let silent = SilentDynamoDb::start().await;
    let mut function = Function::start(
        "tokens-silent",
        &[("AWS_ENDPOINT_URL_DYNAMODB", silent.endpoint.as_str())],
    )
    .await;
    wait_until_polling(&function, Duration::from_secs(15)).await;

    let before = silent.accepted();
    let (response, elapsed) = timed_call(&function, &event_file("http-api-create-200.json")).await;
    assert_unavailable(&response, elapsed, "silent endpoint");
    assert!(
        silent.accepted() > before,
        "the request never reached the silent endpoint"
    );
    assert_still_serving(&mut function, "silent endpoint").await;
    assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN]);
}

/// docs/api.md rule 7: the 503 leaves before the invocation's own deadline
/// (`Lambda-Runtime-Deadline-Ms`, set by the function's timeout) when that comes before the
/// 5 s: here a 1.5 s timeout and a DynamoDB that never answers. Without the deadline, the
/// SDK's own 2.2 s operation timeout would answer after Lambda had stopped the invocation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_function_timeout_still_gets_the_503_before_its_deadline() {
    let silent = SilentDynamoDb::start().await;
    let mut function = Function::start(
        "tokens-short-timeout",
        &[("AWS_ENDPOINT_URL_DYNAMODB", silent.endpoint.as_str())],
    )
    .await;
    wait_until_polling(&function, Duration::from_secs(15)).await;
    let timeout = Duration::from_millis(1500);
    function.runtime.set_deadline_after(timeout);
    for event in ["http-api-create-200.json", "http-api-list-200.json"] {
        let (response, elapsed) = timed_call(&function, &event_file(event)).await;
        assert_unavailable(&response, elapsed, event);
        assert!(
            elapsed < timeout,
            "{event}: answered after {elapsed:?}, past the invocation's {timeout:?} deadline"
        );
        eprintln!("{event}: 503 after {elapsed:?} (deadline {timeout:?})");
    }
    assert_still_serving(&mut function, "short timeout").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_on_every_call_gives_503_after_at_most_3_attempts() {
    let fake = ThrottlingDynamoDb::start().await;
    let mut function = Function::start(
        "tokens-throttled",
        &[("AWS_ENDPOINT_URL_DYNAMODB", fake.endpoint.as_str())],
    )
    .await;
    // The cold-start warm-up call is over once the function polls for events.
    wait_until_polling(&function, Duration::from_secs(15)).await;

    for case in ["throttled GetItem", "throttled GetItem, again"] {
        fake.reset();
        let (response, elapsed) =
            timed_call(&function, &event_file("http-api-create-200.json")).await;
        assert_unavailable(&response, elapsed, case);
        let calls = fake.snapshot();
        eprintln!("{case}: requests by X-Amz-Target: {calls:?}");
        let get_items = fake.count("DynamoDB_20120810.GetItem");
        assert!(
            (2..=3).contains(&get_items),
            "{case}: {get_items} GetItem attempts (expected 2..=3: retried, at most 3)"
        );
        assert_eq!(
            calls.values().sum::<usize>(),
            get_items,
            "{case}: no other call may follow a failed caller lookup: {calls:?}"
        );
    }
    assert_still_serving(&mut function, "throttled").await;
    let logs = function.logs();
    assert!(
        logs.iter()
            .any(|l| l.contains("status=503") && l.contains("ProvisionedThroughputExceeded")),
        "the 503 log line names the cause class: {logs:#?}"
    );
    assert_no_token_material(&logs, &[DEV_ADMIN_TOKEN]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_or_silent_write_gives_503_within_5_s_after_a_consistent_read() {
    for (mode, case) in [
        (FakeMode::AdminThenThrottlePut, "throttled PutItem"),
        (FakeMode::AdminThenSilentPut, "silent PutItem"),
        (FakeMode::ServerErrorAll, "HTTP 500 on every call"),
    ] {
        let fake = ThrottlingDynamoDb::start_with(mode).await;
        let mut function = Function::start(
            "tokens-fake",
            &[("AWS_ENDPOINT_URL_DYNAMODB", fake.endpoint.as_str())],
        )
        .await;
        wait_until_polling(&function, Duration::from_secs(15)).await;
        fake.reset();
        let (response, elapsed) =
            timed_call(&function, &event_file("http-api-create-200.json")).await;
        assert_unavailable(&response, elapsed, case);
        let calls = fake.snapshot();
        eprintln!("{case}: {elapsed:?}, requests by X-Amz-Target: {calls:?}");
        let puts = fake.count("DynamoDB_20120810.PutItem");
        let gets = fake.count("DynamoDB_20120810.GetItem");
        if mode == FakeMode::ServerErrorAll {
            assert!((2..=3).contains(&gets), "{case}: {gets} GetItem attempts");
            assert_eq!(puts, 0, "{case}");
        } else {
            // One lookup, then one write retried at most 3 times (an unavailable store is
            // not a collision: no new token is drawn).
            assert_eq!(gets, 1, "{case}");
            assert!((1..=3).contains(&puts), "{case}: {puts} PutItem attempts");
            if mode == FakeMode::AdminThenThrottlePut {
                assert!(puts >= 2, "{case}: the throttled write was retried");
            }
        }
        // The caller is read with a strongly consistent GetItem (docs/api.md).
        for body in fake.get_item_bodies().iter() {
            assert!(body.contains(r#""ConsistentRead":true"#), "{case}: {body}");
        }
        assert_still_serving(&mut function, case).await;
    }
}

/// List and revoke read the caller like create does, then `Query` the index (list, and
/// revoke to find the key) and `UpdateItem` (revoke): a throttled or silent store there
/// also gives a 503 within 5 s, and the process goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_or_silent_list_and_revoke_give_503_within_5_s() {
    for (mode, case) in [
        (FakeMode::AdminThenThrottlePut, "throttled Query/UpdateItem"),
        (FakeMode::AdminThenSilentPut, "silent Query/UpdateItem"),
    ] {
        let fake = ThrottlingDynamoDb::start_with(mode).await;
        let mut function = Function::start(
            "tokens-fake",
            &[("AWS_ENDPOINT_URL_DYNAMODB", fake.endpoint.as_str())],
        )
        .await;
        wait_until_polling(&function, Duration::from_secs(15)).await;
        for event in ["http-api-list-200.json", "http-api-revoke-own-200.json"] {
            fake.reset();
            let (response, elapsed) = timed_call(&function, &event_file(event)).await;
            let case = format!("{case}, {event}");
            assert_unavailable(&response, elapsed, &case);
            let calls = fake.snapshot();
            eprintln!("{case}: {elapsed:?}, requests by X-Amz-Target: {calls:?}");
            assert_eq!(fake.count("DynamoDB_20120810.GetItem"), 1, "{case}");
            let queries = fake.count("DynamoDB_20120810.Query");
            assert!(
                (1..=3).contains(&queries),
                "{case}: {queries} Query attempts"
            );
            assert_eq!(
                fake.count("DynamoDB_20120810.UpdateItem"),
                0,
                "{case}: no write without the key"
            );
        }
        assert_still_serving(&mut function, case).await;
        assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_gives_a_fast_500_with_the_cause_logged_without_secrets() {
    // Make sure DynamoDB Local is up (the table itself is deliberately never created).
    let _other = Table::new("missing-sibling").await;
    let mut function = Function::start("no-such-table-anywhere", &[]).await;
    wait_until_polling(&function, Duration::from_secs(15)).await;

    let (response, elapsed) = timed_call(&function, &event_file("http-api-create-200.json")).await;
    assert_error_envelope(&response, 500);
    assert_eq!(
        response.json()["Message"],
        "An internal error occurred. Please retry later."
    );
    assert!(!response.body.contains("no-such-table"));
    assert!(!response.body.contains("ResourceNotFound"));
    assert!(elapsed < FAULT_LIMIT, "500 after {elapsed:?}");
    // "Fast": no retries of a non-transient error, no waiting for a deadline.
    assert!(elapsed < Duration::from_secs(1), "500 after {elapsed:?}");
    eprintln!("fault latency: missing table: {} ms", elapsed.as_millis());

    assert_still_serving(&mut function, "missing table").await;
    let logs = function.logs();
    let line = logs
        .iter()
        .find(|l| l.contains("status=500"))
        .unwrap_or_else(|| panic!("no status=500 log line: {logs:#?}"));
    assert!(
        line.contains("ResourceNotFoundException"),
        "the 500 log line names the cause class: {line}"
    );
    assert_no_token_material(&logs, &[DEV_ADMIN_TOKEN]);
    assert!(!logs.join("\n").contains("Bearer "), "Authorization logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_without_table_name_fails_naming_it() {
    start_up_fails_naming(&[], "TABLE_NAME").await;
}

/// Issue 16, finding 7: an endpoint that is not DynamoDB Local on this machine stops the
/// process before any request is signed, naming the variable (not repeating the value).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_with_a_non_local_dynamodb_endpoint_fails_naming_it() {
    let env = [
        ("TABLE_NAME".to_owned(), "t".to_owned()),
        (
            "LOCAL_DYNAMODB_ENDPOINT_URL".to_owned(),
            "http://dynamodb.attacker.example:8000".to_owned(),
        ),
    ];
    let logs = start_up_fails_naming(&env, "LOCAL_DYNAMODB_ENDPOINT_URL").await;
    assert!(!logs.join("\n").contains("attacker.example"), "{logs:?}");
}

/// Starts the function with exactly `env` (plus credentials and Region), expects it to exit
/// non-zero with a log line naming `variable`, and returns its logs.
async fn start_up_fails_naming(env: &[(String, String)], variable: &str) -> Vec<String> {
    let mut function = Function::start_with_env(env).await;
    let code = function.wait_exit(Duration::from_secs(20)).await;
    assert!(
        matches!(code, Some(c) if c != 0),
        "exit code {code:?}; logs: {:?}",
        function.logs()
    );
    // The output readers may lag behind the exit a little.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !function.logs().iter().any(|l| l.contains(variable)) {
        assert!(
            Instant::now() < deadline,
            "the start-up failure does not name {variable}: {:?}",
            function.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    function.logs()
}

/// Yields `first` once, then bodies from the production generator.
struct CollideOnce {
    first: String,
    calls: Arc<AtomicUsize>,
}

impl TokenGenerator for CollideOnce {
    fn new_body(&self) -> Result<String, GenerateError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Ok(self.first.clone())
        } else {
            OsSeededGenerator.new_body()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collision_on_write_leaves_the_stored_item_intact_and_still_issues_a_token() {
    let table = Table::new("collision").await;
    table.seed_dev_tokens().await;
    // An existing token whose item differs from anything this request would write:
    // another tenant, an admin role, a CreatedBy and a Revoked attribute.
    let existing_body = "existingtoken000000000001";
    let existing = format!("{existing_body}-us-1");
    table
        .seed(&existing, "Administrator", 99, Some(false))
        .await;
    table
        .set_attribute(&existing, "CreatedBy", AttributeValue::S("0".repeat(64)))
        .await;
    let stored_before = table.item_for(&existing).await.expect("seeded item");
    let items_before = table.items().await;

    let calls = Arc::new(AtomicUsize::new(0));
    let app = App::new(
        DynamoDbStore::new(table.client.clone(), table.name.clone()),
        "us-1",
    )
    .with_generator(CollideOnce {
        first: existing_body.to_owned(),
        calls: calls.clone(),
    });
    let request: lambda_http::Request =
        create_api_token::event::parse_event(&event_file("http-api-create-200.json"))
            .expect("event parses")
            .into();
    let response = app.handle(request).await;

    assert_eq!(response.status(), 200);
    let Body::Text(text) = response.body() else {
        panic!("unexpected body {:?}", response.body())
    };
    let body: serde_json::Value = serde_json::from_str(text).unwrap();
    let token = body["Response"]["token"]["Token"].as_str().unwrap();
    assert_ne!(token, existing, "the colliding token was handed out");
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one collision, one redraw");
    assert_eq!(body["Response"]["token"]["TenantId"], DEV_TENANT);

    // The existing item is unchanged, attribute for attribute.
    assert_eq!(table.item_for(&existing).await, Some(stored_before));
    // Exactly one new item: the fresh token's, for the caller's tenant.
    let items_after = table.items().await;
    assert_eq!(items_after.len(), items_before.len() + 1);
    for (key, item) in &items_before {
        assert_eq!(items_after.get(key), Some(item), "an existing item changed");
    }
    let new_item = table.item_for(token).await.expect("the new token's item");
    assert_eq!(new_item["TenantId"].as_n().unwrap(), "1");
    assert_eq!(new_item["Role"].as_s().unwrap(), "Standard");
    assert_eq!(
        new_item["CreatedBy"].as_s().unwrap(),
        TokenHash::of(DEV_ADMIN_TOKEN).as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_takes_effect_on_the_next_call() {
    let table = Table::new("revoke").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[]).await;
    let event = event_file("http-api-create-200.json");

    let first = function.call(&event).await;
    let issued = issued_token(&first);

    table
        .set_attribute(DEV_ADMIN_TOKEN, "Revoked", AttributeValue::Bool(true))
        .await;
    let items_before = table.items().await;
    let refused = function.call(&event).await;
    assert_error_envelope(&refused, 401);
    assert_eq!(
        refused.header("www-authenticate"),
        Some(r#"Bearer realm="api""#)
    );
    assert_eq!(table.items().await, items_before, "a revoked caller wrote");

    // And lifting the revocation works at once too (no negative caching either).
    table
        .set_attribute(DEV_ADMIN_TOKEN, "Revoked", AttributeValue::Bool(false))
        .await;
    let again = function.call(&event).await;
    let reissued = issued_token(&again);
    assert_ne!(issued, reissued);
    assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN, &issued, &reissued]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tenant_comes_only_from_the_stored_caller() {
    const TENANT_TWO_ADMIN: &str = "tenanttwoadmin00000000002-us-1";
    let table = Table::new("tenants").await;
    table.seed_dev_tokens().await;
    table.seed(TENANT_TWO_ADMIN, "Administrator", 2, None).await;
    let function = Function::start(&table.name, &[]).await;

    // Tenant 1's admin tries to pick tenant 2 through the query, the body and a header.
    let mut event = event_value("http-api-create-200.json");
    event["rawQueryString"] = "description=sneaky&TenantId=2&tenantId=2&tenant=2".into();
    event["queryStringParameters"] = serde_json::json!({"description": "sneaky", "TenantId": "2", "tenantId": "2", "tenant": "2"});
    event["body"] = r#"{"TenantId":2,"tenantId":2}"#.into();
    set_event_header(&mut event, "content-type", "application/json");
    set_event_header(&mut event, "x-tenant-id", "2");
    let one = function.call(&event.to_string()).await;
    let one_token = issued_token(&one);
    assert_eq!(one.json()["Response"]["token"]["TenantId"], 1);
    assert_eq!(one.json()["Response"]["token"]["Description"], "sneaky");
    let item = table.item_for(&one_token).await.unwrap();
    assert_eq!(item["TenantId"].as_n().unwrap(), "1");

    // Tenant 2's admin gets tenant 2, with CreatedBy its own digest.
    let two = function
        .call(&create_event_with(&format!("Bearer {TENANT_TWO_ADMIN}")))
        .await;
    let two_token = issued_token(&two);
    assert_eq!(two.json()["Response"]["token"]["TenantId"], 2);
    let item = table.item_for(&two_token).await.unwrap();
    assert_eq!(item["TenantId"].as_n().unwrap(), "2");
    assert_eq!(
        item["CreatedBy"].as_s().unwrap(),
        TokenHash::of(TENANT_TWO_ADMIN).as_str()
    );

    // And tenant 1's plain create lands in tenant 1.
    let plain = function.call(&event_file("http-api-create-200.json")).await;
    let plain_token = issued_token(&plain);
    let item = table.item_for(&plain_token).await.unwrap();
    assert_eq!(item["TenantId"].as_n().unwrap(), "1");
    assert_no_token_material(
        &function.logs(),
        &[
            DEV_ADMIN_TOKEN,
            TENANT_TWO_ADMIN,
            &one_token,
            &two_token,
            &plain_token,
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_token_acts_as_a_standard_token() {
    let table = Table::new("standard").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[]).await;

    let created = function.call(&event_file("http-api-create-200.json")).await;
    let issued = issued_token(&created);
    let items_before = table.items().await;
    for event in [
        create_event_with(&format!("Bearer {issued}")),
        create_event_with(&format!("bearer {issued}")),
        {
            use base64::Engine;
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("api:{issued}"));
            create_event_with(&format!("Basic {basic}"))
        },
    ] {
        let response = function.call(&event).await;
        assert_error_envelope(&response, 403);
    }
    assert_eq!(table.items().await, items_before, "a Standard token wrote");
    assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN, &issued]);
}

/// docs/api.md: no token, body or digest in any log, even when the operator turns logging up
/// to `trace` (where lambda_runtime would print raw events and the SDK request bodies).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logging_still_holds_no_token_material() {
    let table = Table::new("trace").await;
    table.seed_dev_tokens().await;
    for level_var in ["RUST_LOG", "AWS_LAMBDA_LOG_LEVEL"] {
        let function = Function::start(&table.name, &[(level_var, "trace")]).await;
        let created = function.call(&event_file("http-api-create-200.json")).await;
        assert_eq!(created.status, 200, "{}", created.body);
        let issued = issued_token(&created);
        let refused = function
            .call(&event_file("http-api-non-admin-403.json"))
            .await;
        assert_eq!(refused.status, 403);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let logs = function.logs();
        assert!(
            logs.iter().any(|l| l.contains("status=200")),
            "the request line is still logged: {logs:#?}"
        );
        assert_no_token_material(&logs, &[DEV_ADMIN_TOKEN, DEV_STANDARD_TOKEN, &issued]);
        assert!(
            !logs.join("\n").contains("Bearer"),
            "an Authorization value reached the logs"
        );
    }
}

/// `DATA_CENTER` is the suffix of issued tokens and the only one accepted, end to end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_center_sets_the_issued_suffix_and_the_only_accepted_one() {
    let table = Table::new("eu2").await;
    let eu_admin = "localdevadmin000000000001-eu-2";
    table.seed(eu_admin, "Administrator", 3, None).await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[("DATA_CENTER", "eu-2")]).await;

    let created = function
        .call(&create_event_with(&format!("Bearer {eu_admin}")))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let issued = issued_token(&created);
    assert!(issued.ends_with("-eu-2") && issued.len() == 30, "{issued}");
    assert_eq!(created.json()["Response"]["token"]["TenantId"], 3);

    // A us-1 token, though stored as an Administrator, has the wrong shape here: 401.
    let refused = function.call(&event_file("http-api-create-200.json")).await;
    assert_error_envelope(&refused, 401);
}
