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
        ("http-api-token-get-405.json", "GET on a token"),
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
