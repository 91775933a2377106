//! The Lambda authorizer, `apikey-authorizer`, as Lambda runs it: the real binary served by
//! the loopback Runtime API, against AWS DynamoDB Local (or a DynamoDB that refuses,
//! never answers, or throttles). REST `REQUEST` and HTTP API payload 2.0 events start from
//! the files in `events/authorizer/` (AWS's documented examples with the dev tokens).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use futures_util::future::join_all;
use serde_json::{json, Value};
use testkit::process::{function_command, spawn};
use testkit::*;
use tokio::process::Child;

const ADMIN: &str = "authzadminadminadmin00001-us-1";
const ADMIN_ID: &str = "01KBADM0000000000000000001";
const OLD: &str = "authzoldoldoldoldoldold01-us-1";
const REVOKED: &str = "authzrevokedrevokedrevok1-us-1";
const UNKNOWN: &str = "authzunknownunknownunkno1-us-1";
const ALL_TOKENS: [&str; 5] = [DEV_STANDARD_TOKEN, ADMIN, OLD, REVOKED, UNKNOWN];

/// The real `apikey-authorizer` process, serving events from a [`RuntimeApi`].
struct Authorizer {
    runtime: RuntimeApi,
    child: Child,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Authorizer {
    /// Starts the binary against `table` at `endpoint` (DynamoDB Local unless given).
    async fn start(table: &str, endpoint: Option<&str>, extra: &[(&str, &str)]) -> Self {
        set_local_aws_env();
        let endpoint = endpoint.unwrap_or_else(|| dynamodb_local_endpoint());
        let runtime = RuntimeApi::start().await;
        let mut cmd = function_command(env!("CARGO_BIN_EXE_apikey-authorizer").as_ref());
        cmd.env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .env("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
            .env("TABLE_NAME", table)
            .env("AWS_LAMBDA_FUNCTION_NAME", "apikey-authorizer");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let process = spawn(cmd, &runtime.address()).expect("spawn");
        Self {
            runtime,
            child: process.child,
            logs: process.logs,
        }
    }

    async fn invoke(&self, event: &str) -> Outcome {
        self.runtime
            .invoke(event, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no answer within 10 s; logs: {:?}", self.logs()))
    }

    fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }

    /// The JSON lines the process wrote with `message` (log lines) or `key` (EMF records).
    fn lines_with(&self, key: &str, value: Option<&str>) -> Vec<Value> {
        self.logs()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| match value {
                Some(value) => v[key] == value,
                None => v.get(key).is_some(),
            })
            .collect()
    }

    /// As [`Authorizer::lines_with`], once there are `n` (the process writes a line before
    /// it answers, but this test reads its pipe asynchronously): waits up to 2 s.
    async fn wait_for_lines(&self, key: &str, value: Option<&str>, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let lines = self.lines_with(key, value);
            if lines.len() >= n || Instant::now() > deadline {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// An authorizer event of `shape` (`rest-request` or `http-api`) carrying `authorization`.
fn event(shape: &str, authorization: Option<&str>) -> Value {
    let mut event = event_value(&format!("authorizer/{shape}-allow.json"));
    for field in ["headers", "multiValueHeaders"] {
        if let Some(map) = event.get_mut(field).and_then(Value::as_object_mut) {
            map.retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
        }
    }
    if let Some(value) = authorization {
        set_event_header(&mut event, "Authorization", value);
    }
    event
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn basic(token: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("api:{token}"));
    format!("Basic {encoded}")
}

async fn seeded_table(prefix: &str) -> Table {
    let table = Table::new(prefix).await;
    table.seed_dev_tokens().await;
    table
        .seed_with_id(ADMIN, ADMIN_ID, "Administrator", 3)
        .await;
    table.seed(OLD, "Standard", 4, None).await;
    table.seed(REVOKED, "Standard", 1, Some(true)).await;
    table
}

fn unauthorized() -> Outcome {
    Outcome::Error(r#"{"errorType":"Unauthorized","errorMessage":"Unauthorized"}"#.to_owned())
}

fn error_type(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Error(body) => {
            let v: Value = serde_json::from_str(body).expect("error body is JSON");
            v["errorType"].as_str().unwrap().to_owned()
        }
        Outcome::Response(body) => panic!("expected an invocation error, got {body}"),
    }
}

fn response(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Response(body) => serde_json::from_str(&body).expect("response is JSON"),
        Outcome::Error(e) => panic!("expected a response, got the invocation error {e}"),
    }
}

const STAGE_RESOURCE: &str = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/Prod/*/*";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_verification_rule_on_both_shapes() {
    let table = seeded_table("authz-rules").await;
    let authorizer = Authorizer::start(&table.name, None, &[]).await;
    let allowed = [
        (
            bearer(DEV_STANDARD_TOKEN),
            DEV_STANDARD_TOKEN_ID,
            1,
            "Standard",
            DEV_STANDARD_TOKEN_ID,
        ),
        (
            basic(DEV_STANDARD_TOKEN),
            DEV_STANDARD_TOKEN_ID,
            1,
            "Standard",
            DEV_STANDARD_TOKEN_ID,
        ),
        (
            format!("bEaReR   {ADMIN}"),
            ADMIN_ID,
            3,
            "Administrator",
            ADMIN_ID,
        ),
        // A token made before TokenIds existed.
        (bearer(OLD), "tenant-4", 4, "Standard", ""),
    ];
    for (authorization, principal, tenant, role, token_id) in &allowed {
        let context = json!({"tenantId": tenant, "role": role, "tokenId": token_id});
        let rest = response(
            authorizer
                .invoke(&event("rest-request", Some(authorization)).to_string())
                .await,
        );
        assert_eq!(
            rest,
            json!({"principalId": principal,
                   "policyDocument": {"Version": "2012-10-17", "Statement": [
                       {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": STAGE_RESOURCE}]},
                   "context": context}),
            "{principal}"
        );
        assert!(rest["context"]["tenantId"].is_i64());
        let http = response(
            authorizer
                .invoke(&event("http-api", Some(authorization)).to_string())
                .await,
        );
        assert_eq!(
            http,
            json!({"isAuthorized": true, "context": context}),
            "{principal}"
        );
    }

    let refused: Vec<Option<String>> = vec![
        None,
        Some(String::new()),
        Some("Bearer".into()),
        Some(format!("Token {DEV_STANDARD_TOKEN}")),
        Some("Bearer localdevstandard000000001-eu-1".into()),
        Some(format!("Basic {DEV_STANDARD_TOKEN}")),
        Some(bearer(UNKNOWN)),
        Some(bearer(REVOKED)),
        Some(basic(REVOKED)),
        // HTTP APIs join a repeated header with commas; so may a client.
        Some(format!(
            "{}, {}",
            bearer(DEV_STANDARD_TOKEN),
            bearer(DEV_STANDARD_TOKEN)
        )),
    ];
    for authorization in &refused {
        let rest = event("rest-request", authorization.as_deref());
        assert_eq!(
            authorizer.invoke(&rest.to_string()).await,
            unauthorized(),
            "{authorization:?}"
        );
        let http = event("http-api", authorization.as_deref());
        assert_eq!(
            response(authorizer.invoke(&http.to_string()).await),
            json!({"isAuthorized": false})
        );
    }
    // REST: the header repeated in multiValueHeaders, the two maps disagreeing, or two
    // spellings of the name: not a usable token.
    let good = bearer(DEV_STANDARD_TOKEN);
    let mut repeated = event("rest-request", Some(&good));
    repeated["multiValueHeaders"]["Authorization"] = json!([good, good]);
    let mut disagree = event("rest-request", Some(&good));
    disagree["multiValueHeaders"]["Authorization"] = json!([bearer(ADMIN)]);
    let mut spellings = event("http-api", Some(&good));
    spellings["headers"]["AUTHORIZATION"] = json!(bearer(ADMIN));
    for e in [repeated, disagree] {
        assert_eq!(authorizer.invoke(&e.to_string()).await, unauthorized());
    }
    assert_eq!(
        response(authorizer.invoke(&spellings.to_string()).await),
        json!({"isAuthorized": false})
    );

    // REST TOKEN authorizers (optional shape) work as REQUEST.
    let token = response(
        authorizer
            .invoke(&event_file("authorizer/rest-token-allow.json"))
            .await,
    );
    assert_eq!(token["principalId"], DEV_STANDARD_TOKEN_ID);

    // One log line and one metrics record per invocation; no secret anywhere.
    let logs = authorizer.logs();
    assert_no_token_material(&logs, &ALL_TOKENS);
    let invocations = 2 * (allowed.len() + refused.len()) + 3 + 1;
    let lines = authorizer
        .wait_for_lines("message", Some("authorizer decision"), invocations)
        .await;
    assert_eq!(lines.len(), invocations, "{logs:#?}");
    assert_eq!(authorizer.lines_with("_aws", None).len(), invocations);
    let revoked = lines
        .iter()
        .find(|l| l["reason"] == "revoked_token")
        .unwrap();
    assert_eq!(
        (revoked["decision"].as_str(), revoked["shape"].as_str()),
        (Some("deny"), Some("rest_request"))
    );
    let allow = &lines[0];
    assert_eq!(allow["decision"], "allow");
    assert_eq!(allow["tenant_id"], 1);
    assert_eq!(allow["token_id"], DEV_STANDARD_TOKEN_ID);
    assert!(allow["latency_us"].is_u64() && allow["store_latency_us"].is_u64());
    assert!(allow["request_id"].as_str().unwrap().starts_with("req-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_refused_on_the_next_invocation() {
    let table = seeded_table("authz-revoke").await;
    let authorizer = Authorizer::start(&table.name, None, &[]).await;
    let rest = event("rest-request", Some(&bearer(DEV_REVOKE_TOKEN))).to_string();
    let http = event("http-api", Some(&bearer(DEV_REVOKE_TOKEN))).to_string();
    assert_eq!(
        response(authorizer.invoke(&rest).await)["principalId"],
        DEV_REVOKE_TOKEN_ID
    );
    assert_eq!(
        response(authorizer.invoke(&http).await)["isAuthorized"],
        true
    );
    table
        .set_attribute(DEV_REVOKE_TOKEN, "Revoked", AttributeValue::Bool(true))
        .await;
    assert_eq!(authorizer.invoke(&rest).await, unauthorized());
    assert_eq!(
        response(authorizer.invoke(&http).await),
        json!({"isAuthorized": false})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_answer_never_allows_and_answers_in_time() {
    let silent = SilentDynamoDb::start().await;
    let throttling = ThrottlingDynamoDb::start().await;
    let refused = format!("http://127.0.0.1:{}", free_port());
    for (case, endpoint) in [
        ("refused", refused.as_str()),
        ("silent", silent.endpoint.as_str()),
        ("throttled", throttling.endpoint.as_str()),
    ] {
        let mut authorizer = Authorizer::start("no-such-table", Some(endpoint), &[]).await;
        for shape in ["rest-request", "http-api"] {
            let e = event(shape, Some(&bearer(DEV_STANDARD_TOKEN))).to_string();
            let started = Instant::now();
            let outcome = authorizer.invoke(&e).await;
            let took = started.elapsed();
            assert_eq!(
                error_type(&outcome),
                "StoreUnavailable",
                "{case} {shape}: {outcome:?}"
            );
            assert!(took < Duration::from_secs(5), "{case} {shape}: {took:?}");
        }
        // A short function timeout: answered before the invocation's own deadline.
        authorizer
            .runtime
            .set_deadline_after(Duration::from_millis(1500));
        let started = Instant::now();
        let outcome = authorizer
            .invoke(&event("rest-request", Some(&bearer(ADMIN))).to_string())
            .await;
        assert_eq!(error_type(&outcome), "StoreUnavailable", "{case}");
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "{case}: {:?}",
            started.elapsed()
        );
        assert!(authorizer.is_running(), "{case}");
        let lines = authorizer
            .wait_for_lines("decision", Some("store_unavailable"), 3)
            .await;
        assert_eq!(lines.len(), 3, "{case}");
        assert!(lines
            .iter()
            .all(|l| l["level"] == "ERROR" && l["cause"].is_string()));
        let records = authorizer
            .wait_for_lines("AuthorizerStoreUnavailable", None, 3)
            .await;
        assert_eq!(records.len(), 3, "{case}");
        assert_no_token_material(&authorizer.logs(), &ALL_TOKENS);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_events_get_an_invocation_error_and_the_process_serves_on() {
    let table = seeded_table("authz-events").await;
    let mut authorizer = Authorizer::start(&table.name, None, &[]).await;
    let mut bad_arn = event("rest-request", Some(&bearer(DEV_STANDARD_TOKEN)));
    bad_arn["methodArn"] = json!("*");
    let mut payload_1 = event("rest-request", Some(&bearer(DEV_STANDARD_TOKEN)));
    payload_1["version"] = json!("1.0");
    let cases = [
        "not json".to_owned(),
        "{}".to_owned(),
        "[]".to_owned(),
        json!({"type": "REQUEST"}).to_string(),
        event_file("rest-create-200.json"),
        event_file("http-api-create-200.json"),
        bad_arn.to_string(),
        payload_1.to_string(),
    ];
    let allow = event("rest-request", Some(&bearer(DEV_STANDARD_TOKEN))).to_string();
    for case in &cases {
        let outcome = authorizer.invoke(case).await;
        assert!(matches!(outcome, Outcome::Error(_)), "{case}: {outcome:?}");
        assert_ne!(outcome, unauthorized(), "{case}");
        assert_eq!(
            response(authorizer.invoke(&allow).await)["principalId"],
            DEV_STANDARD_TOKEN_ID
        );
    }
    // An invocation without a deadline (some emulators) is answered too (the patched
    // lambda_runtime: deadline 0, so the 4.2 s budget), and so is the next one.
    let no_deadline = authorizer
        .runtime
        .invoke_without_deadline(&allow, Duration::from_secs(10))
        .await
        .expect("an invocation without Lambda-Runtime-Deadline-Ms is answered");
    assert_eq!(response(no_deadline)["principalId"], DEV_STANDARD_TOKEN_ID);
    assert_eq!(
        response(authorizer.invoke(&allow).await)["principalId"],
        DEV_STANDARD_TOKEN_ID
    );
    assert!(authorizer.is_running());
    let unsupported = authorizer.lines_with("reason", Some("unsupported_event"));
    assert!(unsupported.len() >= 5, "{unsupported:?}");
    assert_eq!(
        authorizer
            .lines_with("reason", Some("invalid_method_arn"))
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_invocations_each_get_their_own_answer() {
    let table = seeded_table("authz-concurrent").await;
    let mut tokens = Vec::new();
    for i in 0..6 {
        let token = format!("authzconcurrent{i:010}-us-1");
        let id = format!("01KBCC{i:020}");
        table.seed_with_id(&token, &id, "Standard", 100 + i).await;
        tokens.push((token, id, 100 + i));
    }
    let authorizer =
        Authorizer::start(&table.name, None, &[("AWS_LAMBDA_MAX_CONCURRENCY", "4")]).await;
    let calls = (0..48).map(|i| {
        let (token, id, tenant) = tokens[i % tokens.len()].clone();
        let shape = if i % 2 == 0 {
            "rest-request"
        } else {
            "http-api"
        };
        let deny = i % 7 == 0;
        let authorization = if deny {
            bearer(UNKNOWN)
        } else {
            bearer(&token)
        };
        let e = event(shape, Some(&authorization)).to_string();
        let authorizer = &authorizer;
        async move {
            let outcome = authorizer.invoke(&e).await;
            match (deny, shape) {
                (true, "rest-request") => assert_eq!(outcome, unauthorized()),
                (true, _) => assert_eq!(response(outcome), json!({"isAuthorized": false})),
                (false, _) => {
                    let v = response(outcome);
                    assert_eq!(
                        v["context"],
                        json!({"tenantId": tenant, "role": "Standard", "tokenId": id})
                    );
                    if shape == "rest-request" {
                        assert_eq!(v["principalId"], id);
                    }
                }
            }
        }
    });
    join_all(calls).await;
    assert!(
        authorizer.runtime.max_in_flight() > 1,
        "served one at a time"
    );
    let lines = authorizer
        .wait_for_lines("message", Some("authorizer decision"), 48)
        .await;
    assert_eq!(lines.len(), 48);
    let ids: std::collections::HashSet<&str> = lines
        .iter()
        .map(|l| l["request_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 48, "one line per request id");
    let all: Vec<&str> = tokens.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_no_token_material(&authorizer.logs(), &all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refused_and_an_unreadable_expiry_too() {
    let table = seeded_table("authz-expiry").await;
    let authorizer = Authorizer::start(&table.name, None, &[]).await;
    let rest = event("rest-request", Some(&bearer(OLD))).to_string();
    let http = event("http-api", Some(&bearer(OLD))).to_string();
    // A DateExpires in the future still allows.
    table
        .set_attribute(
            OLD,
            "DateExpires",
            AttributeValue::S("2999-01-01T00:00:00".into()),
        )
        .await;
    assert_eq!(
        response(authorizer.invoke(&http).await)["isAuthorized"],
        true
    );
    for value in [
        AttributeValue::S("2001-01-01T00:00:00".into()),
        AttributeValue::S("not a date".into()),
        AttributeValue::N("1".into()),
    ] {
        table.set_attribute(OLD, "DateExpires", value.clone()).await;
        assert_eq!(authorizer.invoke(&rest).await, unauthorized(), "{value:?}");
        assert_eq!(
            response(authorizer.invoke(&http).await),
            json!({"isAuthorized": false}),
            "{value:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allow_records_the_last_use_and_a_deny_does_not() {
    let table = seeded_table("authz-lastuse").await;
    let authorizer = Authorizer::start(&table.name, None, &[]).await;
    let last_used = |item: Option<std::collections::HashMap<String, AttributeValue>>| {
        item.and_then(|i| i.get("DateLastUsed").cloned())
    };
    assert_eq!(last_used(table.item_for(DEV_STANDARD_TOKEN).await), None);
    let http = event("http-api", Some(&bearer(DEV_STANDARD_TOKEN))).to_string();
    assert_eq!(
        response(authorizer.invoke(&http).await)["isAuthorized"],
        true
    );
    let first = last_used(table.item_for(DEV_STANDARD_TOKEN).await)
        .expect("DateLastUsed written by the first allow");
    let AttributeValue::S(date) = &first else {
        panic!("DateLastUsed is a string: {first:?}")
    };
    assert_eq!(date.len(), "2026-04-18T12:00:00".len(), "{date}");
    // A second use within 5 minutes writes nothing: the log says no write was due.
    assert_eq!(
        response(authorizer.invoke(&http).await)["isAuthorized"],
        true
    );
    let lines = authorizer
        .wait_for_lines("message", Some("authorizer decision"), 2)
        .await;
    assert_eq!(lines[0]["last_use"], "written", "{lines:?}");
    assert!(lines[1].get("last_use").is_none(), "{lines:?}");
    // A refused token writes nothing.
    let revoked = event("http-api", Some(&bearer(REVOKED))).to_string();
    assert_eq!(
        response(authorizer.invoke(&revoked).await),
        json!({"isAuthorized": false})
    );
    assert_eq!(last_used(table.item_for(REVOKED).await), None);
}
