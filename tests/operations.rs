//! Get, self and rotate through [`App::handle`] over the in-memory store (docs/api.md,
//! "One token", "The caller's own token", "Rotation"): the paths' own `Allow`, the 404/403
//! rules, the item views, and every rule of a rotation (atomic, grace, lifetimes, 409s,
//! one's own token, the new token's role and description). No body holds a token of
//! another operation or a digest.

use create_api_token::endpoint::{COLLECTION_PATH, SELF_PATH};
use create_api_token::error::TOKEN_NOT_FOUND_MESSAGE;
use create_api_token::store::memory::{MemoryItem, MemoryStore};
use create_api_token::store::TokenStore;
use create_api_token::token::{GenerateError, TokenGenerator, TokenHash};
use create_api_token::token_id::TokenId;
use create_api_token::App;
use lambda_http::{Body, Request, Response};
use time::OffsetDateTime;

const ADMIN: &str = "opsadminopsadminopsadmin1-us-1";
const ADMIN_ID: &str = "01KBDEVADM0000000000000071";
const STANDARD: &str = "opsstandardopsstandardop1-us-1";
const STANDARD_ID: &str = "01KBDEVSTD0000000000000071";
const LEGACY: &str = "opslegacyopslegacyopslega-us-1";
const OTHER_ADMIN: &str = "opsotheradminopsotheradm1-us-1";
const OTHER_ID: &str = "01KBDEVXTH0000000000000072";
const UNKNOWN_ID: &str = "01KBDEVNNK0000000000000079";
const TENANT: i64 = 71;
const OTHER_TENANT: i64 = 72;

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-12-07 10:00:00 UTC)
}

fn item(role: &str, tenant_id: i64, token_id: Option<&str>) -> MemoryItem {
    MemoryItem {
        token_id: token_id.and_then(TokenId::parse),
        tenant_id,
        role: Some(role.to_owned()),
        description: format!("{role} of {tenant_id}"),
        date_created: "2026-12-01T10:00:00".to_owned(),
        ..MemoryItem::default()
    }
}

fn app() -> App<MemoryStore> {
    let store = MemoryStore::new();
    store.insert(
        &TokenHash::of(ADMIN),
        item("Administrator", TENANT, Some(ADMIN_ID)),
    );
    store.insert(
        &TokenHash::of(STANDARD),
        item("Standard", TENANT, Some(STANDARD_ID)),
    );
    store.insert(&TokenHash::of(LEGACY), item("Standard", TENANT, None));
    store.insert(
        &TokenHash::of(OTHER_ADMIN),
        item("Administrator", OTHER_TENANT, Some(OTHER_ID)),
    );
    App::new(store, "us-1").with_clock(now)
}

fn request(method: &str, path: &str, query: &str, token: Option<&str>) -> Request {
    let event = testkit::events::http_api(method, path).query(query);
    match token {
        Some(t) => event.bearer(t),
        None => event,
    }
    .request()
}

fn get(id: &str, token: &str) -> Request {
    request("GET", &format!("{COLLECTION_PATH}/{id}"), "", Some(token))
}

fn rotate(id: &str, query: &str, token: &str) -> Request {
    request(
        "POST",
        &format!("{COLLECTION_PATH}/{id}/rotate"),
        query,
        Some(token),
    )
}

fn self_view(token: &str) -> Request {
    request("GET", SELF_PATH, "", Some(token))
}

fn text(r: &Response<Body>) -> &str {
    match r.body() {
        Body::Text(t) => t,
        other => panic!("unexpected body {other:?}"),
    }
}

fn json(r: &Response<Body>) -> serde_json::Value {
    serde_json::from_str(text(r)).unwrap()
}

fn header<'a>(r: &'a Response<Body>, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

/// Every token and digest the store holds: none may appear in a body.
fn secrets(app: &App<MemoryStore>) -> Vec<String> {
    let mut out: Vec<String> = items(app).keys().cloned().collect();
    out.extend([ADMIN, STANDARD, LEGACY, OTHER_ADMIN].map(str::to_owned));
    out
}

/// The stored items, less `DateLastUsed` (each authenticated request may record a use:
/// docs/api.md, "Last use"): what an operation itself wrote.
fn items<G: TokenGenerator>(
    app: &App<MemoryStore, G>,
) -> std::collections::HashMap<String, MemoryItem> {
    let mut items = app.store().items();
    for item in items.values_mut() {
        item.date_last_used = None;
    }
    items
}

fn assert_no_secret(app: &App<MemoryStore>, body: &str) {
    for secret in secrets(app) {
        assert!(!body.contains(&secret), "{body}");
    }
}

#[tokio::test]
async fn the_new_paths_have_their_own_allow_and_invalid_ids_are_404() {
    let app = app();
    let token = format!("{COLLECTION_PATH}/{STANDARD_ID}");
    for (method, path, allow) in [
        ("POST", token.clone(), "GET, DELETE"),
        ("PUT", token.clone(), "GET, DELETE"),
        ("GET", format!("{token}/rotate"), "POST"),
        ("DELETE", format!("{token}/rotate"), "POST"),
        ("POST", SELF_PATH.to_owned(), "GET"),
        ("DELETE", SELF_PATH.to_owned(), "GET"),
    ] {
        // Before authentication: no token at all.
        let r = app.handle(request(method, &path, "", None)).await;
        assert_eq!(r.status(), 405, "{method} {path}");
        assert_eq!(header(&r, "allow"), Some(allow), "{method} {path}");
    }
    for path in [
        format!("{COLLECTION_PATH}/x/rotate"),
        format!("{COLLECTION_PATH}/{}/rotate", &STANDARD_ID[..25]),
        format!("{COLLECTION_PATH}/{STANDARD_ID}/rotate/"),
        format!("{SELF_PATH}/"),
        "/api/v1/admin/apikey/self".to_owned(),
    ] {
        for method in ["GET", "POST"] {
            let r = app.handle(request(method, &path, "", Some(ADMIN))).await;
            assert_eq!(r.status(), 404, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn get_shows_one_token_of_the_tenant_and_the_revokes_404_otherwise() {
    let app = app();
    let r = app.handle(get(&STANDARD_ID.to_lowercase(), ADMIN)).await;
    assert_eq!(r.status(), 200, "{}", text(&r));
    assert_eq!(
        text(&r),
        format!(
            r#"{{"Status":true,"Message":"","Response":{{"token":{{"TokenId":"{STANDARD_ID}","DateCreated":"2026-12-01T10:00:00","Description":"Standard of {TENANT}","TenantId":{TENANT},"Role":"Standard","Revoked":false,"DateRevoked":null,"CreatedBy":null,"DateExpires":null,"DateLastUsed":null}}}}}}"#
        )
    );
    assert_no_secret(&app, text(&r));
    // Another tenant's id and nobody's id: one body.
    let other = app.handle(get(OTHER_ID, ADMIN)).await;
    let unknown = app.handle(get(UNKNOWN_ID, ADMIN)).await;
    assert_eq!(other.status(), 404);
    assert_eq!(text(&other), text(&unknown));
    assert_eq!(json(&other)["Message"], TOKEN_NOT_FOUND_MESSAGE);
    // A Standard token may not read tokens: 403; no token: 401.
    assert_eq!(app.handle(get(STANDARD_ID, STANDARD)).await.status(), 403);
    let r = app
        .handle(request(
            "GET",
            &format!("{COLLECTION_PATH}/{STANDARD_ID}"),
            "",
            None,
        ))
        .await;
    assert_eq!(r.status(), 401);
    // It reflects a revocation at once.
    let r = app
        .handle(request(
            "DELETE",
            &format!("{COLLECTION_PATH}/{STANDARD_ID}"),
            "",
            Some(ADMIN),
        ))
        .await;
    assert_eq!(r.status(), 200);
    let r = app.handle(get(STANDARD_ID, ADMIN)).await;
    assert_eq!(json(&r)["Response"]["token"]["Revoked"], true);
}

#[tokio::test]
async fn self_shows_the_callers_own_item_for_any_role() {
    let app = app();
    for (token, id, role) in [
        (ADMIN, Some(ADMIN_ID), "Administrator"),
        (STANDARD, Some(STANDARD_ID), "Standard"),
        (LEGACY, None, "Standard"),
    ] {
        let r = app.handle(self_view(token)).await;
        assert_eq!(r.status(), 200, "{role}: {}", text(&r));
        let t = &json(&r)["Response"]["token"];
        assert_eq!(t["TokenId"], id.map_or(serde_json::Value::Null, Into::into));
        assert_eq!(t["Role"], role);
        assert_eq!(t["TenantId"], TENANT);
        assert_eq!(t["Description"], format!("{role} of {TENANT}"));
        let keys: Vec<&String> = t.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "TokenId",
                "DateCreated",
                "Description",
                "TenantId",
                "Role",
                "Revoked",
                "DateRevoked",
                "CreatedBy",
                "DateExpires",
                "DateLastUsed"
            ]
        );
        assert_no_secret(&app, text(&r));
    }
    // The other tenant's token sees its own tenant.
    let r = app.handle(self_view(OTHER_ADMIN)).await;
    assert_eq!(json(&r)["Response"]["token"]["TenantId"], OTHER_TENANT);
    // 401 as everywhere.
    let r = app.handle(request("GET", SELF_PATH, "", None)).await;
    assert_eq!(r.status(), 401);
    let r = app
        .handle(self_view("unknownunknownunknownunkn-us-1"))
        .await;
    assert_eq!(r.status(), 401);
}

/// Returns the `(new token, new TokenId)` of a 200 rotation, checking its body and headers.
fn rotated(app: &App<MemoryStore>, r: &Response<Body>) -> (String, String) {
    assert_eq!(r.status(), 200, "{}", text(r));
    let v = json(r);
    let t = &v["Response"]["token"];
    let keys: Vec<&String> = t.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["DateCreated", "Token", "Description", "TenantId"]);
    let token = t["Token"].as_str().unwrap().to_owned();
    let id = header(r, "api-token-id").unwrap().to_owned();
    for secret in secrets(app).into_iter().filter(|s| *s != token) {
        assert!(!text(r).contains(&secret));
    }
    (token, id)
}

#[tokio::test]
async fn rotating_gives_a_new_token_with_the_old_ones_role_and_description() {
    let app = app();
    let r = app.handle(rotate(STANDARD_ID, "", ADMIN)).await;
    let (token, id) = rotated(&app, &r);
    assert_eq!(
        text(&r),
        format!(
            r#"{{"Status":true,"Message":"","Response":{{"token":{{"DateCreated":"2026-12-07T10:00:00","Token":"{token}","Description":"Standard of {TENANT}","TenantId":{TENANT}}}}}}}"#
        )
    );
    assert_eq!(header(&r, "api-token-expires"), None, "never expires");
    let new = app.store().get(&TokenHash::of(&token)).unwrap();
    assert_eq!(new.token_id, TokenId::parse(&id));
    assert_eq!(new.role.as_deref(), Some("Standard"));
    assert_eq!(new.tenant_id, TENANT);
    assert_eq!(new.created_by_id, TokenId::parse(ADMIN_ID));
    assert_eq!(
        new.created_by.as_deref(),
        Some(TokenHash::of(ADMIN).as_str())
    );
    assert_eq!(new.rotated_from_id, TokenId::parse(STANDARD_ID));
    // grace=0: the old one is revoked now, by the caller, and points to its successor.
    let old = app.store().get(&TokenHash::of(STANDARD)).unwrap();
    assert!(old.revoked);
    assert_eq!(old.date_revoked.as_deref(), Some("2026-12-07T10:00:00"));
    assert_eq!(old.revoked_by_id, TokenId::parse(ADMIN_ID));
    assert_eq!(old.rotated_to_id, TokenId::parse(&id));
    assert_eq!(app.handle(self_view(STANDARD)).await.status(), 401);
    assert_eq!(app.handle(self_view(&token)).await.status(), 200);
    // An Administrator's replacement is an Administrator.
    let other = app.handle(rotate(OTHER_ID, "", OTHER_ADMIN)).await;
    let (other_token, _) = rotated(&app, &other);
    let r = app.handle(self_view(&other_token)).await;
    assert_eq!(json(&r)["Response"]["token"]["Role"], "Administrator");
}

#[tokio::test]
async fn rotating_ones_own_token_with_no_grace_hands_over_to_the_replacement() {
    let app = app();
    let r = app.handle(rotate(ADMIN_ID, "grace=0", ADMIN)).await;
    let (token, _) = rotated(&app, &r);
    // The old token is refused on its very next request; the answer's token works.
    let r = app.handle(get(STANDARD_ID, ADMIN)).await;
    assert_eq!(r.status(), 401);
    let r = app.handle(get(STANDARD_ID, &token)).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_grace_keeps_the_old_token_working_but_never_longer_than_it_would_have() {
    let app = app();
    let r = app.handle(rotate(STANDARD_ID, "grace=3600", ADMIN)).await;
    let (_, id) = rotated(&app, &r);
    let old = app.store().get(&TokenHash::of(STANDARD)).unwrap();
    assert!(!old.revoked);
    assert_eq!(old.date_expires.as_deref(), Some("2026-12-07T11:00:00"));
    assert_eq!(old.rotated_to_id, TokenId::parse(&id));
    // Still usable during the overlap.
    assert_eq!(app.handle(self_view(STANDARD)).await.status(), 200);
    // An old token ending in ten minutes keeps its end.
    let mut soon = app.store().get(&TokenHash::of(OTHER_ADMIN)).unwrap();
    soon.date_expires = Some("2026-12-07T10:10:00".to_owned());
    app.store().insert(&TokenHash::of(OTHER_ADMIN), soon);
    let r = app
        .handle(rotate(OTHER_ID, "grace=604800", OTHER_ADMIN))
        .await;
    let (_, _) = rotated(&app, &r);
    let old = app.store().get(&TokenHash::of(OTHER_ADMIN)).unwrap();
    assert_eq!(old.date_expires.as_deref(), Some("2026-12-07T10:10:00"));
}

#[tokio::test]
async fn the_new_tokens_lifetime_follows_expires_in_else_the_old_length() {
    let app = app();
    let r = app
        .handle(rotate(STANDARD_ID, "expires_in=86400", ADMIN))
        .await;
    let (token, _) = rotated(&app, &r);
    assert_eq!(header(&r, "api-token-expires"), Some("2026-12-08T10:00:00"));
    let new = app.store().get(&TokenHash::of(&token)).unwrap();
    assert_eq!(new.date_expires.as_deref(), Some("2026-12-08T10:00:00"));
    // Rotating that one (created now, 1 day long) again with no expires_in: 1 day again.
    let new_id = new.token_id.unwrap().to_string();
    let r = app.handle(rotate(&new_id, "grace=60", ADMIN)).await;
    rotated(&app, &r);
    assert_eq!(header(&r, "api-token-expires"), Some("2026-12-08T10:00:00"));
}

#[tokio::test]
async fn invalid_parameters_are_400_after_403_and_write_nothing() {
    let app = app();
    let before = items(&app);
    for query in [
        "grace=",
        "grace=-1",
        "grace=604801",
        "grace=1e3",
        "expires_in=",
        "expires_in=59",
        "expires_in=31622401",
        "expires_in=%2B60",
    ] {
        let r = app.handle(rotate(STANDARD_ID, query, ADMIN)).await;
        assert_eq!(r.status(), 400, "{query}: {}", text(&r));
        let message = json(&r)["Message"].as_str().unwrap().to_owned();
        let name = query.split('=').next().unwrap();
        assert!(message.contains(name), "{message}");
        let r = app.handle(rotate(STANDARD_ID, query, STANDARD)).await;
        assert_eq!(r.status(), 403, "{query}");
    }
    // The first of repeated values wins.
    let r = app
        .handle(rotate(STANDARD_ID, "grace=60&grace=x", ADMIN))
        .await;
    assert_eq!(r.status(), 200);
    let mut after = items(&app);
    after.retain(|k, _| before.contains_key(k));
    assert_eq!(after.len(), before.len());
}

#[tokio::test]
async fn a_token_that_cannot_be_rotated_is_a_409_that_says_why_and_nothing_is_written() {
    let app = app();
    // Not the tenant's, or nobody's: the revoke's 404.
    let other = app.handle(rotate(OTHER_ID, "", ADMIN)).await;
    let unknown = app.handle(rotate(UNKNOWN_ID, "", ADMIN)).await;
    assert_eq!(other.status(), 404);
    assert_eq!(text(&other), text(&unknown));
    // Already rotated (with a grace, so it is not revoked).
    let r = app.handle(rotate(STANDARD_ID, "grace=60", ADMIN)).await;
    rotated(&app, &r);
    let before = items(&app);
    let again = app.handle(rotate(STANDARD_ID, "", ADMIN)).await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        json(&again)["Message"],
        "This API token was already rotated."
    );
    assert_eq!(items(&app), before, "a refused rotation wrote");
    let cases = [
        (Some(true), None, "This API token is revoked."),
        (
            None,
            Some("2026-12-07T10:00:00"),
            "This API token has expired.",
        ),
        (
            None,
            Some("tomorrow"),
            "This API token's expiry date cannot be read.",
        ),
    ];
    for (revoked, expires, message) in cases {
        let store = MemoryStore::new();
        store.insert(
            &TokenHash::of(ADMIN),
            item("Administrator", TENANT, Some(ADMIN_ID)),
        );
        let mut target = item("Standard", TENANT, Some(STANDARD_ID));
        target.revoked = revoked.unwrap_or(false);
        target.date_expires = expires.map(str::to_owned);
        store.insert(&TokenHash::of(STANDARD), target);
        let app = App::new(store, "us-1").with_clock(now);
        let before = items(&app);
        let r = app.handle(rotate(STANDARD_ID, "grace=60", ADMIN)).await;
        assert_eq!(r.status(), 409, "{message}");
        assert_eq!(json(&r)["Message"], message);
        assert_eq!(items(&app), before, "{message}: a refused rotation wrote");
    }
}

/// Always draws the same body, so that a second rotation collides.
struct Fixed;

impl TokenGenerator for Fixed {
    fn new_body(&self) -> Result<String, GenerateError> {
        Ok("fixedfixedfixedfixedfixed".to_owned())
    }
}

#[tokio::test]
async fn a_collision_draws_again_and_three_write_nothing() {
    let app = app().with_generator(Fixed);
    // The fixed token already exists as someone else's item: every draw collides.
    app.store().insert(
        &TokenHash::of("fixedfixedfixedfixedfixed-us-1"),
        item("Standard", OTHER_TENANT, None),
    );
    let before = items(&app);
    let r = app.handle(rotate(STANDARD_ID, "", ADMIN)).await;
    assert_eq!(r.status(), 500);
    assert_eq!(items(&app), before, "no half-done rotation");
    // The old token still works: atomic.
    assert_eq!(app.handle(self_view(STANDARD)).await.status(), 200);
    let rotation_left = app.store().get(&TokenHash::of(STANDARD)).unwrap();
    assert_eq!(rotation_left.rotated_to_id, None);
    assert!(app
        .store()
        .get_caller(&TokenHash::of(STANDARD))
        .await
        .is_ok());
}
