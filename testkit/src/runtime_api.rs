//! A loopback implementation of the Lambda Runtime API (AWS Lambda developer guide,
//! "Using the Lambda runtime API for custom runtimes"), enough to run the real
//! `create-api-token` binary as Lambda does: it polls `GET /2018-06-01/runtime/invocation/next`,
//! answers `POST .../invocation/{id}/response` or `.../error`, and reports start-up failures
//! to `POST .../init/error`.
//!
//! An event can also be handed out without `Lambda-Runtime-Deadline-Ms`, as some local
//! emulators do ([`RuntimeApi::invoke_without_deadline`]), or with any `Lambda-Runtime-*`
//! header replaced, added or left out, byte for byte ([`RuntimeApi::invoke_with_headers`]).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

/// What the function answered for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `POST .../response` with this JSON body.
    Response(String),
    /// `POST .../error` with this JSON body (an invocation error).
    Error(String),
}

/// A change to the headers of one `GET .../invocation/next` response: `(name, Some(bytes))`
/// sets the header to exactly these bytes (replacing the usual value, if any), `(name,
/// None)` leaves it out.
pub type HeaderChange<'a> = (&'a str, Option<&'a [u8]>);

/// One event waiting for `GET .../invocation/next`.
struct Queued {
    id: String,
    event: String,
    /// Changes to the usual headers ([`HeaderChange`], owned).
    headers: Vec<(String, Option<Vec<u8>>)>,
}

#[derive(Default)]
struct Shared {
    pending: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_errors: Mutex<Vec<String>>,
    first_poll: Mutex<Option<Instant>>,
    polls: AtomicU64,
    /// `GET .../next` requests waiting for an event right now.
    waiting: AtomicU64,
    /// `Lambda-Runtime-Deadline-Ms` is this many ms after the hand-out (0: 30 s).
    deadline_after_ms: AtomicU64,
    /// Events handed out and not yet answered, now and at most.
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
}

/// The emulator. Dropping it stops serving.
pub struct RuntimeApi {
    addr: SocketAddr,
    events: mpsc::UnboundedSender<Queued>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RuntimeApi {
    /// Starts serving on a free loopback port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::unbounded_channel::<Queued>();
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let shared = Arc::new(Shared::default());
        let task_shared = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let rx = rx.clone();
                let shared = task_shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| route(req, rx.clone(), shared.clone()));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            events: tx,
            shared,
            next_id: AtomicU64::new(1),
            task,
        }
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// When the function first asked for an event, if it has.
    pub fn first_poll(&self) -> Option<Instant> {
        *self.shared.first_poll.lock().unwrap()
    }

    /// Bodies posted to `/runtime/init/error`.
    pub fn init_errors(&self) -> Vec<String> {
        self.shared.init_errors.lock().unwrap().clone()
    }

    /// How many `GET .../invocation/next` requests are waiting for an event right now (one
    /// per idle worker of a function serving concurrently).
    pub fn waiting_polls(&self) -> u64 {
        self.shared.waiting.load(Ordering::SeqCst)
    }

    /// The most events the function held at once: handed out by `.../next` and not yet
    /// answered.
    pub fn max_in_flight(&self) -> u64 {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// As [`RuntimeApi::invoke`], also returning the request id the event was sent with
    /// (`Lambda-Runtime-Aws-Request-Id`).
    pub async fn invoke_with_id(&self, event: &str, limit: Duration) -> (String, Option<Outcome>) {
        let id = format!("req-{:06}", self.next_id.fetch_add(1, Ordering::SeqCst));
        let (tx, rx) = oneshot::channel();
        self.shared.pending.lock().unwrap().insert(id.clone(), tx);
        let queued = Queued {
            id: id.clone(),
            event: event.to_owned(),
            headers: Vec::new(),
        };
        if self.events.send(queued).is_err() {
            return (id, None);
        }
        let outcome = tokio::time::timeout(limit, rx)
            .await
            .ok()
            .and_then(Result::ok);
        (id, outcome)
    }

    /// Hands `event` to the function and waits up to `limit` for its answer.
    /// `None` if it did not answer in time.
    pub async fn invoke(&self, event: &str, limit: Duration) -> Option<Outcome> {
        self.hand_out(event, &[], limit).await
    }

    /// Later invocations carry a `Lambda-Runtime-Deadline-Ms` `after` their hand-out
    /// (as a function timeout of that length would), instead of 30 s.
    pub fn set_deadline_after(&self, after: Duration) {
        let ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX).max(1);
        self.shared.deadline_after_ms.store(ms, Ordering::SeqCst);
    }

    /// As [`RuntimeApi::invoke`], but the invocation has no `Lambda-Runtime-Deadline-Ms`
    /// header (AWS always sends it; some local emulators do not).
    pub async fn invoke_without_deadline(&self, event: &str, limit: Duration) -> Option<Outcome> {
        self.hand_out(event, &[("lambda-runtime-deadline-ms", None)], limit)
            .await
    }

    /// As [`RuntimeApi::invoke`], with `changes` made to the headers of the `.../next`
    /// response that hands the event out (any name but `Lambda-Runtime-Aws-Request-Id`,
    /// which pairs the answer with the event). The bytes go out as given, so a value may
    /// hold anything HTTP/1.1 carries in a field value (obs-text included).
    pub async fn invoke_with_headers(
        &self,
        event: &str,
        changes: &[HeaderChange<'_>],
        limit: Duration,
    ) -> Option<Outcome> {
        self.hand_out(event, changes, limit).await
    }

    async fn hand_out(
        &self,
        event: &str,
        changes: &[HeaderChange<'_>],
        limit: Duration,
    ) -> Option<Outcome> {
        let id = format!("req-{:06}", self.next_id.fetch_add(1, Ordering::SeqCst));
        let (tx, rx) = oneshot::channel();
        self.shared.pending.lock().unwrap().insert(id.clone(), tx);
        let queued = Queued {
            id,
            event: event.to_owned(),
            headers: changes
                .iter()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.map(<[u8]>::to_vec)))
                .collect(),
        };
        self.events.send(queued).ok()?;
        tokio::time::timeout(limit, rx).await.ok()?.ok()
    }
}

fn reply(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

async fn route(
    req: Request<Incoming>,
    events: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    const PREFIX: &str = "/2018-06-01/runtime/";
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    };
    if method == hyper::Method::GET && rest == "invocation/next" {
        shared.polls.fetch_add(1, Ordering::SeqCst);
        shared
            .first_poll
            .lock()
            .unwrap()
            .get_or_insert_with(Instant::now);
        shared.waiting.fetch_add(1, Ordering::SeqCst);
        let next = events.lock().await.recv().await;
        shared.waiting.fetch_sub(1, Ordering::SeqCst);
        let Some(Queued { id, event, headers }) = next else {
            return Ok(reply(StatusCode::GONE, "{}"));
        };
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let after = match shared.deadline_after_ms.load(Ordering::SeqCst) {
            0 => 30_000,
            ms => u128::from(ms),
        };
        let deadline_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + after;
        // The usual headers, in the order Lambda sends them, then the test's changes.
        let mut fields: Vec<(String, Vec<u8>)> = [
            ("content-type", "application/json".to_owned()),
            ("lambda-runtime-aws-request-id", id),
            ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:create-api-token".to_owned(),
            ),
            (
                "lambda-runtime-trace-id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
                    .to_owned(),
            ),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.into_bytes()))
        .collect();
        for (name, value) in headers {
            fields.retain(|(have, _)| *have != name);
            if let Some(value) = value {
                fields.push((name, value));
            }
        }
        let mut response = Response::builder().status(StatusCode::OK);
        for (name, value) in fields {
            let value = hyper::header::HeaderValue::from_bytes(&value)
                .unwrap_or_else(|e| panic!("{name}: not a field value HTTP/1.1 can carry: {e}"));
            response = response.header(name, value);
        }
        return Ok(response.body(Full::new(Bytes::from(event))).unwrap());
    }
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    if method == hyper::Method::POST && rest == "init/error" {
        shared.init_errors.lock().unwrap().push(body);
        return Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#));
    }
    if method == hyper::Method::POST {
        if let Some(inv) = rest.strip_prefix("invocation/") {
            let (id, kind) = inv.rsplit_once('/').unwrap_or((inv, ""));
            let outcome = match kind {
                "response" => Some(Outcome::Response(body)),
                "error" => Some(Outcome::Error(body)),
                _ => None,
            };
            if let Some(outcome) = outcome {
                shared.in_flight.fetch_sub(1, Ordering::SeqCst);
                if let Some(tx) = shared.pending.lock().unwrap().remove(id) {
                    let _ = tx.send(outcome);
                }
                return Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#));
            }
        }
    }
    Ok(reply(StatusCode::NOT_FOUND, "{}"))
}
