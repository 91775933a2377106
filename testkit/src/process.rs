//! Starting a function binary the way the Lambda service does: the variables it defines
//! for the runtime (AWS Lambda developer guide, "Defined runtime environment variables"),
//! pointed at a Runtime API address, with stdout and stderr collected line by line as
//! Lambda's log pipe would. Shared by the integration tests, the benchmark and the demo.
//!
//! [`Function`] is the real `create-api-token` binary served by its own [`RuntimeApi`]
//! against DynamoDB Local.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::dynamodb_local::{self, set_local_aws_env, LOCAL_AWS_ENV};
use crate::response::HttpResponse;
use crate::runtime_api::{Outcome, RuntimeApi};

/// A running function process and the lines it has written so far.
pub struct LambdaProcess {
    /// The process (killed when dropped).
    pub child: Child,
    /// Its stdout and stderr, one entry per line, in arrival order.
    pub logs: Arc<Mutex<Vec<String>>>,
}

/// The `create-api-token` binary Cargo built next to the running test or bench
/// executable (`target/<profile>/deps/<test>` -> `target/<profile>/create-api-token`):
/// the one `CARGO_BIN_EXE_create-api-token` names in the package's own test targets.
pub fn function_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let dir = exe
        .parent()
        .and_then(|deps| {
            if deps.ends_with("deps") {
                deps.parent()
            } else {
                Some(deps)
            }
        })
        .expect("the test executable's folder");
    let binary = dir.join(format!("create-api-token{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "{} not found: run through `cargo test` / `cargo bench` in the create-api-token package",
        binary.display()
    );
    binary
}

/// A command for the function `binary` with a cleared environment holding only `PATH`,
/// [`LOCAL_AWS_ENV`] and `RUST_LOG=info`; the caller adds `TABLE_NAME`, the endpoint and
/// anything else, then [`spawn`]s it.
pub fn function_command(binary: &Path) -> Command {
    let mut cmd = Command::new(binary);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(LOCAL_AWS_ENV)
        .env("RUST_LOG", "info");
    cmd
}

/// Adds Lambda's runtime variables (for a 128 MB `create-api-token` function whose Runtime
/// API is `runtime_api`, `host:port`) to `cmd`, spawns it (killed when dropped) and starts
/// collecting its output. Whatever else the caller set on `cmd` (a cleared environment,
/// credentials, `TABLE_NAME`) is kept; the caller's values win for the same variable.
pub fn spawn(mut cmd: Command, runtime_api: &str) -> std::io::Result<LambdaProcess> {
    for (name, value) in [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_LAMBDA_FUNCTION_NAME", "create-api-token"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "local"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/create-api-token"),
    ] {
        let set_by_caller = cmd
            .as_std()
            .get_envs()
            .any(|(k, v)| k == name && v.is_some());
        if !set_by_caller {
            cmd.env(name, value);
        }
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let logs = Arc::new(Mutex::new(Vec::new()));
    let streams: [Box<dyn tokio::io::AsyncRead + Unpin + Send>; 2] = [
        Box::new(child.stdout.take().expect("piped stdout")),
        Box::new(child.stderr.take().expect("piped stderr")),
    ];
    for stream in streams {
        let logs = logs.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                logs.lock().unwrap().push(line);
            }
        });
    }
    Ok(LambdaProcess { child, logs })
}

/// The real `create-api-token` process, serving events from a [`RuntimeApi`].
pub struct Function {
    /// The Runtime API the process polls.
    pub runtime: RuntimeApi,
    child: Child,
    /// Everything the process wrote so far, one entry per line.
    pub logs: Arc<Mutex<Vec<String>>>,
}

impl Function {
    /// Starts the binary against `table_name` on DynamoDB Local with extra env vars.
    pub async fn start(table_name: &str, extra_env: &[(&str, &str)]) -> Self {
        set_local_aws_env();
        let endpoint = dynamodb_local::endpoint().to_owned();
        let mut env: Vec<(String, String)> = vec![
            ("AWS_ENDPOINT_URL_DYNAMODB".into(), endpoint),
            ("TABLE_NAME".into(), table_name.into()),
        ];
        env.extend(
            extra_env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Self::start_with_env(&env).await
    }

    /// Starts the binary with exactly the Lambda variables plus `env` (no TABLE_NAME
    /// unless given).
    pub async fn start_with_env(env: &[(String, String)]) -> Self {
        let runtime = RuntimeApi::start().await;
        let mut cmd = function_command(&function_binary());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let process = spawn(cmd, &runtime.address()).expect("spawn create-api-token");
        Self {
            runtime,
            child: process.child,
            logs: process.logs,
        }
    }

    /// Sends one event (raw JSON) and returns what the function answered (10 s limit).
    pub async fn invoke(&self, event: &str) -> Outcome {
        self.runtime
            .invoke(event, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no answer within 10 s; logs: {:?}", self.logs()))
    }

    /// Sends one event that must produce an HTTP response, and parses it.
    pub async fn call(&self, event: &str) -> HttpResponse {
        match self.invoke(event).await {
            Outcome::Response(body) => HttpResponse::parse(&body),
            Outcome::Error(e) => panic!("invocation error {e}; logs: {:?}", self.logs()),
        }
    }

    /// `true` while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the process to exit (up to `limit`), returning its exit code.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()
            .and_then(|s| s.ok())
            .and_then(|s| s.code())
    }

    /// Everything the process wrote so far, one entry per line.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }
}

/// Waits until the function asks the Runtime API for its first event (cold start done).
pub async fn wait_until_polling(function: &Function, limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    while function.runtime.first_poll().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the function did not poll for an event within {limit:?}; logs: {:?}",
            function.logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
