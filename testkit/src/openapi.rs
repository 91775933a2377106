//! `openapi.yaml`, loaded once, and the check that a real response conforms to it.
//!
//! [`assert_response_conforms`] finds the documented response for (method, path template,
//! status) and checks, against the document itself:
//! - the status is documented for that operation (a method the path does not have must be
//!   its 405; a path the document does not have must be the route 404);
//! - `Content-Type` is the response's one documented media type;
//! - every header the response documents as required is present once, and its value
//!   matches the header's schema (`Allow`, `WWW-Authenticate`, `Api-Token-Id`,
//!   `Cache-Control`);
//! - the body is JSON that validates against the response's schema (JSON Schema draft
//!   2020-12, `$ref`s resolved against the whole document);
//! - every object in the body lists its fields in the order of its schema's `properties`
//!   (the document's convention for the field order, which JSON Schema cannot express).

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::{Draft, Registry};
use serde_json::Value;

/// The base URI `openapi.yaml` is registered under, so that `#/components/...` references
/// inside its schemas resolve against the whole document. Never fetched.
pub const DOCUMENT_URI: &str = "https://create-api-token.invalid/openapi.yaml";

/// `openapi.yaml`: as JSON (for JSON Schema validation) and as ordered YAML (for the
/// field order of each schema's `properties`).
pub struct OpenApi {
    /// The document as JSON.
    pub json: Value,
    /// The document with its mappings in file order.
    pub ordered: serde_norway::Value,
    registry: Registry<'static>,
}

/// Path of `openapi.yaml` at the repository root.
pub fn document_path() -> std::path::PathBuf {
    crate::dynamodb_local::repo_root().join("openapi.yaml")
}

/// The parsed document, loaded once per test process.
pub fn document() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let text = std::fs::read_to_string(document_path()).expect("read openapi.yaml");
        let ordered: serde_norway::Value =
            serde_norway::from_str(&text).expect("openapi.yaml is YAML");
        let json: Value = serde_norway::from_str(&text).expect("openapi.yaml maps to JSON");
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOCUMENT_URI, json.clone())
            .and_then(|b| b.prepare())
            .expect("openapi.yaml registers as a JSON Schema resource");
        OpenApi {
            json,
            ordered,
            registry,
        }
    })
}

/// RFC 6901 escaping of one JSON Pointer segment.
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl OpenApi {
    /// The JSON value at `pointer` (RFC 6901, without the leading `#`).
    pub fn at(&self, pointer: &str) -> &Value {
        self.json
            .pointer(pointer)
            .unwrap_or_else(|| panic!("openapi.yaml has nothing at #{pointer}"))
    }

    /// Follows `$ref`s (local ones, `#/...`) from `pointer`; returns the final pointer.
    pub fn resolve(&self, mut pointer: String) -> String {
        for _ in 0..16 {
            match self.at(&pointer).get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    pointer = reference
                        .strip_prefix('#')
                        .unwrap_or_else(|| panic!("non-local $ref {reference}"))
                        .to_owned();
                }
                None => return pointer,
            }
        }
        panic!("$ref chain too long at #{pointer}")
    }

    /// A draft 2020-12 validator for the schema at `pointer`, resolving references
    /// against the whole document; no retrieval from the network.
    pub fn validator(&self, pointer: &str) -> jsonschema::Validator {
        // RFC 6901 §6: in a URI fragment the pointer is percent-encoded (`{TokenId}`).
        const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b'#')
            .add(b'%')
            .add(b'<')
            .add(b'>')
            .add(b'[')
            .add(b'\\')
            .add(b']')
            .add(b'^')
            .add(b'`')
            .add(b'{')
            .add(b'|')
            .add(b'}');
        let fragment = percent_encoding::utf8_percent_encode(pointer, FRAGMENT);
        let wrapper = serde_json::json!({ "$ref": format!("{DOCUMENT_URI}#{fragment}") });
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .build(&wrapper)
            .unwrap_or_else(|e| panic!("schema at #{pointer} does not compile: {e}"))
    }

    /// Errors of `instance` against the schema at `pointer`, one line each.
    pub fn schema_errors(&self, pointer: &str, instance: &Value) -> Vec<String> {
        self.validator(pointer)
            .iter_errors(instance)
            .map(|e| format!("at {}: {e}", e.instance_path()))
            .collect()
    }

    /// The pointer of the documented response for (`method`, `path_template`, `status`).
    ///
    /// A path not in the document is answered by `#/components/responses/RouteNotFound`
    /// and only that (404); a method the path does not have, by the path's 405.
    pub fn response_pointer(&self, method: &str, path_template: &str, status: u16) -> String {
        let paths = self.at("/paths");
        let Some(path_item) = paths.get(path_template) else {
            assert_eq!(
                status, 404,
                "{method} {path_template}: a path openapi.yaml does not have must be a 404"
            );
            return self.resolve("/components/responses/RouteNotFound".to_owned());
        };
        let path_pointer = format!("/paths/{}", escape_pointer(path_template));
        let method = method.to_ascii_lowercase();
        // A 405 is the path's, whichever documented operation lists it: the first one.
        let operation = if status != 405 && path_item.get(&method).is_some() {
            method
        } else {
            assert_eq!(
                status, 405,
                "{method} {path_template}: a method openapi.yaml does not list for the path must be a 405"
            );
            // Every operation of a path documents the path's one 405.
            [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ]
            .into_iter()
            .find(|m| path_item.get(*m).is_some())
            .expect("path item has an operation")
            .to_owned()
        };
        let pointer = format!("{path_pointer}/{operation}/responses/{status}");
        assert!(
            self.json.pointer(&pointer).is_some(),
            "{operation} {path_template}: status {status} is not documented in openapi.yaml"
        );
        self.resolve(pointer)
    }

    /// The ordered YAML node at `pointer`.
    fn ordered_at(&self, pointer: &str) -> &serde_norway::Value {
        let mut node = &self.ordered;
        for segment in pointer.split('/').skip(1) {
            let key = segment.replace("~1", "/").replace("~0", "~");
            node = match node {
                serde_norway::Value::Mapping(m) => m.get(key.as_str()),
                serde_norway::Value::Sequence(s) => {
                    key.parse::<usize>().ok().and_then(|i| s.get(i))
                }
                _ => None,
            }
            .unwrap_or_else(|| panic!("openapi.yaml has nothing at #{pointer}"));
        }
        node
    }
}

/// Header names of an `http` response, lower-cased, with all their values.
pub fn header_map(headers: &lambda_http::http::HeaderMap) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (name, value) in headers {
        map.entry(name.as_str().to_ascii_lowercase())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    map
}

/// Asserts that a response conforms to `openapi.yaml` (see the module documentation).
///
/// `method` is the HTTP method sent, `path_template` the documented path it was sent to
/// (`/api/v1/admin/apikey` or `/api/v1/admin/apikey/{TokenId}`; any other string stands
/// for a path the API does not have), `headers` maps lower-cased names to their values,
/// `body` is the response body as sent (its text, so that field order is checked).
pub fn assert_response_conforms(
    method: &str,
    path_template: &str,
    status: u16,
    headers: &HashMap<String, Vec<String>>,
    body: &str,
) {
    let doc = document();
    let what = format!("{method} {path_template} -> {status}");
    let response = doc.response_pointer(method, path_template, status);

    // Content-Type: the one documented media type.
    let content = doc.at(&format!("{response}/content"));
    let media_types: Vec<&String> = content.as_object().expect("content").keys().collect();
    assert_eq!(media_types.len(), 1, "{what}: one media type documented");
    let media_type = media_types[0];
    assert_eq!(
        headers.get("content-type").map(Vec::as_slice),
        Some(&[media_type.clone()][..]),
        "{what}: Content-Type"
    );

    // Documented headers: present once if required, value matching the header's schema.
    if let Some(documented) = doc.json.pointer(&format!("{response}/headers")) {
        for name in documented.as_object().expect("headers").keys() {
            let header = doc.resolve(format!("{response}/headers/{}", escape_pointer(name)));
            let required = doc.at(&header).get("required") == Some(&Value::Bool(true));
            match headers.get(&name.to_ascii_lowercase()).map(Vec::as_slice) {
                Some([value]) => {
                    let errors = doc
                        .schema_errors(&format!("{header}/schema"), &Value::from(value.as_str()));
                    assert!(
                        errors.is_empty(),
                        "{what}: header {name}: {value:?}: {errors:?}"
                    );
                }
                Some(values) if !values.is_empty() => {
                    panic!(
                        "{what}: header {name} sent {} times: {values:?}",
                        values.len()
                    )
                }
                _ => assert!(!required, "{what}: required header {name} is missing"),
            }
        }
    }

    // The body: valid JSON, valid against the schema, fields in the documented order.
    let schema = format!("{response}/content/{}/schema", escape_pointer(media_type));
    let json: Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {body:?}"));
    let errors = doc.schema_errors(&schema, &json);
    assert!(
        errors.is_empty(),
        "{what}: body {body}\n{}",
        errors.join("\n")
    );
    // serde_norway's Value keeps a JSON object's fields in the order they were written.
    let ordered: serde_norway::Value = serde_json::from_str(body).expect("body is JSON");
    assert_field_order(doc, &schema, &ordered, &what, "");
}

/// Checks that the fields of every object in `instance` come in the order of the
/// `properties` of the schema at `pointer` (following `$ref`, `allOf`, `oneOf`, `anyOf`
/// and `items`).
fn assert_field_order(
    doc: &OpenApi,
    pointer: &str,
    instance: &serde_norway::Value,
    what: &str,
    at: &str,
) {
    let pointer = doc.resolve(pointer.to_owned());
    let schema = doc.ordered_at(&pointer);
    let serde_norway::Value::Mapping(schema) = schema else {
        return;
    };
    for combinator in ["allOf", "oneOf", "anyOf"] {
        if let Some(serde_norway::Value::Sequence(branches)) = schema.get(combinator) {
            for i in 0..branches.len() {
                let branch = format!("{pointer}/{combinator}/{i}");
                // Only branches the instance is valid against say anything about it.
                let as_json: Value = serde_json::to_value(instance).expect("JSON");
                if doc.validator(&branch).is_valid(&as_json) {
                    assert_field_order(doc, &branch, instance, what, at);
                }
            }
        }
    }
    match instance {
        serde_norway::Value::Mapping(object) => {
            let Some(serde_norway::Value::Mapping(properties)) = schema.get("properties") else {
                return;
            };
            let documented: Vec<&str> = properties.keys().filter_map(|k| k.as_str()).collect();
            let sent: Vec<&str> = object
                .keys()
                .filter_map(|k| k.as_str())
                .filter(|k| documented.contains(k))
                .collect();
            let expected: Vec<&str> = documented
                .iter()
                .copied()
                .filter(|k| sent.contains(k))
                .collect();
            assert_eq!(
                sent, expected,
                "{what}: field order of the object at '{at}'"
            );
            for (key, value) in object {
                if let Some(key) = key.as_str() {
                    let child = format!("{pointer}/properties/{}", escape_pointer(key));
                    if doc.json.pointer(&child).is_some() {
                        assert_field_order(doc, &child, value, what, &format!("{at}/{key}"));
                    }
                }
            }
        }
        serde_norway::Value::Sequence(items) if schema.get("items").is_some() => {
            for (i, item) in items.iter().enumerate() {
                let child = format!("{pointer}/items");
                assert_field_order(doc, &child, item, what, &format!("{at}/{i}"));
            }
        }
        _ => {}
    }
}

/// The path template [`request_of_event`] gives a path the API does not have.
pub const UNDOCUMENTED_PATH: &str = "(undocumented)";

/// The collection's path.
pub const COLLECTION_PATH: &str = "/api/v1/admin/apikey";

/// `true` for a `TokenId` the API accepts: a ULID, 26 characters of Crockford base32
/// (no I, L, O, U), the first `0` to `7`, in either case.
pub fn is_token_id(s: &str) -> bool {
    const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    s.len() == 26
        && s.starts_with(|c: char| ('0'..='7').contains(&c))
        && s.chars()
            .all(|c| CROCKFORD.contains(c.to_ascii_uppercase()) && c.is_ascii())
}

/// The method and the documented path template of a request event (API Gateway REST or
/// HTTP API payload 1.0 / 2.0, Function URL, ALB), applying the stage rule: a payload 1.0
/// `path` has no stage; a payload 2.0 `rawPath` under a named stage must start with it.
/// A path the API does not have gives [`UNDOCUMENTED_PATH`].
pub fn request_of_event(event: &Value) -> (String, String) {
    let method = event["httpMethod"]
        .as_str()
        .or_else(|| event["requestContext"]["http"]["method"].as_str())
        .expect("event has a method")
        .to_ascii_uppercase();
    // Payload 2.0's `rawPath` and an HTTP API's payload 1.0 `path` (`"version": "1.0"`)
    // carry a named stage; a REST API's `path` does not.
    let staged = match event["rawPath"].as_str() {
        Some(raw_path) => Some(raw_path),
        None if event["version"] == "1.0" => event["path"].as_str(),
        None => None,
    };
    let path = match staged {
        Some(staged) => match event["requestContext"]["stage"].as_str() {
            Some(stage) if !stage.is_empty() && stage != "$default" => staged
                .strip_prefix('/')
                .and_then(|p| p.strip_prefix(stage))
                .filter(|p| p.starts_with('/')),
            _ => Some(staged),
        },
        None => event["path"].as_str(),
    };
    let template = match path {
        Some(COLLECTION_PATH) => COLLECTION_PATH.to_owned(),
        Some(p)
            if p.strip_prefix(COLLECTION_PATH)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(is_token_id) =>
        {
            format!("{COLLECTION_PATH}/{{TokenId}}")
        }
        Some(p)
            if p.strip_prefix(COLLECTION_PATH)
                .and_then(|rest| rest.strip_prefix('/'))
                .and_then(|rest| rest.strip_suffix("/rotate"))
                .is_some_and(is_token_id) =>
        {
            format!("{COLLECTION_PATH}/{{TokenId}}/rotate")
        }
        Some("/api/v1/apikey/self") => "/api/v1/apikey/self".to_owned(),
        _ => UNDOCUMENTED_PATH.to_owned(),
    };
    (method, template)
}
