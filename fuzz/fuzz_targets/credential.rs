//! The credential parser: any `Authorization` field lines (each arbitrary bytes HTTP
//! allows), as the handler reads them. A token is accepted only with the contract's shape
//! and suffix, and only from exactly one field line.
#![no_main]

use create_api_token::auth::{parse_authorization, presented_token};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|lines: Vec<Vec<u8>>| {
    let mut headers = HeaderMap::new();
    for line in &lines {
        let _ = parse_authorization(line, "us-1");
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(AUTHORIZATION, value);
        }
    }
    if let Ok(token) = presented_token(&headers, "us-1") {
        assert_eq!(headers.get_all(AUTHORIZATION).iter().count(), 1);
        let token = token.expose();
        let body = token.strip_suffix("-us-1").expect("the data center suffix");
        assert!((16..=64).contains(&body.len()), "{}", body.len());
        assert!(body.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }
});
