//! Property tests of the endpoint, in-process: `create_api_token::App` over the in-memory
//! store, requests parsed by `lambda_http` from HTTP API (payload 2.0) events built here.
//!
//! For arbitrary `Authorization` values (control characters included), descriptions,
//! stored roles, revocation flags and tenants:
//! - the status is always the one the evaluation order of docs/api.md gives (401, 403, 400 or 200;
//!   the path and method are right, so never 404/405), and nothing panics;
//! - 200 if and only if the `Authorization` is the seeded token in a valid `Bearer` or
//!   `Basic` form, the token is not revoked, its stored role is exactly `Administrator`
//!   and the description is valid (at most 255 scalar values, no Cc character, no line or
//!   paragraph separator, no bidirectional formatting character);
//! - on 200 the new item's tenant is the caller's (whatever the query says), its role is
//!   `Standard`, `CreatedBy` is the caller's digest, and the description round-trips;
//!   otherwise nothing is written.
//!
//! - every request writes exactly one log line, and no log line holds the caller's token,
//!   its body or digest, the issued token or its body, or the presented `Authorization`.
//!
//! Events go through `create_api_token::event::parse_event`, as in production, so an
//! `Authorization` holding bytes HTTP forbids (CTL other than HTAB) is a 401 too.

use std::sync::{Arc, Mutex};

use base64::Engine;
use create_api_token::store::memory::{MemoryItem, MemoryStore};
use create_api_token::token::{Token, TokenHash};
use create_api_token::App;
use lambda_http::{Body, Response};
use proptest::prelude::*;

/// The caller's token, seeded into the store with the generated role and tenant.
const SEEDED: &str = "propadmintoken00000000001-us-1";
const SEEDED_BODY: &str = "propadmintoken00000000001";

/// An `Authorization` header to present, and whether docs/api.md says it carries `SEEDED`.
#[derive(Debug, Clone)]
struct Presented {
    value: Option<String>,
    carries_seeded: bool,
}

/// `word` with each letter's case chosen at random (schemes are case-insensitive).
fn any_case(word: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
        word.chars()
            .zip(upper)
            .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
            .collect()
    })
}

fn basic(user_pass: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(user_pass)
}

/// The forms docs/api.md accepts for the seeded token.
fn valid_authorization() -> impl Strategy<Value = String> {
    prop_oneof![
        any_case("bearer").prop_map(|scheme| format!("{scheme} {SEEDED}")),
        (any_case("basic"), "[a-zA-Z0-9 @._-]{0,20}")
            .prop_map(|(scheme, user)| format!("{scheme} {}", basic(&format!("{user}:{SEEDED}")))),
    ]
}

/// Anything else: arbitrary text (control characters included), near misses of the
/// seeded token, well-shaped unknown tokens and Basic values that do not carry it.
fn other_authorization() -> impl Strategy<Value = String> {
    let chars = || proptest::collection::vec(any::<char>(), 0..80).prop_map(String::from_iter);
    prop_oneof![
        chars(),
        any::<String>(),
        chars().prop_map(|s| format!("Bearer {s}")),
        chars().prop_map(|s| format!("Basic {s}")),
        "[a-z0-9]{16,64}-us-1".prop_map(|t| format!("Bearer {t}")),
        "[a-z0-9]{16,64}-[a-z]{2}-[0-9]".prop_map(|t| format!("bearer {t}")),
        (0usize..SEEDED.len(), any::<char>()).prop_map(|(i, c)| {
            // One character of the seeded token replaced (or the token cut short).
            let mut t: Vec<char> = SEEDED.chars().collect();
            t[i] = c;
            format!("Bearer {}", String::from_iter(t))
        }),
        prop_oneof![
            Just(format!("Bearer {SEEDED}x")),
            Just(format!("Bearer {}", SEEDED.to_uppercase())),
            Just(format!("Bearer {SEEDED_BODY}-eu-1")),
            Just(format!("Bearer {SEEDED_BODY}")),
            Just(format!("Bearer{SEEDED}")),
            Just(format!("Token {SEEDED}")),
            Just(SEEDED.to_owned()),
            Just(format!("Basic {}", basic(SEEDED))),
            Just(format!("Basic {}", basic(&format!("{SEEDED}:")))),
            Just(format!("Bearer {SEEDED}\u{0}")),
            Just(format!("Bearer {SEEDED}\r\nX-Injected: 1")),
            Just(format!("Bearer \"{SEEDED}\"")),
        ],
        (chars(), chars()).prop_map(|(u, p)| format!("Basic {}", basic(&format!("{u}:{p}")))),
    ]
    .prop_filter("must not carry the seeded token by chance", |s| {
        s.trim_matches([' ', '\t']) != format!("Bearer {SEEDED}")
            && !s.contains(&format!(" {SEEDED}"))
    })
}

fn presented() -> impl Strategy<Value = Presented> {
    prop_oneof![
        3 => valid_authorization().prop_map(|v| Presented { value: Some(v), carries_seeded: true }),
        4 => other_authorization().prop_map(|v| Presented { value: Some(v), carries_seeded: false }),
        1 => Just(Presented { value: None, carries_seeded: false }),
    ]
}

fn stored_role() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        4 => Just(Some("Administrator".to_owned())),
        1 => Just(Some("Standard".to_owned())),
        1 => Just(None),
        1 => prop_oneof![
            Just("administrator"),
            Just("ADMINISTRATOR"),
            Just("Administrator "),
            Just(" Administrator"),
            Just("Administrator\u{0}"),
            Just("Admin"),
            Just(""),
        ]
        .prop_map(|r| Some(r.to_owned())),
        2 => any::<String>().prop_map(Some),
    ]
}

fn description() -> impl Strategy<Value = Option<String>> {
    let chars = |n: std::ops::Range<usize>| {
        proptest::collection::vec(any::<char>(), n).prop_map(String::from_iter)
    };
    prop_oneof![
        1 => Just(None),
        3 => "\\PC{0,40}".prop_map(Some),
        2 => chars(0..40).prop_map(Some),
        2 => "\\PC{250,260}".prop_map(Some),
        1 => chars(250..260).prop_map(Some),
        1 => "[ -~]{0,300}".prop_map(Some),
        1 => ("\\PC{0,20}", proptest::sample::select(SEPARATORS_AND_BIDI.to_vec()), "\\PC{0,20}")
            .prop_map(|(before, c, after)| Some(format!("{before}{c}{after}"))),
    ]
}

/// docs/api.md: line and paragraph separators, bidirectional embeddings, overrides,
/// isolates and marks (written out here, not taken from the crate under test).
const SEPARATORS_AND_BIDI: [char; 14] = [
    '\u{2028}', '\u{2029}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}',
    '\u{2067}', '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

/// docs/api.md: at most 255 Unicode scalar values, none of category Cc and none of
/// [`SEPARATORS_AND_BIDI`].
fn description_is_valid(d: &str) -> bool {
    d.chars().count() <= 255
        && !d
            .chars()
            .any(|c| c.is_control() || SEPARATORS_AND_BIDI.contains(&c))
}

/// An HTTP API (payload 2.0) `POST /api/v1/admin/apikey` event under `$default`.
fn v2_event(authorization: Option<&str>, raw_query: &str) -> String {
    v2_request("POST", "/api/v1/admin/apikey", authorization, raw_query)
}

/// An HTTP API (payload 2.0) event: `method` on `raw_path` under `$default`, with a body
/// naming another tenant (which must never count).
fn v2_request(
    method: &str,
    raw_path: &str,
    authorization: Option<&str>,
    raw_query: &str,
) -> String {
    let event = testkit::events::http_api(method, raw_path)
        .query(raw_query)
        .body("{\"TenantId\": 424242}");
    match authorization {
        Some(a) => event.authorization(a),
        None => event,
    }
    .to_string()
}

fn body_text(response: &Response<Body>) -> &str {
    match response.body() {
        Body::Text(t) => t,
        other => panic!("unexpected body {other:?}"),
    }
}

/// Collects what the tracing subscriber writes during one case.
#[derive(Clone, Default)]
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Case {
    presented: Presented,
    role: Option<String>,
    revoked: bool,
    tenant: i64,
    description: Option<String>,
    query_tenant: i64,
}

/// Runs one case through the App and checks every property.
fn check(rt: &tokio::runtime::Runtime, case: Case) -> Result<(), TestCaseError> {
    let store = MemoryStore::new();
    store.insert(
        &TokenHash::of(SEEDED),
        MemoryItem {
            tenant_id: case.tenant,
            role: case.role.clone(),
            description: "seeded".to_owned(),
            date_created: "2026-01-01T00:00:00".to_owned(),
            revoked: case.revoked,
            ..MemoryItem::default()
        },
    );
    let app = App::new(store, "us-1");
    let before = app.store().items();

    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(d) = &case.description {
        query.append_pair("description", d);
        query.append_pair("description", "second value is ignored");
    }
    query.append_pair("TenantId", &case.query_tenant.to_string());
    let event = v2_event(case.presented.value.as_deref(), &query.finish());

    // The production path: invalid header bytes scrubbed, then lambda_http's parsing.
    let request: lambda_http::Request = match create_api_token::event::parse_event(&event) {
        Ok(r) => r.into(),
        Err(e) => return Err(TestCaseError::fail(format!("event did not parse: {e:?}"))),
    };
    let sink = LogSink::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer({
            let sink = sink.clone();
            move || sink.clone()
        })
        .finish();
    let response =
        tracing::subscriber::with_default(subscriber, || rt.block_on(app.handle(request)));
    let logs = String::from_utf8_lossy(&sink.0.lock().unwrap()).into_owned();
    prop_assert_eq!(
        logs.lines().count(),
        1,
        "one log line per request: {}",
        logs
    );
    let mut secrets = vec![
        SEEDED.to_owned(),
        SEEDED_BODY.to_owned(),
        TokenHash::of(SEEDED).as_str().to_owned(),
    ];
    if let Some(presented) = case.presented.value.as_deref() {
        if presented.chars().count() >= 16 {
            secrets.push(presented.to_owned());
        }
    }
    let status = response.status().as_u16();

    let description = case.description.clone().unwrap_or_default();
    let expected = if !case.presented.carries_seeded || case.revoked {
        401
    } else if case.role.as_deref() != Some("Administrator") {
        403
    } else if !description_is_valid(&description) {
        400
    } else {
        200
    };
    prop_assert!([200, 400, 401, 403].contains(&status), "status {status}");
    prop_assert_eq!(status, expected, "body {}", body_text(&response));
    prop_assert_eq!(&response.headers()["content-type"], "application/json");
    prop_assert_eq!(&response.headers()["cache-control"], "no-store");

    let body: serde_json::Value = serde_json::from_str(body_text(&response)).unwrap();
    let after = app.store().items();
    if status == 200 {
        let token = &body["Response"]["token"];
        let issued = token["Token"].as_str().unwrap();
        secrets.extend([
            issued.to_owned(),
            issued[..25].to_owned(),
            TokenHash::of(issued).as_str().to_owned(),
        ]);
        prop_assert!(Token::parse(issued, "us-1").is_some(), "{}", issued);
        prop_assert_eq!(issued.len(), 30);
        prop_assert_eq!(token["TenantId"].as_i64(), Some(case.tenant));
        prop_assert_eq!(token["Description"].as_str(), Some(description.as_str()));
        prop_assert_eq!(after.len(), before.len() + 1);
        let seeded_hash = TokenHash::of(SEEDED);
        prop_assert_eq!(
            after.get(seeded_hash.as_str()),
            before.get(seeded_hash.as_str())
        );
        let item = after
            .get(TokenHash::of(issued).as_str())
            .expect("the new item is stored under the new token's digest");
        prop_assert_eq!(item.tenant_id, case.tenant);
        prop_assert_eq!(item.role.as_deref(), Some("Standard"));
        prop_assert_eq!(&item.description, &description);
        prop_assert_eq!(item.created_by.as_deref(), Some(seeded_hash.as_str()));
        prop_assert!(!item.revoked);
    } else {
        prop_assert_eq!(&body["Status"], false);
        prop_assert!(body["Response"].is_null());
        prop_assert_eq!(after, before, "a refused request wrote");
        if status == 401 {
            prop_assert_eq!(
                &response.headers()["www-authenticate"],
                r#"Bearer realm="api""#
            );
        }
    }
    for secret in &secrets {
        prop_assert!(
            !logs.contains(secret.as_str()),
            "token material in the log: {}",
            logs
        );
    }
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Cases per property: 256, or `PROPTEST_CASES` (e.g. `make proptest-long` runs 10^6).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary credentials, roles, revocation, tenants and descriptions.
    #[test]
    fn status_follows_the_contract_for_any_input(
        presented in presented(),
        role in stored_role(),
        revoked in proptest::bool::weighted(0.15),
        tenant in any::<i64>(),
        description in description(),
        query_tenant in any::<i64>(),
    ) {
        let rt = runtime();
        check(&rt, Case { presented, role, revoked, tenant, description, query_tenant })?;
    }

    /// An Administrator caller with any description: 200 iff the description is valid,
    /// and then it round-trips exactly, for any tenant.
    #[test]
    fn any_description_round_trips_or_is_refused_with_400(
        presented in valid_authorization(),
        tenant in any::<i64>(),
        description in description(),
        query_tenant in any::<i64>(),
    ) {
        let rt = runtime();
        check(&rt, Case {
            presented: Presented { value: Some(presented), carries_seeded: true },
            role: Some("Administrator".to_owned()),
            revoked: false,
            tenant,
            description,
            query_tenant,
        })?;
    }
}

/// One step of a multi-tenant session: which tenant's Administrator acts, and what it does.
#[derive(Debug, Clone)]
enum Step {
    /// Create a token as the Administrator of tenant `.0`.
    Create(usize),
    /// List as tenant `.0` with `limit`.
    List(usize, u32),
    /// Revoke, as tenant `.0`, the `.1`-th token created so far (of any tenant), or an id
    /// nobody has when there is none.
    Revoke(usize, usize),
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        (0..3usize).prop_map(Step::Create),
        (0..3usize, 1..5u32).prop_map(|(t, l)| Step::List(t, l)),
        (0..3usize, any::<usize>()).prop_map(|(t, i)| Step::Revoke(t, i)),
    ];
    proptest::collection::vec(step, 1..40)
}

/// Runs `steps` for three tenants (random tenant numbers, one Administrator each) and
/// checks after every step that nothing crossed a tenant: lists hold only the caller's
/// tenant's tokens and all of them; a revocation of another tenant's token is the same 404
/// as an unknown id and changes nothing; an item's tenant never changes.
fn check_tenants(tenants: [i64; 3], steps: Vec<Step>) -> Result<(), TestCaseError> {
    use create_api_token::token_id::TokenId;
    let rt = runtime();
    let store = MemoryStore::new();
    let admins: Vec<String> = (0..3)
        .map(|i| format!("propisolationadmin{i:07}-us-1"))
        .collect();
    for (i, admin) in admins.iter().enumerate() {
        store.insert(
            &TokenHash::of(admin),
            MemoryItem {
                token_id: TokenId::parse(&format!("01KBPR0PADM1N00000000000{i:02}")),
                tenant_id: tenants[i],
                role: Some("Administrator".to_owned()),
                ..MemoryItem::default()
            },
        );
    }
    let app = App::new(store, "us-1");
    let call = |method: &str, path: &str, who: usize, query: &str| {
        let event = v2_request(
            method,
            path,
            Some(&format!("Bearer {}", admins[who])),
            query,
        );
        let request: lambda_http::Request = create_api_token::event::parse_event(&event)
            .expect("parses")
            .into();
        // Under a subscriber of its own, like the other properties: a thread without one
        // that meets the log callsite first while another thread installs its scoped
        // subscriber can leave the callsite's cached interest at "never" (tracing's
        // interest cache is process-wide), and the other test's line is then lost.
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(std::io::sink)
            .finish();
        let response =
            tracing::subscriber::with_default(subscriber, || rt.block_on(app.handle(request)));
        let body = body_text(&response).to_owned();
        (response.status().as_u16(), body)
    };
    // Every TokenId created so far, with its tenant index.
    let mut created: Vec<(String, usize)> = Vec::new();
    let mut not_found_body: Option<String> = None;
    for step in steps {
        let before = app.store().items();
        match step {
            Step::Create(who) => {
                let (status, body) = call("POST", "/api/v1/admin/apikey", who, "");
                prop_assert_eq!(status, 200);
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                prop_assert_eq!(&v["Response"]["token"]["TenantId"], tenants[who]);
                let token = v["Response"]["token"]["Token"].as_str().unwrap();
                let item = app.store().get(&TokenHash::of(token)).unwrap();
                prop_assert_eq!(item.tenant_id, tenants[who]);
                created.push((item.token_id.unwrap().to_string(), who));
            }
            Step::List(who, limit) => {
                let mut seen = Vec::new();
                let mut query = format!("limit={limit}");
                loop {
                    let (status, body) = call("GET", "/api/v1/admin/apikey", who, &query);
                    prop_assert_eq!(status, 200);
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    for t in v["Response"]["tokens"].as_array().unwrap() {
                        prop_assert_eq!(&t["TenantId"], tenants[who], "a foreign token listed");
                        seen.push(t["TokenId"].as_str().unwrap().to_owned());
                    }
                    match v["Response"]["next"].as_str() {
                        Some(next) => query = format!("limit={limit}&before={next}"),
                        None => break,
                    }
                }
                let mut own: Vec<String> = created
                    .iter()
                    .filter(|(_, t)| tenants[*t] == tenants[who])
                    .map(|(id, _)| id.clone())
                    .chain([format!("01KBPR0PADM1N00000000000{who:02}")])
                    .chain(
                        (0..3)
                            .filter(|&j| j != who && tenants[j] == tenants[who])
                            .map(|j| format!("01KBPR0PADM1N00000000000{j:02}")),
                    )
                    .collect();
                own.sort_unstable_by(|a, b| b.cmp(a));
                prop_assert_eq!(seen, own, "every own token once, newest first");
            }
            Step::Revoke(who, index) => {
                let target = created.get(index % created.len().max(1)).cloned();
                let (id, owner) =
                    target.unwrap_or(("01KBN0B0DYHASTH1S000000000".to_owned(), usize::MAX));
                let same_tenant = owner != usize::MAX && tenants[owner] == tenants[who];
                let (status, body) = call("DELETE", &format!("/api/v1/admin/apikey/{id}"), who, "");
                if same_tenant {
                    prop_assert_eq!(status, 200);
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    prop_assert_eq!(&v["Response"]["token"]["TenantId"], tenants[who]);
                    prop_assert_eq!(&v["Response"]["token"]["Revoked"], true);
                } else {
                    prop_assert_eq!(status, 404);
                    let first = not_found_body.get_or_insert_with(|| body.clone());
                    prop_assert_eq!(&body, first, "one 404 body for foreign and unknown ids");
                    prop_assert_eq!(
                        app.store().items(),
                        before.clone(),
                        "a foreign item changed"
                    );
                }
            }
        }
        // No item ever changes tenant, and nothing is lost.
        let after = app.store().items();
        for (hash, item) in &before {
            prop_assert_eq!(after.get(hash).map(|i| i.tenant_id), Some(item.tenant_id));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Random tenants (two may share a number), random operations: nothing crosses a
    /// tenant.
    #[test]
    fn nothing_crosses_a_tenant(
        tenants in (any::<i64>(), any::<i64>(), prop_oneof![any::<i64>(), Just(7)]),
        steps in steps(),
    ) {
        // Tenants 0 and 1 always differ; tenant 2 may equal tenant 0 (7 = 7) or not.
        let t0 = 7;
        let t1 = if tenants.1 == t0 { 8 } else { tenants.1 };
        check_tenants([t0, t1, tenants.2], steps)?;
    }
}
