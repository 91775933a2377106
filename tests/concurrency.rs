//! Lambda Managed Instances: one execution environment serving many requests at once.
//!
//! The real `create-api-token` binary is served by the loopback Runtime API, which hands
//! out events to as many `GET .../invocation/next` polls as the function makes. With
//! `AWS_LAMBDA_MAX_CONCURRENCY=8` (what Lambda sets on Managed Instances) the function
//! polls with 8 workers; without it, one request at a time as on classic Lambda. Either
//! way each request gets its own answer, its own deadline and exactly one log line with
//! its own request id.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use testkit::*;

/// What one event of the mix should get.
struct Expected {
    status: u16,
    /// For creates: the description sent, which the answer and the item must carry.
    description: Option<String>,
}

/// Event `i` of a mix of creates, lists, a Standard caller (403), an unknown token (401)
/// and a wrong path (404), so that a line or an answer paired with the wrong request shows.
fn event(i: usize) -> (String, Expected) {
    let admin = || events::http_api("POST", events::COLLECTION).bearer(DEV_ADMIN_TOKEN);
    let (event, status, description) = match i % 5 {
        0 | 3 => {
            let description = format!("concurrent {i}");
            let event = admin().query(&format!("description=concurrent+{i}"));
            (event, 200, Some(description))
        }
        1 => (admin().method("GET").query("limit=5"), 200, None),
        2 => (admin().bearer(DEV_STANDARD_TOKEN), 403, None),
        _ => {
            if i.is_multiple_of(2) {
                (admin().bearer("unknowntoken000000000000-us-1"), 401, None)
            } else {
                (admin().path("/api/v1/admin/other"), 404, None)
            }
        }
    };
    (
        event.to_string(),
        Expected {
            status,
            description,
        },
    )
}

/// The function's log lines that belong to request `id`.
fn lines_for<'a>(logs: &'a [String], id: &str) -> Vec<&'a String> {
    let field = format!("request_id=\"{id}\"");
    logs.iter().filter(|l| l.contains(&field)).collect()
}

/// Sends `n` events of the mix at once and checks every answer, item and log line;
/// returns the most events the function held at once.
async fn serve_at_once(function: &Function, table: &Table, n: usize) -> u64 {
    let events: Vec<(String, Expected)> = (0..n).map(event).collect();
    let calls = events.iter().map(|(event, _)| {
        function
            .runtime
            .invoke_with_id(event, Duration::from_secs(20))
    });
    let answers = join_all(calls).await;

    // The log lines are written before the answer is posted, but the reader of the
    // process's output may lag a little behind.
    let settle = Instant::now() + Duration::from_secs(5);
    while answers
        .iter()
        .any(|(id, _)| lines_for(&function.logs(), id).is_empty())
        && Instant::now() < settle
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let logs = function.logs();
    let mut issued = Vec::new();
    for ((id, outcome), (_, expected)) in answers.iter().zip(&events) {
        let outcome = outcome
            .as_ref()
            .unwrap_or_else(|| panic!("{id}: no answer within 20 s; logs: {logs:#?}"));
        let Outcome::Response(body) = outcome else {
            panic!("{id}: invocation error {outcome:?}");
        };
        let response = HttpResponse::parse(body);
        assert_eq!(response.status, expected.status, "{id}: {}", response.body);
        if let Some(description) = &expected.description {
            let token = &response.json()["Response"]["token"];
            assert_eq!(token["Description"], description.as_str(), "{id}");
            let plaintext = token["Token"].as_str().unwrap().to_owned();
            let item = table.item_for(&plaintext).await.expect("the new item");
            assert_eq!(item["Description"].as_s().unwrap(), description, "{id}");
            assert_eq!(
                item["TokenId"].as_s().ok().map(String::as_str),
                response.header("api-token-id"),
                "{id}"
            );
            issued.push(plaintext);
        }
        let lines = lines_for(&logs, id);
        assert_eq!(lines.len(), 1, "{id}: exactly one log line: {lines:#?}");
        assert!(
            lines[0].contains(&format!("status={}", expected.status)),
            "{id}: the line of another request: {}",
            lines[0]
        );
    }
    let mut distinct = issued.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), issued.len(), "a token was issued twice");
    let mut secrets: Vec<&str> = vec![DEV_ADMIN_TOKEN, DEV_STANDARD_TOKEN];
    secrets.extend(issued.iter().map(String::as_str));
    assert_no_token_material(&logs, &secrets);
    function.runtime.max_in_flight()
}

/// Waits until `n` workers of the function wait for an event at once.
async fn wait_for_workers(function: &Function, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while function.runtime.waiting_polls() < n {
        assert!(
            Instant::now() < deadline,
            "{} of {n} workers polling; logs: {:?}",
            function.runtime.waiting_polls(),
            function.logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_events_at_once_on_eight_workers_each_answered_with_its_own_log_line() {
    let table = Table::new("concurrent").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[("AWS_LAMBDA_MAX_CONCURRENCY", "8")]).await;
    wait_for_workers(&function, 8).await;

    let held = serve_at_once(&function, &table, 16).await;
    eprintln!("AWS_LAMBDA_MAX_CONCURRENCY=8: at most {held} events in flight at once");
    assert!(
        (2..=8).contains(&held),
        "{held} events in flight at once: expected concurrent requests, at most 8"
    );
    // Still serving after the burst, with the same 8 workers.
    wait_for_workers(&function, 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_max_concurrency_events_are_served_one_at_a_time() {
    let table = Table::new("sequential").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[]).await;
    wait_until_polling(&function, Duration::from_secs(15)).await;

    let held = serve_at_once(&function, &table, 6).await;
    assert_eq!(held, 1, "classic Lambda: one event at a time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_concurrent_request_gets_its_503_within_its_own_5_s() {
    // A DynamoDB endpoint that accepts connections and never answers.
    let silent = SilentDynamoDb::start().await;
    let function = Function::start(
        "tokens-silent",
        &[
            ("AWS_ENDPOINT_URL_DYNAMODB", silent.endpoint.as_str()),
            ("AWS_LAMBDA_MAX_CONCURRENCY", "8"),
        ],
    )
    .await;
    wait_for_workers(&function, 8).await;

    let event = event_file("http-api-create-200.json");
    let started = Instant::now();
    let calls = (0..8).map(|_| async {
        let (id, outcome) = function
            .runtime
            .invoke_with_id(&event, Duration::from_secs(20))
            .await;
        (id, outcome, started.elapsed())
    });
    let answers = join_all(calls).await;
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for (id, outcome, elapsed) in &answers {
        let Some(Outcome::Response(body)) = outcome else {
            panic!("{id}: {outcome:?}");
        };
        let response = HttpResponse::parse(body);
        assert_error_envelope(&response, 503);
        *statuses.entry(response.status).or_default() += 1;
        assert!(
            *elapsed < Duration::from_secs(5),
            "{id}: 503 after {elapsed:?}: a stuck request held up another's deadline"
        );
    }
    let slowest = answers.iter().map(|(_, _, e)| *e).max().unwrap();
    eprintln!("8 stuck requests at once: all 503 by {slowest:?}");
    assert!(function.runtime.max_in_flight() >= 2);
    assert!(silent.accepted() > 0);
}
