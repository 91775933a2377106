//! The dev fixtures: the documented local-only dev tokens (README, "Dev tokens"), the
//! `events/` files, and the in-memory app holding the dev Administrator.

use create_api_token::token::TokenHash;

use crate::dynamodb_local::repo_root;

/// The dev Administrator token of tenant [`DEV_TENANT`], which the `events/` files carry
/// (README, "Dev tokens"; local-only).
pub const DEV_ADMIN_TOKEN: &str = "localdevadmin000000000001-us-1";
/// The dev Standard token of tenant [`DEV_TENANT`].
pub const DEV_STANDARD_TOKEN: &str = "localdevstandard000000001-us-1";
/// The tenant of the dev tokens.
pub const DEV_TENANT: i64 = 1;
/// TokenId of [`DEV_ADMIN_TOKEN`] (docs/api.md, "Local development"): fixed so that the
/// `events/` files can name it.
pub const DEV_ADMIN_TOKEN_ID: &str = "01KBDEVADM0000000000000001";
/// TokenId of [`DEV_STANDARD_TOKEN`].
pub const DEV_STANDARD_TOKEN_ID: &str = "01KBDEVSTD0000000000000001";
/// A tenant-1 Standard token the revoke events revoke.
pub const DEV_REVOKE_TOKEN: &str = "localdevrevoke00000000001-us-1";
/// TokenId of [`DEV_REVOKE_TOKEN`].
pub const DEV_REVOKE_TOKEN_ID: &str = "01KBDEVREV0000000000000001";
/// A token of another tenant ([`DEV_OTHER_TENANT`]): tenant 1 must neither list nor
/// revoke it.
pub const DEV_OTHER_TENANT_TOKEN: &str = "localdevother000000000002-us-1";
/// TokenId of [`DEV_OTHER_TENANT_TOKEN`].
pub const DEV_OTHER_TENANT_TOKEN_ID: &str = "01KBDEVTN20000000000000001";
/// The other tenant of the dev fixtures.
pub const DEV_OTHER_TENANT: i64 = 2;
/// A tenant-1 Administrator token that expired ([`DEV_EXPIRED_DATE`]): the expired 401 on
/// every path (docs/api.md, "Expiry").
pub const DEV_EXPIRED_TOKEN: &str = "localdevexpired0000000001-us-1";
/// The `TokenId` of [`DEV_EXPIRED_TOKEN`] (sorts before the other tenant-1 fixtures).
pub const DEV_EXPIRED_TOKEN_ID: &str = "01KBDEV0EXP000000000000001";
/// The `DateExpires` of [`DEV_EXPIRED_TOKEN`], in the past.
pub const DEV_EXPIRED_DATE: &str = "2026-01-02T00:00:00";
/// A tenant-1 Standard token that `http-api-rotate-grace-200` rotates with a grace period
/// (nothing else names it).
pub const DEV_ROTATE_GRACE_TOKEN: &str = "localdevrotategrace000001-us-1";
/// TokenId of [`DEV_ROTATE_GRACE_TOKEN`].
pub const DEV_ROTATE_GRACE_TOKEN_ID: &str = "01KBDEVXGR0000000000000001";
/// A tenant-1 Standard token that `rest-rotate-no-grace-200` rotates without grace, so
/// revokes (nothing else names it).
pub const DEV_ROTATE_NOW_TOKEN: &str = "localdevrotatenow00000001-us-1";
/// TokenId of [`DEV_ROTATE_NOW_TOKEN`].
pub const DEV_ROTATE_NOW_TOKEN_ID: &str = "01KBDEVXNW0000000000000001";
/// A tenant-1 Standard token, revoked: rotating it is the "revoked" 409.
pub const DEV_ROTATE_REVOKED_TOKEN: &str = "localdevrotaterevoked0001-us-1";
/// TokenId of [`DEV_ROTATE_REVOKED_TOKEN`].
pub const DEV_ROTATE_REVOKED_TOKEN_ID: &str = "01KBDEVXRV0000000000000001";
/// A tenant-1 Standard token already rotated (its `RotatedToId` is
/// [`DEV_ROTATED_TO_ID`]): rotating it is the "rotated" 409.
pub const DEV_ROTATED_TOKEN: &str = "localdevrotated0000000001-us-1";
/// TokenId of [`DEV_ROTATED_TOKEN`].
pub const DEV_ROTATED_TOKEN_ID: &str = "01KBDEVXRT0000000000000001";
/// The `RotatedToId` of [`DEV_ROTATED_TOKEN`] (no item has it).
pub const DEV_ROTATED_TO_ID: &str = "01KBDEVXRS0000000000000001";
/// The `DateRevoked` the test kit gives the fixtures listed `revoked` (the bootstrap tool's
/// `revoke` gives the time of the import).
pub const DEV_REVOKED_DATE: &str = "2026-01-03T00:00:00";

/// What a dev fixture is besides its token (`scripts/dev-fixtures.txt`, column `state`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevState {
    /// `-`: an ordinary token.
    Active,
    /// `expires-at=DATE`: its `DateExpires`.
    ExpiresAt(String),
    /// `revoked`: revoked after the import.
    Revoked,
    /// `rotated-to=ID`: its `RotatedToId`.
    RotatedTo(String),
}

/// One line of `scripts/dev-fixtures.txt`, the one list of the dev tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevFixture {
    /// `TenantId`.
    pub tenant: i64,
    /// `Role`.
    pub role: String,
    /// The token (local-only, published).
    pub token: String,
    /// Its fixed `TokenId`.
    pub token_id: String,
    /// The description `scripts/dev-fixtures.sh` stores: the list's, then ` (events/)`.
    pub description: String,
    /// Expired, revoked, rotated, or none of these.
    pub state: DevState,
}

/// Every dev token of `scripts/dev-fixtures.txt`, in the list's order.
///
/// # Panics
/// If the list cannot be read or a line is malformed.
pub fn dev_fixtures() -> Vec<DevFixture> {
    let path = repo_root().join("scripts").join("dev-fixtures.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 6, "scripts/dev-fixtures.txt: {line}");
            let state = match f[5] {
                "-" => DevState::Active,
                "revoked" => DevState::Revoked,
                s => match s.split_once('=') {
                    Some(("expires-at", date)) => DevState::ExpiresAt(date.to_owned()),
                    Some(("rotated-to", id)) => DevState::RotatedTo(id.to_owned()),
                    _ => panic!("scripts/dev-fixtures.txt: unknown state in {line}"),
                },
            };
            DevFixture {
                tenant: f[0].parse().expect("tenant"),
                role: f[1].to_owned(),
                token: f[2].to_owned(),
                token_id: f[3].to_owned(),
                description: format!("{} (events/)", f[4]),
                state,
            }
        })
        .collect()
}

/// Reads a file from `events/`.
pub fn event_file(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("events").join(name))
        .unwrap_or_else(|e| panic!("events/{name}: {e}"))
}

/// Every `events/*.json` file name (not the `raw/` references), sorted.
pub fn event_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("events"))
        .expect("events/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// The status an event file promises: the three digits before `.json`.
pub fn expected_status(name: &str) -> Option<u16> {
    let stem = name.strip_suffix(".json")?;
    let code = stem.rsplit('-').next()?;
    (code.len() == 3).then(|| code.parse().ok()).flatten()
}

/// An `events/` file parsed as JSON, to adapt into a variant.
pub fn event_value(name: &str) -> serde_json::Value {
    serde_json::from_str(&event_file(name)).unwrap_or_else(|e| panic!("events/{name}: {e}"))
}

/// Sets header `name` (replacing any spelling of it) in an API Gateway / ALB event's
/// `headers` and, when the event has them, `multiValueHeaders`.
pub fn set_event_header(event: &mut serde_json::Value, name: &str, value: &str) {
    for (field, new) in [
        ("headers", serde_json::Value::from(value)),
        ("multiValueHeaders", serde_json::json!([value])),
    ] {
        if let Some(map) = event.get_mut(field).and_then(|h| h.as_object_mut()) {
            map.retain(|k, _| !k.eq_ignore_ascii_case(name));
            map.insert(name.to_owned(), new);
        } else if field == "headers" {
            event[field] = serde_json::json!({ name: value });
        }
    }
}

/// The endpoint over the in-memory store, holding the dev Administrator token (tenant
/// `DEV_TENANT`), for in-process tests and the handler-cost benchmark.
pub fn memory_app_with_dev_admin(
) -> create_api_token::App<create_api_token::store::memory::MemoryStore> {
    use create_api_token::store::memory::{MemoryItem, MemoryStore};
    let store = MemoryStore::new();
    store.insert(
        &TokenHash::of(DEV_ADMIN_TOKEN),
        MemoryItem {
            token_id: create_api_token::token_id::TokenId::parse(DEV_ADMIN_TOKEN_ID),
            tenant_id: DEV_TENANT,
            role: Some("Administrator".to_owned()),
            description: "fixture".to_owned(),
            date_created: "2026-01-01T00:00:00".to_owned(),
            ..MemoryItem::default()
        },
    );
    create_api_token::App::new(store, "us-1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use create_api_token::token::Token;
    use create_api_token::token_id::TokenId;

    /// The names of this file are the list's tokens, with their TokenIds, roles, tenants
    /// and states, and the list holds nothing else.
    #[test]
    fn the_named_dev_tokens_are_those_of_the_one_list() {
        let named = [
            (
                DEV_ADMIN_TOKEN,
                DEV_ADMIN_TOKEN_ID,
                "Administrator",
                DEV_TENANT,
                DevState::Active,
            ),
            (
                DEV_STANDARD_TOKEN,
                DEV_STANDARD_TOKEN_ID,
                "Standard",
                DEV_TENANT,
                DevState::Active,
            ),
            (
                DEV_REVOKE_TOKEN,
                DEV_REVOKE_TOKEN_ID,
                "Standard",
                DEV_TENANT,
                DevState::Active,
            ),
            (
                DEV_OTHER_TENANT_TOKEN,
                DEV_OTHER_TENANT_TOKEN_ID,
                "Standard",
                DEV_OTHER_TENANT,
                DevState::Active,
            ),
            (
                DEV_EXPIRED_TOKEN,
                DEV_EXPIRED_TOKEN_ID,
                "Administrator",
                DEV_TENANT,
                DevState::ExpiresAt(DEV_EXPIRED_DATE.to_owned()),
            ),
            (
                DEV_ROTATE_GRACE_TOKEN,
                DEV_ROTATE_GRACE_TOKEN_ID,
                "Standard",
                DEV_TENANT,
                DevState::Active,
            ),
            (
                DEV_ROTATE_NOW_TOKEN,
                DEV_ROTATE_NOW_TOKEN_ID,
                "Standard",
                DEV_TENANT,
                DevState::Active,
            ),
            (
                DEV_ROTATE_REVOKED_TOKEN,
                DEV_ROTATE_REVOKED_TOKEN_ID,
                "Standard",
                DEV_TENANT,
                DevState::Revoked,
            ),
            (
                DEV_ROTATED_TOKEN,
                DEV_ROTATED_TOKEN_ID,
                "Standard",
                DEV_TENANT,
                DevState::RotatedTo(DEV_ROTATED_TO_ID.to_owned()),
            ),
        ];
        let list = dev_fixtures();
        let listed: Vec<_> = list
            .iter()
            .map(|f| {
                (
                    f.token.as_str(),
                    f.token_id.as_str(),
                    f.role.as_str(),
                    f.tenant,
                    f.state.clone(),
                )
            })
            .collect();
        assert_eq!(listed, named);
        let mut ids: Vec<&str> = list.iter().map(|f| f.token_id.as_str()).collect();
        ids.push(DEV_ROTATED_TO_ID);
        for id in &ids {
            assert!(TokenId::parse(id).is_some(), "{id} is no ULID");
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), list.len() + 1, "a TokenId twice");
        for f in &list {
            assert!(Token::parse(&f.token, "us-1").is_some(), "{}", f.token);
            assert!(create_api_token::description::validate(Some(&f.description)).is_ok());
        }
        // The rotation targets sort after the Standard token: the list's page 2 `before`
        // it (the events' `*-list-page-2-200`) holds the revoke target and the admin.
        for id in [
            DEV_ROTATE_GRACE_TOKEN_ID,
            DEV_ROTATE_NOW_TOKEN_ID,
            DEV_ROTATE_REVOKED_TOKEN_ID,
            DEV_ROTATED_TOKEN_ID,
        ] {
            assert!(id > DEV_STANDARD_TOKEN_ID, "{id}");
        }
    }
}
