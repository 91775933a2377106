//! A create whose `PutItem` DynamoDB applied but whose answer never reached the function.
//!
//! Between the function and AWS's DynamoDB Local sits a loopback proxy that forwards every
//! call and, for the first `PutItem`, waits for DynamoDB Local's answer (so the item is
//! written) and then loses it: it closes the connection, or holds it past the SDK's attempt
//! timeout. The SDK retries the same `PutItem`; DynamoDB Local refuses it (the item exists)
//! and sends the existing item back. The request must recognise its own write: exactly one
//! new item, and the token in the 200 is that item's token.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use create_api_token::token::TokenHash;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use testkit::*;
use tokio::net::{TcpListener, TcpStream};

/// How the proxy loses the answer to the first `PutItem`.
#[derive(Debug, Clone, Copy)]
enum LostReply {
    /// Closes the connection without a response (the SDK sees an incomplete message).
    Dropped,
    /// Sends nothing until the SDK's attempt timeout (1 s) has passed, then closes.
    Stalled,
}

/// The loopback proxy in front of DynamoDB Local.
struct LossyProxy {
    endpoint: String,
    put_items: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Sends `parts` + `body` to `upstream` (`host:port`) on a new connection; its answer.
async fn forward(
    upstream: &str,
    parts: hyper::http::request::Parts,
    body: Bytes,
) -> Result<hyper::Response<Full<Bytes>>, String> {
    let stream = TcpStream::connect(upstream)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let request = hyper::Request::from_parts(parts, Full::new(body));
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok(hyper::Response::from_parts(parts, Full::new(body)))
}

impl LossyProxy {
    async fn start(upstream: &str, lost: LostReply) -> Self {
        let upstream = upstream
            .strip_prefix("http://")
            .expect("an http:// endpoint")
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let put_items = Arc::new(AtomicUsize::new(0));
        let counter = put_items.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (upstream, counter) = (upstream.clone(), counter.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req: hyper::Request<Incoming>| {
                        let (upstream, counter) = (upstream.clone(), counter.clone());
                        async move {
                            let is_put = req
                                .headers()
                                .get("x-amz-target")
                                .is_some_and(|t| t.as_bytes().ends_with(b".PutItem"));
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await.map_err(|e| e.to_string())?;
                            let answer = forward(&upstream, parts, body.to_bytes()).await?;
                            if is_put && counter.fetch_add(1, Ordering::SeqCst) == 0 {
                                // Applied by DynamoDB Local; the function never hears so.
                                if let LostReply::Stalled = lost {
                                    tokio::time::sleep(Duration::from_millis(1500)).await;
                                }
                                return Err("reply lost".to_owned());
                            }
                            Ok::<_, String>(answer)
                        }
                    });
                    // An `Err` from the service closes the connection without a response.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            endpoint,
            put_items,
            task,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_write_recognises_its_own_item_and_creates_exactly_one() {
    for lost in [LostReply::Dropped, LostReply::Stalled] {
        let table = Table::new("retried-write").await;
        table.seed_dev_tokens().await;
        let proxy = LossyProxy::start(dynamodb_local_endpoint(), lost).await;
        let function = Function::start(
            &table.name,
            &[("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint.as_str())],
        )
        .await;
        wait_until_polling(&function, Duration::from_secs(15)).await;
        let items_before = table.items().await;

        let response = function.call(&event_file("http-api-create-200.json")).await;

        assert_eq!(response.status, 200, "{lost:?}: {}", response.body);
        assert_eq!(
            proxy.put_items.load(Ordering::SeqCst),
            2,
            "{lost:?}: the lost PutItem and its retry, and no new draw"
        );
        let token = response.json()["Response"]["token"]["Token"]
            .as_str()
            .expect("Token")
            .to_owned();
        let items_after = table.items().await;
        let new: Vec<_> = items_after
            .keys()
            .filter(|k| !items_before.contains_key(*k))
            .collect();
        assert_eq!(
            new,
            [TokenHash::of(&token).as_str()],
            "{lost:?}: exactly one new item, the returned token's"
        );
        for (key, item) in &items_before {
            assert_eq!(
                items_after.get(key),
                Some(item),
                "{lost:?}: an item changed"
            );
        }
        let item = &items_after[TokenHash::of(&token).as_str()];
        assert_eq!(
            item["TokenId"].as_s().ok().map(String::as_str),
            response.header("api-token-id"),
            "{lost:?}: the item is the one whose TokenId the response names"
        );
        assert_eq!(item["TenantId"].as_n().unwrap(), "1");
        assert_no_token_material(&function.logs(), &[DEV_ADMIN_TOKEN, &token]);
    }
}
