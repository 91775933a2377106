//! Process configuration, read once from the environment at cold start.

use std::env;

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
    ///
    /// Why not only `AWS_ENDPOINT_URL_DYNAMODB`: SAM's `--env-vars` overrides only the
    /// variables `template.yaml` declares, and that one cannot be declared with an empty
    /// value, because the SDK panics on an empty endpoint URL (`aws-smithy-types`
    /// `Endpoint::builder().build()`); this variable is declared empty and ignored when empty.
    pub local_dynamodb_endpoint_url: Option<String>,
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
}

impl Config {
    /// Reads `TABLE_NAME` (required), `DATA_CENTER` (default `us-1`) and
    /// `LOCAL_DYNAMODB_ENDPOINT_URL` (optional) from the process environment.
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
        Ok(Self {
            table_name,
            data_center,
            local_dynamodb_endpoint_url,
        })
    }
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
}
