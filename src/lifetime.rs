//! Token lifetimes: the `expires_in` and `grace` query parameters and the deployment's
//! `MAX_TOKEN_LIFETIME` (docs/api.md, "Expiry").
//!
//! One syntax for all three: whole seconds in plain ASCII decimal digits, leading zeros
//! allowed (`0060` is 60); no sign, no space, no exponent, no other digits (`٦٠` is refused),
//! and never empty: only an absent parameter means the default, so a script whose variable
//! came out empty never gets a token that does not expire. Repeated parameters: the caller
//! passes the first value. A digit string of any length is read without overflow (it
//! saturates, and is then simply out of range).
//!
//! Ranges: `expires_in` and `MAX_TOKEN_LIFETIME` [`MIN_LIFETIME`]..=[`MAX_LIFETIME`]
//! (60 s to 366 days); `grace` 0..=[`MAX_GRACE`] (7 days).

use std::fmt;

use time::{Duration, OffsetDateTime};

use crate::dates;
use crate::parameter::ParameterError;

/// Shortest `expires_in` (and `MAX_TOKEN_LIFETIME`): one minute.
pub const MIN_LIFETIME: Seconds = Seconds(60);
/// Longest `expires_in` (and `MAX_TOKEN_LIFETIME`): 366 days.
pub const MAX_LIFETIME: Seconds = Seconds(31_622_400);
/// Longest `grace` of a rotation: 7 days.
pub const MAX_GRACE: Seconds = Seconds(604_800);
/// The configuration variable holding the deployment's maximum lifetime.
pub const MAX_TOKEN_LIFETIME_VAR: &str = "MAX_TOKEN_LIFETIME";

/// A whole number of seconds, already range-checked by the parser that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seconds(u32);

impl Seconds {
    /// The number of seconds.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// As a [`time::Duration`].
    pub fn duration(self) -> Duration {
        Duration::seconds(i64::from(self.0))
    }

    /// The instant `self` after `start` (e.g. `DateExpires` from `DateCreated`).
    pub fn after(self, start: OffsetDateTime) -> OffsetDateTime {
        start + self.duration()
    }

    /// `self`, or `max` when that is shorter (a lifetime capped by `MAX_TOKEN_LIFETIME`).
    pub fn capped_by(self, max: Option<Seconds>) -> Seconds {
        max.map_or(self, |max| self.min(max))
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A token's expiry as its item records it (`DateExpires`), decided once by the item
/// mapping: absent is [`Expiry::Never`]; a string in the `DateCreated` format is
/// [`Expiry::At`]; anything else is [`Expiry::Unreadable`], and such a token is unusable
/// (fail closed) though not reported as expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expiry {
    /// No `DateExpires`: the token never expires.
    #[default]
    Never,
    /// `DateExpires`, UTC.
    At(OffsetDateTime),
    /// A `DateExpires` that is not a string in the `YYYY-MM-DDTHH:MM:SS` format.
    Unreadable,
}

impl Expiry {
    /// A stored `DateExpires` string: [`Expiry::At`] if it is in the `YYYY-MM-DDTHH:MM:SS`
    /// format ([`crate::dates::parse`]), else [`Expiry::Unreadable`].
    pub fn from_stored(text: &str) -> Self {
        dates::parse(text).map_or(Self::Unreadable, Self::At)
    }

    /// `true` when the token stopped working at or before `now` (`DateExpires <= now`).
    /// An unreadable expiry is not "expired": the caller refuses it separately.
    pub fn has_passed(self, now: OffsetDateTime) -> bool {
        matches!(self, Self::At(at) if at <= now)
    }
}

/// An `expires_in` that breaks its rule (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExpiresInError {
    /// Empty, or not plain ASCII decimal digits.
    #[error("expires_in must be a whole number of seconds from 60 to 31622400 (366 days), written in digits.")]
    NotDigits,
    /// Digits, but below 60 or above 31,622,400.
    #[error("expires_in must be a whole number of seconds from 60 to 31622400 (366 days).")]
    OutOfRange,
    /// Within the range, but above the deployment's `MAX_TOKEN_LIFETIME` (carried here,
    /// so the message names it).
    #[error("expires_in must be at most {0} seconds (this deployment's maximum token lifetime).")]
    AboveMaximum(Seconds),
}

impl ParameterError for ExpiresInError {
    fn reason(&self) -> &'static str {
        match self {
            Self::NotDigits => "invalid_expires_in",
            Self::OutOfRange => "expires_in_out_of_range",
            Self::AboveMaximum(_) => "expires_in_above_maximum",
        }
    }
}

/// A `grace` that breaks its rule (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GraceError {
    /// Empty, or not plain ASCII decimal digits.
    #[error(
        "grace must be a whole number of seconds from 0 to 604800 (7 days), written in digits."
    )]
    NotDigits,
    /// Digits, but above 604,800.
    #[error("grace must be a whole number of seconds from 0 to 604800 (7 days).")]
    OutOfRange,
}

impl ParameterError for GraceError {
    fn reason(&self) -> &'static str {
        match self {
            Self::NotDigits => "invalid_grace",
            Self::OutOfRange => "grace_out_of_range",
        }
    }
}

/// `MAX_TOKEN_LIFETIME` is set to something other than empty or 60 to 31,622,400 digits.
/// The message names the variable (start-up fails with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("MAX_TOKEN_LIFETIME must be unset, empty, or a whole number of seconds from 60 to 31622400 (366 days) in digits")]
pub struct MaxLifetimeError;

/// Reads plain ASCII decimal digits (at least one), saturating at `u64::MAX`, so a digit
/// string of any length is read in one pass without overflow. `None` for anything else.
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit()
            .then(|| n.saturating_mul(10).saturating_add(u64::from(b - b'0')))
    })
}

/// A lifetime in [`MIN_LIFETIME`]..=[`MAX_LIFETIME`].
fn lifetime(text: &str) -> Result<Seconds, ExpiresInError> {
    let n = decimal(text).ok_or(ExpiresInError::NotDigits)?;
    u32::try_from(n)
        .ok()
        .map(Seconds)
        .filter(|s| (MIN_LIFETIME..=MAX_LIFETIME).contains(s))
        .ok_or(ExpiresInError::OutOfRange)
}

/// The lifetime a request asked for: the first `expires_in` value (already
/// percent-decoded), checked against the range and the deployment's maximum. `Ok(None)`
/// only when the parameter is absent (the operation then applies its own default).
///
/// # Errors
/// [`ExpiresInError`]: empty or not digits, out of range, or above `max`.
pub fn requested(
    first_value: Option<&str>,
    max: Option<Seconds>,
) -> Result<Option<Seconds>, ExpiresInError> {
    let Some(text) = first_value else {
        return Ok(None);
    };
    let asked = lifetime(text)?;
    match max {
        Some(max) if asked > max => Err(ExpiresInError::AboveMaximum(max)),
        _ => Ok(Some(asked)),
    }
}

/// A create's lifetime: the requested one, else the deployment's maximum, else `None`
/// (the token never expires).
///
/// # Errors
/// As [`requested`].
pub fn for_create(
    first_value: Option<&str>,
    max: Option<Seconds>,
) -> Result<Option<Seconds>, ExpiresInError> {
    Ok(requested(first_value, max)?.or(max))
}

/// A rotation's `grace`: the first value, 0 to [`MAX_GRACE`]; absent gives 0.
///
/// # Errors
/// [`GraceError`]: empty or not digits, or above 7 days.
pub fn grace(first_value: Option<&str>) -> Result<Seconds, GraceError> {
    let Some(text) = first_value else {
        return Ok(Seconds(0));
    };
    let n = decimal(text).ok_or(GraceError::NotDigits)?;
    u32::try_from(n)
        .ok()
        .map(Seconds)
        .filter(|s| *s <= MAX_GRACE)
        .ok_or(GraceError::OutOfRange)
}

/// The deployment's maximum lifetime from the value of `MAX_TOKEN_LIFETIME`: unset or
/// empty is `None` (no maximum); otherwise the same syntax and range as `expires_in`.
///
/// # Errors
/// [`MaxLifetimeError`] (naming the variable) for any other value.
pub fn max_token_lifetime(value: Option<&str>) -> Result<Option<Seconds>, MaxLifetimeError> {
    match value {
        None | Some("") => Ok(None),
        Some(text) => lifetime(text).map(Some).map_err(|_| MaxLifetimeError),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every malformed spelling the syntax refuses, whatever the parameter.
    const NOT_DIGITS: &[&str] = &[
        "",
        " 60",
        "60 ",
        "6 0",
        "+60",
        "-60",
        "6e1",
        "60.0",
        "60s",
        "0x3c",
        "٦٠",                 // Arabic-Indic digits
        "６０",               // full-width digits
        "\u{0660}\u{0660}60", // Arabic-Indic zeros before ASCII digits
        "60\0",
        "1_000",
        "1,000",
    ];

    #[test]
    fn expires_in_boundaries() {
        assert_eq!(requested(Some("59"), None), Err(ExpiresInError::OutOfRange));
        assert_eq!(requested(Some("60"), None), Ok(Some(Seconds(60))));
        assert_eq!(
            requested(Some("31622400"), None),
            Ok(Some(Seconds(31_622_400)))
        );
        assert_eq!(
            requested(Some("31622401"), None),
            Err(ExpiresInError::OutOfRange)
        );
        assert_eq!(requested(Some("0"), None), Err(ExpiresInError::OutOfRange));
        assert_eq!(MIN_LIFETIME.get(), 60);
        assert_eq!(MAX_LIFETIME.get(), 366 * 24 * 3600);
    }

    #[test]
    fn absent_means_default_and_empty_is_refused() {
        assert_eq!(requested(None, None), Ok(None));
        assert_eq!(requested(Some(""), None), Err(ExpiresInError::NotDigits));
        assert_eq!(
            requested(Some(""), Some(Seconds(3600))),
            Err(ExpiresInError::NotDigits)
        );
    }

    #[test]
    fn leading_zeros_are_allowed() {
        assert_eq!(requested(Some("060"), None), Ok(Some(Seconds(60))));
        assert_eq!(
            requested(Some("0000000000000000000000000000000000060"), None),
            Ok(Some(Seconds(60)))
        );
        assert_eq!(
            requested(Some("00031622400"), None),
            Ok(Some(Seconds(31_622_400)))
        );
        assert_eq!(
            requested(Some("059"), None),
            Err(ExpiresInError::OutOfRange)
        );
        assert_eq!(
            requested(Some("000"), None),
            Err(ExpiresInError::OutOfRange)
        );
    }

    #[test]
    fn anything_but_ascii_digits_is_refused() {
        for v in NOT_DIGITS {
            assert_eq!(
                requested(Some(v), None),
                Err(ExpiresInError::NotDigits),
                "{v:?}"
            );
            assert_eq!(grace(Some(v)), Err(GraceError::NotDigits), "{v:?}");
            assert_eq!(max_token_lifetime(Some(v)).is_err(), !v.is_empty(), "{v:?}");
        }
    }

    #[test]
    fn huge_digit_strings_do_not_overflow() {
        for v in [
            "4294967296".to_owned(),           // u32::MAX + 1
            "4294967356".to_owned(),           // wraps to 60 as u32
            "18446744073709551616".to_owned(), // u64::MAX + 1
            "18446744073709551676".to_owned(), // wraps to 60 as u64
            "9".repeat(10_000),
            format!("1{}", "0".repeat(100_000)),
        ] {
            assert_eq!(requested(Some(&v), None), Err(ExpiresInError::OutOfRange));
            assert_eq!(grace(Some(&v)), Err(GraceError::OutOfRange));
            assert_eq!(max_token_lifetime(Some(&v)), Err(MaxLifetimeError));
        }
        assert_eq!(decimal(&"9".repeat(50)), Some(u64::MAX));
    }

    #[test]
    fn the_deployment_maximum_caps_and_is_named() {
        let max = Some(Seconds(2_592_000));
        assert_eq!(
            requested(Some("2592000"), max),
            Ok(Some(Seconds(2_592_000)))
        );
        let err = requested(Some("2592001"), max).unwrap_err();
        assert_eq!(err, ExpiresInError::AboveMaximum(Seconds(2_592_000)));
        assert_eq!(
            err.to_string(),
            "expires_in must be at most 2592000 seconds (this deployment's maximum token lifetime)."
        );
        // Out of range is reported as such even when a maximum is set.
        assert_eq!(
            requested(Some("31622401"), max),
            Err(ExpiresInError::OutOfRange)
        );
        assert_eq!(requested(Some("59"), max), Err(ExpiresInError::OutOfRange));
    }

    #[test]
    fn create_defaults_to_the_maximum_or_never() {
        let max = Some(Seconds(86_400));
        assert_eq!(for_create(None, None), Ok(None));
        assert_eq!(for_create(None, max), Ok(Some(Seconds(86_400))));
        assert_eq!(for_create(Some("120"), max), Ok(Some(Seconds(120))));
        assert_eq!(for_create(Some("120"), None), Ok(Some(Seconds(120))));
        assert_eq!(
            for_create(Some("86401"), max),
            Err(ExpiresInError::AboveMaximum(Seconds(86_400)))
        );
        assert_eq!(for_create(Some(""), max), Err(ExpiresInError::NotDigits));
    }

    #[test]
    fn max_token_lifetime_boundaries() {
        assert_eq!(max_token_lifetime(None), Ok(None));
        assert_eq!(max_token_lifetime(Some("")), Ok(None));
        assert_eq!(max_token_lifetime(Some("59")), Err(MaxLifetimeError));
        assert_eq!(max_token_lifetime(Some("60")), Ok(Some(Seconds(60))));
        assert_eq!(
            max_token_lifetime(Some("31622400")),
            Ok(Some(Seconds(31_622_400)))
        );
        assert_eq!(max_token_lifetime(Some("31622401")), Err(MaxLifetimeError));
        assert_eq!(max_token_lifetime(Some("0")), Err(MaxLifetimeError));
        assert_eq!(max_token_lifetime(Some("00600")), Ok(Some(Seconds(600))));
        assert_eq!(max_token_lifetime(Some(" ")), Err(MaxLifetimeError));
        assert!(MaxLifetimeError
            .to_string()
            .contains(MAX_TOKEN_LIFETIME_VAR));
    }

    #[test]
    fn grace_boundaries() {
        assert_eq!(grace(None), Ok(Seconds(0)));
        assert_eq!(grace(Some("0")), Ok(Seconds(0)));
        assert_eq!(grace(Some("000")), Ok(Seconds(0)));
        assert_eq!(grace(Some("1")), Ok(Seconds(1)));
        assert_eq!(grace(Some("604800")), Ok(Seconds(604_800)));
        assert_eq!(grace(Some("604801")), Err(GraceError::OutOfRange));
        assert_eq!(grace(Some("")), Err(GraceError::NotDigits));
    }

    #[test]
    fn messages_and_reasons() {
        for (err, reason) in [
            (ExpiresInError::NotDigits, "invalid_expires_in"),
            (ExpiresInError::OutOfRange, "expires_in_out_of_range"),
            (
                ExpiresInError::AboveMaximum(Seconds(60)),
                "expires_in_above_maximum",
            ),
        ] {
            assert_eq!(err.reason(), reason);
            assert!(err.to_string().starts_with("expires_in must be"));
            assert!(err.to_string().ends_with('.'));
        }
        for (err, reason) in [
            (GraceError::NotDigits, "invalid_grace"),
            (GraceError::OutOfRange, "grace_out_of_range"),
        ] {
            assert_eq!(err.reason(), reason);
            assert!(err.to_string().starts_with("grace must be"));
        }
    }

    #[test]
    fn expiry_passes_at_its_date() {
        let at = time::macros::datetime!(2026-12-07 10:00:00 UTC);
        let second = Duration::seconds(1);
        assert!(!Expiry::At(at).has_passed(at - second));
        assert!(Expiry::At(at).has_passed(at));
        assert!(Expiry::At(at).has_passed(at + second));
        assert!(!Expiry::Never.has_passed(at));
        assert!(!Expiry::Unreadable.has_passed(at));
        assert_eq!(Expiry::default(), Expiry::Never);
        assert_eq!(Expiry::from_stored("2026-12-07T10:00:00"), Expiry::At(at));
        for bad in [
            "",
            "2026-12-07",
            "2026-12-07T10:00:00Z",
            "2026-12-07 10:00:00",
            "x",
        ] {
            assert_eq!(Expiry::from_stored(bad), Expiry::Unreadable, "{bad:?}");
        }
    }

    #[test]
    fn arithmetic() {
        let start = time::macros::datetime!(2026-12-31 23:59:30 UTC);
        assert_eq!(
            Seconds(60).after(start),
            time::macros::datetime!(2027-01-01 00:00:30 UTC)
        );
        assert_eq!(
            MAX_LIFETIME.after(time::macros::datetime!(2028-01-01 00:00 UTC)),
            time::macros::datetime!(2029-01-01 00:00 UTC)
        );
        assert_eq!(Seconds(600).capped_by(Some(Seconds(60))), Seconds(60));
        assert_eq!(Seconds(60).capped_by(Some(Seconds(600))), Seconds(60));
        assert_eq!(Seconds(600).capped_by(None), Seconds(600));
        assert_eq!(Seconds(600).to_string(), "600");
    }
}
