//! The command line: its definitions (clap derive, one type per command), and the one way
//! its errors are shown, which never repeats what the user typed (a token pasted in the
//! wrong place must not reach a terminal log).

use std::fmt;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgGroup, Args, CommandFactory, Parser, Subcommand, ValueEnum};

use create_api_token::dates;
use create_api_token::store::{ADMINISTRATOR, STANDARD};
use create_api_token::token_id::TokenId;

const ENVIRONMENT_HELP: &str = "\
Environment: TABLE_NAME (required), DATA_CENTER (default us-1), AWS_REGION, credentials,
AWS_ENDPOINT_URL_DYNAMODB (e.g. http://127.0.0.1:8000 for DynamoDB Local).

Exit status: 0 done, 1 the operation failed, 2 usage error or refused (nothing written).";

/// The command line. `Debug` never shows a token: the one token-bearing argument is a
/// [`SecretArg`].
#[derive(Debug, Parser)]
#[command(
    name = "apikey-bootstrap",
    about = "Creates the API token table, mints, lists and revokes tokens of a tenant.",
    after_help = ENVIRONMENT_HELP
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Creates the token table with its TenantTokens index; does nothing if it exists.
    CreateTable,
    /// Mints a token for a tenant and prints it once on stdout.
    Mint(MintArgs),
    /// Prints every item of a tenant as JSON lines (items without TokenId included).
    List(ListArgs),
    /// Revokes one token, by TokenId within a tenant or by the token read from stdin.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct MintArgs {
    /// The tenant the token acts for.
    #[arg(long, value_name = "N")]
    pub(crate) tenant: i64,
    /// Identifies the token in lists (at most 255 characters, no control characters).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) description: String,
    /// The token's role.
    #[arg(long, value_enum, default_value_t = Role::Administrator)]
    pub(crate) role: Role,
    /// DynamoDB Local only: store this published dev token instead of a new random one.
    #[arg(long, value_name = "TOKEN")]
    pub(crate) import_token: Option<SecretArg>,
    /// With --import-token: the item's TokenId (default: a new one).
    #[arg(long, value_name = "ULID", requires = "import_token", value_parser = parse_token_id)]
    pub(crate) token_id: Option<TokenId>,
    /// The token stops working this many seconds after now (60 to 31622400, as the API's
    /// expires_in). Default: never, or MAX_TOKEN_LIFETIME when that is set.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) expires_in: Option<String>,
    /// With --import-token (DynamoDB Local only): the item's DateExpires as given, in the
    /// past included (a dev fixture of an expired token).
    #[arg(
        long,
        value_name = "YYYY-MM-DDTHH:MM:SS",
        requires = "import_token",
        conflicts_with = "expires_in",
        value_parser = parse_date
    )]
    pub(crate) expires_at: Option<String>,
    /// With --import-token (DynamoDB Local only): the item's RotatedToId, as a rotation to
    /// that TokenId leaves it (a dev fixture of a token already rotated).
    #[arg(
        long,
        value_name = "ULID",
        requires = "import_token",
        value_parser = parse_token_id
    )]
    pub(crate) rotated_to: Option<TokenId>,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// The tenant whose items are listed.
    #[arg(long, value_name = "N")]
    pub(crate) tenant: i64,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["token_id", "token_stdin"])))]
pub(crate) struct RevokeArgs {
    /// The tenant the token must belong to (with --token-id).
    #[arg(long, value_name = "N", requires = "token_id")]
    pub(crate) tenant: Option<i64>,
    /// The TokenId of the token to revoke.
    #[arg(long, value_name = "ULID", requires = "tenant", value_parser = parse_token_id)]
    pub(crate) token_id: Option<TokenId>,
    /// Read the token to revoke from standard input (one token; for items without TokenId).
    #[arg(long, conflicts_with_all = ["tenant", "token_id"])]
    pub(crate) token_stdin: bool,
}

/// A token's role (docs/api.md, "Roles"), spelled as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Role {
    #[value(name = "Administrator")]
    Administrator,
    #[value(name = "Standard")]
    Standard,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => ADMINISTRATOR,
            Self::Standard => STANDARD,
        }
    }
}

/// A command-line value that is a secret (the dev token given to `--import-token`). Its
/// `Debug` is redacted, so the parsed command line can be printed without it; it is turned
/// into a [`create_api_token::token::Token`] (also redacted) as soon as `DATA_CENTER` is known.
#[derive(Clone)]
pub(crate) struct SecretArg(pub(crate) String);

impl From<String> for SecretArg {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretArg(<redacted>)")
    }
}

fn parse_date(value: &str) -> Result<String, &'static str> {
    dates::parse(value)
        .map(|_| value.to_owned())
        .ok_or("a date is YYYY-MM-DDTHH:MM:SS (UTC)")
}

fn parse_token_id(value: &str) -> Result<TokenId, &'static str> {
    TokenId::parse(value).ok_or("a TokenId is a ULID: 26 characters of Crockford base32")
}

/// Prints a command-line error without clap's rendering, which repeats the offending
/// argument or value (e.g. "unexpected argument 'localdev...-us-1' found"): only the kind of
/// error, the name of the argument as defined, the reason a value was refused and the
/// command's usage. Help and version go to stdout as usual.
pub(crate) fn command_line_error(error: &clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let what = match error.kind() {
        ErrorKind::UnknownArgument => "unexpected argument (not repeated here)",
        ErrorKind::InvalidSubcommand => "unknown command (not repeated here)",
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "a command is required"
        }
        ErrorKind::MissingRequiredArgument => "missing required argument",
        ErrorKind::ArgumentConflict => "arguments that cannot be used together",
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => "invalid value",
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => "wrong number of values",
        _ => "invalid command line",
    };
    let mut message = format!("apikey-bootstrap: {what}");
    // The argument as defined (e.g. `--tenant <N>`), never as typed: for an unknown
    // argument clap puts the typed text there, so it is left out.
    if !matches!(
        error.kind(),
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand
    ) {
        match (error.get(ContextKind::InvalidArg), error.kind()) {
            (Some(ContextValue::String(arg)), ErrorKind::ArgumentConflict) => {
                message = format!("apikey-bootstrap: '{arg}' cannot be used with ");
                match error.get(ContextKind::PriorArg) {
                    Some(ContextValue::String(prior)) => message.push_str(&format!("'{prior}'")),
                    Some(ContextValue::Strings(prior)) => message.push_str(&prior.join(", ")),
                    _ => message.push_str("the other arguments given"),
                }
            }
            (Some(ContextValue::String(arg)), _) => message.push_str(&format!(" for '{arg}'")),
            (Some(ContextValue::Strings(args)), _) => {
                message.push_str(&format!(": {}", args.join(", ")));
            }
            _ => {}
        }
        if let Some(ContextValue::Strings(valid)) = error.get(ContextKind::ValidValue) {
            message.push_str(&format!(" (possible values: {})", valid.join(", ")));
        }
        if error.kind() == ErrorKind::ValueValidation {
            if let Some(reason) = std::error::Error::source(error) {
                message.push_str(&format!(": {reason}"));
            }
        }
    }
    eprintln!(
        "{message}\n\n{}\n\nFor more information, try '--help'.",
        usage_for(
            std::env::args_os()
                .nth(1)
                .and_then(|a| a.into_string().ok())
        )
    );
    ExitCode::from(2)
}

/// The usage of the command named by the first argument, or of the whole tool: rendered
/// from the definitions, so it holds nothing the user typed.
fn usage_for(first_argument: Option<String>) -> String {
    let mut cli = Cli::command();
    let usage = match first_argument.and_then(|name| cli.find_subcommand_mut(&name).cloned()) {
        Some(sub) => {
            let name = format!("apikey-bootstrap {}", sub.get_name());
            sub.bin_name(name).render_usage()
        }
        None => cli.render_usage(),
    };
    usage.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_parsed_command_line_never_shows_the_import_token() {
        let token = "localdevadmin000000000001-us-1";
        let cli = Cli::try_parse_from([
            "apikey-bootstrap",
            "mint",
            "--tenant",
            "1",
            "--import-token",
            token,
        ])
        .unwrap();
        let shown = format!("{cli:?}");
        assert!(!shown.contains(token), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
