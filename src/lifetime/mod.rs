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
mod tests;
