//! The HTTP adapter: one request in (any front door `lambda_http` parses), one response
//! out, following SPEC.md's evaluation order:
//!
//! 1. path is not [`ENDPOINT_PATH`] (after removing an API Gateway stage prefix): 404;
//! 2. method is not `POST`: 405 with `Allow: POST`;
//! 3. no usable token, unknown token or revoked token: 401 (one body for all);
//! 4. caller's role is not exactly `Administrator`: 403;
//! 5. invalid `description`: 400;
//! 6. create the token: 200 with the envelope;
//! 7. DynamoDB unavailable / throttled / too slow: 503 within [`STORE_DEADLINE`] of the
//!    request; any other unexpected failure: 500.
//!
//! Business errors become responses, never Lambda invocation errors. Each request writes
//! exactly one log line (request id, status, reason class, tenant when known, latency);
//! no token, digest, `Authorization` value or description is ever logged.

use std::time::Duration;

use lambda_http::http::{Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;
use tokio::time::{timeout_at, Instant};

use crate::auth;
use crate::description;
use crate::envelope::{self, IssuedToken};
use crate::error::{json_response, ApiError};
use crate::store::{NewTokenItem, PutOutcome, StoreError, TokenStore, STANDARD};
use crate::token::{OsSeededGenerator, Token, TokenGenerator};

/// The endpoint's path, as the client sent it after any stage prefix.
pub const ENDPOINT_PATH: &str = "/api/v1/admin/apikey";

/// Every store call of a request must finish within this time of the request's start,
/// or the request is answered 503. Below SPEC.md's 5 seconds, with margin for the
/// response.
pub const STORE_DEADLINE: Duration = Duration::from_millis(4500);

/// Tokens drawn per request before giving up on `TokenHash` collisions (SPEC.md).
pub const MAX_CREATE_ATTEMPTS: usize = 3;

/// `DateCreated` format: `YYYY-MM-DDTHH:MM:SS` (UTC, no zone, no fraction).
pub const DATE_CREATED_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");

/// The endpoint, with its dependencies built once per process.
pub struct App<S, G = OsSeededGenerator> {
    store: S,
    generator: G,
    data_center: String,
    clock: fn() -> OffsetDateTime,
}

/// A token that was created.
struct Created {
    token: Token,
    description: String,
    date_created: String,
    tenant_id: i64,
}

impl<S: TokenStore> App<S, OsSeededGenerator> {
    /// The endpoint over `store`, issuing tokens `<body>-<data_center>` from the OS-seeded
    /// CSPRNG and stamping them with the system clock (UTC).
    pub fn new(store: S, data_center: impl Into<String>) -> Self {
        Self {
            store,
            generator: OsSeededGenerator,
            data_center: data_center.into(),
            clock: OffsetDateTime::now_utc,
        }
    }
}

impl<S: TokenStore, G: TokenGenerator> App<S, G> {
    /// Replaces the token generator (tests inject one to force collisions).
    pub fn with_generator<G2: TokenGenerator>(self, generator: G2) -> App<S, G2> {
        App {
            store: self.store,
            generator,
            data_center: self.data_center,
            clock: self.clock,
        }
    }

    /// Replaces the clock (tests pin `DateCreated`).
    pub fn with_clock(mut self, clock: fn() -> OffsetDateTime) -> Self {
        self.clock = clock;
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Answers one request. Never fails: every error is an HTTP response.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let started = Instant::now();
        let mut tenant_id = None;
        let result = self.evaluate(&request, started, &mut tenant_id).await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let request_id = request
            .lambda_context_ref()
            .map(|c| c.request_id.as_str())
            .unwrap_or("-");
        match result {
            Ok(created) => {
                tracing::info!(
                    request_id = ?request_id,
                    status = 200,
                    reason = "created",
                    tenant_id,
                    latency_ms,
                    "create api token"
                );
                json_response(
                    StatusCode::OK,
                    envelope::success_body(IssuedToken {
                        date_created: &created.date_created,
                        token: created.token.expose(),
                        description: &created.description,
                        tenant_id: created.tenant_id,
                    }),
                )
            }
            Err(error) => {
                let status = error.status().as_u16();
                let reason = error.reason();
                match &error {
                    ApiError::Unavailable(cause) | ApiError::Internal(cause) => {
                        tracing::error!(
                            request_id = ?request_id,
                            status,
                            reason,
                            tenant_id,
                            latency_ms,
                            cause = ?cause,
                            "create api token"
                        );
                    }
                    _ => tracing::info!(
                        request_id = ?request_id,
                        status,
                        reason,
                        tenant_id,
                        latency_ms,
                        "create api token"
                    ),
                }
                error.into_response()
            }
        }
    }

    async fn evaluate(
        &self,
        request: &Request,
        started: Instant,
        tenant_id: &mut Option<i64>,
    ) -> Result<Created, ApiError> {
        route(request)?;
        let token = auth::presented_token(request.headers(), &self.data_center)
            .map_err(ApiError::BadCredentials)?;
        let deadline = started + STORE_DEADLINE;

        let caller_hash = token.digest();
        let caller = within(deadline, self.store.get_caller(&caller_hash))
            .await?
            .ok_or(ApiError::UnknownToken)?;
        if caller.revoked {
            return Err(ApiError::RevokedToken);
        }
        *tenant_id = Some(caller.tenant_id);
        if !caller.is_administrator() {
            return Err(ApiError::Forbidden {
                tenant_id: caller.tenant_id,
            });
        }

        let description = description::validate(
            request
                .query_string_parameters_ref()
                .and_then(|q| q.first("description")),
        )
        .map_err(ApiError::InvalidDescription)?;

        let date_created = (self.clock)()
            .format(DATE_CREATED_FORMAT)
            .map_err(|_| ApiError::Internal("clock formatting failed".to_owned()))?;
        for _ in 0..MAX_CREATE_ATTEMPTS {
            let body = self
                .generator
                .new_body()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let new_token = Token::from_body(&body, &self.data_center);
            let item = NewTokenItem {
                token_hash: new_token.digest(),
                tenant_id: caller.tenant_id,
                role: STANDARD.to_owned(),
                description: description.clone(),
                date_created: date_created.clone(),
                created_by: Some(caller_hash.clone()),
            };
            match within(deadline, self.store.put_new(&item)).await? {
                PutOutcome::Created => {
                    return Ok(Created {
                        token: new_token,
                        description,
                        date_created,
                        tenant_id: caller.tenant_id,
                    })
                }
                PutOutcome::AlreadyExists => {
                    tracing::warn!("new token collided with a stored one; drawing another");
                }
            }
        }
        Err(ApiError::Internal(format!(
            "{MAX_CREATE_ATTEMPTS} token collisions in a row"
        )))
    }
}

/// Runs a store call under the request's deadline, mapping store errors to API errors.
async fn within<T>(
    deadline: Instant,
    call: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, ApiError> {
    match timeout_at(deadline, call).await {
        Err(_) => Err(ApiError::Unavailable(
            "request deadline exceeded".to_owned(),
        )),
        Ok(Err(StoreError::Unavailable(cause))) => Err(ApiError::Unavailable(cause)),
        Ok(Err(StoreError::Internal(cause))) => Err(ApiError::Internal(cause)),
        Ok(Ok(value)) => Ok(value),
    }
}

/// Rules 1 and 2: the path (as the client sent it, less an API Gateway stage prefix) must
/// be [`ENDPOINT_PATH`], then the method must be `POST`.
///
/// API Gateway REST (payload 1.0) gives `path` without the stage (`/api/v1/admin/apikey`
/// under stage `Prod`); HTTP API (payload 2.0) gives `rawPath` with a named stage first
/// (`/Prod/api/v1/admin/apikey`) and without it under `$default`. Both match.
///
/// # Errors
/// [`ApiError::NotFound`] or [`ApiError::MethodNotAllowed`].
pub fn route(request: &Request) -> Result<(), ApiError> {
    let raw_path = match request.raw_http_path() {
        "" => request.uri().path(),
        p => p,
    };
    let stage = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(c)) => c.stage.as_deref(),
        Some(RequestContext::ApiGatewayV2(c)) => c.stage.as_deref(),
        _ => None,
    }
    .filter(|s| !s.is_empty() && *s != "$default");
    let is_endpoint = raw_path == ENDPOINT_PATH
        || stage.is_some_and(|stage| {
            raw_path
                .strip_prefix('/')
                .and_then(|p| p.strip_prefix(stage))
                == Some(ENDPOINT_PATH)
        });
    if !is_endpoint {
        return Err(ApiError::NotFound);
    }
    if request.method() != Method::POST {
        return Err(ApiError::MethodNotAllowed);
    }
    Ok(())
}
