//! Why a command failed, and the exit status that says so (0 done, 1 the operation failed,
//! 2 usage or refused, nothing written).

use create_api_token::config::ConfigError;
use create_api_token::dates::FormatError;
use create_api_token::description::DescriptionError;
use create_api_token::store::StoreError;

/// Why a command failed. Messages never contain a token, a digest or an argument value.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BootstrapError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("--description: {0}")]
    Description(#[from] DescriptionError),
    /// A malformed argument or standard input.
    #[error("{0}")]
    Usage(String),
    /// `--import-token` without proof that the endpoint is DynamoDB Local.
    #[error("--import-token refused, nothing written: {0}")]
    NotDynamoDbLocal(String),
    #[error("table {0} does not exist: run `apikey-bootstrap create-table` first")]
    NoTable(String),
    /// No item matches (an unknown token, or a `TokenId` that is not the tenant's).
    #[error("{0}; nothing was changed")]
    NotFound(String),
    #[error("token collision; nothing written, run again")]
    Collision,
    #[error("{action}: {source}")]
    Store {
        action: &'static str,
        source: StoreError,
    },
    #[error("could not read standard input: {0}")]
    Stdin(std::io::Error),
    #[error("{0}")]
    Internal(String),
}

impl From<FormatError> for BootstrapError {
    fn from(error: FormatError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl BootstrapError {
    /// 2 for usage (nothing was attempted), 1 for a failed operation.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::Description(_) | Self::Usage(_) | Self::NotDynamoDbLocal(_) => {
                2
            }
            Self::NoTable(_)
            | Self::NotFound(_)
            | Self::Collision
            | Self::Store { .. }
            | Self::Stdin(_)
            | Self::Internal(_) => 1,
        }
    }
}

pub(crate) fn store_error(action: &'static str) -> impl FnOnce(StoreError) -> BootstrapError {
    move |source| BootstrapError::Store { action, source }
}
