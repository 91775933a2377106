//! Log set-up: Lambda's conventions, with a ceiling on what dependencies may log.
//!
//! Like `lambda_runtime::tracing::init_default_subscriber` (AWS Lambda "advanced logging
//! controls"): the level comes from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG` (a level name),
//! else `info`; `AWS_LAMBDA_LOG_FORMAT=JSON` gives JSON lines, anything else text; no time
//! stamp (CloudWatch adds one) and no target.
//!
//! Unlike it, dependencies never log below [`DEPENDENCY_CEILING`] whatever the level
//! asked for: at `trace`, `lambda_runtime` prints every raw event (with its
//! `Authorization` header) and the AWS SDK prints request bodies (with token digests).
//! This crate's own events, which never carry token material, follow the level as asked.

use std::str::FromStr;

use tracing_subscriber::filter::{Directive, LevelFilter};
use tracing_subscriber::EnvFilter;

/// The most verbose level any dependency may log at.
pub const DEPENDENCY_CEILING: LevelFilter = LevelFilter::INFO;

/// The filter for a requested level name (`None` or unparseable: `info`): dependencies at
/// `min(level, DEPENDENCY_CEILING)`, this crate at `level`.
pub fn filter(requested: Option<&str>) -> EnvFilter {
    let level = requested
        .and_then(|l| LevelFilter::from_str(l.trim()).ok())
        .unwrap_or(LevelFilter::INFO);
    let dependencies = level.min(DEPENDENCY_CEILING);
    let own: Directive = format!("create_api_token={level}")
        .parse()
        .unwrap_or_else(|_| LevelFilter::INFO.into());
    EnvFilter::builder()
        .with_default_directive(dependencies.into())
        .parse_lossy("")
        .add_directive(own)
}

/// Installs the global subscriber from the environment (see the module docs), writing to
/// stdout as Lambda expects.
pub fn init() {
    let requested = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .with_env_filter(filter(requested.as_deref()));
    if json {
        builder.json().init();
    } else {
        builder.init();
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
            "create_api_token::routes" => check!("create_api_token::routes"),
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
            "create_api_token::routes",
            Level::TRACE
        ));
    }

    #[test]
    fn default_and_lower_levels() {
        assert!(enabled(
            filter(None),
            "create_api_token::routes",
            Level::INFO
        ));
        assert!(!enabled(
            filter(None),
            "create_api_token::routes",
            Level::DEBUG
        ));
        assert!(enabled(
            filter(Some("nonsense")),
            "create_api_token::routes",
            Level::INFO
        ));
        assert!(!enabled(
            filter(Some("error")),
            "create_api_token::routes",
            Level::WARN
        ));
        assert!(!enabled(
            filter(Some("error")),
            "lambda_runtime::layers::api_response",
            Level::WARN
        ));
        assert!(!enabled(
            filter(Some("off")),
            "create_api_token::routes",
            Level::ERROR
        ));
    }
}
