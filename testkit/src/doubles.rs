//! Store doubles on the wire: fake DynamoDB endpoints on loopback for the fault tests
//! (a store that never answers, one that throttles or fails), so that the real SDK client
//! and the real binary meet them exactly as they would meet DynamoDB.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// A DynamoDB endpoint on loopback that accepts every connection and never reads or
/// answers: the "silent store" of the fault tests. Stops serving when dropped.
pub struct SilentDynamoDb {
    /// `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_DYNAMODB`.
    pub endpoint: String,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SilentDynamoDb {
    /// Starts listening on a free loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(socket);
            }
        });
        Self {
            endpoint,
            accepted,
            task,
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for SilentDynamoDb {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How [`ThrottlingDynamoDb`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeMode {
    /// Every call: HTTP 400 `ProvisionedThroughputExceededException`.
    ThrottleAll,
    /// Every call: HTTP 500 `InternalServerError`.
    ServerErrorAll,
    /// `GetItem` finds an Administrator of tenant 1; `PutItem` is throttled.
    AdminThenThrottlePut,
    /// `GetItem` finds an Administrator of tenant 1; `PutItem` never gets an answer.
    AdminThenSilentPut,
}

/// A fake DynamoDB on loopback answering per [`FakeMode`], counting calls by
/// `X-Amz-Target` and keeping the `GetItem` request bodies.
pub struct ThrottlingDynamoDb {
    /// `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_DYNAMODB`.
    pub endpoint: String,
    calls: Arc<Mutex<HashMap<String, usize>>>,
    get_item_bodies: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

fn fake_reply(status: u16, body: &'static str) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .header(
            "x-amzn-requestid",
            "FAKE00000000000000000000000000000000000000000000000",
        )
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

impl ThrottlingDynamoDb {
    /// Starts a fake that throttles every call ([`FakeMode::ThrottleAll`]).
    pub async fn start() -> Self {
        Self::start_with(FakeMode::ThrottleAll).await
    }

    /// Starts a fake answering per `mode` on a free loopback port.
    pub async fn start_with(mode: FakeMode) -> Self {
        const THROTTLED: &str = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#;
        const SERVER_ERROR: &str = r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}"#;
        const ADMIN_ITEM: &str = r#"{"Item":{"TokenHash":{"S":"fake"},"TenantId":{"N":"1"},"Role":{"S":"Administrator"}}}"#;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let get_item_bodies: Arc<Mutex<Vec<String>>> = Arc::default();
        let (counts, bodies) = (calls.clone(), get_item_bodies.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (counts, bodies) = (counts.clone(), bodies.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req: hyper::Request<Incoming>| {
                        let (counts, bodies) = (counts.clone(), bodies.clone());
                        async move {
                            let target = req
                                .headers()
                                .get("x-amz-target")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("-")
                                .to_owned();
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
                                .unwrap_or_default();
                            *counts.lock().unwrap().entry(target.clone()).or_default() += 1;
                            let is_get = target.ends_with(".GetItem");
                            if is_get {
                                bodies.lock().unwrap().push(body);
                            }
                            let reply = match (mode, is_get) {
                                (FakeMode::ThrottleAll, _) => fake_reply(400, THROTTLED),
                                (FakeMode::ServerErrorAll, _) => fake_reply(500, SERVER_ERROR),
                                (_, true) => fake_reply(200, ADMIN_ITEM),
                                (FakeMode::AdminThenThrottlePut, false) => {
                                    fake_reply(400, THROTTLED)
                                }
                                (FakeMode::AdminThenSilentPut, false) => {
                                    std::future::pending::<()>().await;
                                    unreachable!()
                                }
                            };
                            Ok::<_, Infallible>(reply)
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            endpoint,
            calls,
            get_item_bodies,
            task,
        }
    }

    /// Forgets the calls counted and the bodies kept so far.
    pub fn reset(&self) {
        self.calls.lock().unwrap().clear();
        self.get_item_bodies.lock().unwrap().clear();
    }

    /// Calls with `X-Amz-Target` `target` (e.g. `DynamoDB_20120810.GetItem`) so far.
    pub fn count(&self, target: &str) -> usize {
        self.calls.lock().unwrap().get(target).copied().unwrap_or(0)
    }

    /// Calls so far by `X-Amz-Target`.
    pub fn snapshot(&self) -> HashMap<String, usize> {
        self.calls.lock().unwrap().clone()
    }

    /// The bodies of the `GetItem` requests so far.
    pub fn get_item_bodies(&self) -> Vec<String> {
        self.get_item_bodies.lock().unwrap().clone()
    }
}

impl Drop for ThrottlingDynamoDb {
    fn drop(&mut self) {
        self.task.abort();
    }
}
