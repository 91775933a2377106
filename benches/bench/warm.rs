//! Figures 1 and 2: warm latency of a create in process against the floor (the same
//! DynamoDB calls issued directly).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use create_api_token::store::dynamodb::{
    caller_lookup, client_from_env, item_attributes, DynamoDbStore, Timeouts,
};
use create_api_token::store::{NewTokenItem, TokenStore, STANDARD};
use create_api_token::token::TokenHash;
use create_api_token::App;
use lambda_http::Body;
use testkit::{Table, DEV_ADMIN_TOKEN, DEV_ADMIN_TOKEN_ID, DEV_TENANT};

use crate::handler_cpu::parse;
use crate::stats::Samples;
use crate::BLOCK;

/// The caller lookup every operation starts with, as the handler sends it.
pub async fn raw_get_caller(client: &Client, table: &str, caller_key: &str) {
    let got = caller_lookup(client, table, caller_key)
        .send()
        .await
        .expect("floor GetItem");
    assert!(got.item.is_some(), "the caller item exists");
}

/// One strongly consistent `GetItem` and one conditional `PutItem`, as the handler sends
/// them, issued directly with `client`.
pub async fn floor_once(
    client: &Client,
    table: &str,
    caller: &str,
    item: HashMap<String, AttributeValue>,
) -> Duration {
    let t = Instant::now();
    raw_get_caller(client, table, caller).await;
    client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(TokenHash)")
        .send()
        .await
        .expect("floor PutItem");
    t.elapsed()
}

/// A new token item like the handler writes, under a fresh random key.
pub fn floor_item(caller: &TokenHash, i: u64) -> HashMap<String, AttributeValue> {
    static SALT: AtomicU64 = AtomicU64::new(0);
    let salt = SALT.fetch_add(1, Ordering::Relaxed);
    let seed = format!("floor-{}-{i}-{salt}", std::process::id());
    item_attributes(&NewTokenItem {
        token_hash: TokenHash::of(&seed),
        token_id: create_api_token::token_id::TokenId::new(1_776_513_600_000 + i),
        tenant_id: DEV_TENANT,
        role: STANDARD.to_owned(),
        description: "Zapier integration + C++ \u{2713}".to_owned(),
        date_created: "2026-04-18T12:00:00".to_owned(),
        created_by: Some(caller.clone()),
        created_by_id: create_api_token::token_id::TokenId::parse(DEV_ADMIN_TOKEN_ID),
        date_expires: None,
        rotated_from_id: None,
    })
}

pub async fn warm_once(app: &App<DynamoDbStore>, event: &str) -> Duration {
    let t = Instant::now();
    let request = parse(event);
    let response = app.handle(request).await;
    let elapsed = t.elapsed();
    assert_eq!(response.status(), 200, "{:?}", body_text(response.body()));
    elapsed
}

pub fn body_text(body: &Body) -> String {
    match body {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        Body::Empty => String::new(),
        _ => String::from("<other body>"),
    }
}

/// Figures 1 and 2. Returns (warm, floor).
pub async fn figure_warm_and_floor(table: &Table, event: &str, n: usize) -> (Samples, Samples) {
    let client = client_from_env(Timeouts::default()).await;
    let store = DynamoDbStore::new(client.clone(), table.name.clone());
    store.warm_up().await.expect("warm-up GetItem");
    assert!(store
        .get_caller(&TokenHash::of(DEV_ADMIN_TOKEN))
        .await
        .expect("GetItem")
        .is_some());
    let app = App::new(store, "us-1");
    let caller = TokenHash::of(DEV_ADMIN_TOKEN);
    let caller_key = caller.as_str().to_owned();

    // Let the JVM compile its hot paths before recording anything.
    let warmup = (n / 4).max(300);
    for i in 0..warmup {
        warm_once(&app, event).await;
        floor_once(
            &client,
            &table.name,
            &caller_key,
            floor_item(&caller, i as u64),
        )
        .await;
    }

    let mut warm = Samples::default();
    let mut floor = Samples::default();
    let blocks = n.div_ceil(BLOCK);
    for b in 0..blocks {
        let items: Vec<_> = (0..BLOCK)
            .map(|i| floor_item(&caller, (b * BLOCK + i) as u64))
            .collect();
        // Alternate which side goes first, so neither always follows the other.
        if b % 2 == 0 {
            for _ in 0..BLOCK {
                warm.push(warm_once(&app, event).await);
            }
            for item in items {
                floor.push(floor_once(&client, &table.name, &caller_key, item).await);
            }
        } else {
            for item in items {
                floor.push(floor_once(&client, &table.name, &caller_key, item).await);
            }
            for _ in 0..BLOCK {
                warm.push(warm_once(&app, event).await);
            }
        }
    }
    (warm, floor)
}
