//! Figure 7: list and revoke in process against their floors (the same DynamoDB calls
//! issued directly with the same client).

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use create_api_token::store::dynamodb::{
    attr, client_from_env, DynamoDbStore, Timeouts, TENANT_TOKENS_INDEX,
};
use create_api_token::store::{NewTokenItem, PutOutcome, TokenStore, ADMINISTRATOR, STANDARD};
use create_api_token::token::TokenHash;
use create_api_token::token_id::TokenId;
use create_api_token::App;
use testkit::{events, Table, DEV_ADMIN_TOKEN_ID};

use crate::handler_cpu::parse;
use crate::stats::{ms, Samples};
use crate::warm::{body_text, raw_get_caller};
use crate::BLOCK;

/// The Administrator of the tenant whose 100 tokens are listed.
pub const LIST_ADMIN: &str = "benchlistadmin00000000003-us-1";
pub const LIST_TENANT: i64 = 3;
/// The Administrator of the tenant whose tokens are revoked, one each time.
pub const REVOKE_ADMIN: &str = "benchrevokeadmin000000004-us-1";
pub const REVOKE_TENANT: i64 = 4;
/// The listed page.
pub const LIST_LIMIT: i32 = 50;

/// A timed call, boxed so that the warm and floor sides can be handed around alike.
pub type Timed<'a> = Pin<Box<dyn Future<Output = Duration> + 'a>>;

/// `n` recorded samples of each side after `warmup` unrecorded ones, in blocks of
/// [`BLOCK`] alternating which side goes first. Each call gets its own index.
pub async fn alternate<'a>(
    n: usize,
    warmup: usize,
    warm: &dyn Fn(usize) -> Timed<'a>,
    floor: &dyn Fn(usize) -> Timed<'a>,
) -> (Samples, Samples) {
    for i in 0..warmup {
        warm(i).await;
        floor(i).await;
    }
    let (mut w, mut f) = (Samples::default(), Samples::default());
    for b in 0..n.div_ceil(BLOCK) {
        let first = warmup + b * BLOCK;
        let indices = first..first + BLOCK;
        if b % 2 == 0 {
            for i in indices.clone() {
                w.push(warm(i).await);
            }
            for i in indices {
                f.push(floor(i).await);
            }
        } else {
            for i in indices.clone() {
                f.push(floor(i).await);
            }
            for i in indices {
                w.push(warm(i).await);
            }
        }
    }
    (w, f)
}

/// Stores a token item of `tenant` directly; its `TokenId` (created `i` ms after a fixed
/// instant, so that ids sort by `i`).
pub async fn seed_token(
    store: &DynamoDbStore,
    token: &str,
    tenant: i64,
    role: &str,
    i: u64,
) -> TokenId {
    let token_id = TokenId::new(1_776_513_600_000 + i);
    let outcome = store
        .put_new(&NewTokenItem {
            token_hash: TokenHash::of(token),
            token_id,
            tenant_id: tenant,
            role: role.to_owned(),
            description: format!("bench token {i}"),
            date_created: "2026-04-18T12:00:00".to_owned(),
            created_by: None,
            created_by_id: None,
            date_expires: None,
            rotated_from_id: None,
        })
        .await
        .expect("seed PutItem");
    assert_eq!(outcome, PutOutcome::Created);
    token_id
}

/// An HTTP API event of `method` on `path` with `query`, presenting `token`.
pub fn api_event(method: &str, path: &str, query: &[(&str, &str)], token: &str) -> String {
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    events::http_api(method, path)
        .query(&query.join("&"))
        .bearer(token)
        .to_string()
}

pub struct OperationFigures {
    pub list: (Samples, Samples),
    pub revoke: (Samples, Samples),
}

/// Figure 7. `n` samples per side of each operation.
pub async fn figure_list_and_revoke(table: &Table, n: usize) -> OperationFigures {
    let client = client_from_env(Timeouts::default()).await;
    let store = DynamoDbStore::new(client.clone(), table.name.clone());
    store.warm_up().await.expect("warm-up GetItem");
    let warmup = (n / 4).max(200);

    // A tenant with exactly 100 tokens, its Administrator among them.
    seed_token(&store, LIST_ADMIN, LIST_TENANT, ADMINISTRATOR, 0).await;
    for i in 1..100 {
        seed_token(
            &store,
            &format!("benchlisted{i:014}-us-1"),
            LIST_TENANT,
            STANDARD,
            i,
        )
        .await;
    }
    // A tenant with a fresh token for every revocation, of either side.
    let pool = 2 * (warmup + n.div_ceil(BLOCK) * BLOCK);
    seed_token(&store, REVOKE_ADMIN, REVOKE_TENANT, ADMINISTRATOR, 0).await;
    let mut targets = Vec::with_capacity(pool);
    for i in 0..pool {
        targets.push(
            seed_token(
                &store,
                &format!("benchrevoked{i:013}-us-1"),
                REVOKE_TENANT,
                STANDARD,
                1 + i as u64,
            )
            .await,
        );
    }
    println!(
        "  seeded tenant {LIST_TENANT} with 100 tokens and tenant {REVOKE_TENANT} with {} tokens",
        pool + 1
    );
    let app = App::new(store, "us-1");

    let list_event = api_event(
        "GET",
        "/api/v1/admin/apikey",
        &[("limit", "50")],
        LIST_ADMIN,
    );
    let first = app.handle(parse(&list_event)).await;
    let body: serde_json::Value = serde_json::from_str(&body_text(first.body())).unwrap();
    assert_eq!(
        body["Response"]["tokens"].as_array().map(Vec::len),
        Some(50),
        "{body}"
    );
    assert!(body["Response"]["next"].is_string(), "a second page exists");

    let list_admin_key = TokenHash::of(LIST_ADMIN).as_str().to_owned();
    let (app, client, table_name) = (&app, &client, table.name.as_str());
    let (list_event, list_admin_key) = (&list_event, &list_admin_key);
    let warm_list = move |_: usize| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            let response = app.handle(parse(list_event)).await;
            let elapsed = t.elapsed();
            assert_eq!(response.status(), 200);
            elapsed
        })
    };
    let floor_list = move |_: usize| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            raw_get_caller(client, table_name, list_admin_key).await;
            let page = client
                .query()
                .table_name(table_name)
                .index_name(TENANT_TOKENS_INDEX)
                .key_condition_expression("TenantId = :tenant")
                .expression_attribute_values(":tenant", AttributeValue::N(LIST_TENANT.to_string()))
                .scan_index_forward(false)
                .limit(LIST_LIMIT + 1)
                .send()
                .await
                .expect("floor Query");
            let elapsed = t.elapsed();
            assert_eq!(page.items().len(), LIST_LIMIT as usize + 1);
            elapsed
        })
    };
    println!("  list: {n} per side, alternating blocks of {BLOCK}");
    let list = alternate(n, warmup, &warm_list, &floor_list).await;

    // Revocations: even targets through the handler, odd ones raw.
    let revoke_admin_key = TokenHash::of(REVOKE_ADMIN).as_str().to_owned();
    let revoke_events: Vec<String> = targets
        .iter()
        .step_by(2)
        .map(|id| {
            api_event(
                "DELETE",
                &format!("/api/v1/admin/apikey/{id}"),
                &[],
                REVOKE_ADMIN,
            )
        })
        .collect();
    let floor_targets: Vec<TokenId> = targets.iter().skip(1).step_by(2).copied().collect();
    let (revoke_events, floor_targets, revoke_admin_key) =
        (&revoke_events, &floor_targets, &revoke_admin_key);
    let warm_revoke = move |i: usize| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            let response = app.handle(parse(&revoke_events[i])).await;
            let elapsed = t.elapsed();
            assert_eq!(response.status(), 200, "{}", body_text(response.body()));
            elapsed
        })
    };
    let floor_revoke = move |i: usize| -> Timed<'_> {
        Box::pin(async move {
            let tenant = AttributeValue::N(REVOKE_TENANT.to_string());
            let id = AttributeValue::S(floor_targets[i].to_string());
            let t = Instant::now();
            raw_get_caller(client, table_name, revoke_admin_key).await;
            let found = client
                .query()
                .table_name(table_name)
                .index_name(TENANT_TOKENS_INDEX)
                .key_condition_expression("TenantId = :tenant AND TokenId = :id")
                .expression_attribute_values(":tenant", tenant.clone())
                .expression_attribute_values(":id", id.clone())
                .projection_expression(attr::TOKEN_HASH)
                .send()
                .await
                .expect("floor Query");
            let key = found.items()[0][attr::TOKEN_HASH].clone();
            let updated = client
                .update_item()
                .table_name(table_name)
                .key(attr::TOKEN_HASH, key)
                .condition_expression("TenantId = :tenant AND TokenId = :id")
                .update_expression(
                    "SET Revoked = :true, DateRevoked = if_not_exists(DateRevoked, :now), \
                     RevokedById = if_not_exists(RevokedById, :by)",
                )
                .expression_attribute_values(":tenant", tenant)
                .expression_attribute_values(":id", id)
                .expression_attribute_values(":true", AttributeValue::Bool(true))
                .expression_attribute_values(
                    ":now",
                    AttributeValue::S("2026-04-18T12:00:01".to_owned()),
                )
                .expression_attribute_values(
                    ":by",
                    AttributeValue::S(DEV_ADMIN_TOKEN_ID.to_owned()),
                )
                .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
                .send()
                .await
                .expect("floor UpdateItem");
            let elapsed = t.elapsed();
            assert!(updated.attributes.is_some());
            elapsed
        })
    };
    println!("  revoke: {n} per side, alternating blocks of {BLOCK}, a fresh token each time");
    let revoke = alternate(n, warmup, &warm_revoke, &floor_revoke).await;
    OperationFigures { list, revoke }
}

pub fn print_pair(label: &str, (warm, floor): &(Samples, Samples)) -> f64 {
    let ratio = warm.p50() / floor.p50();
    println!(
        "  {label}: p50 {} p99 {} | floor p50 {} p99 {} | ratio p50 {ratio:.3}, p99 {:.3} (n={})",
        ms(warm.p50()),
        ms(warm.p99()),
        ms(floor.p50()),
        ms(floor.p99()),
        warm.p99() / floor.p99(),
        warm.len()
    );
    ratio
}
