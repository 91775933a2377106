//! Starting a function binary the way the Lambda service does: the variables it defines
//! for the runtime (AWS Lambda developer guide, "Defined runtime environment variables"),
//! pointed at a Runtime API address, with stdout and stderr collected line by line as
//! Lambda's log pipe would. Shared by the integration tests, the benchmark and the demo.

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running function process and the lines it has written so far.
pub struct LambdaProcess {
    pub child: Child,
    pub logs: Arc<Mutex<Vec<String>>>,
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
