//! `apikey-bootstrap`: creates the token table (locally) and mints the first
//! `Administrator` token of a tenant, printing it once. Without it nobody could ever call
//! the endpoint, which requires an Administrator token.
//!
//! ```text
//! apikey-bootstrap create-table
//! apikey-bootstrap mint --tenant <N> [--description <TEXT>] [--role Administrator|Standard]
//!                       [--import-token <TOKEN>]
//! ```
//!
//! Reads `TABLE_NAME`, `DATA_CENTER` and the standard AWS settings (region, credentials,
//! `AWS_ENDPOINT_URL_DYNAMODB`) like the function. `mint` prints only the new token on
//! stdout (one line), so it can be captured; everything else goes to stderr.
//!
//! `--import-token` stores a token value chosen by the caller instead of a random one. It
//! exists so that the `events/` files can carry a documented dev token, and it is refused
//! unless `AWS_ENDPOINT_URL_DYNAMODB` points at a loopback address (DynamoDB Local): an
//! imported, published token must never exist in AWS. `--role Standard` likewise exists
//! for local fixtures (the 403 events).

use std::process::ExitCode;

use create_api_token::store::dynamodb::{client_from_env, create_table, DynamoDbStore, Timeouts};
use create_api_token::store::{NewTokenItem, PutOutcome, TokenStore, ADMINISTRATOR, STANDARD};
use create_api_token::token::{OsSeededGenerator, Token, TokenGenerator};
use create_api_token::token_id::TokenId;
use create_api_token::{routes::DATE_CREATED_FORMAT, Config};

const USAGE: &str = "usage:
  apikey-bootstrap create-table
  apikey-bootstrap mint --tenant <N> [--description <TEXT>] [--role Administrator|Standard] [--import-token <TOKEN> [--token-id <ULID>]]

environment: TABLE_NAME (required), DATA_CENTER (default us-1), AWS_REGION, credentials,
AWS_ENDPOINT_URL_DYNAMODB (e.g. http://127.0.0.1:8000 for DynamoDB Local)";

#[derive(Debug, Default)]
struct MintArgs {
    tenant: Option<i64>,
    description: String,
    role: Option<String>,
    import_token: Option<String>,
    token_id: Option<TokenId>,
}

fn parse_mint(args: &[String]) -> Result<MintArgs, String> {
    let mut out = MintArgs::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--tenant" => {
                let v = value()?;
                out.tenant = Some(
                    v.parse()
                        .map_err(|_| "--tenant must be an integer".to_owned())?,
                );
            }
            "--description" => out.description = value()?,
            "--role" => {
                let v = value()?;
                if v != ADMINISTRATOR && v != STANDARD {
                    return Err(format!("--role must be {ADMINISTRATOR} or {STANDARD}"));
                }
                out.role = Some(v);
            }
            "--import-token" => out.import_token = Some(value()?),
            "--token-id" => {
                let v = value()?;
                out.token_id =
                    Some(TokenId::parse(&v).ok_or_else(|| "--token-id must be a ULID".to_owned())?);
            }
            // Not echoed: a token pasted in the wrong place must not reach the terminal log.
            _ => return Err("unknown argument".to_owned()),
        }
    }
    if out.token_id.is_some() && out.import_token.is_none() {
        return Err("--token-id goes with --import-token".to_owned());
    }
    if out.tenant.is_none() {
        return Err("--tenant is required".to_owned());
    }
    if let Err(e) = create_api_token::description::validate(Some(&out.description)) {
        return Err(e.to_string());
    }
    Ok(out)
}

/// `true` if the SDK will send DynamoDB calls to a loopback host (DynamoDB Local):
/// `AWS_ENDPOINT_URL_DYNAMODB` is set, parses as a URL whose host is `localhost` or a
/// loopback address, and configured endpoints are not switched off
/// (`AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, AWS SDKs and Tools reference guide,
/// "Service-specific endpoints").
fn endpoint_is_loopback() -> bool {
    if std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| !v.trim().is_empty() && !v.trim().eq_ignore_ascii_case("false"))
    {
        return false;
    }
    let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB") else {
        return false;
    };
    let Ok(url) = url::Url::parse(endpoint.trim()) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("apikey-bootstrap: {e}");
            return ExitCode::from(2);
        }
    };
    match command.as_str() {
        "create-table" => {
            let client = client_from_env(Timeouts::default()).await;
            match create_table(&client, &config.table_name).await {
                Ok(true) => eprintln!("created table {}", config.table_name),
                Ok(false) => eprintln!("table {} already exists", config.table_name),
                Err(e) => {
                    eprintln!(
                        "apikey-bootstrap: could not create table {}: {e}",
                        config.table_name
                    );
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        "mint" => {
            let mint = match parse_mint(&args[1..]) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("apikey-bootstrap: {e}\n{USAGE}");
                    return ExitCode::from(2);
                }
            };
            let token = match &mint.import_token {
                Some(value) => {
                    if !endpoint_is_loopback() {
                        eprintln!(
                            "apikey-bootstrap: --import-token is only allowed against DynamoDB Local \
                             (AWS_ENDPOINT_URL_DYNAMODB on a loopback address)"
                        );
                        return ExitCode::from(2);
                    }
                    match Token::parse(value, &config.data_center) {
                        Some(t) => t,
                        None => {
                            eprintln!(
                                "apikey-bootstrap: --import-token must look like <16-64 of a-z0-9>-{}",
                                config.data_center
                            );
                            return ExitCode::from(2);
                        }
                    }
                }
                None => match OsSeededGenerator.new_body() {
                    Ok(body) => Token::from_body(&body, &config.data_center),
                    Err(e) => {
                        eprintln!("apikey-bootstrap: {e}");
                        return ExitCode::FAILURE;
                    }
                },
            };
            let role = mint.role.unwrap_or_else(|| ADMINISTRATOR.to_owned());
            let now = time::OffsetDateTime::now_utc();
            let token_id = mint.token_id.unwrap_or_else(|| {
                TokenId::new(u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
            });
            let date_created = match now.format(DATE_CREATED_FORMAT) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("apikey-bootstrap: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let tenant = mint.tenant.unwrap_or_default();
            let item = NewTokenItem {
                token_hash: token.digest(),
                token_id,
                tenant_id: tenant,
                role: role.clone(),
                description: mint.description,
                date_created,
                created_by: None,
                created_by_id: None,
            };
            let store = DynamoDbStore::new(
                client_from_env(Timeouts::default()).await,
                &config.table_name,
            );
            match store.put_new(&item).await {
                Ok(PutOutcome::Created) => {
                    eprintln!(
                        "minted a token with role {role} for tenant {tenant}, TokenId {token_id}, in table {} (shown once):",
                        config.table_name
                    );
                    println!("{}", token.expose());
                    ExitCode::SUCCESS
                }
                Ok(PutOutcome::AlreadyExists) if mint.import_token.is_some() => {
                    eprintln!("apikey-bootstrap: that token already exists; it was left unchanged");
                    ExitCode::SUCCESS
                }
                Ok(PutOutcome::AlreadyExists) => {
                    eprintln!("apikey-bootstrap: token collision; nothing written, run again");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("apikey-bootstrap: could not write the token: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("apikey-bootstrap: unknown command\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
