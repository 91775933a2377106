//! Figures 4 and 5: the real process through a loopback Lambda Runtime API: cold start,
//! first invocation, peak RSS.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use testkit::{Outcome, RuntimeApi, Table};
use tokio::process::Child;

use crate::stats::{ms, process_cpu, vm_status, Samples};

/// The function binary the process figures spawn: `BENCH_FUNCTION_BIN`, or the one Cargo
/// built for this bench (the release profile).
pub fn function_binary() -> PathBuf {
    std::env::var_os("BENCH_FUNCTION_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_create-api-token")))
}

/// The function process, its Runtime API, and the instant it was spawned.
pub struct Process {
    runtime: RuntimeApi,
    child: Child,
    pid: u32,
    spawned: Instant,
    log_lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Spawns the function with the variables Lambda sets (`testkit::process`).
    pub async fn spawn(table: &str) -> Self {
        let runtime = RuntimeApi::start().await;
        let mut cmd = testkit::process::function_command(&function_binary());
        cmd.env(
            "AWS_ENDPOINT_URL_DYNAMODB",
            testkit::dynamodb_local_endpoint(),
        )
        .env("TABLE_NAME", table);
        let spawned = Instant::now();
        let process =
            testkit::process::spawn(cmd, &runtime.address()).expect("spawn create-api-token");
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
    pub async fn time_to_first_poll(&mut self) -> Duration {
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
    pub async fn invoke(&self, event: &str) -> Duration {
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

    pub fn logs(&self) -> Vec<String> {
        self.log_lines.lock().unwrap().clone()
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

pub struct ColdFigures {
    pub to_first_poll: Samples,
    pub first_invocation: Samples,
    pub warm_invocation: Samples,
}

/// Figure 4: `starts` fresh processes; for each, spawn to first poll, the first
/// invocation, then `WARM_AFTER` more of which the median is the warm reference.
pub async fn figure_cold_start(table: &Table, event: &str, starts: usize) -> ColdFigures {
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

pub struct RssFigures {
    pub invocations: Samples,
    pub vm_hwm: u64,
    pub vm_rss: u64,
    pub cpu_per_invocation: Option<f64>,
}

/// Figure 5: `n` creates through one process, then its `VmHWM`.
pub async fn figure_rss(table: &Table, event: &str, n: usize) -> RssFigures {
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
