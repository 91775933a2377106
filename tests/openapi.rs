//! `openapi.yaml` is a valid OpenAPI 3.1 document, and the handler's real responses match
//! it.
//!
//! - The document against the OpenAPI Initiative's schema for 3.1 documents (vendored in
//!   `tests/vendor/oas-3.1/`), its Schema Objects against JSON Schema draft 2020-12's
//!   meta-schema, every `$ref` resolving, every path parameter declared, every example
//!   valid against its schema.
//! - The checker itself ([`testkit::openapi::assert_response_conforms`]) refuses responses
//!   that break the document.
//! - The real handler (`create_api_token::App` over the in-memory store, events parsed by
//!   `lambda_http`) driven through every documented response it can reach, each checked
//!   against the document. `tests/events_replay.rs` applies the same check to the real
//!   binary's responses to the `events/` files.

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};

use create_api_token::store::memory::MemoryStore;
use create_api_token::store::StoreError;
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use testkit::openapi::{assert_response_conforms, document, header_map, request_of_event};

const COLLECTION: &str = "/api/v1/admin/apikey";
const ITEM: &str = "/api/v1/admin/apikey/{TokenId}";

fn vendored_oas_schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vendor/oas-3.1/oas-3.1-schema-2022-10-07.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("vendored OAS schema"))
        .expect("OAS schema is JSON")
}

/// Errors of `doc` against the OAS 3.1 schema. Formats are annotations, as in draft
/// 2020-12 by default: a server URL with `{variables}` is not a strict URI reference.
fn oas_errors(doc: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&vendored_oas_schema())
        .expect("the OAS schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect()
}

/// Every JSON Pointer (without `#`) at which `value` holds an object with key `key`.
fn pointers_with_key(value: &Value, key: &str, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.contains_key(key) {
                out.push(at.clone());
            }
            for (k, v) in map {
                let child = format!("{at}/{}", testkit::openapi::escape_pointer(k));
                pointers_with_key(v, key, child, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers_with_key(v, key, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn openapi_yaml_is_a_valid_openapi_3_1_document() {
    let doc = document();
    assert_eq!(doc.json["openapi"], "3.1.0");
    let errors = oas_errors(&doc.json);
    assert!(errors.is_empty(), "openapi.yaml:\n{}", errors.join("\n"));

    // The validation can fail: the same document with a broken structure is refused.
    let mut broken = doc.json.clone();
    broken["paths"][COLLECTION]["get"]["responses"]["200"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    broken["components"]["securitySchemes"]["bearerAuth"]["type"] = json!("token");
    assert!(oas_errors(&broken).len() >= 2, "{:?}", oas_errors(&broken));

    // The three operations, on the two paths, with their names.
    let paths: BTreeSet<&str> = doc.json["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(paths, BTreeSet::from([COLLECTION, ITEM]));
    let mut operations = Vec::new();
    for (path, item) in doc.json["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                operations.push(format!("{} {path} {id}", method.to_uppercase()));
            }
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        [
            "DELETE /api/v1/admin/apikey/{TokenId} revokeApiToken",
            "GET /api/v1/admin/apikey listApiTokens",
            "POST /api/v1/admin/apikey createApiToken",
        ]
    );

    // Both security schemes, either one enough.
    let schemes = &doc.json["components"]["securitySchemes"];
    assert_eq!(schemes["bearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["basicAuth"]["scheme"], "basic");
    assert_eq!(
        doc.json["security"],
        json!([{"bearerAuth": []}, {"basicAuth": []}])
    );
}

#[test]
fn every_reference_resolves_and_every_schema_is_valid_json_schema() {
    let doc = document();
    let mut refs = Vec::new();
    pointers_with_key(&doc.json, "$ref", String::new(), &mut refs);
    assert!(refs.len() > 20, "{refs:?}");
    for at in &refs {
        let reference = doc.at(at)["$ref"].as_str().unwrap();
        let target = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("#{at}: non-local $ref {reference}"));
        assert!(
            doc.json.pointer(target).is_some(),
            "#{at}: $ref {reference} resolves to nothing"
        );
    }

    // Schema Objects: every named schema, and every `schema` of a parameter, header or
    // media type. Each is valid draft 2020-12 and compiles (regular expressions included)
    // with its references resolved against the document.
    let mut schemas: Vec<String> = doc.json["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| format!("/components/schemas/{k}"))
        .collect();
    let mut holders = Vec::new();
    pointers_with_key(&doc.json, "schema", String::new(), &mut holders);
    schemas.extend(holders.into_iter().map(|p| format!("{p}/schema")));
    assert!(schemas.len() > 20, "{schemas:?}");
    for pointer in &schemas {
        let schema = doc.at(pointer);
        if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
            panic!("#{pointer} is not a valid draft 2020-12 schema: {e}");
        }
        doc.validator(pointer);
    }

    // Every templated path declares its parameters, in the path and required.
    for (path, item) in doc.json["paths"].as_object().unwrap() {
        for name in path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n))
        {
            let declared = item["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let pointer = p["$ref"]
                        .as_str()
                        .map_or_else(String::new, |r| r[1..].into());
                    if pointer.is_empty() {
                        p.clone()
                    } else {
                        doc.at(&pointer).clone()
                    }
                })
                .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true);
            assert!(declared, "{path}: path parameter {name} is not declared");
        }
    }
}

#[test]
fn every_example_matches_its_schema() {
    let doc = document();
    let mut examples = Vec::new();
    pointers_with_key(&doc.json, "example", String::new(), &mut examples);
    assert!(examples.len() >= 6, "{examples:?}");
    for at in &examples {
        let errors = doc.schema_errors(&format!("{at}/schema"), &doc.at(at)["example"]);
        assert!(errors.is_empty(), "#{at}/example: {errors:?}");
    }
    // `examples` inside Schema Objects.
    let mut schema_examples = Vec::new();
    pointers_with_key(&doc.json, "examples", String::new(), &mut schema_examples);
    for at in &schema_examples {
        for (i, example) in doc.at(at)["examples"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let errors = doc.schema_errors(at, example);
            assert!(errors.is_empty(), "#{at}/examples/{i}: {errors:?}");
        }
    }
    // The schemas are strict: the create example with an extra field is refused.
    let create = format!(
        "/paths/{}/post/responses/200/content/application~1json",
        testkit::openapi::escape_pointer(COLLECTION)
    );
    let mut extra = doc.at(&create)["example"].clone();
    extra["Response"]["token"]["TokenId"] = json!("01KBDEVADM0000000000000001");
    assert!(!doc
        .schema_errors(&format!("{create}/schema"), &extra)
        .is_empty());
}

/// Runs `f` and returns the message it panicked with, if it did.
fn panic_message(f: impl FnOnce()) -> Option<String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.err().map(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

fn headers(pairs: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in pairs {
        map.entry(k.to_ascii_lowercase())
            .or_default()
            .push((*v).to_owned());
    }
    map
}

#[test]
fn the_checker_refuses_what_breaks_the_document() {
    let json_no_store = [
        ("Content-Type", "application/json"),
        ("Cache-Control", "no-store"),
    ];
    let unauthorized =
        r#"{"Status":false,"Message":"A valid API token is required.","Response":null}"#;
    let www = ("WWW-Authenticate", r#"Bearer realm="api""#);
    let ok = |method: &str, template: &str, status: u16, h: &[(&str, &str)], body: &str| {
        let h = headers(h);
        let (method, template, body) = (method.to_owned(), template.to_owned(), body.to_owned());
        panic_message(move || assert_response_conforms(&method, &template, status, &h, &body))
    };
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut h = json_no_store.to_vec();
        h.extend_from_slice(extra);
        h
    };

    // Conforming responses pass.
    assert_eq!(
        ok("POST", COLLECTION, 401, &with(&[www]), unauthorized),
        None
    );
    assert_eq!(
        ok(
            "PUT",
            COLLECTION,
            405,
            &with(&[("Allow", "GET, POST")]),
            unauthorized
        ),
        None
    );
    assert_eq!(ok("GET", "/nowhere", 404, &with(&[]), unauthorized), None);
    let created = r#"{"Status":true,"Message":"","Response":{"token":{"DateCreated":"2026-04-18T12:00:00","Token":"igpnedehlkryvkpaszdm3jhyn-us-1","Description":"","TenantId":0}}}"#;
    let id = ("Api-Token-Id", "01KBDEVADM0000000000000001");
    assert_eq!(ok("POST", COLLECTION, 200, &with(&[id]), created), None);

    // Each of these breaks the document in one way.
    let cases: Vec<(&str, &str, Option<String>)> = vec![
        ("401 without WWW-Authenticate", "required header WWW-Authenticate is missing", ok("POST", COLLECTION, 401, &with(&[]), unauthorized)),
        ("401 with another challenge", "header WWW-Authenticate", ok("POST", COLLECTION, 401, &with(&[("WWW-Authenticate", "Basic")]), unauthorized)),
        ("no Cache-Control", "required header Cache-Control is missing", ok("POST", COLLECTION, 401, &[json_no_store[0], www], unauthorized)),
        ("Cache-Control twice", "sent 2 times", ok("POST", COLLECTION, 401, &with(&[www, ("Cache-Control", "no-store")]), unauthorized)),
        ("text/plain", "Content-Type", ok("POST", COLLECTION, 401, &[("Content-Type", "text/plain"), json_no_store[1], www], unauthorized)),
        ("405 with the item's Allow on the collection", "header Allow", ok("PUT", COLLECTION, 405, &with(&[("Allow", "DELETE")]), unauthorized)),
        ("405 with the old Allow", "header Allow", ok("PATCH", ITEM, 405, &with(&[("Allow", "POST")]), unauthorized)),
        ("undocumented status", "status 418 is not documented", ok("POST", COLLECTION, 418, &with(&[]), unauthorized)),
        ("GET answered 200 on an undocumented path", "must be a 404", ok("GET", "/nowhere", 200, &with(&[]), unauthorized)),
        ("400 on revoke", "status 400 is not documented", ok("DELETE", ITEM, 400, &with(&[]), unauthorized)),
        ("Status true on an error", "at /Status", ok("POST", COLLECTION, 401, &with(&[www]), r#"{"Status":true,"Message":"x","Response":null}"#)),
        ("empty Message", "at /Message", ok("POST", COLLECTION, 401, &with(&[www]), r#"{"Status":false,"Message":"","Response":null}"#)),
        ("fields out of order", "field order of the object at ''", ok("POST", COLLECTION, 401, &with(&[www]), r#"{"Message":"x","Status":false,"Response":null}"#)),
        ("an extra field", "'Code' was unexpected", ok("POST", COLLECTION, 401, &with(&[www]), r#"{"Status":false,"Message":"x","Response":null,"Code":1}"#)),
        ("not JSON", "body is not JSON", ok("POST", COLLECTION, 401, &with(&[www]), "Unauthorized")),
        ("create without Api-Token-Id", "required header Api-Token-Id is missing", ok("POST", COLLECTION, 200, &with(&[]), created)),
        ("lower-case Api-Token-Id", "header Api-Token-Id", ok("POST", COLLECTION, 200, &with(&[("Api-Token-Id", "01kbdevadm0000000000000001")]), created)),
        ("token fields out of order", "field order of the object at '/Response/token'", ok("POST", COLLECTION, 200, &with(&[id]), &created.replace(r#""DateCreated":"2026-04-18T12:00:00","Token":"igpnedehlkryvkpaszdm3jhyn-us-1""#, r#""Token":"igpnedehlkryvkpaszdm3jhyn-us-1","DateCreated":"2026-04-18T12:00:00""#))),
        ("a date with a zone", "at /Response/token/DateCreated", ok("POST", COLLECTION, 200, &with(&[id]), &created.replace("12:00:00", "12:00:00Z"))),
        ("a list item with a digest", "'TokenHash' was unexpected", ok("GET", COLLECTION, 200, &with(&[]), r#"{"Status":true,"Message":"","Response":{"tokens":[{"TokenId":"01KBDEVADM0000000000000001","DateCreated":"2026-04-18T12:00:00","Description":"","TenantId":1,"Role":"Standard","Revoked":false,"DateRevoked":null,"CreatedBy":null,"TokenHash":"ab"}],"next":null}}"#)),
        ("a list item's fields out of order", "field order of the object at '/Response/tokens/0'", ok("GET", COLLECTION, 200, &with(&[]), r#"{"Status":true,"Message":"","Response":{"tokens":[{"DateCreated":"2026-04-18T12:00:00","TokenId":"01KBDEVADM0000000000000001","Description":"","TenantId":1,"Role":"Standard","Revoked":false,"DateRevoked":null,"CreatedBy":null}],"next":null}}"#)),
        ("a revoke answering Revoked false", "at /Response/token/Revoked", ok("DELETE", ITEM, 200, &with(&[]), r#"{"Status":true,"Message":"","Response":{"token":{"TokenId":"01KBDEVADM0000000000000001","DateCreated":"2026-04-18T12:00:00","Description":"","TenantId":1,"Role":"Standard","Revoked":false,"DateRevoked":null,"CreatedBy":null}}}"#)),
    ];
    for (case, reason, message) in cases {
        let message = message.unwrap_or_else(|| panic!("{case}: the checker accepted it"));
        assert!(
            message.contains(reason),
            "{case}: refused for another reason: {message}"
        );
    }
    // The same list item in order passes: the refusals above are about what they break.
    assert_eq!(
        ok(
            "GET",
            COLLECTION,
            200,
            &with(&[]),
            r#"{"Status":true,"Message":"","Response":{"tokens":[{"TokenId":"01KBDEVADM0000000000000001","DateCreated":"2026-04-18T12:00:00","Description":"","TenantId":1,"Role":"Standard","Revoked":false,"DateRevoked":null,"CreatedBy":null}],"next":null}}"#
        ),
        None
    );
}

#[test]
fn event_requests_map_to_documented_paths() {
    let v2 = |stage: &str, raw_path: &str| {
        json!({"version": "2.0", "rawPath": raw_path,
               "requestContext": {"stage": stage, "http": {"method": "DELETE"}}})
    };
    let id = "01kbdevadm0000000000000001";
    let cases = [
        (
            json!({"httpMethod": "GET", "path": COLLECTION, "requestContext": {"stage": "Prod"}}),
            ("GET", COLLECTION),
        ),
        (
            json!({"httpMethod": "POST", "path": "/api/v1/admin/apikey/", "requestContext": {"elb": {}}}),
            ("POST", "(undocumented)"),
        ),
        (
            v2("$default", &format!("{COLLECTION}/{id}")),
            ("DELETE", ITEM),
        ),
        (
            v2("Prod", &format!("/Prod{COLLECTION}/{id}")),
            ("DELETE", ITEM),
        ),
        (
            v2("Prod", &format!("{COLLECTION}/{id}")),
            ("DELETE", "(undocumented)"),
        ),
        (
            v2("$default", &format!("{COLLECTION}/{id}x")),
            ("DELETE", "(undocumented)"),
        ),
        (
            v2("$default", &format!("{COLLECTION}/8{}", &id[1..])),
            ("DELETE", "(undocumented)"),
        ),
        (
            v2(
                "$default",
                &format!("{COLLECTION}/{}", id.replace('0', "o")),
            ),
            ("DELETE", "(undocumented)"),
        ),
    ];
    for (event, (method, template)) in cases {
        let (m, t) = request_of_event(&event);
        assert_eq!((m.as_str(), t.as_str()), (method, template), "{event}");
    }
}

// ---------------------------------------------------------------------------------------
// The real handler over the in-memory store.

const ADMIN: &str = testkit::DEV_ADMIN_TOKEN;

/// An HTTP API (payload 2.0) event under `$default`, parsed as the function parses it.
fn request(method: &str, raw_path: &str, query: &str, authorization: Option<&str>) -> Request {
    let event = testkit::events::http_api(method, raw_path).query(query);
    match authorization {
        Some(a) => event.authorization(a),
        None => event,
    }
    .request()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn text(response: &Response<Body>) -> String {
    match response.body() {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8(b.clone()).expect("UTF-8 body"),
        Body::Empty => String::new(),
        other => panic!("unexpected body {other:?}"),
    }
}

/// Sends requests to one in-memory app and checks every response against the document,
/// recording which documented responses were reached.
struct Driver {
    app: create_api_token::App<MemoryStore>,
    reached: BTreeSet<String>,
}

impl Driver {
    fn new() -> Self {
        Self {
            app: testkit::memory_app_with_dev_admin(),
            reached: BTreeSet::new(),
        }
    }

    /// Sends the request, asserts `status` and conformance; returns the response.
    async fn send(
        &mut self,
        method: &str,
        raw_path: &str,
        query: &str,
        authorization: Option<&str>,
        status: u16,
    ) -> (HashMap<String, Vec<String>>, Value) {
        let response = self
            .app
            .handle(request(method, raw_path, query, authorization))
            .await;
        let body = text(&response);
        assert_eq!(
            response.status().as_u16(),
            status,
            "{method} {raw_path}?{query}: {body}"
        );
        let headers = header_map(response.headers());
        let (_, template) = request_of_event(testkit::events::http_api(method, raw_path).value());
        assert_response_conforms(method, &template, status, &headers, &body);
        self.reached
            .insert(document().response_pointer(method, &template, status));
        (headers, serde_json::from_str(&body).expect("JSON body"))
    }

    /// Creates a token as the dev Administrator; returns (token, `Api-Token-Id` if sent).
    async fn create(&mut self, description: &str) -> (String, Option<String>) {
        let (headers, body) = self
            .send(
                "POST",
                COLLECTION,
                &format!("description={description}"),
                Some(&bearer(ADMIN)),
                200,
            )
            .await;
        let token = body["Response"]["token"]["Token"]
            .as_str()
            .unwrap()
            .to_owned();
        let id = headers.get("api-token-id").and_then(|v| v.first()).cloned();
        (token, id)
    }

    fn fail_with(&self, error: Option<StoreError>) {
        self.app.store().fail_with(error);
    }
}

/// Every error status of a create, which today's code already answers as documented:
/// 400, 401, 403, 404 (route), 500, 503.
#[tokio::test]
async fn create_error_responses_conform() {
    let mut d = Driver::new();
    let long = "a".repeat(256);
    d.send(
        "POST",
        COLLECTION,
        "description=a%0Ab",
        Some(&bearer(ADMIN)),
        400,
    )
    .await;
    d.send(
        "POST",
        COLLECTION,
        &format!("description={long}"),
        Some(&bearer(ADMIN)),
        400,
    )
    .await;
    d.send("POST", COLLECTION, "", None, 401).await;
    d.send("POST", COLLECTION, "", Some("Bearer not-a-token"), 401)
        .await;
    d.send(
        "POST",
        COLLECTION,
        "",
        Some(&bearer("unknownunknownunknownunkn-us-1")),
        401,
    )
    .await;
    // A Standard token, issued by the Administrator.
    let standard = d
        .app
        .handle(request("POST", COLLECTION, "", Some(&bearer(ADMIN))))
        .await;
    let standard: Value = serde_json::from_str(&text(&standard)).unwrap();
    let standard = standard["Response"]["token"]["Token"]
        .as_str()
        .unwrap()
        .to_owned();
    d.send("POST", COLLECTION, "", Some(&bearer(&standard)), 403)
        .await;
    for path in [
        "/api/v1/admin/apikey/",
        "/API/v1/admin/apikey",
        "/",
        "/api/v1/admin/apikeys",
    ] {
        d.send("POST", path, "", Some(&bearer(ADMIN)), 404).await;
    }
    d.fail_with(Some(StoreError::Unavailable("throttled".into())));
    d.send("POST", COLLECTION, "", Some(&bearer(ADMIN)), 503)
        .await;
    d.fail_with(Some(StoreError::Internal(
        "ResourceNotFoundException".into(),
    )));
    d.send("POST", COLLECTION, "", Some(&bearer(ADMIN)), 500)
        .await;
}

/// Every response `openapi.yaml` documents, reached through the real handler: create,
/// list (pages, `next`, bad `limit` / `before`), revoke (own, repeated, unknown,
/// malformed id), 405 on both paths with their own `Allow`, 401 / 403 / 500 / 503 on each
/// operation; then a check that no documented response was left unreached.
#[tokio::test]
async fn every_documented_response_is_reached_and_conforms() {
    let mut d = Driver::new();
    let admin = bearer(ADMIN);

    // Create: 200 with Api-Token-Id, 400.
    let mut ids = Vec::new();
    for i in 0..5 {
        let (_, id) = d.create(&format!("token+{i}")).await;
        ids.push(id.expect("a create carries Api-Token-Id"));
    }
    let (standard, standard_id) = d.create("standard").await;
    let standard_id = standard_id.unwrap();
    d.send("POST", COLLECTION, "description=%09", Some(&admin), 400)
        .await;

    // List: pages of 2 until `next` is null; every created id exactly once, newest first.
    let mut listed = Vec::new();
    let mut before = String::new();
    loop {
        let query = if before.is_empty() {
            "limit=2".to_owned()
        } else {
            format!("limit=2&before={before}")
        };
        let (_, body) = d.send("GET", COLLECTION, &query, Some(&admin), 200).await;
        for item in body["Response"]["tokens"].as_array().unwrap() {
            listed.push(item["TokenId"].as_str().unwrap().to_owned());
        }
        match body["Response"]["next"].as_str() {
            Some(next) => before = next.to_owned(),
            None => break,
        }
    }
    for id in ids.iter().chain([&standard_id]) {
        assert_eq!(
            listed.iter().filter(|l| *l == id).count(),
            1,
            "{id} in {listed:?}"
        );
    }
    let mut sorted = listed.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(listed, sorted, "newest first");
    d.send("GET", COLLECTION, "", Some(&admin), 200).await;
    d.send("GET", COLLECTION, "limit=&before=", Some(&admin), 200)
        .await;
    d.send("GET", COLLECTION, "limit=007&limit=abc", Some(&admin), 200)
        .await;
    for bad in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "limit=-1",
        "before=nope",
        "before=8ZZZZZZZZZZZZZZZZZZZZZZZZZ",
    ] {
        d.send("GET", COLLECTION, bad, Some(&admin), 400).await;
    }

    // Revoke: 200, again 200 with the same DateRevoked, 404 unknown and malformed.
    let item = format!("{COLLECTION}/{}", ids[0]);
    let (_, first) = d.send("DELETE", &item, "", Some(&admin), 200).await;
    let lower = format!("{COLLECTION}/{}", ids[0].to_ascii_lowercase());
    let (_, again) = d.send("DELETE", &lower, "", Some(&admin), 200).await;
    assert_eq!(
        first["Response"]["token"]["DateRevoked"],
        again["Response"]["token"]["DateRevoked"]
    );
    let unknown = format!("{COLLECTION}/01KBZZZZZZZZZZZZZZZZZZZZZZ");
    d.send("DELETE", &unknown, "", Some(&admin), 404).await;
    d.send(
        "DELETE",
        &format!("{COLLECTION}/not-a-token-id"),
        "",
        Some(&admin),
        404,
    )
    .await;

    // 405 with each path's own Allow, before authentication.
    for method in ["PUT", "PATCH", "DELETE", "OPTIONS"] {
        d.send(method, COLLECTION, "", None, 405).await;
    }
    for method in ["GET", "POST", "PUT", "PATCH"] {
        d.send(method, &item, "", None, 405).await;
    }

    // 401 and 403 on every operation; a revoked token is refused at once.
    let standard = bearer(&standard);
    for (method, path) in [
        ("GET", COLLECTION),
        ("POST", COLLECTION),
        ("DELETE", item.as_str()),
    ] {
        d.send(method, path, "", None, 401).await;
        d.send(method, path, "", Some(&standard), 403).await;
    }
    d.send(
        "DELETE",
        &format!("{COLLECTION}/{standard_id}"),
        "",
        Some(&admin),
        200,
    )
    .await;
    for (method, path) in [
        ("GET", COLLECTION),
        ("POST", COLLECTION),
        ("DELETE", item.as_str()),
    ] {
        d.send(method, path, "", Some(&standard), 401).await;
    }
    d.send("GET", "/api/v1/admin/apikey/", "", Some(&admin), 404)
        .await;

    // 503 and 500 on every operation.
    for (failure, status) in [
        (StoreError::Unavailable("throttled".into()), 503),
        (StoreError::Internal("AccessDeniedException".into()), 500),
    ] {
        d.fail_with(Some(failure));
        for (method, path) in [
            ("GET", COLLECTION),
            ("POST", COLLECTION),
            ("DELETE", item.as_str()),
        ] {
            d.send(method, path, "", Some(&admin), status).await;
        }
        d.fail_with(None);
    }

    // Every documented response was reached.
    let doc = document();
    let mut documented = BTreeSet::new();
    for (path, path_item) in doc.json["paths"].as_object().unwrap() {
        for (method, op) in path_item.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for status in responses.keys() {
                documented.insert(doc.response_pointer(method, path, status.parse().unwrap()));
            }
        }
    }
    let unreached: Vec<_> = documented.difference(&d.reached).collect();
    assert!(
        unreached.is_empty(),
        "documented but never reached: {unreached:?}"
    );
}
