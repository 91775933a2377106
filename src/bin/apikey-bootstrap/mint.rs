//! `mint`: a tenant's token (the first `Administrator` token, so that anyone can call the
//! API at all), printed once on stdout.

use create_api_token::store::dynamodb::{client_from_env, DynamoDbStore, Timeouts};
use create_api_token::store::{NewTokenItem, PutOutcome, TokenStore};
use create_api_token::token::{OsSeededGenerator, Token, TokenGenerator, MAX_BODY_LEN};
use create_api_token::token_id::TokenId;
use create_api_token::Config;
use create_api_token::{dates, description, lifetime};
use time::OffsetDateTime;

use crate::cli::{MintArgs, SecretArg};
use crate::error::{store_error, BootstrapError};
use crate::local_guard::dynamodb_local_store;

/// `mint`: a new random token (or, locally, the imported one) stored under its digest with
/// a `TokenId`, never overwriting an item; the token is printed once on stdout.
pub(crate) async fn mint(config: &Config, args: MintArgs) -> Result<(), BootstrapError> {
    let description = description::validate(Some(&args.description))?;
    // The API's rules: 60 to 31622400 seconds, at most MAX_TOKEN_LIFETIME, which is also
    // the default when it is set.
    let lifetime = lifetime::for_create(args.expires_in.as_deref(), config.max_token_lifetime)
        .map_err(|e| BootstrapError::Usage(format!("--expires-in: {e}")))?;
    let imported = args.import_token.is_some();
    let (token, store) = match &args.import_token {
        Some(SecretArg(value)) => {
            let token = Token::parse(value, &config.data_center).ok_or_else(|| {
                BootstrapError::Usage(format!(
                    "--import-token must look like <16-{MAX_BODY_LEN} of a-z0-9>-{}",
                    config.data_center
                ))
            })?;
            (token, dynamodb_local_store(&config.table_name).await?)
        }
        None => {
            let body = OsSeededGenerator
                .new_body()
                .map_err(|e| BootstrapError::Internal(e.to_string()))?;
            (
                Token::from_body(&body, &config.data_center),
                DynamoDbStore::new(
                    client_from_env(Timeouts::default()).await,
                    &config.table_name,
                ),
            )
        }
    };
    let now = OffsetDateTime::now_utc();
    let date_created = dates::format(now)?;
    let date_expires = match (&args.expires_at, lifetime) {
        (Some(at), _) => Some(at.clone()),
        (None, Some(lifetime)) => Some(dates::format(lifetime.after(now))?),
        (None, None) => None,
    };
    let token_id = args
        .token_id
        .unwrap_or_else(|| TokenId::new(dates::unix_ms(now)));
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
        date_expires,
        rotated_from_id: None,
    };
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
            if let Some(rotated_to) = args.rotated_to {
                // A dev fixture (--import-token only, so DynamoDB Local): the item just
                // written, marked as a rotation to `rotated_to` leaves it.
                let marked = store
                    .set_rotated_to(&item.token_hash, rotated_to)
                    .await
                    .map_err(store_error("could not mark the token rotated"))?;
                if !marked {
                    return Err(BootstrapError::Internal(
                        "the token just written is gone; it was not marked rotated".to_owned(),
                    ));
                }
            }
            let expires = item
                .date_expires
                .as_deref()
                .map_or_else(|| "never expires".to_owned(), |d| format!("expires {d}"));
            let rotated = args
                .rotated_to
                .map(|id| format!(", rotated to {id}"))
                .unwrap_or_default();
            eprintln!(
                "minted a token with role {role} for tenant {}, TokenId {token_id}, {expires}{rotated}, in table {} (shown once):",
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
