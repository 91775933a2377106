//! `TokenId`: the public handle of a token item (docs/api.md, "TokenId").
//!
//! A ULID (<https://github.com/ulid/spec>): 128 bits written as 26 characters of
//! Crockford's base32 (`0-9A-Z` without `I`, `L`, `O`, `U`). The first 10 characters
//! encode the creation time in milliseconds since the Unix epoch, the other 16 carry 80
//! bits from a CSPRNG. Written upper-case; accepted in either case. Because the time comes
//! first, the string order of TokenIds is their creation order, which is what the
//! `TenantTokens` index sorts on.
//!
//! Not a secret: it names a token in lists and in `DELETE .../apikey/{TokenId}`, and it
//! cannot be turned back into the token.

use std::fmt;

use rand::Rng;
use serde::{Serialize, Serializer};
use ulid::Ulid;

/// Length of a written TokenId.
pub const TOKEN_ID_LEN: usize = ulid::ULID_LEN;

/// A token's ULID. `Display` writes the canonical upper-case form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenId(Ulid);

impl TokenId {
    /// A new id for an item created at `unix_ms` (milliseconds since the Unix epoch), with
    /// 80 random bits from the thread-local CSPRNG (`rand::rng()`: ChaCha12 seeded from the
    /// operating system).
    pub fn new(unix_ms: u64) -> Self {
        Self(Ulid::from_parts(unix_ms, rand::rng().random::<u128>()))
    }

    /// Parses a written TokenId: exactly 26 characters of Crockford base32 in either case,
    /// the first at most `7` (a larger first character would overflow 128 bits). Returns
    /// `None` for any other string; the aliases some base32 decoders accept (`I`, `L`,
    /// `O`) are refused.
    pub fn parse(text: &str) -> Option<Self> {
        let first = *text.as_bytes().first()?;
        if !(b'0'..=b'7').contains(&first) {
            return None;
        }
        Ulid::from_string(text).ok().map(Self)
    }

    /// Milliseconds since the Unix epoch encoded in the id.
    pub fn timestamp_ms(&self) -> u64 {
        self.0.timestamp_ms()
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenId({})", self.0)
    }
}

impl Serialize for TokenId {
    /// As its canonical string, e.g. `"01KBDEVADM0000000000000001"`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_either_case_and_writes_upper_case() {
        let id = TokenId::parse("01kbdevadm0000000000000001").unwrap();
        assert_eq!(id.to_string(), "01KBDEVADM0000000000000001");
        assert_eq!(TokenId::parse("01KBDEVADM0000000000000001"), Some(id));
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "01KBDEVADM000000000000001",   // 25
            "01KBDEVADM00000000000000011", // 27
            "81KBDEVADM0000000000000001",  // overflows 128 bits
            "01KBDEVADM000000000000000I",  // I is not Crockford
            "01KBDEVADM000000000000000L",
            "01KBDEVADM000000000000000O",
            "01KBDEVADM000000000000000U",
            "01KBDEVADM00000000000000-1",
            "01KBDEVADM00000000000000é",
        ] {
            assert_eq!(TokenId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn new_ids_carry_the_time_and_sort_by_it() {
        let a = TokenId::new(1_776_513_600_000);
        let b = TokenId::new(1_776_513_600_001);
        assert_eq!(a.timestamp_ms(), 1_776_513_600_000);
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
        assert_ne!(TokenId::new(5), TokenId::new(5), "80 random bits differ");
        assert_eq!(TokenId::parse(&a.to_string()), Some(a));
    }

    #[test]
    fn serializes_as_its_string() {
        let id = TokenId::parse("01KBDEVADM0000000000000001").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#""01KBDEVADM0000000000000001""#
        );
    }
}
