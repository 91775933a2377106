//! AWS DynamoDB Local runs with its telemetry to AWS off (`-disableTelemetry`), wherever this
//! project starts it: `scripts/dynamodb-local.sh` (demo, SAM local), which is also the launcher
//! the test kit (`testkit/`) runs for the integration tests and the bench.
//!
//! With telemetry on, DynamoDB Local writes `dynamodb-local-metadata.json` (an installation id
//! and `"telemetryEnabled":"true"`) into its working folder at start-up; with it off, it writes
//! nothing there. Needs `DYNAMODB_LOCAL_DIR` (`. .tools/env.sh`; `make test` does it).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The command line of a running process, split at NULs.
fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// The pid and command line of the DynamoDB Local JVM listening on `port`, if any.
fn dynamodb_local_on_port(port: u16) -> Option<(u32, Vec<String>)> {
    let port = port.to_string();
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .map(|pid| (pid, cmdline(pid)))
        .find(|(_, args)| {
            args.iter().any(|a| a.ends_with("DynamoDBLocal.jar"))
                && args.windows(2).any(|w| w[0] == "-port" && w[1] == port)
        })
}

/// Stops the instance the script started, whatever the test's outcome.
struct ScriptInstance {
    port: u16,
    run_dir: PathBuf,
}

impl ScriptInstance {
    fn script(&self, action: &str) -> std::process::Output {
        Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/dynamodb-local.sh"))
            .args([action, &self.port.to_string()])
            .env("DYNAMODB_LOCAL_RUN_DIR", &self.run_dir)
            .output()
            .expect("run scripts/dynamodb-local.sh")
    }
}

impl Drop for ScriptInstance {
    fn drop(&mut self) {
        let _ = self.script("stop");
        let _ = std::fs::remove_dir_all(&self.run_dir);
    }
}

#[test]
fn the_script_starts_dynamodb_local_with_telemetry_off() {
    assert!(
        std::env::var_os("DYNAMODB_LOCAL_DIR").is_some(),
        "needs DYNAMODB_LOCAL_DIR: run `make test`, or `. .tools/env.sh` first"
    );
    let port = testkit::free_port();
    let run_dir = std::env::temp_dir().join(format!("ddb-telemetry-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&run_dir).unwrap();
    let instance = ScriptInstance { port, run_dir };

    let out = instance.script("start");
    assert!(
        out.status.success(),
        "dynamodb-local.sh start failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let pid_file = instance.run_dir.join(format!("dynamodb-local-{port}.pid"));
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let args = cmdline(pid);
    assert!(
        args.iter().any(|a| a == "-disableTelemetry"),
        "DynamoDB Local started without -disableTelemetry: {args:?}"
    );
    // Its working folder is the run folder: no telemetry installation id was written there.
    let metadata = instance.run_dir.join("dynamodb-local-metadata.json");
    assert!(
        !metadata.exists(),
        "DynamoDB Local wrote telemetry metadata: {}",
        std::fs::read_to_string(&metadata).unwrap_or_default()
    );
}

#[test]
fn the_test_harness_starts_dynamodb_local_with_telemetry_off() {
    assert!(
        std::env::var_os("DYNAMODB_LOCAL_ENDPOINT").is_none(),
        "this test checks the harness's own DynamoDB Local: unset DYNAMODB_LOCAL_ENDPOINT"
    );
    let endpoint = testkit::dynamodb_local_endpoint();
    let port: u16 = endpoint.rsplit(':').next().unwrap().parse().unwrap();
    let (pid, args) = dynamodb_local_on_port(port)
        .unwrap_or_else(|| panic!("no DynamoDB Local JVM found listening on {endpoint}"));
    assert!(
        args.iter().any(|a| a == "-disableTelemetry"),
        "the harness started DynamoDB Local (pid {pid}) without -disableTelemetry: {args:?}"
    );
}
