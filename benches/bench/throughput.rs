//! Figure 8: creates per second from one process at concurrency 1, 8 and 32 against as
//! many separate one-at-a-time processes polling the same Runtime API.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use testkit::{Outcome, RuntimeApi, Table};
use tokio::process::Child;

use crate::cold_start::function_binary;
use crate::stats::{mib, vm_status};

/// Function processes polling one Runtime API.
pub struct Fleet {
    runtime: RuntimeApi,
    children: Vec<(Child, u32)>,
}

impl Fleet {
    /// `processes` function processes on one Runtime API, each with
    /// `AWS_LAMBDA_MAX_CONCURRENCY=concurrency` when that is above 1; returns once all
    /// their workers are polling.
    pub async fn start(table: &str, processes: usize, concurrency: usize) -> Self {
        let runtime = RuntimeApi::start().await;
        let mut children = Vec::with_capacity(processes);
        for _ in 0..processes {
            let mut cmd = testkit::process::function_command(&function_binary());
            cmd.env(
                "AWS_ENDPOINT_URL_DYNAMODB",
                testkit::dynamodb_local_endpoint(),
            )
            .env("TABLE_NAME", table);
            if concurrency > 1 {
                cmd.env("AWS_LAMBDA_MAX_CONCURRENCY", concurrency.to_string());
            }
            let process =
                testkit::process::spawn(cmd, &runtime.address()).expect("spawn create-api-token");
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
    pub async fn drive(&self, event: &str, in_flight: usize, total: usize) -> Duration {
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
    pub fn peak_rss(&self) -> Vec<u64> {
        self.children
            .iter()
            .map(|(_, pid)| vm_status(*pid, "VmHWM:").unwrap_or(0))
            .collect()
    }

    pub async fn stop(self) {
        for (mut child, _) in self.children {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

pub struct Throughput {
    pub concurrency: usize,
    pub processes: usize,
    pub per_second: f64,
    pub peak_rss: Vec<u64>,
}

/// Figure 8 for one configuration: `processes` × `concurrency` workers, as many creates
/// in flight.
pub async fn throughput(
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

pub fn describe(t: &Throughput) -> String {
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
