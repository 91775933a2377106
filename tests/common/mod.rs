//! Shared integration-test harness: AWS's DynamoDB Local, one table per test, the real
//! `create-api-token` binary served events through a loopback Lambda Runtime API, and
//! the parsed API Gateway / ALB responses.
//!
//! DynamoDB Local: `DYNAMODB_LOCAL_ENDPOINT` (e.g. `http://127.0.0.1:8000`, as `make test`
//! sets) is used if set; otherwise the harness starts `DynamoDBLocal.jar` from
//! `DYNAMODB_LOCAL_DIR` (written to `.tools/env.sh` by `scripts/setup.sh`) on a free port,
//! with a watchdog that stops it when the test process exits.

#![allow(dead_code)]

pub mod lambda_process;
pub mod openapi;
pub mod runtime_api;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use create_api_token::store::dynamodb::{client_from_env, create_table, Timeouts};
use create_api_token::token::TokenHash;
use tokio::process::{Child, Command};

pub use runtime_api::{Outcome, RuntimeApi};

/// The documented local-only dev tokens the `events/` files carry (README, "Dev tokens").
pub const DEV_ADMIN_TOKEN: &str = "localdevadmin000000000001-us-1";
pub const DEV_STANDARD_TOKEN: &str = "localdevstandard000000001-us-1";
pub const DEV_TENANT: i64 = 1;
/// TokenIds of the dev tokens (docs/api.md, "Local development"): fixed so that the
/// `events/` files can name them.
pub const DEV_ADMIN_TOKEN_ID: &str = "01KBDEVADM0000000000000001";
pub const DEV_STANDARD_TOKEN_ID: &str = "01KBDEVSTD0000000000000001";
/// A tenant-1 Standard token the revoke events revoke.
pub const DEV_REVOKE_TOKEN: &str = "localdevrevoke00000000001-us-1";
pub const DEV_REVOKE_TOKEN_ID: &str = "01KBDEVREV0000000000000001";
/// A token of another tenant (2): tenant 1 must neither list nor revoke it.
pub const DEV_OTHER_TENANT_TOKEN: &str = "localdevother000000000002-us-1";
pub const DEV_OTHER_TENANT_TOKEN_ID: &str = "01KBDEVTN20000000000000001";
pub const DEV_OTHER_TENANT: i64 = 2;

/// Fake static credentials and region for DynamoDB Local (it accepts any).
pub fn set_local_aws_env() {
    // SAFETY-free: set before any thread reads the environment in this process is not
    // guaranteed, so every value is identical wherever it is set.
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        if std::env::var(k).as_deref() != Ok(v) {
            unsafe { std::env::set_var(k, v) };
        }
    }
    let endpoint = dynamodb_local_endpoint();
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").as_deref() != Ok(endpoint) {
        unsafe { std::env::set_var("AWS_ENDPOINT_URL_DYNAMODB", endpoint) };
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The DynamoDB Local endpoint for this test process, starting one if needed.
pub fn dynamodb_local_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(e) = std::env::var("DYNAMODB_LOCAL_ENDPOINT") {
            return e;
        }
        let dir = std::env::var("DYNAMODB_LOCAL_DIR").unwrap_or_else(|_| {
            panic!(
                "integration tests need AWS DynamoDB Local: run `make test`, or \
                 `bash scripts/setup.sh && . .tools/env.sh` to set DYNAMODB_LOCAL_DIR, \
                 or set DYNAMODB_LOCAL_ENDPOINT to a running instance"
            )
        });
        start_dynamodb_local(Path::new(&dir))
    })
}

fn start_dynamodb_local(dir: &Path) -> String {
    let port = free_port();
    // A watchdog shell: starts the JVM, and kills it once this test process is gone.
    let script = format!(
        "java -Djava.library.path='{lib}' -jar '{jar}' -inMemory -disableTelemetry -port {port} >/dev/null 2>&1 & \
         jpid=$!; while kill -0 {parent} 2>/dev/null && kill -0 $jpid 2>/dev/null; do sleep 0.5; done; \
         kill $jpid 2>/dev/null",
        lib = dir.join("DynamoDBLocal_lib").display(),
        jar = dir.join("DynamoDBLocal.jar").display(),
        parent = std::process::id(),
    );
    // Kept for the life of the test process; the watchdog ends with it.
    static WATCHDOG: OnceLock<Mutex<std::process::Child>> = OnceLock::new();
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        // DynamoDB Local writes a metadata file into its working directory.
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .spawn()
        .expect("start DynamoDB Local (java)");
    let _ = WATCHDOG.set(Mutex::new(child));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "DynamoDB Local did not listen on {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    format!("http://127.0.0.1:{port}")
}

/// A DynamoDB endpoint on loopback that accepts every connection and never reads or
/// answers: the "silent store" of the fault tests. Stops serving when dropped.
pub struct SilentDynamoDb {
    /// `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_DYNAMODB`.
    pub endpoint: String,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SilentDynamoDb {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(socket);
            }
        });
        Self {
            endpoint,
            accepted,
            task,
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for SilentDynamoDb {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh table in DynamoDB Local, unique to one test.
pub struct Table {
    pub name: String,
    pub client: Client,
}

impl Table {
    /// Creates `<prefix>-<pid>-<n>` with the production key schema.
    pub async fn new(prefix: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        set_local_aws_env();
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let client = client_from_env(Timeouts::default()).await;
        // DynamoDB Local may still be warming up its JVM: retry briefly.
        let mut tries = 0;
        loop {
            match create_table(&client, &name).await {
                Ok(_) => break,
                Err(e) if tries < 20 => {
                    tries += 1;
                    eprintln!("create_table retry {tries}: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("create table {name}: {e}"),
            }
        }
        Self { name, client }
    }

    /// Stores a token item directly (test fixture), without a `TokenId` (as items written
    /// before TokenIds existed).
    pub async fn seed(&self, token: &str, role: &str, tenant: i64, revoked: Option<bool>) {
        self.seed_item(token, None, role, tenant, revoked).await;
    }

    /// Stores a token item with `TokenId` `token_id` directly (test fixture).
    pub async fn seed_with_id(&self, token: &str, token_id: &str, role: &str, tenant: i64) {
        self.seed_item(token, Some(token_id), role, tenant, None)
            .await;
    }

    async fn seed_item(
        &self,
        token: &str,
        token_id: Option<&str>,
        role: &str,
        tenant: i64,
        revoked: Option<bool>,
    ) {
        let mut req = self
            .client
            .put_item()
            .table_name(&self.name)
            .item(
                "TokenHash",
                AttributeValue::S(TokenHash::of(token).as_str().to_owned()),
            )
            .item("TenantId", AttributeValue::N(tenant.to_string()))
            .item("Role", AttributeValue::S(role.to_owned()))
            .item("Description", AttributeValue::S("fixture".to_owned()))
            .item(
                "DateCreated",
                AttributeValue::S("2026-01-01T00:00:00".to_owned()),
            );
        if let Some(r) = revoked {
            req = req.item("Revoked", AttributeValue::Bool(r));
        }
        if let Some(id) = token_id {
            req = req.item("TokenId", AttributeValue::S(id.to_owned()));
        }
        req.send().await.expect("seed item");
    }

    /// Sets one attribute of the item stored for `token` (e.g. `Revoked`), as an operator
    /// would with the console or the CLI.
    pub async fn set_attribute(&self, token: &str, name: &str, value: AttributeValue) {
        self.client
            .update_item()
            .table_name(&self.name)
            .key(
                "TokenHash",
                AttributeValue::S(TokenHash::of(token).as_str().to_owned()),
            )
            .update_expression("SET #a = :v")
            .expression_attribute_names("#a", name)
            .expression_attribute_values(":v", value)
            .send()
            .await
            .expect("update_item");
    }

    /// Seeds the dev tokens the `events/` files use, with their fixed TokenIds.
    pub async fn seed_dev_tokens(&self) {
        for (token, id, role, tenant) in [
            (
                DEV_ADMIN_TOKEN,
                DEV_ADMIN_TOKEN_ID,
                "Administrator",
                DEV_TENANT,
            ),
            (
                DEV_STANDARD_TOKEN,
                DEV_STANDARD_TOKEN_ID,
                "Standard",
                DEV_TENANT,
            ),
            (
                DEV_REVOKE_TOKEN,
                DEV_REVOKE_TOKEN_ID,
                "Standard",
                DEV_TENANT,
            ),
            (
                DEV_OTHER_TENANT_TOKEN,
                DEV_OTHER_TENANT_TOKEN_ID,
                "Standard",
                DEV_OTHER_TENANT,
            ),
        ] {
            self.seed_with_id(token, id, role, tenant).await;
        }
    }

    /// Every item, keyed by `TokenHash`.
    pub async fn items(&self) -> HashMap<String, HashMap<String, AttributeValue>> {
        let mut out = HashMap::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.name)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            for item in page.items.unwrap_or_default() {
                let key = item["TokenHash"].as_s().unwrap().clone();
                out.insert(key, item);
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return out;
            }
        }
    }

    /// The item stored for `token`, if any.
    pub async fn item_for(&self, token: &str) -> Option<HashMap<String, AttributeValue>> {
        self.client
            .get_item()
            .table_name(&self.name)
            .key(
                "TokenHash",
                AttributeValue::S(TokenHash::of(token).as_str().to_owned()),
            )
            .consistent_read(true)
            .send()
            .await
            .expect("get_item")
            .item
    }
}

/// The real `create-api-token` process, serving events from a [`RuntimeApi`].
pub struct Function {
    pub runtime: RuntimeApi,
    child: Child,
    pub logs: Arc<Mutex<Vec<String>>>,
}

impl Function {
    /// Starts the binary against `table_name` on DynamoDB Local with extra env vars.
    pub async fn start(table_name: &str, extra_env: &[(&str, &str)]) -> Self {
        set_local_aws_env();
        let endpoint = dynamodb_local_endpoint().to_owned();
        let mut env: Vec<(String, String)> = vec![
            ("AWS_ENDPOINT_URL_DYNAMODB".into(), endpoint),
            ("TABLE_NAME".into(), table_name.into()),
        ];
        env.extend(
            extra_env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Self::start_with_env(&env).await
    }

    /// Starts the binary with exactly the Lambda variables plus `env` (no TABLE_NAME
    /// unless given).
    pub async fn start_with_env(env: &[(String, String)]) -> Self {
        let runtime = RuntimeApi::start().await;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_create-api-token"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let process =
            lambda_process::spawn(cmd, &runtime.address()).expect("spawn create-api-token");
        Self {
            runtime,
            child: process.child,
            logs: process.logs,
        }
    }

    /// Sends one event (raw JSON) and returns what the function answered (10 s limit).
    pub async fn invoke(&self, event: &str) -> Outcome {
        self.runtime
            .invoke(event, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no answer within 10 s; logs: {:?}", self.logs()))
    }

    /// Sends one event that must produce an HTTP response, and parses it.
    pub async fn call(&self, event: &str) -> HttpResponse {
        match self.invoke(event).await {
            Outcome::Response(body) => HttpResponse::parse(&body),
            Outcome::Error(e) => panic!("invocation error {e}; logs: {:?}", self.logs()),
        }
    }

    /// `true` while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the process to exit (up to `limit`), returning its exit code.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()
            .and_then(|s| s.ok())
            .and_then(|s| s.code())
    }

    /// Everything the process wrote so far, one entry per line.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }
}

/// An HTTP response as API Gateway (payload 1.0 / 2.0), a Function URL or an ALB gets it
/// from the function.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased; single- and multi-value headers merged.
    pub headers: HashMap<String, Vec<String>>,
    pub body: String,
    pub raw: serde_json::Value,
}

impl HttpResponse {
    pub fn parse(json: &str) -> Self {
        let raw: serde_json::Value = serde_json::from_str(json).expect("response is JSON");
        let status = raw["statusCode"].as_u64().expect("statusCode") as u16;
        let mut headers: HashMap<String, Vec<String>> = HashMap::new();
        if let Some(h) = raw["headers"].as_object() {
            for (k, v) in h {
                headers
                    .entry(k.to_ascii_lowercase())
                    .or_default()
                    .push(v.as_str().unwrap_or_default().to_owned());
            }
        }
        if let Some(h) = raw["multiValueHeaders"].as_object() {
            for (k, vs) in h {
                let entry = headers.entry(k.to_ascii_lowercase()).or_default();
                for v in vs.as_array().into_iter().flatten() {
                    let v = v.as_str().unwrap_or_default().to_owned();
                    if !entry.contains(&v) {
                        entry.push(v);
                    }
                }
            }
        }
        let body = raw["body"].as_str().unwrap_or_default().to_owned();
        let body = if raw["isBase64Encoded"].as_bool() == Some(true) {
            use base64::Engine;
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(body)
                    .unwrap(),
            )
            .unwrap()
        } else {
            body
        };
        Self {
            status,
            headers,
            body,
            raw,
        }
    }

    /// The single value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body {:?}: {e}", self.body))
    }
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

/// Waits until the function asks the Runtime API for its first event (cold start done).
pub async fn wait_until_polling(function: &Function, limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    while function.runtime.first_poll().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the function did not poll for an event within {limit:?}; logs: {:?}",
            function.logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts that none of `tokens` appears in `logs`: neither the whole token, nor its
/// first 16 characters (a token body), nor its SHA-256 digest.
pub fn assert_no_token_material(logs: &[String], tokens: &[&str]) {
    let all = logs.join("\n");
    for token in tokens {
        assert!(!all.contains(token), "a token reached the logs");
        let prefix: String = token.chars().take(16).collect();
        assert!(!all.contains(&prefix), "a token body reached the logs");
        assert!(
            !all.contains(TokenHash::of(token).as_str()),
            "a token digest reached the logs"
        );
    }
}

/// The standard error envelope with `status` and the headers every response carries:
/// exactly `{"Status":false,"Message":"<non-empty>","Response":null}`.
pub fn assert_error_envelope(response: &HttpResponse, status: u16) {
    assert_eq!(response.status, status, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    let message = body["Message"].as_str().expect("Message is a string");
    assert!(!message.is_empty());
    assert_eq!(
        response.body,
        format!(
            r#"{{"Status":false,"Message":{},"Response":null}}"#,
            serde_json::to_string(message).unwrap()
        ),
        "exact error envelope"
    );
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
