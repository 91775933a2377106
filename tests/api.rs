//! Black-box tests of the HTTP adapter through its public API: [`App::handle`] over the
//! in-memory store, one HTTP API (payload 2.0) request at a time, in the contract's
//! evaluation order (docs/api.md). Moved from `src/routes.rs`; the request builders here
//! are this file's own until the test kit's event builder replaces them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use create_api_token::api::budget::{RESPONSE_MARGIN, STORE_DEADLINE};
use create_api_token::api::create::MAX_CREATE_ATTEMPTS;
use create_api_token::dates;
use create_api_token::endpoint::COLLECTION_PATH as ENDPOINT_PATH;
use create_api_token::error::UNAUTHORIZED_MESSAGE;
use create_api_token::store::memory::{MemoryItem, MemoryStore};
use create_api_token::store::{
    CallerRecord, ListQuery, NewTokenItem, PutOutcome, Revocation, StoreError, TokenPage,
    TokenStore, TokenSummary,
};
use create_api_token::token::{GenerateError, Token, TokenGenerator, TokenHash};
use create_api_token::token_id::TokenId;
use create_api_token::App;
use lambda_http::{Body, Request, RequestExt, Response};
use time::OffsetDateTime;
use tokio::time::Instant;

const ADMIN: &str = "adminadminadminadmin00001-us-1";
const STANDARD_TOKEN: &str = "standardstandardstandard1-us-1";
const REVOKED: &str = "revokedrevokedrevokedrev1-us-1";
const TENANT: i64 = 7;

fn pinned_clock() -> OffsetDateTime {
    time::macros::datetime!(2026-04-18 12:00:00.987 UTC)
}

fn item(role: &str, revoked: bool, tenant_id: i64) -> MemoryItem {
    MemoryItem {
        tenant_id,
        role: Some(role.to_owned()),
        description: "fixture".to_owned(),
        date_created: "2026-01-01T00:00:00".to_owned(),
        revoked,
        ..MemoryItem::default()
    }
}

fn seeded_store() -> MemoryStore {
    let store = MemoryStore::new();
    store.insert(&TokenHash::of(ADMIN), item("Administrator", false, TENANT));
    store.insert(
        &TokenHash::of(STANDARD_TOKEN),
        item("Standard", false, TENANT),
    );
    store.insert(&TokenHash::of(REVOKED), item("Administrator", true, TENANT));
    store
}

fn app() -> App<MemoryStore> {
    App::new(seeded_store(), "us-1").with_clock(pinned_clock)
}

/// An HTTP API (payload 2.0) event, parsed by lambda_http like the runtime does.
fn v2(method: &str, raw_path: &str, stage: &str, query: &str, auth: Option<&str>) -> Request {
    let event = testkit::events::http_api(method, raw_path)
        .query(query)
        .with(|e| e["requestContext"]["stage"] = stage.into());
    match auth {
        Some(a) => event.authorization(a),
        None => event,
    }
    .request()
}

fn post(query: &str, auth: Option<&str>) -> Request {
    v2("POST", ENDPOINT_PATH, "$default", query, auth)
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

fn body_json(r: &Response<Body>) -> serde_json::Value {
    match r.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("unexpected body {other:?}"),
    }
}

fn body_text(r: &Response<Body>) -> &str {
    match r.body() {
        Body::Text(t) => t,
        other => panic!("unexpected body {other:?}"),
    }
}

#[tokio::test]
async fn admin_creates_a_standard_token_for_its_own_tenant() {
    let app = app();
    let before = app.store().items();
    let r = app
        .handle(post(
            "description=Zapier%20integration",
            Some(&bearer(ADMIN)),
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v = body_json(&r);
    let tok = &v["Response"]["token"];
    let new_token = tok["Token"].as_str().unwrap();
    assert!(Token::parse(new_token, "us-1").is_some());
    assert_eq!(new_token.len(), 25 + 5);
    // Exact bytes, with the generated token substituted.
    assert_eq!(
        body_text(&r),
        format!(
            r#"{{"Status":true,"Message":"","Response":{{"token":{{"DateCreated":"2026-04-18T12:00:00","Token":"{new_token}","Description":"Zapier integration","TenantId":7}}}}}}"#
        )
    );
    let items = app.store().items();
    assert_eq!(items.len(), before.len() + 1);
    let stored = app
        .store()
        .get(&TokenHash::of(new_token))
        .expect("stored under digest");
    assert_eq!(stored.tenant_id, TENANT);
    assert_eq!(stored.role.as_deref(), Some("Standard"));
    assert_eq!(stored.description, "Zapier integration");
    assert_eq!(stored.date_created, "2026-04-18T12:00:00");
    assert_eq!(
        stored.created_by.as_deref(),
        Some(TokenHash::of(ADMIN).as_str())
    );
    assert!(!items.contains_key(new_token), "plaintext is never a key");
    // The old items are untouched.
    for (k, v) in before {
        assert_eq!(items[&k], v);
    }
}

#[tokio::test]
async fn basic_auth_with_any_user_works() {
    use base64::Engine;
    let creds = base64::engine::general_purpose::STANDARD.encode(format!("api:{ADMIN}"));
    let r = app()
        .handle(post("", Some(&format!("Basic {creds}"))))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(body_json(&r)["Response"]["token"]["Description"], "");
}

#[tokio::test]
async fn the_new_token_is_a_standard_token() {
    let app = app();
    let r = app.handle(post("", Some(&bearer(ADMIN)))).await;
    let new_token = body_json(&r)["Response"]["token"]["Token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.handle(post("", Some(&bearer(&new_token)))).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn unauthorized_bodies_are_identical_and_nothing_is_written() {
    let app = app();
    let before = app.store().items();
    let unknown = "unknownunknownunknownunkn-us-1";
    let cases = [
        None,
        Some(String::new()),
        Some("Bearer".to_owned()),
        Some(bearer("not-a-token")),
        Some(bearer(unknown)),
        Some(bearer(REVOKED)),
        Some(bearer("adminadminadminadmin00001-eu-1")),
        Some(format!("Token {ADMIN}")),
    ];
    let mut bodies = Vec::new();
    for auth in &cases {
        let r = app.handle(post("description=x", auth.as_deref())).await;
        assert_eq!(r.status(), 401, "{auth:?}");
        assert_eq!(r.headers()["www-authenticate"], r#"Bearer realm="api""#);
        assert_eq!(body_json(&r)["Message"], UNAUTHORIZED_MESSAGE);
        bodies.push(body_text(&r).to_owned());
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(app.store().items(), before);
}

#[tokio::test]
async fn non_administrators_get_403_whatever_the_description() {
    let app = app();
    let store = app.store();
    for (i, role) in [
        "Standard",
        "administrator",
        "Administrator ",
        "ADMINISTRATOR",
        "",
    ]
    .iter()
    .enumerate()
    {
        let tok = format!("roletoken{i:016}-us-1");
        store.insert(&TokenHash::of(&tok), item(role, false, 3));
    }
    let before = store.items();
    for i in 0..5 {
        let tok = format!("roletoken{i:016}-us-1");
        // Rule 4 comes before rule 5: a bad description still gets 403.
        let r = app
            .handle(post("description=%0A", Some(&bearer(&tok))))
            .await;
        assert_eq!(r.status(), 403);
        assert_eq!(body_json(&r)["Status"], false);
        assert_eq!(body_json(&r)["Response"], serde_json::Value::Null);
    }
    assert_eq!(store.items(), before);
}

#[tokio::test]
async fn invalid_descriptions_get_400_and_write_nothing() {
    let app = app();
    let before = app.store().items();
    let long = "a".repeat(256);
    for q in [
        "description=a%0Ab",
        "description=%09",
        "description=%7F",
        &format!("description={long}"),
    ] {
        let r = app.handle(post(q, Some(&bearer(ADMIN)))).await;
        assert_eq!(r.status(), 400, "{q}");
        assert!(body_json(&r)["Message"]
            .as_str()
            .unwrap()
            .contains("description"));
    }
    assert_eq!(app.store().items(), before);
}

#[tokio::test]
async fn description_decoding_and_first_value_wins() {
    let app = app();
    let cases = [
        ("description=build+bot+%2B+C%2B%2B", "build bot + C++"),
        ("description=%E2%9C%93+done", "✓ done"),
        ("description=first&description=second", "first"),
        ("other=1&description=&description=second", ""),
        ("description=100%", "100%"),
        ("description=100%25", "100%"),
        ("description=%2525", "%25"),
        ("unrelated=1", ""),
        ("", ""),
    ];
    for (q, expected) in cases {
        let r = app.handle(post(q, Some(&bearer(ADMIN)))).await;
        assert_eq!(r.status(), 200, "{q}");
        let v = body_json(&r);
        assert_eq!(v["Response"]["token"]["Description"], expected, "{q}");
        let t = v["Response"]["token"]["Token"].as_str().unwrap();
        assert_eq!(
            app.store().get(&TokenHash::of(t)).unwrap().description,
            expected
        );
    }
}

#[tokio::test]
async fn path_and_stage_rules() {
    let app = app();
    let ok = [
        ("/api/v1/admin/apikey", "$default"),
        ("/Prod/api/v1/admin/apikey", "Prod"),
        ("/api/api/v1/admin/apikey", "api"),
    ];
    for (path, stage) in ok {
        let r = app
            .handle(v2("POST", path, stage, "", Some(&bearer(ADMIN))))
            .await;
        assert_eq!(r.status(), 200, "{path} under {stage}");
    }
    let not_found = [
        // Under a named stage, an HTTP API rawPath carries the stage first.
        ("/api/v1/admin/apikey", "Prod"),
        ("/api/v1/admin/apikey", "api"),
        ("/Prod/Prod/api/v1/admin/apikey", "Prod"),
        ("/Prod/api/v1/admin/apikey", "$default"),
        ("/Dev/api/v1/admin/apikey", "Prod"),
        ("/api/v1/admin/apikey/", "$default"),
        ("/api/v1/admin/apikeys", "$default"),
        ("/API/v1/admin/apikey", "$default"),
        ("/", "$default"),
        ("/api/v1/admin", "$default"),
    ];
    for (path, stage) in not_found {
        let r = app
            .handle(v2("POST", path, stage, "", Some(&bearer(ADMIN))))
            .await;
        assert_eq!(r.status(), 404, "{path} under {stage}");
        // 404 comes before 405.
        let r = app.handle(v2("GET", path, stage, "", None)).await;
        assert_eq!(r.status(), 404, "{path} under {stage}");
    }
}

#[tokio::test]
async fn other_methods_get_405_with_the_paths_allow_before_authentication() {
    let app = app();
    for m in ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
        let r = app.handle(v2(m, ENDPOINT_PATH, "$default", "", None)).await;
        assert_eq!(r.status(), 405, "{m}");
        assert_eq!(r.headers()["allow"], "GET, POST");
        assert_eq!(r.headers()["content-type"], "application/json");
    }
    let item_path = format!("{ENDPOINT_PATH}/01KBDEVSTD0000000000000001");
    for m in ["GET", "POST", "PUT", "PATCH", "HEAD", "OPTIONS"] {
        let r = app.handle(v2(m, &item_path, "$default", "", None)).await;
        assert_eq!(r.status(), 405, "{m}");
        assert_eq!(r.headers()["allow"], "DELETE");
        assert!(r.headers().get("www-authenticate").is_none());
    }
}

/// Returns `first` once, then distinct bodies.
struct ScriptedGenerator {
    script: Mutex<Vec<String>>,
    calls: AtomicUsize,
}

impl ScriptedGenerator {
    fn new(script: &[&str]) -> Self {
        Self {
            script: Mutex::new(script.iter().rev().map(|s| (*s).to_owned()).collect()),
            calls: AtomicUsize::new(0),
        }
    }
}

impl TokenGenerator for ScriptedGenerator {
    fn new_body(&self) -> Result<String, GenerateError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.script.lock().unwrap().pop().ok_or(GenerateError)
    }
}

#[tokio::test]
async fn a_collision_draws_a_new_token_and_overwrites_nothing() {
    let taken = "takentakentakentakentaken";
    let store = seeded_store();
    let existing = item("Administrator", false, 99);
    store.insert(&TokenHash::of(&format!("{taken}-us-1")), existing.clone());
    let app = App::new(store, "us-1")
        .with_clock(pinned_clock)
        .with_generator(ScriptedGenerator::new(&[
            taken,
            "freshfreshfreshfreshfresh",
        ]));
    let r = app
        .handle(post("description=d", Some(&bearer(ADMIN))))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        body_json(&r)["Response"]["token"]["Token"],
        "freshfreshfreshfreshfresh-us-1"
    );
    assert_eq!(
        app.store().get(&TokenHash::of(&format!("{taken}-us-1"))),
        Some(existing)
    );
}

#[tokio::test]
async fn three_collisions_give_500_and_overwrite_nothing() {
    let taken = "takentakentakentakentaken";
    let store = seeded_store();
    store.insert(
        &TokenHash::of(&format!("{taken}-us-1")),
        item("Standard", false, 99),
    );
    let before = store.items();
    let generator = ScriptedGenerator::new(&[taken, taken, taken, "neverreachedneverreached1"]);
    let app = App::new(store, "us-1").with_generator(generator);
    let r = app.handle(post("", Some(&bearer(ADMIN)))).await;
    assert_eq!(r.status(), 500);
    assert_eq!(app.store().items(), before);
    // Exactly MAX_CREATE_ATTEMPTS draws, then it gives up.
    assert_eq!(
        app.generator().calls.load(Ordering::SeqCst),
        MAX_CREATE_ATTEMPTS
    );
}

#[tokio::test]
async fn store_failures_map_to_503_and_500_without_internals() {
    let app = app();
    app.store().fail_with(Some(StoreError::Unavailable(
        "dispatch failure (io) 10.0.0.1".into(),
    )));
    let r = app.handle(post("", Some(&bearer(ADMIN)))).await;
    assert_eq!(r.status(), 503);
    assert!(!body_text(&r).contains("10.0.0.1"));
    app.store().fail_with(Some(StoreError::Internal(
        "service error ResourceNotFoundException".into(),
    )));
    let r = app.handle(post("", Some(&bearer(ADMIN)))).await;
    assert_eq!(r.status(), 500);
    assert!(!body_text(&r).contains("ResourceNotFound"));
    // Store errors never hide a 401 decided before the store (bad shape).
    let r = app.handle(post("", Some("Bearer nope"))).await;
    assert_eq!(r.status(), 401);
}

/// A store whose calls never complete.
struct HangingStore;

impl TokenStore for HangingStore {
    async fn get_caller(&self, _: &TokenHash) -> Result<Option<CallerRecord>, StoreError> {
        std::future::pending().await
    }
    async fn put_new(&self, _: &NewTokenItem) -> Result<PutOutcome, StoreError> {
        std::future::pending().await
    }
    async fn list_tokens(&self, _: &ListQuery) -> Result<TokenPage, StoreError> {
        std::future::pending().await
    }
    async fn revoke(&self, _: &Revocation) -> Result<Option<TokenSummary>, StoreError> {
        std::future::pending().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_store_gets_503_at_the_deadline() {
    let app = App::new(HangingStore, "us-1");
    let started = Instant::now();
    let r = app.handle(post("", Some(&bearer(ADMIN)))).await;
    assert_eq!(r.status(), 503);
    assert_eq!(started.elapsed(), STORE_DEADLINE);
    // docs/api.md rule 7: within 5 s of the request, with room for a cold start's 0.5 s
    // warm-up and the response itself.
    assert!(STORE_DEADLINE + Duration::from_millis(500) < Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn the_invocation_deadline_bounds_the_store_budget() {
    let app = App::new(HangingStore, "us-1");
    let now_ms = u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    for (timeout_ms, budget) in [
        // A 1 s function timeout: the 503 leaves RESPONSE_MARGIN before it.
        (1_000, Duration::from_millis(1_000) - RESPONSE_MARGIN),
        // A long timeout: STORE_DEADLINE, as without a context.
        (60_000, STORE_DEADLINE),
        // Already past: at once.
        (0, Duration::ZERO),
    ] {
        let mut context = lambda_runtime::Context::default();
        context.request_id = "deadline".to_owned();
        context.deadline = now_ms + timeout_ms;
        let request = post("", Some(&bearer(ADMIN))).with_lambda_context(context);
        let started = Instant::now();
        let r = app.handle(request).await;
        assert_eq!(r.status(), 503, "{timeout_ms}");
        let elapsed = started.elapsed();
        assert!(
            elapsed <= budget && elapsed + Duration::from_millis(50) >= budget,
            "timeout {timeout_ms} ms: answered after {elapsed:?}, budget {budget:?}"
        );
    }
}

const ADMIN_ID: &str = "01KBDEVADM0000000000000001";

/// A store holding `ADMIN` (with a TokenId), tenant 7, and `OTHER_ADMIN` of tenant 8.
const OTHER_ADMIN: &str = "otheradminotheradminother-us-1";
const OTHER_ADMIN_ID: &str = "01KBDEVTN20000000000000009";

fn lifecycle_app() -> App<MemoryStore> {
    let store = seeded_store();
    let mut admin = item("Administrator", false, TENANT);
    admin.token_id = TokenId::parse(ADMIN_ID);
    store.insert(&TokenHash::of(ADMIN), admin);
    let mut other = item("Administrator", false, TENANT + 1);
    other.token_id = TokenId::parse(OTHER_ADMIN_ID);
    store.insert(&TokenHash::of(OTHER_ADMIN), other);
    App::new(store, "us-1").with_clock(pinned_clock)
}

fn list(query: &str, auth: &str) -> Request {
    v2("GET", ENDPOINT_PATH, "$default", query, Some(&bearer(auth)))
}

fn delete(token_id: &str, auth: &str) -> Request {
    v2(
        "DELETE",
        &format!("{ENDPOINT_PATH}/{token_id}"),
        "$default",
        "",
        Some(&bearer(auth)),
    )
}

/// Creates `n` tokens as `admin`, returning (token, TokenId) oldest first.
async fn create_n(app: &App<MemoryStore>, admin: &str, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in 0..n {
        let r = app
            .handle(post(&format!("description=n{i}"), Some(&bearer(admin))))
            .await;
        assert_eq!(r.status(), 200);
        let id = r.headers()["api-token-id"].to_str().unwrap().to_owned();
        let token = body_json(&r)["Response"]["token"]["Token"]
            .as_str()
            .unwrap()
            .to_owned();
        out.push((token, id));
    }
    out
}

#[tokio::test]
async fn create_answers_the_new_token_id_in_a_header_and_stores_it() {
    let app = lifecycle_app();
    let created = create_n(&app, ADMIN, 1).await;
    let (token, id) = &created[0];
    let id = TokenId::parse(id).expect("Api-Token-Id is a ULID");
    // The ULID's time is the creation time (the pinned clock).
    assert_eq!(
        id.timestamp_ms(),
        dates::unix_ms(pinned_clock()),
        "TokenId encodes DateCreated"
    );
    let stored = app.store().get(&TokenHash::of(token)).unwrap();
    assert_eq!(stored.token_id, Some(id));
    assert_eq!(stored.created_by_id, TokenId::parse(ADMIN_ID));
    let r = app.handle(list("", ADMIN)).await;
    let first = &body_json(&r)["Response"]["tokens"][0];
    assert_eq!(first["TokenId"], id.to_string());
    assert_eq!(first["CreatedBy"], ADMIN_ID);
    assert_eq!(first["Role"], "Standard");
    assert_eq!(first["Revoked"], false);
    assert_eq!(first["DateRevoked"], serde_json::Value::Null);
}

#[tokio::test]
async fn list_pages_return_every_token_once_newest_first() {
    let app = lifecycle_app();
    let created = create_n(&app, ADMIN, 7).await;
    let mut all_ids: Vec<String> = created.iter().map(|(_, id)| id.clone()).collect();
    all_ids.push(ADMIN_ID.to_owned());
    all_ids.sort();
    all_ids.reverse();
    let mut seen = Vec::new();
    let mut before = String::new();
    let mut pages = 0;
    loop {
        let r = app
            .handle(list(&format!("limit=3&before={before}"), ADMIN))
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let v = body_json(&r);
        let tokens = v["Response"]["tokens"].as_array().unwrap();
        assert!(tokens.len() <= 3);
        seen.extend(
            tokens
                .iter()
                .map(|t| t["TokenId"].as_str().unwrap().to_owned()),
        );
        pages += 1;
        match v["Response"]["next"].as_str() {
            Some(next) => {
                assert_eq!(next, tokens.last().unwrap()["TokenId"]);
                before = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(seen, all_ids, "each token once, newest first");
    assert_eq!(pages, 3);
    // Without limit: the default page of 50 holds them all, and `next` is null.
    let v = body_json(&app.handle(list("", ADMIN)).await);
    assert_eq!(v["Response"]["tokens"].as_array().unwrap().len(), 8);
    assert_eq!(v["Response"]["next"], serde_json::Value::Null);
}

#[tokio::test]
async fn list_and_revoke_bodies_hold_no_token_and_no_digest() {
    let app = lifecycle_app();
    let created = create_n(&app, ADMIN, 2).await;
    let listed = body_text(&app.handle(list("", ADMIN)).await).to_owned();
    let revoked = body_text(&app.handle(delete(&created[0].1, ADMIN)).await).to_owned();
    for body in [listed, revoked] {
        for (token, _) in &created {
            assert!(!body.contains(token.as_str()));
            assert!(!body.contains(TokenHash::of(token).as_str()));
        }
        assert!(!body.contains(TokenHash::of(ADMIN).as_str()));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let items: Vec<&serde_json::Value> = match &v["Response"]["tokens"] {
            serde_json::Value::Array(a) => a.iter().collect(),
            _ => vec![&v["Response"]["token"]],
        };
        for item in items {
            // Exactly these fields (their order is checked byte for byte in `envelope`).
            let mut keys: Vec<&str> = item
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.as_str())
                .collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                [
                    "CreatedBy",
                    "DateCreated",
                    "DateRevoked",
                    "Description",
                    "Revoked",
                    "Role",
                    "TenantId",
                    "TokenId"
                ]
            );
        }
    }
}

#[tokio::test]
async fn invalid_list_parameters_get_400_after_authentication() {
    let app = lifecycle_app();
    for q in [
        "limit=0",
        "limit=101",
        "limit=x",
        "limit=-1",
        "before=nope",
        "before=01KBDEVADM000000000000000I",
    ] {
        let r = app.handle(list(q, ADMIN)).await;
        assert_eq!(r.status(), 400, "{q}");
        // 401 and 403 come first.
        let r = app
            .handle(v2("GET", ENDPOINT_PATH, "$default", q, None))
            .await;
        assert_eq!(r.status(), 401, "{q}");
        let r = app.handle(list(q, STANDARD_TOKEN)).await;
        assert_eq!(r.status(), 403, "{q}");
    }
    // Repeated: the first value wins; other parameters are ignored.
    let r = app.handle(list("limit=1&limit=x&color=red", ADMIN)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        body_json(&r)["Response"]["tokens"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn tenants_never_see_or_touch_each_others_tokens() {
    let app = lifecycle_app();
    let mine = create_n(&app, ADMIN, 2).await;
    let theirs = create_n(&app, OTHER_ADMIN, 2).await;
    for (admin, own, foreign, tenant) in [
        (ADMIN, &mine, &theirs, TENANT),
        (OTHER_ADMIN, &theirs, &mine, TENANT + 1),
    ] {
        let v = body_json(&app.handle(list("", admin)).await);
        for t in v["Response"]["tokens"].as_array().unwrap() {
            assert_eq!(t["TenantId"], tenant);
            assert!(foreign.iter().all(|(_, id)| t["TokenId"] != id.as_str()));
        }
        assert!(own.iter().all(|(_, id)| v["Response"]["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["TokenId"] == id.as_str())));
        let before = app.store().items();
        let foreign_404 = app.handle(delete(&foreign[0].1, admin)).await;
        let nowhere_404 = app
            .handle(delete(
                "01KBDEVN0WHERE0000000000000".get(..26).unwrap(),
                admin,
            ))
            .await;
        assert_eq!(foreign_404.status(), 404);
        assert_eq!(nowhere_404.status(), 404);
        assert_eq!(
            format!("{:?}{:?}", foreign_404.headers(), foreign_404.body()),
            format!("{:?}{:?}", nowhere_404.headers(), nowhere_404.body()),
            "no cross-tenant oracle"
        );
        assert_eq!(app.store().items(), before, "nothing changed");
        // The foreign token still works.
        let r = app.handle(list("", &foreign[0].0)).await;
        assert_eq!(r.status(), 403, "a Standard token, not revoked");
    }
}

#[tokio::test]
async fn revocation_is_idempotent_and_takes_effect_on_the_next_request() {
    let app = lifecycle_app();
    let created = create_n(&app, ADMIN, 1).await;
    let (token, id) = &created[0];
    let r = app.handle(delete(&id.to_lowercase(), ADMIN)).await;
    assert_eq!(r.status(), 200);
    let v = body_json(&r);
    assert_eq!(v["Response"]["token"]["TokenId"], id.as_str());
    assert_eq!(v["Response"]["token"]["Revoked"], true);
    assert_eq!(v["Response"]["token"]["DateRevoked"], "2026-04-18T12:00:00");
    let stored = app.store().get(&TokenHash::of(token)).unwrap();
    assert!(stored.revoked);
    assert_eq!(stored.revoked_by_id, TokenId::parse(ADMIN_ID));
    // Again, later: 200 with the first DateRevoked.
    let later = App::new(MemoryStoreView(app.store()), "us-1")
        .with_clock(|| time::macros::datetime!(2026-05-01 00:00:00 UTC));
    let r = later.handle(delete(id, ADMIN)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        body_json(&r)["Response"]["token"]["DateRevoked"],
        "2026-04-18T12:00:00"
    );
    // The revoked token is refused everywhere at once.
    for request in [
        post("", Some(&bearer(token))),
        list("", token),
        delete(id, token),
    ] {
        let r = app.handle(request).await;
        assert_eq!(r.status(), 401);
        assert_eq!(body_json(&r)["Message"], UNAUTHORIZED_MESSAGE);
    }
}

#[tokio::test]
async fn a_revoked_administrator_can_no_longer_create_list_or_revoke() {
    let app = lifecycle_app();
    let created = create_n(&app, ADMIN, 1).await;
    // The administrator revokes itself.
    let r = app.handle(delete(ADMIN_ID, ADMIN)).await;
    assert_eq!(r.status(), 200);
    let before = app.store().items();
    for request in [
        post("", Some(&bearer(ADMIN))),
        list("", ADMIN),
        delete(&created[0].1, ADMIN),
    ] {
        assert_eq!(app.handle(request).await.status(), 401);
    }
    assert_eq!(app.store().items(), before);
}

#[tokio::test]
async fn malformed_token_ids_are_404_before_authentication() {
    let app = lifecycle_app();
    for id in [
        "x",
        "01KBDEVADM000000000000000",
        "01KBDEVADM0000000000000001/",
        "81KBDEVADM0000000000000001",
    ] {
        let path = format!("{ENDPOINT_PATH}/{id}");
        let r = app.handle(v2("DELETE", &path, "$default", "", None)).await;
        assert_eq!(r.status(), 404, "{id}");
    }
}

/// Borrows a [`MemoryStore`] so that a second `App` (another clock) shares its items.
struct MemoryStoreView<'a>(&'a MemoryStore);

impl TokenStore for MemoryStoreView<'_> {
    async fn get_caller(&self, h: &TokenHash) -> Result<Option<CallerRecord>, StoreError> {
        self.0.get_caller(h).await
    }
    async fn put_new(&self, i: &NewTokenItem) -> Result<PutOutcome, StoreError> {
        self.0.put_new(i).await
    }
    async fn list_tokens(&self, q: &ListQuery) -> Result<TokenPage, StoreError> {
        self.0.list_tokens(q).await
    }
    async fn revoke(&self, r: &Revocation) -> Result<Option<TokenSummary>, StoreError> {
        self.0.revoke(r).await
    }
}
