//! The caller's credentials: the `Authorization` header.
//!
//! Accepted forms (the scheme is case-insensitive, RFC 9110 §11.1):
//! - `Bearer <token>` (RFC 6750 §2.1);
//! - `Basic base64(<user>:<token>)` (RFC 7617): the token is the password, the user is
//!   ignored (DailyStory's clients send `api`).
//!
//! Anything else — no header, two headers, an unknown scheme, bad base64, non-UTF-8 bytes,
//! a token of the wrong shape — is [`CredentialError`], which the endpoint answers with the
//! same 401 whatever the reason, before touching the database. "Two headers" covers every
//! front door: [`crate::event`] keeps the repetition an event carries (several values in
//! `multiValueHeaders`, the name under two spellings, `headers` and `multiValueHeaders`
//! that disagree) as repeated field lines; an HTTP API joins repeats with commas, which
//! leaves a token of the wrong shape.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::http::HeaderMap;

use crate::token::Token;

/// Longest `Authorization` value examined. The longest acceptable one is
/// `Basic base64(user:token)` with a short user and a 64-character body; anything far
/// longer is refused without decoding.
pub const MAX_AUTHORIZATION_LEN: usize = 1024;

/// Why no usable token was found. Used for logs only; the client sees one 401 for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No `Authorization` header.
    #[error("no Authorization header")]
    Missing,
    /// More than one `Authorization` header (ambiguous; refused).
    #[error("more than one Authorization header")]
    Repeated,
    /// Not `Bearer` or `Basic`, or malformed (bad base64, no colon, not UTF-8, too long).
    #[error("malformed Authorization header")]
    Malformed,
    /// Well-formed header whose token is not `<[a-z0-9]{16,64}>-<DATA_CENTER>`.
    #[error("token has the wrong shape")]
    BadShape,
}

impl CredentialError {
    /// A short stable name for the log line's `reason` field.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "no_credentials",
            Self::Repeated => "repeated_authorization",
            Self::Malformed => "malformed_authorization",
            Self::BadShape => "malformed_token",
        }
    }
}

/// base64 as in RFC 4648 §4, accepting values with or without `=` padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Finds the caller's token in `headers` and checks its shape against `data_center`.
///
/// # Errors
/// [`CredentialError`] when there is no single usable `Authorization` header or its
/// token has the wrong shape.
pub fn presented_token(headers: &HeaderMap, data_center: &str) -> Result<Token, CredentialError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(CredentialError::Missing)?;
    if values.next().is_some() {
        return Err(CredentialError::Repeated);
    }
    parse_authorization(value.as_bytes(), data_center)
}

/// Parses one `Authorization` field value (raw bytes, as HTTP allows) into a token.
///
/// # Errors
/// See [`presented_token`].
pub fn parse_authorization(value: &[u8], data_center: &str) -> Result<Token, CredentialError> {
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(CredentialError::Malformed);
    }
    let value = std::str::from_utf8(value).map_err(|_| CredentialError::Malformed)?;
    // RFC 9110 §5.5: a field value has no leading or trailing whitespace.
    let value = value.trim_matches([' ', '\t']);
    let (scheme, credentials) = value.split_once(' ').ok_or(CredentialError::Malformed)?;
    // RFC 9110 §11.4: one or more spaces separate the scheme from the credentials.
    let credentials = credentials.trim_start_matches(' ');
    if scheme.eq_ignore_ascii_case("bearer") {
        Token::parse(credentials, data_center).ok_or(CredentialError::BadShape)
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = BASE64
            .decode(credentials)
            .map_err(|_| CredentialError::Malformed)?;
        let decoded = String::from_utf8(decoded).map_err(|_| CredentialError::Malformed)?;
        // RFC 7617 §2: the user-id cannot contain a colon; the password may.
        let (_user, password) = decoded.split_once(':').ok_or(CredentialError::Malformed)?;
        Token::parse(password, data_center).ok_or(CredentialError::BadShape)
    } else {
        Err(CredentialError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    const TOKEN: &str = "igpnedehlkryvkpaszdm3jhyn-us-1";

    fn parse(v: &str) -> Result<Token, CredentialError> {
        parse_authorization(v.as_bytes(), "us-1")
    }

    fn basic(userpass: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(userpass)
        )
    }

    #[test]
    fn bearer_with_any_scheme_case() {
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let t = parse(&format!("{scheme} {TOKEN}")).unwrap();
            assert_eq!(t.expose(), TOKEN);
        }
        assert_eq!(
            parse(&format!("Bearer   {TOKEN}  ")).unwrap().expose(),
            TOKEN
        );
    }

    #[test]
    fn basic_takes_the_password_as_the_token() {
        for user in ["api", "", "someone else", "x@example.com"] {
            let t = parse(&basic(&format!("{user}:{TOKEN}"))).unwrap();
            assert_eq!(t.expose(), TOKEN);
        }
        assert_eq!(
            parse(&format!("basic {}", &basic(&format!("api:{TOKEN}"))[6..]))
                .unwrap()
                .expose(),
            TOKEN
        );
        // Unpadded base64 is accepted too ("api:" + 30 characters = 34 bytes needs padding).
        let unpadded = basic(&format!("api:{TOKEN}"))
            .trim_end_matches('=')
            .to_owned();
        assert_eq!(parse(&unpadded).unwrap().expose(), TOKEN);
    }

    #[test]
    fn every_malformed_form_is_refused() {
        let cases: Vec<(String, CredentialError)> = vec![
            (String::new(), CredentialError::Malformed),
            ("Bearer".into(), CredentialError::Malformed),
            ("Bearer ".into(), CredentialError::Malformed),
            (TOKEN.into(), CredentialError::Malformed), // no scheme
            (format!("Token {TOKEN}"), CredentialError::Malformed),
            (format!("Bearer{TOKEN}"), CredentialError::Malformed),
            (format!("Bearer\t{TOKEN}"), CredentialError::Malformed),
            (format!("Bearer {TOKEN} extra"), CredentialError::BadShape),
            (format!("Bearer {TOKEN},"), CredentialError::BadShape),
            (format!("Bearer \"{TOKEN}\""), CredentialError::BadShape),
            ("Bearer igpnedehlkryvkpaszdm3jhyn-eu-1".into(), CredentialError::BadShape),
            ("Bearer IGPNEDEHLKRYVKPASZDM3JHYN-us-1".into(), CredentialError::BadShape),
            ("Bearer short-us-1".into(), CredentialError::BadShape),
            (format!("Basic {TOKEN}"), CredentialError::Malformed), // not base64 of user:pass
            ("Basic !!!!".into(), CredentialError::Malformed),
            (basic(TOKEN), CredentialError::Malformed), // no colon
            (basic(&format!("{TOKEN}:")), CredentialError::BadShape), // token as the user
            (basic(&format!("api:{TOKEN}\n")), CredentialError::BadShape),
            (format!("Bearer {TOKEN}\r\nX-Injected: 1"), CredentialError::BadShape),
            (format!("Bearer {}", "a".repeat(8 * 1024)), CredentialError::Malformed),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7".into(), CredentialError::Malformed),
        ];
        for (value, expected) in cases {
            assert_eq!(
                parse(&value).map(|t| t.expose().to_owned()),
                Err(expected),
                "{value:?}"
            );
        }
        // Bytes that are not UTF-8.
        let mut raw = b"Bearer ".to_vec();
        raw.extend_from_slice(&[0xff, 0xfe]);
        assert_eq!(
            parse_authorization(&raw, "us-1").map(|_| ()),
            Err(CredentialError::Malformed)
        );
        // Basic whose decoded bytes are not UTF-8.
        let v = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode([b'a', b':', 0xff])
        );
        assert_eq!(parse(&v).map(|_| ()), Err(CredentialError::Malformed));
    }

    #[test]
    fn header_presence_and_repetition() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            presented_token(&headers, "us-1").map(|_| ()),
            Err(CredentialError::Missing)
        );
        headers.append(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {TOKEN}")).unwrap(),
        );
        assert_eq!(presented_token(&headers, "us-1").unwrap().expose(), TOKEN);
        headers.append(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {TOKEN}")).unwrap(),
        );
        assert_eq!(
            presented_token(&headers, "us-1").map(|_| ()),
            Err(CredentialError::Repeated)
        );
    }
}
