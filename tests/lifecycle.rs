//! The token lifecycle through the real binary against DynamoDB Local (the table, its
//! `TenantTokens` index and the function's consistent reads): tenant isolation both ways,
//! revocation on the very next request, and paging that returns every token once.

use std::collections::HashSet;

use create_api_token::token::TokenHash;
use testkit::*;

/// Two tenants, each with an Administrator token that has a TokenId.
const ADMIN_A: &str = "lifecycleadmintenanta0010-us-1";
const ADMIN_A_ID: &str = "01KBM1FECYC1EA000000000010";
const ADMIN_B: &str = "lifecycleadmintenantb0011-us-1";
const ADMIN_B_ID: &str = "01KBM1FECYC1EB000000000011";
const TENANT_A: i64 = 10;
const TENANT_B: i64 = 11;

/// An HTTP API (payload 2.0) event: `method` on `raw_path` with `query`, presenting
/// `token` as a bearer token.
fn request(method: &str, raw_path: &str, query: &str, token: &str) -> String {
    events::http_api(method, raw_path)
        .query(query)
        .bearer(token)
        .to_string()
}

fn create(token: &str) -> String {
    request(
        "POST",
        "/api/v1/admin/apikey",
        "description=lifecycle",
        token,
    )
}

fn list(query: &str, token: &str) -> String {
    request("GET", "/api/v1/admin/apikey", query, token)
}

fn revoke(token_id: &str, token: &str) -> String {
    request(
        "DELETE",
        &format!("/api/v1/admin/apikey/{token_id}"),
        "",
        token,
    )
}

async fn setup(prefix: &str) -> (Table, Function) {
    let table = Table::new(prefix).await;
    table
        .seed_with_id(ADMIN_A, ADMIN_A_ID, "Administrator", TENANT_A)
        .await;
    table
        .seed_with_id(ADMIN_B, ADMIN_B_ID, "Administrator", TENANT_B)
        .await;
    let function = Function::start(&table.name, &[]).await;
    (table, function)
}

/// Creates `n` tokens as `admin`: (token, TokenId), oldest first.
async fn create_n(function: &Function, admin: &str, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let r = function.call(&create(admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let token = r.json()["Response"]["token"]["Token"]
            .as_str()
            .unwrap()
            .to_owned();
        let id = r.header("api-token-id").expect("Api-Token-Id").to_owned();
        out.push((token, id));
    }
    out
}

fn listed_ids(response: &HttpResponse) -> Vec<String> {
    response.json()["Response"]["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t["TokenId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_can_neither_list_nor_revoke_each_others_tokens() {
    let (table, function) = setup("isolation").await;
    let tokens_a = create_n(&function, ADMIN_A, 3).await;
    let tokens_b = create_n(&function, ADMIN_B, 3).await;

    for (admin, own, foreign, own_admin_id) in [
        (ADMIN_A, &tokens_a, &tokens_b, ADMIN_A_ID),
        (ADMIN_B, &tokens_b, &tokens_a, ADMIN_B_ID),
    ] {
        // Lists hold exactly the caller's tenant's tokens.
        let r = function.call(&list("", admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let ids: HashSet<String> = listed_ids(&r).into_iter().collect();
        let expected: HashSet<String> = own
            .iter()
            .map(|(_, id)| id.clone())
            .chain([own_admin_id.to_owned()])
            .collect();
        assert_eq!(ids, expected);
        for (token, id) in foreign {
            assert!(!r.body.contains(id.as_str()));
            assert!(!r.body.contains(TokenHash::of(token).as_str()));
        }

        // Revoking another tenant's token: 404, byte-identical to an id nobody has, and
        // nothing changes.
        let before = table.items().await;
        let foreign_404 = function.call(&revoke(&foreign[0].1, admin)).await;
        let nowhere_404 = function
            .call(&revoke("01KBN0B0DYHASTH1S000000000", admin))
            .await;
        assert_eq!(foreign_404.status, 404);
        assert_eq!(nowhere_404.status, 404);
        assert_eq!(foreign_404.body, nowhere_404.body, "no cross-tenant oracle");
        assert_eq!(foreign_404.headers, nowhere_404.headers);
        assert_eq!(table.items().await, before, "another tenant's item changed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_refused_on_the_very_next_request() {
    let (table, function) = setup("revocation").await;
    // A second Administrator of tenant A, and a Standard token it creates.
    const SECOND_ADMIN: &str = "lifecyclesecondadmina0010-us-1";
    const SECOND_ADMIN_ID: &str = "01KBM1FECYC1E2000000000010";
    table
        .seed_with_id(SECOND_ADMIN, SECOND_ADMIN_ID, "Administrator", TENANT_A)
        .await;
    let created = create_n(&function, SECOND_ADMIN, 1).await;
    let (standard, standard_id) = &created[0];
    assert_eq!(function.call(&list("", standard)).await.status, 403);

    // ADMIN_A revokes both; each is refused on the next request, with no wait.
    for (token, id) in [
        (standard.as_str(), standard_id.as_str()),
        (SECOND_ADMIN, SECOND_ADMIN_ID),
    ] {
        let r = function.call(&revoke(id, ADMIN_A)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let revoked = &r.json()["Response"]["token"];
        assert_eq!(revoked["Revoked"], true);
        assert_eq!(revoked["TokenId"], id);
        let before = table.items().await;
        for request in [create(token), list("", token), revoke(ADMIN_A_ID, token)] {
            let r = function.call(&request).await;
            assert_error_envelope(&r, 401);
        }
        assert_eq!(table.items().await, before, "a revoked token wrote");
    }
    // The stored item says who revoked it and when; a repeat keeps the first date.
    let item = table.item_for(SECOND_ADMIN).await.unwrap();
    assert_eq!(item["RevokedById"].as_s().unwrap(), ADMIN_A_ID);
    let first_date = item["DateRevoked"].as_s().unwrap().clone();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = function.call(&revoke(SECOND_ADMIN_ID, ADMIN_A)).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["Response"]["token"]["DateRevoked"], first_date);
    // The revoked Administrator's own revocation is listed.
    let r = function.call(&list("", ADMIN_A)).await;
    let listed = r.json()["Response"]["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["TokenId"] == SECOND_ADMIN_ID)
        .cloned()
        .expect("listed");
    assert_eq!(listed["Revoked"], true);
    assert_eq!(listed["DateRevoked"], first_date);
    // ADMIN_A itself is untouched and may revoke itself last.
    let r = function.call(&revoke(ADMIN_A_ID, ADMIN_A)).await;
    assert_eq!(r.status, 200);
    assert_error_envelope(&function.call(&create(ADMIN_A)).await, 401);
    assert_no_token_material(&function.logs(), &[ADMIN_A, SECOND_ADMIN, standard]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_return_every_token_exactly_once_newest_first() {
    let (_table, function) = setup("paging").await;
    let created = create_n(&function, ADMIN_A, 11).await;
    let mut expected: Vec<String> = created
        .iter()
        .map(|(_, id)| id.clone())
        .chain([ADMIN_A_ID.to_owned()])
        .collect();
    expected.sort_unstable_by(|a, b| b.cmp(a));

    let mut seen = Vec::new();
    let mut query = "limit=5".to_owned();
    let mut pages = 0;
    loop {
        let r = function.call(&list(&query, ADMIN_A)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let ids = listed_ids(&r);
        assert!(ids.len() <= 5);
        pages += 1;
        seen.extend(ids.iter().cloned());
        match r.json()["Response"]["next"].as_str() {
            Some(next) => {
                assert_eq!(Some(next), ids.last().map(String::as_str));
                query = format!("limit=5&before={next}");
            }
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(seen, expected, "every token once, newest first");
    assert_eq!(pages, 3, "12 tokens in pages of 5");
    // The last page is exactly full here: 12 = 5 + 5 + 2; a tenant of exactly 10
    // tokens would end with `next` null on the second page, not an empty third one.
    let r = function
        .call(&list(&format!("limit=2&before={}", expected[9]), ADMIN_A))
        .await;
    assert_eq!(listed_ids(&r), expected[10..]);
    assert_eq!(r.json()["Response"]["next"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_that_cannot_be_shown_are_left_out_named_and_never_stop_the_paging() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let (table, function) = setup("unshowable").await;
    let id = |n: u32| format!("01KBGD{n:020}");
    // Tenant A's index, newest first: a TokenId that is not a ULID (sorts first), the
    // Administrator, then tokens 9 .. 2, three of them written wrong by hand.
    let token = |n: u32| format!("unshowablefixture{n:08}-us-1");
    for n in 2..=9 {
        table
            .seed_with_id(&token(n), &id(n), "Standard", TENANT_A)
            .await;
    }
    table
        .seed_with_id(&token(1), "not-a-ulid", "Standard", TENANT_A)
        .await;
    table
        .set_attribute(&token(8), "Description", AttributeValue::N("8".into()))
        .await;
    table
        .client
        .update_item()
        .table_name(&table.name)
        .key(
            "TokenHash",
            AttributeValue::S(TokenHash::of(&token(5)).as_str().to_owned()),
        )
        .update_expression("REMOVE DateCreated")
        .send()
        .await
        .unwrap();
    table
        .set_attribute(&token(3), "CreatedById", AttributeValue::S("nobody".into()))
        .await;
    let shown = [ADMIN_A_ID.to_owned(), id(9), id(7), id(6), id(4), id(2)];

    // One page holds every showable item; the three bad ones and "not-a-ulid" are left out.
    let r = function.call(&list("", ADMIN_A)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(listed_ids(&r), shown);
    assert_eq!(r.json()["Response"]["next"], serde_json::Value::Null);

    // Pages of 2 and of 1: page boundaries next to the bad items (after 9, after 6).
    for limit in [1, 2, 4] {
        let mut seen = Vec::new();
        let mut query = format!("limit={limit}");
        for _ in 0..10 {
            let r = function.call(&list(&query, ADMIN_A)).await;
            assert_eq!(r.status, 200, "limit {limit}: {}", r.body);
            let ids = listed_ids(&r);
            assert!(
                !ids.is_empty() && ids.len() <= limit,
                "limit {limit}: {ids:?}"
            );
            seen.extend(ids.iter().cloned());
            match r.json()["Response"]["next"].as_str() {
                Some(next) => {
                    assert_eq!(Some(next), ids.last().map(String::as_str));
                    query = format!("limit={limit}&before={next}");
                }
                None => break,
            }
        }
        assert_eq!(seen, shown, "limit {limit}");
    }
    // A cursor at a bad item's own TokenId still pages on.
    let r = function
        .call(&list(&format!("limit=2&before={}", id(8)), ADMIN_A))
        .await;
    assert_eq!(listed_ids(&r), [id(7), id(6)]);

    // Named in the request's one log line, counted in its metrics record.
    let logs = function.logs();
    let line = logs
        .iter()
        .find(|l| l.contains("api token request") && l.contains("not-a-ulid"))
        .expect("the list's log line names the item");
    assert!(line.contains("unshowable_items"), "{line}");
    for n in [8, 5, 3] {
        assert!(logs.iter().any(|l| l.contains(&id(n))), "{n} named");
    }
    assert!(
        logs.iter().any(|l| l.contains("\"UnshowableItems\":4")),
        "the first page's record counts four"
    );
    assert_no_token_material(&logs, &[ADMIN_A, &token(1), &token(8)]);
}

/// `DateLastUsed` against DynamoDB Local (docs/api.md, "Last use"): the store's conditional
/// write itself (one write per cutoff, never creating an item), then two processes
/// serving one token: one write between them, and an expired token refused and never
/// written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_use_is_written_once_across_processes_and_never_for_a_refused_token() {
    use create_api_token::store::dynamodb::DynamoDbStore;
    use create_api_token::store::{LastUseOutcome, TokenStore};

    let (table, first) = setup("last-use").await;
    let store = DynamoDbStore::new(table.client.clone(), &table.name);
    let other_admin = TokenHash::of(ADMIN_B);
    let write = |date: &'static str, cutoff: &'static str| {
        let store = store.clone();
        let hash = other_admin.clone();
        async move { store.record_last_use(&hash, date, cutoff).await }
    };
    // The condition: written when absent or older than the cutoff, skipped otherwise.
    assert_eq!(
        write("2026-12-07T10:00:00", "2026-12-07T09:55:00").await,
        Ok(LastUseOutcome::Written)
    );
    assert_eq!(
        write("2026-12-07T10:04:59", "2026-12-07T09:59:59").await,
        Ok(LastUseOutcome::Skipped)
    );
    assert_eq!(
        write("2026-12-07T10:05:01", "2026-12-07T10:00:01").await,
        Ok(LastUseOutcome::Written)
    );
    let stored = table.item_for(ADMIN_B).await.unwrap();
    assert_eq!(
        stored["DateLastUsed"].as_s().unwrap(),
        "2026-12-07T10:05:01"
    );
    // Never creates an item.
    let nobody = TokenHash::of("nobodynobodynobodynobody1-us-1");
    assert_eq!(
        store
            .record_last_use(&nobody, "2026-12-07T10:00:00", "2026-12-07T09:55:00")
            .await,
        Ok(LastUseOutcome::Skipped)
    );
    assert!(table
        .item_for("nobodynobodynobodynobody1-us-1")
        .await
        .is_none());

    // Two processes, several uses each: one write between them.
    let second = Function::start(&table.name, &[]).await;
    for _ in 0..3 {
        for function in [&first, &second] {
            let r = function.call(&list("", ADMIN_A)).await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
    }
    let stored = table.item_for(ADMIN_A).await.unwrap();
    assert!(stored.contains_key("DateLastUsed"), "{stored:?}");
    let logs: Vec<String> = first.logs().into_iter().chain(second.logs()).collect();
    let written = logs
        .iter()
        .filter(|l| l.contains("last_use=\"written\"") || l.contains("last_use=written"))
        .count();
    assert_eq!(written, 1, "one DateLastUsed write: {logs:#?}");
    // It is listed (the index projects it).
    let mut listed = None;
    for _ in 0..50 {
        let r = first.call(&list("", ADMIN_A)).await;
        listed = r.json()["Response"]["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["TokenId"] == ADMIN_A_ID)
            .and_then(|t| t["DateLastUsed"].as_str().map(str::to_owned));
        if listed.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        listed.as_deref(),
        stored["DateLastUsed"].as_s().ok().map(String::as_str)
    );

    // An expired token: the expired 401, and no write.
    table
        .set_attribute(
            ADMIN_B,
            "DateExpires",
            aws_sdk_dynamodb::types::AttributeValue::S("2026-01-01T00:00:00".to_owned()),
        )
        .await;
    let before = table.item_for(ADMIN_B).await;
    let r = first.call(&list("", ADMIN_B)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["Message"], "The API token has expired.");
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            r#"Bearer realm="api", error="invalid_token", error_description="The API token expired""#
        )
    );
    assert_eq!(table.item_for(ADMIN_B).await, before, "nothing written");
    let logs: Vec<String> = first.logs().into_iter().chain(second.logs()).collect();
    assert_no_token_material(&logs, &[ADMIN_A, ADMIN_B]);
}

// ---- rotation against DynamoDB Local --------------------------------------------------------

mod rotation {
    use create_api_token::lifetime;
    use create_api_token::store::dynamodb::DynamoDbStore;
    use create_api_token::store::{RotateConflict, RotateOutcome, Rotation, TokenStore};
    use create_api_token::token::TokenHash;
    use create_api_token::token_id::TokenId;
    use testkit::*;

    const TARGET: &str = "rotationtargetrotationta1-us-1";
    const TARGET_ID: &str = "01KBR0TAT10N00000000000001";
    const TENANT: i64 = 30;

    fn rotation(i: u32) -> Rotation {
        Rotation {
            tenant_id: TENANT,
            token_id: TokenId::parse(TARGET_ID).unwrap(),
            now: time::OffsetDateTime::now_utc(),
            grace: lifetime::grace(Some("60")).unwrap(),
            expires_in: None,
            max_lifetime: None,
            new_token_hash: TokenHash::of(&format!("rotatednewtoken{i:010}-us-1")),
            new_token_id: TokenId::new(1_765_000_000_000 + u64::from(i)),
            caller_hash: TokenHash::of("rotationcaller"),
            caller_id: None,
        }
    }

    async fn setup(prefix: &str) -> (Table, DynamoDbStore) {
        let table = Table::new(prefix).await;
        table
            .seed_with_id(TARGET, TARGET_ID, "Standard", TENANT)
            .await;
        let store = DynamoDbStore::new(table.client.clone(), &table.name);
        (table, store)
    }

    /// Eight rotations of one token at once: exactly one wins, the others are told it was
    /// rotated, and only the winner's new item exists (the losers' `Put`s were undone with
    /// their failed `Update`s).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn exactly_one_of_concurrent_rotations_wins_and_losers_leave_nothing() {
        let (table, store) = setup("rotation-race").await;
        let before = table.items().await.len();
        let store = std::sync::Arc::new(store);
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { (i, store.rotate(&rotation(i)).await) })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            let (i, outcome) = task.await.unwrap();
            match outcome.unwrap_or_else(|e| panic!("rotation {i}: {e}")) {
                RotateOutcome::Rotated(new) => winners.push(new),
                RotateOutcome::Conflict(RotateConflict::Rotated) => {}
                other => panic!("rotation {i}: {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "{winners:?}");
        let winner = &winners[0];
        let items = table.items().await;
        assert_eq!(
            items.len(),
            before + 1,
            "only the winner's item was written"
        );
        assert!(items.contains_key(winner.token_hash.as_str()));
        let old = table.item_for(TARGET).await.unwrap();
        assert_eq!(
            old["RotatedToId"].as_s().unwrap(),
            &winner.token_id.to_string()
        );
        assert!(old.contains_key("DateExpires"), "grace 60: it expires");
        assert!(!old.contains_key("Revoked"));
        let new = &items[winner.token_hash.as_str()];
        assert_eq!(new["RotatedFromId"].as_s().unwrap(), TARGET_ID);
        assert_eq!(new["Role"].as_s().unwrap(), "Standard");
        assert_eq!(new["Description"].as_s().unwrap(), "fixture");
    }

    /// A new token whose `TokenHash` is taken cancels the whole transaction: the old token
    /// is not changed either.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_condition_writes_neither_item() {
        let (table, store) = setup("rotation-atomic").await;
        let mut r = rotation(1);
        r.new_token_hash = TokenHash::of(TARGET);
        let before = table.items().await;
        assert_eq!(store.rotate(&r).await, Ok(RotateOutcome::Collision));
        assert_eq!(table.items().await, before, "a cancelled rotation wrote");
        // Revoked and expired tokens are refused and left as they are.
        for (name, value, conflict) in [
            (
                "DateExpires",
                aws_sdk_dynamodb::types::AttributeValue::S("2020-01-01T00:00:00".to_owned()),
                RotateConflict::Expired,
            ),
            (
                "Revoked",
                aws_sdk_dynamodb::types::AttributeValue::Bool(true),
                RotateConflict::Revoked,
            ),
        ] {
            table.set_attribute(TARGET, name, value).await;
            let before = table.items().await;
            assert_eq!(
                store.rotate(&rotation(2)).await,
                Ok(RotateOutcome::Conflict(conflict))
            );
            assert_eq!(table.items().await, before, "{name}");
        }
        // Another tenant never rotates it.
        let mut other = rotation(3);
        other.tenant_id = TENANT + 1;
        assert_eq!(store.rotate(&other).await, Ok(RotateOutcome::NotFound));
    }
}
