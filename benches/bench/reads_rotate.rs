//! Figure 9: get one token, the caller's own token (self) and rotate, in process, against
//! their floors: the same DynamoDB calls issued directly with the same client. The floors
//! leave out the `DateLastUsed` write: it is not on the request's critical path (the
//! handler runs it beside the operation, and in a warm process writes it once per token
//! per 5 minutes).
//!
//! - get: the caller's consistent `GetItem`, the `Query` on `TenantTokens` for the key,
//!   the consistent `GetItem` of the token;
//! - self: the caller's consistent `GetItem` (its projection holds the self view);
//! - rotate (`grace=60`, a fresh target each time): the caller's `GetItem`, the `Query`
//!   for the key, the consistent `GetItem` of the old item, then ONE `TransactWriteItems`
//!   (the new item's `Put`, the old item's conditional `Update`).

use std::time::Instant;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use create_api_token::store::dynamodb::{
    attr, client_from_env, DynamoDbStore, Item, Timeouts, TENANT_TOKENS_INDEX,
};
use create_api_token::store::{NewTokenItem, ADMINISTRATOR, STANDARD};
use create_api_token::token::TokenHash;
use create_api_token::token_id::TokenId;
use create_api_token::App;
use testkit::Table;

use crate::handler_cpu::parse;
use crate::operations::{alternate, api_event, seed_token, Timed};
use crate::stats::Samples;
use crate::warm::{body_text, raw_get_caller};
use crate::BLOCK;

/// The tenant whose tokens are read and rotated, and its Administrator.
const TENANT: i64 = 5;
const ADMIN: &str = "benchrotateadmin000000005-us-1";
/// A Standard token of that tenant reading itself.
const SELF_TOKEN: &str = "benchselfstandard00000005-us-1";

/// (warm, floor) of each operation.
pub struct ReadRotateFigures {
    pub get: (Samples, Samples),
    pub self_view: (Samples, Samples),
    pub rotate: (Samples, Samples),
}

/// The `TokenHash` of the tenant's token `id`, as the store's `Query` finds it.
async fn raw_key_of(client: &Client, table: &str, id: TokenId) -> AttributeValue {
    let found = client
        .query()
        .table_name(table)
        .index_name(TENANT_TOKENS_INDEX)
        .key_condition_expression("TenantId = :tenant AND TokenId = :id")
        .expression_attribute_values(":tenant", AttributeValue::N(TENANT.to_string()))
        .expression_attribute_values(":id", AttributeValue::S(id.to_string()))
        .projection_expression(attr::TOKEN_HASH)
        .send()
        .await
        .expect("floor Query");
    found.items()[0][attr::TOKEN_HASH].clone()
}

/// The consistent `GetItem` of a token item by its key.
async fn raw_get_item(client: &Client, table: &str, key: AttributeValue) -> Item {
    client
        .get_item()
        .table_name(table)
        .key(attr::TOKEN_HASH, key)
        .consistent_read(true)
        .send()
        .await
        .expect("floor GetItem")
        .item
        .expect("the item exists")
}

/// The rotation's transaction as the store sends it for `grace=60`.
async fn raw_rotate(client: &Client, table: &str, old_key: AttributeValue, old: TokenId, i: u64) {
    let new_id = TokenId::new(1_776_600_000_000 + i);
    let new_item = NewTokenItem {
        token_hash: TokenHash::of(&format!("benchfloorrotated{i:09}-us-1")),
        token_id: new_id,
        tenant_id: TENANT,
        role: STANDARD.to_owned(),
        description: "bench token".to_owned(),
        date_created: "2026-04-18T12:00:00".to_owned(),
        created_by: Some(TokenHash::of(ADMIN)),
        created_by_id: None,
        date_expires: None,
        rotated_from_id: Some(old),
    };
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(Item::from(&new_item)))
        .condition_expression("attribute_not_exists(TokenHash)")
        .build()
        .expect("put");
    let update = Update::builder()
        .table_name(table)
        .key(attr::TOKEN_HASH, old_key)
        .condition_expression(
            "TenantId = :tenant AND TokenId = :id AND attribute_not_exists(RotatedToId) \
             AND (attribute_not_exists(Revoked) OR Revoked = :false) \
             AND (attribute_not_exists(DateExpires) OR DateExpires > :now)",
        )
        .update_expression("SET RotatedToId = :new, DateExpires = :expires")
        .expression_attribute_values(":tenant", AttributeValue::N(TENANT.to_string()))
        .expression_attribute_values(":id", AttributeValue::S(old.to_string()))
        .expression_attribute_values(":false", AttributeValue::Bool(false))
        .expression_attribute_values(":now", AttributeValue::S("2026-04-18T12:00:00".into()))
        .expression_attribute_values(":new", AttributeValue::S(new_id.to_string()))
        .expression_attribute_values(":expires", AttributeValue::S("2099-01-01T00:00:00".into()))
        .build()
        .expect("update");
    client
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put).build())
        .transact_items(TransactWriteItem::builder().update(update).build())
        .client_request_token(new_id.to_string())
        .send()
        .await
        .expect("floor TransactWriteItems");
}

/// Figure 9. `n` samples per side of each operation.
pub async fn figure_get_self_rotate(table: &Table, n: usize) -> ReadRotateFigures {
    let client = client_from_env(Timeouts::default()).await;
    let store = DynamoDbStore::new(client.clone(), table.name.clone());
    store.warm_up().await.expect("warm-up GetItem");
    let warmup = (n / 4).max(200);

    seed_token(&store, ADMIN, TENANT, ADMINISTRATOR, 0).await;
    seed_token(&store, SELF_TOKEN, TENANT, STANDARD, 1).await;
    // A fresh token for every rotation, of either side; the first one is also the one read.
    let pool = 2 * (warmup + n.div_ceil(BLOCK) * BLOCK);
    let mut targets = Vec::with_capacity(pool);
    for i in 0..pool {
        let token = format!("benchrotated{i:013}-us-1");
        targets.push(seed_token(&store, &token, TENANT, STANDARD, 2 + i as u64).await);
    }
    println!("  seeded tenant {TENANT} with {} tokens", pool + 2);
    let app = App::new(store, "us-1");
    let read = targets[0];
    let (app, client, table_name) = (&app, &client, table.name.as_str());
    let admin_key = TokenHash::of(ADMIN).as_str().to_owned();
    let self_key = TokenHash::of(SELF_TOKEN).as_str().to_owned();
    let (admin_key, self_key) = (&admin_key, &self_key);

    let handled = |event: String, what: &'static str| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            let response = app.handle(parse(&event)).await;
            let elapsed = t.elapsed();
            assert_eq!(
                response.status(),
                200,
                "{what}: {}",
                body_text(response.body())
            );
            elapsed
        })
    };

    let get_event = api_event("GET", &format!("/api/v1/admin/apikey/{read}"), &[], ADMIN);
    let get_event = &get_event;
    let warm_get = move |_: usize| handled(get_event.clone(), "get");
    let floor_get = move |_: usize| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            raw_get_caller(client, table_name, admin_key).await;
            let key = raw_key_of(client, table_name, read).await;
            raw_get_item(client, table_name, key).await;
            t.elapsed()
        })
    };
    println!("  get: {n} per side, alternating blocks of {BLOCK}");
    let get = alternate(n, warmup, &warm_get, &floor_get).await;

    let self_event = api_event("GET", "/api/v1/apikey/self", &[], SELF_TOKEN);
    let self_event = &self_event;
    let warm_self = move |_: usize| handled(self_event.clone(), "self");
    let floor_self = move |_: usize| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            raw_get_caller(client, table_name, self_key).await;
            t.elapsed()
        })
    };
    println!("  self: {n} per side, alternating blocks of {BLOCK}");
    let self_view = alternate(n, warmup, &warm_self, &floor_self).await;

    // Rotations: even targets through the handler, odd ones raw.
    let rotate_events: Vec<String> = targets
        .iter()
        .step_by(2)
        .map(|id| {
            api_event(
                "POST",
                &format!("/api/v1/admin/apikey/{id}/rotate"),
                &[("grace", "60")],
                ADMIN,
            )
        })
        .collect();
    let floor_targets: Vec<TokenId> = targets.iter().skip(1).step_by(2).copied().collect();
    let (rotate_events, floor_targets) = (&rotate_events, &floor_targets);
    let warm_rotate = move |i: usize| handled(rotate_events[i].clone(), "rotate");
    let floor_rotate = move |i: usize| -> Timed<'_> {
        Box::pin(async move {
            let old = floor_targets[i];
            let t = Instant::now();
            raw_get_caller(client, table_name, admin_key).await;
            let key = raw_key_of(client, table_name, old).await;
            raw_get_item(client, table_name, key.clone()).await;
            raw_rotate(client, table_name, key, old, i as u64).await;
            t.elapsed()
        })
    };
    println!("  rotate: {n} per side, alternating blocks of {BLOCK}, a fresh token each time");
    let rotate = alternate(n, warmup, &warm_rotate, &floor_rotate).await;
    ReadRotateFigures {
        get,
        self_view,
        rotate,
    }
}
