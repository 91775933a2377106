//! A fresh DynamoDB Local table per test, with the production key schema, and the
//! fixtures written into it directly.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use create_api_token::store::dynamodb::{client_from_env, create_table, Timeouts};
use create_api_token::token::TokenHash;

use crate::dynamodb_local::set_local_aws_env;
use crate::fixtures::{dev_fixtures, DevState, DEV_REVOKED_DATE};

/// A fresh table in DynamoDB Local, unique to one test.
pub struct Table {
    /// The table's name, `<prefix>-<pid>-<n>`.
    pub name: String,
    /// A DynamoDB client for DynamoDB Local.
    pub client: Client,
}

impl Table {
    /// Creates `<prefix>-<pid>-<n>` with the production key schema.
    pub async fn new(prefix: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        set_local_aws_env();
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let client = client_from_env(Timeouts::default()).await;
        // DynamoDB Local may still be warming up its JVM: retry briefly.
        let mut tries = 0;
        loop {
            match create_table(&client, &name).await {
                Ok(_) => break,
                Err(e) if tries < 20 => {
                    tries += 1;
                    eprintln!("create_table retry {tries}: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("create table {name}: {e}"),
            }
        }
        Self { name, client }
    }

    /// Stores a token item directly (test fixture), without a `TokenId` (as items written
    /// before TokenIds existed).
    pub async fn seed(&self, token: &str, role: &str, tenant: i64, revoked: Option<bool>) {
        self.seed_item(token, None, role, tenant, revoked).await;
    }

    /// Stores a token item with `TokenId` `token_id` directly (test fixture).
    pub async fn seed_with_id(&self, token: &str, token_id: &str, role: &str, tenant: i64) {
        self.seed_item(token, Some(token_id), role, tenant, None)
            .await;
    }

    async fn seed_item(
        &self,
        token: &str,
        token_id: Option<&str>,
        role: &str,
        tenant: i64,
        revoked: Option<bool>,
    ) {
        let mut req = self
            .client
            .put_item()
            .table_name(&self.name)
            .item(
                "TokenHash",
                AttributeValue::S(TokenHash::of(token).as_str().to_owned()),
            )
            .item("TenantId", AttributeValue::N(tenant.to_string()))
            .item("Role", AttributeValue::S(role.to_owned()))
            .item("Description", AttributeValue::S("fixture".to_owned()))
            .item(
                "DateCreated",
                AttributeValue::S("2026-01-01T00:00:00".to_owned()),
            );
        if let Some(r) = revoked {
            req = req.item("Revoked", AttributeValue::Bool(r));
        }
        if let Some(id) = token_id {
            req = req.item("TokenId", AttributeValue::S(id.to_owned()));
        }
        req.send().await.expect("seed item");
    }

    /// Sets one attribute of the item stored for `token` (e.g. `Revoked`), as an operator
    /// would with the console or the CLI.
    pub async fn set_attribute(&self, token: &str, name: &str, value: AttributeValue) {
        self.client
            .update_item()
            .table_name(&self.name)
            .key(
                "TokenHash",
                AttributeValue::S(TokenHash::of(token).as_str().to_owned()),
            )
            .update_expression("SET #a = :v")
            .expression_attribute_names("#a", name)
            .expression_attribute_values(":v", value)
            .send()
            .await
            .expect("update_item");
    }

    /// Seeds the dev tokens the `events/` files use (`scripts/dev-fixtures.txt`, the list
    /// `scripts/dev-fixtures.sh` imports), with their fixed TokenIds, descriptions and
    /// states: `DateExpires`, `Revoked` (with [`DEV_REVOKED_DATE`]) or `RotatedToId`.
    pub async fn seed_dev_tokens(&self) {
        for fixture in dev_fixtures() {
            self.seed_item(
                &fixture.token,
                Some(&fixture.token_id),
                &fixture.role,
                fixture.tenant,
                None,
            )
            .await;
            self.set_attribute(
                &fixture.token,
                "Description",
                AttributeValue::S(fixture.description.clone()),
            )
            .await;
            let attributes: &[(&str, String)] = match &fixture.state {
                DevState::Active => &[],
                DevState::ExpiresAt(date) => &[("DateExpires", date.clone())],
                DevState::Revoked => &[("DateRevoked", DEV_REVOKED_DATE.to_owned())],
                DevState::RotatedTo(id) => &[("RotatedToId", id.clone())],
            };
            for (name, value) in attributes {
                self.set_attribute(&fixture.token, name, AttributeValue::S(value.clone()))
                    .await;
            }
            if fixture.state == DevState::Revoked {
                self.set_attribute(&fixture.token, "Revoked", AttributeValue::Bool(true))
                    .await;
            }
        }
    }

    /// Every item, keyed by `TokenHash`.
    pub async fn items(&self) -> HashMap<String, HashMap<String, AttributeValue>> {
        let mut out = HashMap::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.name)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            for item in page.items.unwrap_or_default() {
                let key = item["TokenHash"].as_s().unwrap().clone();
                out.insert(key, item);
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return out;
            }
        }
    }

    /// The item stored for `token`, if any.
    pub async fn item_for(&self, token: &str) -> Option<HashMap<String, AttributeValue>> {
        self.client
            .get_item()
            .table_name(&self.name)
            .key(
                "TokenHash",
                AttributeValue::S(TokenHash::of(token).as_str().to_owned()),
            )
            .consistent_read(true)
            .send()
            .await
            .expect("get_item")
            .item
    }
}
