//! The one builder of test events, for every front door the function serves.
//!
//! Each door starts from its real shape, an `events/*-create-200.json` file (what API
//! Gateway, a Function URL or an ALB delivers), and the builder rewrites the method, the
//! path, the query and the headers in every field that door carries them:
//!
//! ```no_run
//! use testkit::events;
//! let token = testkit::DEV_ADMIN_TOKEN;
//! let path = "/api/v1/admin/apikey/01KBDEVREV0000000000000001";
//! let event: String = events::http_api("DELETE", path).bearer(token).to_string();
//! let list = events::rest("GET", "/api/v1/admin/apikey").query("limit=5").bearer(token);
//! let request: lambda_http::Request = list.request();
//! ```
//!
//! A built event carries no `Authorization` header until [`Event::bearer`] or
//! [`Event::authorization`] adds one. [`from_file`] and [`from_json`] adapt an existing
//! event instead, keeping everything it carries.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Map, Value};

use crate::fixtures::event_value;

/// The path of the token collection.
pub const COLLECTION: &str = "/api/v1/admin/apikey";

/// The front door an event comes through: it decides the event's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// API Gateway REST API, payload 1.0 (stage `Prod`, multi-value fields).
    Rest,
    /// API Gateway HTTP API, payload 1.0 (`version: "1.0"`, stage `$default`).
    HttpApiV1,
    /// API Gateway HTTP API, payload 2.0 (stage `$default`).
    HttpApi,
    /// A Lambda Function URL (payload 2.0, route key `$default`).
    FunctionUrl,
    /// An Application Load Balancer with multi-value headers off: single values, the
    /// query still percent-encoded, the last repeated value only.
    Alb,
    /// An Application Load Balancer with multi-value headers on: every value, the query
    /// still percent-encoded.
    AlbMultiValue,
}

impl Door {
    /// The `events/` file this door's events start from.
    pub fn template(self) -> &'static str {
        match self {
            Door::Rest => "rest-create-200.json",
            Door::HttpApiV1 => "http-api-payload-v1-create-200.json",
            Door::HttpApi => "http-api-create-200.json",
            Door::FunctionUrl => "function-url-create-200.json",
            Door::Alb => "alb-create-200.json",
            Door::AlbMultiValue => "alb-multi-value-create-200.json",
        }
    }

    /// The door an event's shape belongs to.
    pub fn of(event: &Value) -> Door {
        if event["requestContext"].get("elb").is_some() {
            if event.get("multiValueHeaders").is_some() {
                Door::AlbMultiValue
            } else {
                Door::Alb
            }
        } else if event["version"] == "2.0" {
            let domain = event["requestContext"]["domainName"].as_str().unwrap_or("");
            if domain.contains(".lambda-url.") {
                Door::FunctionUrl
            } else {
                Door::HttpApi
            }
        } else if event["version"] == "1.0" {
            Door::HttpApiV1
        } else {
            Door::Rest
        }
    }

    /// How this door spells the `Authorization` header it passes on.
    fn authorization_name(self) -> &'static str {
        match self {
            Door::Rest | Door::HttpApiV1 => "Authorization",
            _ => "authorization",
        }
    }
}

/// An event under construction; [`fmt::Display`] gives its JSON text.
#[derive(Debug, Clone)]
pub struct Event {
    door: Door,
    value: Value,
}

/// `method` on `path` through an HTTP API (payload 2.0, stage `$default`), no query, no
/// `Authorization`.
pub fn http_api(method: &str, path: &str) -> Event {
    Event::new(Door::HttpApi, method, path)
}

/// `method` on `path` through an HTTP API with payload format 1.0.
pub fn http_api_v1(method: &str, path: &str) -> Event {
    Event::new(Door::HttpApiV1, method, path)
}

/// `method` on `path` through the REST API (payload 1.0, stage `Prod`).
pub fn rest(method: &str, path: &str) -> Event {
    Event::new(Door::Rest, method, path)
}

/// `method` on `path` through a Lambda Function URL.
pub fn function_url(method: &str, path: &str) -> Event {
    Event::new(Door::FunctionUrl, method, path)
}

/// `method` on `path` through an ALB, multi-value headers off.
pub fn alb(method: &str, path: &str) -> Event {
    Event::new(Door::Alb, method, path)
}

/// `method` on `path` through an ALB, multi-value headers on.
pub fn alb_multi_value(method: &str, path: &str) -> Event {
    Event::new(Door::AlbMultiValue, method, path)
}

/// The `events/` file `name`, to adapt; it keeps everything the file carries.
pub fn from_file(name: &str) -> Event {
    from_value(event_value(name))
}

/// An event given as JSON text, to adapt.
pub fn from_json(text: &str) -> Event {
    from_value(serde_json::from_str(text).expect("event JSON"))
}

/// An event given as a JSON value, to adapt.
pub fn from_value(value: Value) -> Event {
    Event {
        door: Door::of(&value),
        value,
    }
}

/// The template of `door`, read from `events/` once per process.
fn template(door: Door) -> Value {
    static TEMPLATES: OnceLock<Mutex<HashMap<&'static str, Value>>> = OnceLock::new();
    let mut templates = TEMPLATES.get_or_init(Mutex::default).lock().unwrap();
    templates
        .entry(door.template())
        .or_insert_with(|| event_value(door.template()))
        .clone()
}

/// The token id of a path naming one token (`/api/v1/admin/apikey/<segment>`).
fn token_id_of(path: &str) -> Option<&str> {
    path.strip_prefix(COLLECTION)?
        .strip_prefix('/')
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

impl Event {
    fn new(door: Door, method: &str, path: &str) -> Self {
        Event {
            door,
            value: template(door),
        }
        .method(method)
        .path(path)
        .query("")
        .without_authorization()
    }

    /// The door this event comes through.
    pub fn door(&self) -> Door {
        self.door
    }

    /// Sets the HTTP method.
    pub fn method(mut self, method: &str) -> Self {
        let e = &mut self.value;
        match self.door {
            Door::HttpApi | Door::FunctionUrl => {
                e["requestContext"]["http"]["method"] = method.into();
            }
            Door::Rest | Door::HttpApiV1 => {
                e["httpMethod"] = method.into();
                e["requestContext"]["httpMethod"] = method.into();
            }
            Door::Alb | Door::AlbMultiValue => e["httpMethod"] = method.into(),
        }
        self.route_key()
    }

    /// Sets the path (without a stage), with the path parameter and resource a route
    /// `/api/v1/admin/apikey/{TokenId}` gives it.
    pub fn path(mut self, path: &str) -> Self {
        let token_id = token_id_of(path);
        let e = &mut self.value;
        let path_parameters = token_id.map_or(Value::Null, |id| json!({ "TokenId": id }));
        match self.door {
            Door::HttpApi | Door::FunctionUrl => {
                e["rawPath"] = path.into();
                e["requestContext"]["http"]["path"] = path.into();
                let object = e.as_object_mut().expect("event object");
                if token_id.is_some() {
                    object.insert("pathParameters".to_owned(), path_parameters);
                } else {
                    object.remove("pathParameters");
                }
            }
            Door::Rest | Door::HttpApiV1 => {
                let resource = if token_id.is_some() {
                    format!("{COLLECTION}/{{TokenId}}")
                } else {
                    path.to_owned()
                };
                e["path"] = path.into();
                e["resource"] = resource.clone().into();
                e["pathParameters"] = path_parameters;
                e["requestContext"]["resourcePath"] = resource.into();
                let stage = e["requestContext"]["stage"].as_str().unwrap_or("$default");
                e["requestContext"]["path"] = if stage == "$default" {
                    path.to_owned()
                } else {
                    format!("/{stage}{path}")
                }
                .into();
            }
            Door::Alb | Door::AlbMultiValue => e["path"] = path.into(),
        }
        self.route_key()
    }

    /// An HTTP API's route key follows the method and path (`ANY /{proxy+}` aside, the
    /// route that matched); a Function URL's stays `$default`.
    fn route_key(mut self) -> Self {
        if self.door == Door::HttpApi {
            let e = &mut self.value;
            let method = e["requestContext"]["http"]["method"].clone();
            let path = e["rawPath"].clone();
            if let (Some(method), Some(path)) = (method.as_str(), path.as_str()) {
                let key = match token_id_of(path) {
                    Some(_) => format!("{method} {COLLECTION}/{{TokenId}}"),
                    None => format!("{method} {path}"),
                };
                e["routeKey"] = key.clone().into();
                e["requestContext"]["routeKey"] = key.into();
            }
        }
        self
    }

    /// Sets the query as the client sent it (`a=1&b=x+y`, empty for none), delivered as
    /// the door delivers it: payload 2.0 keeps `rawQueryString` and decodes
    /// `queryStringParameters` (repeated values joined by commas); the REST API and
    /// payload 1.0 decode into `queryStringParameters` (last value) and
    /// `multiValueQueryStringParameters`; an ALB keeps the values percent-encoded.
    pub fn query(mut self, raw: &str) -> Self {
        let decoded = || -> Vec<(String, String)> {
            form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        };
        let encoded = || -> Vec<(String, String)> {
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.to_owned(), v.to_owned()),
                    None => (p.to_owned(), String::new()),
                })
                .collect()
        };
        let e = self.value.as_object_mut().expect("event object");
        match self.door {
            Door::HttpApi | Door::FunctionUrl => {
                e.insert("rawQueryString".to_owned(), raw.into());
                let pairs = decoded();
                if pairs.is_empty() {
                    e.remove("queryStringParameters");
                } else {
                    let mut joined: Map<String, Value> = Map::new();
                    for (k, v) in pairs {
                        match joined.get_mut(&k) {
                            Some(Value::String(s)) => {
                                s.push(',');
                                s.push_str(&v);
                            }
                            _ => {
                                joined.insert(k, v.into());
                            }
                        }
                    }
                    e.insert("queryStringParameters".to_owned(), joined.into());
                }
            }
            Door::Rest | Door::HttpApiV1 => {
                let (single, multi) = single_and_multi(decoded());
                let none = single.is_empty();
                e.insert(
                    "queryStringParameters".to_owned(),
                    if none { Value::Null } else { single.into() },
                );
                e.insert(
                    "multiValueQueryStringParameters".to_owned(),
                    if none { Value::Null } else { multi.into() },
                );
            }
            Door::Alb => {
                let (single, _) = single_and_multi(encoded());
                e.insert("queryStringParameters".to_owned(), single.into());
            }
            Door::AlbMultiValue => {
                let (_, multi) = single_and_multi(encoded());
                e.insert("multiValueQueryStringParameters".to_owned(), multi.into());
            }
        }
        self
    }

    /// Presents `token` as `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.authorization(&format!("Bearer {token}"))
    }

    /// Sets the `Authorization` header (replacing any spelling of it) to `value`.
    pub fn authorization(self, value: &str) -> Self {
        let name = self.door.authorization_name();
        self.without_authorization().header(name, value)
    }

    /// Removes every `Authorization` header, in any spelling.
    pub fn without_authorization(self) -> Self {
        self.without_header("authorization")
    }

    /// Sets header `name` (replacing any spelling of it) to `value`, in `headers` and,
    /// where the event has them, `multiValueHeaders`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        crate::fixtures::set_event_header(&mut self.value, name, value);
        self
    }

    /// Removes header `name` in any spelling.
    pub fn without_header(mut self, name: &str) -> Self {
        for field in ["headers", "multiValueHeaders"] {
            if let Some(map) = self.value.get_mut(field).and_then(Value::as_object_mut) {
                map.retain(|k, _| !k.eq_ignore_ascii_case(name));
            }
        }
        self
    }

    /// Sets the body (text, not base64).
    pub fn body(mut self, text: &str) -> Self {
        self.value["body"] = text.into();
        self.value["isBase64Encoded"] = false.into();
        self
    }

    /// Applies `edit` to the event's JSON, for a shape no other method makes.
    pub fn with(mut self, edit: impl FnOnce(&mut Value)) -> Self {
        edit(&mut self.value);
        self
    }

    /// The event's JSON.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The event's JSON, by value.
    pub fn into_value(self) -> Value {
        self.value
    }

    /// The event as the function parses it in process: the crate's own
    /// `event::parse_event` (as main.rs), then `lambda_http`'s conversion.
    pub fn request(&self) -> lambda_http::Request {
        create_api_token::event::parse_event(&self.to_string())
            .expect("an HTTP event")
            .into()
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}

/// The last value of each name, and all of them, in first-seen order of the names.
fn single_and_multi(pairs: Vec<(String, String)>) -> (Map<String, Value>, Map<String, Value>) {
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (k, v) in pairs {
        single.insert(k.clone(), v.clone().into());
        match multi.get_mut(&k).and_then(Value::as_array_mut) {
            Some(values) => values.push(v.into()),
            None => {
                multi.insert(k, json!([v]));
            }
        }
    }
    (single, multi)
}

#[cfg(test)]
mod tests;
