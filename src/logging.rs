//! Log set-up: Lambda's conventions, with a ceiling on what dependencies may log.
//!
//! Like `lambda_runtime::tracing::init_default_subscriber` (AWS Lambda "advanced logging
//! controls"): the level comes from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else `INFO`;
//! `AWS_LAMBDA_LOG_FORMAT=JSON` gives JSON lines, anything else text; no target.
//!
//! Levels ([`parse_level`]): the names AWS Lambda documents ("Log-level filtering":
//! `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`), in any case, plus `OFF`. `tracing`
//! has no `FATAL`: it means `ERROR`, the most severe level there is. Anything else (an
//! unknown name, or a `RUST_LOG` directive list) means `INFO`, and the first line logged
//! says so, naming the variable.
//!
//! JSON ([`subscriber`]): one object per line, every field a plain JSON value at the top
//! level beside `timestamp` (RFC 3339, UTC), `level` and `message`, which is what Lambda's
//! log-level filtering reads (without a valid `timestamp` Lambda files every line as
//! `INFO`), and CloudWatch Logs Insights discovers each field by its name (`request_id`,
//! `status`, ...). Plus `span`: the innermost span, which during an invocation is
//! `lambda_runtime`'s `Lambda runtime invoke` span with its `requestId` (and `xrayTraceId`),
//! so even a dependency's line names its request. The span list is left out: it would
//! repeat that same span (and, under Lambda Managed Instances, add `lambda_runtime`'s
//! `worker` span) on every line.
//!
//! Text: `tracing`'s default format without time (CloudWatch stamps each line).
//!
//! Unlike `lambda_runtime`, dependencies never log below [`DEPENDENCY_CEILING`] whatever
//! the level asked for: at `trace`, `lambda_runtime` prints every raw event (with its
//! `Authorization` header) and the AWS SDK prints request bodies (with token digests).
//! This crate's own events, which never carry token material, follow the level as asked.

use std::str::FromStr;

use tracing::Subscriber;
use tracing_subscriber::filter::{Directive, LevelFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The most verbose level any dependency may log at.
pub const DEPENDENCY_CEILING: LevelFilter = LevelFilter::INFO;

/// The level a log level name asks for: `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR` (any
/// case, surrounding blanks ignored), `FATAL` as `ERROR`, `OFF`; `tracing`'s own
/// spellings (`warning`, `0` to `5`) are accepted too. `None` for anything else.
pub fn parse_level(name: &str) -> Option<LevelFilter> {
    let name = name.trim();
    if name.is_empty() {
        // `tracing` would read "" as ERROR.
        return None;
    }
    if name.eq_ignore_ascii_case("fatal") {
        return Some(LevelFilter::ERROR);
    }
    LevelFilter::from_str(name).ok()
}

/// The filter for a requested level name (`None` or not a level: `INFO`, see
/// [`parse_level`]): dependencies at `min(level, DEPENDENCY_CEILING)`, this crate at `level`.
pub fn filter(requested: Option<&str>) -> EnvFilter {
    let level = requested.and_then(parse_level).unwrap_or(LevelFilter::INFO);
    let dependencies = level.min(DEPENDENCY_CEILING);
    let own: Directive = format!("create_api_token={level}")
        .parse()
        .unwrap_or_else(|_| LevelFilter::INFO.into());
    EnvFilter::builder()
        .with_default_directive(dependencies.into())
        .parse_lossy("")
        .add_directive(own)
}

/// The subscriber for a requested level (see [`filter`]), in JSON or text (see the module
/// docs), writing to `writer`.
pub fn subscriber<W>(
    requested: Option<&str>,
    json: bool,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter(requested))
        .with_writer(writer);
    if json {
        Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        )
    } else {
        Box::new(builder.without_time().finish())
    }
}

/// The level variable in force and its value: `AWS_LAMBDA_LOG_LEVEL` if set and not
/// blank, else `RUST_LOG` if so, else `None`.
fn requested_level() -> Option<(&'static str, String)> {
    ["AWS_LAMBDA_LOG_LEVEL", "RUST_LOG"]
        .into_iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (name, v))
        })
}

/// Installs the global subscriber from the environment (see the module docs), writing to
/// stdout as Lambda expects. If the level variable holds no level name, logs a warning
/// naming it.
pub fn init() {
    let requested = requested_level();
    let json =
        std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.trim().eq_ignore_ascii_case("json"));
    let level = requested.as_ref().map(|(_, value)| value.as_str());
    if tracing::subscriber::set_global_default(subscriber(level, json, std::io::stdout)).is_err() {
        return;
    }
    if let Some((variable, value)) = requested.filter(|(_, v)| parse_level(v).is_none()) {
        let value: String = value.chars().take(64).collect();
        tracing::warn!(
            variable,
            value,
            "log level not recognised; logging at INFO (accepted: TRACE, DEBUG, INFO, WARN, ERROR, FATAL (as ERROR), OFF)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    fn enabled(filter: EnvFilter, target: &'static str, level: Level) -> bool {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(filter);
        tracing::subscriber::with_default(subscriber, || probe(target, level))
    }

    /// `true` if an event at `level` from a callsite whose target is `target` is enabled.
    fn probe(target: &'static str, level: Level) -> bool {
        macro_rules! check {
            ($t:literal) => {
                match level {
                    Level::TRACE => tracing::enabled!(target: $t, Level::TRACE),
                    Level::DEBUG => tracing::enabled!(target: $t, Level::DEBUG),
                    Level::INFO => tracing::enabled!(target: $t, Level::INFO),
                    Level::WARN => tracing::enabled!(target: $t, Level::WARN),
                    Level::ERROR => tracing::enabled!(target: $t, Level::ERROR),
                }
            };
        }
        match target {
            "create_api_token::api::request_log" => check!("create_api_token::api::request_log"),
            "lambda_runtime::layers::api_response" => {
                check!("lambda_runtime::layers::api_response")
            }
            "aws_smithy_runtime::client::orchestrator" => {
                check!("aws_smithy_runtime::client::orchestrator")
            }
            _ => unreachable!(),
        }
    }

    #[test]
    fn trace_never_reaches_dependencies() {
        for requested in [Some("trace"), Some("TRACE"), Some("debug")] {
            assert!(!enabled(
                filter(requested),
                "lambda_runtime::layers::api_response",
                Level::TRACE
            ));
            assert!(!enabled(
                filter(requested),
                "aws_smithy_runtime::client::orchestrator",
                Level::TRACE
            ));
            assert!(!enabled(
                filter(requested),
                "aws_smithy_runtime::client::orchestrator",
                Level::DEBUG
            ));
            assert!(enabled(
                filter(requested),
                "aws_smithy_runtime::client::orchestrator",
                Level::INFO
            ));
        }
        assert!(enabled(
            filter(Some("trace")),
            "create_api_token::api::request_log",
            Level::TRACE
        ));
    }

    #[test]
    fn every_level_name_lambda_documents_is_honoured() {
        // AWS Lambda, "Log-level filtering": TRACE, DEBUG, INFO, WARN, ERROR, FATAL.
        let own = "create_api_token::api::request_log";
        for (name, most_verbose) in [
            ("TRACE", Some(Level::TRACE)),
            ("DEBUG", Some(Level::DEBUG)),
            ("INFO", Some(Level::INFO)),
            ("WARN", Some(Level::WARN)),
            ("ERROR", Some(Level::ERROR)),
            ("FATAL", Some(Level::ERROR)),
            ("fatal", Some(Level::ERROR)),
            (" Warn ", Some(Level::WARN)),
            ("OFF", None),
        ] {
            for level in [
                Level::ERROR,
                Level::WARN,
                Level::INFO,
                Level::DEBUG,
                Level::TRACE,
            ] {
                let expected = most_verbose.is_some_and(|m| level <= m);
                assert_eq!(
                    enabled(filter(Some(name)), own, level),
                    expected,
                    "{name}: {level}"
                );
            }
        }
        assert_eq!(parse_level("FATAL"), Some(LevelFilter::ERROR));
        // Unknown names and directive lists are not levels: INFO (and `init` says so).
        for unknown in ["CRITICAL", "info,hyper=debug", ""] {
            assert_eq!(parse_level(unknown), None, "{unknown:?}");
            assert!(enabled(filter(Some(unknown)), own, Level::INFO));
            assert!(!enabled(filter(Some(unknown)), own, Level::DEBUG));
        }
    }

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn json_lines_carry_plain_top_level_fields_and_the_invocation_span_once() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = subscriber(Some("info"), true, move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            // As lambda_runtime nests them under Lambda Managed Instances.
            let worker = tracing::info_span!("worker", task_id = 3);
            let _w = worker.enter();
            let invoke = tracing::info_span!("Lambda runtime invoke", requestId = "req-7");
            let _i = invoke.enter();
            let cause: Option<&str> = Some("throttled: ThrottlingException (HTTP 400)");
            let absent: Option<i64> = None;
            tracing::error!(
                request_id = "req-7",
                status = 503u16,
                cause,
                absent,
                "api token request"
            );
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["level"], "ERROR");
        assert_eq!(v["message"], "api token request");
        assert_eq!(v["request_id"], "req-7");
        assert_eq!(v["status"], 503);
        assert_eq!(v["cause"], "throttled: ThrottlingException (HTTP 400)");
        assert!(v.get("absent").is_none());
        assert!(v.get("fields").is_none(), "flattened");
        assert!(v.get("spans").is_none(), "one span, not the list");
        assert_eq!(v["span"]["name"], "Lambda runtime invoke");
        assert_eq!(v["span"]["requestId"], "req-7");
        // RFC 3339 UTC, as Lambda's log-level filtering needs.
        let ts = v["timestamp"].as_str().unwrap();
        assert!(
            ts.len() >= 20 && ts.as_bytes()[10] == b'T' && ts.ends_with('Z'),
            "{ts}"
        );
    }

    #[test]
    fn default_and_lower_levels() {
        assert!(enabled(
            filter(None),
            "create_api_token::api::request_log",
            Level::INFO
        ));
        assert!(!enabled(
            filter(None),
            "create_api_token::api::request_log",
            Level::DEBUG
        ));
        assert!(enabled(
            filter(Some("nonsense")),
            "create_api_token::api::request_log",
            Level::INFO
        ));
        assert!(!enabled(
            filter(Some("error")),
            "create_api_token::api::request_log",
            Level::WARN
        ));
        assert!(!enabled(
            filter(Some("error")),
            "lambda_runtime::layers::api_response",
            Level::WARN
        ));
        assert!(!enabled(
            filter(Some("off")),
            "create_api_token::api::request_log",
            Level::ERROR
        ));
    }
}
