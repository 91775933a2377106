//! CloudWatch metrics: one Embedded Metric Format (EMF) record per request, written to
//! stdout as one JSON line, which CloudWatch Logs turns into metrics (Amazon CloudWatch
//! user guide, "Specification: Embedded metric format"). README, "Logs and metrics", lists
//! them.
//!
//! Namespace [`NAMESPACE`]. Every metric is published twice (two dimension sets): by
//! `Operation` (`create`, `list`, `get`, `revoke`, `rotate`, `self`, `unknown` when the path or method named no
//! operation) and with no dimension, the service total an alarm watches. The record holds
//! the request's outcome count (`1` under one of [`TOKENS_CREATED`] ... [`INTERNAL_ERROR`],
//! none for a 405), [`REQUEST_LATENCY`] and, when the request reached the store,
//! [`STORE_LATENCY`] (milliseconds). `Reason`, `Status`, `RequestId` and, for a 503/500,
//! `Cause` are properties: searchable in Logs Insights, never dimensions (bounded metric
//! cardinality).
//!
//! Why written here rather than through a metrics crate: the record is built from the
//! request's own state and written once, when its log line is, so concurrent requests in
//! one process (Lambda Managed Instances) never share a record. `metrics_cloudwatch_embedded`
//! aggregates every request of the process in one global collector, with process-wide
//! properties, and flushes all of it after each invocation, mixing requests; `metrique`
//! (per-unit-of-work records) needs Rust 1.91 and a background writer queue. The format is
//! a few `serde` structs below.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::endpoint::Operation;

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "ApiTokenService";
/// The dimension: which operation the request asked for.
pub const OPERATION: &str = "Operation";
/// Tokens issued (200 to a create).
pub const TOKENS_CREATED: &str = "TokensCreated";
/// Lists served (200 to a list).
pub const TOKENS_LISTED: &str = "TokensListed";
/// Tokens revoked (200 to a revoke, idempotent repeats included).
pub const TOKENS_REVOKED: &str = "TokensRevoked";
/// 401: no usable, unknown or revoked token (`Reason` tells which).
pub const UNAUTHORIZED: &str = "Unauthorized";
/// 403: the caller is not an Administrator.
pub const FORBIDDEN: &str = "Forbidden";
/// 400: an invalid parameter (`Reason` tells which).
pub const BAD_REQUEST: &str = "BadRequest";
/// 404: no such path, or no such token in the caller's tenant.
pub const NOT_FOUND: &str = "NotFound";
/// 503: DynamoDB unavailable, throttled or too slow (`Cause` tells which).
pub const STORE_UNAVAILABLE: &str = "StoreUnavailable";
/// 500: any other unexpected failure (`Cause` tells which).
pub const INTERNAL_ERROR: &str = "InternalError";
/// 1 when the request's `DateLastUsed` write failed or timed out (the request's answer
/// was unaffected); absent otherwise.
pub const LAST_USE_WRITE_FAILURES: &str = "LastUseWriteFailures";
/// Items of the tenant a list left out because they cannot be shown (docs/api.md,
/// "Listing"); in the record only when non-zero.
pub const UNSHOWABLE_ITEMS: &str = "UnshowableItems";
/// Time spent in store calls for the request, milliseconds.
pub const STORE_LATENCY: &str = "StoreLatency";
/// Time from the request's start to its response being ready, milliseconds.
pub const REQUEST_LATENCY: &str = "RequestLatency";

/// Count of 200s of `GET /api/v1/admin/apikey/{TokenId}` (tokens read).
pub const TOKENS_READ: &str = "TokensRead";
/// Count of 200s of `GET /api/v1/apikey/self` (tokens that read themselves).
pub const SELF_READ: &str = "SelfRead";
/// Count of 200s of `POST .../{TokenId}/rotate` (tokens rotated).
pub const TOKENS_ROTATED: &str = "TokensRotated";
/// Count of 409s (a rotation of a revoked, expired or already rotated token).
pub const CONFLICT: &str = "Conflict";

/// The `Operation` value of a request whose path or method named no operation.
pub const UNKNOWN_OPERATION: &str = "unknown";

/// What one request did, as its metrics record says it.
#[derive(Debug, Clone)]
pub struct RequestMetrics<'a> {
    /// The Lambda request id (`RequestId` property).
    pub request_id: &'a str,
    /// The operation asked for, or `None` ([`UNKNOWN_OPERATION`]).
    pub operation: Option<Operation>,
    /// The HTTP status answered.
    pub status: u16,
    /// The log line's reason class (`Reason` property).
    pub reason: &'a str,
    /// A 503's or 500's cause class (`Cause` property), never request data.
    pub cause: Option<&'a str>,
    /// Time spent in store calls; `None` if the request made none.
    pub store_latency: Option<Duration>,
    /// Time from the request's start to its response.
    pub request_latency: Duration,
    /// `true` when the request's `DateLastUsed` write failed ([`LAST_USE_WRITE_FAILURES`]).
    pub last_use_failed: bool,
    /// Items a list left out because they cannot be shown ([`UNSHOWABLE_ITEMS`]).
    pub unshowable_items: u32,
}

impl RequestMetrics<'_> {
    /// The outcome metric this request counts under, by status (and, for a 200, by
    /// operation: an exhaustive match, so a new [`Operation`] cannot go uncounted);
    /// `None` for a 405 and any status not listed in the module docs.
    pub fn outcome(&self) -> Option<&'static str> {
        match (self.status, self.operation) {
            (200, Some(operation)) => Some(match operation {
                Operation::Create => TOKENS_CREATED,
                Operation::List => TOKENS_LISTED,
                Operation::Get(_) => TOKENS_READ,
                Operation::Revoke(_) => TOKENS_REVOKED,
                Operation::Rotate(_) => TOKENS_ROTATED,
                Operation::SelfView => SELF_READ,
            }),
            (400, _) => Some(BAD_REQUEST),
            (401, _) => Some(UNAUTHORIZED),
            (403, _) => Some(FORBIDDEN),
            (404, _) => Some(NOT_FOUND),
            (409, _) => Some(CONFLICT),
            (500, _) => Some(INTERNAL_ERROR),
            (503, _) => Some(STORE_UNAVAILABLE),
            _ => None,
        }
    }

    /// The EMF record, one JSON object (no newline), stamped `timestamp_ms` (ms since the
    /// Unix epoch).
    pub fn to_emf(&self, timestamp_ms: u64) -> String {
        let outcome = self.outcome();
        let store_ms = self.store_latency.map(millis);
        let mut metrics = Vec::with_capacity(4);
        if let Some(name) = outcome {
            metrics.push(MetricDefinition {
                name,
                unit: "Count",
            });
        }
        metrics.push(MetricDefinition {
            name: REQUEST_LATENCY,
            unit: "Milliseconds",
        });
        if store_ms.is_some() {
            metrics.push(MetricDefinition {
                name: STORE_LATENCY,
                unit: "Milliseconds",
            });
        }
        if self.last_use_failed {
            metrics.push(MetricDefinition {
                name: LAST_USE_WRITE_FAILURES,
                unit: "Count",
            });
        }
        let unshowable_items = (self.unshowable_items > 0).then_some(self.unshowable_items);
        if unshowable_items.is_some() {
            metrics.push(MetricDefinition {
                name: UNSHOWABLE_ITEMS,
                unit: "Count",
            });
        }
        let record = Record {
            aws: Metadata {
                timestamp: timestamp_ms,
                cloudwatch_metrics: [MetricDirective {
                    namespace: NAMESPACE,
                    dimensions: [&[OPERATION], &[]],
                    metrics,
                }],
            },
            operation: self
                .operation
                .as_ref()
                .map_or(UNKNOWN_OPERATION, Operation::name),
            outcome: outcome.map(|name| Count { name }),
            request_latency: millis(self.request_latency),
            store_latency: store_ms,
            last_use_write_failures: self.last_use_failed.then_some(1),
            unshowable_items,
            reason: self.reason,
            cause: self.cause,
            status: self.status,
            request_id: self.request_id,
        };
        serde_json::to_string(&record).unwrap_or_default()
    }
}

/// Milliseconds, to the microsecond.
pub(crate) fn millis(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

#[derive(Serialize)]
struct Record<'a> {
    #[serde(rename = "_aws")]
    aws: Metadata<'a>,
    #[serde(rename = "Operation")]
    operation: &'a str,
    #[serde(flatten)]
    outcome: Option<Count>,
    #[serde(rename = "RequestLatency")]
    request_latency: f64,
    #[serde(rename = "StoreLatency", skip_serializing_if = "Option::is_none")]
    store_latency: Option<f64>,
    #[serde(
        rename = "LastUseWriteFailures",
        skip_serializing_if = "Option::is_none"
    )]
    last_use_write_failures: Option<u32>,
    #[serde(rename = "UnshowableItems", skip_serializing_if = "Option::is_none")]
    unshowable_items: Option<u32>,
    #[serde(rename = "Reason")]
    reason: &'a str,
    #[serde(rename = "Cause", skip_serializing_if = "Option::is_none")]
    cause: Option<&'a str>,
    #[serde(rename = "Status")]
    status: u16,
    #[serde(rename = "RequestId")]
    request_id: &'a str,
}

/// `"<outcome metric name>": 1`.
pub(crate) struct Count {
    pub(crate) name: &'static str,
}

impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.name, &1)?;
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Metadata<'a> {
    pub(crate) timestamp: u64,
    #[serde(rename = "CloudWatchMetrics")]
    pub(crate) cloudwatch_metrics: [MetricDirective<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MetricDirective<'a> {
    pub(crate) namespace: &'a str,
    pub(crate) dimensions: [&'a [&'a str]; 2],
    pub(crate) metrics: Vec<MetricDefinition>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MetricDefinition {
    pub(crate) name: &'static str,
    pub(crate) unit: &'static str,
}

/// A record written as one EMF line: the function's [`RequestMetrics`] and the
/// authorizer's (`crate::authorizer`).
pub trait EmfRecord {
    /// The EMF record, one JSON object (no newline), stamped `timestamp_ms`.
    fn to_emf(&self, timestamp_ms: u64) -> String;
}

impl EmfRecord for RequestMetrics<'_> {
    fn to_emf(&self, timestamp_ms: u64) -> String {
        RequestMetrics::to_emf(self, timestamp_ms)
    }
}

/// Where request records go.
#[derive(Debug, Clone, Default)]
pub enum MetricsSink {
    /// Nowhere (the library default: tests and benchmarks that do not look at metrics).
    #[default]
    Off,
    /// Standard output, one line per record, written whole under the stdout lock so that
    /// concurrent requests' lines never interleave (the function binary).
    Stdout,
    /// Kept in memory, one string per record (tests).
    Memory(Arc<Mutex<Vec<String>>>),
}

impl MetricsSink {
    /// A sink that keeps records in memory, and the handle to read them.
    pub fn memory() -> (Self, Arc<Mutex<Vec<String>>>) {
        let records = Arc::new(Mutex::new(Vec::new()));
        (Self::Memory(records.clone()), records)
    }

    /// Writes `metrics`' record, stamped now. A write error is ignored: metrics never
    /// fail a request.
    pub fn emit(&self, metrics: &impl EmfRecord) {
        if matches!(self, Self::Off) {
            return;
        }
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let record = metrics.to_emf(now_ms);
        match self {
            Self::Off => {}
            Self::Stdout => {
                let mut line = record.into_bytes();
                line.push(b'\n');
                let _ = std::io::stdout().lock().write_all(&line);
            }
            Self::Memory(records) => {
                if let Ok(mut records) = records.lock() {
                    records.push(record);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn id() -> crate::token_id::TokenId {
        crate::token_id::TokenId::parse("01KBDEVSTD0000000000000001").unwrap()
    }

    fn revoke() -> Operation {
        Operation::Revoke(id())
    }

    fn sample(status: u16, operation: Option<Operation>) -> RequestMetrics<'static> {
        RequestMetrics {
            request_id: "req-1",
            operation,
            status,
            reason: "r",
            cause: None,
            store_latency: Some(Duration::from_micros(1500)),
            request_latency: Duration::from_micros(2250),
            last_use_failed: false,
            unshowable_items: 0,
        }
    }

    #[test]
    fn a_failed_last_use_write_is_counted_and_nothing_else_changes() {
        let plain: Value =
            serde_json::from_str(&sample(200, Some(Operation::List)).to_emf(42)).unwrap();
        assert_eq!(plain.get(LAST_USE_WRITE_FAILURES), None);
        let failed = RequestMetrics {
            last_use_failed: true,
            ..sample(200, Some(Operation::List))
        };
        let v: Value = serde_json::from_str(&failed.to_emf(42)).unwrap();
        assert_eq!(v[LAST_USE_WRITE_FAILURES], 1);
        assert_eq!(v[TOKENS_LISTED], 1);
        let names: Vec<&str> = v["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&LAST_USE_WRITE_FAILURES), "{names:?}");
    }

    #[test]
    fn a_record_is_an_emf_document_with_its_values_at_the_top_level() {
        let v: Value =
            serde_json::from_str(&sample(200, Some(Operation::Create)).to_emf(42)).unwrap();
        assert_eq!(v["_aws"]["Timestamp"], 42);
        let directive = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert_eq!(
            directive["Dimensions"],
            serde_json::json!([["Operation"], []])
        );
        assert_eq!(
            directive["Metrics"],
            serde_json::json!([
                {"Name": "TokensCreated", "Unit": "Count"},
                {"Name": "RequestLatency", "Unit": "Milliseconds"},
                {"Name": "StoreLatency", "Unit": "Milliseconds"},
            ])
        );
        assert_eq!(v["Operation"], "create");
        assert_eq!(v["TokensCreated"], 1);
        assert_eq!(v["RequestLatency"], 2.25);
        assert_eq!(v["StoreLatency"], 1.5);
        assert_eq!(v["Status"], 200);
        assert_eq!(v["RequestId"], "req-1");
        assert!(v.get("Cause").is_none());
    }

    #[test]
    fn outcomes_by_status() {
        for (status, op, metric) in [
            (200, Some(Operation::List), Some(TOKENS_LISTED)),
            (200, Some(revoke()), Some(TOKENS_REVOKED)),
            (200, Some(Operation::Get(id())), Some(TOKENS_READ)),
            (200, Some(Operation::Rotate(id())), Some(TOKENS_ROTATED)),
            (200, Some(Operation::SelfView), Some(SELF_READ)),
            (409, Some(Operation::Rotate(id())), Some(CONFLICT)),
            (400, Some(Operation::List), Some(BAD_REQUEST)),
            (401, Some(Operation::Create), Some(UNAUTHORIZED)),
            (403, Some(revoke()), Some(FORBIDDEN)),
            (404, None, Some(NOT_FOUND)),
            (405, None, None),
            (500, Some(Operation::Create), Some(INTERNAL_ERROR)),
            (503, Some(Operation::List), Some(STORE_UNAVAILABLE)),
        ] {
            let mut m = sample(status, op);
            m.store_latency = None;
            assert_eq!(m.outcome(), metric, "{status}");
            let v: Value = serde_json::from_str(&m.to_emf(0)).unwrap();
            let names: Vec<&str> = v["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["Name"].as_str().unwrap())
                .collect();
            let expected: Vec<&str> = metric.into_iter().chain([REQUEST_LATENCY]).collect();
            assert_eq!(names, expected, "{status}");
            assert_eq!(v["Operation"], op.map_or("unknown", |o| o.name()));
            assert!(v.get(STORE_LATENCY).is_none());
        }
    }

    #[test]
    fn unshowable_items_are_counted_only_when_a_list_met_some() {
        let mut m = sample(200, Some(Operation::List));
        m.unshowable_items = 2;
        let v: Value = serde_json::from_str(&m.to_emf(0)).unwrap();
        let metrics = &v["_aws"]["CloudWatchMetrics"][0]["Metrics"];
        assert_eq!(
            metrics[3],
            serde_json::json!({"Name": "UnshowableItems", "Unit": "Count"})
        );
        assert_eq!(v[UNSHOWABLE_ITEMS], 2);
        let v: Value = serde_json::from_str(&sample(200, Some(Operation::List)).to_emf(0)).unwrap();
        assert!(v.get(UNSHOWABLE_ITEMS).is_none());
    }
}
