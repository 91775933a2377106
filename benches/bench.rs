//! The performance benchmark of issue #4: prints figures, asserts nothing about speed.
//!
//! `bash scripts/bench.sh` (or `make bench`) builds what it needs and runs this with
//! `cargo bench --bench bench`. Against AWS's DynamoDB Local on this machine (started by
//! the test harness, stopped when this process exits), in one run:
//!
//! 1. warm latency of a valid create through the real event path, in process:
//!    `event::parse_event` (as main.rs: `lambda_http`'s event types behind `ScrubHeaders`)
//!    on `events/http-api-create-200.json`, `App::handle`
//!    (routing, auth, `GetItem`, validation, token, conditional `PutItem`, envelope) with
//!    the DynamoDB client `client_from_env` builds;
//! 2. the floor: the same strongly consistent `GetItem` and conditional `PutItem` issued
//!    directly with the same client, in blocks alternating with (1) so that drift of the
//!    JVM hits both alike; the ratio of the medians;
//! 3. handler CPU per request over the in-memory store (event parsing included), without
//!    and with Lambda's default log subscriber (formatting into a sink);
//! 4. cold start of the release `create-api-token` process against a loopback Lambda
//!    Runtime API: spawn to first poll (median of several starts), and the first
//!    invocation against warm ones of the same process;
//! 5. peak RSS (`VmHWM`) of the process after a warm run through the Runtime API;
//! 6. size of the arm64 `bootstrap` of `cargo lambda build --release --arm64`;
//! 7. list (a tenant with 100 tokens, one page of 50) and revoke, in process, against
//!    their floors: the same DynamoDB calls issued directly with the same client (the
//!    caller's `GetItem`, then the `Query` on `TenantTokens`; for a revocation the `Query`
//!    for the key and the conditional `UpdateItem`), in alternating blocks as (1)/(2);
//! 8. creates per second from one process at concurrency 1, 8 and 32
//!    (`AWS_LAMBDA_MAX_CONCURRENCY`, Lambda Managed Instances) against as many separate
//!    one-at-a-time processes polling the same Runtime API, each with peak RSS.
//!
//! Environment knobs: `BENCH_N` (invocations per warm figure, default 2000, at least
//! 1000), `BENCH_COLD_STARTS` (default 9), `BENCH_CPU_N` (default 50000),
//! `BENCH_ONLY=cpu` (figure 3 only, no DynamoDB; used by the profile sweep), `BENCH_ONLY=ops`
//! (figure 7 only), `BENCH_ONLY=throughput` (figure 8 only),
//! `BENCH_OPS_N` (list and revoke samples per side, default 1000), `BENCH_TP_N` (creates
//! per throughput configuration, default 3000),
//! `BENCH_BOOTSTRAP` (path of the arm64 bootstrap), `BENCH_FUNCTION_BIN` (the function
//! binary; default the one Cargo built for this bench, i.e. the release profile).
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) it only smoke-tests figure 3.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use common::{
    lambda_process, Outcome, RuntimeApi, Table, DEV_ADMIN_TOKEN, DEV_ADMIN_TOKEN_ID, DEV_TENANT,
};
use create_api_token::event::parse_event;
use create_api_token::store::dynamodb::{
    attr, client_from_env, item_attributes, DynamoDbStore, Timeouts, TENANT_TOKENS_INDEX,
};
use create_api_token::store::{NewTokenItem, PutOutcome, TokenStore, ADMINISTRATOR, STANDARD};
use create_api_token::token::TokenHash;
use create_api_token::token_id::TokenId;
use create_api_token::App;
use lambda_http::Body;
use tokio::process::{Child, Command};

const EVENT_FILE: &str = "http-api-create-200.json";
/// Blocks of this many warm requests alternate with blocks of as many floor calls.
const BLOCK: usize = 50;

// ---------------------------------------------------------------------------------------
// Statistics and figures

/// Latency samples, in seconds.
#[derive(Default, Clone)]
struct Samples(Vec<f64>);

impl Samples {
    fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64());
    }
    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }
    /// Nearest-rank percentile (`p` in 0..=100), in seconds.
    fn pct(&self, p: f64) -> f64 {
        let v = self.sorted();
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
        v[rank.min(v.len()) - 1]
    }
    fn p50(&self) -> f64 {
        self.pct(50.0)
    }
    fn p99(&self) -> f64 {
        self.pct(99.0)
    }
    fn mean(&self) -> f64 {
        self.0.iter().sum::<f64>() / self.0.len() as f64
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// One line of the summary table.
struct Row {
    figure: String,
    measured: String,
    target: String,
    /// `Some(pass)` for a figure with a target.
    pass: Option<bool>,
}

#[derive(Default)]
struct Report(Vec<Row>);

impl Report {
    fn info(&mut self, figure: &str, measured: String) {
        self.0.push(Row {
            figure: figure.to_owned(),
            measured,
            target: "-".to_owned(),
            pass: None,
        });
    }
    fn check(&mut self, figure: &str, measured: String, target: &str, pass: bool) {
        self.0.push(Row {
            figure: figure.to_owned(),
            measured,
            target: target.to_owned(),
            pass: Some(pass),
        });
    }
    fn print(&self) {
        let w0 = self
            .0
            .iter()
            .map(|r| r.figure.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let w1 = self
            .0
            .iter()
            .map(|r| r.measured.chars().count())
            .max()
            .unwrap_or(8)
            .max(8);
        let w2 = self
            .0
            .iter()
            .map(|r| r.target.len())
            .max()
            .unwrap_or(6)
            .max(6);
        println!();
        println!("== Summary (issue #4 targets) ==");
        println!(
            "| {:w0$} | {:w1$} | {:w2$} | result |",
            "figure", "measured", "target"
        );
        println!(
            "|{}|{}|{}|--------|",
            "-".repeat(w0 + 2),
            "-".repeat(w1 + 2),
            "-".repeat(w2 + 2)
        );
        for r in &self.0 {
            let mark = match r.pass {
                Some(true) => "PASS",
                Some(false) => "FAIL",
                None => "",
            };
            let pad = w1 - r.measured.chars().count();
            println!(
                "| {:w0$} | {}{} | {:w2$} | {:6} |",
                r.figure,
                r.measured,
                " ".repeat(pad),
                r.target,
                mark
            );
        }
        let failed = self.0.iter().filter(|r| r.pass == Some(false)).count();
        let checked = self.0.iter().filter(|r| r.pass.is_some()).count();
        println!("{} of {checked} targets met", checked - failed);
    }
}

fn ms(s: f64) -> String {
    format!("{:.3} ms", s * 1e3)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------
// CPU time from /proc

/// CPU time this thread has used (`/proc/thread-self/schedstat`, nanoseconds).
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// CPU time all threads of process `pid` have used (sum of their `schedstat`).
fn process_cpu(pid: u32) -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let s = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += s.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// A `VmXxx:` line of `/proc/<pid>/status`, in bytes.
fn vm_status(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

// ---------------------------------------------------------------------------------------
// Figure 3: handler CPU over the in-memory store

/// The event parsed as the function parses it: `create_api_token::event::parse_event` (the
/// `ScrubHeaders` layer main.rs puts before `lambda_http::Adapter`), then `lambda_http`'s
/// conversion into an HTTP request.
fn parse(event: &str) -> lambda_http::Request {
    parse_event(event).expect("event parses").into()
}

struct CpuFigures {
    /// Per-request wall time (single thread, nothing else running), seconds.
    samples: Samples,
    /// Thread CPU time per request, seconds, if `/proc` tells.
    cpu_per_request: Option<f64>,
}

/// `n` requests (event parsing + `App::handle`), after `n / 10` unrecorded ones.
fn handler_cpu(rt: &tokio::runtime::Runtime, event: &str, n: usize) -> CpuFigures {
    let app = common::memory_app_with_dev_admin();
    rt.block_on(async {
        for _ in 0..n / 10 {
            let request = parse(event);
            let response = app.handle(request).await;
            assert_eq!(response.status(), 200);
        }
        let mut samples = Samples::default();
        samples.0.reserve(n);
        let cpu_before = thread_cpu();
        let started = Instant::now();
        for _ in 0..n {
            let t = Instant::now();
            let request = parse(event);
            let response = app.handle(request).await;
            samples.push(t.elapsed());
            assert_eq!(response.status(), 200);
        }
        let wall = started.elapsed();
        let cpu_per_request = match (cpu_before, thread_cpu()) {
            (Some(a), Some(b)) => Some((b - a).as_secs_f64() / n as f64),
            _ => None,
        };
        eprintln!("  {n} requests in {:.1} ms wall", wall.as_secs_f64() * 1e3);
        CpuFigures {
            samples,
            cpu_per_request,
        }
    })
}

fn print_cpu(label: &str, f: &CpuFigures) {
    println!(
        "  {label}: mean {:.2} µs, p50 {:.2} µs, p99 {:.2} µs per request{}",
        f.samples.mean() * 1e6,
        f.samples.p50() * 1e6,
        f.samples.p99() * 1e6,
        f.cpu_per_request
            .map(|c| format!(", thread CPU {:.2} µs per request", c * 1e6))
            .unwrap_or_default()
    );
}

/// Figure 3, both without a log subscriber and with Lambda's default one writing to a
/// sink. Returns (mean µs without, mean µs with logging).
fn figure_handler_cpu(rt: &tokio::runtime::Runtime, event: &str, n: usize) -> (f64, f64) {
    println!("[3] handler CPU, in-memory store, event parsing included ({n} requests)");
    let plain = handler_cpu(rt, event, n);
    print_cpu("no log subscriber        ", &plain);
    // The subscriber `lambda_http::tracing::init_default_subscriber` installs (INFO, text,
    // no time), writing into a sink instead of stdout.
    let subscriber = lambda_http::tracing::subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::sink)
        .finish();
    let logged = tracing::subscriber::with_default(subscriber, || handler_cpu(rt, event, n));
    print_cpu("Lambda log line formatted", &logged);
    let cost = |f: &CpuFigures| f.cpu_per_request.unwrap_or_else(|| f.samples.mean()) * 1e6;
    (cost(&plain), cost(&logged))
}

// ---------------------------------------------------------------------------------------
// Figures 1 and 2: warm latency against the floor, in process

/// One strongly consistent `GetItem` and one conditional `PutItem`, as the handler sends
/// them, issued directly with `client`.
async fn floor_once(
    client: &Client,
    table: &str,
    caller: &str,
    item: HashMap<String, AttributeValue>,
) -> Duration {
    let t = Instant::now();
    let got = client
        .get_item()
        .table_name(table)
        .key(attr::TOKEN_HASH, AttributeValue::S(caller.to_owned()))
        .consistent_read(true)
        .projection_expression("TenantId, #role, Revoked")
        .expression_attribute_names("#role", attr::ROLE)
        .send()
        .await
        .expect("floor GetItem");
    client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(TokenHash)")
        .send()
        .await
        .expect("floor PutItem");
    let elapsed = t.elapsed();
    assert!(got.item.is_some(), "the caller item exists");
    elapsed
}

/// A new token item like the handler writes, under a fresh random key.
fn floor_item(caller: &TokenHash, i: u64) -> HashMap<String, AttributeValue> {
    static SALT: AtomicU64 = AtomicU64::new(0);
    let salt = SALT.fetch_add(1, Ordering::Relaxed);
    let seed = format!("floor-{}-{i}-{salt}", std::process::id());
    item_attributes(&NewTokenItem {
        token_hash: TokenHash::of(&seed),
        token_id: create_api_token::token_id::TokenId::new(1_776_513_600_000 + i),
        tenant_id: DEV_TENANT,
        role: STANDARD.to_owned(),
        description: "Zapier integration + C++ \u{2713}".to_owned(),
        date_created: "2026-04-18T12:00:00".to_owned(),
        created_by: Some(caller.clone()),
        created_by_id: create_api_token::token_id::TokenId::parse(DEV_ADMIN_TOKEN_ID),
        date_expires: None,
        rotated_from_id: None,
    })
}

async fn warm_once(app: &App<DynamoDbStore>, event: &str) -> Duration {
    let t = Instant::now();
    let request = parse(event);
    let response = app.handle(request).await;
    let elapsed = t.elapsed();
    assert_eq!(response.status(), 200, "{:?}", body_text(response.body()));
    elapsed
}

fn body_text(body: &Body) -> String {
    match body {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        Body::Empty => String::new(),
        _ => String::from("<other body>"),
    }
}

/// Figures 1 and 2. Returns (warm, floor).
async fn figure_warm_and_floor(table: &Table, event: &str, n: usize) -> (Samples, Samples) {
    let client = client_from_env(Timeouts::default()).await;
    let store = DynamoDbStore::new(client.clone(), table.name.clone());
    store.warm_up().await.expect("warm-up GetItem");
    assert!(store
        .get_caller(&TokenHash::of(DEV_ADMIN_TOKEN))
        .await
        .expect("GetItem")
        .is_some());
    let app = App::new(store, "us-1");
    let caller = TokenHash::of(DEV_ADMIN_TOKEN);
    let caller_key = caller.as_str().to_owned();

    // Let the JVM compile its hot paths before recording anything.
    let warmup = (n / 4).max(300);
    for i in 0..warmup {
        warm_once(&app, event).await;
        floor_once(
            &client,
            &table.name,
            &caller_key,
            floor_item(&caller, i as u64),
        )
        .await;
    }

    let mut warm = Samples::default();
    let mut floor = Samples::default();
    let blocks = n.div_ceil(BLOCK);
    for b in 0..blocks {
        let items: Vec<_> = (0..BLOCK)
            .map(|i| floor_item(&caller, (b * BLOCK + i) as u64))
            .collect();
        // Alternate which side goes first, so neither always follows the other.
        if b % 2 == 0 {
            for _ in 0..BLOCK {
                warm.push(warm_once(&app, event).await);
            }
            for item in items {
                floor.push(floor_once(&client, &table.name, &caller_key, item).await);
            }
        } else {
            for item in items {
                floor.push(floor_once(&client, &table.name, &caller_key, item).await);
            }
            for _ in 0..BLOCK {
                warm.push(warm_once(&app, event).await);
            }
        }
    }
    (warm, floor)
}

// ---------------------------------------------------------------------------------------
// Figures 4 and 5: the real process through a loopback Lambda Runtime API

fn function_binary() -> PathBuf {
    std::env::var_os("BENCH_FUNCTION_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_create-api-token")))
}

/// The function process, its Runtime API, and the instant it was spawned.
struct Process {
    runtime: RuntimeApi,
    child: Child,
    pid: u32,
    spawned: Instant,
    log_lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Spawns the function with the variables Lambda sets (`tests/common/lambda_process.rs`).
    async fn spawn(table: &str) -> Self {
        let runtime = RuntimeApi::start().await;
        let mut cmd = Command::new(function_binary());
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env(
                "AWS_ENDPOINT_URL_DYNAMODB",
                common::dynamodb_local_endpoint(),
            )
            .env("TABLE_NAME", table)
            .env("RUST_LOG", "info");
        let spawned = Instant::now();
        let process =
            lambda_process::spawn(cmd, &runtime.address()).expect("spawn create-api-token");
        let pid = process.child.id().expect("pid");
        Self {
            runtime,
            child: process.child,
            pid,
            spawned,
            log_lines: process.logs,
        }
    }

    /// Time from spawn to the first `GET /runtime/invocation/next`.
    async fn time_to_first_poll(&mut self) -> Duration {
        let limit = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(first) = self.runtime.first_poll() {
                return first - self.spawned;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("function exited with {status}: {:?}", self.logs());
            }
            assert!(
                Instant::now() < limit,
                "no poll within 10 s: {:?}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    /// One create through the Runtime API; its round-trip time.
    async fn invoke(&self, event: &str) -> Duration {
        let t = Instant::now();
        let outcome = self
            .runtime
            .invoke(event, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no answer within 10 s: {:?}", self.logs()));
        let elapsed = t.elapsed();
        match outcome {
            Outcome::Response(body) => {
                let v: serde_json::Value = serde_json::from_str(&body).expect("JSON response");
                assert_eq!(v["statusCode"], 200, "{body}");
            }
            Outcome::Error(e) => panic!("invocation error {e}: {:?}", self.logs()),
        }
        elapsed
    }

    fn logs(&self) -> Vec<String> {
        self.log_lines.lock().unwrap().clone()
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

struct ColdFigures {
    to_first_poll: Samples,
    first_invocation: Samples,
    warm_invocation: Samples,
}

/// Figure 4: `starts` fresh processes; for each, spawn to first poll, the first
/// invocation, then `WARM_AFTER` more of which the median is the warm reference.
async fn figure_cold_start(table: &Table, event: &str, starts: usize) -> ColdFigures {
    const WARM_AFTER: usize = 30;
    let mut figures = ColdFigures {
        to_first_poll: Samples::default(),
        first_invocation: Samples::default(),
        warm_invocation: Samples::default(),
    };
    // One unrecorded start so the binary is in the page cache.
    let p = Process::spawn(&table.name).await;
    let _ = p.runtime.first_poll();
    p.invoke(event).await;
    p.stop().await;
    for i in 0..starts {
        let mut p = Process::spawn(&table.name).await;
        let to_poll = p.time_to_first_poll().await;
        let first = p.invoke(event).await;
        let mut warm = Samples::default();
        for _ in 0..WARM_AFTER {
            warm.push(p.invoke(event).await);
        }
        println!(
            "  start {}: first poll after {}, first invocation {}, warm p50 {}",
            i + 1,
            ms(to_poll.as_secs_f64()),
            ms(first.as_secs_f64()),
            ms(warm.p50())
        );
        figures.to_first_poll.push(to_poll);
        figures.first_invocation.push(first);
        figures.warm_invocation.0.push(warm.p50());
        p.stop().await;
    }
    figures
}

struct RssFigures {
    invocations: Samples,
    vm_hwm: u64,
    vm_rss: u64,
    cpu_per_invocation: Option<f64>,
}

/// Figure 5: `n` creates through one process, then its `VmHWM`.
async fn figure_rss(table: &Table, event: &str, n: usize) -> RssFigures {
    let mut p = Process::spawn(&table.name).await;
    p.time_to_first_poll().await;
    let cpu_before = process_cpu(p.pid);
    let mut invocations = Samples::default();
    for _ in 0..n {
        invocations.push(p.invoke(event).await);
    }
    let cpu_after = process_cpu(p.pid);
    let vm_hwm = vm_status(p.pid, "VmHWM:").expect("VmHWM in /proc/<pid>/status");
    let vm_rss = vm_status(p.pid, "VmRSS:").unwrap_or(0);
    let cpu_per_invocation = match (cpu_before, cpu_after) {
        (Some(a), Some(b)) => Some((b - a).as_secs_f64() / n as f64),
        _ => None,
    };
    p.stop().await;
    RssFigures {
        invocations,
        vm_hwm,
        vm_rss,
        cpu_per_invocation,
    }
}

// ---------------------------------------------------------------------------------------
// Figure 7: list and revoke against their floors, in process

/// The Administrator of the tenant whose 100 tokens are listed.
const LIST_ADMIN: &str = "benchlistadmin00000000003-us-1";
const LIST_TENANT: i64 = 3;
/// The Administrator of the tenant whose tokens are revoked, one each time.
const REVOKE_ADMIN: &str = "benchrevokeadmin000000004-us-1";
const REVOKE_TENANT: i64 = 4;
/// The listed page.
const LIST_LIMIT: i32 = 50;

/// A timed call, boxed so that the warm and floor sides can be handed around alike.
type Timed<'a> = Pin<Box<dyn Future<Output = Duration> + 'a>>;

/// `n` recorded samples of each side after `warmup` unrecorded ones, in blocks of
/// [`BLOCK`] alternating which side goes first. Each call gets its own index.
async fn alternate<'a>(
    n: usize,
    warmup: usize,
    warm: &dyn Fn(usize) -> Timed<'a>,
    floor: &dyn Fn(usize) -> Timed<'a>,
) -> (Samples, Samples) {
    for i in 0..warmup {
        warm(i).await;
        floor(i).await;
    }
    let (mut w, mut f) = (Samples::default(), Samples::default());
    for b in 0..n.div_ceil(BLOCK) {
        let first = warmup + b * BLOCK;
        let indices = first..first + BLOCK;
        if b % 2 == 0 {
            for i in indices.clone() {
                w.push(warm(i).await);
            }
            for i in indices {
                f.push(floor(i).await);
            }
        } else {
            for i in indices.clone() {
                f.push(floor(i).await);
            }
            for i in indices {
                w.push(warm(i).await);
            }
        }
    }
    (w, f)
}

/// Stores a token item of `tenant` directly; its `TokenId` (created `i` ms after a fixed
/// instant, so that ids sort by `i`).
async fn seed_token(
    store: &DynamoDbStore,
    token: &str,
    tenant: i64,
    role: &str,
    i: u64,
) -> TokenId {
    let token_id = TokenId::new(1_776_513_600_000 + i);
    let outcome = store
        .put_new(&NewTokenItem {
            token_hash: TokenHash::of(token),
            token_id,
            tenant_id: tenant,
            role: role.to_owned(),
            description: format!("bench token {i}"),
            date_created: "2026-04-18T12:00:00".to_owned(),
            created_by: None,
            created_by_id: None,
            date_expires: None,
            rotated_from_id: None,
        })
        .await
        .expect("seed PutItem");
    assert_eq!(outcome, PutOutcome::Created);
    token_id
}

/// An HTTP API event of `method` on `path` with `query`, presenting `token`.
fn api_event(method: &str, path: &str, query: &[(&str, &str)], token: &str) -> String {
    let mut event = common::event_value(EVENT_FILE);
    event["routeKey"] = format!("{method} {path}").into();
    event["rawPath"] = path.into();
    event["requestContext"]["routeKey"] = event["routeKey"].clone();
    event["requestContext"]["http"]["method"] = method.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["rawQueryString"] = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
        .into();
    event["queryStringParameters"] = if query.is_empty() {
        serde_json::Value::Null
    } else {
        query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    common::set_event_header(&mut event, "authorization", &format!("Bearer {token}"));
    event.to_string()
}

/// The caller lookup every operation starts with, as the handler sends it.
async fn raw_get_caller(client: &Client, table: &str, caller_key: &str) {
    let got = client
        .get_item()
        .table_name(table)
        .key(attr::TOKEN_HASH, AttributeValue::S(caller_key.to_owned()))
        .consistent_read(true)
        .projection_expression("TenantId, #role, Revoked, TokenId")
        .expression_attribute_names("#role", attr::ROLE)
        .send()
        .await
        .expect("floor GetItem");
    assert!(got.item.is_some(), "the caller item exists");
}

struct OperationFigures {
    list: (Samples, Samples),
    revoke: (Samples, Samples),
}

/// Figure 7. `n` samples per side of each operation.
async fn figure_list_and_revoke(table: &Table, n: usize) -> OperationFigures {
    let client = client_from_env(Timeouts::default()).await;
    let store = DynamoDbStore::new(client.clone(), table.name.clone());
    store.warm_up().await.expect("warm-up GetItem");
    let warmup = (n / 4).max(200);

    // A tenant with exactly 100 tokens, its Administrator among them.
    seed_token(&store, LIST_ADMIN, LIST_TENANT, ADMINISTRATOR, 0).await;
    for i in 1..100 {
        seed_token(
            &store,
            &format!("benchlisted{i:014}-us-1"),
            LIST_TENANT,
            STANDARD,
            i,
        )
        .await;
    }
    // A tenant with a fresh token for every revocation, of either side.
    let pool = 2 * (warmup + n.div_ceil(BLOCK) * BLOCK);
    seed_token(&store, REVOKE_ADMIN, REVOKE_TENANT, ADMINISTRATOR, 0).await;
    let mut targets = Vec::with_capacity(pool);
    for i in 0..pool {
        targets.push(
            seed_token(
                &store,
                &format!("benchrevoked{i:013}-us-1"),
                REVOKE_TENANT,
                STANDARD,
                1 + i as u64,
            )
            .await,
        );
    }
    println!(
        "  seeded tenant {LIST_TENANT} with 100 tokens and tenant {REVOKE_TENANT} with {} tokens",
        pool + 1
    );
    let app = App::new(store, "us-1");

    let list_event = api_event(
        "GET",
        "/api/v1/admin/apikey",
        &[("limit", "50")],
        LIST_ADMIN,
    );
    let first = app.handle(parse(&list_event)).await;
    let body: serde_json::Value = serde_json::from_str(&body_text(first.body())).unwrap();
    assert_eq!(
        body["Response"]["tokens"].as_array().map(Vec::len),
        Some(50),
        "{body}"
    );
    assert!(body["Response"]["next"].is_string(), "a second page exists");

    let list_admin_key = TokenHash::of(LIST_ADMIN).as_str().to_owned();
    let (app, client, table_name) = (&app, &client, table.name.as_str());
    let (list_event, list_admin_key) = (&list_event, &list_admin_key);
    let warm_list = move |_: usize| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            let response = app.handle(parse(list_event)).await;
            let elapsed = t.elapsed();
            assert_eq!(response.status(), 200);
            elapsed
        })
    };
    let floor_list = move |_: usize| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            raw_get_caller(client, table_name, list_admin_key).await;
            let page = client
                .query()
                .table_name(table_name)
                .index_name(TENANT_TOKENS_INDEX)
                .key_condition_expression("TenantId = :tenant")
                .expression_attribute_values(":tenant", AttributeValue::N(LIST_TENANT.to_string()))
                .scan_index_forward(false)
                .limit(LIST_LIMIT + 1)
                .send()
                .await
                .expect("floor Query");
            let elapsed = t.elapsed();
            assert_eq!(page.items().len(), LIST_LIMIT as usize + 1);
            elapsed
        })
    };
    println!("  list: {n} per side, alternating blocks of {BLOCK}");
    let list = alternate(n, warmup, &warm_list, &floor_list).await;

    // Revocations: even targets through the handler, odd ones raw.
    let revoke_admin_key = TokenHash::of(REVOKE_ADMIN).as_str().to_owned();
    let revoke_events: Vec<String> = targets
        .iter()
        .step_by(2)
        .map(|id| {
            api_event(
                "DELETE",
                &format!("/api/v1/admin/apikey/{id}"),
                &[],
                REVOKE_ADMIN,
            )
        })
        .collect();
    let floor_targets: Vec<TokenId> = targets.iter().skip(1).step_by(2).copied().collect();
    let (revoke_events, floor_targets, revoke_admin_key) =
        (&revoke_events, &floor_targets, &revoke_admin_key);
    let warm_revoke = move |i: usize| -> Timed<'_> {
        Box::pin(async move {
            let t = Instant::now();
            let response = app.handle(parse(&revoke_events[i])).await;
            let elapsed = t.elapsed();
            assert_eq!(response.status(), 200, "{}", body_text(response.body()));
            elapsed
        })
    };
    let floor_revoke = move |i: usize| -> Timed<'_> {
        Box::pin(async move {
            let tenant = AttributeValue::N(REVOKE_TENANT.to_string());
            let id = AttributeValue::S(floor_targets[i].to_string());
            let t = Instant::now();
            raw_get_caller(client, table_name, revoke_admin_key).await;
            let found = client
                .query()
                .table_name(table_name)
                .index_name(TENANT_TOKENS_INDEX)
                .key_condition_expression("TenantId = :tenant AND TokenId = :id")
                .expression_attribute_values(":tenant", tenant.clone())
                .expression_attribute_values(":id", id.clone())
                .projection_expression(attr::TOKEN_HASH)
                .send()
                .await
                .expect("floor Query");
            let key = found.items()[0][attr::TOKEN_HASH].clone();
            let updated = client
                .update_item()
                .table_name(table_name)
                .key(attr::TOKEN_HASH, key)
                .condition_expression("TenantId = :tenant AND TokenId = :id")
                .update_expression(
                    "SET Revoked = :true, DateRevoked = if_not_exists(DateRevoked, :now), \
                     RevokedById = if_not_exists(RevokedById, :by)",
                )
                .expression_attribute_values(":tenant", tenant)
                .expression_attribute_values(":id", id)
                .expression_attribute_values(":true", AttributeValue::Bool(true))
                .expression_attribute_values(
                    ":now",
                    AttributeValue::S("2026-04-18T12:00:01".to_owned()),
                )
                .expression_attribute_values(
                    ":by",
                    AttributeValue::S(DEV_ADMIN_TOKEN_ID.to_owned()),
                )
                .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
                .send()
                .await
                .expect("floor UpdateItem");
            let elapsed = t.elapsed();
            assert!(updated.attributes.is_some());
            elapsed
        })
    };
    println!("  revoke: {n} per side, alternating blocks of {BLOCK}, a fresh token each time");
    let revoke = alternate(n, warmup, &warm_revoke, &floor_revoke).await;
    OperationFigures { list, revoke }
}

fn print_pair(label: &str, (warm, floor): &(Samples, Samples)) -> f64 {
    let ratio = warm.p50() / floor.p50();
    println!(
        "  {label}: p50 {} p99 {} | floor p50 {} p99 {} | ratio p50 {ratio:.3}, p99 {:.3} (n={})",
        ms(warm.p50()),
        ms(warm.p99()),
        ms(floor.p50()),
        ms(floor.p99()),
        warm.p99() / floor.p99(),
        warm.len()
    );
    ratio
}

// ---------------------------------------------------------------------------------------
// Figure 8: creates per second, one concurrent process against separate processes

/// Function processes polling one Runtime API.
struct Fleet {
    runtime: RuntimeApi,
    children: Vec<(Child, u32)>,
}

impl Fleet {
    /// `processes` function processes on one Runtime API, each with
    /// `AWS_LAMBDA_MAX_CONCURRENCY=concurrency` when that is above 1; returns once all
    /// their workers are polling.
    async fn start(table: &str, processes: usize, concurrency: usize) -> Self {
        let runtime = RuntimeApi::start().await;
        let mut children = Vec::with_capacity(processes);
        for _ in 0..processes {
            let mut cmd = Command::new(function_binary());
            cmd.env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("AWS_ACCESS_KEY_ID", "local")
                .env("AWS_SECRET_ACCESS_KEY", "local")
                .env("AWS_REGION", "us-east-1")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env(
                    "AWS_ENDPOINT_URL_DYNAMODB",
                    common::dynamodb_local_endpoint(),
                )
                .env("TABLE_NAME", table)
                .env("RUST_LOG", "info");
            if concurrency > 1 {
                cmd.env("AWS_LAMBDA_MAX_CONCURRENCY", concurrency.to_string());
            }
            let process =
                lambda_process::spawn(cmd, &runtime.address()).expect("spawn create-api-token");
            let pid = process.child.id().expect("pid");
            children.push((process.child, pid));
        }
        let workers = (processes * concurrency) as u64;
        let limit = Instant::now() + Duration::from_secs(30);
        while runtime.waiting_polls() < workers {
            assert!(
                Instant::now() < limit,
                "{} of {workers} workers polling",
                runtime.waiting_polls()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Self { runtime, children }
    }

    /// `total` creates with `in_flight` outstanding at any time; the wall time.
    async fn drive(&self, event: &str, in_flight: usize, total: usize) -> Duration {
        let next = AtomicUsize::new(0);
        let started = Instant::now();
        let clients = (0..in_flight).map(|_| async {
            while next.fetch_add(1, Ordering::Relaxed) < total {
                match self.runtime.invoke(event, Duration::from_secs(10)).await {
                    Some(Outcome::Response(body)) => {
                        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
                        assert_eq!(v["statusCode"], 200, "{body}");
                    }
                    other => panic!("no 200: {other:?}"),
                }
            }
        });
        futures_util::future::join_all(clients).await;
        started.elapsed()
    }

    /// Peak RSS (`VmHWM`) of each process.
    fn peak_rss(&self) -> Vec<u64> {
        self.children
            .iter()
            .map(|(_, pid)| vm_status(*pid, "VmHWM:").unwrap_or(0))
            .collect()
    }

    async fn stop(self) {
        for (mut child, _) in self.children {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

struct Throughput {
    concurrency: usize,
    processes: usize,
    per_second: f64,
    peak_rss: Vec<u64>,
}

/// Figure 8 for one configuration: `processes` × `concurrency` workers, as many creates
/// in flight.
async fn throughput(
    table: &Table,
    event: &str,
    processes: usize,
    concurrency: usize,
    total: usize,
) -> Throughput {
    let fleet = Fleet::start(&table.name, processes, concurrency).await;
    let in_flight = processes * concurrency;
    fleet
        .drive(event, in_flight, (total / 10).max(in_flight * 4))
        .await;
    let wall = fleet.drive(event, in_flight, total).await;
    let figures = Throughput {
        concurrency,
        processes,
        per_second: total as f64 / wall.as_secs_f64(),
        peak_rss: fleet.peak_rss(),
    };
    fleet.stop().await;
    figures
}

fn describe(t: &Throughput) -> String {
    let total: u64 = t.peak_rss.iter().sum();
    if t.processes == 1 {
        format!("{:.0} creates/s, peak RSS {}", t.per_second, mib(total))
    } else {
        format!(
            "{:.0} creates/s, peak RSS {} in all ({} each)",
            t.per_second,
            mib(total),
            mib(total / t.processes as u64)
        )
    }
}

// ---------------------------------------------------------------------------------------

fn mib(bytes: u64) -> String {
    format!(
        "{:.2} MiB ({:.2} MB)",
        bytes as f64 / (1024.0 * 1024.0),
        bytes as f64 / 1e6
    )
}

fn bootstrap_path() -> PathBuf {
    std::env::var_os("BENCH_BOOTSTRAP")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/lambda/create-api-token/bootstrap")
        })
}

fn main() {
    let event = common::event_file(EVENT_FILE);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");

    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: smoke test only.
    if !std::env::args().any(|a| a == "--bench") {
        let f = handler_cpu(&rt, &event, 200);
        print_cpu("smoke test (run `bash scripts/bench.sh` for figures)", &f);
        return;
    }

    let n = env_usize("BENCH_N", 2000).max(1000);
    let cpu_n = env_usize("BENCH_CPU_N", 50_000).max(1000);
    let starts = env_usize("BENCH_COLD_STARTS", 9).max(5);
    let mut report = Report::default();

    let (cpu_plain, cpu_logged) = figure_handler_cpu(&rt, &event, cpu_n);
    if std::env::var("BENCH_ONLY").as_deref() == Ok("cpu") {
        println!("HANDLER_CPU_US {cpu_plain:.2} {cpu_logged:.2}");
        return;
    }

    println!("starting DynamoDB Local (or using DYNAMODB_LOCAL_ENDPOINT) ...");
    let table = rt.block_on(async {
        let table = Table::new("bench").await;
        table.seed_dev_tokens().await;
        table
    });
    println!("DynamoDB Local at {}", common::dynamodb_local_endpoint());
    if let Ok(only @ ("ops" | "throughput")) = std::env::var("BENCH_ONLY").as_deref() {
        // Figure 7 or figure 8 alone.
        if only == "ops" {
            let ops = rt.block_on(figure_list_and_revoke(
                &table,
                env_usize("BENCH_OPS_N", 1000).max(200),
            ));
            print_pair("list  ", &ops.list);
            print_pair("revoke", &ops.revoke);
        } else {
            for concurrency in [1usize, 8, 32] {
                let tp_n = env_usize("BENCH_TP_N", 3000).max(500);
                let one = rt.block_on(throughput(&table, &event, 1, concurrency, tp_n));
                println!("  1 process x {concurrency}: {}", describe(&one));
                let many = rt.block_on(throughput(&table, &event, concurrency, 1, tp_n));
                println!("  {concurrency} processes x 1: {}", describe(&many));
            }
        }
        return;
    }

    println!(
        "[1+2] warm creates in process vs the floor (GetItem + conditional PutItem), {n} each, alternating blocks of {BLOCK}"
    );
    let (warm, floor) = rt.block_on(figure_warm_and_floor(&table, &event, n));
    let ratio = warm.p50() / floor.p50();
    println!(
        "  warm : p50 {} p99 {} mean {} (n={})",
        ms(warm.p50()),
        ms(warm.p99()),
        ms(warm.mean()),
        warm.len()
    );
    println!(
        "  floor: p50 {} p99 {} mean {} (n={})",
        ms(floor.p50()),
        ms(floor.p99()),
        ms(floor.mean()),
        floor.len()
    );
    println!(
        "  warm - floor at p50: {:.1} µs; ratio p50 {ratio:.3}, p99 {:.3}",
        (warm.p50() - floor.p50()) * 1e6,
        warm.p99() / floor.p99()
    );

    println!(
        "[4] cold start of {} ({starts} starts)",
        function_binary().display()
    );
    let cold = rt.block_on(figure_cold_start(&table, &event, starts));
    let first_ratio = cold.first_invocation.p50() / cold.warm_invocation.p50();
    println!(
        "  spawn to first poll: median {} (min {}, max {})",
        ms(cold.to_first_poll.p50()),
        ms(cold.to_first_poll.pct(0.0)),
        ms(cold.to_first_poll.pct(100.0))
    );
    println!(
        "  first invocation: median {}; warm invocation of the same processes: median {}; ratio {first_ratio:.2}",
        ms(cold.first_invocation.p50()),
        ms(cold.warm_invocation.p50())
    );

    println!("[5] peak RSS after {n} creates through the Runtime API");
    let rss = rt.block_on(figure_rss(&table, &event, n));
    println!(
        "  VmHWM {}, VmRSS {}; invocation round trip p50 {} p99 {}{}",
        mib(rss.vm_hwm),
        mib(rss.vm_rss),
        ms(rss.invocations.p50()),
        ms(rss.invocations.p99()),
        rss.cpu_per_invocation
            .map(|c| format!("; process CPU {:.1} µs per invocation", c * 1e6))
            .unwrap_or_default()
    );

    let bootstrap = bootstrap_path();
    let size = std::fs::metadata(&bootstrap).map(|m| m.len()).ok();
    println!("[6] arm64 bootstrap: {}", bootstrap.display());
    match size {
        Some(s) => println!("  {s} bytes = {}", mib(s)),
        None => println!(
            "  not found (run `cargo lambda build --release --arm64 --bin create-api-token`)"
        ),
    }
    if let Ok(m) = std::fs::metadata(function_binary()) {
        println!("  (host x86_64 function binary: {})", mib(m.len()));
    }

    let ops_n = env_usize("BENCH_OPS_N", 1000).max(200);
    println!("[7] list (tenant of 100 tokens, page of {LIST_LIMIT}) and revoke vs their floors");
    let ops = rt.block_on(figure_list_and_revoke(&table, ops_n));
    let list_ratio = print_pair("list  ", &ops.list);
    let revoke_ratio = print_pair("revoke", &ops.revoke);

    let tp_n = env_usize("BENCH_TP_N", 3000).max(500);
    println!("[8] creates per second, {tp_n} per configuration, as many in flight as workers");
    let mut tp = Vec::new();
    for concurrency in [1usize, 8, 32] {
        let one = rt.block_on(throughput(&table, &event, 1, concurrency, tp_n));
        println!(
            "  1 process, AWS_LAMBDA_MAX_CONCURRENCY={concurrency}: {}",
            describe(&one)
        );
        let many = rt.block_on(throughput(&table, &event, concurrency, 1, tp_n));
        println!(
            "  {concurrency} separate processes, one at a time: {}",
            describe(&many)
        );
        tp.push((one, many));
    }

    report.info(
        "1. warm create, in process (p50 / p99)",
        format!("{} / {}", ms(warm.p50()), ms(warm.p99())),
    );
    report.info(
        "2. floor GetItem+PutItem (p50 / p99)",
        format!("{} / {}", ms(floor.p50()), ms(floor.p99())),
    );
    report.check(
        "2. warm p50 / floor p50",
        format!("{ratio:.3}"),
        "<= 1.10",
        ratio <= 1.10,
    );
    report.check(
        "3. handler CPU per request (in-memory)",
        format!("{cpu_plain:.1} µs"),
        "< 50 µs",
        cpu_plain < 50.0,
    );
    report.info(
        "3. ... with the log line formatted",
        format!("{cpu_logged:.1} µs"),
    );
    report.check(
        "4. spawn to first poll (median)",
        ms(cold.to_first_poll.p50()),
        "< 30 ms",
        cold.to_first_poll.p50() < 0.030,
    );
    report.check(
        "4. first invocation / warm (median)",
        format!(
            "{first_ratio:.2} ({} vs {})",
            ms(cold.first_invocation.p50()),
            ms(cold.warm_invocation.p50())
        ),
        "<= 2x",
        first_ratio <= 2.0,
    );
    report.info(
        "5. invocation via Runtime API (p50/p99)",
        format!(
            "{} / {}",
            ms(rss.invocations.p50()),
            ms(rss.invocations.p99())
        ),
    );
    report.check(
        "5. peak RSS (VmHWM) after warm run",
        mib(rss.vm_hwm),
        "< 25 MB",
        rss.vm_hwm < 25_000_000,
    );
    match size {
        Some(s) => report.check("6. arm64 bootstrap size", mib(s), "< 8 MB", s < 8_000_000),
        None => report.check(
            "6. arm64 bootstrap size",
            "not built".into(),
            "< 8 MB",
            false,
        ),
    }
    for (label, pair, ratio) in [
        ("7. list, page of 50 of 100", &ops.list, list_ratio),
        ("7. revoke", &ops.revoke, revoke_ratio),
    ] {
        report.info(
            &format!("{label} (p50 / p99)"),
            format!("{} / {}", ms(pair.0.p50()), ms(pair.0.p99())),
        );
        report.info(
            &format!("{label}: floor (p50 / p99)"),
            format!("{} / {}", ms(pair.1.p50()), ms(pair.1.p99())),
        );
        report.check(
            &format!("{label}: p50 / floor p50"),
            format!("{ratio:.3}"),
            "<= 1.10",
            ratio <= 1.10,
        );
    }
    for (one, many) in &tp {
        report.info(
            &format!("8. 1 process x {} concurrent", one.concurrency),
            describe(one),
        );
        report.info(
            &format!("8. {} processes x 1", many.processes),
            describe(many),
        );
    }
    report.print();
}
