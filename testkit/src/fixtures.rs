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
