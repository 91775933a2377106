//! The handler over the in-memory store: every outcome on each shape, and the metrics
//! record. The real binary against DynamoDB Local: tests/authorizer.rs.

use std::future::Future;
use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::store::memory::{MemoryItem, MemoryStore};
use crate::store::{CallerRecord, StoreError};
use crate::token::TokenHash;
use crate::token_id::TokenId;

const STANDARD: &str = "standardstandardstandard1-us-1";
const ADMIN: &str = "adminadminadminadmin00001-us-1";
const REVOKED: &str = "revokedrevokedrevokedrev1-us-1";
const STANDARD_ID: &str = "01KBDEVSTD0000000000000001";
const ARN: &str =
    "arn:aws:execute-api:us-east-1:123456789012:abcdef123/Prod/GET/api/v1/apikey/self";

fn authorizer() -> Authorizer<MemoryStore> {
    let store = MemoryStore::new();
    for (token, role, revoked, id) in [
        (STANDARD, "Standard", false, Some(STANDARD_ID)),
        (ADMIN, "Administrator", false, None),
        (REVOKED, "Standard", true, None),
    ] {
        store.insert(
            &TokenHash::of(token),
            MemoryItem {
                tenant_id: 7,
                role: Some(role.to_owned()),
                revoked,
                token_id: id.and_then(TokenId::parse),
                ..MemoryItem::default()
            },
        );
    }
    Authorizer::new(store, "us-1")
}

fn rest(authorization: Option<&str>) -> String {
    let headers = authorization.map_or(json!({}), |a| json!({"Authorization": a}));
    let multi = authorization.map_or(json!({}), |a| json!({"Authorization": [a]}));
    json!({"type": "REQUEST", "methodArn": ARN, "headers": headers, "multiValueHeaders": multi,
           "requestContext": {"stage": "Prod", "apiId": "abcdef123"}})
    .to_string()
}

fn http(authorization: Option<&str>) -> String {
    let headers = authorization.map_or(json!({}), |a| json!({"authorization": a}));
    json!({"version": "2.0", "type": "REQUEST", "routeArn": ARN, "headers": headers,
           "requestContext": {"accountId": "123456789012", "apiId": "abcdef123",
               "http": {"method": "GET", "path": "/", "protocol": "HTTP/1.1",
                        "sourceIp": "192.0.2.1", "userAgent": "x"}}})
    .to_string()
}

async fn answer(a: &Authorizer<impl TokenStore>, raw: &str) -> Result<Value, (String, String)> {
    a.answer(raw, "req-1", None)
        .await
        .map_err(|d| (d.error_type, d.error_message))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn allows_any_role_on_both_shapes() {
    let a = authorizer();
    let allow = answer(&a, &rest(Some(&bearer(STANDARD)))).await.unwrap();
    assert_eq!(allow["principalId"], STANDARD_ID);
    assert_eq!(
        allow["policyDocument"]["Statement"][0]["Resource"],
        "arn:aws:execute-api:us-east-1:123456789012:abcdef123/Prod/*/*"
    );
    assert_eq!(
        allow["context"],
        json!({"tenantId": 7, "role": "Standard", "tokenId": STANDARD_ID})
    );
    let admin = answer(&a, &rest(Some(&bearer(ADMIN)))).await.unwrap();
    assert_eq!(admin["principalId"], "tenant-7");
    assert_eq!(
        answer(&a, &http(Some(&bearer(ADMIN)))).await.unwrap(),
        json!({"isAuthorized": true, "context": {"tenantId": 7, "role": "Administrator", "tokenId": ""}})
    );
}

#[tokio::test]
async fn denies_every_refusal_in_each_shapes_way() {
    let a = authorizer();
    let unknown = bearer("unknownunknownunknownunk1-us-1");
    let revoked = bearer(REVOKED);
    for authorization in [
        None,
        Some("Bearer x"),
        Some(unknown.as_str()),
        Some(revoked.as_str()),
    ] {
        assert_eq!(
            answer(&a, &rest(authorization)).await,
            Err((UNAUTHORIZED.to_owned(), UNAUTHORIZED.to_owned())),
            "{authorization:?}"
        );
        assert_eq!(
            answer(&a, &http(authorization)).await,
            Ok(json!({"isAuthorized": false})),
            "{authorization:?}"
        );
    }
    let joined = format!("{},{}", bearer(STANDARD), bearer(STANDARD));
    assert_eq!(
        answer(&a, &http(Some(&joined))).await,
        Ok(json!({"isAuthorized": false}))
    );
}

#[tokio::test]
async fn a_store_failure_is_never_an_allow_nor_unauthorized() {
    let a = authorizer();
    a.store()
        .fail_with(Some(StoreError::Unavailable("throttled".to_owned())));
    for raw in [rest(Some(&bearer(STANDARD))), http(Some(&bearer(STANDARD)))] {
        let (kind, message) = answer(&a, &raw).await.unwrap_err();
        assert_eq!(kind, STORE_UNAVAILABLE);
        assert!(!message.contains("throttled"), "{message}");
    }
    a.store()
        .fail_with(Some(StoreError::Internal("AccessDenied".to_owned())));
    assert_eq!(
        answer(&a, &rest(Some(&bearer(STANDARD))))
            .await
            .unwrap_err()
            .0,
        INTERNAL_ERROR
    );
}

/// A store that never answers.
struct Silent;

impl TokenStore for Silent {
    fn get_caller(
        &self,
        _: &TokenHash,
    ) -> impl Future<Output = Result<Option<CallerRecord>, StoreError>> + Send {
        std::future::pending()
    }
    async fn put_new(
        &self,
        _: &crate::store::NewTokenItem,
    ) -> Result<crate::store::PutOutcome, StoreError> {
        unreachable!()
    }
    async fn list_tokens(
        &self,
        _: &crate::store::ListQuery,
    ) -> Result<crate::store::TokenPage, StoreError> {
        unreachable!()
    }
    async fn revoke(
        &self,
        _: &crate::store::Revocation,
    ) -> Result<Option<crate::store::TokenSummary>, StoreError> {
        unreachable!()
    }
    async fn record_last_use(
        &self,
        _: &TokenHash,
        _: &str,
        _: &str,
    ) -> Result<crate::store::LastUseOutcome, StoreError> {
        unreachable!()
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_store_is_answered_before_the_invocation_deadline() {
    let a = Authorizer::new(Silent, "us-1");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let started = Instant::now();
    let d = a
        .answer(&rest(Some(&bearer(STANDARD))), "r", Some(now_ms + 1000))
        .await
        .unwrap_err();
    assert_eq!(d.error_type, STORE_UNAVAILABLE);
    assert!(
        started.elapsed() <= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    // Without a deadline: the 4.2 s budget.
    let started = Instant::now();
    let d = a
        .answer(&http(Some(&bearer(STANDARD))), "r", None)
        .await
        .unwrap_err();
    assert_eq!(d.error_type, STORE_UNAVAILABLE);
    assert_eq!(started.elapsed(), crate::api::budget::STORE_DEADLINE);
}

#[tokio::test]
async fn other_events_are_invocation_errors_and_each_invocation_writes_one_record() {
    let (sink, records) = MetricsSink::memory();
    let a = authorizer().with_metrics(sink);
    for raw in [
        "{}",
        "[1]",
        r#"{"type":"REQUEST","methodArn":"*","requestContext":{}}"#,
    ] {
        assert_eq!(
            answer(&a, raw).await.unwrap_err().0,
            UNSUPPORTED_EVENT,
            "{raw}"
        );
    }
    answer(&a, &rest(Some(&bearer(STANDARD)))).await.unwrap();
    answer(&a, &rest(Some(&bearer(REVOKED)))).await.unwrap_err();
    let records: Vec<Value> = records
        .lock()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect();
    assert_eq!(records.len(), 5);
    assert_eq!(records[0]["AuthorizerError"], 1);
    assert_eq!(records[0]["Reason"], "unsupported_event");
    assert_eq!(records[2]["Reason"], "invalid_method_arn");
    assert_eq!(records[3]["AuthorizerAllowed"], 1);
    assert_eq!(
        (&records[4]["AuthorizerDenied"], &records[4]["Reason"]),
        (&json!(1), &json!("revoked_token"))
    );
    let all = serde_json::to_string(&records).unwrap();
    for secret in [STANDARD, REVOKED] {
        assert!(!all.contains(secret) && !all.contains(TokenHash::of(secret).as_str()));
    }
}
