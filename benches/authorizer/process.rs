//! The real `apikey-authorizer` process, spawned as Lambda does, against a loopback
//! Runtime API.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use testkit::process::{function_command, spawn};
use testkit::{Outcome, RuntimeApi};
use tokio::process::Child;

/// Panics unless `answer` is a REST Allow (its policy's first statement allows).
pub fn assert_allowed(answer: &serde_json::Value) {
    assert_eq!(
        answer["policyDocument"]["Statement"][0]["Effect"], "Allow",
        "{answer}"
    );
}

/// The release `apikey-authorizer` (or `BENCH_AUTHORIZER_BIN`) serving its own Runtime API.
pub struct Process {
    runtime: RuntimeApi,
    child: Child,
    /// Its process id.
    pub pid: u32,
    spawned: Instant,
}

impl Process {
    /// Starts it over `table` in DynamoDB Local.
    pub async fn spawn(table: &str) -> Self {
        let runtime = RuntimeApi::start().await;
        let binary = std::env::var_os("BENCH_AUTHORIZER_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_apikey-authorizer")));
        let mut cmd = function_command(&binary);
        cmd.env(
            "AWS_ENDPOINT_URL_DYNAMODB",
            testkit::dynamodb_local_endpoint(),
        )
        .env("TABLE_NAME", table)
        .env("AWS_LAMBDA_FUNCTION_NAME", "apikey-authorizer");
        let spawned = Instant::now();
        let process = spawn(cmd, &runtime.address()).expect("spawn");
        let pid = process.child.id().expect("pid");
        Self {
            runtime,
            child: process.child,
            pid,
            spawned,
        }
    }

    /// Spawn to its first poll of the Runtime API (waits for it, at most 10 s).
    pub async fn time_to_first_poll(&mut self) -> Duration {
        let limit = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(first) = self.runtime.first_poll() {
                return first - self.spawned;
            }
            assert!(Instant::now() < limit, "no poll within 10 s");
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    /// The round trip of one invocation with `event`, which must be allowed.
    pub async fn invoke(&self, event: &str) -> Duration {
        let t = Instant::now();
        let outcome = self
            .runtime
            .invoke(event, Duration::from_secs(10))
            .await
            .expect("an answer within 10 s");
        let elapsed = t.elapsed();
        match outcome {
            Outcome::Response(body) => assert_allowed(&serde_json::from_str(&body).unwrap()),
            Outcome::Error(e) => panic!("invocation error {e}"),
        }
        elapsed
    }

    /// Kills it and waits for it to end.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}
