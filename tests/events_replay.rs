//! Every file in `events/` replayed through the real `create-api-token` binary (Lambda
//! Runtime API on loopback, `lambda_http`'s own event parsing) against DynamoDB Local.
//! All files go to one process, in order, so one bad event cannot break the next.

use std::collections::HashSet;

use create_api_token::token::{Token, TokenHash};
use testkit::*;

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
    let token_not_found_body = std::sync::OnceLock::new();
    let first_revocation = std::sync::OnceLock::new();
    for name in &files {
        let expected = expected_status(name).unwrap_or_else(|| panic!("{name}: no status in name"));
        let before = table.items().await;
        let response = function.call(&event_file(name)).await;
        assert_eq!(response.status, expected, "{name}: {}", response.body);
        // The response is one openapi.yaml documents, for this operation and status.
        let (method, template) = testkit::openapi::request_of_event(&event_value(name));
        testkit::openapi::assert_response_conforms(
            &method,
            &template,
            response.status,
            &response.headers,
            &response.body,
        );
        assert_eq!(
            response.header("content-type"),
            Some("application/json"),
            "{name}"
        );
        assert_eq!(response.header("cache-control"), Some("no-store"), "{name}");
        let body = response.json();
        let after = table.items().await;

        if expected == 200 && name.contains("-list") {
            assert_eq!(after, before, "{name}: a list wrote something");
            check_list(name, &body, &response.body, &after);
        } else if expected == 200 && name.contains("-revoke") {
            check_revocation(name, &body, &before, &after);
            // Idempotent: every revocation of the token answers the first DateRevoked.
            let first = first_revocation.get_or_init(|| body["Response"]["token"].clone());
            assert_eq!(&body["Response"]["token"], first, "{name}");
        } else if expected == 200 {
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
            let parsed = time::PrimitiveDateTime::parse(date, create_api_token::dates::FORMAT)
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
            assert_eq!(item["CreatedById"].as_s().unwrap(), DEV_ADMIN_TOKEN_ID);
            // The header names the stored item's TokenId, a ULID of the creation time.
            let token_id = item["TokenId"].as_s().unwrap();
            assert_eq!(response.header("api-token-id"), Some(token_id.as_str()));
            let id = create_api_token::token_id::TokenId::parse(token_id).unwrap();
            let id_time = time::OffsetDateTime::from_unix_timestamp_nanos(
                i128::from(id.timestamp_ms()) * 1_000_000,
            )
            .unwrap();
            assert!((id_time - parsed).abs() < time::Duration::seconds(1));
            assert!(!item.contains_key("Revoked"));
            let mut names: Vec<_> = item.keys().cloned().collect();
            names.sort();
            assert_eq!(
                names,
                [
                    "CreatedBy",
                    "CreatedById",
                    "DateCreated",
                    "Description",
                    "Role",
                    "TenantId",
                    "TokenHash",
                    "TokenId"
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
            405 => {
                let allow = if name.contains("-token-") {
                    "DELETE"
                } else {
                    "GET, POST"
                };
                assert_eq!(response.header("allow"), Some(allow), "{name}");
            }
            404 if name.contains("-revoke-") && !name.contains("malformed") => {
                // Another tenant's id and an id that exists nowhere: one body.
                let first = token_not_found_body.get_or_init(|| response.body.clone());
                assert_eq!(&response.body, first, "{name}: no cross-tenant oracle");
            }
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
    for required in [
        "http-api-list-200.json",
        "http-api-list-page-2-200.json",
        "http-api-list-bad-limit-400.json",
        "http-api-revoke-own-200.json",
        "http-api-revoke-repeated-200.json",
        "http-api-revoke-other-tenant-404.json",
        "http-api-revoke-unknown-id-404.json",
        "http-api-revoke-malformed-id-404.json",
        "http-api-token-get-405.json",
        "rest-list-200.json",
        "rest-revoke-own-200.json",
        "rest-revoke-other-tenant-404.json",
        "rest-token-post-405.json",
    ] {
        assert!(files.iter().any(|f| f == required), "missing {required}");
    }
    assert!(token_not_found_body.get().is_some() && first_revocation.get().is_some());
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
            .filter(|l| l.contains("api token request"))
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
        // The operation, once the path and method named one (not on 404/405).
        if !line.contains("status=404 reason=\"not_found") && !line.contains("status=405") {
            assert!(line.contains("operation="), "operation missing from {line}");
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
        DEV_REVOKE_TOKEN,
        DEV_OTHER_TENANT_TOKEN,
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

type Items = std::collections::HashMap<
    String,
    std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
>;

/// A list's 200: the tenant's tokens with a TokenId, newest first, nothing secret.
fn check_list(name: &str, body: &serde_json::Value, text: &str, items: &Items) {
    assert_eq!(body["Status"], true, "{name}");
    let tokens = body["Response"]["tokens"].as_array().expect("tokens");
    let ids: Vec<&str> = tokens
        .iter()
        .map(|t| t["TokenId"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(ids, sorted, "{name}: newest first, each once");
    for t in tokens {
        assert_eq!(t["TenantId"], DEV_TENANT, "{name}: another tenant's token");
        let stored = items
            .values()
            .find(|i| {
                i.get("TokenId")
                    .and_then(|v| v.as_s().ok())
                    .map(String::as_str)
                    == t["TokenId"].as_str()
            })
            .expect("listed token is stored");
        assert_eq!(
            t["Revoked"],
            stored
                .get("Revoked")
                .is_some_and(|v| v.as_bool() == Ok(&true)),
            "{name}"
        );
    }
    assert!(!text.contains(DEV_OTHER_TENANT_TOKEN_ID), "{name}");
    for item in items.values() {
        let hash = item["TokenHash"].as_s().unwrap();
        assert!(!text.contains(hash.as_str()), "{name}: a digest was listed");
    }
    if name.contains("page-2") {
        // `before` the Standard dev token: the two fixtures created before it.
        assert_eq!(ids, [DEV_REVOKE_TOKEN_ID, DEV_ADMIN_TOKEN_ID], "{name}");
        assert_eq!(body["Response"]["next"], serde_json::Value::Null, "{name}");
    } else {
        // The whole tenant fits the default page of 50.
        let mut expected: Vec<&str> = items
            .values()
            .filter(|i| i["TenantId"].as_n().unwrap() == &DEV_TENANT.to_string())
            .filter_map(|i| i.get("TokenId").and_then(|v| v.as_s().ok()))
            .map(String::as_str)
            .collect();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(ids, expected, "{name}");
        assert_eq!(body["Response"]["next"], serde_json::Value::Null, "{name}");
    }
}

/// A revocation's 200: the dev revoke token, revoked; only its item changed.
fn check_revocation(name: &str, body: &serde_json::Value, before: &Items, after: &Items) {
    let token = &body["Response"]["token"];
    assert_eq!(token["TokenId"], DEV_REVOKE_TOKEN_ID, "{name}");
    assert_eq!(token["TenantId"], DEV_TENANT, "{name}");
    assert_eq!(token["Revoked"], true, "{name}");
    let date = token["DateRevoked"].as_str().expect("DateRevoked");
    let hash = TokenHash::of(DEV_REVOKE_TOKEN);
    let item = &after[hash.as_str()];
    assert_eq!(item["Revoked"].as_bool().unwrap(), &true);
    assert_eq!(item["DateRevoked"].as_s().unwrap(), date);
    assert_eq!(item["RevokedById"].as_s().unwrap(), DEV_ADMIN_TOKEN_ID);
    assert_eq!(after.len(), before.len(), "{name}");
    for (k, v) in before {
        if k != hash.as_str() {
            assert_eq!(after.get(k), Some(v), "{name}: another item changed");
        }
    }
}
