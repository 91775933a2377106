//! Expiry and last use through the HTTP adapter's public API ([`App::handle`] over the
//! in-memory store), docs/api.md "Expiry" and "Last use":
//!
//! - `expires_in` on create: its boundaries and syntax (400s), the deployment maximum
//!   (`MAX_TOKEN_LIFETIME`), `DateExpires` stored, `Api-Token-Expires`, and a body that
//!   stays the seed's four fields;
//! - an expired token refused on every path with its own 401; a `DateExpires` that cannot
//!   be read refused with the generic 401, byte for byte;
//! - `DateLastUsed`: moved once per use, not again within 5 minutes (the store's writes
//!   are counted), never for a refused token, never failing the request, and run
//!   concurrently with the operation.

use std::time::Duration;

use create_api_token::endpoint::{COLLECTION_PATH, SELF_PATH};
use create_api_token::lifetime::{self, Seconds};
use create_api_token::metrics::MetricsSink;
use create_api_token::store::memory::{MemoryItem, MemoryStore};
use create_api_token::store::StoreError;
use create_api_token::token::TokenHash;
use create_api_token::App;
use lambda_http::{Body, Request, Response};
use time::OffsetDateTime;

const ADMIN: &str = "expiryadminexpiryadmin001-us-1";
const ADMIN_ID: &str = "01KBEXP1RYADM1N00000000001";
const STANDARD: &str = "expirystandardexpirystd01-us-1";
const TARGET_ID: &str = "01KBEXP1RYTARGET0000000001";
const TENANT: i64 = 7;
/// The pinned clock: every request of these tests happens at this second.
const NOW: &str = "2026-04-18T12:00:00";

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-04-18 12:00:00.250 UTC)
}
fn four_minutes_59_later() -> OffsetDateTime {
    time::macros::datetime!(2026-04-18 12:04:59 UTC)
}
fn five_minutes_later() -> OffsetDateTime {
    time::macros::datetime!(2026-04-18 12:05:00 UTC)
}
fn five_minutes_1_second_later() -> OffsetDateTime {
    time::macros::datetime!(2026-04-18 12:05:01 UTC)
}

fn item(role: &str, token_id: Option<&str>) -> MemoryItem {
    MemoryItem {
        token_id: token_id.and_then(create_api_token::token_id::TokenId::parse),
        tenant_id: TENANT,
        role: Some(role.to_owned()),
        description: "fixture".to_owned(),
        date_created: "2026-01-01T00:00:00".to_owned(),
        ..MemoryItem::default()
    }
}

/// An Administrator, a Standard token and a revocation target, none expiring.
fn store() -> MemoryStore {
    let store = MemoryStore::new();
    store.insert(&TokenHash::of(ADMIN), item("Administrator", Some(ADMIN_ID)));
    store.insert(&TokenHash::of(STANDARD), item("Standard", None));
    store.insert(
        &TokenHash::of("expirytargetexpirytarget1-us-1"),
        item("Standard", Some(TARGET_ID)),
    );
    store
}

fn app() -> App<MemoryStore> {
    App::new(store(), "us-1").with_clock(now)
}

/// An HTTP API (payload 2.0) event from the test kit's builder, parsed as the runtime does.
fn v2(method: &str, raw_path: &str, query: &str, token: Option<&str>) -> Request {
    let event = testkit::events::http_api(method, raw_path).query(query);
    match token {
        Some(token) => event.bearer(token),
        None => event,
    }
    .request()
}

fn create(query: &str, token: &str) -> Request {
    v2("POST", COLLECTION_PATH, query, Some(token))
}

fn body_text(r: &Response<Body>) -> &str {
    match r.body() {
        Body::Text(t) => t,
        other => panic!("unexpected body {other:?}"),
    }
}

fn body_json(r: &Response<Body>) -> serde_json::Value {
    serde_json::from_str(body_text(r)).unwrap()
}

fn header<'a>(r: &'a Response<Body>, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

/// The stored item of the token a create answered.
fn created_item(app: &App<MemoryStore>, r: &Response<Body>) -> MemoryItem {
    let token = body_json(r)["Response"]["token"]["Token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.store().get(&TokenHash::of(&token)).unwrap()
}

const EXPIRES_IN_MESSAGE_DIGITS: &str =
    "expires_in must be a whole number of seconds from 60 to 31622400 (366 days), written in digits.";
const EXPIRES_IN_MESSAGE_RANGE: &str =
    "expires_in must be a whole number of seconds from 60 to 31622400 (366 days).";

#[tokio::test]
async fn expires_in_boundaries_and_syntax() {
    let app = app();
    for (query, expected) in [
        ("expires_in=59", Err(EXPIRES_IN_MESSAGE_RANGE)),
        ("expires_in=60", Ok("2026-04-18T12:01:00")),
        ("expires_in=0060", Ok("2026-04-18T12:01:00")),
        ("expires_in=31622400", Ok("2027-04-19T12:00:00")),
        ("expires_in=31622401", Err(EXPIRES_IN_MESSAGE_RANGE)),
        ("expires_in=0", Err(EXPIRES_IN_MESSAGE_RANGE)),
        (
            "expires_in=99999999999999999999999999999999999999",
            Err(EXPIRES_IN_MESSAGE_RANGE),
        ),
        ("expires_in=", Err(EXPIRES_IN_MESSAGE_DIGITS)),
        ("expires_in=%2B60", Err(EXPIRES_IN_MESSAGE_DIGITS)),
        ("expires_in=+60", Err(EXPIRES_IN_MESSAGE_DIGITS)), // `+` decodes to a space
        ("expires_in=%2060", Err(EXPIRES_IN_MESSAGE_DIGITS)),
        ("expires_in=6e1", Err(EXPIRES_IN_MESSAGE_DIGITS)),
        ("expires_in=-60", Err(EXPIRES_IN_MESSAGE_DIGITS)),
        ("expires_in=%D9%A6%D9%A0", Err(EXPIRES_IN_MESSAGE_DIGITS)), // Arabic-Indic 60
        // Repeated: the first value wins, whatever the second.
        ("expires_in=120&expires_in=abc", Ok("2026-04-18T12:02:00")),
        (
            "expires_in=abc&expires_in=120",
            Err(EXPIRES_IN_MESSAGE_DIGITS),
        ),
    ] {
        let before = app.store().items().len();
        let r = app.handle(create(query, ADMIN)).await;
        match expected {
            Ok(date_expires) => {
                assert_eq!(r.status(), 200, "{query}: {}", body_text(&r));
                assert_eq!(
                    header(&r, "api-token-expires"),
                    Some(date_expires),
                    "{query}"
                );
                assert_eq!(
                    created_item(&app, &r).date_expires.as_deref(),
                    Some(date_expires),
                    "{query}"
                );
            }
            Err(message) => {
                assert_eq!(r.status(), 400, "{query}");
                assert_eq!(body_json(&r)["Message"], message, "{query}");
                assert_eq!(header(&r, "api-token-expires"), None);
                assert_eq!(
                    app.store().items().len(),
                    before,
                    "{query}: nothing written"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_create_body_stays_the_seeds_four_fields() {
    let app = app();
    for query in ["description=ci", "description=ci&expires_in=3600"] {
        let r = app.handle(create(query, ADMIN)).await;
        assert_eq!(r.status(), 200);
        let token = body_json(&r)["Response"]["token"]["Token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            body_text(&r),
            format!(
                r#"{{"Status":true,"Message":"","Response":{{"token":{{"DateCreated":"{NOW}","Token":"{token}","Description":"ci","TenantId":{TENANT}}}}}}}"#
            ),
            "{query}"
        );
    }
    // Without expires_in and without a maximum: never expires, no header.
    let r = app.handle(create("description=ci", ADMIN)).await;
    assert_eq!(header(&r, "api-token-expires"), None);
    assert_eq!(created_item(&app, &r).date_expires, None);
}

#[tokio::test]
async fn the_deployment_maximum_is_the_default_and_the_cap() {
    let max: Seconds = lifetime::max_token_lifetime(Some("3600")).unwrap().unwrap();
    let app = app().with_max_token_lifetime(Some(max));
    let r = app.handle(create("", ADMIN)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "api-token-expires"), Some("2026-04-18T13:00:00"));
    let r = app.handle(create("expires_in=3600", ADMIN)).await;
    assert_eq!(header(&r, "api-token-expires"), Some("2026-04-18T13:00:00"));
    let r = app.handle(create("expires_in=600", ADMIN)).await;
    assert_eq!(header(&r, "api-token-expires"), Some("2026-04-18T12:10:00"));
    let r = app.handle(create("expires_in=3601", ADMIN)).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        body_json(&r)["Message"],
        "expires_in must be at most 3600 seconds (this deployment's maximum token lifetime)."
    );
    // Empty is still a 400, not the maximum.
    let r = app.handle(create("expires_in=", ADMIN)).await;
    assert_eq!(r.status(), 400);
}

/// Every path and method an Administrator can call, as (method, path). Teammates adding an
/// operation add its row: an expired token must get the expired 401 on it.
fn every_path() -> Vec<(&'static str, String)> {
    vec![
        ("POST", COLLECTION_PATH.to_owned()),
        ("GET", COLLECTION_PATH.to_owned()),
        ("DELETE", format!("{COLLECTION_PATH}/{TARGET_ID}")),
        ("GET", format!("{COLLECTION_PATH}/{TARGET_ID}")),
        ("POST", format!("{COLLECTION_PATH}/{TARGET_ID}/rotate")),
        ("GET", SELF_PATH.to_owned()),
    ]
}

const EXPIRED_CHALLENGE: &str =
    r#"Bearer realm="api", error="invalid_token", error_description="The API token expired""#;
const EXPIRED_BODY: &str =
    r#"{"Status":false,"Message":"The API token has expired.","Response":null}"#;

#[tokio::test]
async fn an_expired_token_is_refused_on_every_path() {
    for (date_expires, expired) in [
        ("2026-04-18T12:00:00", true), // at now: expired
        ("2026-04-18T11:59:59", true),
        ("2020-01-01T00:00:00", true),
        ("2026-04-18T12:00:01", false),
        ("2099-01-01T00:00:00", false),
    ] {
        for (method, path) in every_path() {
            let app = app();
            let mut admin = app.store().get(&TokenHash::of(ADMIN)).unwrap();
            admin.date_expires = Some(date_expires.to_owned());
            app.store().insert(&TokenHash::of(ADMIN), admin);
            let before = app.store().items();
            let r = app.handle(v2(method, &path, "", Some(ADMIN))).await;
            if expired {
                assert_eq!(r.status(), 401, "{method} {path} {date_expires}");
                assert_eq!(header(&r, "www-authenticate"), Some(EXPIRED_CHALLENGE));
                assert_eq!(body_text(&r), EXPIRED_BODY);
                assert_eq!(app.store().items(), before, "nothing written");
                assert_eq!(app.store().last_use_writes(), 0);
            } else {
                assert_eq!(r.status(), 200, "{method} {path} {date_expires}");
            }
        }
    }
}

#[tokio::test]
async fn an_unreadable_expiry_gets_the_generic_401_byte_for_byte() {
    let app = app();
    let unknown = app
        .handle(create("", "unknownunknownunknownunkn-us-1"))
        .await;
    assert_eq!(unknown.status(), 401);
    for bad in [
        "",
        "tomorrow",
        "2026-04-18",
        "2026-04-18T12:00:00Z",
        "2026-04-18 12:00:00",
        "2026-13-01T00:00:00",
    ] {
        let mut admin = app.store().get(&TokenHash::of(ADMIN)).unwrap();
        admin.date_expires = Some(bad.to_owned());
        app.store().insert(&TokenHash::of(ADMIN), admin);
        for (method, path) in every_path() {
            let r = app.handle(v2(method, &path, "", Some(ADMIN))).await;
            assert_eq!(r.status(), 401, "{bad:?}");
            assert_eq!(
                format!("{:?}|{}", r.headers(), body_text(&r)),
                format!("{:?}|{}", unknown.headers(), body_text(&unknown)),
                "{bad:?}: identical to an unknown token's 401"
            );
        }
    }
    assert_eq!(app.store().last_use_writes(), 0);
}

#[tokio::test]
async fn a_use_moves_date_last_used_once_per_five_minutes() {
    let app = app();
    let admin = TokenHash::of(ADMIN);
    let r = app
        .handle(v2("GET", COLLECTION_PATH, "", Some(ADMIN)))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.store().last_use_writes(), 1);
    assert_eq!(
        app.store().get(&admin).unwrap().date_last_used.as_deref(),
        Some(NOW)
    );
    // A second use within 5 minutes: no write (neither the item nor the process asks).
    for _ in 0..3 {
        let r = app
            .handle(v2("GET", COLLECTION_PATH, "", Some(ADMIN)))
            .await;
        assert_eq!(r.status(), 200);
    }
    assert_eq!(app.store().last_use_writes(), 1);

    // Another process (its own memory) over the same items: the stored date decides.
    let other = App::new(View(app.store()), "us-1").with_clock(four_minutes_59_later);
    other
        .handle(v2("GET", COLLECTION_PATH, "", Some(ADMIN)))
        .await;
    assert_eq!(app.store().last_use_writes(), 1);
    // The stored 12:00:00 is not before the cutoff 12:00:00 (strictly): still no write.
    let at_five = App::new(View(app.store()), "us-1").with_clock(five_minutes_later);
    at_five
        .handle(v2("GET", COLLECTION_PATH, "", Some(ADMIN)))
        .await;
    assert_eq!(app.store().last_use_writes(), 1);
    let later = App::new(View(app.store()), "us-1").with_clock(five_minutes_1_second_later);
    later
        .handle(v2("GET", COLLECTION_PATH, "", Some(ADMIN)))
        .await;
    assert_eq!(app.store().last_use_writes(), 2);
    assert_eq!(
        app.store().get(&admin).unwrap().date_last_used.as_deref(),
        Some("2026-04-18T12:05:01")
    );
}

#[tokio::test]
async fn a_403_is_a_use_and_a_refused_token_writes_nothing() {
    let first = app();
    let r = first.handle(create("", STANDARD)).await;
    assert_eq!(r.status(), 403);
    assert_eq!(first.store().last_use_writes(), 1);
    assert_eq!(
        first
            .store()
            .get(&TokenHash::of(STANDARD))
            .unwrap()
            .date_last_used
            .as_deref(),
        Some(NOW)
    );

    let app = app();
    let revoked = TokenHash::of("expiryrevokedexpiryrevok1-us-1");
    app.store().insert(
        &revoked,
        MemoryItem {
            revoked: true,
            ..item("Administrator", None)
        },
    );
    let expired = TokenHash::of("expiryexpiredexpiryexpir1-us-1");
    app.store().insert(
        &expired,
        MemoryItem {
            date_expires: Some("2026-01-01T00:00:00".to_owned()),
            ..item("Administrator", None)
        },
    );
    for token in [
        "expiryrevokedexpiryrevok1-us-1",
        "expiryexpiredexpiryexpir1-us-1",
        "unknownunknownunknownunkn-us-1",
        "not-a-token",
    ] {
        let r = app.handle(create("", token)).await;
        assert_eq!(r.status(), 401, "{token}");
    }
    let r = app
        .handle(v2("PUT", COLLECTION_PATH, "", Some(ADMIN)))
        .await;
    assert_eq!(r.status(), 405);
    assert_eq!(app.store().last_use_writes(), 0);
    assert_eq!(app.store().get(&revoked).unwrap().date_last_used, None);
    assert_eq!(app.store().get(&expired).unwrap().date_last_used, None);
}

#[tokio::test]
async fn a_failing_last_use_write_never_fails_the_request() {
    let (sink, records) = MetricsSink::memory();
    let app = app().with_metrics(sink);
    app.store()
        .fail_last_use_with(Some(StoreError::Unavailable("throttled: X".to_owned())));
    let r = app
        .handle(v2("GET", COLLECTION_PATH, "", Some(ADMIN)))
        .await;
    assert_eq!(r.status(), 200);
    let r = app.handle(create("description=x", ADMIN)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.store().last_use_writes(), 0);
    let records = records.lock().unwrap().clone();
    assert_eq!(records.len(), 2);
    for record in &records {
        let record: serde_json::Value = serde_json::from_str(record).unwrap();
        // The claim was released after the first failure, so the second request tried again.
        assert_eq!(record["LastUseWriteFailures"], 1, "{record}");
        let names: Vec<&str> = record["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"LastUseWriteFailures"), "{names:?}");
    }
    // Once the store answers again, the next use writes.
    app.store().fail_last_use_with(None);
    app.handle(v2("GET", COLLECTION_PATH, "", Some(ADMIN)))
        .await;
    assert_eq!(app.store().last_use_writes(), 1);
    for record in records {
        assert!(!record.contains(&TokenHash::of(ADMIN).as_str().to_owned()));
        assert!(!record.contains(ADMIN));
    }
}

#[tokio::test(start_paused = true)]
async fn the_write_runs_beside_the_operation_and_is_capped() {
    let app = app();
    app.store().delay_last_use(Some(Duration::from_secs(30)));
    let started = tokio::time::Instant::now();
    let items_before = app.store().items().len();
    let (r, ()) = tokio::join!(app.handle(create("", ADMIN)), async {
        // While the last-use write is still pending, the create has already written.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(app.store().items().len(), items_before + 1);
        assert_eq!(app.store().last_use_writes(), 0);
    });
    assert_eq!(r.status(), 200);
    // The write's own cap (1 s), not the store's 30 s, bounds the answer.
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    assert_eq!(app.store().last_use_writes(), 0);
}

/// Borrows a [`MemoryStore`], so that a second `App` (another process: its own memory of
/// recent writes, another clock) shares its items.
struct View<'a>(&'a MemoryStore);

impl create_api_token::store::TokenStore for View<'_> {
    async fn get_caller(
        &self,
        h: &TokenHash,
    ) -> Result<Option<create_api_token::store::CallerRecord>, StoreError> {
        self.0.get_caller(h).await
    }
    async fn put_new(
        &self,
        i: &create_api_token::store::NewTokenItem,
    ) -> Result<create_api_token::store::PutOutcome, StoreError> {
        self.0.put_new(i).await
    }
    async fn list_tokens(
        &self,
        q: &create_api_token::store::ListQuery,
    ) -> Result<create_api_token::store::TokenPage, StoreError> {
        self.0.list_tokens(q).await
    }
    async fn revoke(
        &self,
        r: &create_api_token::store::Revocation,
    ) -> Result<Option<create_api_token::store::TokenSummary>, StoreError> {
        self.0.revoke(r).await
    }
    async fn record_last_use(
        &self,
        h: &TokenHash,
        date: &str,
        cutoff: &str,
    ) -> Result<create_api_token::store::LastUseOutcome, StoreError> {
        self.0.record_last_use(h, date, cutoff).await
    }
    async fn get_token(
        &self,
        k: &create_api_token::store::TokenKey,
    ) -> Result<Option<create_api_token::store::TokenSummary>, StoreError> {
        self.0.get_token(k).await
    }
    async fn rotate(
        &self,
        r: &create_api_token::store::Rotation,
    ) -> Result<create_api_token::store::RotateOutcome, StoreError> {
        self.0.rotate(r).await
    }
}
