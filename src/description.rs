//! The `description` query parameter.
//!
//! Rules (docs/api.md, "Create"): percent-decoded exactly once (`+` is a space), at most
//! [`MAX_DESCRIPTION_CHARS`] Unicode scalar values, no control characters (Unicode
//! general category Cc, i.e. U+0000–U+001F and U+007F–U+009F), absent or empty gives `""`,
//! the first of repeated values wins. The value is stored and returned exactly as decoded.
//!
//! Decoding is done by `lambda_http` for every front door: API Gateway REST (payload 1.0)
//! hands us values it already decoded; for HTTP API (payload 2.0) and Function URLs
//! `lambda_http` parses `rawQueryString` as `application/x-www-form-urlencoded` (WHATWG
//! URL §5.1); for ALB it decodes the still-encoded values once. A malformed escape such as
//! `100%` is kept literally (WHATWG behaviour), so `description=100%` stores `100%`.

/// Longest description accepted, in Unicode scalar values (Rust `char`s).
pub const MAX_DESCRIPTION_CHARS: usize = 255;

/// Why a description was refused (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    /// More than [`MAX_DESCRIPTION_CHARS`] characters.
    #[error("The description must be at most 255 characters long.")]
    TooLong,
    /// Contains a control character (Unicode category Cc), e.g. a newline or a tab.
    #[error("The description must not contain control characters such as tabs or line breaks.")]
    ControlCharacter,
}

/// Validates the first `description` value (already percent-decoded); `None` gives `""`.
///
/// # Errors
/// [`DescriptionError`] if it is too long or contains a control character.
pub fn validate(first_value: Option<&str>) -> Result<String, DescriptionError> {
    let value = first_value.unwrap_or("");
    // `char::is_control` is exactly Unicode general category Cc.
    if value.chars().any(char::is_control) {
        return Err(DescriptionError::ControlCharacter);
    }
    if value.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(DescriptionError::TooLong);
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_and_empty_give_empty() {
        assert_eq!(validate(None).unwrap(), "");
        assert_eq!(validate(Some("")).unwrap(), "");
    }

    #[test]
    fn kept_exactly_as_given() {
        for v in [
            "Zapier integration",
            "  leading and trailing  ",
            "100% done",
            "build bot + C++",
            "✓ ünïcödé 日本語 🎉",
            "<script>alert(1)</script>",
            "\"quoted\" and \\backslash",
            "\u{200B}zero width",
        ] {
            assert_eq!(validate(Some(v)).unwrap(), v);
        }
    }

    #[test]
    fn length_is_counted_in_scalar_values() {
        assert!(validate(Some(&"a".repeat(255))).is_ok());
        assert_eq!(
            validate(Some(&"a".repeat(256))),
            Err(DescriptionError::TooLong)
        );
        // 255 four-byte characters (1020 bytes) are fine; 256 are not.
        assert!(validate(Some(&"🎉".repeat(255))).is_ok());
        assert_eq!(
            validate(Some(&"🎉".repeat(256))),
            Err(DescriptionError::TooLong)
        );
        // A combining sequence counts each scalar value.
        assert_eq!(
            validate(Some(&"e\u{301}".repeat(128))),
            Err(DescriptionError::TooLong)
        );
    }

    #[test]
    fn control_characters_are_refused() {
        for c in [
            '\0', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{80}', '\u{9f}',
        ] {
            let v = format!("a{c}b");
            assert_eq!(
                validate(Some(&v)),
                Err(DescriptionError::ControlCharacter),
                "{c:?}"
            );
        }
        // Format characters (Cf) and line/paragraph separators (Zl, Zp) are not Cc.
        for c in ['\u{200B}', '\u{2028}', '\u{2029}', '\u{a0}'] {
            assert!(validate(Some(&format!("a{c}b"))).is_ok(), "{c:?}");
        }
    }
}
