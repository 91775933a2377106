//! The authorizer's one log line and one CloudWatch EMF record per invocation, written in
//! one place ([`InvocationRecord::write`]), as the function's `RequestLog` does.
//!
//! Log fields: `request_id`, `shape`, `decision` (`allow`, `deny`, `store_unavailable`,
//! `error`), `reason`, `tenant_id` and `token_id` (when a token was verified),
//! `latency_us`, `store_latency_us` (when the store was called), `last_use` (`written`,
//! `skipped` or `failed:<cause>`, only when a `DateLastUsed` write was due), `cause`
//! (failures only: an error class, never input). Never the token, a digest or the `Authorization` value.
//!
//! Metrics (namespace [`NAMESPACE`], dimension sets `[Reason]` and none): one count,
//! [`AUTHORIZER_ALLOWED`], [`AUTHORIZER_DENIED`] (by `Reason`: `no_credentials`,
//! `malformed_token`, `unknown_token`, `revoked_token`, ...),
//! [`AUTHORIZER_STORE_UNAVAILABLE`] or [`AUTHORIZER_ERROR`], plus [`AUTHORIZER_LATENCY`]
//! and, when the store was called, [`AUTHORIZER_STORE_LATENCY`] (milliseconds), and
//! [`AUTHORIZER_LAST_USE_WRITE_FAILURES`] when a due `DateLastUsed` write failed. Names of
//! their own, so the function's alarms and dashboards never mix in the authorizer's.

use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::last_use::LastUseReport;
use crate::metrics::{
    millis, Count, EmfRecord, Metadata, MetricDefinition, MetricDirective, MetricsSink, NAMESPACE,
};

/// Verified and allowed.
pub const AUTHORIZER_ALLOWED: &str = "AuthorizerAllowed";
/// Refused (REST `Unauthorized`, HTTP API `isAuthorized: false`); `Reason` says why.
pub const AUTHORIZER_DENIED: &str = "AuthorizerDenied";
/// DynamoDB unavailable, throttled or too slow: an invocation error, nothing allowed.
pub const AUTHORIZER_STORE_UNAVAILABLE: &str = "AuthorizerStoreUnavailable";
/// Any other failure (an unsupported event, an unexpected store error).
pub const AUTHORIZER_ERROR: &str = "AuthorizerError";
/// Time from the event's arrival to its answer, milliseconds.
pub const AUTHORIZER_LATENCY: &str = "AuthorizerLatency";
/// Time spent in store calls, milliseconds.
pub const AUTHORIZER_STORE_LATENCY: &str = "AuthorizerStoreLatency";
/// A due `DateLastUsed` write failed (the decision stands; docs/api.md, "Last use").
pub const AUTHORIZER_LAST_USE_WRITE_FAILURES: &str = "AuthorizerLastUseWriteFailures";
/// The dimension: the log line's reason.
pub const REASON: &str = "Reason";

/// What the invocation decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Refused.
    Deny,
    /// The store could not answer; nothing was decided.
    StoreUnavailable,
    /// Any other failure.
    Error,
}

impl Decision {
    /// The log line's `decision` field.
    pub fn name(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
            Self::StoreUnavailable => "store_unavailable",
            Self::Error => "error",
        }
    }

    /// The count metric of this decision.
    pub fn metric(self) -> &'static str {
        match self {
            Self::Allow => AUTHORIZER_ALLOWED,
            Self::Deny => AUTHORIZER_DENIED,
            Self::StoreUnavailable => AUTHORIZER_STORE_UNAVAILABLE,
            Self::Error => AUTHORIZER_ERROR,
        }
    }
}

/// One invocation's facts, gathered while it is answered.
#[derive(Debug)]
pub struct InvocationRecord {
    /// The event's shape (`None` when it had none this function answers).
    pub shape: Option<&'static str>,
    /// The verified token's tenant.
    pub tenant_id: Option<i64>,
    /// The verified token's `TokenId` (a public handle).
    pub token_id: Option<String>,
    /// Time in store calls; `None` before the first.
    pub store_time: Option<Duration>,
    /// What the `DateLastUsed` write did, when one was due.
    pub last_use: Option<LastUseReport>,
    started: Instant,
}

impl InvocationRecord {
    /// A record for an invocation that started at `started`.
    pub fn new(started: Instant) -> Self {
        Self {
            shape: None,
            tenant_id: None,
            token_id: None,
            store_time: None,
            last_use: None,
            started,
        }
    }

    /// Writes the log line (`ERROR` for store failures and errors, `INFO` otherwise) and
    /// the EMF record to `sink`.
    pub fn write(
        &self,
        sink: &MetricsSink,
        request_id: &str,
        decision: Decision,
        reason: &str,
        cause: Option<&str>,
    ) {
        let latency = self.started.elapsed();
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let latency_us = micros(latency);
        let store_latency_us = self.store_time.map(micros);
        let shape = self.shape;
        let tenant_id = self.tenant_id;
        let token_id = self.token_id.as_deref();
        let decision_name = decision.name();
        let last_use = self.last_use.as_ref().map(LastUseReport::log_value);
        let last_use = last_use.as_deref();
        macro_rules! line {
            ($level:expr) => {
                tracing::event!(
                    $level,
                    request_id,
                    shape,
                    decision = decision_name,
                    reason,
                    tenant_id,
                    token_id,
                    latency_us,
                    store_latency_us,
                    last_use,
                    cause,
                    "authorizer decision"
                )
            };
        }
        match decision {
            Decision::Allow | Decision::Deny => line!(tracing::Level::INFO),
            Decision::StoreUnavailable | Decision::Error => line!(tracing::Level::ERROR),
        }
        sink.emit(&Emf {
            request_id,
            shape: shape.unwrap_or("unknown"),
            decision,
            reason,
            cause,
            latency,
            store_latency: self.store_time,
            last_use_failed: matches!(self.last_use, Some(LastUseReport::Failed(_))),
        });
    }
}

/// The EMF record's inputs.
struct Emf<'a> {
    request_id: &'a str,
    shape: &'a str,
    decision: Decision,
    reason: &'a str,
    cause: Option<&'a str>,
    latency: Duration,
    store_latency: Option<Duration>,
    last_use_failed: bool,
}

#[derive(Serialize)]
struct Record<'a> {
    #[serde(rename = "_aws")]
    aws: Metadata<'a>,
    #[serde(rename = "Reason")]
    reason: &'a str,
    #[serde(flatten)]
    outcome: Count,
    #[serde(rename = "AuthorizerLatency")]
    latency: f64,
    #[serde(
        rename = "AuthorizerStoreLatency",
        skip_serializing_if = "Option::is_none"
    )]
    store_latency: Option<f64>,
    #[serde(
        rename = "AuthorizerLastUseWriteFailures",
        skip_serializing_if = "Option::is_none"
    )]
    last_use_write_failures: Option<u32>,
    #[serde(rename = "Shape")]
    shape: &'a str,
    #[serde(rename = "Decision")]
    decision: &'a str,
    #[serde(rename = "Cause", skip_serializing_if = "Option::is_none")]
    cause: Option<&'a str>,
    #[serde(rename = "RequestId")]
    request_id: &'a str,
}

impl EmfRecord for Emf<'_> {
    fn to_emf(&self, timestamp_ms: u64) -> String {
        let count = |name| MetricDefinition {
            name,
            unit: "Count",
        };
        let ms = |name| MetricDefinition {
            name,
            unit: "Milliseconds",
        };
        let mut metrics = vec![count(self.decision.metric()), ms(AUTHORIZER_LATENCY)];
        if self.store_latency.is_some() {
            metrics.push(ms(AUTHORIZER_STORE_LATENCY));
        }
        if self.last_use_failed {
            metrics.push(count(AUTHORIZER_LAST_USE_WRITE_FAILURES));
        }
        let record = Record {
            aws: Metadata {
                timestamp: timestamp_ms,
                cloudwatch_metrics: [MetricDirective {
                    namespace: NAMESPACE,
                    dimensions: [&[REASON], &[]],
                    metrics,
                }],
            },
            reason: self.reason,
            outcome: Count {
                name: self.decision.metric(),
            },
            latency: millis(self.latency),
            store_latency: self.store_latency.map(millis),
            last_use_write_failures: self.last_use_failed.then_some(1),
            shape: self.shape,
            decision: self.decision.name(),
            cause: self.cause,
            request_id: self.request_id,
        };
        serde_json::to_string(&record).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn a_deny_record_counts_by_reason() {
        let emf = Emf {
            request_id: "r-1",
            shape: "rest_request",
            decision: Decision::Deny,
            reason: "revoked_token",
            cause: None,
            latency: Duration::from_micros(1500),
            store_latency: Some(Duration::from_micros(1250)),
            last_use_failed: false,
        };
        let v: Value = serde_json::from_str(&emf.to_emf(7)).unwrap();
        assert_eq!(v["_aws"]["Timestamp"], 7);
        let directive = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert_eq!(directive["Dimensions"], json!([["Reason"], []]));
        assert_eq!(
            directive["Metrics"],
            json!([{"Name": "AuthorizerDenied", "Unit": "Count"},
                   {"Name": "AuthorizerLatency", "Unit": "Milliseconds"},
                   {"Name": "AuthorizerStoreLatency", "Unit": "Milliseconds"}])
        );
        assert_eq!(v["AuthorizerDenied"], 1);
        assert_eq!(v["Reason"], "revoked_token");
        assert_eq!(v["AuthorizerLatency"], 1.5);
        assert_eq!(v["AuthorizerStoreLatency"], 1.25);
        assert_eq!(v["Decision"], "deny");
        assert!(v.get("Cause").is_none());
        assert!(v.get(AUTHORIZER_LAST_USE_WRITE_FAILURES).is_none());
    }

    #[test]
    fn a_failed_last_use_write_is_counted_beside_the_allow() {
        let emf = Emf {
            request_id: "r-2",
            shape: "http_api",
            decision: Decision::Allow,
            reason: "allowed",
            cause: None,
            latency: Duration::from_micros(900),
            store_latency: Some(Duration::from_micros(800)),
            last_use_failed: true,
        };
        let v: Value = serde_json::from_str(&emf.to_emf(7)).unwrap();
        assert_eq!(v["AuthorizerAllowed"], 1);
        assert_eq!(v[AUTHORIZER_LAST_USE_WRITE_FAILURES], 1);
        let metrics = &v["_aws"]["CloudWatchMetrics"][0]["Metrics"];
        assert!(metrics
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["Name"] == AUTHORIZER_LAST_USE_WRITE_FAILURES));
    }
}
