//! Every file in `events/` replayed through the real `create-api-token` binary (Lambda
//! Runtime API on loopback, `lambda_http`'s own event parsing) against DynamoDB Local.
//! All files go to one process, in order, so one bad event cannot break the next.

mod common;

use std::collections::HashSet;

use common::*;
use create_api_token::token::{Token, TokenHash};

/// The description every `-200` event sends, however its front door encodes it
/// (`scripts/make-events.py`).
const DESCRIPTION: &str = "Zapier integration + C++ \u{2713}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_file_gets_its_status_and_envelope() {
    let table = Table::new("replay").await;
    table.seed_dev_tokens().await;
    let function = Function::start(&table.name, &[]).await;
    let files = event_files();
    assert!(files.len() >= 13, "events/ has {} files", files.len());

    let mut created = HashSet::new();
    let unauthorized_body = std::sync::OnceLock::new();
    for name in &files {
        let expected = expected_status(name).unwrap_or_else(|| panic!("{name}: no status in name"));
        let before = table.items().await;
        let response = function.call(&event_file(name)).await;
        assert_eq!(response.status, expected, "{name}: {}", response.body);
        assert_eq!(
            response.header("content-type"),
            Some("application/json"),
            "{name}"
        );
        assert_eq!(response.header("cache-control"), Some("no-store"), "{name}");
        let body = response.json();
        let after = table.items().await;

        if expected == 200 {
            assert_eq!(body["Status"], true);
            assert_eq!(body["Message"], "");
            let tok = &body["Response"]["token"];
            let plaintext = tok["Token"].as_str().unwrap();
            assert!(
                Token::parse(plaintext, "us-1").is_some(),
                "{name}: {plaintext}"
            );
            assert_eq!(plaintext.len(), 30);
            assert!(
                created.insert(plaintext.to_owned()),
                "{name}: token issued twice"
            );
            assert_eq!(tok["Description"], DESCRIPTION, "{name}");
            assert_eq!(tok["TenantId"], DEV_TENANT, "{name}");
            let date = tok["DateCreated"].as_str().unwrap();
            let parsed =
                time::PrimitiveDateTime::parse(date, create_api_token::routes::DATE_CREATED_FORMAT)
                    .unwrap_or_else(|e| panic!("{name}: {date}: {e}"))
                    .assume_utc();
            // UTC, not local time: within a few seconds of now in UTC.
            let skew = (time::OffsetDateTime::now_utc() - parsed).abs();
            assert!(
                skew < time::Duration::seconds(10),
                "{name}: {date} is {skew} off UTC"
            );
            // The exact bytes: field names and order of the contract.
            assert_eq!(
                response.body,
                format!(
                    r#"{{"Status":true,"Message":"","Response":{{"token":{{"DateCreated":"{date}","Token":"{plaintext}","Description":{},"TenantId":{DEV_TENANT}}}}}}}"#,
                    serde_json::to_string(DESCRIPTION).unwrap()
                ),
                "{name}"
            );
            // Exactly one new item, under the digest, holding what the contract says.
            assert_eq!(after.len(), before.len() + 1, "{name}");
            for (k, v) in &before {
                assert_eq!(after.get(k), Some(v), "{name}: an existing item changed");
            }
            let digest = TokenHash::of(plaintext);
            let item = &after[digest.as_str()];
            assert_eq!(item["TenantId"].as_n().unwrap(), &DEV_TENANT.to_string());
            assert_eq!(item["Role"].as_s().unwrap(), "Standard");
            assert_eq!(item["Description"].as_s().unwrap(), DESCRIPTION);
            assert_eq!(item["DateCreated"].as_s().unwrap(), date);
            assert_eq!(
                item["CreatedBy"].as_s().unwrap(),
                TokenHash::of(DEV_ADMIN_TOKEN).as_str()
            );
            assert!(!item.contains_key("Revoked"));
            let mut names: Vec<_> = item.keys().cloned().collect();
            names.sort();
            assert_eq!(
                names,
                [
                    "CreatedBy",
                    "DateCreated",
                    "Description",
                    "Role",
                    "TenantId",
                    "TokenHash"
                ]
            );
            // No attribute holds the plaintext or its body.
            let body_part = &plaintext[..25];
            for (attr, value) in item {
                assert!(
                    !format!("{value:?}").contains(body_part),
                    "{name}: {attr} holds the token"
                );
            }
        } else {
            assert_error_envelope(&response, expected);
            assert_eq!(after, before, "{name}: a rejected request wrote something");
        }
        match expected {
            401 => {
                assert_eq!(
                    response.header("www-authenticate"),
                    Some(r#"Bearer realm="api""#)
                );
                let first = unauthorized_body.get_or_init(|| response.body.clone());
                assert_eq!(
                    &response.body, first,
                    "{name}: 401 bodies must be identical"
                );
            }
            405 => assert_eq!(response.header("allow"), Some("POST"), "{name}"),
            _ => {}
        }
    }
    // At least the shapes issue #2 names.
    for required in [
        "http-api-create-200.json",
        "rest-create-200.json",
        "alb-create-200.json",
    ] {
        assert!(files.iter().any(|f| f == required), "missing {required}");
    }
    for status in ["200", "400", "401", "403", "404", "405"] {
        for door in ["http-api-", "rest-"] {
            assert!(
                files
                    .iter()
                    .any(|f| f.starts_with(door) && f.ends_with(&format!("-{status}.json"))),
                "no {door}*-{status}.json"
            );
        }
    }
    // One log line per request, carrying the fields issue #2 lists.
    let request_lines = |logs: &[String]| -> Vec<String> {
        logs.iter()
            .filter(|l| l.contains("create api token"))
            .cloned()
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while request_lines(&function.logs()).len() < files.len()
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let lines = request_lines(&function.logs());
    assert_eq!(lines.len(), files.len(), "one line per request: {lines:#?}");
    for line in &lines {
        for field in ["request_id=\"req-", "status=", "reason=", "latency_us="] {
            assert!(line.contains(field), "{field} missing from {line}");
        }
    }
    let forbidden = lines
        .iter()
        .find(|l| l.contains("status=403"))
        .expect("a 403 line");
    assert!(
        forbidden.contains("reason=\"not_administrator\""),
        "{forbidden}"
    );
    assert!(
        forbidden.contains(&format!("tenant_id={DEV_TENANT}")),
        "{forbidden}"
    );
    let unauthorized = lines
        .iter()
        .find(|l| l.contains("status=401"))
        .expect("a 401 line");
    assert!(
        !unauthorized.contains("tenant_id="),
        "no tenant before authentication: {unauthorized}"
    );

    let logs = function.logs().join("\n");
    // Every token presented or issued: created ones, the dev tokens, and the well-shaped
    // unknown token of the `*-unknown-token-401` events (its digest was looked up).
    for secret in created.iter().map(String::as_str).chain([
        DEV_ADMIN_TOKEN,
        DEV_STANDARD_TOKEN,
        "localdevunknown0000000001-us-1",
    ]) {
        assert!(!logs.contains(secret), "a token reached the logs");
        assert!(
            !logs.contains(&secret[..16]),
            "a token body reached the logs"
        );
        assert!(
            !logs.contains(TokenHash::of(secret).as_str()),
            "a digest reached the logs"
        );
    }
}
