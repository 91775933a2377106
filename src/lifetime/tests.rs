//! The lifetime rules at their boundaries: `expires_in`, `grace`, `MAX_TOKEN_LIFETIME`, `Expiry`.
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
