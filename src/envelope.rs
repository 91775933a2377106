//! The JSON envelope every response carries, as in DailyStory's REST API:
//! `{"Status": bool, "Message": string, "Response": object|null}`, fields in that order.
//!
//! Success (200):
//! `{"Status":true,"Message":"","Response":{"token":{"DateCreated":"2026-04-18T12:00:00","Token":"…-us-1","Description":"…","TenantId":0}}}`
//! Error: `{"Status":false,"Message":"<plain English>","Response":null}`.

use serde::Serialize;

/// The envelope. Serde writes fields in declaration order, which is the contract's order.
#[derive(Debug, Serialize)]
pub struct Envelope<'a, T: Serialize> {
    /// `true` on success.
    #[serde(rename = "Status")]
    pub status: bool,
    /// `""` on success; a plain-English explanation on error.
    #[serde(rename = "Message")]
    pub message: &'a str,
    /// The payload on success; `null` on error.
    #[serde(rename = "Response")]
    pub response: Option<T>,
}

/// `Response` of a successful create: `{"token": {...}}`.
#[derive(Debug, Serialize)]
pub struct CreatedResponse<'a> {
    /// The new token.
    pub token: IssuedToken<'a>,
}

/// The new token as shown once to the caller; exactly these four fields, in this order.
#[derive(Debug, Serialize)]
pub struct IssuedToken<'a> {
    /// UTC creation time, `YYYY-MM-DDTHH:MM:SS` (no zone, no fraction).
    #[serde(rename = "DateCreated")]
    pub date_created: &'a str,
    /// The plaintext token, `<body>-<DATA_CENTER>`. Shown here and never again.
    #[serde(rename = "Token")]
    pub token: &'a str,
    /// The description as given, or `""`.
    #[serde(rename = "Description")]
    pub description: &'a str,
    /// The caller's tenant (a JSON integer).
    #[serde(rename = "TenantId")]
    pub tenant_id: i64,
}

/// Serializes the success envelope for `token`.
pub fn success_body(token: IssuedToken<'_>) -> String {
    to_json(&Envelope {
        status: true,
        message: "",
        response: Some(CreatedResponse { token }),
    })
}

/// Serializes the error envelope `{"Status":false,"Message":message,"Response":null}`.
pub fn error_body(message: &str) -> String {
    to_json(&Envelope::<()> {
        status: false,
        message,
        response: None,
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serializing these plain structs (strings, bools, integers) cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| {
        r#"{"Status":false,"Message":"An internal error occurred.","Response":null}"#.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_bytes_match_the_published_example() {
        let body = success_body(IssuedToken {
            date_created: "2026-04-18T12:00:00",
            token: "igpnedehlkryvkpaszdm3jhyn-us-1",
            description: "Zapier integration",
            tenant_id: 0,
        });
        assert_eq!(
            body,
            r#"{"Status":true,"Message":"","Response":{"token":{"DateCreated":"2026-04-18T12:00:00","Token":"igpnedehlkryvkpaszdm3jhyn-us-1","Description":"Zapier integration","TenantId":0}}}"#
        );
    }

    #[test]
    fn error_bytes() {
        assert_eq!(
            error_body("A valid API token is required."),
            r#"{"Status":false,"Message":"A valid API token is required.","Response":null}"#
        );
    }

    #[test]
    fn descriptions_are_json_escaped_not_altered() {
        let d = "quote \" backslash \\ ✓ </script>";
        let body = success_body(IssuedToken {
            date_created: "2026-01-01T00:00:00",
            token: "t",
            description: d,
            tenant_id: 42,
        });
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["Response"]["token"]["Description"], d);
        assert_eq!(v["Response"]["token"]["TenantId"], 42);
    }
}
