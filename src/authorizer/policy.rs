//! What the authorizer answers: the REST API's IAM policy (Allow), the HTTP API's simple
//! response (Allow and Deny), and the context both carry.
//!
//! The Allow policy's resource is `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/*/*`,
//! the parts taken from the event's `methodArn`: a cached answer (when the API's result TTL
//! is above 0) serves the same caller on the other routes of that API and stage, never on
//! another stage or API, and never `*`. Written with our own `serde` types rather than
//! `aws_lambda_events`' response types, so the JSON is exactly the contract's (those add
//! `"usageIdentifierKey": null`).

use serde::Serialize;

use crate::store::CallerRecord;

/// The `execute-api:Invoke` action the policy allows.
pub const INVOKE: &str = "execute-api:Invoke";

/// A REST API method ARN, `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<method>/<path>`,
/// reduced to the parts that scope the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodArn {
    partition: String,
    region: String,
    account: String,
    api_id: String,
    stage: String,
}

impl MethodArn {
    /// Parses a method ARN; `None` unless every part has its documented shape: partition
    /// and region of `[a-z0-9-]`, a 12-digit account, an API id of ASCII letters and
    /// digits, a stage of letters, digits, `-`, `_` (or HTTP API's `$default`), and a
    /// method part after it. No part may be empty or hold a wildcard.
    pub fn parse(arn: &str) -> Option<Self> {
        let mut fields = arn.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some("execute-api"),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        )
        else {
            return None;
        };
        let mut path = resource.splitn(3, '/');
        let (Some(api_id), Some(stage), Some(method)) = (path.next(), path.next(), path.next())
        else {
            return None;
        };
        let lower = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        let stage_ok = stage == "$default"
            || (!stage.is_empty()
                && stage
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let ok = lower(partition)
            && lower(region)
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && !api_id.is_empty()
            && api_id.bytes().all(|b| b.is_ascii_alphanumeric())
            && stage_ok
            && !method.is_empty();
        ok.then(|| Self {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            api_id: api_id.to_owned(),
            stage: stage.to_owned(),
        })
    }

    /// Every method and path of this API's stage: the Allow policy's resource.
    pub fn stage_resource(&self) -> String {
        format!(
            "arn:{}:execute-api:{}:{}:{}/{}/*/*",
            self.partition, self.region, self.account, self.api_id, self.stage
        )
    }
}

/// The context handed to the route (REST: `$context.authorizer.<key>` / the proxy event's
/// `requestContext.authorizer`; HTTP API: `requestContext.authorizer.lambda`). No value is
/// null (REST context values must be strings, numbers or booleans), none is a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthContext {
    /// `TenantId`, a JSON number.
    pub tenant_id: i64,
    /// `Role` as stored; `""` for an item without a string `Role`.
    pub role: String,
    /// `TokenId`; `""` for a token made before TokenIds existed.
    pub token_id: String,
}

impl AuthContext {
    /// The context of a verified token's item.
    pub fn of(verified: &CallerRecord) -> Self {
        Self {
            tenant_id: verified.tenant_id,
            role: verified.role.clone().unwrap_or_default(),
            token_id: verified
                .token_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
        }
    }
}

/// The REST `principalId`: the `TokenId`, or `tenant-<TenantId>` for a token without one.
/// Never the token or a digest.
pub fn principal_id(verified: &CallerRecord) -> String {
    match verified.token_id {
        Some(id) => id.to_string(),
        None => format!("tenant-{}", verified.tenant_id),
    }
}

/// The REST Allow answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestAllow {
    principal_id: String,
    policy_document: PolicyDocument,
    context: AuthContext,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyDocument {
    version: &'static str,
    statement: [Statement; 1],
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Statement {
    action: &'static str,
    effect: &'static str,
    resource: String,
}

impl RestAllow {
    /// Allows `verified` on every route of `arn`'s API and stage.
    pub fn new(verified: &CallerRecord, arn: &MethodArn) -> Self {
        Self {
            principal_id: principal_id(verified),
            policy_document: PolicyDocument {
                version: "2012-10-17",
                statement: [Statement {
                    action: INVOKE,
                    effect: "Allow",
                    resource: arn.stage_resource(),
                }],
            },
            context: AuthContext::of(verified),
        }
    }
}

/// The HTTP API simple response: `{"isAuthorized": true, "context": {...}}` or
/// `{"isAuthorized": false}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleResponse {
    is_authorized: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<AuthContext>,
}

impl SimpleResponse {
    /// Allow, with `verified`'s context.
    pub fn allow(verified: &CallerRecord) -> Self {
        Self {
            is_authorized: true,
            context: Some(AuthContext::of(verified)),
        }
    }

    /// Deny (API Gateway answers 403).
    pub fn deny() -> Self {
        Self {
            is_authorized: false,
            context: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token_id::TokenId;
    use serde_json::json;

    fn verified(token_id: Option<&str>, role: Option<&str>) -> CallerRecord {
        CallerRecord {
            tenant_id: 42,
            role: role.map(str::to_owned),
            revoked: false,
            token_id: token_id.and_then(TokenId::parse),
            ..CallerRecord::default()
        }
    }

    #[test]
    fn the_rest_allow_is_the_contracts_json() {
        let arn = MethodArn::parse(
            "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/Prod/GET/api/v1/apikey/self",
        )
        .unwrap();
        let v = verified(Some("01KBDEVSTD0000000000000001"), Some("Standard"));
        assert_eq!(
            serde_json::to_value(RestAllow::new(&v, &arn)).unwrap(),
            json!({"principalId": "01KBDEVSTD0000000000000001",
                   "policyDocument": {"Version": "2012-10-17", "Statement": [{
                       "Action": "execute-api:Invoke", "Effect": "Allow",
                       "Resource": "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/Prod/*/*"}]},
                   "context": {"tenantId": 42, "role": "Standard", "tokenId": "01KBDEVSTD0000000000000001"}})
        );
        let old = verified(None, None);
        let allow = serde_json::to_value(RestAllow::new(&old, &arn)).unwrap();
        assert_eq!(allow["principalId"], "tenant-42");
        assert_eq!(
            allow["context"],
            json!({"tenantId": 42, "role": "", "tokenId": ""})
        );
    }

    #[test]
    fn simple_responses() {
        let v = verified(None, Some("Administrator"));
        assert_eq!(
            serde_json::to_string(&SimpleResponse::allow(&v)).unwrap(),
            r#"{"isAuthorized":true,"context":{"tenantId":42,"role":"Administrator","tokenId":""}}"#
        );
        assert_eq!(
            serde_json::to_string(&SimpleResponse::deny()).unwrap(),
            r#"{"isAuthorized":false}"#
        );
    }

    #[test]
    fn method_arns() {
        let ok = [
            (
                "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request",
                "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*/*",
            ),
            (
                "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/Prod/POST/",
                "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/Prod/*/*",
            ),
            (
                "arn:aws:execute-api:us-east-1:123456789012:abc/$default/GET/x",
                "arn:aws:execute-api:us-east-1:123456789012:abc/$default/*/*",
            ),
        ];
        for (arn, resource) in ok {
            assert_eq!(
                MethodArn::parse(arn).unwrap().stage_resource(),
                resource,
                "{arn}"
            );
        }
        for arn in [
            "",
            "*",
            "arn:aws:execute-api:us-east-1:123456789012:*",
            "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/x",
            "arn:aws:execute-api:us-east-1:123456789012:abc/Prod",
            "arn:aws:execute-api:us-east-1:123456789012:abc/Prod/",
            "arn:aws:execute-api:us-east-1:1234:abc/Prod/GET/x",
            "arn:aws:execute-api::123456789012:abc/Prod/GET/x",
            "arn:aws:execute-api:us-east-1:123456789012:/Prod/GET/x",
            "arn:aws:execute-api:us-east-1:123456789012:a*c/Prod/GET/x",
            "arn:aws:lambda:us-east-1:123456789012:abc/Prod/GET/x",
        ] {
            assert_eq!(MethodArn::parse(arn), None, "{arn}");
        }
    }
}
