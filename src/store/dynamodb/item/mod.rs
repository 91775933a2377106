//! The token item as DynamoDB holds it, in ONE place: the attribute names ([`attr`]), the
//! mapping of records to items and back, and the fail-closed rules of reading them (a
//! `Revoked` that is not `BOOL false` is revoked; a `TenantId` that is not an integer
//! makes the item unusable). The function's store and the bootstrap tool's operator
//! operations both read items through here.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::dates;
use crate::lifetime::Expiry;
use crate::store::rotation::OldToken;
use crate::store::{CallerRecord, NewTokenItem, StoreError, TenantItem, TokenSummary};
use crate::token_id::TokenId;

/// An item: attribute name -> value.
pub type Item = HashMap<String, AttributeValue>;

/// Attribute names of the token table (docs/api.md, "Storage").
pub mod attr {
    /// Partition key (S): lower-case hex SHA-256 of the token.
    pub const TOKEN_HASH: &str = "TokenHash";
    /// (N) the tenant the token acts for.
    pub const TENANT_ID: &str = "TenantId";
    /// (S) `Administrator` or `Standard`.
    pub const ROLE: &str = "Role";
    /// (S) the description as given.
    pub const DESCRIPTION: &str = "Description";
    /// (S) `YYYY-MM-DDTHH:MM:SS` UTC.
    pub const DATE_CREATED: &str = "DateCreated";
    /// (S) `TokenHash` of the creating token.
    pub const CREATED_BY: &str = "CreatedBy";
    /// (BOOL) `true` disables the token.
    pub const REVOKED: &str = "Revoked";
    /// (S) the item's ULID; sort key of the `TenantTokens` index.
    pub const TOKEN_ID: &str = "TokenId";
    /// (S) `TokenId` of the creating token, when it had one.
    pub const CREATED_BY_ID: &str = "CreatedById";
    /// (S) when the token was revoked, `YYYY-MM-DDTHH:MM:SS` UTC.
    pub const DATE_REVOKED: &str = "DateRevoked";
    /// (S) `TokenId` of the revoking token.
    pub const REVOKED_BY_ID: &str = "RevokedById";
    /// (S) when the token stops working, `YYYY-MM-DDTHH:MM:SS` UTC; absent: never.
    pub const DATE_EXPIRES: &str = "DateExpires";
    /// (S) the token's last authenticated use, to within 5 minutes.
    pub const DATE_LAST_USED: &str = "DateLastUsed";
    /// (S) `TokenId` of the token this one replaced (rotation).
    pub const ROTATED_FROM_ID: &str = "RotatedFromId";
    /// (S) `TokenId` of the token that replaced this one (rotation).
    pub const ROTATED_TO_ID: &str = "RotatedToId";
}

/// The attributes of a [`TenantItem`], in the order of its fields: what the operator's
/// scan projects.
pub const TENANT_ITEM_ATTRIBUTES: [&str; 10] = [
    attr::TOKEN_ID,
    attr::DATE_CREATED,
    attr::DESCRIPTION,
    attr::TENANT_ID,
    attr::ROLE,
    attr::REVOKED,
    attr::DATE_REVOKED,
    attr::CREATED_BY_ID,
    attr::DATE_EXPIRES,
    attr::DATE_LAST_USED,
];

impl From<&NewTokenItem> for Item {
    fn from(item: &NewTokenItem) -> Self {
        item_attributes(item)
    }
}

impl From<&Item> for TenantItem {
    /// Any item, read leniently as the operator sees it: an attribute that is missing or of
    /// the wrong type is `None`; `Revoked` fails closed as authentication reads it.
    fn from(item: &Item) -> Self {
        Self {
            token_id: string_attribute(item, attr::TOKEN_ID),
            date_created: string_attribute(item, attr::DATE_CREATED),
            description: string_attribute(item, attr::DESCRIPTION),
            tenant_id: integer_attribute(item, attr::TENANT_ID),
            role: string_attribute(item, attr::ROLE),
            revoked: is_revoked(item),
            date_revoked: string_attribute(item, attr::DATE_REVOKED),
            created_by_id: string_attribute(item, attr::CREATED_BY_ID),
            date_expires: string_attribute(item, attr::DATE_EXPIRES),
            date_last_used: string_attribute(item, attr::DATE_LAST_USED),
        }
    }
}

/// The attributes of a new token item (docs/api.md, "Storage"); `CreatedBy` and
/// `CreatedById` only if known.
pub fn item_attributes(item: &NewTokenItem) -> Item {
    let mut attributes = Item::with_capacity(9);
    let mut put = |name: &str, value: AttributeValue| {
        attributes.insert(name.to_owned(), value);
    };
    put(
        attr::TOKEN_HASH,
        AttributeValue::S(item.token_hash.as_str().to_owned()),
    );
    put(attr::TOKEN_ID, AttributeValue::S(item.token_id.to_string()));
    put(
        attr::TENANT_ID,
        AttributeValue::N(item.tenant_id.to_string()),
    );
    put(attr::ROLE, AttributeValue::S(item.role.clone()));
    put(
        attr::DESCRIPTION,
        AttributeValue::S(item.description.clone()),
    );
    put(
        attr::DATE_CREATED,
        AttributeValue::S(item.date_created.clone()),
    );
    if let Some(created_by) = &item.created_by {
        put(
            attr::CREATED_BY,
            AttributeValue::S(created_by.as_str().to_owned()),
        );
    }
    if let Some(created_by_id) = &item.created_by_id {
        put(
            attr::CREATED_BY_ID,
            AttributeValue::S(created_by_id.to_string()),
        );
    }
    if let Some(date_expires) = &item.date_expires {
        put(attr::DATE_EXPIRES, AttributeValue::S(date_expires.clone()));
    }
    if let Some(rotated_from_id) = &item.rotated_from_id {
        put(
            attr::ROTATED_FROM_ID,
            AttributeValue::S(rotated_from_id.to_string()),
        );
    }
    attributes
}

/// `DateExpires`: absent is [`Expiry::Never`]; an S in the `YYYY-MM-DDTHH:MM:SS` format is
/// [`Expiry::At`]; anything else (another format, another type) is [`Expiry::Unreadable`],
/// which makes the token unusable (fail closed).
fn expiry(item: &Item) -> Expiry {
    match item.get(attr::DATE_EXPIRES) {
        None => Expiry::Never,
        Some(AttributeValue::S(text)) => Expiry::from_stored(text),
        Some(_) => Expiry::Unreadable,
    }
}

/// The token to rotate as its item now is, if it is `tenant_id`'s token `token_id`
/// (`None` otherwise: the rotation's 404).
pub(super) fn old_token_from_item(item: &Item, tenant_id: i64, token_id: &str) -> Option<OldToken> {
    if integer_attribute(item, attr::TENANT_ID) != Some(tenant_id)
        || string_attribute(item, attr::TOKEN_ID).as_deref() != Some(token_id)
    {
        return None;
    }
    Some(OldToken {
        role: string_attribute(item, attr::ROLE),
        description: string_attribute(item, attr::DESCRIPTION).unwrap_or_default(),
        date_created: string_attribute(item, attr::DATE_CREATED).and_then(|d| dates::parse(&d)),
        expiry: expiry(item),
        revoked: is_revoked(item),
        rotated: item.contains_key(attr::ROTATED_TO_ID),
    })
}

/// `Revoked`: absent or `BOOL false` is not revoked; anything else is (fail closed).
fn is_revoked(item: &Item) -> bool {
    !matches!(
        item.get(attr::REVOKED),
        None | Some(AttributeValue::Bool(false))
    )
}

fn string_attribute(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
}

/// The item's `TenantId` (N), if it has a readable one.
pub(super) fn item_tenant(item: &Item) -> Option<i64> {
    integer_attribute(item, attr::TENANT_ID)
}

fn integer_attribute(item: &Item, name: &str) -> Option<i64> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

impl TryFrom<&Item> for CallerRecord {
    type Error = StoreError;

    /// Reads the caller's record from its item.
    ///
    /// - `TenantId` must be an integer N, else [`StoreError::Internal`] (a corrupt item).
    /// - `Role` is kept only if it is an S; `TokenId` only if it is a valid ULID.
    /// - `Revoked`: absent or `BOOL false` is not revoked; anything else is (fail closed).
    /// - `DateExpires`: absent is never, unreadable fails closed (`expiry`).
    /// - `DateLastUsed`: kept only if it is an S.
    fn try_from(item: &Item) -> Result<Self, StoreError> {
        caller_from_item(item)
    }
}

fn caller_from_item(item: &Item) -> Result<CallerRecord, StoreError> {
    if is_revoked(item) {
        // A revoked token is refused (401) whatever else its item holds.
        return Ok(CallerRecord {
            revoked: true,
            ..CallerRecord::default()
        });
    }
    let tenant_id = integer_attribute(item, attr::TENANT_ID)
        .ok_or_else(|| StoreError::Internal("caller item has no integer TenantId".to_owned()))?;
    Ok(CallerRecord {
        tenant_id,
        role: string_attribute(item, attr::ROLE),
        revoked: false,
        token_id: string_attribute(item, attr::TOKEN_ID).and_then(|s| TokenId::parse(&s)),
        expiry: expiry(item),
        date_last_used: string_attribute(item, attr::DATE_LAST_USED),
        date_created: string_attribute(item, attr::DATE_CREATED).unwrap_or_default(),
        description: string_attribute(item, attr::DESCRIPTION).unwrap_or_default(),
        date_revoked: string_attribute(item, attr::DATE_REVOKED),
        created_by_id: string_attribute(item, attr::CREATED_BY_ID).and_then(|s| TokenId::parse(&s)),
    })
}

/// The attributes of the caller's item that authentication and the caller's own view
/// read: the consistent `GetItem`'s projection (never `TokenHash` nor `CreatedBy`).
/// `Role` is a DynamoDB reserved word, hence the placeholder `#role`
/// ([`CALLER_PROJECTION_NAMES`]).
pub const CALLER_PROJECTION: &str =
    "TenantId, #role, Revoked, TokenId, DateCreated, Description, DateRevoked, CreatedById, \
     DateExpires, DateLastUsed";

/// The placeholders of [`CALLER_PROJECTION`].
pub const CALLER_PROJECTION_NAMES: [(&str, &str); 1] = [("#role", attr::ROLE)];

/// A token item read by key for `GET {TokenId}`: shown only if it is the tenant's token
/// with that id and can be shown ([`summary_from_item`]); `None` otherwise, one answer for
/// every reason (no cross-tenant oracle).
pub(super) fn token_of_tenant(
    item: &Item,
    tenant_id: i64,
    token_id: TokenId,
) -> Option<TokenSummary> {
    summary_from_item(item, tenant_id)
        .ok()
        .filter(|summary| summary.token_id == token_id)
}

/// A listed item the function cannot show (docs/api.md, "Listing"): written by hand or by
/// a script, with a `TokenId` that is not a ULID, a required attribute missing, or an
/// attribute of the wrong type. It is left out of the page, never failing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unshowable {
    /// The item's `TokenId` as stored (the index's sort key, so always a string), to name
    /// it in the log.
    pub token_id: String,
}

/// Reads a listed or revoked item of `tenant_id`, or says it cannot be shown.
///
/// Shown only with: a `TokenId` (S) that is a ULID; `TenantId` (N) equal to `tenant_id`;
/// `DateCreated` (S) and `Description` (S). `Role` (S), `DateRevoked` (S) and
/// `CreatedById` (S, a ULID) may be absent, but not of another type. `Revoked` is read as
/// authentication reads it (anything but absent or `BOOL false` is revoked: fail closed).
///
/// # Errors
/// [`Unshowable`], naming the item by its stored `TokenId`.
pub fn summary_from_item(item: &Item, tenant_id: i64) -> Result<TokenSummary, Unshowable> {
    let unshowable = || Unshowable {
        token_id: match item.get(attr::TOKEN_ID) {
            Some(AttributeValue::S(s)) => s.clone(),
            _ => String::new(),
        },
    };
    let required = |name| string_attribute(item, name).ok_or_else(unshowable);
    let optional = |name| match item.get(name) {
        None => Ok(None),
        Some(AttributeValue::S(s)) => Ok(Some(s.clone())),
        Some(_) => Err(unshowable()),
    };
    let token_id = TokenId::parse(&required(attr::TOKEN_ID)?).ok_or_else(unshowable)?;
    if integer_attribute(item, attr::TENANT_ID) != Some(tenant_id) {
        return Err(unshowable());
    }
    let created_by_id = match optional(attr::CREATED_BY_ID)? {
        None => None,
        Some(id) => Some(TokenId::parse(&id).ok_or_else(unshowable)?),
    };
    Ok(TokenSummary {
        token_id,
        date_created: required(attr::DATE_CREATED)?,
        description: required(attr::DESCRIPTION)?,
        tenant_id,
        role: optional(attr::ROLE)?,
        revoked: is_revoked(item),
        date_revoked: optional(attr::DATE_REVOKED)?,
        created_by_id,
        date_expires: optional(attr::DATE_EXPIRES)?,
        date_last_used: optional(attr::DATE_LAST_USED)?,
    })
}

#[cfg(test)]
mod tests;
