//! Bad events and bad bytes, replayed through ONE real `create-api-token` process: each
//! must get a 4xx or an invocation error (never a hang, never a process exit), and the
//! same process must answer the valid create event that follows with 200. Afterwards the
//! process's log holds one line per request (no injected lines) and no secret.

use std::time::Duration;

use create_api_token::token::TokenHash;
use testkit::*;

/// What an adversarial event may get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Exactly 401 with the challenge.
    Unauthorized,
    /// Any 4xx response, or an invocation error.
    Rejected,
}

/// CR/LF in `Authorization`: lambda_http alone cannot decode such an event
/// (`HeaderValue::from_bytes` refuses CR, LF, NUL, DEL); `create_api_token::event`
/// scrubs the value so the caller gets the contract's 401.
const CRLF_ADMIN: &str = "Bearer localdevadmin000000000001-us-1\r\nX-Injected: 1";

/// Authorization values that must never appear in the log.
const OVERSIZE_PATTERN: &str = "zq7oversize";

fn v2_with_authorization(authorization: &str) -> serde_json::Value {
    events::from_file("http-api-create-200.json")
        .authorization(authorization)
        .into_value()
}

fn rest_with_authorization(authorization: &str) -> serde_json::Value {
    events::from_file("rest-create-200.json")
        .authorization(authorization)
        .into_value()
}

fn oversized(len: usize) -> String {
    let mut value = String::from("Bearer ");
    while value.len() < len {
        value.push_str(OVERSIZE_PATTERN);
    }
    value.truncate(len);
    value
}

/// The adversarial cases: name, raw event, what it may get.
fn cases() -> Vec<(&'static str, String, Expect)> {
    let mut cases = Vec::new();

    cases.push((
        "non-HTTP payload",
        r#"{"command":"hi"}"#.to_owned(),
        Expect::Rejected,
    ));

    let mut e = event_value("rest-create-200.json");
    e["path"] = "/api/v1/admin/api key".into();
    e["requestContext"]["path"] = "/Prod/api/v1/admin/api key".into();
    cases.push((
        "rest path with a literal space",
        e.to_string(),
        Expect::Rejected,
    ));

    let mut e = event_value("http-api-create-200.json");
    e["rawPath"] = "/api/v1/admin/apikey extra".into();
    e["requestContext"]["http"]["path"] = "/api/v1/admin/apikey extra".into();
    cases.push((
        "v2 rawPath with a literal space",
        e.to_string(),
        Expect::Rejected,
    ));

    let mut e = v2_with_authorization("Bearer töken-us-1");
    set_event_header(&mut e, "user-agent", "Mozilla/5.0 (Ünïcödé; 日本語) ✓");
    e["requestContext"]["http"]["userAgent"] = "Mozilla/5.0 (Ünïcödé; 日本語) ✓".into();
    cases.push((
        "v2 non-ASCII Authorization and User-Agent",
        e.to_string(),
        Expect::Unauthorized,
    ));

    let mut e = rest_with_authorization("Bearer lócaldevadmin00000000001-us-1");
    set_event_header(&mut e, "User-Agent", "Ünïcödé/1.0 日本語");
    cases.push((
        "rest non-ASCII Authorization and User-Agent",
        e.to_string(),
        Expect::Unauthorized,
    ));

    let mut e = event_value("rest-create-200.json");
    e["httpMethod"] = "".into();
    e["requestContext"]["httpMethod"] = "".into();
    cases.push(("rest empty httpMethod", e.to_string(), Expect::Rejected));

    let mut e = event_value("http-api-create-200.json");
    e["requestContext"]["http"]["method"] = "".into();
    cases.push(("v2 empty method", e.to_string(), Expect::Rejected));

    cases.push(("empty JSON object", "{}".to_owned(), Expect::Rejected));
    cases.push(("JSON null", "null".to_owned(), Expect::Rejected));
    let full = event_file("http-api-create-200.json");
    cases.push((
        "truncated JSON",
        full[..full.len() / 2].to_owned(),
        Expect::Rejected,
    ));
    cases.push(("empty payload", String::new(), Expect::Rejected));
    cases.push(("JSON array", "[1,2,3]".to_owned(), Expect::Rejected));

    cases.push((
        "8 KiB Authorization",
        v2_with_authorization(&oversized(8 * 1024)).to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "64 KiB Authorization",
        v2_with_authorization(&oversized(64 * 1024)).to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "rest 64 KiB Authorization",
        rest_with_authorization(&oversized(64 * 1024)).to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "Authorization with CR/LF",
        v2_with_authorization(CRLF_ADMIN).to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "rest Authorization with CR/LF",
        rest_with_authorization(CRLF_ADMIN).to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "Authorization with a forged log line after LF",
        v2_with_authorization(
            "Bearer x\n INFO api token request status=200 reason=\"created\" tenant_id=1",
        )
        .to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "Authorization with NUL",
        v2_with_authorization("Bearer localdevadmin000000000001-us-1\u{0}").to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "Authorization with double quotes",
        v2_with_authorization("Bearer \"localdevadmin000000000001-us-1\"").to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "injection-shaped Authorization",
        v2_with_authorization(r#"Bearer x" status=200 reason="created"#).to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "rest injection-shaped Authorization",
        rest_with_authorization(r#"Bearer x" status=200 reason="created" tenant_id=1"#).to_string(),
        Expect::Unauthorized,
    ));
    cases.push((
        "Basic with an injection-shaped password",
        {
            use base64::Engine;
            let b = base64::engine::general_purpose::STANDARD
                .encode(r#"api:x" status=200 reason="created"#);
            v2_with_authorization(&format!("Basic {b}")).to_string()
        },
        Expect::Unauthorized,
    ));
    cases.push((
        "JSON-shaped Authorization",
        v2_with_authorization(r#"Bearer {"status":200}"#).to_string(),
        Expect::Unauthorized,
    ));
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_events_never_break_the_process() {
    let table = Table::new("adversarial").await;
    table.seed_dev_tokens().await;
    let mut function = Function::start(&table.name, &[]).await;
    let valid = event_file("http-api-create-200.json");

    let mut successes = 0usize;
    let mut issued = Vec::new();
    let mut report = Vec::new();
    let cases = cases();
    for (name, event, expect) in &cases {
        let before = table.items().await;
        let outcome = function.invoke(event).await;
        let seen = match &outcome {
            Outcome::Response(body) => {
                let response = HttpResponse::parse(body);
                assert!(
                    (400..500).contains(&response.status),
                    "{name}: status {} ({})",
                    response.status,
                    response.body
                );
                assert_eq!(
                    response.header("content-type"),
                    Some("application/json"),
                    "{name}"
                );
                assert_eq!(response.header("cache-control"), Some("no-store"), "{name}");
                assert_eq!(response.json()["Status"], false, "{name}");
                if *expect == Expect::Unauthorized {
                    assert_eq!(response.status, 401, "{name}: {}", response.body);
                    assert_eq!(
                        response.header("www-authenticate"),
                        Some(r#"Bearer realm="api""#),
                        "{name}"
                    );
                }
                format!("HTTP {}", response.status)
            }
            Outcome::Error(error) => {
                assert_ne!(
                    *expect,
                    Expect::Unauthorized,
                    "{name}: invocation error instead of 401: {error}"
                );
                for secret in ["localdevadmin", "zq7", "status=200", "X-Injected"] {
                    assert!(
                        !error.contains(secret),
                        "{name}: error echoes input: {error}"
                    );
                }
                "invocation error".to_owned()
            }
        };
        report.push(format!("{name}: {seen}"));
        assert_eq!(
            table.items().await,
            before,
            "{name}: a rejected event wrote"
        );
        assert!(function.is_running(), "{name}: the process exited");

        // The same process serves the next valid event.
        let response = function.call(&valid).await;
        assert_eq!(response.status, 200, "after {name}: {}", response.body);
        successes += 1;
        issued.push(
            response.json()["Response"]["token"]["Token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    eprintln!("adversarial outcomes ({} cases):", cases.len());
    for line in &report {
        eprintln!("  {line}");
    }

    // The log: one line per request, none forged by the inputs, no secret.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let logs = function.logs();
    assert!(
        !logs.iter().any(|l| l.contains("panicked")),
        "a panic reached the runtime: {logs:#?}"
    );
    let created_lines = logs.iter().filter(|l| l.contains("status=200")).count();
    assert_eq!(
        created_lines, successes,
        "log lines saying status=200 vs real 200 responses: {logs:#?}"
    );
    let created_reason = logs
        .iter()
        .filter(|l| l.contains(r#"reason="created"#))
        .count();
    assert_eq!(created_reason, successes, "{logs:#?}");
    for line in &logs {
        assert!(
            !line.contains(r#"x" status"#),
            "injected text in the log: {line}"
        );
        assert!(
            !line.contains("X-Injected"),
            "CRLF payload in the log: {line}"
        );
        assert!(
            !line.contains(OVERSIZE_PATTERN),
            "oversized Authorization in the log"
        );
        assert!(
            !line.contains("töken") && !line.contains("lócaldev"),
            "Authorization in the log: {line}"
        );
        assert!(
            !line.contains("Bearer") && !line.contains("Basic "),
            "Authorization in the log: {line}"
        );
    }
    let mut secrets: Vec<&str> = issued.iter().map(String::as_str).collect();
    secrets.extend([DEV_ADMIN_TOKEN, DEV_STANDARD_TOKEN]);
    assert_no_token_material(&logs, &secrets);
    for token in &issued {
        assert!(!logs.join("\n").contains(TokenHash::of(token).as_str()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_console_test_shape_with_nulls_and_no_authorization_is_401() {
    let table = Table::new("nulls").await;
    table.seed_dev_tokens().await;
    let mut function = Function::start(&table.name, &[]).await;

    let mut event = event_value("rest-create-200.json");
    for field in [
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "body",
    ] {
        event[field] = serde_json::Value::Null;
    }
    let before = table.items().await;
    let response = function.call(&event.to_string()).await;
    assert_eq!(response.status, 401, "{}", response.body);
    assert_eq!(
        response.header("www-authenticate"),
        Some(r#"Bearer realm="api""#)
    );
    assert_eq!(
        response.body,
        r#"{"Status":false,"Message":"A valid API token is required.","Response":null}"#
    );
    assert_eq!(table.items().await, before);

    // With the nulls and an Authorization header added back, the same shape creates.
    set_event_header(
        &mut event,
        "Authorization",
        &format!("Bearer {DEV_ADMIN_TOKEN}"),
    );
    event["multiValueHeaders"] = serde_json::Value::Null;
    let response = function.call(&event.to_string()).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["Response"]["token"]["Description"], "");
    assert!(function.is_running());
}

/// `isBase64Encoded: true` with a body that is not base64: the body is ignored like any
/// body (docs/api.md), so the request is served; lambda_http alone would panic decoding it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_base64_is_ignored_without_a_panic() {
    let table = Table::new("b64").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[]).await;
    for (file, body) in [
        ("http-api-create-200.json", "this is *not* base64 %%%"),
        ("rest-create-200.json", "{\"not\": \"base64\"}"),
        ("alb-create-200.json", "@@@"),
    ] {
        let mut e = event_value(file);
        e["isBase64Encoded"] = true.into();
        e["body"] = body.into();
        let response = function.call(&e.to_string()).await;
        assert_eq!(response.status, 200, "{file}: {}", response.body);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !function.logs().iter().any(|l| l.contains("panicked")),
        "{:#?}",
        function.logs()
    );
}

/// docs/api.md / issue 3: an `Authorization` with CR/LF must get 401 (and one log line),
/// although lambda_http alone refuses to decode such an event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crlf_in_authorization_is_401() {
    let table = Table::new("crlf").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[]).await;
    for event in [
        v2_with_authorization(CRLF_ADMIN),
        rest_with_authorization(CRLF_ADMIN),
        v2_with_authorization("Bearer localdevadmin000000000001-us-1\r"),
        v2_with_authorization("Bearer localdevadmin000000000001-us-1\n"),
    ] {
        match function.invoke(&event.to_string()).await {
            Outcome::Response(body) => {
                let response = HttpResponse::parse(&body);
                assert_eq!(response.status, 401, "{}", response.body);
            }
            Outcome::Error(e) => panic!("invocation error instead of 401: {e}"),
        }
    }
    // Four requests, four log lines, each a 401 line: the CR/LF made no line of its own.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let request_lines = || {
        function
            .logs()
            .into_iter()
            .filter(|l| l.contains("api token request"))
            .collect::<Vec<_>>()
    };
    while request_lines().len() < 4 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lines = request_lines();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(lines.iter().all(|l| l.contains("status=401")), "{lines:#?}");
    assert!(!function.logs().join("\n").contains("X-Injected"));
}

/// Inputs on which lambda_http alone would panic, though the request is fine: a raw query
/// with characters curl sends unencoded (`"`, `<`, `>`, non-ASCII), an ALB `Host` that is
/// not a host, a bad `X-Forwarded-Proto`. They are served (200) with the description as
/// sent, and no panic reaches the runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inputs_lambda_http_would_panic_on_are_served() {
    let table = Table::new("servable").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[]).await;

    let mut quoted = event_value("http-api-create-200.json");
    quoted["rawQueryString"] = r#"description="quoted" <b> caf\u{e9}"#.into();
    let response = function.call(&quoted.to_string()).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        response.json()["Response"]["token"]["Description"],
        r#""quoted" <b> caf\u{e9}"#
    );

    for (header, value) in [
        ("host", "a b"),
        ("host", "example.com:99999"),
        ("x-forwarded-proto", "ht tp"),
    ] {
        let mut alb = event_value("alb-create-200.json");
        set_event_header(&mut alb, header, value);
        let response = function.call(&alb.to_string()).await;
        assert_eq!(response.status, 200, "{header}: {value}: {}", response.body);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !function.logs().iter().any(|l| l.contains("panicked")),
        "{:#?}",
        function.logs()
    );
}

/// Events that carry `Authorization` more than once, under any spelling, as each front
/// door can deliver them. `lambda_http` alone keeps one value of each (the REST shape's
/// `headers` replaces `multiValueHeaders`, a single-value map keeps one key per name), so
/// the caller could choose which credential counts.
fn repeated_authorization_events() -> Vec<(&'static str, serde_json::Value)> {
    let admin = format!("Bearer {DEV_ADMIN_TOKEN}");
    let standard = format!("Bearer {DEV_STANDARD_TOKEN}");
    let strip = |mut e: serde_json::Value| {
        for field in ["headers", "multiValueHeaders"] {
            if let Some(map) = e.get_mut(field).and_then(|m| m.as_object_mut()) {
                map.retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
            }
        }
        e
    };

    // Two `Authorization` lines through a REST API: all of them in `multiValueHeaders`,
    // the last in `headers`.
    let mut rest_multi = event_value("rest-create-200.json");
    rest_multi["multiValueHeaders"]["Authorization"] =
        serde_json::json!([admin.clone(), standard.clone()]);
    rest_multi["headers"]["Authorization"] = standard.clone().into();
    let mut rest_multi_admin_last = rest_multi.clone();
    rest_multi_admin_last["multiValueHeaders"]["Authorization"] =
        serde_json::json!([standard.clone(), admin.clone()]);
    rest_multi_admin_last["headers"]["Authorization"] = admin.clone().into();

    let mut rest_case = strip(event_value("rest-create-200.json"));
    rest_case["headers"]["Authorization"] = standard.clone().into();
    rest_case["headers"]["authorization"] = admin.clone().into();
    rest_case["multiValueHeaders"]["Authorization"] = serde_json::json!([standard.clone()]);
    rest_case["multiValueHeaders"]["authorization"] = serde_json::json!([admin.clone()]);

    let mut alb_case = strip(event_value("alb-create-200.json"));
    alb_case["headers"]["Authorization"] = standard.clone().into();
    alb_case["headers"]["authorization"] = admin.clone().into();

    let mut alb_multi_case = strip(event_value("alb-multi-value-create-200.json"));
    alb_multi_case["multiValueHeaders"]["Authorization"] = serde_json::json!([standard.clone()]);
    alb_multi_case["multiValueHeaders"]["authorization"] = serde_json::json!([admin.clone()]);

    let mut v2_case = strip(event_value("http-api-create-200.json"));
    v2_case["headers"]["Authorization"] = standard.clone().into();
    v2_case["headers"]["authorization"] = admin.clone().into();

    vec![
        ("REST multiValueHeaders, admin first", rest_multi),
        ("REST multiValueHeaders, admin last", rest_multi_admin_last),
        ("REST Authorization and authorization", rest_case),
        ("ALB single-value Authorization and authorization", alb_case),
        (
            "ALB multi-value Authorization and authorization",
            alb_multi_case,
        ),
        ("HTTP API Authorization and authorization", v2_case),
    ]
}

/// SPEC.md, Input: `Authorization` is a singleton on every front door. An event that
/// carries it twice gets the 401 (reason `repeated_authorization`), writes nothing, and
/// the same process serves the next event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_authorization_is_401_on_every_front_door() {
    let table = Table::new("repeated").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[]).await;
    let before = table.items().await;
    let cases = repeated_authorization_events();
    for (name, event) in &cases {
        let response = function.call(&event.to_string()).await;
        assert_eq!(response.status, 401, "{name}: {}", response.body);
        assert_eq!(
            response.header("www-authenticate"),
            Some(r#"Bearer realm="api""#),
            "{name}"
        );
        assert_eq!(
            response.body,
            r#"{"Status":false,"Message":"A valid API token is required.","Response":null}"#,
            "{name}"
        );
    }
    assert_eq!(table.items().await, before, "a refused event wrote");

    // The REST shape with one value in both maps is one credential.
    let response = function.call(&event_file("rest-create-200.json")).await;
    assert_eq!(response.status, 200, "{}", response.body);

    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let lines = || {
        function
            .logs()
            .into_iter()
            .filter(|l| l.contains("api token request"))
            .collect::<Vec<_>>()
    };
    while lines().len() < cases.len() + 1 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lines = lines();
    assert_eq!(lines.len(), cases.len() + 1, "{lines:#?}");
    for line in &lines[..cases.len()] {
        assert!(
            line.contains("status=401") && line.contains(r#"reason="repeated_authorization""#),
            "{line}"
        );
    }
    assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN, DEV_STANDARD_TOKEN]);
}
