//! AWS's DynamoDB Local for a test process, and the local-AWS environment every client of
//! it uses.
//!
//! `DYNAMODB_LOCAL_ENDPOINT` (e.g. `http://127.0.0.1:8000`) is used if set; otherwise
//! [`endpoint`] starts one instance per test process on a free port through the
//! project's one launcher, `scripts/dynamodb-local.sh` (the JVM options, the readiness
//! check and `-disableTelemetry` live there only), and a watchdog stops it through the
//! same script once the test process is gone. The jar comes from `DYNAMODB_LOCAL_DIR`
//! (written to `.tools/env.sh` by `scripts/setup.sh`).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The fake static credentials and Region DynamoDB Local is reached with (it accepts
/// any), with instance metadata off: the one copy of this block, for the test process
/// ([`set_local_aws_env`]), the function processes it spawns and the `sam` CLI.
pub const LOCAL_AWS_ENV: [(&str, &str); 4] = [
    ("AWS_ACCESS_KEY_ID", "local"),
    ("AWS_SECRET_ACCESS_KEY", "local"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
];

/// The repository root (the `create-api-token` package).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit/ lives in the repository root")
        .to_path_buf()
}

/// Sets [`LOCAL_AWS_ENV`] and `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local, started if
/// needed) in this process's environment, for SDK clients built in the test process.
pub fn set_local_aws_env() {
    // Setting the environment while another thread reads it is not guaranteed to be
    // safe, so every value is identical wherever it is set, and set only when it differs.
    for (k, v) in LOCAL_AWS_ENV {
        if std::env::var(k).as_deref() != Ok(v) {
            unsafe { std::env::set_var(k, v) };
        }
    }
    let endpoint = endpoint();
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").as_deref() != Ok(endpoint) {
        unsafe { std::env::set_var("AWS_ENDPOINT_URL_DYNAMODB", endpoint) };
    }
}

/// The DynamoDB Local endpoint for this test process, starting one if needed.
pub fn endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(e) = std::env::var("DYNAMODB_LOCAL_ENDPOINT") {
            return e;
        }
        assert!(
            std::env::var_os("DYNAMODB_LOCAL_DIR").is_some(),
            "integration tests need AWS DynamoDB Local: run `make test`, or \
             `bash scripts/setup.sh && . .tools/env.sh` to set DYNAMODB_LOCAL_DIR, \
             or set DYNAMODB_LOCAL_ENDPOINT to a running instance"
        );
        start()
    })
}

/// `scripts/dynamodb-local.sh`, the project's one DynamoDB Local launcher.
pub fn launcher() -> PathBuf {
    repo_root().join("scripts").join("dynamodb-local.sh")
}

/// Starts an instance with the launcher on a free port, in a run folder of this process
/// (pid file, log, the JVM's working folder), and a watchdog that stops it and removes
/// the folder once this process exits.
fn start() -> String {
    let port = free_port();
    let run_dir = std::env::temp_dir().join(format!(
        "create-api-token-dynamodb-local-{}-{port}",
        std::process::id()
    ));
    std::fs::create_dir_all(&run_dir).expect("DynamoDB Local run folder");
    let out = Command::new("bash")
        .arg(launcher())
        .args(["start", &port.to_string()])
        .env("DYNAMODB_LOCAL_RUN_DIR", &run_dir)
        // The JVM may start slowly on a loaded machine.
        .env("DYNAMODB_LOCAL_WAIT_SECS", "60")
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/dynamodb-local.sh");
    assert!(
        out.status.success(),
        "scripts/dynamodb-local.sh start {port} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A watchdog shell: once this test process is gone, stops the instance.
    let script = format!(
        "while kill -0 {parent} 2>/dev/null; do sleep 0.5; done; \
         DYNAMODB_LOCAL_RUN_DIR='{run}' bash '{launcher}' stop {port} >/dev/null 2>&1; rm -rf '{run}'",
        parent = std::process::id(),
        run = run_dir.display(),
        launcher = launcher().display(),
    );
    // Kept for the life of the test process; the watchdog ends with it.
    static WATCHDOG: OnceLock<Mutex<std::process::Child>> = OnceLock::new();
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the DynamoDB Local watchdog");
    let _ = WATCHDOG.set(Mutex::new(child));
    format!("http://127.0.0.1:{port}")
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
