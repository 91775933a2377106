//! The JSON envelope every response carries, as in DailyStory's REST API:
//! `{"Status": bool, "Message": string, "Response": object|null}`, fields in that order.
//!
//! Success (200):
//! `{"Status":true,"Message":"","Response":{"token":{"DateCreated":"2026-04-18T12:00:00","Token":"…-us-1","Description":"…","TenantId":0}}}`
//! List (200): `{"Status":true,"Message":"","Response":{"tokens":[<item>,...],"next":"<TokenId>"|null}}`.
//! Revoke (200): `{"Status":true,"Message":"","Response":{"token":<item>}}`, where an item is
//! `{"TokenId","DateCreated","Description","TenantId","Role","Revoked","DateRevoked","CreatedBy","DateExpires","DateLastUsed"}`
//! ([`ListedToken`]).
//! Error: `{"Status":false,"Message":"<plain English>","Response":null}`.
//! `openapi.yaml` holds the same shapes as JSON Schemas.

use serde::Serialize;

use crate::dates;
use crate::lifetime::Expiry;
use crate::store::{CallerRecord, TokenPage, TokenSummary};
use crate::token_id::TokenId;

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
/// `Debug` shows the token as `<redacted>`: only the serialized body may carry it.
#[derive(Serialize)]
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

impl std::fmt::Debug for IssuedToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("date_created", &self.date_created)
            .field("token", &"<redacted>")
            .field("description", &self.description)
            .field("tenant_id", &self.tenant_id)
            .finish()
    }
}

/// Serializes the success envelope for `token`.
pub fn success_body(token: IssuedToken<'_>) -> String {
    to_json(&Envelope {
        status: true,
        message: "",
        response: Some(CreatedResponse { token }),
    })
}

/// A token as listed, read, revoked and seen by itself: never the token, never a digest.
/// Exactly these fields, in this order.
#[derive(Debug, Serialize)]
pub struct ListedToken<'a> {
    /// The token's public handle; `null` only in the caller's own view of a token made
    /// before TokenIds existed (every listed, read or revoked token has one).
    #[serde(rename = "TokenId")]
    pub token_id: Option<TokenId>,
    /// UTC creation time, `YYYY-MM-DDTHH:MM:SS`.
    #[serde(rename = "DateCreated")]
    pub date_created: &'a str,
    /// The description given at creation.
    #[serde(rename = "Description")]
    pub description: &'a str,
    /// The tenant (always the caller's).
    #[serde(rename = "TenantId")]
    pub tenant_id: i64,
    /// `Administrator` or `Standard`; `null` if the item has no string role.
    #[serde(rename = "Role")]
    pub role: Option<&'a str>,
    /// `true` once revoked.
    #[serde(rename = "Revoked")]
    pub revoked: bool,
    /// UTC time of the first revocation, or `null`.
    #[serde(rename = "DateRevoked")]
    pub date_revoked: Option<&'a str>,
    /// `TokenId` of the token that created it, or `null` (bootstrap tokens, older items).
    #[serde(rename = "CreatedBy")]
    pub created_by: Option<TokenId>,
    /// UTC time at which the token stops working, or `null` (never).
    #[serde(rename = "DateExpires")]
    pub date_expires: Option<&'a str>,
    /// UTC time of its last use, to within 5 minutes, or `null`.
    #[serde(rename = "DateLastUsed")]
    pub date_last_used: Option<&'a str>,
}

impl<'a> From<&'a TokenSummary> for ListedToken<'a> {
    fn from(t: &'a TokenSummary) -> Self {
        Self {
            token_id: Some(t.token_id),
            date_created: &t.date_created,
            description: &t.description,
            tenant_id: t.tenant_id,
            role: t.role.as_deref(),
            revoked: t.revoked,
            date_revoked: t.date_revoked.as_deref(),
            created_by: t.created_by_id,
            date_expires: t.date_expires.as_deref(),
            date_last_used: t.date_last_used.as_deref(),
        }
    }
}

/// `Response` of a list: `{"tokens": [...], "next": <TokenId or null>}`.
#[derive(Debug, Serialize)]
pub struct ListResponse<'a> {
    /// The page, newest first.
    pub tokens: Vec<ListedToken<'a>>,
    /// Pass as `before` for the next page; `null` on the last page.
    pub next: Option<TokenId>,
}

/// `Response` of a get, a revocation and the caller's own view: `{"token": <item>}`.
#[derive(Debug, Serialize)]
pub struct ItemResponse<'a> {
    /// The token, as listed.
    pub token: ListedToken<'a>,
}

/// Serializes the success envelope of a list.
pub fn list_body(page: &TokenPage) -> String {
    to_json(&Envelope {
        status: true,
        message: "",
        response: Some(ListResponse {
            tokens: page.tokens.iter().map(ListedToken::from).collect(),
            next: page.next,
        }),
    })
}

/// Serializes the success envelope of one token item (a revocation, a get):
/// `{"token": <item>}`.
pub fn item_body(token: &TokenSummary) -> String {
    token_body(ListedToken::from(token))
}

/// Serializes the success envelope of the caller's own view (`GET /api/v1/apikey/self`):
/// `{"token": <item>}` from its verified record, with `TokenId` `null` for a token made
/// before TokenIds existed.
pub fn self_body(record: &CallerRecord) -> String {
    let date_expires = match record.expiry {
        Expiry::At(at) => dates::format(at).ok(),
        Expiry::Never | Expiry::Unreadable => None,
    };
    token_body(ListedToken {
        token_id: record.token_id,
        date_created: &record.date_created,
        description: &record.description,
        tenant_id: record.tenant_id,
        role: record.role.as_deref(),
        revoked: record.revoked,
        date_revoked: record.date_revoked.as_deref(),
        created_by: record.created_by_id,
        date_expires: date_expires.as_deref(),
        date_last_used: record.date_last_used.as_deref(),
    })
}

fn token_body(token: ListedToken<'_>) -> String {
    to_json(&Envelope {
        status: true,
        message: "",
        response: Some(ItemResponse { token }),
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
    fn the_new_token_is_redacted_in_debug() {
        let issued = IssuedToken {
            date_created: "2026-04-18T12:00:00",
            token: "igpnedehlkryvkpaszdm3jhyn-us-1",
            description: "Zapier integration",
            tenant_id: 0,
        };
        let created = Envelope {
            status: true,
            message: "",
            response: Some(CreatedResponse { token: issued }),
        };
        for shown in [format!("{created:?}"), format!("{created:#?}")] {
            assert!(!shown.contains("igpnedehlkryvkpaszdm3jhyn"), "{shown}");
            assert!(
                shown.contains("<redacted>") && shown.contains("Zapier"),
                "{shown}"
            );
        }
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

    fn summary(created_by: Option<&str>, revoked: Option<&str>) -> TokenSummary {
        TokenSummary {
            token_id: TokenId::parse("01KBDEVSTD0000000000000001").unwrap(),
            date_created: "2026-04-18T12:00:00".to_owned(),
            description: "Zapier".to_owned(),
            tenant_id: 1,
            role: Some("Standard".to_owned()),
            revoked: revoked.is_some(),
            date_revoked: revoked.map(str::to_owned),
            created_by_id: created_by.and_then(TokenId::parse),
            date_expires: Some("2026-05-18T12:00:00".to_owned()),
            date_last_used: None,
        }
    }

    #[test]
    fn list_bytes_fields_in_order() {
        let page = TokenPage {
            tokens: vec![summary(Some("01KBDEVADM0000000000000001"), None)],
            next: TokenId::parse("01KBDEVSTD0000000000000001"),
            unshowable: vec!["not-a-ulid".to_owned()],
        };
        assert_eq!(
            list_body(&page),
            r#"{"Status":true,"Message":"","Response":{"tokens":[{"TokenId":"01KBDEVSTD0000000000000001","DateCreated":"2026-04-18T12:00:00","Description":"Zapier","TenantId":1,"Role":"Standard","Revoked":false,"DateRevoked":null,"CreatedBy":"01KBDEVADM0000000000000001","DateExpires":"2026-05-18T12:00:00","DateLastUsed":null}],"next":"01KBDEVSTD0000000000000001"}}"#
        );
        let empty = TokenPage {
            tokens: vec![],
            next: None,
            unshowable: vec![],
        };
        assert_eq!(
            list_body(&empty),
            r#"{"Status":true,"Message":"","Response":{"tokens":[],"next":null}}"#
        );
    }

    #[test]
    fn revoked_bytes() {
        assert_eq!(
            item_body(&summary(None, Some("2026-04-19T08:00:00"))),
            r#"{"Status":true,"Message":"","Response":{"token":{"TokenId":"01KBDEVSTD0000000000000001","DateCreated":"2026-04-18T12:00:00","Description":"Zapier","TenantId":1,"Role":"Standard","Revoked":true,"DateRevoked":"2026-04-19T08:00:00","CreatedBy":null,"DateExpires":"2026-05-18T12:00:00","DateLastUsed":null}}}"#
        );
    }
}
