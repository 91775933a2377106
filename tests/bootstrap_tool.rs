//! The bootstrap tool (`apikey-bootstrap`) against DynamoDB Local: it creates the table,
//! mints an Administrator token printed once on stdout, imports a known token only after
//! proving that it talks to DynamoDB Local, lists every item of a tenant (those without a
//! `TokenId` included) and revokes by `TokenId` (tenant-checked) or by a token read from
//! standard input.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Output, Stdio};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use create_api_token::dates;
use create_api_token::token::{Token, TokenHash};
use testkit::*;

fn bootstrap_command(table: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
    set_local_aws_env();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_apikey-bootstrap"));
    cmd.args(args)
        .env("TABLE_NAME", table)
        .env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local_endpoint())
        .env_remove("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .env_remove("AWS_PROFILE")
        .env_remove("DATA_CENTER")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn bootstrap(table: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    bootstrap_command(table, args, env)
        .output()
        .expect("run apikey-bootstrap")
}

/// Runs the tool with `input` on its standard input.
fn bootstrap_with_stdin(table: &str, args: &[&str], input: &str) -> Output {
    let mut child = bootstrap_command(table, args, &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run apikey-bootstrap");
    // The tool may exit (usage error) before reading: a broken pipe is not a failure.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().expect("wait for apikey-bootstrap")
}

/// [`bootstrap`] off the async runtime's threads (for tests that also serve HTTP).
async fn bootstrap_blocking(table: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let table = table.to_owned();
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        bootstrap(&table, &args, &env)
    })
    .await
    .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
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

/// The table ARN DynamoDB Local reports (checked against DynamoDB Local 3.3.0's
/// `DescribeTable`): region `ddblocal`, account `000000000000`.
fn local_arn(table: &str) -> String {
    format!("arn:aws:dynamodb:ddblocal:000000000000:table/{table}")
}

/// A loopback HTTP server that answers the DynamoDB JSON protocol like a real AWS table
/// would (reached e.g. through a port-forward): `DescribeTable` with `arn`, anything else
/// `{}` (a successful `PutItem`). Records the `X-Amz-Target` of every request, and what
/// it was signed with (`Authorization`, `X-Amz-Security-Token`).
struct FakeDynamoDb {
    endpoint: String,
    targets: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    signatures: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDynamoDb {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeDynamoDb {
    async fn start(arn: String) -> Self {
        use http_body_util::Full;
        use hyper::body::Bytes;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let targets = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = targets.clone();
        let signatures = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let signed = signatures.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let seen = seen.clone();
                let signed = signed.clone();
                let arn = arn.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let target = req
                                .headers()
                                .get("x-amz-target")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_owned();
                            seen.lock().unwrap().push(target.clone());
                            let header = |name: &str| {
                                req.headers()
                                    .get(name)
                                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                            };
                            signed.lock().unwrap().push(format!(
                                "authorization: {:?}; x-amz-security-token: {:?}",
                                header("authorization"),
                                header("x-amz-security-token")
                            ));
                            let body = if target.ends_with(".DescribeTable") {
                                let name = arn.rsplit('/').next().unwrap_or("");
                                serde_json::json!({"Table": {
                                    "TableName": name,
                                    "TableArn": arn,
                                    "TableStatus": "ACTIVE",
                                    "KeySchema": [{"AttributeName": "TokenHash", "KeyType": "HASH"}],
                                    "AttributeDefinitions": [{"AttributeName": "TokenHash", "AttributeType": "S"}],
                                    "ItemCount": 0,
                                    "TableSizeBytes": 0,
                                    "CreationDateTime": 1.7e9
                                }})
                                .to_string()
                            } else {
                                "{}".to_owned()
                            };
                            async move {
                                Ok::<_, std::convert::Infallible>(
                                    hyper::Response::builder()
                                        .header("content-type", "application/x-amz-json-1.0")
                                        .header("x-amzn-requestid", "FAKE")
                                        .body(Full::new(Bytes::from(body)))
                                        .unwrap(),
                                )
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            endpoint,
            targets,
            signatures,
            task,
        }
    }

    fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }

    fn signatures(&self) -> Vec<String> {
        self.signatures.lock().unwrap().clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_signs_with_fixed_local_credentials_never_the_operators() {
    // Whatever listens on the loopback port (DynamoDB Local, or a port-forward to anything)
    // sees the fixed access key id `local`, never the operator's access key id or session
    // token, both before the endpoint is proven (DescribeTable) and after (PutItem).
    let table = "api-tokens-local";
    let operator = [
        ("AWS_ACCESS_KEY_ID", "AKIAOPERATORREAL0001"),
        ("AWS_SECRET_ACCESS_KEY", "operator-secret-access-key"),
        ("AWS_SESSION_TOKEN", "operator-session-token-FwoGZXIv"),
    ];
    for arn in [
        local_arn(table),
        format!("arn:aws:dynamodb:us-east-1:123456789012:table/{table}"),
    ] {
        let fake = FakeDynamoDb::start(arn.clone()).await;
        let mut env = operator.to_vec();
        env.push(("AWS_ENDPOINT_URL_DYNAMODB", &fake.endpoint));
        let out = bootstrap_blocking(
            table,
            &["mint", "--tenant", "1", "--import-token", DEV_ADMIN_TOKEN],
            &env,
        )
        .await;
        let signatures = fake.signatures();
        assert!(!signatures.is_empty(), "{arn}: {out:?}");
        for signature in &signatures {
            assert!(
                signature.contains("Credential=local/"),
                "{arn}: {signature}"
            );
            assert!(!signature.contains("AKIAOPERATOR"), "{arn}: {signature}");
            assert!(
                signature.ends_with("x-amz-security-token: None"),
                "{arn}: {signature}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_a_loopback_endpoint_that_is_not_dynamodb_local() {
    // A port-forward on loopback to a real table (or anything else that is not DynamoDB
    // Local) passes a URL check; the ARN it reports does not.
    let table = "api-tokens-prod";
    for arn in [
        format!("arn:aws:dynamodb:us-east-1:123456789012:table/{table}"),
        format!("arn:aws:dynamodb:ddblocal:123456789012:table/{table}"),
        format!("arn:aws:dynamodb:us-east-1:000000000000:table/{table}"),
        local_arn("another-table"),
    ] {
        let fake = FakeDynamoDb::start(arn.clone()).await;
        let out = bootstrap_blocking(
            table,
            &[
                "mint",
                "--tenant",
                "1",
                "--import-token",
                DEV_ADMIN_TOKEN,
                "--token-id",
                DEV_ADMIN_TOKEN_ID,
            ],
            &[("AWS_ENDPOINT_URL_DYNAMODB", &fake.endpoint)],
        )
        .await;
        assert_eq!(out.status.code(), Some(2), "{arn}: {out:?}");
        assert_eq!(stdout(&out), "", "{arn}");
        assert!(!stderr(&out).contains(DEV_ADMIN_TOKEN), "{arn}");
        assert!(stderr(&out).contains("DynamoDB Local"), "{arn}: {out:?}");
        let targets = fake.targets();
        assert!(
            targets.iter().all(|t| t.ends_with(".DescribeTable")),
            "{arn}: only DescribeTable may reach an unproven endpoint: {targets:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_with_a_profile_that_ignores_configured_endpoints_only_reaches_dynamodb_local() {
    // `ignore_configured_endpoint_urls = true` in the selected profile makes the SDK drop
    // AWS_ENDPOINT_URL_DYNAMODB and talk to AWS. The tool must either refuse or write to
    // DynamoDB Local (the endpoint it validated), never send the import anywhere else.
    let table = Table::new("bootstrap-profile").await;
    let dir = std::env::temp_dir().join(format!("bootstrap-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[profile careless]\nregion = us-east-1\nignore_configured_endpoint_urls = true\n",
    )
    .unwrap();
    let credentials = dir.join("credentials");
    std::fs::write(&credentials, "").unwrap();
    let out = bootstrap_blocking(
        &table.name,
        &[
            "mint",
            "--tenant",
            "1",
            "--import-token",
            DEV_ADMIN_TOKEN,
            "--token-id",
            DEV_ADMIN_TOKEN_ID,
        ],
        &[
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
            ("AWS_PROFILE", "careless"),
        ],
    )
    .await;
    std::fs::remove_dir_all(&dir).unwrap();
    let stored = table.item_for(DEV_ADMIN_TOKEN).await;
    match out.status.code() {
        Some(0) => {
            let item = stored.expect("a successful import is in DynamoDB Local");
            assert_eq!(item["TokenId"].as_s().unwrap(), DEV_ADMIN_TOKEN_ID);
        }
        Some(2) => assert!(stored.is_none() && stdout(&out).is_empty(), "{out:?}"),
        _ => panic!("neither refused nor written to DynamoDB Local: {out:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_against_dynamodb_local_stores_the_dev_fixtures_with_their_token_ids() {
    let table = Table::new("bootstrap-fixtures").await;
    let fixtures = [
        (DEV_ADMIN_TOKEN, DEV_ADMIN_TOKEN_ID, "Administrator", "1"),
        (DEV_STANDARD_TOKEN, DEV_STANDARD_TOKEN_ID, "Standard", "1"),
        (DEV_REVOKE_TOKEN, DEV_REVOKE_TOKEN_ID, "Standard", "1"),
        (
            DEV_OTHER_TENANT_TOKEN,
            DEV_OTHER_TENANT_TOKEN_ID,
            "Standard",
            "2",
        ),
    ];
    for (token, id, role, tenant) in fixtures {
        let out = bootstrap(
            &table.name,
            &[
                "mint",
                "--tenant",
                tenant,
                "--role",
                role,
                "--import-token",
                token,
                "--token-id",
                id,
            ],
            &[],
        );
        assert!(out.status.success(), "{out:?}");
        assert_eq!(stdout(&out), format!("{token}\n"));
        let item = table.item_for(token).await.expect("imported");
        assert_eq!(item["TokenId"].as_s().unwrap(), id);
        assert_eq!(item["Role"].as_s().unwrap(), role);
        assert_eq!(item["TenantId"].as_n().unwrap(), tenant);
    }
    // Importing again, with the same TokenId or another role, changes nothing and prints
    // no token.
    let before = table.items().await;
    for (token, id, _, tenant) in fixtures {
        let out = bootstrap(
            &table.name,
            &[
                "mint",
                "--tenant",
                tenant,
                "--role",
                "Administrator",
                "--import-token",
                token,
                "--token-id",
                id,
            ],
            &[],
        );
        assert!(out.status.success(), "{out:?}");
        assert_eq!(stdout(&out), "");
        assert!(stderr(&out).contains("left unchanged"), "{out:?}");
    }
    assert_eq!(table.items().await, before);
    // The imported fixtures are what `list` shows for tenant 1, newest TokenId first.
    let out = bootstrap(&table.name, &["list", "--tenant", "1"], &[]);
    assert!(out.status.success(), "{out:?}");
    let ids: Vec<String> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["TokenId"].to_string())
        .collect();
    assert_eq!(
        ids,
        [
            DEV_STANDARD_TOKEN_ID,
            DEV_REVOKE_TOKEN_ID,
            DEV_ADMIN_TOKEN_ID
        ]
        .map(|id| format!("\"{id}\""))
    );
    // And the imported Administrator token works at the endpoint.
    let function = Function::start(&table.name, &[]).await;
    let mut event = event_value("http-api-create-200.json");
    set_event_header(
        &mut event,
        "authorization",
        &format!("Bearer {DEV_ADMIN_TOKEN}"),
    );
    let response = function.call(&event.to_string()).await;
    assert_eq!(response.status, 200, "{}", response.body);
}

/// `scripts/dev-fixtures.sh` (what `make demo` and `make local-api` run) imports the list
/// `scripts/dev-fixtures.txt` with this tool (`--expires-at`, `--rotated-to`, `revoke`), and
/// the result is what the test kit's `seed_dev_tokens` writes from the same list, the
/// times the tool takes from the clock aside; running it again changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dev_fixtures_script_imports_what_the_test_kit_seeds() {
    let imported = Table::new("bootstrap-dev-fixtures").await;
    let seeded = Table::new("bootstrap-dev-seeded").await;
    seeded.seed_dev_tokens().await;
    // As bootstrap_command runs the tool: DynamoDB Local, the local AWS settings.
    set_local_aws_env();
    let run = |table: String| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new("bash")
                .arg("scripts/dev-fixtures.sh")
                .arg(env!("CARGO_BIN_EXE_apikey-bootstrap"))
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env("TABLE_NAME", table)
                .env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local_endpoint())
                .env_remove("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
                .env_remove("AWS_PROFILE")
                .env_remove("DATA_CENTER")
                .stdin(Stdio::null())
                .output()
                .expect("bash scripts/dev-fixtures.sh")
        })
    };
    let out = run(imported.name.clone()).await.unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "", "no token on stdout");
    // The clock's values: DateCreated (the import) and DateRevoked (the revoke).
    let comparable = |items: HashMap<String, HashMap<String, AttributeValue>>| {
        items
            .into_iter()
            .map(|(k, mut item)| {
                for attr in ["DateCreated", "DateRevoked"] {
                    if let Some(AttributeValue::S(date)) = item.get(attr) {
                        assert!(dates::parse(date).is_some(), "{attr} {date}");
                        item.insert(attr.to_owned(), AttributeValue::S("<date>".into()));
                    }
                }
                (k, item)
            })
            .collect::<HashMap<_, _>>()
    };
    let items = imported.items().await;
    assert_eq!(items.len(), dev_fixtures().len());
    assert_eq!(comparable(items.clone()), comparable(seeded.items().await));
    let rotated = imported.item_for(DEV_ROTATED_TOKEN).await.unwrap();
    assert_eq!(rotated["RotatedToId"].as_s().unwrap(), DEV_ROTATED_TO_ID);
    assert!(!rotated.contains_key("Revoked"));
    let revoked = imported.item_for(DEV_ROTATE_REVOKED_TOKEN).await.unwrap();
    assert_eq!(revoked["Revoked"].as_bool().unwrap(), &true);
    // Again: nothing changes (imports left unchanged, the revocation keeps its date).
    let out = run(imported.name.clone()).await.unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(imported.items().await, items);
    // --rotated-to: only with --import-token (so only on DynamoDB Local); nothing written.
    let out = bootstrap(
        &seeded.name,
        &["mint", "--tenant", "1", "--rotated-to", DEV_ROTATED_TO_ID],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(stdout(&out), "");
    assert_eq!(seeded.items().await.len(), dev_fixtures().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mint_expires_in_and_the_expired_dev_fixture() {
    let table = Table::new("bootstrap-expiry").await;
    // --expires-in: the API's rules (60 to 31622400 digits); DateExpires = now + N.
    for bad in ["59", "31622401", "", "6e1", "+60"] {
        let out = bootstrap(
            &table.name,
            &["mint", "--tenant", "5", "--expires-in", bad],
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
        assert!(stderr(&out).contains("expires_in"), "{out:?}");
    }
    assert!(table.items().await.is_empty(), "nothing written");
    let out = bootstrap(
        &table.name,
        &["mint", "--tenant", "5", "--expires-in", "3600"],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let token = stdout(&out).trim().to_owned();
    let item = table.item_for(&token).await.unwrap();
    let created = dates::parse(item["DateCreated"].as_s().unwrap()).unwrap();
    let expires = dates::parse(item["DateExpires"].as_s().unwrap()).unwrap();
    assert_eq!(expires - created, time::Duration::seconds(3600));
    assert!(stderr(&out).contains("expires "), "{out:?}");
    // MAX_TOKEN_LIFETIME applies as in the function: default and cap.
    let out = bootstrap(
        &table.name,
        &["mint", "--tenant", "5"],
        &[("MAX_TOKEN_LIFETIME", "600")],
    );
    assert!(out.status.success(), "{out:?}");
    let item = table.item_for(stdout(&out).trim()).await.unwrap();
    let created = dates::parse(item["DateCreated"].as_s().unwrap()).unwrap();
    let expires = dates::parse(item["DateExpires"].as_s().unwrap()).unwrap();
    assert_eq!(expires - created, time::Duration::seconds(600));
    let out = bootstrap(
        &table.name,
        &["mint", "--tenant", "5", "--expires-in", "601"],
        &[("MAX_TOKEN_LIFETIME", "600")],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // --expires-at: only with --import-token, which only DynamoDB Local accepts.
    let out = bootstrap(
        &table.name,
        &["mint", "--tenant", "5", "--expires-at", DEV_EXPIRED_DATE],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = bootstrap(
        &table.name,
        &[
            "mint",
            "--tenant",
            "1",
            "--import-token",
            DEV_EXPIRED_TOKEN,
            "--token-id",
            DEV_EXPIRED_TOKEN_ID,
            "--expires-at",
            DEV_EXPIRED_DATE,
        ],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let item = table.item_for(DEV_EXPIRED_TOKEN).await.unwrap();
    assert_eq!(item["DateExpires"].as_s().unwrap(), DEV_EXPIRED_DATE);
    // `list` shows it, with the two item fields.
    let out = bootstrap(&table.name, &["list", "--tenant", "1"], &[]);
    let printed = json_lines(&out);
    assert_eq!(printed[0]["TokenId"], DEV_EXPIRED_TOKEN_ID);
    assert_eq!(printed[0]["DateExpires"], DEV_EXPIRED_DATE);
    assert_eq!(printed[0]["DateLastUsed"], serde_json::Value::Null);
    // And the function refuses it with the expired 401, writing no DateLastUsed.
    let function = Function::start(&table.name, &[]).await;
    let mut event = event_value("http-api-create-200.json");
    set_event_header(
        &mut event,
        "authorization",
        &format!("Bearer {DEV_EXPIRED_TOKEN}"),
    );
    let response = function.call(&event.to_string()).await;
    assert_eq!(response.status, 401, "{}", response.body);
    assert_eq!(response.json()["Message"], "The API token has expired.");
    assert!(!table
        .item_for(DEV_EXPIRED_TOKEN)
        .await
        .unwrap()
        .contains_key("DateLastUsed"));
}

/// A token stored before TokenIds existed (24 hex characters, as tokens once were).
const LEGACY_TOKEN: &str = "0123456789abcdef01234567-us-1";
const LEGACY_OTHER_TENANT_TOKEN: &str = "fedcba9876543210fedcba98-us-1";

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_shows_every_item_of_the_tenant_including_those_without_token_id() {
    let table = Table::new("bootstrap-list").await;
    table.seed_dev_tokens().await;
    table
        .seed(LEGACY_TOKEN, "Administrator", DEV_TENANT, None)
        .await;
    table
        .seed(
            LEGACY_OTHER_TENANT_TOKEN,
            "Administrator",
            DEV_OTHER_TENANT,
            None,
        )
        .await;
    table
        .set_attribute(DEV_REVOKE_TOKEN, "Revoked", AttributeValue::Bool(true))
        .await;
    table
        .set_attribute(
            DEV_REVOKE_TOKEN,
            "DateRevoked",
            AttributeValue::S("2026-02-03T04:05:06".into()),
        )
        .await;

    let out = bootstrap(&table.name, &["list", "--tenant", "1"], &[]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    for line in text.lines() {
        // The API's field order.
        let positions: Vec<usize> = [
            "\"TokenId\":",
            "\"DateCreated\":",
            "\"Description\":",
            "\"TenantId\":",
            "\"Role\":",
            "\"Revoked\":",
            "\"DateRevoked\":",
            "\"CreatedBy\":",
            "\"DateExpires\":",
            "\"DateLastUsed\":",
        ]
        .iter()
        .map(|k| {
            line.find(k)
                .unwrap_or_else(|| panic!("{k} missing: {line}"))
        })
        .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{line}");
    }
    let items = json_lines(&out);
    let ids: Vec<&serde_json::Value> = items.iter().map(|i| &i["TokenId"]).collect();
    // The tenant's dev fixtures (scripts/dev-fixtures.txt), newest TokenId first.
    let mut fixture_ids: Vec<&str> = [
        DEV_ADMIN_TOKEN_ID,
        DEV_STANDARD_TOKEN_ID,
        DEV_REVOKE_TOKEN_ID,
        DEV_EXPIRED_TOKEN_ID,
        DEV_ROTATE_GRACE_TOKEN_ID,
        DEV_ROTATE_NOW_TOKEN_ID,
        DEV_ROTATE_REVOKED_TOKEN_ID,
        DEV_ROTATED_TOKEN_ID,
    ]
    .to_vec();
    fixture_ids.sort_unstable_by(|a, b| b.cmp(a));
    let mut expected: Vec<serde_json::Value> =
        fixture_ids.iter().map(|id| serde_json::json!(id)).collect();
    expected.push(serde_json::Value::Null);
    assert_eq!(
        ids,
        expected.iter().collect::<Vec<_>>(),
        "TokenIds newest first, then the items without one: {text}"
    );
    assert!(items.iter().all(|i| i["TenantId"] == 1), "{text}");
    let by_id = |id: &str| items.iter().find(|i| i["TokenId"] == id).unwrap();
    assert_eq!(by_id(DEV_EXPIRED_TOKEN_ID)["DateExpires"], DEV_EXPIRED_DATE);
    assert_eq!(
        by_id(DEV_STANDARD_TOKEN_ID)["DateExpires"],
        serde_json::Value::Null
    );
    let legacy = items.last().unwrap();
    assert_eq!(legacy["Role"], "Administrator");
    assert_eq!(legacy["Revoked"], false);
    assert_eq!(legacy["DateRevoked"], serde_json::Value::Null);
    assert_eq!(legacy["DateCreated"], "2026-01-01T00:00:00");
    let revoked = by_id(DEV_REVOKE_TOKEN_ID);
    assert_eq!(revoked["Revoked"], true);
    assert_eq!(revoked["DateRevoked"], "2026-02-03T04:05:06");
    let revoked_fixture = by_id(DEV_ROTATE_REVOKED_TOKEN_ID);
    assert_eq!(revoked_fixture["Revoked"], true);
    assert_eq!(revoked_fixture["DateRevoked"], DEV_REVOKED_DATE);

    // Never a token nor a digest.
    let all = format!("{text}{}", stderr(&out));
    for token in [
        DEV_ADMIN_TOKEN,
        DEV_STANDARD_TOKEN,
        DEV_REVOKE_TOKEN,
        LEGACY_TOKEN,
    ] {
        assert!(!all.contains(token));
        assert!(!all.contains(TokenHash::of(token).as_str()), "digest shown");
    }

    // Another tenant: only its own items.
    let out = bootstrap(&table.name, &["list", "--tenant", "2"], &[]);
    assert!(out.status.success(), "{out:?}");
    let items = json_lines(&out);
    assert_eq!(items.len(), 2, "{}", stdout(&out));
    assert!(items.iter().all(|i| i["TenantId"] == 2));
    // A tenant without items: nothing on stdout, success.
    let out = bootstrap(&table.name, &["list", "--tenant", "77"], &[]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_reads_every_page_of_a_large_table() {
    // More items than one page of the tool's scan, spread over two tenants.
    let table = Table::new("bootstrap-list-pages").await;
    let mut requests = Vec::new();
    for n in 0..1100u32 {
        let tenant = if n % 2 == 0 { 3 } else { 4 };
        let mut item = HashMap::from([
            (
                "TokenHash".to_owned(),
                AttributeValue::S(format!("{:064x}", n)),
            ),
            ("TenantId".to_owned(), AttributeValue::N(tenant.to_string())),
            ("Role".to_owned(), AttributeValue::S("Standard".into())),
            ("Description".to_owned(), AttributeValue::S(format!("n{n}"))),
            (
                "DateCreated".to_owned(),
                AttributeValue::S("2026-01-01T00:00:00".into()),
            ),
        ]);
        if n % 3 != 0 {
            item.insert(
                "TokenId".to_owned(),
                AttributeValue::S(format!("01KB{:022}", n)),
            );
        }
        requests.push(
            WriteRequest::builder()
                .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                .build(),
        );
    }
    for chunk in requests.chunks(25) {
        let out = table
            .client
            .batch_write_item()
            .request_items(&table.name, chunk.to_vec())
            .send()
            .await
            .unwrap();
        assert!(out.unprocessed_items.unwrap_or_default().is_empty());
    }
    let out = bootstrap(&table.name, &["list", "--tenant", "3"], &[]);
    assert!(out.status.success(), "{out:?}");
    let mut descriptions: Vec<String> = json_lines(&out)
        .iter()
        .map(|i| i["Description"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(descriptions.len(), 550);
    descriptions.sort();
    descriptions.dedup();
    assert_eq!(descriptions.len(), 550, "each item exactly once");
    assert!(descriptions
        .iter()
        .all(|d| d[1..].parse::<u32>().unwrap() % 2 == 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_by_token_id_is_tenant_checked_and_keeps_the_first_date() {
    let table = Table::new("bootstrap-revoke-id").await;
    table.seed_dev_tokens().await;
    let before = table.items().await;

    // Another tenant's id, and an id that exists nowhere: refused, nothing changed.
    for id in [DEV_OTHER_TENANT_TOKEN_ID, "01KB0000000000000000000009"] {
        let out = bootstrap(
            &table.name,
            &["revoke", "--tenant", "1", "--token-id", id],
            &[],
        );
        assert_eq!(out.status.code(), Some(1), "{id}: {out:?}");
        assert_eq!(stdout(&out), "");
        assert!(stderr(&out).contains("no token"), "{out:?}");
    }
    // A TokenId of the wrong shape is a usage error.
    let out = bootstrap(
        &table.name,
        &["revoke", "--tenant", "1", "--token-id", "not-a-ulid"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(table.items().await, before, "nothing changed");

    let out = bootstrap(
        &table.name,
        &["revoke", "--tenant", "1", "--token-id", DEV_REVOKE_TOKEN_ID],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let printed = json_lines(&out);
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0]["TokenId"], DEV_REVOKE_TOKEN_ID);
    assert_eq!(printed[0]["TenantId"], 1);
    assert_eq!(printed[0]["Revoked"], true);
    let item = table.item_for(DEV_REVOKE_TOKEN).await.unwrap();
    assert_eq!(item["Revoked"], AttributeValue::Bool(true));
    assert_eq!(
        printed[0]["DateRevoked"].as_str().unwrap(),
        item["DateRevoked"].as_s().unwrap()
    );
    assert!(stderr(&out).contains(DEV_REVOKE_TOKEN_ID), "{out:?}");

    // Revoking again succeeds and keeps the first DateRevoked.
    table
        .set_attribute(
            DEV_REVOKE_TOKEN,
            "DateRevoked",
            AttributeValue::S("2026-02-03T04:05:06".into()),
        )
        .await;
    let out = bootstrap(
        &table.name,
        &["revoke", "--tenant", "1", "--token-id", DEV_REVOKE_TOKEN_ID],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(json_lines(&out)[0]["DateRevoked"], "2026-02-03T04:05:06");
    // The other items are untouched.
    let after = table.items().await;
    for token in [DEV_ADMIN_TOKEN, DEV_STANDARD_TOKEN, DEV_OTHER_TENANT_TOKEN] {
        let key = TokenHash::of(token).as_str().to_owned();
        assert_eq!(after[&key], before[&key]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_by_token_on_standard_input_reaches_items_without_token_id() {
    let table = Table::new("bootstrap-revoke-stdin").await;
    table.seed(LEGACY_TOKEN, "Administrator", 4, None).await;
    table.seed_dev_tokens().await;

    let out = bootstrap_with_stdin(
        &table.name,
        &["revoke", "--token-stdin"],
        &format!("{LEGACY_TOKEN}\n"),
    );
    assert!(out.status.success(), "{out:?}");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains(LEGACY_TOKEN), "{all}");
    assert!(!all.contains(TokenHash::of(LEGACY_TOKEN).as_str()), "{all}");
    assert!(stderr(&out).contains("(no TokenId)"), "{all}");
    let printed = json_lines(&out);
    assert_eq!(printed[0]["TokenId"], serde_json::Value::Null);
    assert_eq!(printed[0]["TenantId"], 4);
    assert_eq!(printed[0]["Revoked"], true);
    let item = table.item_for(LEGACY_TOKEN).await.unwrap();
    assert_eq!(item["Revoked"], AttributeValue::Bool(true));
    assert_eq!(
        printed[0]["DateRevoked"].as_str().unwrap(),
        item["DateRevoked"].as_s().unwrap()
    );

    // Idempotent: the first DateRevoked is kept.
    table
        .set_attribute(
            LEGACY_TOKEN,
            "DateRevoked",
            AttributeValue::S("2026-02-03T04:05:06".into()),
        )
        .await;
    let out = bootstrap_with_stdin(&table.name, &["revoke", "--token-stdin"], LEGACY_TOKEN);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(json_lines(&out)[0]["DateRevoked"], "2026-02-03T04:05:06");

    // A token with a TokenId can be revoked this way too.
    let out = bootstrap_with_stdin(
        &table.name,
        &["revoke", "--token-stdin"],
        &format!("{DEV_STANDARD_TOKEN}\r\n"),
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(json_lines(&out)[0]["TokenId"], DEV_STANDARD_TOKEN_ID);

    // An unknown token: exit 1 and no item is created for it.
    let before = table.items().await;
    let unknown = "zzzzzzzzzzzzzzzzzzzzzzzzz-us-1";
    let out = bootstrap_with_stdin(&table.name, &["revoke", "--token-stdin"], unknown);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(stdout(&out), "");
    assert!(!stderr(&out).contains(unknown));
    assert!(table.item_for(unknown).await.is_none(), "item created");

    // Not one token: usage errors, never echoed.
    for input in [
        "",
        "\n",
        "not a token",
        &format!("{LEGACY_TOKEN}\n{DEV_ADMIN_TOKEN}\n"),
        &format!("{LEGACY_TOKEN} {DEV_ADMIN_TOKEN}"),
    ] {
        let out = bootstrap_with_stdin(&table.name, &["revoke", "--token-stdin"], input);
        assert_eq!(out.status.code(), Some(2), "{input:?}: {out:?}");
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            !all.contains(LEGACY_TOKEN) && !all.contains(DEV_ADMIN_TOKEN),
            "{all}"
        );
    }
    assert_eq!(table.items().await, before, "nothing changed");

    // A token on the command line is refused without being echoed.
    for args in [
        &["revoke", DEV_ADMIN_TOKEN][..],
        &["revoke", "--token-stdin", DEV_ADMIN_TOKEN],
        &["revoke", "--token", DEV_ADMIN_TOKEN],
        &["revoke", &format!("--token-stdin={DEV_ADMIN_TOKEN}")],
        &["revoke", "--tenant", "1", "--token-id", DEV_ADMIN_TOKEN],
    ] {
        let out = bootstrap_with_stdin(&table.name, args, DEV_ADMIN_TOKEN);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains(DEV_ADMIN_TOKEN), "{args:?}: {all}");
    }
    assert_eq!(table.items().await, before, "nothing changed");
}

#[test]
fn usage_errors_exit_2_and_never_echo_values() {
    for args in [
        &["mint", "--tenant", "1", "--role", DEV_ADMIN_TOKEN][..],
        &["mint", "--tenant", DEV_ADMIN_TOKEN],
        &["mint", "--tenant", "1", "--token-id", DEV_ADMIN_TOKEN_ID],
        &[
            "mint",
            "--tenant",
            "1",
            "--import-token",
            DEV_ADMIN_TOKEN,
            "--token-id",
            DEV_ADMIN_TOKEN,
        ],
        &["mint", &format!("--{DEV_ADMIN_TOKEN}")],
        &["mint", "--tenant", "1", "--description", "a\tb"],
        &["mint"],
        &["list"],
        &["list", "--tenant", "1", DEV_ADMIN_TOKEN],
        &[DEV_ADMIN_TOKEN],
        &["revoke"],
        &[],
    ] {
        let out = bootstrap("unused-table", args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains(DEV_ADMIN_TOKEN), "{args:?}: {all}");
        assert!(!all.trim().is_empty(), "{args:?}: a message");
    }
}

#[test]
fn revoke_token_stdin_does_not_echo_a_token_typed_at_a_terminal() {
    // The tool runs on a pseudo-terminal (`script` from util-linux allocates it); what the
    // terminal shows is what `script` copies to its standard output. A token typed after
    // the prompt must not appear there. The endpoint is a closed loopback port: the
    // revocation itself then fails, which does not matter here.
    use std::io::Read;
    let token = "localdevtypedattheterm001-us-1";
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let command = format!(
        "'{}' revoke --token-stdin",
        env!("CARGO_BIN_EXE_apikey-bootstrap")
    );
    set_local_aws_env();
    let mut child = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TABLE_NAME", "no-such-table")
        .env("AWS_ENDPOINT_URL_DYNAMODB", &endpoint)
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("TERM", "dumb")
        .env_remove("AWS_PROFILE")
        .env_remove("DATA_CENTER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run apikey-bootstrap under script(1)");
    let mut stdout = child.stdout.take().unwrap();
    let (shown, seen) = std::sync::mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || shown.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut terminal = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !String::from_utf8_lossy(&terminal).contains("paste the token") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match seen.recv_timeout(left) {
            Ok(chunk) => terminal.extend(chunk),
            Err(_) => panic!(
                "no prompt on the terminal: {:?}",
                String::from_utf8_lossy(&terminal)
            ),
        }
    }
    let mut stdin = child.stdin.take().unwrap();
    // Enter, then Ctrl-D (end of input on a terminal), as a user would.
    stdin
        .write_all(format!("{token}\n\x04").as_bytes())
        .unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    reader.join().unwrap();
    terminal.extend(seen.try_iter().flatten());
    let terminal = String::from_utf8_lossy(&terminal);
    assert!(
        !status.success(),
        "the revocation cannot succeed here: {terminal}"
    );
    assert!(
        !terminal.contains("localdevtyped"),
        "the typed token was echoed: {terminal:?}"
    );
}
