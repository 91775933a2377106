//! The `description` query parameter.
//!
//! Rules (docs/api.md, "Create"): percent-decoded exactly once (`+` is a space), at most
//! [`MAX_DESCRIPTION_CHARS`] Unicode scalar values, no control characters (Unicode
//! general category Cc, i.e. U+0000–U+001F and U+007F–U+009F), no line or paragraph
//! separator and no bidirectional formatting character ([`REFUSED_FORMAT_CHARACTERS`]),
//! absent or empty gives `""`, the first of repeated values wins. The value is stored and
//! returned exactly as decoded.
//!
//! Why the bidirectional ones: a description is shown in consoles, terminals and lists next
//! to other text. An override or isolate (U+202A–U+202E, U+2066–U+2069) reorders what
//! follows it, so `abc\u{202E}fdp.exe` displays as `abcexe.pdf`, the "Trojan Source" class
//! (CVE-2021-42574); a line or paragraph separator breaks a one-line listing like a newline.
//! The implicit marks (U+200E, U+200F, U+061C) only move neutral characters such as digits
//! and punctuation, but that is enough to make `v1-2` read as `2-v1`; a label needs none of
//! them (right-to-left text displays correctly without), so they are refused too.
//!
//! Decoding is done by `lambda_http` for every front door: API Gateway REST (payload 1.0)
//! hands us values it already decoded; for HTTP API (payload 2.0) and Function URLs
//! `lambda_http` parses `rawQueryString` as `application/x-www-form-urlencoded` (WHATWG
//! URL §5.1); for ALB it decodes the still-encoded values once. A malformed escape such as
//! `100%` is kept literally (WHATWG behaviour), so `description=100%` stores `100%`.

/// Longest description accepted, in Unicode scalar values (Rust `char`s).
pub const MAX_DESCRIPTION_CHARS: usize = 255;

/// Characters refused besides category Cc, answered like control characters: the line and
/// paragraph separators, the bidirectional embeddings, overrides and isolates, and the
/// implicit bidirectional marks (Unicode Standard Annex #9, "Unicode Bidirectional
/// Algorithm", table 1).
pub const REFUSED_FORMAT_CHARACTERS: [char; 14] = [
    '\u{2028}', // LINE SEPARATOR
    '\u{2029}', // PARAGRAPH SEPARATOR
    '\u{202A}', // LEFT-TO-RIGHT EMBEDDING
    '\u{202B}', // RIGHT-TO-LEFT EMBEDDING
    '\u{202C}', // POP DIRECTIONAL FORMATTING
    '\u{202D}', // LEFT-TO-RIGHT OVERRIDE
    '\u{202E}', // RIGHT-TO-LEFT OVERRIDE
    '\u{2066}', // LEFT-TO-RIGHT ISOLATE
    '\u{2067}', // RIGHT-TO-LEFT ISOLATE
    '\u{2068}', // FIRST STRONG ISOLATE
    '\u{2069}', // POP DIRECTIONAL ISOLATE
    '\u{200E}', // LEFT-TO-RIGHT MARK
    '\u{200F}', // RIGHT-TO-LEFT MARK
    '\u{061C}', // ARABIC LETTER MARK
];

/// Why a description was refused (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    /// More than [`MAX_DESCRIPTION_CHARS`] characters.
    #[error("The description must be at most 255 characters long.")]
    TooLong,
    /// Contains a control character (Unicode category Cc), e.g. a newline or a tab, or one
    /// of [`REFUSED_FORMAT_CHARACTERS`].
    #[error(
        "The description must not contain control characters such as tabs or line breaks, \
         or characters that change the direction of text."
    )]
    ControlCharacter,
}

/// Validates the first `description` value (already percent-decoded); `None` gives `""`.
///
/// # Errors
/// [`DescriptionError`] if it is too long or contains a control character or one of
/// [`REFUSED_FORMAT_CHARACTERS`].
pub fn validate(first_value: Option<&str>) -> Result<String, DescriptionError> {
    let value = first_value.unwrap_or("");
    // `char::is_control` is exactly Unicode general category Cc.
    if value
        .chars()
        .any(|c| c.is_control() || REFUSED_FORMAT_CHARACTERS.contains(&c))
    {
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
        // Other format characters (Cf) and spaces are kept: zero width space and joiner
        // (emoji sequences), soft hyphen, no-break space, byte order mark.
        for c in ['\u{200B}', '\u{200D}', '\u{ad}', '\u{a0}', '\u{feff}'] {
            assert!(validate(Some(&format!("a{c}b"))).is_ok(), "{c:?}");
        }
    }

    #[test]
    fn separators_and_bidirectional_formatting_are_refused_like_control_characters() {
        let refused = [
            '\u{2028}', '\u{2029}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ];
        assert_eq!(refused, REFUSED_FORMAT_CHARACTERS);
        for c in refused {
            for v in [
                format!("{c}"),
                format!("a{c}b"),
                format!("invoice{c}fdp.exe"),
            ] {
                assert_eq!(
                    validate(Some(&v)),
                    Err(DescriptionError::ControlCharacter),
                    "{c:?}"
                );
            }
        }
        // The Trojan Source example: displays as "abcexe.pdf".
        assert_eq!(
            validate(Some("abc\u{202E}fdp.exe")),
            Err(DescriptionError::ControlCharacter)
        );
        // Right-to-left text itself is fine; only the formatting characters are refused.
        for v in ["שלום עולם", "مرحبا 123", "English עברית mixed"] {
            assert_eq!(validate(Some(v)).unwrap(), v);
        }
    }
}
