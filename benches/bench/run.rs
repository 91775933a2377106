//! The full run: DynamoDB Local and its table, then figures 1 to 8 in order, each printed
//! as it is measured (figure 3 is measured first, without DynamoDB, by `main`).

use std::path::PathBuf;

use testkit::Table;

use crate::cold_start::{figure_cold_start, figure_rss, function_binary, ColdFigures, RssFigures};
use crate::operations::{figure_list_and_revoke, print_pair, OperationFigures, LIST_LIMIT};
use crate::reads_rotate::{figure_get_self_rotate, ReadRotateFigures};
use crate::stats::{env_usize, mib, ms, Samples};
use crate::throughput::{describe, throughput, Throughput};
use crate::warm::figure_warm_and_floor;
use crate::BLOCK;

/// Everything a full run measured, for the summary.
pub struct Figures {
    /// Figure 1: warm creates in process.
    pub warm: Samples,
    /// Figure 2: the floor of a create.
    pub floor: Samples,
    /// Figure 2: warm p50 / floor p50.
    pub ratio: f64,
    /// Figure 3: handler CPU per request, µs, without and with the log line formatted.
    pub cpu: (f64, f64),
    /// Figure 4.
    pub cold: ColdFigures,
    /// Figure 4: first invocation / warm invocation (medians).
    pub first_ratio: f64,
    /// Figure 5.
    pub rss: RssFigures,
    /// Figure 6: the arm64 bootstrap's size, if built.
    pub bootstrap_size: Option<u64>,
    /// Figure 7, with the p50 ratios of list and revoke.
    pub ops: OperationFigures,
    /// Figure 7: list p50 / floor p50.
    pub list_ratio: f64,
    /// Figure 7: revoke p50 / floor p50.
    pub revoke_ratio: f64,
    pub reads_rotate: ReadRotateFigures,
    /// Figure 8: (1 process x c, c processes x 1) for c in 1, 8, 32.
    pub throughput: Vec<(Throughput, Throughput)>,
}

/// The arm64 bootstrap `cargo lambda build --release --arm64` writes (`BENCH_BOOTSTRAP`
/// overrides).
fn bootstrap_path() -> PathBuf {
    std::env::var_os("BENCH_BOOTSTRAP")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/lambda/create-api-token/bootstrap")
        })
}

/// DynamoDB Local (the test kit's, or `DYNAMODB_LOCAL_ENDPOINT`) and a table holding the
/// dev tokens.
pub fn start_table(rt: &tokio::runtime::Runtime) -> Table {
    // The figures are measured against DynamoDB Local with the JVM's default JIT, as they
    // always were: the launcher's default options (C1 only) start it faster but would slow
    // its hot paths, and so every figure that waits on it.
    if std::env::var_os("DYNAMODB_LOCAL_JAVA_OPTS").is_none() {
        unsafe { std::env::set_var("DYNAMODB_LOCAL_JAVA_OPTS", "-XX:+TieredCompilation") };
    }
    println!("starting DynamoDB Local (or using DYNAMODB_LOCAL_ENDPOINT) ...");
    let table = rt.block_on(async {
        let table = Table::new("bench").await;
        table.seed_dev_tokens().await;
        table
    });
    println!("DynamoDB Local at {}", testkit::dynamodb_local_endpoint());
    table
}

/// `BENCH_ONLY=ops`: figure 7 alone.
pub fn operations_only(rt: &tokio::runtime::Runtime, table: &Table) {
    let ops = rt.block_on(figure_list_and_revoke(
        table,
        env_usize("BENCH_OPS_N", 1000).max(200),
    ));
    print_pair("list  ", &ops.list);
    print_pair("revoke", &ops.revoke);
    reads_and_rotation(rt, table, env_usize("BENCH_OPS_N", 1000).max(200));
}

/// Figure 9, printed as it is measured.
fn reads_and_rotation(rt: &tokio::runtime::Runtime, table: &Table, n: usize) -> ReadRotateFigures {
    println!("[9] get, self and rotate (grace=60) vs their floors");
    let figures = rt.block_on(figure_get_self_rotate(table, n));
    print_pair("get   ", &figures.get);
    print_pair("self  ", &figures.self_view);
    print_pair("rotate", &figures.rotate);
    figures
}

/// `BENCH_ONLY=throughput`: figure 8 alone.
pub fn throughput_only(rt: &tokio::runtime::Runtime, table: &Table, event: &str) {
    for concurrency in [1usize, 8, 32] {
        let tp_n = env_usize("BENCH_TP_N", 3000).max(500);
        let one = rt.block_on(throughput(table, event, 1, concurrency, tp_n));
        println!("  1 process x {concurrency}: {}", describe(&one));
        let many = rt.block_on(throughput(table, event, concurrency, 1, tp_n));
        println!("  {concurrency} processes x 1: {}", describe(&many));
    }
}

/// Figures 1, 2 and 4 to 8, printed as measured; `cpu` is figure 3.
pub fn all(rt: &tokio::runtime::Runtime, table: &Table, event: &str, cpu: (f64, f64)) -> Figures {
    let n = env_usize("BENCH_N", 2000).max(1000);
    let starts = env_usize("BENCH_COLD_STARTS", 9).max(5);
    println!(
        "[1+2] warm creates in process vs the floor (GetItem + conditional PutItem), {n} each, alternating blocks of {BLOCK}"
    );
    let (warm, floor) = rt.block_on(figure_warm_and_floor(table, event, n));
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
    let cold = rt.block_on(figure_cold_start(table, event, starts));
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
    let rss = rt.block_on(figure_rss(table, event, n));
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
    let ops = rt.block_on(figure_list_and_revoke(table, ops_n));
    let list_ratio = print_pair("list  ", &ops.list);
    let revoke_ratio = print_pair("revoke", &ops.revoke);
    let reads_rotate = reads_and_rotation(rt, table, ops_n);

    let tp_n = env_usize("BENCH_TP_N", 3000).max(500);
    println!("[8] creates per second, {tp_n} per configuration, as many in flight as workers");
    let mut tp = Vec::new();
    for concurrency in [1usize, 8, 32] {
        let one = rt.block_on(throughput(table, event, 1, concurrency, tp_n));
        println!(
            "  1 process, AWS_LAMBDA_MAX_CONCURRENCY={concurrency}: {}",
            describe(&one)
        );
        let many = rt.block_on(throughput(table, event, concurrency, 1, tp_n));
        println!(
            "  {concurrency} separate processes, one at a time: {}",
            describe(&many)
        );
        tp.push((one, many));
    }

    Figures {
        warm,
        floor,
        ratio,
        cpu,
        cold,
        first_ratio,
        rss,
        bootstrap_size: size,
        ops,
        list_ratio,
        revoke_ratio,
        reads_rotate,
        throughput: tp,
    }
}
