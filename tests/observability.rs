//! Logs and metrics as CloudWatch reads them (README, "Logs and metrics"):
//!
//! - under `AWS_LAMBDA_LOG_FORMAT=JSON`, every line the real binary writes is one JSON
//!   object; log lines carry plain top-level fields of the right JSON types (`request_id`
//!   a string equal to the invocation's id, `status` a number, ...), an RFC 3339
//!   `timestamp`, and the invocation span once;
//! - a 503's line and metrics record name its cause class (no credentials, endpoint
//!   unreachable, timed out) without anything secret;
//! - the level names Lambda documents filter the lines (`FATAL` and `ERROR` keep only
//!   errors, `WARN` adds warnings, an unknown name means `INFO` and says so);
//! - one Embedded Metric Format record per request, valid EMF (the `_aws` metadata, each
//!   metric and dimension a top-level member), counting each outcome right: in process
//!   over the in-memory store, and through the binary over DynamoDB Local.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use create_api_token::metrics::MetricsSink;
use create_api_token::store::StoreError;
use serde_json::Value;
use testkit::*;

const COLLECTION: &str = "/api/v1/admin/apikey";

/// An HTTP API (payload 2.0) event with `method`, `path`, the query `query`
/// (`name=value&...`) and `authorization` (none if `None`).
fn event(method: &str, path: &str, query: &str, authorization: Option<&str>) -> String {
    let event = events::http_api(method, path).query(query);
    match authorization {
        Some(a) => event.authorization(a),
        None => event,
    }
    .to_string()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Every line parsed as a JSON object, split into log lines and EMF records (`_aws`).
fn parse_output(lines: &[String]) -> (Vec<Value>, Vec<Value>) {
    let mut logs = Vec::new();
    let mut records = Vec::new();
    for line in lines {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"));
        assert!(v.is_object(), "not a JSON object: {line}");
        if v.get("_aws").is_some() {
            records.push(v);
        } else {
            logs.push(v);
        }
    }
    (logs, records)
}

/// The request lines (`message` = "api token request").
fn request_lines(logs: &[Value]) -> Vec<&Value> {
    logs.iter()
        .filter(|l| l["message"] == "api token request")
        .collect()
}

/// Waits until the function has written `n` metrics records (its output is read by
/// background tasks), then returns its parsed output.
async fn output_after(function: &Function, n: usize) -> (Vec<Value>, Vec<Value>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (logs, records) = parse_output(&function.logs());
        if records.len() >= n || Instant::now() > deadline {
            return (logs, records);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts that `line` is a log line as Lambda and Logs Insights read it.
fn assert_log_line_shape(line: &Value) {
    let level = line["level"].as_str().expect("level is a string");
    assert!(
        ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level),
        "{line}"
    );
    let ts = line["timestamp"].as_str().expect("timestamp is a string");
    assert!(
        ts.len() >= 20
            && ts.as_bytes()[4] == b'-'
            && ts.as_bytes()[10] == b'T'
            && ts.ends_with('Z'),
        "RFC 3339 UTC timestamp: {ts}"
    );
    assert!(line["message"].is_string(), "{line}");
    assert!(line.get("fields").is_none(), "fields flattened: {line}");
    assert!(line.get("spans").is_none(), "one span, not a list: {line}");
    // No value is a string holding a quoted string (the old `?x` formatting).
    for (key, value) in line.as_object().unwrap() {
        if let Some(s) = value.as_str() {
            assert!(!s.starts_with('"'), "{key} is quoted twice: {line}");
        }
    }
}

/// Asserts that `record` is a valid EMF document of this service and returns its metric
/// values by name.
fn assert_emf(record: &Value) -> BTreeMap<String, f64> {
    let aws = &record["_aws"];
    assert!(aws["Timestamp"].is_u64(), "Timestamp in ms: {record}");
    let directives = aws["CloudWatchMetrics"]
        .as_array()
        .expect("CloudWatchMetrics");
    assert_eq!(directives.len(), 1, "{record}");
    let d = &directives[0];
    assert_eq!(d["Namespace"], "ApiTokenService");
    assert_eq!(d["Dimensions"], serde_json::json!([["Operation"], []]));
    for set in d["Dimensions"].as_array().unwrap() {
        for key in set.as_array().unwrap() {
            let key = key.as_str().unwrap();
            assert!(
                record[key].is_string(),
                "dimension {key} is a top-level string: {record}"
            );
        }
    }
    let op = record["Operation"].as_str().unwrap();
    assert!(
        ["create", "list", "revoke", "unknown"].contains(&op),
        "{op}"
    );
    let mut values = BTreeMap::new();
    for m in d["Metrics"].as_array().unwrap() {
        let name = m["Name"].as_str().expect("Name");
        let unit = m["Unit"].as_str().expect("Unit");
        assert!(["Count", "Milliseconds"].contains(&unit), "{unit}");
        let value = record[name]
            .as_f64()
            .unwrap_or_else(|| panic!("metric {name} is a top-level number: {record}"));
        assert!(value >= 0.0);
        values.insert(name.to_owned(), value);
    }
    assert!(values.contains_key("RequestLatency"), "{record}");
    assert!(record["Reason"].is_string() && record["Status"].is_u64());
    values
}

/// Sums the `Count` metrics of `records` by (metric, Operation).
fn counts(records: &[Value]) -> BTreeMap<(String, String), f64> {
    let mut totals = BTreeMap::new();
    for r in records {
        let op = r["Operation"].as_str().unwrap().to_owned();
        for m in r["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
        {
            if m["Unit"] == "Count" {
                let name = m["Name"].as_str().unwrap().to_owned();
                *totals.entry((name.clone(), op.clone())).or_default() +=
                    r[&name].as_f64().unwrap();
            }
        }
    }
    totals
}

fn expected(pairs: &[(&str, &str, f64)]) -> BTreeMap<(String, String), f64> {
    pairs
        .iter()
        .map(|(m, o, n)| (((*m).to_owned(), (*o).to_owned()), *n))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_lines_and_emf_records_through_the_real_binary() {
    let table = Table::new("observe").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[("AWS_LAMBDA_LOG_FORMAT", "JSON")]).await;
    let admin = bearer(DEV_ADMIN_TOKEN);
    let revoke_path = format!("{COLLECTION}/{DEV_REVOKE_TOKEN_ID}");
    // (event, status, operation in the log line, reached the store)
    let requests: Vec<(String, u16, Option<&str>, bool)> = vec![
        (
            event("POST", COLLECTION, "description=a", Some(&admin)),
            200,
            Some("create"),
            true,
        ),
        (
            event("POST", COLLECTION, "", Some(&admin)),
            200,
            Some("create"),
            true,
        ),
        (
            event("POST", COLLECTION, "", Some(&admin)),
            200,
            Some("create"),
            true,
        ),
        (
            event("POST", COLLECTION, "", None),
            401,
            Some("create"),
            false,
        ),
        (
            event(
                "GET",
                COLLECTION,
                "",
                Some(&bearer("unknownunknownunknown0001-us-1")),
            ),
            401,
            Some("list"),
            true,
        ),
        (
            event("POST", COLLECTION, "", Some(&bearer(DEV_STANDARD_TOKEN))),
            403,
            Some("create"),
            true,
        ),
        (
            event("GET", COLLECTION, "limit=0", Some(&admin)),
            400,
            Some("list"),
            true,
        ),
        (
            event("GET", COLLECTION, "limit=5", Some(&admin)),
            200,
            Some("list"),
            true,
        ),
        (
            event("DELETE", &revoke_path, "", Some(&admin)),
            200,
            Some("revoke"),
            true,
        ),
        (
            event("POST", "/api/v1/elsewhere", "", Some(&admin)),
            404,
            None,
            false,
        ),
        (event("PUT", COLLECTION, "", Some(&admin)), 405, None, false),
    ];
    for (e, status, _, _) in &requests {
        let r = function.call(e).await;
        assert_eq!(r.status, *status, "{}", r.body);
    }
    let (logs, records) = output_after(&function, requests.len()).await;

    for line in &logs {
        assert_log_line_shape(line);
    }
    let lines = request_lines(&logs);
    assert_eq!(
        lines.len(),
        requests.len(),
        "one line per request: {logs:#?}"
    );
    for (i, (line, (_, status, operation, stored))) in lines.iter().zip(&requests).enumerate() {
        let id = format!("req-{:06}", i + 1);
        assert_eq!(line["request_id"], id.as_str(), "{line}");
        assert_eq!(line["span"]["requestId"], id.as_str(), "{line}");
        assert_eq!(line["span"]["name"], "Lambda runtime invoke");
        assert_eq!(line["status"].as_u64(), Some(u64::from(*status)), "{line}");
        assert_eq!(line["level"], "INFO", "{line}");
        assert!(line["reason"].is_string(), "{line}");
        assert!(line["latency_us"].is_u64(), "{line}");
        match operation {
            Some(op) => assert_eq!(line["operation"], *op, "{line}"),
            None => assert!(line.get("operation").is_none(), "{line}"),
        }
        assert_eq!(line["store_latency_us"].is_u64(), *stored, "{line}");
        if *stored && *status != 401 {
            assert_eq!(line["tenant_id"].as_i64(), Some(DEV_TENANT), "{line}");
        }
        assert!(line.get("cause").is_none(), "{line}");
    }

    assert_eq!(records.len(), requests.len(), "one record per request");
    for (i, (record, (_, status, _, stored))) in records.iter().zip(&requests).enumerate() {
        let values = assert_emf(record);
        assert_eq!(record["RequestId"], format!("req-{:06}", i + 1).as_str());
        assert_eq!(record["Status"].as_u64(), Some(u64::from(*status)));
        assert_eq!(values.contains_key("StoreLatency"), *stored, "{record}");
    }
    assert_eq!(
        counts(&records),
        expected(&[
            ("TokensCreated", "create", 3.0),
            ("Unauthorized", "create", 1.0),
            ("Unauthorized", "list", 1.0),
            ("Forbidden", "create", 1.0),
            ("BadRequest", "list", 1.0),
            ("TokensListed", "list", 1.0),
            ("TokensRevoked", "revoke", 1.0),
            ("NotFound", "unknown", 1.0),
        ])
    );
    let everything: Vec<String> = function.logs();
    assert_no_token_material(&everything, &[DEV_ADMIN_TOKEN, DEV_STANDARD_TOKEN]);
    assert!(!everything.join("\n").contains("Bearer"));
}

/// Starts the binary with JSON logs against `endpoint`, with or without credentials.
async fn start_json(endpoint: &str, credentials: bool, level: Option<&str>) -> Function {
    let mut env = vec![
        ("AWS_LAMBDA_LOG_FORMAT".to_owned(), "JSON".to_owned()),
        ("TABLE_NAME".to_owned(), "observe-faults".to_owned()),
        ("AWS_ENDPOINT_URL_DYNAMODB".to_owned(), endpoint.to_owned()),
    ];
    if let Some(level) = level {
        env.push(("AWS_LAMBDA_LOG_LEVEL".to_owned(), level.to_owned()));
    }
    if !credentials {
        // Blank values override the harness's local static credentials: the SDK's
        // credential chain then finds none (instance metadata is disabled).
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            env.push((name.to_owned(), String::new()));
        }
    }
    let function = Function::start_with_env(&env).await;
    wait_until_polling(&function, Duration::from_secs(15)).await;
    function
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_names_its_cause_in_the_log_line_and_the_metrics_record() {
    let closed = format!("http://127.0.0.1:{}", free_port());
    let silent_dynamodb = SilentDynamoDb::start().await;
    let silent = silent_dynamodb.endpoint.clone();
    for (case, endpoint, credentials, cause_classes) in [
        (
            "no credentials",
            closed.as_str(),
            false,
            &["no_aws_credentials: "][..],
        ),
        (
            "endpoint unreachable",
            closed.as_str(),
            true,
            &["endpoint_unreachable: "][..],
        ),
        (
            "endpoint silent",
            silent.as_str(),
            true,
            &["timed_out: ", "deadline_exceeded: "][..],
        ),
    ] {
        let function = start_json(endpoint, credentials, None).await;
        let create = event("POST", COLLECTION, "", Some(&bearer(DEV_ADMIN_TOKEN)));
        let r = function.call(&create).await;
        assert_error_envelope(&r, 503);
        let (logs, records) = output_after(&function, 1).await;
        for line in &logs {
            assert_log_line_shape(line);
        }
        let lines = request_lines(&logs);
        assert_eq!(lines.len(), 1, "{case}: {logs:#?}");
        let line = lines[0];
        assert_eq!(line["level"], "ERROR", "{case}: {line}");
        assert_eq!(line["status"], 503, "{case}: {line}");
        assert_eq!(line["reason"], "store_unavailable", "{case}: {line}");
        let cause = line["cause"].as_str().expect("cause is a string");
        assert!(
            cause_classes.iter().any(|c| cause.starts_with(c)),
            "{case}: cause {cause:?}, expected one of {cause_classes:?}"
        );
        assert_eq!(records.len(), 1, "{case}");
        let values = assert_emf(&records[0]);
        assert_eq!(values.get("StoreUnavailable"), Some(&1.0), "{case}");
        assert_eq!(records[0]["Cause"], cause, "{case}");
        assert_eq!(records[0]["Operation"], "create", "{case}");
        let all = function.logs().join("\n");
        assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN]);
        assert!(!all.contains("Bearer"), "{case}");
        eprintln!("{case}: cause {cause:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_level_names_filter_the_json_lines() {
    // An unreachable store: the cold-start warm-up logs a WARN, a create gets a 503 (an
    // ERROR line), a wrong path a 404 (an INFO line).
    let closed = format!("http://127.0.0.1:{}", free_port());
    for (level, info, warn) in [
        (Some("FATAL"), false, false),
        (Some("fatal"), false, false),
        (Some("ERROR"), false, false),
        (Some("WARN"), false, true),
        (Some("INFO"), true, true),
        (None, true, true),
        (Some("VERBOSE"), true, true),
    ] {
        let function = start_json(&closed, true, level).await;
        let r = function
            .call(&event(
                "POST",
                COLLECTION,
                "",
                Some(&bearer(DEV_ADMIN_TOKEN)),
            ))
            .await;
        assert_eq!(r.status, 503);
        let r = function
            .call(&event(
                "POST",
                "/elsewhere",
                "",
                Some(&bearer(DEV_ADMIN_TOKEN)),
            ))
            .await;
        assert_eq!(r.status, 404);
        let (logs, records) = output_after(&function, 2).await;
        for line in &logs {
            assert_log_line_shape(line);
        }
        let has = |lvl: &str| logs.iter().any(|l| l["level"] == lvl);
        assert!(has("ERROR"), "{level:?}: the 503 line: {logs:#?}");
        assert_eq!(has("INFO"), info, "{level:?}: {logs:#?}");
        assert_eq!(has("WARN"), warn, "{level:?}: {logs:#?}");
        assert!(!has("DEBUG") && !has("TRACE"), "{level:?}");
        let unrecognised = logs.iter().any(|l| {
            l["level"] == "WARN"
                && l["variable"] == "AWS_LAMBDA_LOG_LEVEL"
                && l["value"] == "VERBOSE"
        });
        assert_eq!(
            unrecognised,
            level == Some("VERBOSE"),
            "{level:?}: {logs:#?}"
        );
        // Metrics records are not log lines: written whatever the level.
        assert_eq!(records.len(), 2, "{level:?}");
    }
}

#[tokio::test]
async fn emf_records_count_each_outcome_in_process() {
    let (sink, records) = MetricsSink::memory();
    let app = memory_app_with_dev_admin().with_metrics(sink);
    let admin = bearer(DEV_ADMIN_TOKEN);
    let send = |e: String| {
        let request = lambda_http::request::from_str(&e).expect("event parses");
        app.handle(request)
    };
    for _ in 0..3 {
        assert_eq!(
            send(event("POST", COLLECTION, "", Some(&admin)))
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        send(event("POST", COLLECTION, "", None)).await.status(),
        401
    );
    let unknown = bearer("unknownunknownunknown0001-us-1");
    assert_eq!(
        send(event("POST", COLLECTION, "", Some(&unknown)))
            .await
            .status(),
        401
    );
    assert_eq!(
        send(event("GET", COLLECTION, "", Some(&admin)))
            .await
            .status(),
        200
    );
    app.store().fail_with(Some(StoreError::Unavailable(
        "throttled: ThrottlingException (HTTP 400)".into(),
    )));
    assert_eq!(
        send(event("POST", COLLECTION, "", Some(&admin)))
            .await
            .status(),
        503
    );
    app.store().fail_with(None);

    let records: Vec<Value> = records
        .lock()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(r).expect("a record is JSON"))
        .collect();
    assert_eq!(records.len(), 7);
    for r in &records {
        assert_emf(r);
    }
    assert_eq!(
        counts(&records),
        expected(&[
            ("TokensCreated", "create", 3.0),
            ("Unauthorized", "create", 2.0),
            ("TokensListed", "list", 1.0),
            ("StoreUnavailable", "create", 1.0),
        ])
    );
    // Store latency only where the store was called: not for a missing token.
    let with_store: Vec<bool> = records
        .iter()
        .map(|r| r["StoreLatency"].is_number())
        .collect();
    assert_eq!(with_store, [true, true, true, false, true, true, true]);
    let unavailable = &records[6];
    assert_eq!(unavailable["Reason"], "store_unavailable");
    assert_eq!(
        unavailable["Cause"],
        "throttled: ThrottlingException (HTTP 400)"
    );
    assert_eq!(records[3]["Reason"], "no_credentials");
    assert_eq!(records[4]["Reason"], "unknown_token");
}
