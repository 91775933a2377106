//! The DynamoDB adapter ([`DynamoDbStore`]) on its own, fast, with neither Java nor SAM:
//! the real SDK client (serialisation, retries, time limits, error parsing) over the SDK's
//! own test support, `aws-smithy-mocks`, which answers each call with a modeled output, a
//! modeled error or a raw HTTP response.
//!
//! - the requests: `GetItem` strongly consistent with its projection; the conditional
//!   `PutItem` asking for the old item on a failed condition; the `Query` on `TenantTokens`
//!   (key condition, newest first, `Limit`, following `LastEvaluatedKey`); the conditional
//!   `UpdateItem` of a revocation; the conditional `UpdateItem` of a last use;
//! - what the answers become: throttling and HTTP 5xx (retried, then unavailable: 503),
//!   a missing table (not retried: 500), a failed condition (a collision, or the request's
//!   own retried write; a revocation of another tenant's token), and time-outs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::operation::get_item::{GetItemInput, GetItemOutput};
use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemInput, PutItemOutput};
use aws_sdk_dynamodb::operation::query::{QueryInput, QueryOutput};
use aws_sdk_dynamodb::operation::update_item::{
    UpdateItemError, UpdateItemInput, UpdateItemOutput,
};
use aws_sdk_dynamodb::types::error::ConditionalCheckFailedException;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use create_api_token::store::dynamodb::{DynamoDbStore, Timeouts, TENANT_TOKENS_INDEX};
use create_api_token::store::{
    LastUseOutcome, ListQuery, NewTokenItem, PutOutcome, Revocation, StoreError, TokenStore,
};
use create_api_token::token::TokenHash;
use create_api_token::token_id::TokenId;

const TABLE: &str = "tokens";
const TOKEN_ID: &str = "01KBTEST000000000000000001";
const OTHER_TOKEN_ID: &str = "01KBTEST000000000000000002";

/// A client configured as production's ([`Timeouts::default`]: attempts, back-off, time
/// limits) whose calls go to `http_client`, with `rules` answering them.
fn client_over(http_client: SharedHttpClient, rules: &[&Rule]) -> Client {
    let timeouts = Timeouts::default();
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    if rules.is_empty() {
        // Every call goes to `http_client` itself.
        interceptor = interceptor.allow_passthrough();
    }
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .http_client(http_client)
        .interceptor(interceptor)
        .retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                .with_max_attempts(timeouts.max_attempts)
                .with_initial_backoff(timeouts.initial_backoff)
                .with_max_backoff(timeouts.max_backoff),
        )
        .timeout_config(
            aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
                .connect_timeout(timeouts.connect)
                .operation_attempt_timeout(timeouts.attempt)
                .operation_timeout(timeouts.operation)
                .build(),
        )
        .build();
    Client::from_conf(config)
}

/// The store over a client whose calls `rules` answer.
fn store(rules: &[&Rule]) -> DynamoDbStore {
    DynamoDbStore::new(client_over(create_mock_http_client(), rules), TABLE)
}

/// Keeps every request a rule matched, to assert on afterwards.
fn recorder<T: Clone + Send + 'static>() -> (Arc<Mutex<Vec<T>>>, impl Fn(&T) -> bool + Send + Sync)
{
    let seen: Arc<Mutex<Vec<T>>> = Arc::default();
    let keep = seen.clone();
    (seen, move |input: &T| {
        keep.lock().unwrap().push(input.clone());
        true
    })
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn new_item() -> NewTokenItem {
    NewTokenItem {
        token_hash: TokenHash::of("newtokennewtokennewtoken1-us-1"),
        token_id: TokenId::parse(TOKEN_ID).unwrap(),
        tenant_id: 7,
        role: "Standard".to_owned(),
        description: "ci".to_owned(),
        date_created: "2026-11-30T12:00:00".to_owned(),
        created_by: Some(TokenHash::of("adminadminadminadmin00001-us-1")),
        created_by_id: TokenId::parse(OTHER_TOKEN_ID),
        date_expires: Some("2026-12-30T12:00:00".to_owned()),
    }
}

/// An item as the `TenantTokens` index returns it.
fn listed(tenant: i64, token_id: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("TokenHash".to_owned(), s(&"a".repeat(64))),
        ("TenantId".to_owned(), n(tenant)),
        ("TokenId".to_owned(), s(token_id)),
        ("DateCreated".to_owned(), s("2026-11-30T12:00:00")),
        ("Description".to_owned(), s("listed")),
        ("Role".to_owned(), s("Standard")),
    ])
}

/// A DynamoDB error body in the JSON 1.0 protocol.
fn error_body(code: &str) -> Option<String> {
    Some(format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"test"}}"#
    ))
}

// ---- requests ----------------------------------------------------------------------------

#[tokio::test]
async fn the_caller_is_read_with_a_consistent_projected_get_item() {
    let (seen, keep) = recorder::<GetItemInput>();
    let rule = mock!(Client::get_item)
        .match_requests(keep)
        .then_output(|| {
            GetItemOutput::builder()
                .item("TenantId", n(7))
                .item("Role", s("Administrator"))
                .item("TokenId", s(TOKEN_ID))
                .build()
        });
    let caller = store(&[&rule])
        .get_caller(&TokenHash::of("callercallercallercaller1-us-1"))
        .await
        .unwrap()
        .expect("the caller's item");
    assert_eq!(caller.tenant_id, 7);
    assert!(caller.is_administrator() && !caller.revoked);
    assert_eq!(caller.token_id, TokenId::parse(TOKEN_ID));

    let requests = seen.lock().unwrap();
    let [request] = requests.as_slice() else {
        panic!("one GetItem: {requests:?}")
    };
    assert_eq!(request.table_name(), Some(TABLE));
    assert_eq!(request.consistent_read(), Some(true));
    assert_eq!(
        request.key(),
        Some(&HashMap::from([(
            "TokenHash".to_owned(),
            s(TokenHash::of("callercallercallercaller1-us-1").as_str())
        )]))
    );
    assert_eq!(
        request.projection_expression(),
        Some("TenantId, #role, Revoked, TokenId, DateExpires, DateLastUsed")
    );
    assert_eq!(
        request.expression_attribute_names(),
        Some(&HashMap::from([("#role".to_owned(), "Role".to_owned())]))
    );
}

#[tokio::test]
async fn an_absent_caller_is_none() {
    let rule = mock!(Client::get_item).then_output(|| GetItemOutput::builder().build());
    let found = store(&[&rule])
        .get_caller(&TokenHash::of("nobodynobodynobodynobody1-us-1"))
        .await;
    assert_eq!(found, Ok(None));
}

#[tokio::test]
async fn a_new_item_is_put_only_if_absent_asking_for_the_old_item() {
    let (seen, keep) = recorder::<PutItemInput>();
    let rule = mock!(Client::put_item)
        .match_requests(keep)
        .then_output(|| PutItemOutput::builder().build());
    let item = new_item();
    assert_eq!(
        store(&[&rule]).put_new(&item).await,
        Ok(PutOutcome::Created)
    );
    let requests = seen.lock().unwrap();
    let [request] = requests.as_slice() else {
        panic!("one PutItem: {requests:?}")
    };
    assert_eq!(request.table_name(), Some(TABLE));
    assert_eq!(
        request.condition_expression(),
        Some("attribute_not_exists(TokenHash)")
    );
    assert_eq!(
        request.return_values_on_condition_check_failure(),
        Some(&ReturnValuesOnConditionCheckFailure::AllOld)
    );
    let written = request.item().expect("the item");
    assert_eq!(written["TokenHash"], s(item.token_hash.as_str()));
    assert_eq!(written["TokenId"], s(TOKEN_ID));
    assert_eq!(written["TenantId"], n(7));
    assert_eq!(written["Role"], s("Standard"));
    assert_eq!(written["Description"], s("ci"));
    assert_eq!(written["DateCreated"], s("2026-11-30T12:00:00"));
    assert_eq!(
        written["CreatedBy"],
        s(TokenHash::of("adminadminadminadmin00001-us-1").as_str())
    );
    assert_eq!(written["CreatedById"], s(OTHER_TOKEN_ID));
    assert_eq!(written["DateExpires"], s("2026-12-30T12:00:00"));
    assert_eq!(written.len(), 9, "no other attribute: {written:?}");
}

fn condition_failed(old_token_id: Option<&'static str>) -> PutItemError {
    let mut failed =
        ConditionalCheckFailedException::builder().message("The conditional request failed");
    if let Some(id) = old_token_id {
        failed = failed
            .item("TokenHash", s(new_item().token_hash.as_str()))
            .item("TokenId", s(id))
            .item("TenantId", n(99));
    }
    PutItemError::ConditionalCheckFailedException(failed.build())
}

#[tokio::test]
async fn a_failed_condition_is_a_collision_unless_the_old_item_is_this_requests() {
    for (old_token_id, expected) in [
        (Some(OTHER_TOKEN_ID), PutOutcome::AlreadyExists),
        (None, PutOutcome::AlreadyExists),
        (Some(TOKEN_ID), PutOutcome::Created),
    ] {
        let rule = mock!(Client::put_item).then_error(move || condition_failed(old_token_id));
        assert_eq!(
            store(&[&rule]).put_new(&new_item()).await,
            Ok(expected),
            "old item's TokenId {old_token_id:?}"
        );
        assert_eq!(rule.num_calls(), 1, "a failed condition is not retried");
    }
}

#[tokio::test]
async fn a_write_retried_after_a_lost_answer_finds_its_own_item_and_is_created() {
    // The first attempt's answer never comes through intact (HTTP 500 here); the retry
    // finds the item that attempt wrote: the request's own TokenId.
    let rule = mock!(Client::put_item)
        .sequence()
        .http_status(500, error_body("InternalServerError"))
        .error(|| condition_failed(Some(TOKEN_ID)))
        .build();
    assert_eq!(
        store(&[&rule]).put_new(&new_item()).await,
        Ok(PutOutcome::Created)
    );
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn a_list_queries_the_tenant_index_newest_first_one_more_than_the_page() {
    let (seen, keep) = recorder::<QueryInput>();
    let rule = mock!(Client::query).match_requests(keep).then_output(|| {
        QueryOutput::builder()
            .items(listed(7, "01KBTEST000000000000000009"))
            .items(listed(7, "01KBTEST000000000000000008"))
            .items(listed(7, "01KBTEST000000000000000007"))
            .build()
    });
    let page = store(&[&rule])
        .list_tokens(&ListQuery {
            tenant_id: 7,
            limit: 2,
            before: None,
        })
        .await
        .unwrap();
    let ids: Vec<String> = page.tokens.iter().map(|t| t.token_id.to_string()).collect();
    assert_eq!(
        ids,
        ["01KBTEST000000000000000009", "01KBTEST000000000000000008"]
    );
    assert_eq!(
        page.next.map(|t| t.to_string()).as_deref(),
        Some("01KBTEST000000000000000008"),
        "more exist: next is the last of this page"
    );
    let requests = seen.lock().unwrap();
    let [request] = requests.as_slice() else {
        panic!("one Query: {requests:?}")
    };
    assert_eq!(request.table_name(), Some(TABLE));
    assert_eq!(request.index_name(), Some(TENANT_TOKENS_INDEX));
    assert_eq!(
        request.key_condition_expression(),
        Some("TenantId = :tenant")
    );
    assert_eq!(
        request.expression_attribute_values(),
        Some(&HashMap::from([(":tenant".to_owned(), n(7))]))
    );
    assert_eq!(request.scan_index_forward(), Some(false));
    assert_eq!(request.limit(), Some(3));
    assert_eq!(
        request.consistent_read(),
        None,
        "an index is read eventually consistent"
    );
}

#[tokio::test]
async fn a_list_before_a_token_id_follows_last_evaluated_key() {
    let (seen, keep) = recorder::<QueryInput>();
    let first = mock!(Client::query)
        .match_requests(keep)
        .sequence()
        .output(|| {
            QueryOutput::builder()
                .items(listed(7, "01KBTEST000000000000000005"))
                .last_evaluated_key("TokenId", s("01KBTEST000000000000000005"))
                .build()
        })
        .output(|| {
            QueryOutput::builder()
                .items(listed(7, "01KBTEST000000000000000004"))
                .build()
        })
        .build();
    let page = store(&[&first])
        .list_tokens(&ListQuery {
            tenant_id: 7,
            limit: 50,
            before: TokenId::parse("01KBTEST000000000000000006"),
        })
        .await
        .unwrap();
    assert_eq!(page.tokens.len(), 2);
    assert_eq!(page.next, None, "the last page");
    let requests = seen.lock().unwrap();
    assert_eq!(requests.len(), 2, "{requests:?}");
    for request in requests.iter() {
        assert_eq!(
            request.key_condition_expression(),
            Some("TenantId = :tenant AND TokenId < :before")
        );
        assert_eq!(
            request.expression_attribute_values().unwrap()[":before"],
            s("01KBTEST000000000000000006")
        );
        assert_eq!(request.scan_index_forward(), Some(false));
    }
    assert_eq!(requests[0].limit(), Some(51));
    assert_eq!(requests[0].exclusive_start_key(), None);
    assert_eq!(requests[1].limit(), Some(50));
    assert_eq!(
        requests[1].exclusive_start_key(),
        Some(&HashMap::from([(
            "TokenId".to_owned(),
            s("01KBTEST000000000000000005")
        )]))
    );
}

#[tokio::test]
async fn an_index_answering_for_another_tenant_is_an_internal_error() {
    let rule = mock!(Client::query)
        .then_output(|| QueryOutput::builder().items(listed(8, TOKEN_ID)).build());
    let result = store(&[&rule])
        .list_tokens(&ListQuery {
            tenant_id: 7,
            limit: 5,
            before: None,
        })
        .await;
    assert!(matches!(result, Err(StoreError::Internal(_))), "{result:?}");
}

fn revocation() -> Revocation {
    Revocation {
        tenant_id: 7,
        token_id: TokenId::parse(TOKEN_ID).unwrap(),
        date_revoked: "2026-11-30T13:00:00".to_owned(),
        revoked_by_id: TokenId::parse(OTHER_TOKEN_ID),
    }
}

#[tokio::test]
async fn a_revocation_finds_the_key_then_updates_on_the_tenants_condition() {
    let (queries, keep_query) = recorder::<QueryInput>();
    let (updates, keep_update) = recorder::<UpdateItemInput>();
    let query = mock!(Client::query)
        .match_requests(keep_query)
        .then_output(|| {
            QueryOutput::builder()
                .items(HashMap::from([(
                    "TokenHash".to_owned(),
                    s(&"b".repeat(64)),
                )]))
                .build()
        });
    let update = mock!(Client::update_item)
        .match_requests(keep_update)
        .then_output(|| {
            let mut item = listed(7, TOKEN_ID);
            item.insert("Revoked".to_owned(), AttributeValue::Bool(true));
            item.insert("DateRevoked".to_owned(), s("2026-11-30T12:30:00"));
            UpdateItemOutput::builder()
                .set_attributes(Some(item))
                .build()
        });
    let revoked = store(&[&query, &update])
        .revoke(&revocation())
        .await
        .unwrap()
        .expect("revoked");
    assert!(revoked.revoked);
    assert_eq!(
        revoked.date_revoked.as_deref(),
        Some("2026-11-30T12:30:00"),
        "the first revocation's date, as stored"
    );

    let queries = queries.lock().unwrap();
    let [q] = queries.as_slice() else {
        panic!("one Query: {queries:?}")
    };
    assert_eq!(q.index_name(), Some(TENANT_TOKENS_INDEX));
    assert_eq!(
        q.key_condition_expression(),
        Some("TenantId = :tenant AND TokenId = :id")
    );
    assert_eq!(
        q.expression_attribute_values(),
        Some(&HashMap::from([
            (":tenant".to_owned(), n(7)),
            (":id".to_owned(), s(TOKEN_ID))
        ]))
    );
    assert_eq!(q.projection_expression(), Some("TokenHash"));

    let updates = updates.lock().unwrap();
    let [u] = updates.as_slice() else {
        panic!("one UpdateItem: {updates:?}")
    };
    assert_eq!(u.table_name(), Some(TABLE));
    assert_eq!(
        u.key(),
        Some(&HashMap::from([(
            "TokenHash".to_owned(),
            s(&"b".repeat(64))
        )]))
    );
    assert_eq!(
        u.condition_expression(),
        Some("TenantId = :tenant AND TokenId = :id")
    );
    assert_eq!(
        u.update_expression(),
        Some(
            "SET Revoked = :true, DateRevoked = if_not_exists(DateRevoked, :now), \
             RevokedById = if_not_exists(RevokedById, :by)"
        )
    );
    let values = u.expression_attribute_values().unwrap();
    assert_eq!(values[":tenant"], n(7));
    assert_eq!(values[":id"], s(TOKEN_ID));
    assert_eq!(values[":true"], AttributeValue::Bool(true));
    assert_eq!(values[":now"], s("2026-11-30T13:00:00"));
    assert_eq!(values[":by"], s(OTHER_TOKEN_ID));
    assert_eq!(u.return_values(), Some(&ReturnValue::AllNew));
}

#[tokio::test]
async fn a_token_the_tenant_does_not_have_is_not_found_and_nothing_is_updated() {
    let query = mock!(Client::query).then_output(|| QueryOutput::builder().build());
    let update = mock!(Client::update_item).then_output(|| UpdateItemOutput::builder().build());
    assert_eq!(
        store(&[&query, &update]).revoke(&revocation()).await,
        Ok(None)
    );
    assert_eq!(update.num_calls(), 0);

    // The index still lists it, but the item no longer matches the tenant's condition.
    let query = mock!(Client::query).then_output(|| {
        QueryOutput::builder()
            .items(HashMap::from([(
                "TokenHash".to_owned(),
                s(&"b".repeat(64)),
            )]))
            .build()
    });
    let update = mock!(Client::update_item).then_error(|| {
        UpdateItemError::ConditionalCheckFailedException(
            ConditionalCheckFailedException::builder().build(),
        )
    });
    assert_eq!(
        store(&[&query, &update]).revoke(&revocation()).await,
        Ok(None)
    );
    assert_eq!(update.num_calls(), 1);
}

// ---- error classification -----------------------------------------------------------------

/// Every operation of the store once, each call answered with HTTP `status` and error `code`;
/// the errors and how many HTTP attempts each operation made.
async fn every_operation_answered(
    status: u16,
    code: &str,
) -> Vec<(&'static str, StoreError, usize)> {
    let body = error_body(code);
    let get = mock!(Client::get_item)
        .sequence()
        .http_status(status, body.clone())
        .repeatedly()
        .build();
    let put = mock!(Client::put_item)
        .sequence()
        .http_status(status, body.clone())
        .repeatedly()
        .build();
    let query = mock!(Client::query)
        .sequence()
        .http_status(status, body.clone())
        .repeatedly()
        .build();
    let update = mock!(Client::update_item)
        .sequence()
        .http_status(status, body.clone())
        .repeatedly()
        .build();
    let store = store(&[&get, &put, &query, &update]);
    let mut out = Vec::new();
    let error = store.get_caller(&TokenHash::of("x")).await.unwrap_err();
    out.push(("GetItem", error, get.num_calls()));
    let error = store.put_new(&new_item()).await.unwrap_err();
    out.push(("PutItem", error, put.num_calls()));
    let error = store
        .list_tokens(&ListQuery {
            tenant_id: 7,
            limit: 5,
            before: None,
        })
        .await
        .unwrap_err();
    out.push(("Query (list)", error, query.num_calls()));
    let before = query.num_calls();
    let error = store.revoke(&revocation()).await.unwrap_err();
    out.push(("Query (revoke)", error, query.num_calls() - before));
    let error = store
        .record_last_use(
            &TokenHash::of("x"),
            "2026-12-07T10:05:00",
            "2026-12-07T10:00:00",
        )
        .await
        .unwrap_err();
    out.push(("UpdateItem (last use)", error, update.num_calls()));
    out
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_then_unavailable() {
    for (status, code) in [
        (400, "ProvisionedThroughputExceededException"),
        (400, "ThrottlingException"),
        (400, "RequestLimitExceeded"),
        (500, "InternalServerError"),
        (503, "ServiceUnavailable"),
    ] {
        for (operation, error, attempts) in every_operation_answered(status, code).await {
            assert!(
                matches!(&error, StoreError::Unavailable(cause) if cause.contains(code)),
                "{code} on {operation}: {error:?}"
            );
            assert_eq!(attempts, 3, "{code} on {operation}: attempts");
        }
    }
}

#[tokio::test]
async fn a_missing_table_or_a_refusal_is_internal_and_not_retried() {
    for code in [
        "ResourceNotFoundException",
        "AccessDeniedException",
        "ValidationException",
    ] {
        for (operation, error, attempts) in every_operation_answered(400, code).await {
            assert!(
                matches!(&error, StoreError::Internal(cause) if cause.contains(code)),
                "{code} on {operation}: {error:?}"
            );
            assert_eq!(attempts, 1, "{code} on {operation}: attempts");
        }
    }
}

/// An HTTP client whose connections never answer, or fail at once with an I/O error.
#[derive(Debug, Clone, Copy)]
enum Transport {
    Silent,
    Refused,
}

impl HttpConnector for Transport {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        match self {
            Self::Silent => HttpConnectorFuture::new(std::future::pending()),
            Self::Refused => HttpConnectorFuture::ready(Err(ConnectorError::io(
                std::io::Error::from(std::io::ErrorKind::ConnectionRefused).into(),
            ))),
        }
    }
}

impl HttpClient for Transport {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(*self)
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_endpoint_times_out_within_the_operation_limit_as_unavailable() {
    let store = DynamoDbStore::new(
        client_over(SharedHttpClient::new(Transport::Silent), &[]),
        TABLE,
    );
    let started = tokio::time::Instant::now();
    let error = store.get_caller(&TokenHash::of("x")).await.unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(&error, StoreError::Unavailable(cause) if cause.starts_with("timed_out")),
        "{error:?}"
    );
    let limit = Timeouts::default().operation;
    assert!(
        waited >= Timeouts::default().attempt && waited <= limit + Duration::from_millis(50),
        "gave up after {waited:?} (operation limit {limit:?})"
    );
    let error = store.put_new(&new_item()).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Unavailable(cause) if cause.starts_with("timed_out")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_unavailable_after_retries() {
    let store = DynamoDbStore::new(
        client_over(SharedHttpClient::new(Transport::Refused), &[]),
        TABLE,
    );
    let error = store.get_caller(&TokenHash::of("x")).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Unavailable(cause) if cause == "endpoint_unreachable: io"),
        "{error:?}"
    );
}

// ---- last use and expiry -------------------------------------------------------------------

#[tokio::test]
async fn the_callers_expiry_and_last_use_are_read_and_an_unreadable_expiry_fails_closed() {
    use create_api_token::lifetime::Expiry;
    for (stored, expected) in [
        (None, Expiry::Never),
        (
            Some(s("2026-12-07T10:00:00")),
            Expiry::At(time::macros::datetime!(2026-12-07 10:00:00 UTC)),
        ),
        (Some(s("2026-12-07T10:00:00Z")), Expiry::Unreadable),
        (Some(s("")), Expiry::Unreadable),
        (Some(n(1_800_000_000)), Expiry::Unreadable),
        (Some(AttributeValue::Null(true)), Expiry::Unreadable),
    ] {
        let stored_for_rule = stored.clone();
        let rule = mock!(Client::get_item).then_output(move || {
            let mut output = GetItemOutput::builder()
                .item("TenantId", n(7))
                .item("DateLastUsed", s("2026-12-07T09:00:00"));
            if let Some(value) = stored_for_rule.clone() {
                output = output.item("DateExpires", value);
            }
            output.build()
        });
        let caller = store(&[&rule])
            .get_caller(&TokenHash::of("callercallercallercaller1-us-1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(caller.expiry, expected, "{stored:?}");
        assert_eq!(
            caller.date_last_used.as_deref(),
            Some("2026-12-07T09:00:00")
        );
    }
}

#[tokio::test]
async fn last_use_is_a_conditional_update_that_never_creates_an_item() {
    let (seen, keep) = recorder::<UpdateItemInput>();
    let rule = mock!(Client::update_item)
        .match_requests(keep)
        .then_output(|| UpdateItemOutput::builder().build());
    let hash = TokenHash::of("callercallercallercaller1-us-1");
    let outcome = store(&[&rule])
        .record_last_use(&hash, "2026-12-07T10:05:00", "2026-12-07T10:00:00")
        .await;
    assert_eq!(outcome, Ok(LastUseOutcome::Written));
    let requests = seen.lock().unwrap();
    let [request] = requests.as_slice() else {
        panic!("one UpdateItem: {requests:?}")
    };
    assert_eq!(request.table_name(), Some(TABLE));
    assert_eq!(
        request.key(),
        Some(&HashMap::from([("TokenHash".to_owned(), s(hash.as_str()))]))
    );
    assert_eq!(request.update_expression(), Some("SET DateLastUsed = :now"));
    assert_eq!(
        request.condition_expression(),
        Some(
            "attribute_exists(TokenHash) AND \
             (attribute_not_exists(DateLastUsed) OR DateLastUsed < :cutoff)"
        )
    );
    assert_eq!(
        request.expression_attribute_values(),
        Some(&HashMap::from([
            (":now".to_owned(), s("2026-12-07T10:05:00")),
            (":cutoff".to_owned(), s("2026-12-07T10:00:00")),
        ]))
    );
    assert_eq!(request.expression_attribute_names(), None);
    assert!(matches!(
        request.return_values(),
        None | Some(ReturnValue::None)
    ));
}

#[tokio::test]
async fn a_failed_last_use_condition_is_skipped_not_an_error() {
    let rule = mock!(Client::update_item).then_error(|| {
        UpdateItemError::ConditionalCheckFailedException(
            ConditionalCheckFailedException::builder().build(),
        )
    });
    let hash = TokenHash::of("callercallercallercaller1-us-1");
    let outcome = store(&[&rule])
        .record_last_use(&hash, "2026-12-07T10:05:00", "2026-12-07T10:00:00")
        .await;
    assert_eq!(outcome, Ok(LastUseOutcome::Skipped));
}
