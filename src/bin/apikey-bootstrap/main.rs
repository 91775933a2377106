//! `apikey-bootstrap`: the operator's tool for the token table. It creates the table
//! (locally), mints the first `Administrator` token of a tenant (printing it once), lists
//! every item of a tenant and revokes tokens, including items written before `TokenId`s
//! existed, which the API can neither list nor revoke (docs/api.md, "TokenId").
//!
//! ```text
//! apikey-bootstrap create-table
//! apikey-bootstrap mint --tenant <N> [--description <TEXT>] [--role Administrator|Standard]
//!                       [--expires-in <SECONDS>]
//!                       [--import-token <TOKEN> [--token-id <ULID>] [--expires-at <DATE>]
//!                                               [--rotated-to <ULID>]]
//! apikey-bootstrap list --tenant <N>
//! apikey-bootstrap revoke --tenant <N> --token-id <ULID>
//! apikey-bootstrap revoke --token-stdin          < file-holding-one-token
//! ```
//!
//! Reads `TABLE_NAME`, `DATA_CENTER`, `MAX_TOKEN_LIFETIME` (as the function: the default and
//! the cap of `mint --expires-in`) and the standard AWS settings (region, credentials,
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
//! Local, and proves it rather than trusting configuration: see `local_guard::dynamodb_local_client`.
//!
//! The files: `cli` (the command line and its errors), `error` (why a command failed, and
//! its exit status), one file per command that touches
//! tokens (`mint`, `list`, `revoke`), `local_guard` (the proof that an endpoint is
//! DynamoDB Local) and `print` (items as JSON lines). The tool reaches DynamoDB only
//! through the store ([`create_api_token::store::dynamodb`]).

#![warn(missing_docs)]

use std::process::ExitCode;

use clap::Parser;

use create_api_token::store::dynamodb::{client_from_env, create_table, Timeouts};
use create_api_token::Config;

mod cli;
mod error;
mod list;
mod local_guard;
mod mint;
mod print;
mod revoke;

use cli::{command_line_error, Cli, Command, RevokeArgs};
use error::{store_error, BootstrapError};

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
        Command::Mint(args) => mint::mint(&config, args).await,
        Command::List(args) => list::list(&config, args.tenant).await,
        Command::Revoke(RevokeArgs {
            tenant: Some(tenant),
            token_id: Some(token_id),
            token_stdin: false,
        }) => revoke::by_token_id(&config, tenant, token_id).await,
        Command::Revoke(RevokeArgs {
            tenant: None,
            token_id: None,
            token_stdin: true,
        }) => revoke::by_token_on_stdin(&config).await,
        // clap's group, `requires` and `conflicts_with` rule these out.
        Command::Revoke(_) => Err(BootstrapError::Usage(
            "revoke takes --tenant <N> --token-id <ULID>, or --token-stdin".to_owned(),
        )),
    }
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
