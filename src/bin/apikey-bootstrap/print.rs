//! Items as the tool prints them: one JSON line each on stdout, the API's list item
//! (docs/api.md, "Listing"), same fields in the same order, with `TokenId` null for items
//! written before TokenIds existed and null for any attribute the item lacks. Never the
//! token nor its digest.

use serde::Serialize;

use create_api_token::store::TenantItem;

use crate::error::BootstrapError;

/// One item as `list` and `revoke` print it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct PrintedItem<'a> {
    token_id: Option<&'a str>,
    date_created: Option<&'a str>,
    description: Option<&'a str>,
    tenant_id: Option<i64>,
    role: Option<&'a str>,
    revoked: bool,
    date_revoked: Option<&'a str>,
    /// The creating token's `TokenId` (attribute `CreatedById`), as in the API.
    created_by: Option<&'a str>,
    date_expires: Option<&'a str>,
    date_last_used: Option<&'a str>,
}

impl<'a> From<&'a TenantItem> for PrintedItem<'a> {
    fn from(item: &'a TenantItem) -> Self {
        Self {
            token_id: item.token_id.as_deref(),
            date_created: item.date_created.as_deref(),
            description: item.description.as_deref(),
            tenant_id: item.tenant_id,
            role: item.role.as_deref(),
            revoked: item.revoked,
            date_revoked: item.date_revoked.as_deref(),
            created_by: item.created_by_id.as_deref(),
            date_expires: item.date_expires.as_deref(),
            date_last_used: item.date_last_used.as_deref(),
        }
    }
}

/// Prints `item` as one JSON line on stdout.
pub(crate) fn print(item: &TenantItem) -> Result<(), BootstrapError> {
    let line = serde_json::to_string(&PrintedItem::from(item))
        .map_err(|e| BootstrapError::Internal(e.to_string()))?;
    println!("{line}");
    Ok(())
}

/// "revoked `TokenId` (tenant N), DateRevoked D" for stderr.
pub(crate) fn describe_revocation(item: &TenantItem) -> String {
    let tenant = item
        .tenant_id
        .map_or_else(|| "?".to_owned(), |t| t.to_string());
    format!(
        "revoked {} (tenant {tenant}), DateRevoked {}",
        item.token_id.as_deref().unwrap_or("(no TokenId)"),
        item.date_revoked.as_deref().unwrap_or("(none)")
    )
}

/// The order `list` prints: TokenIds (ULIDs, time first) descending, then the items
/// without one, newest `DateCreated` first.
pub(crate) fn sort_newest_first(items: &mut [TenantItem]) {
    items.sort_by(|a, b| {
        (b.token_id.is_some(), &b.token_id, &b.date_created).cmp(&(
            a.token_id.is_some(),
            &a.token_id,
            &a.date_created,
        ))
    });
}
