//! The authorizer's figures (issue 15): prints them, asserts nothing about speed.
//!
//! `bash scripts/bench.sh` (`make bench`) runs it after the function's bench, with
//! `cargo bench --bench authorizer`. Against AWS's DynamoDB Local on this machine:
//!
//! 1. init (measured after 2, against a warm DynamoDB Local): spawn of the release
//!    `apikey-authorizer` to its first poll of a loopback Lambda Runtime API (median of the
//!    starts), and each start's first invocation against the median of its next five,
//!    twice: with every invocation sent [`PAUSE`] after the previous answer (the target's
//!    figure, with the process's CPU time and minor page faults per invocation beside it),
//!    and back to back. The same two comparisons for the floor: a fresh client's first
//!    `GetItem` after its warm-up call against its next five. On this machine any call is
//!    slower the longer the machine idled before it, the raw `GetItem` as much as the
//!    authorizer, so only the paced comparison gives the first invocation the conditions of
//!    the next five (README, "Performance"; [`first_invocation`]);
//! 2. warm p50/p99 of an Allow (`events/authorizer/rest-request-allow.json`) in process
//!    (`Authorizer::answer`: shape detection, typed parse, verification with its consistent
//!    `GetItem`, the policy, the log line) against the floor: the same consistent `GetItem`
//!    (the same projection) issued directly with the same client, in alternating blocks; the ratio of medians;
//! 3. peak RSS (`VmHWM`) of the process after a warm run through the Runtime API;
//! 4. size of the arm64 `bootstrap` of `cargo lambda build --release --arm64 --bin
//!    apikey-authorizer` (`BENCH_AUTHORIZER_BOOTSTRAP`).
//!
//! Targets (issue 15): init <= 15 ms, p50 within 1.10x of the floor, RSS <= 15 MB, first
//! invocation no slower than the next five. Knobs: `BENCH_N` (default 2000),
//! `BENCH_COLD_STARTS` (default 15). Without `--bench` (as `cargo test --all-targets` runs
//! it): a smoke test over the in-memory store only.

mod first_invocation;
mod process;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use create_api_token::authorizer::Authorizer;
use create_api_token::store::dynamodb::{caller_lookup, client_from_env, DynamoDbStore, Timeouts};
use create_api_token::store::memory::{MemoryItem, MemoryStore};
use create_api_token::token::TokenHash;
use first_invocation::{first_and_next_five, floor_first_and_next_five, PAUSE};
use process::{assert_allowed, Process};
use testkit::measure::{env_usize, ms, us, vm_status, Samples};
use testkit::{Table, DEV_STANDARD_TOKEN};

const EVENT_FILE: &str = "authorizer/rest-request-allow.json";
const BLOCK: usize = 50;

/// A count, whole.
fn count(n: f64) -> String {
    format!("{n:.0}")
}

fn smoke_test(rt: &tokio::runtime::Runtime, event: &str) {
    let store = MemoryStore::new();
    store.insert(
        &TokenHash::of(DEV_STANDARD_TOKEN),
        MemoryItem {
            tenant_id: 1,
            role: Some("Standard".to_owned()),
            ..MemoryItem::default()
        },
    );
    let authorizer = Authorizer::new(store, "us-1");
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        assert_allowed(
            &rt.block_on(authorizer.answer(event, "smoke", None))
                .unwrap(),
        );
    }
    println!(
        "authorizer smoke test: {:.1} us per Allow over the in-memory store (run `bash scripts/bench.sh` for figures)",
        t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    );
}

fn main() {
    let event = testkit::event_file(EVENT_FILE);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if !std::env::args().any(|a| a == "--bench") {
        smoke_test(&rt, &event);
        return;
    }
    let n = env_usize("BENCH_N", 2000).max(500);
    let starts = env_usize("BENCH_COLD_STARTS", 15).max(3);
    let table = rt.block_on(async {
        let table = Table::new("bench-authz").await;
        table.seed_dev_tokens().await;
        table
    });
    println!(
        "== authorizer: DynamoDB Local at {}",
        testkit::dynamodb_local_endpoint()
    );

    // 2. Warm Allow in process against the floor, alternating blocks. First, so that
    // DynamoDB Local (a JVM) is warm for the starts of 1, as DynamoDB is for Lambda: on a
    // fresh table its first few thousand calls are slower, which is not the process's
    // start.
    let (warm, floor) = rt.block_on(async {
        let client = client_from_env(Timeouts::default()).await;
        let authorizer = Authorizer::new(DynamoDbStore::new(client.clone(), &table.name), "us-1");
        let key = TokenHash::of(DEV_STANDARD_TOKEN).as_str().to_owned();
        let (mut warm, mut floor) = (Samples::default(), Samples::default());
        for _ in 0..BLOCK {
            authorizer.answer(&event, "warm-up", None).await.unwrap();
        }
        while warm.0.len() < n {
            for _ in 0..BLOCK {
                let t = Instant::now();
                let answer = authorizer.answer(&event, "bench", None).await.unwrap();
                warm.push(t.elapsed());
                assert_allowed(&answer);
            }
            for _ in 0..BLOCK {
                let t = Instant::now();
                let item = caller_lookup(&client, &table.name, &key)
                    .send()
                    .await
                    .expect("GetItem");
                floor.push(t.elapsed());
                assert!(item.item.is_some());
            }
        }
        (warm, floor)
    });

    // 1. Init and first invocation, against the now warm DynamoDB Local: back to back as
    // Lambda sends them, then paced, and the floor's own first call both ways.
    let mut to_poll = Samples::default();
    let (back_to_back, [paced, paced_cpu, paced_faults], floor_back_to_back, floor_paced) = rt
        .block_on(async {
            let warm_cache = Process::spawn(&table.name).await;
            warm_cache.invoke(&event).await;
            warm_cache.stop().await;
            let [back_to_back, ..] =
                first_and_next_five(&table.name, &event, Duration::ZERO, starts, &mut to_poll)
                    .await;
            let paced = first_and_next_five(&table.name, &event, PAUSE, starts, &mut to_poll).await;
            let key = TokenHash::of(DEV_STANDARD_TOKEN).as_str().to_owned();
            let floor_back_to_back =
                floor_first_and_next_five(&table.name, &key, Duration::ZERO, starts).await;
            let floor_paced = floor_first_and_next_five(&table.name, &key, PAUSE, starts).await;
            (back_to_back, paced, floor_back_to_back, floor_paced)
        });

    // 3. Peak RSS after a warm run through the Runtime API.
    let (rss, round_trips) = rt.block_on(async {
        let mut p = Process::spawn(&table.name).await;
        p.time_to_first_poll().await;
        let mut trips = Samples::default();
        for _ in 0..n.min(1000) {
            trips.push(p.invoke(&event).await);
        }
        let rss = vm_status(p.pid, "VmHWM:").unwrap_or(0);
        p.stop().await;
        (rss, trips)
    });

    // 4. The arm64 bootstrap.
    let bootstrap = std::env::var_os("BENCH_AUTHORIZER_BOOTSTRAP")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/lambda/apikey-authorizer/bootstrap")
        });
    let size = std::fs::metadata(&bootstrap).map(|m| m.len()).ok();

    let ratio = warm.p50() / floor.p50();
    let mark = |ok: bool| if ok { "PASS" } else { "FAIL" };
    println!();
    println!("== Summary (issue 15 targets) ==");
    println!("| figure | measured | target | result |");
    println!("|---|---|---|---|");
    println!(
        "| init (spawn to first poll, median of {starts}) | {} | <= 15 ms | {} |",
        ms(to_poll.p50()),
        mark(to_poll.p50() <= 0.015)
    );
    println!(
        "| first invocation vs next five, each {} ms after the previous answer (medians of {starts} starts) | {} | first <= next five | {} |",
        PAUSE.as_millis(),
        paced.summary(ms),
        mark(paced.ratio.p50() <= 1.0)
    );
    println!(
        "| floor, same pauses: a fresh client's first GetItem after its warm-up vs next five | {} | - | |",
        floor_paced.summary(ms)
    );
    println!(
        "| the process's CPU time, first invocation vs next five, same pauses | {} | - | |",
        paced_cpu.summary(us)
    );
    println!(
        "| the process's minor page faults, first invocation vs next five, same pauses | {} | - | |",
        paced_faults.summary(count)
    );
    println!(
        "| first invocation vs next five, back to back | {} | - | |",
        back_to_back.summary(ms)
    );
    println!(
        "| floor, back to back | {} | - | |",
        floor_back_to_back.summary(ms)
    );
    println!(
        "| warm Allow in process, p50 / p99 (n={}) | {} / {} | - | |",
        warm.0.len(),
        ms(warm.p50()),
        ms(warm.p99())
    );
    println!(
        "| floor: consistent GetItem, p50 / p99 | {} / {} | - | |",
        ms(floor.p50()),
        ms(floor.p99())
    );
    println!(
        "| warm p50 / floor p50 | {ratio:.3} | <= 1.10 | {} |",
        mark(ratio <= 1.10)
    );
    println!(
        "| invocation round trip via Runtime API, p50 / p99 | {} / {} | - | |",
        ms(round_trips.p50()),
        ms(round_trips.p99())
    );
    println!(
        "| peak RSS (VmHWM) after {} invocations | {:.2} MiB | <= 15 MB | {} |",
        round_trips.0.len(),
        rss as f64 / 1_048_576.0,
        mark(rss > 0 && rss <= 15_000_000)
    );
    match size {
        Some(bytes) => println!(
            "| arm64 bootstrap | {bytes} bytes ({:.2} MiB) | - | |",
            bytes as f64 / 1_048_576.0
        ),
        None => println!(
            "| arm64 bootstrap | not built ({}) | - | |",
            bootstrap.display()
        ),
    }
}
