//! Which operation a request asks for: the routing table of docs/api.md, decided from the
//! path the client sent (less an API Gateway stage prefix) and the method.
//!
//! | path | method | operation |
//! | --- | --- | --- |
//! | [`COLLECTION_PATH`] | `POST` | [`Operation::Create`] |
//! | [`COLLECTION_PATH`] | `GET` | [`Operation::List`] |
//! | [`COLLECTION_PATH`]`/{TokenId}` | `DELETE` | [`Operation::Revoke`] |
//!
//! Rule 1: any other path, including a `{TokenId}` that is not a ULID, is
//! [`RouteError::NotFound`]. Rule 2: another method on one of these paths is
//! [`RouteError::MethodNotAllowed`] with the path's own `Allow` value (RFC 9110 §15.5.6).
//! This module decides nothing else; it depends on no other module of the crate but
//! [`crate::token_id`].

use lambda_http::http::Method;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::token_id::TokenId;

/// The token collection: `GET` lists, `POST` creates.
pub const COLLECTION_PATH: &str = "/api/v1/admin/apikey";

/// `Allow` of the collection.
pub const COLLECTION_ALLOW: &str = "GET, POST";
/// `Allow` of one token, `COLLECTION_PATH/{TokenId}`.
pub const TOKEN_ALLOW: &str = "DELETE";

/// An operation of the API, with what its path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `POST /api/v1/admin/apikey`: create a Standard token for the caller's tenant.
    Create,
    /// `GET /api/v1/admin/apikey`: list the caller's tenant's tokens.
    List,
    /// `DELETE /api/v1/admin/apikey/{TokenId}`: revoke one of the tenant's tokens.
    Revoke(TokenId),
}

impl Operation {
    /// A short stable name for the log line's `operation` field.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::List => "list",
            Self::Revoke(_) => "revoke",
        }
    }
}

/// A request that names no operation (rules 1 and 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// 404: the path is neither the collection nor one of its tokens.
    #[error("not found")]
    NotFound,
    /// 405: the path exists, the method is not one of `allow`.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The `Allow` header value of the path.
        allow: &'static str,
    },
}

/// Rules 1 and 2: the operation `request` asks for.
///
/// The path is the one the client sent, less an API Gateway stage:
/// - REST API (payload 1.0, also HTTP API payload 1.0): `path` is already without the
///   stage (`/api/v1/admin/apikey` for a client's `/Prod/api/v1/admin/apikey`).
/// - HTTP API / Function URL (payload 2.0): under a named stage `S`, `rawPath` starts with
///   `/S` and must; under `$default` it has no stage.
/// - ALB: `path` as sent.
///
/// Paths are compared exactly: case matters, and a trailing slash is another path.
///
/// # Errors
/// [`RouteError::NotFound`] or [`RouteError::MethodNotAllowed`].
pub fn resolve(request: &Request) -> Result<Operation, RouteError> {
    let raw_path = match request.raw_http_path() {
        "" => request.uri().path(),
        p => p,
    };
    let named_v2_stage = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c
            .stage
            .as_deref()
            .filter(|s| !s.is_empty() && *s != "$default"),
        _ => None,
    };
    let path = match named_v2_stage {
        Some(stage) => raw_path
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(stage))
            .ok_or(RouteError::NotFound)?,
        None => raw_path,
    };
    let method = request.method();
    if path == COLLECTION_PATH {
        return match *method {
            Method::POST => Ok(Operation::Create),
            Method::GET => Ok(Operation::List),
            _ => Err(RouteError::MethodNotAllowed {
                allow: COLLECTION_ALLOW,
            }),
        };
    }
    let token_id = path
        .strip_prefix(COLLECTION_PATH)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(TokenId::parse)
        .ok_or(RouteError::NotFound)?;
    match *method {
        Method::DELETE => Ok(Operation::Revoke(token_id)),
        _ => Err(RouteError::MethodNotAllowed { allow: TOKEN_ALLOW }),
    }
}
