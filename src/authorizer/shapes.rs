//! Which authorizer event arrived, decided from the raw JSON, then parsed with
//! `aws_lambda_events`' own types (re-exported by `lambda_http`):
//!
//! | shape | `type` | `version` | ARN field | type |
//! | --- | --- | --- | --- | --- |
//! | [`Shape::RestRequest`] | `REQUEST` | absent | `methodArn` | `ApiGatewayCustomAuthorizerRequestTypeRequest` |
//! | [`Shape::RestToken`] | `TOKEN` | absent | `methodArn` | `ApiGatewayCustomAuthorizerRequest` |
//! | [`Shape::HttpApi`] | `REQUEST` | `2.0` | `routeArn` | `ApiGatewayV2CustomAuthorizerV2Request` |
//!
//! Anything else (an HTTP API payload 1.0 authorizer event, a proxy event, a direct invoke,
//! a typed parse that fails) is [`ShapeError`], which the handler answers with the
//! invocation error `UnsupportedEvent`.
//!
//! The credential: for the `REQUEST` shapes, the event layer's singleton rule
//! ([`crate::event::authorizer_input`]: every spelling, `headers` and
//! `multiValueHeaders`, a repeat is a refusal) on the raw JSON; header bytes HTTP forbids
//! are scrubbed ([`crate::event::scrub_headers`]) before the typed parse, as for the
//! function's events. For `TOKEN`, API Gateway hands over one value, `authorizationToken`.

use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerRequest, ApiGatewayCustomAuthorizerRequestTypeRequest,
    ApiGatewayV2CustomAuthorizerV2Request,
};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::http::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::policy::MethodArn;
use crate::event::{authorizer_input, scrub_headers, UNUSABLE_AUTHORIZATION};

/// The authorizer event shapes this handler answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// REST API `REQUEST` authorizer: answered with an IAM policy, deny = `Unauthorized`.
    RestRequest,
    /// REST API `TOKEN` authorizer (optional in the contract): as `REQUEST`.
    RestToken,
    /// HTTP API Lambda authorizer, payload 2.0, simple responses.
    HttpApi,
}

impl Shape {
    /// The log line's `shape` field.
    pub fn name(self) -> &'static str {
        match self {
            Self::RestRequest => "rest_request",
            Self::RestToken => "rest_token",
            Self::HttpApi => "http_api",
        }
    }
}

/// An authorizer event, as much of it as the decision needs.
#[derive(Debug)]
pub struct AuthorizerEvent {
    /// Which shape it is.
    pub shape: Shape,
    /// The `Authorization` field lines the caller sent (see the module docs).
    pub authorization: HeaderMap,
    /// The REST shapes' `methodArn`, parsed (the Allow policy's resource comes from it);
    /// `None` for the HTTP API.
    pub method_arn: Option<MethodArn>,
}

/// Why an event is not one this handler answers. The message names no input value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// Not a JSON object with the `type` / `version` / ARN fields of a supported shape.
    #[error("the event is not an API Gateway Lambda authorizer event this function answers (REST API REQUEST or TOKEN, HTTP API payload 2.0)")]
    Unsupported,
    /// An HTTP API authorizer with payload format 1.0.
    #[error("HTTP API authorizer payload format 1.0 is not supported: configure payload format 2.0 with simple responses")]
    HttpApiPayload1,
    /// The shape's fields are there, but the event does not decode as that shape.
    #[error("the {0} authorizer event could not be decoded")]
    Undecodable(&'static str),
    /// The `methodArn` is not `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/...`.
    #[error("the event's methodArn is not an execute-api method ARN")]
    InvalidMethodArn,
}

impl ShapeError {
    /// The log line's `reason` field.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Unsupported | Self::HttpApiPayload1 | Self::Undecodable(_) => "unsupported_event",
            Self::InvalidMethodArn => "invalid_method_arn",
        }
    }
}

/// Detects the shape of `raw` and parses it.
///
/// # Errors
/// [`ShapeError`] for anything but the three shapes, or a REST `methodArn` that cannot
/// scope a policy.
pub fn parse(raw: &str) -> Result<AuthorizerEvent, ShapeError> {
    let (mut event, lines) = authorizer_input(raw).map_err(|_| ShapeError::Unsupported)?;
    // The fields that tell the shapes apart, any JSON type (a wrong type is "unsupported").
    let field = |name| event.get(name).filter(|v| !v.is_null());
    let text = |name| field(name).and_then(Value::as_str);
    let shape = match (text("type"), text("version"), field("version").is_some()) {
        (Some("REQUEST"), Some("2.0"), _) if text("routeArn").is_some() => Shape::HttpApi,
        (Some("REQUEST"), Some("1.0"), _) => return Err(ShapeError::HttpApiPayload1),
        (Some("REQUEST"), _, false) if text("methodArn").is_some() => Shape::RestRequest,
        (Some("TOKEN"), _, false) if text("methodArn").is_some() => Shape::RestToken,
        _ => return Err(ShapeError::Unsupported),
    };
    scrub_headers(&mut event);
    let undecodable = || ShapeError::Undecodable(shape.name());
    let (authorization, method_arn) = match shape {
        Shape::RestRequest => {
            let typed: ApiGatewayCustomAuthorizerRequestTypeRequest =
                serde_json::from_value(event).map_err(|_| undecodable())?;
            (lines, typed.method_arn)
        }
        Shape::RestToken => {
            let typed: ApiGatewayCustomAuthorizerRequest =
                serde_json::from_value(event).map_err(|_| undecodable())?;
            let mut lines = HeaderMap::new();
            if let Some(token) = typed.authorization_token {
                let value = HeaderValue::from_str(&token)
                    .unwrap_or(HeaderValue::from_static(UNUSABLE_AUTHORIZATION));
                lines.append(AUTHORIZATION, value);
            }
            (lines, typed.method_arn)
        }
        Shape::HttpApi => {
            let _typed: ApiGatewayV2CustomAuthorizerV2Request =
                serde_json::from_value(event).map_err(|_| undecodable())?;
            (lines, None)
        }
    };
    let method_arn = match method_arn {
        Some(arn) => Some(MethodArn::parse(&arn).ok_or(ShapeError::InvalidMethodArn)?),
        None => None,
    };
    Ok(AuthorizerEvent {
        shape,
        authorization,
        method_arn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request";

    fn rest(headers: Value, multi: Value) -> String {
        json!({"type": "REQUEST", "methodArn": ARN, "resource": "/request", "path": "/request",
               "httpMethod": "GET", "headers": headers, "multiValueHeaders": multi,
               "queryStringParameters": {}, "pathParameters": {}, "stageVariables": {},
               "requestContext": {"path": "/request", "accountId": "123456789012",
                   "resourceId": "05c7jb", "stage": "test", "requestId": "r",
                   "identity": {"sourceIp": "192.0.2.1"}, "resourcePath": "/request",
                   "httpMethod": "GET", "apiId": "abcdef123"}})
        .to_string()
    }

    fn http(headers: Value) -> String {
        json!({"version": "2.0", "type": "REQUEST", "routeArn": ARN, "identitySource": ["x"],
               "routeKey": "$default", "rawPath": "/request", "rawQueryString": "",
               "headers": headers,
               "requestContext": {"accountId": "123456789012", "apiId": "abcdef123",
                   "domainName": "abcdef123.execute-api.us-east-1.amazonaws.com",
                   "domainPrefix": "abcdef123", "requestId": "r", "routeKey": "$default",
                   "stage": "$default", "time": "t", "timeEpoch": 0,
                   "http": {"method": "GET", "path": "/request", "protocol": "HTTP/1.1",
                            "sourceIp": "192.0.2.1", "userAgent": "x"}}})
        .to_string()
    }

    fn lines(event: &AuthorizerEvent) -> Vec<&str> {
        event
            .authorization
            .get_all(AUTHORIZATION)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect()
    }

    #[test]
    fn each_shape_is_recognised_with_its_credential() {
        let one = parse(&rest(
            json!({"authorization": "Bearer a"}),
            json!({"Authorization": ["Bearer a"]}),
        ))
        .unwrap();
        assert_eq!(one.shape, Shape::RestRequest);
        assert_eq!(lines(&one), ["Bearer a"]);
        assert_eq!(
            one.method_arn.unwrap().stage_resource(),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*/*"
        );
        let two = parse(&rest(
            json!({}),
            json!({"Authorization": ["Bearer a", "Bearer b"]}),
        ))
        .unwrap();
        assert_eq!(lines(&two).len(), 2);
        let differ = parse(&rest(
            json!({"Authorization": "Bearer a"}),
            json!({"authorization": ["Bearer b"]}),
        ))
        .unwrap();
        assert_eq!(lines(&differ).len(), 2);
        let v2 = parse(&http(json!({"authorization": "Bearer a,Bearer b"}))).unwrap();
        assert_eq!(
            (v2.shape, lines(&v2)),
            (Shape::HttpApi, vec!["Bearer a,Bearer b"])
        );
        assert!(v2.method_arn.is_none());
        let token = json!({"type": "TOKEN", "authorizationToken": "Bearer a", "methodArn": ARN});
        let token = parse(&token.to_string()).unwrap();
        assert_eq!(
            (token.shape, lines(&token)),
            (Shape::RestToken, vec!["Bearer a"])
        );
        // A control character in the header: scrubbed, the credential unusable, still parsed.
        let bad = parse(&rest(
            json!({"Authorization": "Bearer a\r\nX: y"}),
            json!(null),
        ))
        .unwrap();
        assert_eq!(lines(&bad), [UNUSABLE_AUTHORIZATION]);
    }

    #[test]
    fn other_events_are_refused() {
        let proxy = json!({"resource": "/", "path": "/", "httpMethod": "GET", "headers": {},
                           "requestContext": {}});
        for raw in [
            "null".to_owned(),
            "[]".to_owned(),
            "\"REQUEST\"".to_owned(),
            "{}".to_owned(),
            proxy.to_string(),
            json!({"type": "REQUEST"}).to_string(),
            json!({"type": "REQUEST", "methodArn": 7}).to_string(),
            json!({"type": "REQUEST", "version": "2.0", "methodArn": ARN}).to_string(),
            json!({"type": "RESPONSE", "methodArn": ARN}).to_string(),
        ] {
            assert_eq!(parse(&raw).unwrap_err(), ShapeError::Unsupported, "{raw}");
        }
        let v1 = json!({"version": "1.0", "type": "REQUEST", "methodArn": ARN});
        assert_eq!(
            parse(&v1.to_string()).unwrap_err(),
            ShapeError::HttpApiPayload1
        );
        let undecodable = json!({"type": "REQUEST", "methodArn": ARN, "requestContext": 5});
        assert_eq!(
            parse(&undecodable.to_string()).unwrap_err(),
            ShapeError::Undecodable("rest_request")
        );
        for arn in [
            "*",
            "arn:aws:execute-api:us-east-1:123456789012:*",
            "arn:aws:lambda:us-east-1:123456789012:abc/test/GET/",
        ] {
            let raw = json!({"type": "TOKEN", "authorizationToken": "x", "methodArn": arn});
            assert_eq!(
                parse(&raw.to_string()).unwrap_err(),
                ShapeError::InvalidMethodArn,
                "{arn}"
            );
        }
    }
}
