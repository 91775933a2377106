//! `revoke`: one token, by `TokenId` within a tenant (as the API revokes), or by the token
//! itself read from standard input (for items without a `TokenId`).

use std::io::{BufRead, IsTerminal, Read};

use create_api_token::store::dynamodb::{client_from_env, DynamoDbStore, Timeouts};
use create_api_token::store::{Revocation, TenantItem, TokenStore};
use create_api_token::token::{Token, MAX_BODY_LEN};
use create_api_token::token_id::TokenId;
use create_api_token::{dates, Config};
use time::OffsetDateTime;

use crate::error::{store_error, BootstrapError};
use crate::print::{describe_revocation, print};

/// `revoke --tenant N --token-id ID`: as the API revokes (the store's `revoke`): only a
/// token of that tenant, idempotent, the first `DateRevoked` kept. No `RevokedById` (no
/// token acts).
pub(crate) async fn by_token_id(
    config: &Config,
    tenant: i64,
    token_id: TokenId,
) -> Result<(), BootstrapError> {
    let store = DynamoDbStore::new(
        client_from_env(Timeouts::default()).await,
        &config.table_name,
    );
    let date_revoked = dates::format(OffsetDateTime::now_utc())?;
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
    let revoked = TenantItem::from(&revoked);
    eprintln!("{}", describe_revocation(&revoked));
    print(&revoked)
}

/// Longest standard input `revoke --token-stdin` reads: one token and some white space.
const MAX_STDIN_BYTES: u64 = 1024;

/// Standard input's terminal with echo turned off (a token typed or pasted there is not
/// shown, nor left in the terminal's scrollback) until dropped, when its settings are put
/// back as they were. `ECHONL` stays on, so the Enter that ends the token still moves to
/// a new line.
struct EchoOff {
    saved: rustix::termios::Termios,
}

impl EchoOff {
    fn on_stdin() -> std::io::Result<Self> {
        use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
        let saved = tcgetattr(std::io::stdin())?;
        let mut quiet = saved.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        quiet.local_modes.insert(LocalModes::ECHONL);
        tcsetattr(std::io::stdin(), OptionalActions::Now, &quiet)?;
        Ok(Self { saved })
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        let now = rustix::termios::OptionalActions::Now;
        let _ = rustix::termios::tcsetattr(std::io::stdin(), now, &self.saved);
    }
}

/// Reads exactly one token (surrounding white space ignored) from standard input: from a
/// terminal, one line typed with echo off ([`EchoOff`]); otherwise (a pipe, a file) all of
/// it, at most [`MAX_STDIN_BYTES`].
fn read_token_from_stdin(data_center: &str) -> Result<Token, BootstrapError> {
    let stdin = std::io::stdin();
    let mut input = Vec::new();
    if stdin.is_terminal() {
        // Echo goes off before the prompt, so nothing typed after it is ever shown.
        let _quiet = EchoOff::on_stdin().map_err(BootstrapError::Stdin)?;
        eprintln!("paste the token to revoke, then Enter (it is not shown):");
        stdin
            .lock()
            .take(MAX_STDIN_BYTES + 1)
            .read_until(b'\n', &mut input)
            .map_err(BootstrapError::Stdin)?;
    } else {
        stdin
            .lock()
            .take(MAX_STDIN_BYTES + 1)
            .read_to_end(&mut input)
            .map_err(BootstrapError::Stdin)?;
    }
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
/// whether or not it has a `TokenId` ([`DynamoDbStore::revoke_by_hash`]: `Revoked = true`,
/// the first `DateRevoked` kept, an unknown token creates nothing).
pub(crate) async fn by_token_on_stdin(config: &Config) -> Result<(), BootstrapError> {
    let token = read_token_from_stdin(&config.data_center)?;
    let store = DynamoDbStore::new(
        client_from_env(Timeouts::default()).await,
        &config.table_name,
    );
    let date_revoked = dates::format(OffsetDateTime::now_utc())?;
    let revoked = store
        .revoke_by_hash(&token.digest(), &date_revoked)
        .await
        .map_err(store_error("could not revoke the token"))?
        .ok_or_else(|| {
            BootstrapError::NotFound(format!(
                "no item of table {} has that token",
                config.table_name
            ))
        })?;
    eprintln!("{}", describe_revocation(&revoked));
    print(&revoked)
}
