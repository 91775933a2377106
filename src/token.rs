//! API tokens: their shape, their SHA-256 digest and their generation.
//!
//! A token is `<body>-<DATA_CENTER>`, e.g. `igpnedehlkryvkpaszdm3jhyn-us-1`. New bodies are
//! [`NEW_BODY_LEN`] characters drawn uniformly from [`ALPHABET`] (`a-z0-9`) by a CSPRNG
//! seeded from the operating system: 25 * log2(36) ≈ 129.2 bits. Presented tokens are
//! accepted for lookup if the body is [`MIN_BODY_LEN`]..=[`MAX_BODY_LEN`] characters of
//! the same alphabet (older tokens were 24 hex characters).
//!
//! Secrets never reach a log: [`Token`] and [`TokenHash`] print as `<redacted>` under
//! `Debug`, and neither implements `Display`.

use std::fmt;

use rand::distr::{Distribution, Uniform};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sha2::{Digest, Sha256};

/// The characters a token body is drawn from: lower-case ASCII letters, then digits.
pub const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Length of the body of a newly issued token.
pub const NEW_BODY_LEN: usize = 25;
/// Shortest body accepted on a presented token.
pub const MIN_BODY_LEN: usize = 16;
/// Longest body accepted on a presented token.
pub const MAX_BODY_LEN: usize = 64;

/// A whole API token (`<body>-<DATA_CENTER>`). A secret: `Debug` is redacted and there is
/// no `Display`; [`Token::expose`] is the one way to read it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Accepts `presented` if it has the shape `<body>-<data_center>` with a body of
    /// 16 to 64 characters of `[a-z0-9]`; returns `None` for any other shape.
    pub fn parse(presented: &str, data_center: &str) -> Option<Self> {
        let body = presented.strip_suffix(data_center)?.strip_suffix('-')?;
        let shape_ok = (MIN_BODY_LEN..=MAX_BODY_LEN).contains(&body.len())
            && body
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        shape_ok.then(|| Self(presented.to_owned()))
    }

    /// Builds the token `<body>-<data_center>` from a generated body.
    pub fn from_body(body: &str, data_center: &str) -> Self {
        Self(format!("{body}-{data_center}"))
    }

    /// The plaintext. Only the 200 response may carry it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Lower-case hex SHA-256 of the token's UTF-8 bytes: the table's partition key.
    pub fn digest(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Lower-case hex SHA-256 (64 characters) of a whole token: the `TokenHash` partition key
/// and the `CreatedBy` attribute. Not a secret in the cryptographic sense, but still never
/// logged (a digest identifies a credential); `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    /// The digest of `token`'s UTF-8 bytes.
    pub fn of(token: &str) -> Self {
        Self(hex::encode(Sha256::digest(token.as_bytes())))
    }

    /// Wraps a digest read back from storage (64 lower-case hex characters).
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The 64 hex characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

/// Draws new token bodies. The production implementation is [`OsSeededGenerator`]; tests
/// inject deterministic ones (e.g. to force a collision).
pub trait TokenGenerator: Send + Sync {
    /// Returns a new body of [`NEW_BODY_LEN`] characters of [`ALPHABET`].
    ///
    /// # Errors
    /// [`GenerateError`] if the operating system's random source fails.
    fn new_body(&self) -> Result<String, GenerateError>;
}

/// The operating system's random source could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed")]
pub struct GenerateError;

/// Draws each body from a fresh ChaCha12 CSPRNG ([`rand::rngs::StdRng`]) seeded with 256
/// bits from the operating system (`getrandom`), so no generator state outlives a token.
/// Characters are sampled with [`rand::distr::Uniform`] over `0..36`, which uses rejection
/// (Lemire's method), so there is no modulo bias.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsSeededGenerator;

impl TokenGenerator for OsSeededGenerator {
    fn new_body(&self) -> Result<String, GenerateError> {
        let mut rng = StdRng::try_from_os_rng().map_err(|_| GenerateError)?;
        let index = Uniform::new(0, ALPHABET.len()).map_err(|_| GenerateError)?;
        Ok(index
            .sample_iter(&mut rng)
            .take(NEW_BODY_LEN)
            .map(|i| char::from(ALPHABET[i]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_lower_hex_sha256_of_the_whole_token() {
        // sha256("igpnedehlkryvkpaszdm3jhyn-us-1"), computed independently with sha256sum.
        let t = Token::parse("igpnedehlkryvkpaszdm3jhyn-us-1", "us-1").unwrap();
        assert_eq!(
            t.digest().as_str(),
            "add582f147029aec6de29e429b4750cd5c7f98c6fc5726e5b773dcf8e45afc7e"
        );
        assert_eq!(t.digest().as_str().len(), 64);
    }

    #[test]
    fn shape_accepts_bodies_of_16_to_64_lower_alnum() {
        for len in [16, 24, 25, 64] {
            let tok = format!("{}-us-1", "a1".repeat(32)[..len].to_owned());
            assert!(Token::parse(&tok, "us-1").is_some(), "{len}");
        }
        // Older tokens: 24 hex characters.
        assert!(Token::parse("0123456789abcdef01234567-us-1", "us-1").is_some());
    }

    #[test]
    fn shape_refuses_everything_else() {
        let bad = [
            "",
            "-us-1",
            "igpnedehlkryvkpaszdm3jhyn",      // no data center
            "igpnedehlkryvkpaszdm3jhyn-us-2", // another data center
            "igpnedehlkryvkpaszdm3jhyn-US-1",
            "IGPNEDEHLKRYVKPASZDM3JHYN-us-1", // upper case
            "igpnedehlkryvkp-us-1",           // 15 characters
            "igpnedehlkryvkpaszdm3jhy_-us-1", // underscore
            "igpnedehlkryvkpaszdm3jhyn -us-1",
            "igpnedehlkryvkpaszdm3jhyn--us-1",
            " igpnedehlkryvkpaszdm3jhyn-us-1",
            "igpnedehlkryvkpaszdm3jhyn-us-1 ",
            "igpnedéhlkryvkpaszdm3jhyn-us-1",
        ];
        for b in bad {
            assert!(Token::parse(b, "us-1").is_none(), "{b:?}");
        }
        let long = format!("{}-us-1", "a".repeat(65));
        assert!(Token::parse(&long, "us-1").is_none());
    }

    #[test]
    fn new_bodies_have_the_issued_shape() {
        for _ in 0..1000 {
            let body = OsSeededGenerator.new_body().unwrap();
            assert_eq!(body.len(), NEW_BODY_LEN);
            assert!(body.bytes().all(|b| ALPHABET.contains(&b)), "{body}");
            let t = Token::from_body(&body, "us-1");
            assert_eq!(Token::parse(t.expose(), "us-1"), Some(t));
        }
    }

    /// Pearson's chi-square over 36 categories (35 degrees of freedom) on 40,000 bodies
    /// (1,000,000 characters). The 0.9999 quantile of chi2(35) is about 77.7, so a correct
    /// generator fails this one time in 10,000; a generator with modulo bias from
    /// `byte % 36` (the first 4 characters 8/7 as likely) scores in the thousands.
    #[test]
    fn characters_are_uniform_over_the_alphabet() {
        let mut counts = [0u64; 36];
        let bodies = 40_000;
        for _ in 0..bodies {
            for b in OsSeededGenerator.new_body().unwrap().bytes() {
                let i = ALPHABET.iter().position(|&a| a == b).unwrap();
                counts[i] += 1;
            }
        }
        let n = (bodies * NEW_BODY_LEN) as f64;
        let expected = n / 36.0;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 77.7, "chi-square {chi2} over {counts:?}");
        // Each position is uniform too (first and last character, 35 dof again).
        let mut first = [0u64; 36];
        for _ in 0..bodies {
            let b = OsSeededGenerator.new_body().unwrap().as_bytes()[0];
            first[ALPHABET.iter().position(|&a| a == b).unwrap()] += 1;
        }
        let e = bodies as f64 / 36.0;
        let chi2_first: f64 = first.iter().map(|&c| (c as f64 - e).powi(2) / e).sum();
        assert!(chi2_first < 77.7, "first-position chi-square {chi2_first}");
    }

    #[test]
    fn a_biased_generator_fails_the_same_check() {
        // The check above can fail: `byte % 36` over 0..=255 makes a..d 8/7 as likely.
        let mut counts = [0u64; 36];
        for i in 0..1_000_000u64 {
            let byte = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8;
            counts[usize::from(byte) % 36] += 1;
        }
        let expected = 1_000_000.0 / 36.0;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 > 77.7, "{chi2}");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let t = Token::parse("igpnedehlkryvkpaszdm3jhyn-us-1", "us-1").unwrap();
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
        assert_eq!(format!("{:?}", t.digest()), "TokenHash(<redacted>)");
    }

    /// A new token stays redacted wherever it is held: in a type deriving `Debug`, pretty
    /// printed, in an `Option` or a `Result` (what a `tracing` field or a panic message
    /// would print).
    #[test]
    fn a_new_token_is_redacted_inside_other_types() {
        #[derive(Debug)]
        #[allow(dead_code)] // read only through Debug
        struct Created {
            token: Token,
            hash: TokenHash,
        }
        let body = OsSeededGenerator.new_body().unwrap();
        let token = Token::from_body(&body, "us-1");
        let created = Created {
            hash: token.digest(),
            token: token.clone(),
        };
        let digest = token.digest().as_str().to_owned();
        let ok: Result<Token, ()> = Ok(token.clone());
        for shown in [
            format!("{created:?}"),
            format!("{created:#?}"),
            format!("{:?}", Some(token)),
            format!("{ok:?}"),
        ] {
            assert!(!shown.contains(&body), "{shown}");
            assert!(!shown.contains(&digest), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
    }
}
