//! The local demo's driver (`make demo` runs it; see README): serves real API Gateway and
//! ALB event files from `events/` to the real `create-api-token` binary through a loopback
//! Lambda Runtime API, exactly as Lambda would, and prints each envelope.
//!
//! Needs DynamoDB Local with the table and tokens `scripts/demo.sh` prepares, and the
//! environment it exports: `TABLE_NAME`, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_REGION`,
//! credentials, and `BOOTSTRAP_ADMIN_TOKEN` (the Administrator token the bootstrap tool
//! just minted). `FUNCTION_BIN` overrides the binary (default `target/debug/create-api-token`).

use std::path::PathBuf;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use create_api_token::token::TokenHash;
use serde_json::Value;
use testkit::{events, process, Outcome, RuntimeApi};
use tokio::process::Command;

/// Replaces every `Authorization` header of an event (any case, single- or multi-value).
fn with_bearer(event: &str, token: &str) -> String {
    events::from_json(event).bearer(token).to_string()
}

/// The `http-api-revoke-own-200.json` event aimed at `token_id` instead.
fn revoke_event(template: &str, token_id: &str) -> String {
    events::from_json(template)
        .path(&format!("{}/{token_id}", events::COLLECTION))
        .to_string()
}

/// `http-api-get-own-200.json` aimed at `token_id`: `GET /api/v1/admin/apikey/{token_id}`.
fn get_event(template: &str, token_id: &str) -> String {
    events::from_json(template)
        .path(&format!("{}/{token_id}", events::COLLECTION))
        .to_string()
}

/// `POST /api/v1/admin/apikey/{token_id}/rotate?{query}`, from the get event's shape (HTTP
/// API payload 2.0), with the route key and path parameter API Gateway gives that route.
fn rotate_event(template: &str, token_id: &str, query: &str) -> String {
    let route = format!("POST {}/{{TokenId}}/rotate", events::COLLECTION);
    events::from_json(template)
        .method("POST")
        .path(&format!("{}/{token_id}/rotate", events::COLLECTION))
        .query(query)
        .with(|e| {
            e["routeKey"] = route.clone().into();
            e["requestContext"]["routeKey"] = route.into();
            e["pathParameters"] = serde_json::json!({ "TokenId": token_id });
        })
        .to_string()
}

/// Sets the `DateExpires` of `token`'s item to a past date in DynamoDB Local, as if its
/// grace period had run out (the demo does not wait an hour).
async fn expire_now(token: &str) {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = std::env::var("TABLE_NAME").expect("TABLE_NAME (scripts/demo.sh sets it)");
    let past = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let past = past
        .format(create_api_token::dates::FORMAT)
        .expect("a date in the stored format");
    client
        .update_item()
        .table_name(table)
        .key(
            "TokenHash",
            AttributeValue::S(TokenHash::of(token).as_str().to_owned()),
        )
        .update_expression("SET DateExpires = :past")
        .expression_attribute_values(":past", AttributeValue::S(past))
        .condition_expression("attribute_exists(TokenHash)")
        .send()
        .await
        .expect("DynamoDB Local sets DateExpires");
}

/// A response header (payload 2.0 `headers`, or the first of `multiValueHeaders`).
fn header(outcome: &Outcome, name: &str) -> Option<String> {
    let Outcome::Response(raw) = outcome else {
        return None;
    };
    let v: Value = serde_json::from_str(raw).ok()?;
    let single = v["headers"].get(name).and_then(Value::as_str);
    let multi = v["multiValueHeaders"].get(name).and_then(|m| m[0].as_str());
    single.or(multi).map(str::to_owned)
}

fn print_response(title: &str, outcome: &Outcome) -> Option<Value> {
    println!("\n== {title}");
    match outcome {
        Outcome::Response(raw) => {
            let v: Value = serde_json::from_str(raw).expect("response JSON");
            let mut line = format!("HTTP {}", v["statusCode"]);
            for h in [
                "content-type",
                "cache-control",
                "www-authenticate",
                "allow",
                "api-token-id",
                "api-token-expires",
            ] {
                // Payload 2.0 answers in `headers`; payload 1.0 and ALB may use `multiValueHeaders`.
                let single = v["headers"].get(h).and_then(Value::as_str);
                let multi = v["multiValueHeaders"].get(h).and_then(|m| m[0].as_str());
                if let Some(val) = single.or(multi) {
                    line.push_str(&format!("  {h}: {val}"));
                }
            }
            println!("{line}");
            let body = v["body"].as_str().unwrap_or_default();
            println!("{body}");
            serde_json::from_str(body).ok()
        }
        Outcome::Error(e) => {
            println!("invocation error: {e}");
            None
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = std::env::var("FUNCTION_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/debug/create-api-token"));
    let bootstrap_token = std::env::var("BOOTSTRAP_ADMIN_TOKEN")
        .expect("BOOTSTRAP_ADMIN_TOKEN (scripts/demo.sh sets it)");
    let event = testkit::event_file;

    let runtime = RuntimeApi::start().await;
    // Inherits TABLE_NAME, AWS_ENDPOINT_URL_DYNAMODB and credentials from scripts/demo.sh.
    let process = process::spawn(Command::new(&bin), &runtime.address())
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let (mut child, logs) = (process.child, process.logs);
    let invoke = |body: String| {
        let runtime = &runtime;
        async move {
            runtime
                .invoke(&body, Duration::from_secs(10))
                .await
                .expect("the function answered within 10 s")
        }
    };

    println!(
        "Replaying events/ through {} (Lambda Runtime API on {}).",
        bin.display(),
        runtime.address()
    );

    let outcome = invoke(with_bearer(
        &event("http-api-create-200.json"),
        &bootstrap_token,
    ))
    .await;
    let created = print_response(
        "CREATE  events/http-api-create-200.json  (HTTP API payload 2.0, the bootstrap Administrator token)",
        &outcome,
    );
    let new_token = created
        .as_ref()
        .and_then(|v| v["Response"]["token"]["Token"].as_str())
        .map(str::to_owned);
    let new_token_id = header(&outcome, "api-token-id");

    // The token lifecycle: the new token on top of the tenant's list, then revoked, then
    // refused on its very next request.
    let listed = print_response(
        "LIST  events/http-api-list-200.json  (GET, newest first: the token just created is on top)",
        &invoke(with_bearer(&event("http-api-list-200.json"), &bootstrap_token)).await,
    );
    let top = listed
        .as_ref()
        .and_then(|v| v["Response"]["tokens"][0]["TokenId"].as_str())
        .map(str::to_owned);
    println!(
        "   top of the list: {}; Api-Token-Id of the create: {}",
        top.as_deref().unwrap_or("-"),
        new_token_id.as_deref().unwrap_or("-")
    );
    print_response(
        "LIST, page 2  events/http-api-list-page-2-200.json  (limit=2&before=<TokenId>)",
        &invoke(event("http-api-list-page-2-200.json")).await,
    );
    if let (Some(token), Some(token_id)) = (&new_token, &new_token_id) {
        let revoke = revoke_event(&event("http-api-revoke-own-200.json"), token_id);
        print_response(
            &format!("REVOKE  DELETE /api/v1/admin/apikey/{token_id}  (the token just created)"),
            &invoke(with_bearer(&revoke, &bootstrap_token)).await,
        );
        print_response(
            "REVOKE again  (idempotent: 200, the first DateRevoked)",
            &invoke(with_bearer(&revoke, &bootstrap_token)).await,
        );
        print_response(
            "the revoked token, on its very next request  (401)",
            &invoke(with_bearer(&event("http-api-list-200.json"), token)).await,
        );
    }
    // Part 2 of the lifecycle: a token that expires, read one at a time, rotated with an
    // overlap (both tokens work), the old one refused once its grace is over, and the
    // DateLastUsed its uses left.
    let outcome = invoke(with_bearer(
        &event("http-api-create-expiring-200.json"),
        &bootstrap_token,
    ))
    .await;
    let expiring = print_response(
        "CREATE, expiring  events/http-api-create-expiring-200.json  (expires_in=2592000: 30 days, Api-Token-Expires)",
        &outcome,
    );
    let old_token = expiring
        .as_ref()
        .and_then(|v| v["Response"]["token"]["Token"].as_str())
        .map(str::to_owned);
    let old_id = header(&outcome, "api-token-id");
    if let (Some(old_token), Some(old_id)) = (&old_token, &old_id) {
        let get_own = event("http-api-get-own-200.json");
        print_response(
            &format!("GET  /api/v1/admin/apikey/{old_id}  (one token: DateExpires, no secret)"),
            &invoke(with_bearer(&get_event(&get_own, old_id), &bootstrap_token)).await,
        );
        let outcome = invoke(with_bearer(
            &rotate_event(&get_own, old_id, "grace=3600"),
            &bootstrap_token,
        ))
        .await;
        let rotated = print_response(
            &format!("ROTATE  POST /api/v1/admin/apikey/{old_id}/rotate?grace=3600  (a new token; the old one keeps working for an hour)"),
            &outcome,
        );
        let new_token = rotated
            .as_ref()
            .and_then(|v| v["Response"]["token"]["Token"].as_str())
            .map(str::to_owned);
        let new_id = header(&outcome, "api-token-id");
        let own = event("http-api-self-standard-200.json");
        print_response(
            "SELF with the OLD token during the overlap  GET /api/v1/apikey/self  (200: its DateExpires is now + 1 h)",
            &invoke(with_bearer(&own, old_token)).await,
        );
        if let Some(new_token) = &new_token {
            print_response(
                "SELF with the NEW token  GET /api/v1/apikey/self  (200: its own TokenId, the old token's lifetime of 30 days)",
                &invoke(with_bearer(&own, new_token)).await,
            );
        }
        expire_now(old_token).await;
        println!("\n== (the old token's DateExpires set 1 s in the past in DynamoDB Local: its grace is over)");
        print_response(
            "SELF with the OLD token after its grace  (401: the expired token's message and challenge)",
            &invoke(with_bearer(&own, old_token)).await,
        );
        for (id, what) in [
            (Some(old_id), "the old token"),
            (new_id.as_ref(), "the new token"),
        ] {
            if let Some(id) = id {
                print_response(
                    &format!("GET  /api/v1/admin/apikey/{id}  ({what}: DateLastUsed, written by its use above)"),
                    &invoke(with_bearer(&get_event(&get_own, id), &bootstrap_token)).await,
                );
            }
        }
    }

    for (file, what) in [
        (
            "http-api-revoke-other-tenant-404.json",
            "another tenant's TokenId: 404",
        ),
        (
            "http-api-revoke-unknown-id-404.json",
            "a TokenId nobody has: the same 404 body",
        ),
        ("http-api-list-bad-limit-400.json", "limit=0"),
    ] {
        print_response(
            &format!("events/{file}  ({what})"),
            &invoke(event(file)).await,
        );
    }

    for (file, what) in [
        (
            "rest-create-200.json",
            "REST API payload 1.0, stage Prod, dev Administrator token",
        ),
        ("alb-create-200.json", "ALB, query still percent-encoded"),
        ("function-url-create-200.json", "Lambda Function URL"),
        ("http-api-no-token-401.json", "no Authorization header"),
        (
            "http-api-unknown-token-401.json",
            "a well-formed token nobody issued: the same 401 body",
        ),
    ] {
        print_response(
            &format!("events/{file}  ({what})"),
            &invoke(event(file)).await,
        );
    }
    print_response(
        "events/http-api-non-admin-403.json  (a Standard token)",
        &invoke(event("http-api-non-admin-403.json")).await,
    );
    for (file, what) in [
        (
            "http-api-control-character-400.json",
            "a line break in the description",
        ),
        ("http-api-wrong-path-404.json", "another path"),
        ("http-api-put-405.json", "PUT on the collection"),
        ("http-api-token-patch-405.json", "PATCH on a token"),
    ] {
        print_response(
            &format!("events/{file}  ({what})"),
            &invoke(event(file)).await,
        );
    }

    // Let the log reader catch up, then show the function's own log lines.
    tokio::time::sleep(Duration::from_millis(200)).await;
    println!(
        "\n== the function's log (one line per request; no token, digest or Authorization value)"
    );
    for line in logs.lock().unwrap().iter() {
        println!("{line}");
    }
    let _ = child.kill().await;
}
