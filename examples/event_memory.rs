//! Peak memory of parsing one large event, as the function parses it (`event::parse_event`
//! and `lambda_http`'s conversion to an HTTP request).
//!
//! `cargo run --example event_memory -- CASE [MB]` prints the growth of the process's peak
//! resident set (`VmHWM`) over what it held before the parse, for an event of `MB` megabytes
//! (default 6, Lambda's synchronous payload limit). Cases, each a REST API event:
//! - `body`: the size is in the body (a large POST);
//! - `headers`: the size is in many header entries (a direct invoke can send anything);
//! - `scrub`: as `body`, plus a header value with a CR LF, which takes the scrubbing path.
//!
//! One case per process: `VmHWM` is the whole process's peak (reset through
//! `/proc/self/clear_refs` before the parse, Linux 4.0 and later).

use create_api_token::event::parse_event;

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"))
}

fn event(case: &str, bytes: usize) -> String {
    let headers = match case {
        "headers" => {
            // 9,000 entries: the event layer refuses more than 10,000 header values.
            let n = 9_000;
            let value = "v".repeat(bytes / n - 20);
            let mut h = String::with_capacity(bytes + 64);
            for i in 0..n {
                h.push_str(&format!(r#""x-h-{i:08}":"{value}","#));
            }
            h
        }
        "scrub" => r#""user-agent":"curl\r\n","#.to_owned(),
        _ => String::new(),
    };
    let body = if case == "headers" {
        String::new()
    } else {
        "a".repeat(bytes)
    };
    format!(
        r#"{{"resource":"/api/v1/admin/apikey","path":"/api/v1/admin/apikey","httpMethod":"POST",
"headers":{{{headers}"Authorization":"Bearer localdevadmin000000000001-us-1","Host":"a.example.com"}},
"multiValueHeaders":{{"Authorization":["Bearer localdevadmin000000000001-us-1"]}},
"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,
"stageVariables":null,"requestContext":{{"resourcePath":"/api/v1/admin/apikey","httpMethod":"POST",
"path":"/Prod/api/v1/admin/apikey","stage":"Prod","apiId":"a","requestId":"r","identity":{{"sourceIp":"192.0.2.1"}}}},
"body":"{body}","isBase64Encoded":false}}"#
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "body".to_owned());
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(6);
    let raw = event(&case, mb * 1_000_000);
    let before = status_kb("VmRSS:");
    std::fs::write("/proc/self/clear_refs", "5").expect("reset VmHWM");
    let request: lambda_http::Request = parse_event(&raw).expect("the event parses").into();
    let peak = status_kb("VmHWM:");
    assert_eq!(request.uri().path(), "/Prod/api/v1/admin/apikey");
    println!(
        "{case}: event {} bytes; peak growth over the parse {:.1} MB (VmRSS before {:.1} MB, VmHWM {:.1} MB)",
        raw.len(),
        (peak.saturating_sub(before)) as f64 / 1000.0,
        before as f64 / 1000.0,
        peak as f64 / 1000.0,
    );
}
