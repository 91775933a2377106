//! The raw event layer: any bytes as the event the Runtime API hands over, through
//! `event::parse_event`, `lambda_http`'s conversion to an HTTP request, the routing table
//! and the credential parser, as the function runs them. Nothing may panic; an event that
//! is not an HTTP request is refused with an error that names no input.
#![no_main]

use create_api_token::event::{parse_event, NOT_HTTP_ERROR_TYPE};
use create_api_token::{auth, endpoint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    match parse_event(raw) {
        Ok(request) => {
            let request: lambda_http::Request = request.into();
            let _ = endpoint::resolve(&request);
            let _ = auth::presented_token(request.headers(), "us-1");
        }
        Err(refused) => {
            assert_eq!(refused.error_type, NOT_HTTP_ERROR_TYPE);
            assert!(!refused.error_message.contains('"'));
        }
    }
});
