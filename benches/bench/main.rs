//! The performance benchmark of issue #4: prints figures, asserts nothing about speed.
//!
//! `bash scripts/bench.sh` (or `make bench`) builds what it needs and runs this with
//! `cargo bench --bench bench`. Against AWS's DynamoDB Local on this machine (started by
//! the test kit, stopped when this process exits), in one run:
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
//! 9. get, self and rotate (`grace=60`, a fresh token each time), in process, against
//!    their floors (`reads_rotate`: the same calls raw, without the `DateLastUsed` write,
//!    which is off the critical path);
//! 8. creates per second from one process at concurrency 1, 8 and 32
//!    (`AWS_LAMBDA_MAX_CONCURRENCY`, Lambda Managed Instances) against as many separate
//!    one-at-a-time processes polling the same Runtime API, each with peak RSS.
//!
//! Environment knobs: `BENCH_N` (invocations per warm figure, default 2000, at least
//! 1000), `BENCH_COLD_STARTS` (default 9), `BENCH_CPU_N` (default 50000),
//! `BENCH_ONLY=cpu` (figure 3 only, no DynamoDB; used by the profile sweep), `BENCH_ONLY=ops`
//! (figures 7 and 9 only), `BENCH_ONLY=throughput` (figure 8 only),
//! `BENCH_OPS_N` (list and revoke samples per side, default 1000), `BENCH_TP_N` (creates
//! per throughput configuration, default 3000),
//! `BENCH_BOOTSTRAP` (path of the arm64 bootstrap), `BENCH_FUNCTION_BIN` (the function
//! binary; default the one Cargo built for this bench, i.e. the release profile).
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) it only smoke-tests figure 3.
//!
//! The figures live one module each: [`warm`] (1, 2), [`handler_cpu`] (3), [`cold_start`]
//! (4, 5), [`operations`] (7), [`reads_rotate`] (9), [`throughput`] (8); [`run`] measures them in order (6 is a
//! file size) and [`summary`] prints the table of targets.

mod cold_start;
mod handler_cpu;
mod operations;
mod reads_rotate;
mod run;
mod stats;
mod summary;
mod throughput;
mod warm;

use stats::env_usize;

/// The event every create figure sends.
const EVENT_FILE: &str = "http-api-create-200.json";
/// Blocks of this many warm requests alternate with blocks of as many floor calls.
const BLOCK: usize = 50;

fn main() {
    let event = testkit::event_file(EVENT_FILE);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");

    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: smoke test only.
    if !std::env::args().any(|a| a == "--bench") {
        let f = handler_cpu::handler_cpu(&rt, &event, 200);
        handler_cpu::print_cpu("smoke test (run `bash scripts/bench.sh` for figures)", &f);
        return;
    }

    let cpu_n = env_usize("BENCH_CPU_N", 50_000).max(1000);
    let cpu = handler_cpu::figure_handler_cpu(&rt, &event, cpu_n);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only == "cpu" {
        println!("HANDLER_CPU_US {:.2} {:.2}", cpu.0, cpu.1);
        return;
    }

    let table = run::start_table(&rt);
    match only.as_str() {
        // Figure 7 or figure 8 alone.
        "ops" => run::operations_only(&rt, &table),
        "throughput" => run::throughput_only(&rt, &table, &event),
        _ => {
            let figures = run::all(&rt, &table, &event, cpu);
            summary::report(&figures).print();
        }
    }
}
