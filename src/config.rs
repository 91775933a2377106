//! Process configuration, read once from the environment at cold start.

use std::env;

use crate::lifetime::{self, Seconds};

/// Default for [`Config::data_center`] when `DATA_CENTER` is unset.
pub const DEFAULT_DATA_CENTER: &str = "us-1";

/// Configuration read from the environment (see the README's configuration table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table holding token items. Required.
    pub table_name: String,
    /// `DATA_CENTER`: suffix of issued tokens (`<body>-<DATA_CENTER>`) and the only
    /// suffix accepted on presented tokens. Default [`DEFAULT_DATA_CENTER`].
    pub data_center: String,
    /// `LOCAL_DYNAMODB_ENDPOINT_URL`: the DynamoDB endpoint to use instead of the Region's,
    /// e.g. `http://host.docker.internal:8000` for DynamoDB Local under `sam local`. Unset
    /// or empty: `None`, the SDK's standard resolution (including `AWS_ENDPOINT_URL_DYNAMODB`).
    /// Accepted only for DynamoDB Local on this machine (see [`is_local_endpoint`]), so a
    /// mistaken or planted value can never send the function's signed requests elsewhere.
    ///
    /// Why not only `AWS_ENDPOINT_URL_DYNAMODB`: SAM's `--env-vars` overrides only the
    /// variables `template.yaml` declares, and that one cannot be declared with an empty
    /// value, because the SDK panics on an empty endpoint URL (`aws-smithy-types`
    /// `Endpoint::builder().build()`); this variable is declared empty and ignored when empty.
    pub local_dynamodb_endpoint_url: Option<String>,
    /// `MAX_TOKEN_LIFETIME`: the longest lifetime a token may get, in seconds (60 to
    /// 31,622,400); a create without `expires_in` gets it. Unset or empty: `None`, no
    /// maximum (docs/api.md, "Creating").
    pub max_token_lifetime: Option<Seconds>,
}

/// Why the configuration could not be read. The message names the variable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// `TABLE_NAME` is unset or empty.
    #[error("TABLE_NAME is not set: set it to the name of the DynamoDB token table")]
    MissingTableName,
    /// `DATA_CENTER` is set but is not 1 to 32 characters of `[a-z0-9-]`.
    #[error("DATA_CENTER must be 1 to 32 characters of a-z, 0-9 and '-' (e.g. us-1)")]
    InvalidDataCenter,
    /// `LOCAL_DYNAMODB_ENDPOINT_URL` is set to something other than a local endpoint (the
    /// value is not repeated: it could hold credentials).
    #[error(
        "LOCAL_DYNAMODB_ENDPOINT_URL must be an http(s) URL of DynamoDB Local on this machine: \
         host localhost, 127.0.0.0/8, [::1] or host.docker.internal, no user name or password \
         (e.g. http://127.0.0.1:8000); leave it empty or unset in AWS"
    )]
    NonLocalDynamoDbEndpoint,
    /// `MAX_TOKEN_LIFETIME` is set to something other than empty or 60 to 31,622,400.
    #[error(transparent)]
    InvalidMaxTokenLifetime(#[from] lifetime::MaxLifetimeError),
}

impl Config {
    /// Reads `TABLE_NAME` (required), `DATA_CENTER` (default `us-1`),
    /// `LOCAL_DYNAMODB_ENDPOINT_URL` and `MAX_TOKEN_LIFETIME` (optional) from the process
    /// environment.
    ///
    /// # Errors
    /// [`ConfigError`] naming the variable that is missing or malformed.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Like [`Config::from_env`], reading variables through `lookup` (for tests).
    ///
    /// # Errors
    /// [`ConfigError`] naming the variable that is missing or malformed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table_name = lookup("TABLE_NAME")
            .filter(|v| !v.trim().is_empty())
            .ok_or(ConfigError::MissingTableName)?;
        let data_center = match lookup("DATA_CENTER") {
            None => DEFAULT_DATA_CENTER.to_owned(),
            Some(v) if v.is_empty() => DEFAULT_DATA_CENTER.to_owned(),
            Some(v) if is_valid_data_center(&v) => v,
            Some(_) => return Err(ConfigError::InvalidDataCenter),
        };
        let local_dynamodb_endpoint_url = lookup("LOCAL_DYNAMODB_ENDPOINT_URL")
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        if let Some(url) = &local_dynamodb_endpoint_url {
            if !is_local_endpoint(url) {
                return Err(ConfigError::NonLocalDynamoDbEndpoint);
            }
        }
        let max_token_lifetime =
            lifetime::max_token_lifetime(lookup(lifetime::MAX_TOKEN_LIFETIME_VAR).as_deref())?;
        Ok(Self {
            table_name,
            data_center,
            local_dynamodb_endpoint_url,
            max_token_lifetime,
        })
    }
}

/// Whether `url` names DynamoDB Local on this machine: scheme `http` or `https`, no user
/// name or password, and host `localhost`, an IPv4 address in 127.0.0.0/8, `[::1]` or
/// `host.docker.internal` (what `sam local` gives a container for its host). The host must
/// be written in that canonical form: spellings that some parsers read as loopback and others
/// as a name (`2130706433`, `0x7f.1`, `[0:0:0:0:0:0:0:1]`) are refused.
pub fn is_local_endpoint(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https")
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return false;
    }
    let local = match parsed.host() {
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || name.eq_ignore_ascii_case("host.docker.internal")
        }
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    };
    // The host as written, between "://" and the port, path or end.
    let written = url
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let canonical = parsed.host_str().unwrap_or_default();
    local
        && written.len() >= canonical.len()
        && written[..canonical.len()].eq_ignore_ascii_case(canonical)
        && matches!(
            written[canonical.len()..].chars().next(),
            None | Some(':' | '/' | '?' | '#')
        )
}

fn is_valid_data_center(v: &str) -> bool {
    (1..=32).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn table_name_is_required_and_the_error_names_it() {
        let err = Config::from_lookup(lookup(&[])).unwrap_err();
        assert!(err.to_string().contains("TABLE_NAME"));
        assert_eq!(
            Config::from_lookup(lookup(&[("TABLE_NAME", " ")])),
            Err(ConfigError::MissingTableName)
        );
    }

    #[test]
    fn max_token_lifetime_is_optional_and_a_bad_value_names_it() {
        let get = |value: Option<&str>| {
            let mut vars = vec![("TABLE_NAME", "t")];
            vars.extend(value.map(|v| ("MAX_TOKEN_LIFETIME", v)));
            Config::from_lookup(lookup(&vars)).map(|c| c.max_token_lifetime.map(Seconds::get))
        };
        assert_eq!(get(None), Ok(None));
        assert_eq!(get(Some("")), Ok(None));
        assert_eq!(get(Some("60")), Ok(Some(60)));
        assert_eq!(get(Some("0031622400")), Ok(Some(31_622_400)));
        for bad in ["59", "31622401", " 60", "+60", "6e1", "30d", "٦٠"] {
            let err = get(Some(bad)).unwrap_err();
            assert!(
                err.to_string().contains("MAX_TOKEN_LIFETIME"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn data_center_defaults_to_us_1() {
        let c = Config::from_lookup(lookup(&[("TABLE_NAME", "t")])).unwrap();
        assert_eq!(c.data_center, "us-1");
        assert_eq!(c.table_name, "t");
    }

    #[test]
    fn data_center_is_validated() {
        let c = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("DATA_CENTER", "eu-2")]));
        assert_eq!(c.unwrap().data_center, "eu-2");
        let e = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("DATA_CENTER", "EU 2")]));
        assert!(e.unwrap_err().to_string().contains("DATA_CENTER"));
    }

    #[test]
    fn local_dynamodb_endpoint_url_is_optional_and_empty_means_unset() {
        let get = |vars: &[(&str, &str)]| {
            Config::from_lookup(lookup(vars))
                .unwrap()
                .local_dynamodb_endpoint_url
        };
        assert_eq!(get(&[("TABLE_NAME", "t")]), None);
        // What template.yaml declares, so that `sam local --env-vars` can override it.
        assert_eq!(
            get(&[("TABLE_NAME", "t"), ("LOCAL_DYNAMODB_ENDPOINT_URL", "")]),
            None
        );
        assert_eq!(
            get(&[
                ("TABLE_NAME", "t"),
                (
                    "LOCAL_DYNAMODB_ENDPOINT_URL",
                    "http://host.docker.internal:8000"
                )
            ]),
            Some("http://host.docker.internal:8000".to_owned())
        );
    }

    #[test]
    fn local_dynamodb_endpoint_url_is_accepted_for_local_hosts_only() {
        for local in [
            "http://127.0.0.1:8000",
            "http://127.0.0.1:8000/",
            "https://127.0.0.1",
            "http://127.255.0.9:8000",
            "http://localhost:8000",
            "http://LOCALHOST:8000",
            "http://[::1]:8000",
            "http://host.docker.internal:8000",
            "  http://localhost:8000  ",
        ] {
            let vars = [("TABLE_NAME", "t"), ("LOCAL_DYNAMODB_ENDPOINT_URL", local)];
            let config = Config::from_lookup(lookup(&vars));
            assert_eq!(
                config.map(|c| c.local_dynamodb_endpoint_url),
                Ok(Some(local.trim().to_owned())),
                "{local}"
            );
        }
        for remote in [
            "https://dynamodb.us-east-1.amazonaws.com",
            "http://10.0.0.5:8000",
            "http://169.254.169.254",
            "http://128.0.0.1:8000",
            "http://localhost.evil.example:8000",
            "http://127.0.0.1.nip.io:8000",
            "http://evil.example/127.0.0.1",
            "http://user:secret@127.0.0.1:8000",
            "http://evil.example@127.0.0.1:8000",
            "http://127.0.0.1@evil.example:8000",
            "http://host.docker.internal.evil.example",
            "http://[::2]:8000",
            "http://[::ffff:127.0.0.1]:8000",
            "http://[0:0:0:0:0:0:0:1]:8000",
            "http://2130706433:8000",
            "http://0x7f.1:8000",
            "http://127.1:8000",
            "ftp://127.0.0.1",
            "file:///tmp/db",
            "127.0.0.1:8000",
            "localhost:8000",
            "not a url",
        ] {
            let vars = [("TABLE_NAME", "t"), ("LOCAL_DYNAMODB_ENDPOINT_URL", remote)];
            let error = Config::from_lookup(lookup(&vars)).unwrap_err();
            assert_eq!(error, ConfigError::NonLocalDynamoDbEndpoint, "{remote}");
            let message = error.to_string();
            assert!(message.contains("LOCAL_DYNAMODB_ENDPOINT_URL"), "{message}");
            assert!(!message.contains("secret"), "{message}");
        }
    }
}
