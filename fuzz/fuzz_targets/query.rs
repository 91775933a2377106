//! The query decoders: any raw query string, as an HTTP API (payload 2.0) delivers it,
//! through the event layer's repairs, `lambda_http`'s decoding, and the operations' own
//! parameter rules (`description`, `limit`, `before`). What they accept keeps the rules.
#![no_main]

use create_api_token::api::list;
use create_api_token::description;
use create_api_token::event::parse_event;
use lambda_http::RequestExt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|query: &str| {
    let event = serde_json::json!({
        "version": "2.0", "routeKey": "$default", "rawPath": "/api/v1/admin/apikey",
        "rawQueryString": query, "headers": {"host": "a.example.com"},
        "requestContext": {"accountId": "1", "apiId": "a", "domainName": "a.example.com",
            "domainPrefix": "a", "requestId": "r", "routeKey": "$default", "stage": "$default",
            "time": "t", "timeEpoch": 0,
            "http": {"method": "GET", "path": "/api/v1/admin/apikey", "protocol": "HTTP/1.1",
                     "sourceIp": "192.0.2.1", "userAgent": "x"}},
        "isBase64Encoded": false
    });
    let Ok(request) = parse_event(&event.to_string()) else {
        return;
    };
    let request: lambda_http::Request = request.into();
    let params = request.query_string_parameters();
    if let Ok(text) = description::validate(params.first("description")) {
        assert!(text.chars().count() <= 255);
        assert!(!text.chars().any(char::is_control));
    }
    if let Ok(p) = list::parse(params.first("limit"), params.first("before")) {
        assert!((1..=list::MAX_LIMIT).contains(&p.limit));
    }
});
