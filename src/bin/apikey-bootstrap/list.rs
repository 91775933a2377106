//! `list --tenant N`: every item of the tenant, items without a `TokenId` included.

use create_api_token::store::dynamodb::{client_from_env, DynamoDbStore, OperatorError, Timeouts};
use create_api_token::Config;

use crate::error::{store_error, BootstrapError};
use crate::print::{print, sort_newest_first};

/// Reads the tenant with the store's strongly consistent, filtered `Scan` of the whole
/// table ([`DynamoDbStore::scan_tenant`]), because items without a `TokenId` are not in the
/// `TenantTokens` index (an operator's tool: the function itself never scans, its IAM
/// policy does not allow it), with one progress line on stderr per page. Printed as JSON
/// lines, TokenIds newest first, then the items without one, newest `DateCreated` first.
pub(crate) async fn list(config: &Config, tenant: i64) -> Result<(), BootstrapError> {
    let store = DynamoDbStore::new(
        client_from_env(Timeouts::default()).await,
        &config.table_name,
    );
    let mut items = store
        .scan_tenant(tenant, |progress| {
            eprintln!(
                "scanned {} items of table {}, {} of tenant {tenant} so far...",
                progress.scanned, config.table_name, progress.found
            );
        })
        .await
        .map_err(|e| match e {
            OperatorError::NoTable => BootstrapError::NoTable(config.table_name.clone()),
            OperatorError::Store(e) => store_error("could not scan the table")(e),
        })?;
    sort_newest_first(&mut items);
    for item in &items {
        print(item)?;
    }
    let without_id = items.iter().filter(|i| i.token_id.is_none()).count();
    eprintln!(
        "tenant {tenant}: {} items ({without_id} without TokenId) in table {}",
        items.len(),
        config.table_name
    );
    Ok(())
}
