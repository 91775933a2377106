//! `description` decoding through every front door, from the real event files adapted:
//! decoded exactly once, `+` is a space only where the client's query string is still
//! encoded, repeated keys keep the first value, malformed escapes are kept literally.
//! In-process (`event::parse_event` + `App` over the in-memory store): the store is not
//! what is under test here; tests/events_replay.rs covers the same doors end to end.

use create_api_token::store::memory::MemoryStore;
use create_api_token::token::TokenHash;
use create_api_token::App;
use lambda_http::Body;
use serde_json::{json, Value};
use testkit::{events, memory_app_with_dev_admin, DEV_ADMIN_TOKEN};

fn app() -> App<MemoryStore> {
    memory_app_with_dev_admin()
}

/// Sends `event`; returns (status, stored description of the new token if 200).
async fn send(app: &App<MemoryStore>, event: Value) -> (u16, Option<String>) {
    let request: lambda_http::Request = create_api_token::event::parse_event(&event.to_string())
        .expect("an HTTP event")
        .into();
    let response = app.handle(request).await;
    let Body::Text(body) = response.body() else {
        panic!("text body")
    };
    let v: Value = serde_json::from_str(body).unwrap();
    let stored = v["Response"]["token"]["Token"].as_str().map(|t| {
        let item = app.store().get(&TokenHash::of(t)).expect("stored");
        assert_eq!(item.description, v["Response"]["token"]["Description"]);
        item.description
    });
    (response.status().as_u16(), stored)
}

/// HTTP API / Function URL: `rawQueryString` as the client sent it.
fn v2(raw_query: &str) -> Value {
    events::http_api("POST", events::COLLECTION)
        .query(raw_query)
        .bearer(DEV_ADMIN_TOKEN)
        .into_value()
}

/// REST API: values already decoded by API Gateway (`multiValueQueryStringParameters`).
fn rest(values: &[&str]) -> Value {
    let mut raw = form_urlencoded::Serializer::new(String::new());
    for value in values {
        raw.append_pair("description", value);
    }
    events::rest("POST", events::COLLECTION)
        .query(&raw.finish())
        .bearer(DEV_ADMIN_TOKEN)
        .into_value()
}

/// ALB, multi-value headers off: values still percent-encoded, last repeated value only.
fn alb(encoded: &str) -> Value {
    events::alb("POST", events::COLLECTION)
        .query(&format!("description={encoded}"))
        .bearer(DEV_ADMIN_TOKEN)
        .into_value()
}

/// ALB, multi-value headers on: every value, still percent-encoded.
fn alb_multi(encoded: &[&str]) -> Value {
    let raw: Vec<String> = encoded.iter().map(|e| format!("description={e}")).collect();
    events::alb_multi_value("POST", events::COLLECTION)
        .query(&raw.join("&"))
        .bearer(DEV_ADMIN_TOKEN)
        .into_value()
}

#[tokio::test]
async fn plus_is_a_space_and_percent_2b_a_plus_at_every_encoded_door() {
    let app = app();
    let expected = Some("build bot + C++".to_owned());
    let raw = "build+bot+%2B+C%2B%2B";
    assert_eq!(
        send(&app, v2(&format!("description={raw}"))).await,
        (200, expected.clone())
    );
    assert_eq!(send(&app, alb(raw)).await, (200, expected.clone()));
    assert_eq!(send(&app, alb_multi(&[raw])).await, (200, expected.clone()));
    // API Gateway REST decoded it already (`+` became a space there).
    assert_eq!(
        send(&app, rest(&["build bot + C++"])).await,
        (200, expected)
    );
}

#[tokio::test]
async fn utf8_escapes_decode_once_never_twice() {
    let app = app();
    let check = Some("\u{2713} 100% done %41".to_owned());
    let raw = "%E2%9C%93+100%25+done+%2541";
    assert_eq!(
        send(&app, v2(&format!("description={raw}"))).await,
        (200, check.clone())
    );
    assert_eq!(send(&app, alb(raw)).await, (200, check.clone()));
    assert_eq!(send(&app, alb_multi(&[raw])).await, (200, check.clone()));
    assert_eq!(
        send(&app, rest(&["\u{2713} 100% done %41"])).await,
        (200, check)
    );
    // A REST value that merely looks encoded stays as it is.
    assert_eq!(
        send(&app, rest(&["100%25 done"])).await,
        (200, Some("100%25 done".to_owned()))
    );
}

#[tokio::test]
async fn the_first_repeated_value_wins_where_the_door_keeps_them() {
    let app = app();
    let first = Some("first".to_owned());
    assert_eq!(
        send(&app, v2("description=first&description=second")).await,
        (200, first.clone())
    );
    assert_eq!(
        send(&app, rest(&["first", "second"])).await,
        (200, first.clone())
    );
    assert_eq!(
        send(&app, alb_multi(&["first", "second"])).await,
        (200, first.clone())
    );
    // HTTP API payload 1.0 (the REST shape) and Function URLs (the 2.0 shape).
    let repeated = "description=first&description=second";
    let v1 = events::http_api_v1("POST", events::COLLECTION)
        .query(repeated)
        .bearer(DEV_ADMIN_TOKEN);
    assert_eq!(
        v1.value()["queryStringParameters"],
        json!({"description": "second"})
    );
    assert_eq!(
        v1.value()["multiValueQueryStringParameters"],
        json!({"description": ["first", "second"]})
    );
    assert_eq!(send(&app, v1.into_value()).await, (200, first.clone()));
    let url = events::function_url("POST", events::COLLECTION)
        .query(repeated)
        .bearer(DEV_ADMIN_TOKEN);
    assert_eq!(send(&app, url.into_value()).await, (200, first));
}

#[tokio::test]
async fn malformed_escapes_are_kept_literally() {
    let app = app();
    let kept = Some("100%".to_owned());
    assert_eq!(
        send(&app, v2("description=100%")).await,
        (200, kept.clone())
    );
    assert_eq!(send(&app, alb("100%")).await, (200, kept.clone()));
    assert_eq!(send(&app, alb_multi(&["100%"])).await, (200, kept));
    assert_eq!(
        send(&app, v2("description=%zz%2")).await,
        (200, Some("%zz%2".to_owned()))
    );
}

#[tokio::test]
async fn encoded_control_characters_are_refused_at_every_door() {
    let app = app();
    assert_eq!(send(&app, v2("description=a%0Ab")).await, (400, None));
    assert_eq!(send(&app, alb("a%0Db")).await, (400, None));
    assert_eq!(send(&app, alb_multi(&["a%00b"])).await, (400, None));
    assert_eq!(send(&app, rest(&["a\tb"])).await, (400, None));
    assert!(app.store().items().len() == 1, "nothing was written");
}
