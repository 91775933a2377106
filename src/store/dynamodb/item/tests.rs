//! The item mapping's rules, each on hand-written items (the fail-closed reads above all).
use super::*;

fn item(pairs: &[(&str, AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

#[test]
fn caller_record_from_item() {
    let r = caller_from_item(&item(&[
        ("TenantId", AttributeValue::N("42".into())),
        ("Role", AttributeValue::S("Administrator".into())),
    ]))
    .unwrap();
    assert_eq!(r.tenant_id, 42);
    assert!(r.is_administrator());
    assert!(!r.revoked);
}

#[test]
fn expiry_fails_closed_and_last_use_is_read() {
    let with = |v: Option<AttributeValue>| {
        let mut i = item(&[
            ("TenantId", AttributeValue::N("1".into())),
            (
                "DateLastUsed",
                AttributeValue::S("2026-12-07T09:00:00".into()),
            ),
        ]);
        if let Some(v) = v {
            i.insert("DateExpires".into(), v);
        }
        caller_from_item(&i).unwrap()
    };
    assert_eq!(with(None).expiry, Expiry::Never);
    assert_eq!(
        with(None).date_last_used.as_deref(),
        Some("2026-12-07T09:00:00")
    );
    assert_eq!(
        with(Some(AttributeValue::S("2026-12-07T10:00:00".into()))).expiry,
        Expiry::At(time::macros::datetime!(2026-12-07 10:00:00 UTC))
    );
    for bad in [
        AttributeValue::S("2026-12-07T10:00:00Z".into()),
        AttributeValue::S(String::new()),
        AttributeValue::N("1800000000".into()),
        AttributeValue::Null(true),
        AttributeValue::Bool(false),
    ] {
        assert_eq!(
            with(Some(bad.clone())).expiry,
            Expiry::Unreadable,
            "{bad:?}"
        );
    }
    // Written only when the new token expires.
    let mut new = NewTokenItem {
        token_hash: crate::token::TokenHash::of("x"),
        token_id: TokenId::parse("01KBTEST000000000000000001").unwrap(),
        tenant_id: 1,
        role: "Standard".into(),
        description: String::new(),
        date_created: "2026-12-07T10:00:00".into(),
        created_by: None,
        created_by_id: None,
        date_expires: None,
        rotated_from_id: None,
    };
    assert!(!item_attributes(&new).contains_key("DateExpires"));
    new.date_expires = Some("2026-12-08T10:00:00".into());
    assert_eq!(
        item_attributes(&new)["DateExpires"],
        AttributeValue::S("2026-12-08T10:00:00".into())
    );
}

#[test]
fn revoked_fails_closed() {
    let base = [("TenantId", AttributeValue::N("1".into()))];
    let with = |v: AttributeValue| {
        let mut i = item(&base);
        i.insert("Revoked".into(), v);
        caller_from_item(&i).unwrap().revoked
    };
    assert!(!caller_from_item(&item(&base)).unwrap().revoked);
    assert!(!with(AttributeValue::Bool(false)));
    assert!(with(AttributeValue::Bool(true)));
    assert!(with(AttributeValue::S("false".into())));
    assert!(with(AttributeValue::Null(true)));
}

#[test]
fn roles_other_than_exact_administrator_are_not_admin() {
    for role in [
        Some(AttributeValue::S("administrator".into())),
        Some(AttributeValue::S("Administrator ".into())),
        Some(AttributeValue::S("Standard".into())),
        Some(AttributeValue::Ss(vec!["Administrator".into()])),
        None,
    ] {
        let mut i = item(&[("TenantId", AttributeValue::N("1".into()))]);
        if let Some(r) = role {
            i.insert("Role".into(), r);
        }
        assert!(!caller_from_item(&i).unwrap().is_administrator());
    }
}

#[test]
fn tenant_must_be_an_integer() {
    for t in [
        Some(AttributeValue::N("1.5".into())),
        Some(AttributeValue::S("1".into())),
        None,
    ] {
        let mut i = item(&[]);
        if let Some(t) = t {
            i.insert("TenantId".into(), t);
        }
        assert!(matches!(caller_from_item(&i), Err(StoreError::Internal(_))));
    }
}

#[test]
fn an_operator_reads_any_item_with_the_same_revoked_rule() {
    let legacy = TenantItem::from(&item(&[
        ("TenantId", AttributeValue::N("3".into())),
        ("TokenId", AttributeValue::S("not-a-ulid".into())),
        ("Revoked", AttributeValue::S("false".into())),
    ]));
    assert_eq!(legacy.tenant_id, Some(3));
    assert_eq!(legacy.token_id.as_deref(), Some("not-a-ulid"));
    assert!(legacy.revoked, "fail closed, as for the caller");
    assert_eq!(legacy.role, None);
    assert!(!TenantItem::from(&item(&[])).revoked);
}

#[test]
fn listed_items_that_cannot_be_shown_are_named_not_failed() {
    let good = || {
        item(&[
            (
                "TokenId",
                AttributeValue::S("01KBDEVSTD0000000000000001".into()),
            ),
            ("TenantId", AttributeValue::N("1".into())),
            (
                "DateCreated",
                AttributeValue::S("2026-04-18T12:00:00".into()),
            ),
            ("Description", AttributeValue::S("".into())),
        ])
    };
    let shown = summary_from_item(&good(), 1).unwrap();
    assert_eq!((shown.role, shown.revoked), (None, false));
    let named = |token_id: &str| {
        Err(Unshowable {
            token_id: token_id.to_owned(),
        })
    };
    let id = "01KBDEVSTD0000000000000001";
    for (name, value) in [
        ("TokenId", Some(AttributeValue::S("not-a-ulid".into()))),
        ("TenantId", Some(AttributeValue::N("2".into()))),
        ("TenantId", Some(AttributeValue::N("1.5".into()))),
        ("DateCreated", None),
        ("DateCreated", Some(AttributeValue::N("1".into()))),
        ("Description", None),
        ("Description", Some(AttributeValue::Bool(true))),
        (
            "Role",
            Some(AttributeValue::Ss(vec!["Administrator".into()])),
        ),
        ("DateRevoked", Some(AttributeValue::N("0".into()))),
        ("CreatedById", Some(AttributeValue::S("nobody".into()))),
        ("CreatedById", Some(AttributeValue::Null(true))),
    ] {
        let mut i = good();
        match value {
            Some(v) => i.insert(name.into(), v),
            None => i.remove(name),
        };
        let expected = if name == "TokenId" { "not-a-ulid" } else { id };
        assert_eq!(summary_from_item(&i, 1), named(expected), "{name}");
    }
    let mut revoked = good();
    revoked.insert("Revoked".into(), AttributeValue::S("false".into()));
    assert!(
        summary_from_item(&revoked, 1).unwrap().revoked,
        "fail closed"
    );
}
