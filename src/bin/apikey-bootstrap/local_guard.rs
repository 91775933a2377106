//! `--import-token` stores a published dev token, which must never exist in AWS: this
//! proves that the endpoint is DynamoDB Local rather than trusting configuration, and
//! talks to it with fixed local credentials, never the operator's.

use aws_credential_types::Credentials;
use aws_sdk_dynamodb::Client;
use create_api_token::store::dynamodb::{
    client_from_env, with_endpoint, DynamoDbStore, OperatorError, Timeouts,
};

use crate::error::BootstrapError;

/// The region and account DynamoDB Local puts in every table ARN (DynamoDB Local 3.x
/// answers `DescribeTable` with `arn:aws:dynamodb:ddblocal:000000000000:table/<name>`); no
/// AWS region is called `ddblocal`.
const DYNAMODB_LOCAL_REGION: &str = "ddblocal";
const DYNAMODB_LOCAL_ACCOUNT: &str = "000000000000";

/// The access key id the import signs with: the one the repository's scripts and tests give
/// DynamoDB Local (`AWS_ACCESS_KEY_ID=local`), which keeps one database per access key id and
/// region unless started with `-sharedDb`.
pub(crate) const LOCAL_ACCESS_KEY_ID: &str = "local";
const LOCAL_SECRET_ACCESS_KEY: &str = "local";

/// `configured` (its region, timeouts and retries) talking to `url` with the fixed local
/// credentials [`LOCAL_ACCESS_KEY_ID`], no session token: the operator's credentials (the
/// default chain: environment, profile, SSO, instance role) are never resolved, so neither
/// an access key id nor a session token reaches whatever listens on a loopback port.
fn dynamodb_local_client(configured: &Client, url: &str) -> Client {
    let local = Credentials::new(
        LOCAL_ACCESS_KEY_ID,
        LOCAL_SECRET_ACCESS_KEY,
        None,
        None,
        "apikey-bootstrap-dynamodb-local",
    );
    let endpoint = with_endpoint(configured, url);
    Client::from_conf(
        endpoint
            .config()
            .to_builder()
            .credentials_provider(local)
            .build(),
    )
}

/// `true` if `arn` is the ARN DynamoDB Local gives the table `table_name`.
fn is_dynamodb_local_table_arn(arn: &str, table_name: &str) -> bool {
    arn == format!(
        "arn:aws:dynamodb:{DYNAMODB_LOCAL_REGION}:{DYNAMODB_LOCAL_ACCOUNT}:table/{table_name}"
    )
}

/// The `http`/`https` URL `endpoint` if its host is `localhost` or a loopback address.
fn loopback_url(endpoint: &str) -> Option<url::Url> {
    let url = url::Url::parse(endpoint.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let loopback = match url.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    loopback.then_some(url)
}

/// A store proven to talk to DynamoDB Local, for `--import-token`: a published
/// token must never exist in AWS.
///
/// 1. The endpoint is read once from `AWS_ENDPOINT_URL_DYNAMODB` and must be a loopback URL;
///    `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` in the environment is refused outright.
/// 2. The client is built with that URL set explicitly on the DynamoDB client
///    configuration, which no environment variable or shared-config setting (a profile's
///    `ignore_configured_endpoint_urls` or `endpoint_url`) can redirect (AWS SDKs and Tools
///    reference guide, "Service-specific endpoints": configured endpoints apply only where
///    code sets none).
///    It signs with fixed local credentials ([`dynamodb_local_client`]), never the
///    operator's.
/// 3. `DescribeTable` through that client must return the ARN DynamoDB Local gives the
///    table (region `ddblocal`, account `000000000000`): a loopback port-forward to a real
///    table, or anything else listening there, is refused.
///
/// The import is then written through this same store.
pub(crate) async fn dynamodb_local_store(
    table_name: &str,
) -> Result<DynamoDbStore, BootstrapError> {
    let refused = |why: String| BootstrapError::NotDynamoDbLocal(why);
    if std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| !v.trim().is_empty() && !v.trim().eq_ignore_ascii_case("false"))
    {
        return Err(refused(
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set, so there is no DynamoDB Local endpoint"
                .to_owned(),
        ));
    }
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_default();
    let url = loopback_url(&endpoint).ok_or_else(|| {
        refused(
            "AWS_ENDPOINT_URL_DYNAMODB must be the loopback URL of DynamoDB Local \
             (e.g. http://127.0.0.1:8000)"
                .to_owned(),
        )
    })?;
    let configured = client_from_env(Timeouts::default()).await;
    let store = DynamoDbStore::new(dynamodb_local_client(&configured, url.as_str()), table_name);
    let arn = store.table_arn().await.map_err(|e| match e {
        OperatorError::NoTable => BootstrapError::NoTable(table_name.to_owned()),
        OperatorError::Store(e) => refused(format!(
            "DescribeTable at {url} failed ({e}), so it is not proven to be DynamoDB Local"
        )),
    })?;
    if !is_dynamodb_local_table_arn(&arn, table_name) {
        return Err(refused(format!(
            "{url} answers with table ARN '{arn}', not DynamoDB Local's \
             (region {DYNAMODB_LOCAL_REGION}, account {DYNAMODB_LOCAL_ACCOUNT})"
        )));
    }
    eprintln!("DynamoDB Local verified at {url} ({arn})");
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_arn_dynamodb_local_gives_the_table_is_accepted() {
        let table = "api-tokens-local";
        assert!(is_dynamodb_local_table_arn(
            "arn:aws:dynamodb:ddblocal:000000000000:table/api-tokens-local",
            table
        ));
        for arn in [
            "arn:aws:dynamodb:us-east-1:123456789012:table/api-tokens-local",
            "arn:aws:dynamodb:ddblocal:123456789012:table/api-tokens-local",
            "arn:aws:dynamodb:us-east-1:000000000000:table/api-tokens-local",
            "arn:aws:dynamodb:ddblocal:000000000000:table/other",
            "arn:aws:dynamodb:ddblocal:000000000000:table/api-tokens-local/index/TenantTokens",
            "",
        ] {
            assert!(!is_dynamodb_local_table_arn(arn, table), "{arn}");
        }
    }

    #[test]
    fn only_loopback_urls_are_candidates() {
        for ok in [
            "http://127.0.0.1:8000",
            "http://localhost:8000/",
            "http://LOCALHOST:8000",
            "http://[::1]:8000",
            " http://127.0.0.2:8000 ",
        ] {
            assert!(loopback_url(ok).is_some(), "{ok}");
        }
        for refused in [
            "",
            "https://dynamodb.us-east-1.amazonaws.com",
            "http://localhost:8000@dynamodb.example.com/",
            "http://localhost.example.com:8000",
            "http://10.0.0.1:8000",
            "file:///tmp/x",
            "127.0.0.1:8000",
        ] {
            assert!(loopback_url(refused).is_none(), "{refused}");
        }
    }
}
