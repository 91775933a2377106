//! The HTTP adapter: one request in (any front door `lambda_http` parses), one response
//! out, following SPEC.md's evaluation order:
//!
//! 1. path is not [`ENDPOINT_PATH`] (after removing an API Gateway stage prefix): 404;
//! 2. method is not `POST`: 405 with `Allow: POST`;
//! 3. no usable token, unknown token or revoked token: 401 (one body for all);
//! 4. caller's role is not exactly `Administrator`: 403;
//! 5. invalid `description`: 400;
//! 6. create the token: 200 with the envelope;
//! 7. DynamoDB unavailable / throttled / too slow: 503 within [`STORE_DEADLINE`] of the
//!    request; any other unexpected failure: 500.
//!
//! Business errors become responses, never Lambda invocation errors. Each request writes
//! exactly one log line (request id, status, reason class, tenant when known, latency);
//! no token, digest, `Authorization` value or description is ever logged.

use std::time::Duration;

use lambda_http::http::{Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;
use tokio::time::{timeout_at, Instant};

use crate::auth;
use crate::description;
use crate::envelope::{self, IssuedToken};
use crate::error::{json_response, ApiError};
use crate::store::{NewTokenItem, PutOutcome, StoreError, TokenStore, STANDARD};
use crate::token::{OsSeededGenerator, Token, TokenGenerator};

/// The endpoint's path, as the client sent it after any stage prefix.
pub const ENDPOINT_PATH: &str = "/api/v1/admin/apikey";

/// Every store call of a request must finish within this time of the request's start,
/// or the request is answered 503. Below SPEC.md's 5 seconds with margin for a cold start
/// (the process starts in ~12 ms and gives its warm-up call at most 0.5 s) and the
/// response.
pub const STORE_DEADLINE: Duration = Duration::from_millis(4200);

/// Tokens drawn per request before giving up on `TokenHash` collisions (SPEC.md).
pub const MAX_CREATE_ATTEMPTS: usize = 3;

/// `DateCreated` format: `YYYY-MM-DDTHH:MM:SS` (UTC, no zone, no fraction).
pub const DATE_CREATED_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");

/// The endpoint, with its dependencies built once per process.
pub struct App<S, G = OsSeededGenerator> {
    store: S,
    generator: G,
    data_center: String,
    clock: fn() -> OffsetDateTime,
}

/// A token that was created.
struct Created {
    token: Token,
    description: String,
    date_created: String,
    tenant_id: i64,
}

impl<S: TokenStore> App<S, OsSeededGenerator> {
    /// The endpoint over `store`, issuing tokens `<body>-<data_center>` from the OS-seeded
    /// CSPRNG and stamping them with the system clock (UTC).
    pub fn new(store: S, data_center: impl Into<String>) -> Self {
        Self {
            store,
            generator: OsSeededGenerator,
            data_center: data_center.into(),
            clock: OffsetDateTime::now_utc,
        }
    }
}

impl<S: TokenStore, G: TokenGenerator> App<S, G> {
    /// Replaces the token generator (tests inject one to force collisions).
    pub fn with_generator<G2: TokenGenerator>(self, generator: G2) -> App<S, G2> {
        App {
            store: self.store,
            generator,
            data_center: self.data_center,
            clock: self.clock,
        }
    }

    /// Replaces the clock (tests pin `DateCreated`).
    pub fn with_clock(mut self, clock: fn() -> OffsetDateTime) -> Self {
        self.clock = clock;
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Answers one request. Never fails: every error is an HTTP response.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let started = Instant::now();
        let mut tenant_id = None;
        let mut collisions = 0;
        let result = self
            .evaluate(&request, started, &mut tenant_id, &mut collisions)
            .await;
        // Only present on the rare request whose new token collided with a stored one.
        let collisions = (collisions > 0).then_some(collisions);
        let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let request_id = request
            .lambda_context_ref()
            .map(|c| c.request_id.as_str())
            .unwrap_or("-");
        match result {
            Ok(created) => {
                tracing::info!(
                    request_id = ?request_id,
                    status = 200,
                    reason = "created",
                    tenant_id,
                    latency_us,
                    collisions,
                    "create api token"
                );
                json_response(
                    StatusCode::OK,
                    envelope::success_body(IssuedToken {
                        date_created: &created.date_created,
                        token: created.token.expose(),
                        description: &created.description,
                        tenant_id: created.tenant_id,
                    }),
                )
            }
            Err(error) => {
                let status = error.status().as_u16();
                let reason = error.reason();
                match &error {
                    ApiError::Unavailable(cause) | ApiError::Internal(cause) => {
                        tracing::error!(
                            request_id = ?request_id,
                            status,
                            reason,
                            tenant_id,
                            latency_us,
                            collisions,
                            cause = ?cause,
                            "create api token"
                        );
                    }
                    _ => tracing::info!(
                        request_id = ?request_id,
                        status,
                        reason,
                        tenant_id,
                        latency_us,
                        collisions,
                        "create api token"
                    ),
                }
                error.into_response()
            }
        }
    }

    async fn evaluate(
        &self,
        request: &Request,
        started: Instant,
        tenant_id: &mut Option<i64>,
        collisions: &mut u32,
    ) -> Result<Created, ApiError> {
        route(request)?;
        let token = auth::presented_token(request.headers(), &self.data_center)
            .map_err(ApiError::BadCredentials)?;
        let deadline = started + STORE_DEADLINE;

        let caller_hash = token.digest();
        let caller = within(deadline, self.store.get_caller(&caller_hash))
            .await?
            .ok_or(ApiError::UnknownToken)?;
        if caller.revoked {
            return Err(ApiError::RevokedToken);
        }
        *tenant_id = Some(caller.tenant_id);
        if !caller.is_administrator() {
            return Err(ApiError::Forbidden {
                tenant_id: caller.tenant_id,
            });
        }

        let description = description::validate(
            request
                .query_string_parameters_ref()
                .and_then(|q| q.first("description")),
        )
        .map_err(ApiError::InvalidDescription)?;

        let date_created = (self.clock)()
            .format(DATE_CREATED_FORMAT)
            .map_err(|_| ApiError::Internal("clock formatting failed".to_owned()))?;
        for _ in 0..MAX_CREATE_ATTEMPTS {
            let body = self
                .generator
                .new_body()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let new_token = Token::from_body(&body, &self.data_center);
            let item = NewTokenItem {
                token_hash: new_token.digest(),
                tenant_id: caller.tenant_id,
                role: STANDARD.to_owned(),
                description: description.clone(),
                date_created: date_created.clone(),
                created_by: Some(caller_hash.clone()),
            };
            match within(deadline, self.store.put_new(&item)).await? {
                PutOutcome::Created => {
                    return Ok(Created {
                        token: new_token,
                        description,
                        date_created,
                        tenant_id: caller.tenant_id,
                    })
                }
                PutOutcome::AlreadyExists => *collisions += 1,
            }
        }
        Err(ApiError::Internal(format!(
            "{MAX_CREATE_ATTEMPTS} token collisions in a row"
        )))
    }
}

/// Runs a store call under the request's deadline, mapping store errors to API errors.
async fn within<T>(
    deadline: Instant,
    call: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, ApiError> {
    match timeout_at(deadline, call).await {
        Err(_) => Err(ApiError::Unavailable(
            "request deadline exceeded".to_owned(),
        )),
        Ok(Err(StoreError::Unavailable(cause))) => Err(ApiError::Unavailable(cause)),
        Ok(Err(StoreError::Internal(cause))) => Err(ApiError::Internal(cause)),
        Ok(Ok(value)) => Ok(value),
    }
}

/// Rules 1 and 2: the path (as the client sent it, less an API Gateway stage prefix) must
/// be [`ENDPOINT_PATH`], then the method must be `POST`.
///
/// - API Gateway REST (payload 1.0, also HTTP API payload 1.0): `path` is already without
///   the stage (`/api/v1/admin/apikey` for a client's `/Prod/api/v1/admin/apikey`).
/// - HTTP API / Function URL (payload 2.0): under a named stage `S`, `rawPath` starts with
///   it (`/S/api/v1/admin/apikey`) and must; under `$default` it has no stage.
/// - ALB: `path` as sent.
///
/// # Errors
/// [`ApiError::NotFound`] or [`ApiError::MethodNotAllowed`].
pub fn route(request: &Request) -> Result<(), ApiError> {
    let raw_path = match request.raw_http_path() {
        "" => request.uri().path(),
        p => p,
    };
    let named_v2_stage = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c
            .stage
            .as_deref()
            .filter(|s| !s.is_empty() && *s != "$default"),
        _ => None,
    };
    let is_endpoint = match named_v2_stage {
        Some(stage) => {
            raw_path
                .strip_prefix('/')
                .and_then(|p| p.strip_prefix(stage))
                == Some(ENDPOINT_PATH)
        }
        None => raw_path == ENDPOINT_PATH,
    };
    if !is_endpoint {
        return Err(ApiError::NotFound);
    }
    if request.method() != Method::POST {
        return Err(ApiError::MethodNotAllowed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    use super::*;
    use crate::error::UNAUTHORIZED_MESSAGE;
    use crate::store::memory::{MemoryItem, MemoryStore};
    use crate::store::CallerRecord;
    use crate::token::{GenerateError, TokenHash};

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
            created_by: None,
            revoked,
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
        let mut headers = serde_json::json!({"host": "abc.execute-api.us-east-1.amazonaws.com"});
        if let Some(a) = auth {
            headers["authorization"] = a.into();
        }
        let event = serde_json::json!({
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": raw_path,
            "rawQueryString": query,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012", "apiId": "abc", "domainName": "abc.execute-api.us-east-1.amazonaws.com",
                "domainPrefix": "abc", "requestId": "r1", "routeKey": "$default", "stage": stage,
                "time": "18/Apr/2026:12:00:00 +0000", "timeEpoch": 1776513600000u64,
                "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"}
            },
            "isBase64Encoded": false
        });
        lambda_http::request::from_str(&event.to_string()).expect("valid v2 event")
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
    async fn other_methods_get_405_before_authentication() {
        let app = app();
        for m in ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
            let r = app.handle(v2(m, ENDPOINT_PATH, "$default", "", None)).await;
            assert_eq!(r.status(), 405, "{m}");
            assert_eq!(r.headers()["allow"], "POST");
            assert_eq!(r.headers()["content-type"], "application/json");
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
            app.generator.calls.load(Ordering::SeqCst),
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
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_store_gets_503_at_the_deadline() {
        let app = App::new(HangingStore, "us-1");
        let started = Instant::now();
        let r = app.handle(post("", Some(&bearer(ADMIN)))).await;
        assert_eq!(r.status(), 503);
        assert_eq!(started.elapsed(), STORE_DEADLINE);
        // SPEC.md rule 7: within 5 s of the request, with room for a cold start's 0.5 s
        // warm-up and the response itself.
        assert!(STORE_DEADLINE + Duration::from_millis(500) < Duration::from_secs(5));
    }
}
