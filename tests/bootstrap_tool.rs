//! The bootstrap tool (`apikey-bootstrap`) against DynamoDB Local: it creates the table,
//! mints an Administrator token printed once on stdout, and refuses to import a known
//! token anywhere but a loopback endpoint.

mod common;

use std::process::Output;

use common::*;
use create_api_token::token::Token;

fn bootstrap(table: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    set_local_aws_env();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_apikey-bootstrap"));
    cmd.args(args)
        .env("TABLE_NAME", table)
        .env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local_endpoint())
        .env_remove("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .env_remove("DATA_CENTER");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run apikey-bootstrap")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_table_is_idempotent_and_uses_the_token_key_schema() {
    let probe = Table::new("bootstrap-probe").await; // DynamoDB Local is up
    let name = format!("bootstrap-created-{}", std::process::id());
    for _ in 0..2 {
        let out = bootstrap(&name, &["create-table"], &[]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(stdout(&out), "", "create-table prints nothing on stdout");
    }
    let table = probe
        .client
        .describe_table()
        .table_name(&name)
        .send()
        .await
        .expect("the table exists")
        .table
        .unwrap();
    let keys = table.key_schema.unwrap();
    assert_eq!(keys.len(), 1, "partition key only, no sort key");
    let key = &keys[0];
    assert_eq!(key.attribute_name, "TokenHash");
    assert_eq!(key.key_type.as_str(), "HASH");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mint_prints_one_administrator_token_once_and_stores_only_its_digest() {
    let table = Table::new("bootstrap-mint").await;
    let out = bootstrap(
        &table.name,
        &["mint", "--tenant", "5", "--description", "first admin"],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "exactly the token on stdout: {printed:?}");
    let token = lines[0];
    assert!(
        Token::parse(token, "us-1").is_some() && token.len() == 30,
        "{token}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(token),
        "token on stderr too"
    );

    let items = table.items().await;
    assert_eq!(items.len(), 1);
    let item = table
        .item_for(token)
        .await
        .expect("stored under the digest");
    assert_eq!(item["Role"].as_s().unwrap(), "Administrator");
    assert_eq!(item["TenantId"].as_n().unwrap(), "5");
    assert_eq!(item["Description"].as_s().unwrap(), "first admin");
    assert!(
        !item.contains_key("CreatedBy"),
        "bootstrap tokens have no CreatedBy"
    );
    assert!(
        !format!("{item:?}").contains(&token[..25]),
        "plaintext stored"
    );

    // The minted token works at the endpoint.
    let function = Function::start(&table.name, &[]).await;
    let mut event = event_value("http-api-create-200.json");
    set_event_header(&mut event, "authorization", &format!("Bearer {token}"));
    let response = function.call(&event.to_string()).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["Response"]["token"]["TenantId"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_token_only_against_a_loopback_endpoint() {
    let table = Table::new("bootstrap-import").await;
    let args = ["mint", "--tenant", "1", "--import-token", DEV_ADMIN_TOKEN];
    for env in [
        vec![(
            "AWS_ENDPOINT_URL_DYNAMODB",
            "https://dynamodb.us-east-1.amazonaws.com",
        )],
        vec![(
            "AWS_ENDPOINT_URL_DYNAMODB",
            "http://localhost:8000@dynamodb.example.com/",
        )],
        vec![("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")],
    ] {
        let out = bootstrap(&table.name, &args, &env);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {out:?}");
        assert_eq!(stdout(&out), "", "{env:?}");
    }
    assert!(table.items().await.is_empty(), "nothing was written");

    // Against DynamoDB Local it imports, and a second import changes nothing.
    for _ in 0..2 {
        let out = bootstrap(&table.name, &args, &[]);
        assert!(out.status.success(), "{out:?}");
    }
    assert_eq!(table.items().await.len(), 1);
}

#[test]
fn arguments_are_never_echoed() {
    // A token pasted where a flag belongs must not be repeated on the terminal.
    let out = bootstrap(
        "unused-table",
        &["mint", "--tenant", "1", DEV_ADMIN_TOKEN],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains(DEV_ADMIN_TOKEN), "{all}");
}
