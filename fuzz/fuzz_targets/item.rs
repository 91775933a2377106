//! The item decoder: any attribute map (names the table uses and others, values of every
//! DynamoDB type) read as a caller, as a listed item and as the operator's view. Nothing
//! panics; a listed item is either shown with the tenant asked for or named unshowable.
#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use aws_sdk_dynamodb::types::AttributeValue;
use create_api_token::store::dynamodb::{attr, summary_from_item, Item};
use create_api_token::store::{CallerRecord, TenantItem};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Value {
    S(String),
    N(String),
    Bool(bool),
    Null(bool),
    B(Vec<u8>),
    Ss(Vec<String>),
    Ns(Vec<String>),
    L(Vec<Value>),
    M(Vec<(String, Value)>),
}

impl From<Value> for AttributeValue {
    fn from(v: Value) -> Self {
        match v {
            Value::S(s) => Self::S(s),
            Value::N(n) => Self::N(n),
            Value::Bool(b) => Self::Bool(b),
            Value::Null(n) => Self::Null(n),
            Value::B(b) => Self::B(b.into()),
            Value::Ss(s) => Self::Ss(s),
            Value::Ns(n) => Self::Ns(n),
            Value::L(l) => Self::L(l.into_iter().map(Into::into).collect()),
            Value::M(m) => Self::M(m.into_iter().map(|(k, v)| (k, v.into())).collect()),
        }
    }
}

const NAMES: [&str; 11] = [
    attr::TOKEN_HASH,
    attr::TENANT_ID,
    attr::ROLE,
    attr::DESCRIPTION,
    attr::DATE_CREATED,
    attr::CREATED_BY,
    attr::REVOKED,
    attr::TOKEN_ID,
    attr::CREATED_BY_ID,
    attr::DATE_REVOKED,
    attr::REVOKED_BY_ID,
];

#[derive(Debug, Arbitrary)]
struct Input {
    tenant: i64,
    known: Vec<(u8, Value)>,
    other: Vec<(String, Value)>,
}

fuzz_target!(|input: Input| {
    let mut item: Item = HashMap::new();
    for (i, v) in input.known {
        item.insert(NAMES[usize::from(i) % NAMES.len()].to_owned(), v.into());
    }
    for (k, v) in input.other {
        item.insert(k, v.into());
    }
    let _ = CallerRecord::try_from(&item);
    let _ = TenantItem::from(&item);
    if let Ok(shown) = summary_from_item(&item, input.tenant) {
        assert_eq!(shown.tenant_id, input.tenant);
    }
});
