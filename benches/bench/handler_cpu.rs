//! Figure 3: handler CPU per request over the in-memory store.

use std::time::Instant;

use create_api_token::event::parse_event;

use crate::stats::{thread_cpu, Samples};

/// The event parsed as the function parses it: `create_api_token::event::parse_event` (the
/// `ScrubHeaders` layer main.rs puts before `lambda_http::Adapter`), then `lambda_http`'s
/// conversion into an HTTP request.
pub fn parse(event: &str) -> lambda_http::Request {
    parse_event(event).expect("event parses").into()
}

pub struct CpuFigures {
    /// Per-request wall time (single thread, nothing else running), seconds.
    samples: Samples,
    /// Thread CPU time per request, seconds, if `/proc` tells.
    cpu_per_request: Option<f64>,
}

/// `n` requests (event parsing + `App::handle`), after `n / 10` unrecorded ones.
pub fn handler_cpu(rt: &tokio::runtime::Runtime, event: &str, n: usize) -> CpuFigures {
    let app = testkit::memory_app_with_dev_admin();
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

pub fn print_cpu(label: &str, f: &CpuFigures) {
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
pub fn figure_handler_cpu(rt: &tokio::runtime::Runtime, event: &str, n: usize) -> (f64, f64) {
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
