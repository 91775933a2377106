//! SDK error -> [`StoreError`]: which failures are transient (503) and which are not
//! (500), with a cause an operator can act on and nothing of the request.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use crate::store::StoreError;

/// Error codes DynamoDB returns when a request exceeds a throughput or rate limit
/// (DynamoDB developer guide, "Error handling with DynamoDB"). After the SDK's retries
/// they mean "try again later": 503, cause class `throttled`.
const THROTTLING_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
];

/// Error codes of DynamoDB's own transient faults (same guide), also 503, cause class
/// `service_unavailable`, like any HTTP 5xx whatever its code.
const TRANSIENT_CODES: &[&str] = &[
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// Maps an SDK error to [`StoreError`], with a cause an operator can act on: a class, then
/// the error kind or code, never the SDK's message (which may quote request data) nor any
/// credential. [`StoreError::Unavailable`] (503):
///
/// - `no_aws_credentials: <kind>`: the credential provider chain found no credentials or
///   failed (`not_loaded`, `provider_timed_out`, `invalid_configuration`,
///   `provider_error`, `unhandled`);
/// - `endpoint_unreachable: io`: no connection (refused, DNS, TLS);
/// - `timed_out: connect` / `timed_out: operation`: the client's connect or
///   attempt/operation time limit ([`super::Timeouts`]);
/// - `dispatch_failure: user` / `dispatch_failure: other`: the request could not be sent
///   for another reason;
/// - `throttled: <code> (HTTP <status>)`: a throughput or rate limit, after retries;
/// - `service_unavailable: <code> (HTTP <status>)`: DynamoDB's own transient fault or any
///   HTTP 5xx;
/// - `unparseable_response`.
///
/// [`StoreError::Internal`] (500): `service_error: <code> (HTTP <status>)` for anything
/// else DynamoDB refused (e.g. `ResourceNotFoundException` for a missing table),
/// `request_construction_failure`, `unknown_sdk_error`.
pub fn classify<E>(error: &SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::TimeoutError(_) => StoreError::Unavailable("timed_out: operation".to_owned()),
        SdkError::DispatchFailure(f) => {
            if let Some(kind) = f.as_connector_error().and_then(credentials_error_kind) {
                return StoreError::Unavailable(format!("no_aws_credentials: {kind}"));
            }
            StoreError::Unavailable(
                if f.is_timeout() {
                    "timed_out: connect"
                } else if f.is_io() {
                    "endpoint_unreachable: io"
                } else if f.is_user() {
                    "dispatch_failure: user"
                } else {
                    "dispatch_failure: other"
                }
                .to_owned(),
            )
        }
        SdkError::ResponseError(_) => StoreError::Unavailable("unparseable_response".to_owned()),
        SdkError::ServiceError(e) => {
            let code = e.err().code().unwrap_or("unknown");
            let status = e.raw().status().as_u16();
            if THROTTLING_CODES.contains(&code) {
                StoreError::Unavailable(format!("throttled: {code} (HTTP {status})"))
            } else if TRANSIENT_CODES.contains(&code) || status >= 500 {
                StoreError::Unavailable(format!("service_unavailable: {code} (HTTP {status})"))
            } else {
                StoreError::Internal(format!("service_error: {code} (HTTP {status})"))
            }
        }
        SdkError::ConstructionFailure(_) => {
            StoreError::Internal("request_construction_failure".to_owned())
        }
        _ => StoreError::Internal("unknown_sdk_error".to_owned()),
    }
}

/// The kind of the credential provider error somewhere in `error`'s source chain: how the
/// SDK reports that it could not resolve credentials before sending anything.
fn credentials_error_kind(error: &aws_sdk_dynamodb::error::ConnectorError) -> Option<&'static str> {
    use aws_credential_types::provider::error::CredentialsError;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return Some(match c {
                CredentialsError::CredentialsNotLoaded(_) => "not_loaded",
                CredentialsError::ProviderTimedOut(_) => "provider_timed_out",
                CredentialsError::InvalidConfiguration(_) => "invalid_configuration",
                CredentialsError::ProviderError(_) => "provider_error",
                CredentialsError::Unhandled(_) => "unhandled",
                _ => "other",
            });
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::error::CredentialsError;
    use aws_sdk_dynamodb::error::ErrorMetadata;
    use aws_sdk_dynamodb::operation::get_item::GetItemError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::body::SdkBody;

    type GetItemSdkError = SdkError<GetItemError, HttpResponse>;

    fn service(code: &str, status: u16) -> GetItemSdkError {
        let err = GetItemError::generic(
            ErrorMetadata::builder()
                .code(code)
                .message("secret-looking message TokenHash=abc123")
                .build(),
        );
        let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        SdkError::service_error(err, raw)
    }

    fn unavailable(e: &GetItemSdkError) -> String {
        match classify(e) {
            StoreError::Unavailable(cause) => cause,
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }

    #[test]
    fn each_503_cause_names_its_class_and_nothing_else() {
        let no_creds = SdkError::dispatch_failure(ConnectorError::other(
            Box::new(CredentialsError::not_loaded(
                "no providers in chain provided credentials",
            )),
            None,
        ));
        assert_eq!(unavailable(&no_creds), "no_aws_credentials: not_loaded");
        let provider_failed = SdkError::dispatch_failure(ConnectorError::other(
            Box::new(CredentialsError::provider_error("AKIASECRET rejected")),
            None,
        ));
        assert_eq!(
            unavailable(&provider_failed),
            "no_aws_credentials: provider_error"
        );
        let refused =
            SdkError::dispatch_failure(ConnectorError::io("connection refused 10.0.0.1".into()));
        assert_eq!(unavailable(&refused), "endpoint_unreachable: io");
        let connect = SdkError::dispatch_failure(ConnectorError::timeout("connect".into()));
        assert_eq!(unavailable(&connect), "timed_out: connect");
        let other = SdkError::dispatch_failure(ConnectorError::other("boom".into(), None));
        assert_eq!(unavailable(&other), "dispatch_failure: other");
        let operation: GetItemSdkError = SdkError::timeout_error("operation timeout");
        assert_eq!(unavailable(&operation), "timed_out: operation");
        for code in [
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
        ] {
            assert_eq!(
                unavailable(&service(code, 400)),
                format!("throttled: {code} (HTTP 400)")
            );
        }
        assert_eq!(
            unavailable(&service("InternalServerError", 500)),
            "service_unavailable: InternalServerError (HTTP 500)"
        );
        assert_eq!(
            unavailable(&service("Whatever", 502)),
            "service_unavailable: Whatever (HTTP 502)"
        );
    }

    #[test]
    fn other_refusals_are_500_with_their_code_and_no_message() {
        match classify(&service("ResourceNotFoundException", 400)) {
            StoreError::Internal(cause) => {
                assert_eq!(cause, "service_error: ResourceNotFoundException (HTTP 400)")
            }
            other => panic!("{other:?}"),
        }
        match classify(&service("ValidationException", 400)) {
            StoreError::Internal(cause) => assert!(!cause.contains("abc123"), "{cause}"),
            other => panic!("{other:?}"),
        }
    }
}
