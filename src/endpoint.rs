//! Which operation a request asks for: THE routing table of docs/api.md ([`ROUTES`]),
//! decided from the path the client sent (less an API Gateway stage prefix) and the method.
//!
//! | path | `Allow` | method | operation |
//! | --- | --- | --- | --- |
//! | [`COLLECTION_PATH`] | `GET, POST` | `GET` | [`Operation::List`] |
//! | | | `POST` | [`Operation::Create`] |
//! | [`COLLECTION_PATH`]`/{TokenId}` | `GET, DELETE` | `GET` | [`Operation::Get`] |
//! | | | `DELETE` | [`Operation::Revoke`] |
//! | [`COLLECTION_PATH`]`/{TokenId}/rotate` | `POST` | `POST` | [`Operation::Rotate`] |
//! | [`SELF_PATH`] | `GET` | `GET` | [`Operation::SelfView`] |
//!
//! Rule 1: any other path, including a `{TokenId}` that is not a ULID, is
//! [`RouteError::NotFound`], whose message ([`served`]) is written from the table. Rule 2:
//! another method on one of these paths is [`RouteError::MethodNotAllowed`] with the path's
//! own `Allow` value (RFC 9110 §15.5.6). This module decides nothing else; it depends on
//! no other module of the crate but [`crate::token_id`].

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::token_id::TokenId;

/// The token collection: `GET` lists, `POST` creates.
pub const COLLECTION_PATH: &str = "/api/v1/admin/apikey";

/// The caller's own token: `GET` shows it (any role).
pub const SELF_PATH: &str = "/api/v1/apikey/self";

/// The path segment that captures a [`TokenId`] in a [`Route::pattern`].
pub const TOKEN_ID_SEGMENT: &str = "{TokenId}";

/// An operation of the API, with what its path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `POST /api/v1/admin/apikey`: create a Standard token for the caller's tenant.
    Create,
    /// `GET /api/v1/admin/apikey`: list the caller's tenant's tokens.
    List,
    /// `GET /api/v1/admin/apikey/{TokenId}`: read one of the tenant's tokens.
    Get(TokenId),
    /// `DELETE /api/v1/admin/apikey/{TokenId}`: revoke one of the tenant's tokens.
    Revoke(TokenId),
    /// `POST /api/v1/admin/apikey/{TokenId}/rotate`: replace one of the tenant's tokens.
    Rotate(TokenId),
    /// `GET /api/v1/apikey/self`: the caller's own token (any role).
    SelfView,
}

impl Operation {
    /// A short stable name: the log line's `operation` field and the metrics'
    /// `Operation` dimension.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::List => "list",
            Self::Get(_) => "get",
            Self::Revoke(_) => "revoke",
            Self::Rotate(_) => "rotate",
            Self::SelfView => "self",
        }
    }

    /// `true` for the operations any usable token may call (rule 4, the Administrator
    /// rule, does not apply): only [`Operation::SelfView`].
    pub fn open_to_any_role(&self) -> bool {
        match self {
            Self::SelfView => true,
            Self::Create | Self::List | Self::Get(_) | Self::Revoke(_) | Self::Rotate(_) => false,
        }
    }

    /// The `TokenId` the operation acts on, if it names one (the log's `target_token_id`).
    pub fn target(&self) -> Option<TokenId> {
        match self {
            Self::Get(id) | Self::Revoke(id) | Self::Rotate(id) => Some(*id),
            Self::Create | Self::List | Self::SelfView => None,
        }
    }
}

/// Builds the operation of one method from the `{TokenId}` its path captured (`None` for
/// a path without one).
pub type Build = fn(Option<TokenId>) -> Option<Operation>;

/// One row of the routing table: a path shape, its `Allow` value, and the operation of
/// each allowed method.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// The path as documented: literal segments, and [`TOKEN_ID_SEGMENT`] for a segment
    /// that must be a `TokenId` (either case).
    pub pattern: &'static str,
    /// The `Allow` header of a 405 on this path: the methods below, in this order.
    pub allow: &'static str,
    /// Each allowed method (upper case, as HTTP spells them) with its operation.
    pub methods: &'static [(&'static str, Build)],
}

/// THE routing table. A new operation is one row here (or one method of a row) and one
/// [`Operation`] variant; the 404 message and the 405's `Allow` follow from the table.
pub const ROUTES: &[Route] = &[
    Route {
        pattern: COLLECTION_PATH,
        allow: "GET, POST",
        methods: &[
            ("GET", |_| Some(Operation::List)),
            ("POST", |_| Some(Operation::Create)),
        ],
    },
    Route {
        pattern: "/api/v1/admin/apikey/{TokenId}",
        allow: "GET, DELETE",
        methods: &[
            ("GET", |id| id.map(Operation::Get)),
            ("DELETE", |id| id.map(Operation::Revoke)),
        ],
    },
    Route {
        pattern: "/api/v1/admin/apikey/{TokenId}/rotate",
        allow: "POST",
        methods: &[("POST", |id| id.map(Operation::Rotate))],
    },
    Route {
        pattern: SELF_PATH,
        allow: "GET",
        methods: &[("GET", |_| Some(Operation::SelfView))],
    },
];

/// A request that names no operation (rules 1 and 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// 404: the path is none of the table's.
    #[error("not found")]
    NotFound,
    /// 405: the path exists, the method is not one of `allow`.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The `Allow` header value of the path.
        allow: &'static str,
    },
}

/// What the API serves, for the 404 message: each path of [`ROUTES`] with its methods,
/// e.g. `/a (GET, POST) and /a/{TokenId} (DELETE)`.
pub fn served() -> String {
    let rows: Vec<String> = ROUTES
        .iter()
        .map(|r| format!("{} ({})", r.pattern, r.allow))
        .collect();
    match rows.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Rules 1 and 2: the operation `request` asks for.
///
/// The path is the one the client sent, less an API Gateway stage:
/// - REST API (payload 1.0): `path` is already without the stage (`/api/v1/admin/apikey`
///   for a client's `/Prod/api/v1/admin/apikey`).
/// - HTTP API with payload 1.0: under a named stage `S`, `path` starts with `/S` and must;
///   the event layer, the only one that sees the event's `version`, puts it in REST's form
///   (`crate::event::parse_event`), so it is read here as REST's.
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
    route(request.method().as_str(), path)
}

/// Rules 1 and 2 on a path already without its stage: the first row of [`ROUTES`] whose
/// pattern `path` matches decides.
///
/// # Errors
/// [`RouteError::NotFound`] or [`RouteError::MethodNotAllowed`].
pub fn route(method: &str, path: &str) -> Result<Operation, RouteError> {
    for row in ROUTES {
        let Some(token_id) = captures(row.pattern, path) else {
            continue;
        };
        return match row.methods.iter().find(|(m, _)| *m == method) {
            Some((_, build)) => build(token_id).ok_or(RouteError::NotFound),
            None => Err(RouteError::MethodNotAllowed { allow: row.allow }),
        };
    }
    Err(RouteError::NotFound)
}

/// `Some(captured TokenId)` if `path` has the shape of `pattern`: the same number of
/// `/`-separated segments, literal segments equal, and a valid `TokenId` where the pattern
/// has [`TOKEN_ID_SEGMENT`].
fn captures(pattern: &str, path: &str) -> Option<Option<TokenId>> {
    let mut expected = pattern.split('/');
    let mut given = path.split('/');
    let mut token_id = None;
    loop {
        match (expected.next(), given.next()) {
            (None, None) => return Some(token_id),
            (Some(TOKEN_ID_SEGMENT), Some(segment)) => token_id = Some(TokenId::parse(segment)?),
            (Some(literal), Some(segment)) if literal == segment => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01KBDEVSTD0000000000000001";

    #[test]
    fn every_row_builds_an_operation_for_each_of_its_methods_and_allows_them_in_order() {
        for row in ROUTES {
            let path = row.pattern.replace(TOKEN_ID_SEGMENT, ID);
            let methods: Vec<&str> = row.methods.iter().map(|(m, _)| *m).collect();
            assert_eq!(row.allow, methods.join(", "), "{}", row.pattern);
            for method in methods {
                assert!(route(method, &path).is_ok(), "{method} {path}");
            }
            assert_eq!(
                route("PATCH", &path),
                Err(RouteError::MethodNotAllowed { allow: row.allow })
            );
        }
    }

    #[test]
    fn the_table_names_the_contracts_operations() {
        let id = TokenId::parse(ID).unwrap();
        assert_eq!(route("POST", COLLECTION_PATH), Ok(Operation::Create));
        assert_eq!(route("GET", COLLECTION_PATH), Ok(Operation::List));
        let token = format!("{COLLECTION_PATH}/{}", ID.to_lowercase());
        assert_eq!(route("DELETE", &token), Ok(Operation::Revoke(id)));
        assert_eq!(route("GET", &token), Ok(Operation::Get(id)));
        assert_eq!(
            route("POST", &format!("{token}/rotate")),
            Ok(Operation::Rotate(id))
        );
        assert_eq!(route("GET", SELF_PATH), Ok(Operation::SelfView));
        assert_eq!(
            route("GET", &format!("{token}/rotate")),
            Err(RouteError::MethodNotAllowed { allow: "POST" })
        );
        assert_eq!(
            route("POST", SELF_PATH),
            Err(RouteError::MethodNotAllowed { allow: "GET" })
        );
        assert_eq!(
            route("POST", &token),
            Err(RouteError::MethodNotAllowed {
                allow: "GET, DELETE"
            })
        );
        for path in [
            "",
            "/",
            "/api/v1/admin/apikey/",
            "/api/v1/admin/apikey/x",
            "/api/v1/admin/apikey/01KBDEVSTD0000000000000001/",
            "/api/v1/admin/apikey/01KBDEVSTD0000000000000001/x",
            "/api/v1/admin/apikey/x/rotate",
            "/api/v1/admin/apikey/01KBDEVSTD000000000000000/rotate",
            "/api/v1/admin/apikey/01KBDEVSTD0000000000000001/rotate/",
            "/api/v1/admin/apikey/self",
            "/api/v1/apikey/self/",
            "/api/v1/apikey",
            "/API/v1/admin/apikey",
        ] {
            assert_eq!(route("DELETE", path), Err(RouteError::NotFound), "{path}");
        }
        assert_eq!(
            served(),
            "/api/v1/admin/apikey (GET, POST), /api/v1/admin/apikey/{TokenId} (GET, DELETE), \
             /api/v1/admin/apikey/{TokenId}/rotate (POST) and /api/v1/apikey/self (GET)"
        );
    }
}
