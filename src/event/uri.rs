//! URI repair: `lambda_http`'s conversion to an `http::Request` panics on a few inputs (a
//! raw query with `"` or `<`, a `Host` that is not a host); [`make_convertible`] removes
//! each cause first (the raw query is re-encoded, an unusable `Host` is dropped), so no
//! panic reaches the runtime.

use lambda_http::http::HeaderMap;
use lambda_http::request::LambdaRequest;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use url::Url;

/// Bytes percent-encoded in an HTTP API `rawQueryString` before `lambda_http` appends it to
/// the request URI: those RFC 3986 §3.4 does not allow in a query (and the `http` crate
/// refuses), e.g. the `"`, `<`, `>` that curl sends unencoded. `%` is kept, so existing
/// escapes are not encoded twice; form decoding gives the same values afterwards.
const QUERY_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// `true` if `lambda_http` can build its request URI from these parts without panicking:
/// it does `Url::parse("{scheme}://{host}{path}").unwrap()` (or `http://localhost{path}`
/// without a host), appends the HTTP API's raw query, and parses the result as an
/// `http::Uri` with `expect`.
fn uri_builds(scheme: &str, host: Option<&str>, path: &str, raw_query: Option<&str>) -> bool {
    let base = match host {
        None => Url::parse(&format!("http://localhost{path}")).map(|u| u.path().to_owned()),
        Some(host) => Url::parse(&format!("{scheme}://{host}{path}")).map(|u| u.to_string()),
    };
    let Ok(mut uri) = base else {
        return false;
    };
    if let Some(query) = raw_query.filter(|q| !q.is_empty()) {
        uri.push('?');
        uri.push_str(query);
    }
    uri.parse::<lambda_http::http::Uri>().is_ok()
}

/// The path `lambda_http` puts in the URI for API Gateway events: the stage first unless
/// it is `$default` or already there.
fn path_with_stage(stage: Option<&str>, path: &str) -> String {
    match stage {
        Some(stage) if stage != "$default" && !path.starts_with(&format!("/{stage}/")) => {
            format!("/{stage}{path}")
        }
        _ => path.to_owned(),
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Drops `Host` / `X-Forwarded-Proto` (and the request context's domain name) when they
/// cannot form a URI with `path`, as a proxy would refuse them; `None` if even the path
/// cannot.
fn fix_uri_parts(
    headers: &mut HeaderMap,
    domain_name: Option<&mut Option<String>>,
    path: &str,
    raw_query: Option<&str>,
) -> Option<()> {
    let scheme = header_str(headers, "x-forwarded-proto")
        .unwrap_or("https")
        .to_owned();
    let host = header_str(headers, "host").map(str::to_owned).or_else(|| {
        domain_name
            .as_ref()
            .and_then(|d| d.as_deref().map(str::to_owned))
    });
    if uri_builds(&scheme, host.as_deref(), path, raw_query) {
        return Some(());
    }
    headers.remove("host");
    headers.remove("x-forwarded-proto");
    if let Some(domain_name) = domain_name {
        *domain_name = None;
    }
    uri_builds("https", None, path, raw_query).then_some(())
}

/// Removes the keys of a multi-value query map (`multiValueQueryStringParameters` of REST,
/// HTTP API payload 1.0 and ALB events) whose list of values is empty: no front door sends
/// one, and `query_map` 0.7.0 (under `lambda_http`) indexes past the end of an empty list
/// while `lambda_http` builds the request URI, a panic (found by `make fuzz`, target
/// `event`). A key without values is a parameter that is absent.
pub(super) fn drop_empty_query_lists(event: &mut serde_json::Value) {
    if let Some(map) = event
        .get_mut("multiValueQueryStringParameters")
        .and_then(serde_json::Value::as_object_mut)
    {
        map.retain(|_, values| values.as_array().is_none_or(|v| !v.is_empty()));
    }
}

/// Makes sure `lambda_http`'s conversion to an `http::Request` cannot panic: re-encodes an
/// HTTP API raw query and drops unusable `Host` / `X-Forwarded-Proto` values. `None` if
/// the event cannot be made convertible (it is then refused).
pub(super) fn make_convertible(mut request: LambdaRequest) -> Option<LambdaRequest> {
    match &mut request {
        LambdaRequest::ApiGatewayV2(r) => {
            if let Some(query) = &mut r.raw_query_string {
                let encoded: std::borrow::Cow<'_, str> =
                    utf8_percent_encode(query, QUERY_UNSAFE).into();
                if let std::borrow::Cow::Owned(encoded) = encoded {
                    *query = encoded;
                }
            }
            let path = path_with_stage(
                r.request_context.stage.as_deref(),
                r.raw_path.as_deref().unwrap_or_default(),
            );
            let query = r.raw_query_string.clone();
            fix_uri_parts(
                &mut r.headers,
                Some(&mut r.request_context.domain_name),
                &path,
                query.as_deref(),
            )?;
        }
        LambdaRequest::ApiGatewayV1(r) => {
            let path = path_with_stage(
                r.request_context.stage.as_deref(),
                r.path.as_deref().unwrap_or_default(),
            );
            fix_uri_parts(
                &mut r.headers,
                Some(&mut r.request_context.domain_name),
                &path,
                None,
            )?;
        }
        LambdaRequest::Alb(r) => {
            let path = r.path.clone().unwrap_or_default();
            fix_uri_parts(&mut r.headers, None, &path, None)?;
        }
        _ => return None,
    }
    Some(request)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::parse_event;
    use super::super::testing::v2;

    fn description_of(raw: &str) -> Option<String> {
        use lambda_http::RequestExt;
        let req: lambda_http::Request = parse_event(raw).unwrap().into();
        req.query_string_parameters_ref()
            .and_then(|q| q.first("description"))
            .map(str::to_owned)
    }

    #[test]
    fn raw_queries_the_http_crate_refuses_are_re_encoded_not_panicked_on() {
        for (raw_query, expected) in [
            (r#"description="quoted" <b>"#, r#""quoted" <b>"#),
            ("description=caf\u{e9} \u{2713}", "caf\u{e9} \u{2713}"),
            (r"description=a|b^c`d{e}[f]\g", r"a|b^c`d{e}[f]\g"),
            ("description=100%25+sure", "100% sure"),
            ("description=50%", "50%"),
        ] {
            let mut e: Value = serde_json::from_str(&v2(serde_json::json!({}))).unwrap();
            e["rawQueryString"] = raw_query.into();
            assert_eq!(
                description_of(&e.to_string()).as_deref(),
                Some(expected),
                "{raw_query}"
            );
        }
    }

    #[test]
    fn unusable_host_and_scheme_are_dropped_not_panicked_on() {
        for (host, proto) in [
            ("a b", "https"),
            ("example.com:99999", "https"),
            ("a{b", "https"),
            ("example.com", "ht tp"),
            ("example.com", ""),
        ] {
            let raw = v2(serde_json::json!({"host": host, "x-forwarded-proto": proto}));
            let req: lambda_http::Request = parse_event(&raw).unwrap().into();
            assert!(
                req.uri().path().ends_with("/api/v1/admin/apikey"),
                "{host} {proto}"
            );
        }
    }

    #[test]
    fn empty_multi_value_query_lists_are_absent_parameters_not_panics() {
        // The `event` fuzz target's first crash: `"description": []` in a REST event's
        // multiValueQueryStringParameters panicked in query_map while lambda_http built
        // the URI (index out of bounds: the len is 0 but the index is 0).
        use lambda_http::RequestExt;
        for file in ["rest-create-200.json", "alb-multi-value-create-200.json"] {
            let mut e: Value = serde_json::from_str(
                &std::fs::read_to_string(format!("{}/events/{file}", env!("CARGO_MANIFEST_DIR")))
                    .unwrap(),
            )
            .unwrap();
            e["multiValueQueryStringParameters"] =
                serde_json::json!({"description": [], "limit": ["5"]});
            let req: lambda_http::Request = parse_event(&e.to_string()).unwrap().into();
            let query = req.query_string_parameters();
            assert_eq!(query.first("limit"), Some("5"), "{file}");
            if file.starts_with("alb") {
                assert_eq!(query.first("description"), None, "{file}");
            }
        }
    }
}
