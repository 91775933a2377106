//! `apikey-bootstrap`: the operator's tool for the token table. It creates the table
//! (locally), mints the first `Administrator` token of a tenant (printing it once), lists
//! every item of a tenant and revokes tokens, including items written before `TokenId`s
//! existed, which the API can neither list nor revoke (docs/api.md, "TokenId").
//!
//! ```text
//! apikey-bootstrap create-table
//! apikey-bootstrap mint --tenant <N> [--description <TEXT>] [--role Administrator|Standard]
//!                       [--import-token <TOKEN> [--token-id <ULID>]]
//! apikey-bootstrap list --tenant <N>
//! apikey-bootstrap revoke --tenant <N> --token-id <ULID>
//! apikey-bootstrap revoke --token-stdin          < file-holding-one-token
//! ```
//!
//! Reads `TABLE_NAME`, `DATA_CENTER` and the standard AWS settings (region, credentials,
//! `AWS_ENDPOINT_URL_DYNAMODB`) like the function. Data goes to stdout (the minted token on
//! one line; listed and revoked items as JSON lines), everything else to stderr.
//!
//! Exit status: 0 done; 1 the operation failed (DynamoDB error, unknown token or
//! `TokenId`, missing table); 2 usage (bad arguments or environment, a refused
//! `--import-token`), nothing written.
//!
//! Secrets: a token is never accepted on the command line, except the published dev tokens
//! given to `--import-token`, and no argument value is ever repeated in an error message (a
//! token pasted in the wrong place must not reach a terminal log). `revoke --token-stdin`
//! reads the token from standard input. Digests are never printed.
//!
//! `--import-token` stores a token value chosen by the caller instead of a random one, so
//! that the `events/` files can carry documented dev tokens. It runs only against DynamoDB
//! Local, and proves it rather than trusting configuration: see [`dynamodb_local_client`].

#![warn(missing_docs)]

use std::fmt;
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgGroup, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use create_api_token::config::ConfigError;
use create_api_token::description::{self, DescriptionError};
use create_api_token::store::dynamodb::{
    attr, classify, client_from_env, create_table, DynamoDbStore, Timeouts,
};
use create_api_token::store::{
    NewTokenItem, PutOutcome, Revocation, StoreError, TokenStore, TokenSummary, ADMINISTRATOR,
    STANDARD,
};
use create_api_token::token::{OsSeededGenerator, Token, TokenGenerator, MAX_BODY_LEN};
use create_api_token::token_id::TokenId;
use create_api_token::{routes::DATE_CREATED_FORMAT, Config};

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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
struct MintArgs {
    /// The tenant the token acts for.
    #[arg(long, value_name = "N")]
    tenant: i64,
    /// Identifies the token in lists (at most 255 characters, no control characters).
    #[arg(long, value_name = "TEXT", default_value = "")]
    description: String,
    /// The token's role.
    #[arg(long, value_enum, default_value_t = Role::Administrator)]
    role: Role,
    /// DynamoDB Local only: store this published dev token instead of a new random one.
    #[arg(long, value_name = "TOKEN")]
    import_token: Option<SecretArg>,
    /// With --import-token: the item's TokenId (default: a new one).
    #[arg(long, value_name = "ULID", requires = "import_token", value_parser = parse_token_id)]
    token_id: Option<TokenId>,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// The tenant whose items are listed.
    #[arg(long, value_name = "N")]
    tenant: i64,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["token_id", "token_stdin"])))]
struct RevokeArgs {
    /// The tenant the token must belong to (with --token-id).
    #[arg(long, value_name = "N", requires = "token_id")]
    tenant: Option<i64>,
    /// The TokenId of the token to revoke.
    #[arg(long, value_name = "ULID", requires = "tenant", value_parser = parse_token_id)]
    token_id: Option<TokenId>,
    /// Read the token to revoke from standard input (one token; for items without TokenId).
    #[arg(long, conflicts_with_all = ["tenant", "token_id"])]
    token_stdin: bool,
}

/// A token's role (docs/api.md, "Roles"), spelled as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Role {
    #[value(name = "Administrator")]
    Administrator,
    #[value(name = "Standard")]
    Standard,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => ADMINISTRATOR,
            Self::Standard => STANDARD,
        }
    }
}

/// A command-line value that is a secret (the dev token given to `--import-token`). Its
/// `Debug` is redacted, so the parsed command line can be printed without it; it is turned
/// into a [`Token`] (also redacted) as soon as `DATA_CENTER` is known.
#[derive(Clone)]
struct SecretArg(String);

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

fn parse_token_id(value: &str) -> Result<TokenId, &'static str> {
    TokenId::parse(value).ok_or("a TokenId is a ULID: 26 characters of Crockford base32")
}

/// Why a command failed. Messages never contain a token, a digest or an argument value.
#[derive(Debug, thiserror::Error)]
enum BootstrapError {
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

impl BootstrapError {
    /// 2 for usage (nothing was attempted), 1 for a failed operation.
    fn exit_code(&self) -> u8 {
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

fn store_error(action: &'static str) -> impl FnOnce(StoreError) -> BootstrapError {
    move |source| BootstrapError::Store { action, source }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return command_line_error(&e),
    };
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("apikey-bootstrap: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn run(cli: Cli) -> Result<(), BootstrapError> {
    let config = Config::from_env()?;
    match cli.command {
        Command::CreateTable => create_table_command(&config).await,
        Command::Mint(args) => mint(&config, args).await,
        Command::List(args) => list(&config, args.tenant).await,
        Command::Revoke(RevokeArgs {
            tenant: Some(tenant),
            token_id: Some(token_id),
            token_stdin: false,
        }) => revoke_by_token_id(&config, tenant, token_id).await,
        Command::Revoke(RevokeArgs {
            tenant: None,
            token_id: None,
            token_stdin: true,
        }) => revoke_by_token_on_stdin(&config).await,
        // clap's group, `requires` and `conflicts_with` rule these out.
        Command::Revoke(_) => Err(BootstrapError::Usage(
            "revoke takes --tenant <N> --token-id <ULID>, or --token-stdin".to_owned(),
        )),
    }
}

/// Prints a command-line error without clap's rendering, which repeats the offending
/// argument or value (e.g. "unexpected argument 'localdev...-us-1' found"): only the kind of
/// error, the name of the argument as defined, the reason a value was refused and the
/// command's usage. Help and version go to stdout as usual.
fn command_line_error(error: &clap::Error) -> ExitCode {
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

/// `create-table`: the table and its index, as `template.yaml` declares them.
async fn create_table_command(config: &Config) -> Result<(), BootstrapError> {
    let client = client_from_env(Timeouts::default()).await;
    let created = create_table(&client, &config.table_name)
        .await
        .map_err(store_error("could not create the table"))?;
    if created {
        eprintln!("created table {}", config.table_name);
    } else {
        eprintln!("table {} already exists", config.table_name);
    }
    Ok(())
}

/// `YYYY-MM-DDTHH:MM:SS` UTC, the `DateCreated` / `DateRevoked` format, and the time in
/// milliseconds for a new `TokenId`.
fn now() -> Result<(String, u64), BootstrapError> {
    let now = time::OffsetDateTime::now_utc();
    let text = now
        .format(DATE_CREATED_FORMAT)
        .map_err(|e| BootstrapError::Internal(e.to_string()))?;
    let ms = u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    Ok((text, ms))
}

/// `mint`: a new random token (or, locally, the imported one) stored under its digest with
/// a `TokenId`, never overwriting an item; the token is printed once on stdout.
async fn mint(config: &Config, args: MintArgs) -> Result<(), BootstrapError> {
    let description = description::validate(Some(&args.description))?;
    let imported = args.import_token.is_some();
    let (token, client) = match &args.import_token {
        Some(SecretArg(value)) => {
            let token = Token::parse(value, &config.data_center).ok_or_else(|| {
                BootstrapError::Usage(format!(
                    "--import-token must look like <16-{MAX_BODY_LEN} of a-z0-9>-{}",
                    config.data_center
                ))
            })?;
            (token, dynamodb_local_client(&config.table_name).await?)
        }
        None => {
            let body = OsSeededGenerator
                .new_body()
                .map_err(|e| BootstrapError::Internal(e.to_string()))?;
            (
                Token::from_body(&body, &config.data_center),
                client_from_env(Timeouts::default()).await,
            )
        }
    };
    let (date_created, now_ms) = now()?;
    let token_id = args.token_id.unwrap_or_else(|| TokenId::new(now_ms));
    let role = args.role.as_str();
    let item = NewTokenItem {
        token_hash: token.digest(),
        token_id,
        tenant_id: args.tenant,
        role: role.to_owned(),
        description,
        date_created,
        created_by: None,
        created_by_id: None,
    };
    let store = DynamoDbStore::new(client, &config.table_name);
    // Importing again is a no-op, whatever TokenId was given: checked first with a
    // consistent read, so that it is never reported as a new token.
    if imported
        && store
            .get_caller(&item.token_hash)
            .await
            .map_err(store_error("could not read the table"))?
            .is_some()
    {
        eprintln!("apikey-bootstrap: that token already exists; it was left unchanged");
        return Ok(());
    }
    match store
        .put_new(&item)
        .await
        .map_err(store_error("could not write the token"))?
    {
        PutOutcome::Created => {
            eprintln!(
                "minted a token with role {role} for tenant {}, TokenId {token_id}, in table {} (shown once):",
                args.tenant, config.table_name
            );
            println!("{}", token.expose());
            Ok(())
        }
        PutOutcome::AlreadyExists if imported => {
            eprintln!("apikey-bootstrap: that token already exists; it was left unchanged");
            Ok(())
        }
        PutOutcome::AlreadyExists => Err(BootstrapError::Collision),
    }
}

/// The region and account DynamoDB Local puts in every table ARN (DynamoDB Local 3.x
/// answers `DescribeTable` with `arn:aws:dynamodb:ddblocal:000000000000:table/<name>`); no
/// AWS region is called `ddblocal`.
const DYNAMODB_LOCAL_REGION: &str = "ddblocal";
const DYNAMODB_LOCAL_ACCOUNT: &str = "000000000000";

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

/// A DynamoDB client proven to talk to DynamoDB Local, for `--import-token`: a published
/// token must never exist in AWS.
///
/// 1. The endpoint is read once from `AWS_ENDPOINT_URL_DYNAMODB` and must be a loopback URL;
///    `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` in the environment is refused outright.
/// 2. The client is built with that URL set explicitly on the DynamoDB client
///    configuration, which no environment variable or shared-config setting (a profile's
///    `ignore_configured_endpoint_urls` or `endpoint_url`) can redirect (AWS SDKs and Tools
///    reference guide, "Service-specific endpoints": configured endpoints apply only where
///    code sets none).
/// 3. `DescribeTable` through that client must return the ARN DynamoDB Local gives the
///    table (region `ddblocal`, account `000000000000`): a loopback port-forward to a real
///    table, or anything else listening there, is refused.
///
/// The import is then written with this same client.
async fn dynamodb_local_client(table_name: &str) -> Result<Client, BootstrapError> {
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
    let client = Client::from_conf(
        configured
            .config()
            .to_builder()
            .endpoint_url(url.as_str())
            .build(),
    );
    let described = client
        .describe_table()
        .table_name(table_name)
        .send()
        .await
        .map_err(|e| {
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception())
            {
                BootstrapError::NoTable(table_name.to_owned())
            } else {
                refused(format!(
                    "DescribeTable at {url} failed ({}), so it is not proven to be DynamoDB Local",
                    classify(&e)
                ))
            }
        })?;
    let arn = described
        .table
        .and_then(|t| t.table_arn)
        .unwrap_or_default();
    if !is_dynamodb_local_table_arn(&arn, table_name) {
        return Err(refused(format!(
            "{url} answers with table ARN '{arn}', not DynamoDB Local's \
             (region {DYNAMODB_LOCAL_REGION}, account {DYNAMODB_LOCAL_ACCOUNT})"
        )));
    }
    eprintln!("DynamoDB Local verified at {url} ({arn})");
    Ok(client)
}

/// One item as `list` and `revoke` print it (a JSON line): the API's list item
/// (docs/api.md, "Listing"), same fields in the same order, with `TokenId` null for items
/// written before TokenIds existed and null for any attribute the item lacks. Never the
/// token nor its digest.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct PrintedItem {
    token_id: Option<String>,
    date_created: Option<String>,
    description: Option<String>,
    tenant_id: Option<i64>,
    role: Option<String>,
    revoked: bool,
    date_revoked: Option<String>,
    /// The creating token's `TokenId` (attribute `CreatedById`), as in the API.
    created_by: Option<String>,
}

/// The attributes read for a [`PrintedItem`], in the order of its fields.
const PRINTED_ATTRIBUTES: [&str; 8] = [
    attr::TOKEN_ID,
    attr::DATE_CREATED,
    attr::DESCRIPTION,
    attr::TENANT_ID,
    attr::ROLE,
    attr::REVOKED,
    attr::DATE_REVOKED,
    attr::CREATED_BY_ID,
];

impl PrintedItem {
    fn from_item(item: &std::collections::HashMap<String, AttributeValue>) -> Self {
        let s = |name: &str| match item.get(name) {
            Some(AttributeValue::S(v)) => Some(v.clone()),
            _ => None,
        };
        Self {
            token_id: s(attr::TOKEN_ID),
            date_created: s(attr::DATE_CREATED),
            description: s(attr::DESCRIPTION),
            tenant_id: match item.get(attr::TENANT_ID) {
                Some(AttributeValue::N(n)) => n.parse().ok(),
                _ => None,
            },
            role: s(attr::ROLE),
            // As authentication reads it: absent or BOOL false is not revoked, anything
            // else is (fail closed).
            revoked: !matches!(
                item.get(attr::REVOKED),
                None | Some(AttributeValue::Bool(false))
            ),
            date_revoked: s(attr::DATE_REVOKED),
            created_by: s(attr::CREATED_BY_ID),
        }
    }

    fn from_summary(summary: &TokenSummary) -> Self {
        Self {
            token_id: Some(summary.token_id.to_string()),
            date_created: Some(summary.date_created.clone()),
            description: Some(summary.description.clone()),
            tenant_id: Some(summary.tenant_id),
            role: summary.role.clone(),
            revoked: summary.revoked,
            date_revoked: summary.date_revoked.clone(),
            created_by: summary.created_by_id.map(|id| id.to_string()),
        }
    }

    fn print(&self) -> Result<(), BootstrapError> {
        let line =
            serde_json::to_string(self).map_err(|e| BootstrapError::Internal(e.to_string()))?;
        println!("{line}");
        Ok(())
    }

    /// "`TokenId` (tenant N), revoked at D" for stderr.
    fn describe_revocation(&self) -> String {
        let tenant = self
            .tenant_id
            .map_or_else(|| "?".to_owned(), |t| t.to_string());
        format!(
            "revoked {} (tenant {tenant}), DateRevoked {}",
            self.token_id.as_deref().unwrap_or("(no TokenId)"),
            self.date_revoked.as_deref().unwrap_or("(none)")
        )
    }
}

/// Items per `Scan` page: one progress line on stderr per page.
const SCAN_PAGE_ITEMS: i32 = 500;

/// `list`: every item of the tenant, read with a strongly consistent, filtered `Scan` of
/// the whole table (all pages), because items without a `TokenId` are not in the
/// `TenantTokens` index. An operator's tool: the function itself never scans (its IAM
/// policy does not allow it). Printed as JSON lines, TokenIds newest first, then the items
/// without one, newest `DateCreated` first.
async fn list(config: &Config, tenant: i64) -> Result<(), BootstrapError> {
    let client = client_from_env(Timeouts::default()).await;
    let names: Vec<String> = (0..PRINTED_ATTRIBUTES.len())
        .map(|i| format!("#a{i}"))
        .collect();
    let mut items = Vec::new();
    let mut scanned = 0;
    let mut start_key = None;
    loop {
        let mut request = client
            .scan()
            .table_name(&config.table_name)
            .consistent_read(true)
            .limit(SCAN_PAGE_ITEMS)
            .filter_expression("#tenant = :tenant")
            .expression_attribute_names("#tenant", attr::TENANT_ID)
            .expression_attribute_values(":tenant", AttributeValue::N(tenant.to_string()))
            .projection_expression(names.join(", "))
            .set_exclusive_start_key(start_key.take());
        for (name, attribute) in names.iter().zip(PRINTED_ATTRIBUTES) {
            request = request.expression_attribute_names(name, attribute);
        }
        let page = request.send().await.map_err(|e| {
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception())
            {
                BootstrapError::NoTable(config.table_name.clone())
            } else {
                store_error("could not scan the table")(classify(&e))
            }
        })?;
        scanned += page.scanned_count;
        items.extend(page.items().iter().map(PrintedItem::from_item));
        start_key = page.last_evaluated_key;
        if start_key.is_none() {
            break;
        }
        eprintln!(
            "scanned {scanned} items of table {}, {} of tenant {tenant} so far...",
            config.table_name,
            items.len()
        );
    }
    // TokenIds (ULIDs, time first) descending, then id-less items by DateCreated.
    items.sort_by(|a, b| {
        (b.token_id.is_some(), &b.token_id, &b.date_created).cmp(&(
            a.token_id.is_some(),
            &a.token_id,
            &a.date_created,
        ))
    });
    for item in &items {
        item.print()?;
    }
    let without_id = items.iter().filter(|i| i.token_id.is_none()).count();
    eprintln!(
        "tenant {tenant}: {} items ({without_id} without TokenId) in table {}",
        items.len(),
        config.table_name
    );
    Ok(())
}

/// `revoke --tenant N --token-id ID`: as the API revokes (the store's `revoke`): only a
/// token of that tenant, idempotent, the first `DateRevoked` kept. No `RevokedById` (no
/// token acts).
async fn revoke_by_token_id(
    config: &Config,
    tenant: i64,
    token_id: TokenId,
) -> Result<(), BootstrapError> {
    let store = DynamoDbStore::new(
        client_from_env(Timeouts::default()).await,
        &config.table_name,
    );
    let (date_revoked, _) = now()?;
    let revoked = store
        .revoke(&Revocation {
            tenant_id: tenant,
            token_id,
            date_revoked,
            revoked_by_id: None,
        })
        .await
        .map_err(store_error("could not revoke the token"))?
        .ok_or_else(|| {
            BootstrapError::NotFound(format!(
                "tenant {tenant} has no token with TokenId {token_id}"
            ))
        })?;
    let printed = PrintedItem::from_summary(&revoked);
    eprintln!("{}", printed.describe_revocation());
    printed.print()
}

/// Longest standard input `revoke --token-stdin` reads: one token and some white space.
const MAX_STDIN_BYTES: u64 = 1024;

/// Reads exactly one token (surrounding white space ignored) from standard input.
fn read_token_from_stdin(data_center: &str) -> Result<Token, BootstrapError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("paste the token to revoke, then Enter and Ctrl-D:");
    }
    let mut input = Vec::new();
    stdin
        .lock()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut input)
        .map_err(BootstrapError::Stdin)?;
    let one_token = || {
        BootstrapError::Usage(format!(
            "standard input must hold exactly one token, <16-{MAX_BODY_LEN} of a-z0-9>-{data_center}"
        ))
    };
    if input.len() as u64 > MAX_STDIN_BYTES {
        return Err(one_token());
    }
    let text = std::str::from_utf8(&input).map_err(|_| one_token())?;
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some(word), None) => Token::parse(word, data_center).ok_or_else(one_token),
        _ => Err(one_token()),
    }
}

/// `revoke --token-stdin`: the item keyed by the token's digest, whatever its tenant and
/// whether or not it has a `TokenId`, by an `UpdateItem` conditioned on
/// `attribute_exists(TokenHash)` (so an unknown token creates nothing), setting
/// `Revoked = true` and keeping the first `DateRevoked`.
async fn revoke_by_token_on_stdin(config: &Config) -> Result<(), BootstrapError> {
    let token = read_token_from_stdin(&config.data_center)?;
    let client = client_from_env(Timeouts::default()).await;
    let (date_revoked, _) = now()?;
    let result = client
        .update_item()
        .table_name(&config.table_name)
        .key(
            attr::TOKEN_HASH,
            AttributeValue::S(token.digest().as_str().to_owned()),
        )
        .condition_expression("attribute_exists(TokenHash)")
        .update_expression("SET Revoked = :true, DateRevoked = if_not_exists(DateRevoked, :now)")
        .expression_attribute_values(":true", AttributeValue::Bool(true))
        .expression_attribute_values(":now", AttributeValue::S(date_revoked))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    let item = match result {
        Ok(output) => output.attributes.unwrap_or_default(),
        Err(SdkError::ServiceError(e))
            if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
        {
            return Err(BootstrapError::NotFound(format!(
                "no item of table {} has that token",
                config.table_name
            )));
        }
        Err(e) => return Err(store_error("could not revoke the token")(classify(&e))),
    };
    let printed = PrintedItem::from_item(&item);
    eprintln!("{}", printed.describe_revocation());
    printed.print()
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
