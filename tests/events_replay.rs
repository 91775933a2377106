//! Every file in `events/` replayed through the real `create-api-token` binary (Lambda
//! Runtime API on loopback, `lambda_http`'s own event parsing) against DynamoDB Local.
//! All files go to one process, in order, so one bad event cannot break the next; the
//! events that change a dev fixture (revoke, rotate) each have their own target.

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

    // A rotation's 200 needs its target as seeded (not rotated, revoked or expired): each
    // target is named by its one event and no other, so no order of the files (sorted
    // here, any order elsewhere) can change it first.
    for name in files.iter().filter(|n| is_rotation(n, 200)) {
        let target = rotated_id(&event_value(name));
        for other in files.iter().filter(|o| *o != name) {
            assert!(
                !event_file(other).contains(&target),
                "{other} names {target}, the target of {name}"
            );
        }
    }

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
        let raw_after = table.items().await;
        if matches!(expected, 401 | 405)
            || (expected == 404 && !name.contains("-revoke-") && !name.contains("-rotate-"))
        {
            // Refused before any use of a token: nothing at all is written.
            assert_eq!(raw_after, before, "{name}: a refused token wrote something");
        }
        // A use of a token moves its DateLastUsed (at most once per 5 minutes), and only
        // that: compared without it below.
        let after = without_last_use_write(name, &before, raw_after);

        if is_rotation(name, 200) {
            let plaintext = check_rotation(name, &response, &body, &before, &after);
            assert!(
                created.insert(plaintext.clone()),
                "{name}: token issued twice"
            );
        } else if expected == 200 && name.contains("-list") {
            assert_eq!(after, before, "{name}: a list wrote something");
            check_list(name, &body, &response.body, &after);
        } else if expected == 200 && (name.contains("-get-") || name.contains("-self-")) {
            // A read: nothing written but the caller's use; the item as listed.
            assert_eq!(after, before, "{name}: a read wrote something");
            let token = &body["Response"]["token"];
            let (id, role) = if name.contains("-self-admin") {
                (DEV_ADMIN_TOKEN_ID, "Administrator")
            } else {
                (DEV_STANDARD_TOKEN_ID, "Standard")
            };
            assert_eq!(token["TokenId"], id, "{name}");
            assert_eq!(token["Role"], role, "{name}");
            assert_eq!(token["TenantId"], DEV_TENANT, "{name}");
            assert_eq!(token["Revoked"], false, "{name}");
            for secret in [DEV_ADMIN_TOKEN, DEV_STANDARD_TOKEN] {
                assert!(!response.body.contains(secret), "{name}");
                assert!(
                    !response.body.contains(TokenHash::of(secret).as_str()),
                    "{name}"
                );
            }
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
            // An expiring token's DateExpires, in the header and the item, the body unchanged.
            // (scripts/make-events.py: 2592000 s over HTTP API, 0000086400 s over REST.)
            let expires_in =
                name.contains("-create-expiring-")
                    .then_some(if name.starts_with("rest-") {
                        86_400
                    } else {
                        2_592_000
                    });
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
            match expires_in {
                Some(seconds) => {
                    let stored = item["DateExpires"].as_s().unwrap();
                    assert_eq!(response.header("api-token-expires"), Some(stored.as_str()));
                    let expires = create_api_token::dates::parse(stored).unwrap();
                    assert_eq!(expires - parsed, time::Duration::seconds(seconds), "{name}");
                }
                None => assert_eq!(response.header("api-token-expires"), None, "{name}"),
            }
            let mut names: Vec<_> = item.keys().cloned().collect();
            names.retain(|n| n != "DateExpires"); // checked below
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
                ],
                "{name}"
            );
            assert_eq!(
                item.contains_key("DateExpires"),
                expires_in.is_some(),
                "{name}"
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
            401 if name.contains("-expired-token-") => {
                // The one 401 that says why (docs/api.md, "Expiry").
                assert_eq!(
                    response.header("www-authenticate"),
                    Some(
                        r#"Bearer realm="api", error="invalid_token", error_description="The API token expired""#
                    ),
                    "{name}"
                );
                assert_eq!(
                    response.body,
                    r#"{"Status":false,"Message":"The API token has expired.","Response":null}"#
                );
            }
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
                    "GET, DELETE"
                } else if name.contains("-rotate-") {
                    "POST"
                } else if name.contains("-self-") {
                    "GET"
                } else {
                    "GET, POST"
                };
                assert_eq!(response.header("allow"), Some(allow), "{name}");
            }
            409 => {
                // Which rule refused the rotation (docs/api.md, "Rotation").
                let message = if name.contains("-rotate-rotated-") {
                    "This API token was already rotated."
                } else if name.contains("-rotate-revoked-") {
                    "This API token is revoked."
                } else if name.contains("-rotate-expired-") {
                    "This API token has expired."
                } else {
                    panic!("{name}: a 409 of no known rule")
                };
                assert_eq!(body["Message"], message, "{name}");
            }
            404 if (name.contains("-revoke-")
                || name.contains("-get-")
                || name.contains("-rotate-"))
                && !name.contains("malformed") =>
            {
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
        "http-api-token-patch-405.json",
        "http-api-get-other-tenant-404.json",
        "http-api-rotate-get-405.json",
        "http-api-self-post-405.json",
        "http-api-get-own-200.json",
        "http-api-self-standard-200.json",
        "http-api-self-admin-200.json",
        "rest-list-200.json",
        "rest-revoke-own-200.json",
        "rest-revoke-other-tenant-404.json",
        "rest-token-post-405.json",
    ] {
        assert!(files.iter().any(|f| f == required), "missing {required}");
    }
    assert!(token_not_found_body.get().is_some() && first_revocation.get().is_some());
    for required in [
        "http-api-rotate-grace-200.json",
        "rest-rotate-no-grace-200.json",
        "http-api-rotate-revoked-409.json",
        "http-api-rotate-expired-409.json",
        "http-api-rotate-rotated-409.json",
        "http-api-rotate-other-tenant-404.json",
        "http-api-rotate-grace-not-digits-400.json",
        "http-api-rotate-grace-too-long-400.json",
        "http-api-rotate-non-admin-403.json",
        "http-api-get-expired-token-401.json",
        "http-api-self-expired-token-401.json",
        "http-api-rotate-expired-token-401.json",
    ] {
        assert!(files.iter().any(|f| f == required), "missing {required}");
    }
    for required in [
        "http-api-create-expiring-200.json",
        "http-api-expired-token-401.json",
        "http-api-list-expired-token-401.json",
        "http-api-revoke-expired-token-401.json",
        "http-api-expires-in-empty-400.json",
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
        DEV_EXPIRED_TOKEN,
        DEV_ROTATE_GRACE_TOKEN,
        DEV_ROTATE_NOW_TOKEN,
        DEV_ROTATE_REVOKED_TOKEN,
        DEV_ROTATED_TOKEN,
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
        // `before` the Standard dev token, two per page: the two fixtures created before
        // it, and `next` names the last of them, since the expired fixture (whose TokenId
        // sorts first) follows.
        assert_eq!(ids, [DEV_REVOKE_TOKEN_ID, DEV_ADMIN_TOKEN_ID], "{name}");
        assert_eq!(body["Response"]["next"], DEV_ADMIN_TOKEN_ID, "{name}");
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

/// `true` for the rotation events (`POST .../{TokenId}/rotate`) answering `status`.
fn is_rotation(name: &str, status: u16) -> bool {
    name.contains("-rotate-") && expected_status(name) == Some(status) && status != 405
}

/// The `TokenId` an event's path names (its `pathParameters`).
fn rotated_id(event: &serde_json::Value) -> String {
    event["pathParameters"]["TokenId"]
        .as_str()
        .expect("a rotation event names its TokenId")
        .to_owned()
}

/// The `grace` an event asks for (none: 0).
fn grace_of(event: &serde_json::Value) -> i64 {
    event["queryStringParameters"]["grace"]
        .as_str()
        .map_or(0, |g| g.parse().expect("a 200's grace is digits"))
}

/// A rotation's 200 (docs/api.md, "Rotation"): the create's body exactly, the new
/// token's item (the target's tenant, role and description, `RotatedFromId`), the target
/// with `RotatedToId` and either `DateExpires` = now + grace or revoked now; nothing else
/// changed. Returns the new token.
fn check_rotation(
    name: &str,
    response: &HttpResponse,
    body: &serde_json::Value,
    before: &Items,
    after: &Items,
) -> String {
    let event = event_value(name);
    let target_id = rotated_id(&event);
    let grace = grace_of(&event);
    let (old_key, old_before) = before
        .iter()
        .find(|(_, i)| i.get("TokenId").and_then(|v| v.as_s().ok()) == Some(&target_id))
        .unwrap_or_else(|| panic!("{name}: no item {target_id} before"));
    // As seeded: unrotated, unrevoked, no expiry (so the new token gets none either).
    for attr in ["RotatedToId", "Revoked", "DateExpires"] {
        assert!(!old_before.contains_key(attr), "{name}: target has {attr}");
    }
    let description = old_before["Description"].as_s().unwrap();

    assert_eq!(body["Status"], true, "{name}");
    let tok = &body["Response"]["token"];
    let plaintext = tok["Token"].as_str().unwrap().to_owned();
    assert!(
        Token::parse(&plaintext, "us-1").is_some() && plaintext.len() == 30,
        "{name}: {plaintext}"
    );
    let date = tok["DateCreated"].as_str().unwrap();
    let created = create_api_token::dates::parse(date).unwrap_or_else(|| panic!("{name}: {date}"));
    let skew = (time::OffsetDateTime::now_utc() - created).abs();
    assert!(skew < time::Duration::seconds(10), "{name}: {date}");
    // The create's four fields, exactly.
    assert_eq!(
        response.body,
        format!(
            r#"{{"Status":true,"Message":"","Response":{{"token":{{"DateCreated":"{date}","Token":"{plaintext}","Description":{},"TenantId":{DEV_TENANT}}}}}}}"#,
            serde_json::to_string(description).unwrap()
        ),
        "{name}"
    );

    // Exactly one new item, the target changed, nothing else.
    assert_eq!(after.len(), before.len() + 1, "{name}");
    for (k, v) in before {
        if k != old_key {
            assert_eq!(after.get(k), Some(v), "{name}: another item changed");
        }
    }
    let digest = TokenHash::of(&plaintext);
    let new = after
        .get(digest.as_str())
        .unwrap_or_else(|| panic!("{name}: no item for the new token"));
    let new_id = new["TokenId"].as_s().unwrap();
    assert_eq!(
        response.header("api-token-id"),
        Some(new_id.as_str()),
        "{name}"
    );
    assert_ne!(new_id, &target_id, "{name}");
    let id = create_api_token::token_id::TokenId::parse(new_id).unwrap();
    let id_time =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(id.timestamp_ms()) * 1_000_000)
            .unwrap();
    assert!(
        (id_time - created).abs() < time::Duration::seconds(1),
        "{name}"
    );
    assert_eq!(new["RotatedFromId"].as_s().unwrap(), &target_id, "{name}");
    assert_eq!(new["TenantId"], old_before["TenantId"], "{name}");
    assert_eq!(new["Role"], old_before["Role"], "{name}");
    assert_eq!(new["Description"].as_s().unwrap(), description, "{name}");
    assert_eq!(new["DateCreated"].as_s().unwrap(), date, "{name}");
    assert_eq!(
        new["CreatedBy"].as_s().unwrap(),
        TokenHash::of(DEV_ADMIN_TOKEN).as_str(),
        "{name}"
    );
    assert_eq!(new["CreatedById"].as_s().unwrap(), DEV_ADMIN_TOKEN_ID);
    assert_eq!(response.header("api-token-expires"), None, "{name}");
    let mut names: Vec<_> = new.keys().cloned().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "CreatedBy",
            "CreatedById",
            "DateCreated",
            "Description",
            "Role",
            "RotatedFromId",
            "TenantId",
            "TokenHash",
            "TokenId"
        ],
        "{name}"
    );
    for (attr, value) in new {
        assert!(
            !format!("{value:?}").contains(&plaintext[..25]),
            "{name}: {attr} holds the token"
        );
    }

    // The target: RotatedToId, then the grace's DateExpires or a revocation now.
    let old = &after[old_key];
    assert_eq!(old["RotatedToId"].as_s().unwrap(), new_id, "{name}");
    let mut changed = vec!["RotatedToId"];
    if grace > 0 {
        let expires = old["DateExpires"].as_s().expect("DateExpires");
        let expires = create_api_token::dates::parse(expires).unwrap();
        assert_eq!(expires, created + time::Duration::seconds(grace), "{name}");
        let from_now = expires - time::OffsetDateTime::now_utc();
        assert!(
            (from_now - time::Duration::seconds(grace)).abs() < time::Duration::seconds(10),
            "{name}: DateExpires {expires} is not now + {grace} s"
        );
        assert!(
            !old.contains_key("Revoked"),
            "{name}: revoked despite grace"
        );
        assert!(!old.contains_key("DateRevoked"), "{name}");
        changed.push("DateExpires");
    } else {
        assert_eq!(old["Revoked"].as_bool().unwrap(), &true, "{name}");
        assert_eq!(old["DateRevoked"].as_s().unwrap(), date, "{name}");
        assert_eq!(old["RevokedById"].as_s().unwrap(), DEV_ADMIN_TOKEN_ID);
        assert!(!old.contains_key("DateExpires"), "{name}");
        changed.extend(["Revoked", "DateRevoked", "RevokedById"]);
    }
    let mut rest = old.clone();
    rest.retain(|k, _| !changed.contains(&k.as_str()));
    assert_eq!(&rest, old_before, "{name}: the target changed otherwise");
    plaintext
}

/// `after` with every item's `DateLastUsed` as it was in `before`, once checked that the
/// request moved at most one of them (its caller's use, docs/api.md "Last use") to a time
/// within seconds of now, and changed nothing else of it.
fn without_last_use_write(name: &str, before: &Items, mut after: Items) -> Items {
    let mut moved = 0;
    for (key, item) in after.iter_mut() {
        let old = before.get(key).and_then(|b| b.get("DateLastUsed")).cloned();
        let new = item.get("DateLastUsed").cloned();
        if new != old {
            moved += 1;
            let date = new
                .as_ref()
                .and_then(|v| v.as_s().ok())
                .expect("a string date");
            let date = create_api_token::dates::parse(date).expect("in the date format");
            let skew = (time::OffsetDateTime::now_utc() - date).abs();
            assert!(
                skew < time::Duration::seconds(10),
                "{name}: DateLastUsed {date}"
            );
        }
        match old {
            Some(value) => item.insert("DateLastUsed".to_owned(), value),
            None => item.remove("DateLastUsed"),
        };
    }
    assert!(moved <= 1, "{name}: {moved} DateLastUsed writes");
    after
}
