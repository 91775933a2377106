//! The function's HTTP responses as a front door gets them, and the assertions every
//! response must meet.

use std::collections::HashMap;

use create_api_token::token::TokenHash;

/// An HTTP response as API Gateway (payload 1.0 / 2.0), a Function URL or an ALB gets it
/// from the function.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// `statusCode`.
    pub status: u16,
    /// Header names lower-cased; single- and multi-value headers merged.
    pub headers: HashMap<String, Vec<String>>,
    /// The body, decoded from base64 if it was sent so.
    pub body: String,
    /// The whole response as the function sent it.
    pub raw: serde_json::Value,
}

impl HttpResponse {
    /// Parses the function's response (payload 1.0 / 2.0 / ALB shape).
    pub fn parse(json: &str) -> Self {
        let raw: serde_json::Value = serde_json::from_str(json).expect("response is JSON");
        let status = raw["statusCode"].as_u64().expect("statusCode") as u16;
        let mut headers: HashMap<String, Vec<String>> = HashMap::new();
        if let Some(h) = raw["headers"].as_object() {
            for (k, v) in h {
                headers
                    .entry(k.to_ascii_lowercase())
                    .or_default()
                    .push(v.as_str().unwrap_or_default().to_owned());
            }
        }
        if let Some(h) = raw["multiValueHeaders"].as_object() {
            for (k, vs) in h {
                let entry = headers.entry(k.to_ascii_lowercase()).or_default();
                for v in vs.as_array().into_iter().flatten() {
                    let v = v.as_str().unwrap_or_default().to_owned();
                    if !entry.contains(&v) {
                        entry.push(v);
                    }
                }
            }
        }
        let body = raw["body"].as_str().unwrap_or_default().to_owned();
        let body = if raw["isBase64Encoded"].as_bool() == Some(true) {
            use base64::Engine;
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(body)
                    .unwrap(),
            )
            .unwrap()
        } else {
            body
        };
        Self {
            status,
            headers,
            body,
            raw,
        }
    }

    /// The single value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// The body parsed as JSON (panics if it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body {:?}: {e}", self.body))
    }
}

/// Asserts that none of `tokens` appears in `logs`: neither the whole token, nor its
/// first 16 characters (a token body), nor its SHA-256 digest.
pub fn assert_no_token_material(logs: &[String], tokens: &[&str]) {
    let all = logs.join("\n");
    for token in tokens {
        assert!(!all.contains(token), "a token reached the logs");
        let prefix: String = token.chars().take(16).collect();
        assert!(!all.contains(&prefix), "a token body reached the logs");
        assert!(
            !all.contains(TokenHash::of(token).as_str()),
            "a token digest reached the logs"
        );
    }
}

/// The standard error envelope with `status` and the headers every response carries:
/// exactly `{"Status":false,"Message":"<non-empty>","Response":null}`.
pub fn assert_error_envelope(response: &HttpResponse, status: u16) {
    assert_eq!(response.status, status, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    let message = body["Message"].as_str().expect("Message is a string");
    assert!(!message.is_empty());
    assert_eq!(
        response.body,
        format!(
            r#"{{"Status":false,"Message":{},"Response":null}}"#,
            serde_json::to_string(message).unwrap()
        ),
        "exact error envelope"
    );
}
