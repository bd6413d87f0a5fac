//! The code reader: turns what a clerk typed or a scanner sent into the 13-digit code to look up.
//!
//! ```
//! use booktax::core::code::{read_code, CodeKind};
//!
//! // ISBN-10 with hyphens becomes its 978 ISBN-13.
//! let code = read_code("ISBN：957-678-000-4").unwrap();
//! assert_eq!(code.kind, CodeKind::Isbn);
//! assert_eq!(code.code, "9789576780004");
//!
//! // Full-width digits as a zh-TW input method types them.
//! assert_eq!(read_code("９７８９８６０４７７２２１").unwrap().code, "9789860477221");
//!
//! // A boxed set's own barcode is an EAN-13, not an ISBN.
//! assert_eq!(read_code("8667106506069").unwrap().kind, CodeKind::Ean);
//!
//! // A wrong check digit says which one was expected.
//! let err = read_code("9789576780005").unwrap_err();
//! assert_eq!(err.code(), "bad_checksum");
//! assert!(err.to_string().contains('4'));
//! ```

use crate::core::lang::Lang;
use std::fmt;

/// What a code names: a book (978/979 prefix) or another EAN-13 (a boxed set's barcode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// A book: ISBN-13 (978/979).
    Isbn,
    /// Any other EAN-13: a boxed set's barcode.
    Ean,
}

impl CodeKind {
    /// As JavaScript sees it: `isbn` or `ean`.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeKind::Isbn => "isbn",
            CodeKind::Ean => "ean",
        }
    }
}

/// A code ready for the API: always 13 ASCII digits with a valid check digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// A book or a boxed set.
    pub kind: CodeKind,
    /// The 13 digits.
    pub code: String,
    /// The 2- or 5-digit add-on a scanner appended (price or issue number), if any.
    pub addon: Option<String>,
}

/// Why a typed or scanned string is not a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// Nothing but spaces, hyphens or a label.
    Empty,
    /// A character that is not a digit, a separator or a final ISBN-10 `X`.
    InvalidChars {
        /// The first such character.
        found: char,
    },
    /// A number of digits that no code has (10, 13, 15 or 18 are read).
    BadLength {
        /// How many digits there were.
        digits: usize,
    },
    /// The last digit does not match the rest.
    BadChecksum {
        /// The check digit the rest calls for.
        expected: char,
        /// The check digit given.
        found: char,
    },
}

impl CodeError {
    /// The machine-readable kind, as JavaScript sees it in `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            CodeError::Empty => "empty",
            CodeError::InvalidChars { .. } => "invalid_chars",
            CodeError::BadLength { .. } => "bad_length",
            CodeError::BadChecksum { .. } => "bad_checksum",
        }
    }
}

impl CodeError {
    /// What went wrong and what to do, for the clerk, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            CodeError::Empty => lang
                .pick(
                    "請輸入或掃描 ISBN／EAN 條碼",
                    "Type or scan an ISBN / EAN barcode",
                )
                .to_string(),
            CodeError::InvalidChars { found } if found.is_control() => crate::say!(
                lang,
                "含有無法辨識的控制字元（U+{:04X}），請只輸入數字",
                "Contains an unreadable control character (U+{:04X}); type digits only",
                *found as u32
            ),
            CodeError::InvalidChars { found } => crate::say!(
                lang,
                "含有無法辨識的字元「{}」，請只輸入數字（ISBN-10 末碼可為 X）",
                "Contains an unreadable character \"{}\"; type digits only (an ISBN-10 may end in X)",
                found
            ),
            CodeError::BadLength { digits } => crate::say!(
                lang,
                "長度不符：讀到 {} 位數字，ISBN 應為 10 或 13 碼，EAN 條碼為 13 碼",
                "Wrong length: {} digits read; an ISBN has 10 or 13 digits, an EAN barcode 13",
                digits
            ),
            CodeError::BadChecksum { expected, found } => crate::say!(
                lang,
                "檢查碼錯誤：最後一碼應為 {}，卻是 {}，請重新掃描或核對輸入",
                "Check digit wrong: the last digit should be {}, not {}; scan again or check what was typed",
                expected,
                found
            ),
        }
    }
}

impl fmt::Display for CodeError {
    /// The zh-TW text of [`CodeError::describe`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::ZhTw))
    }
}

impl std::error::Error for CodeError {}

impl std::str::FromStr for Code {
    type Err = CodeError;

    /// The same as [`read_code`]: `"957-678-000-4".parse::<Code>()`.
    fn from_str(s: &str) -> Result<Code, CodeError> {
        read_code(s)
    }
}

/// Reads one code from anything typed or scanned. Never panics.
///
/// Accepted: ISBN-13 and EAN-13 with a valid check digit, ISBN-10 (converted to
/// its 978 ISBN-13), hyphens, spaces and the ideographic space, full-width
/// digits and letters, a leading `ISBN` / `ISBN-10` / `ISBN-13` label with an
/// optional colon, and a 2- or 5-digit add-on after a 978/979 code.
///
/// # Errors
///
/// A [`CodeError`] saying what is wrong: empty, a foreign character, a length
/// no code has, or a check digit that does not match (naming the right one).
pub fn read_code(input: &str) -> Result<Code, CodeError> {
    let folded: String = input.chars().map(fold_width).collect();
    let body = strip_label(folded.trim_matches(is_separator));

    let mut digits = String::with_capacity(18);
    let mut x_at = None;
    let mut found_invalid = None;
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            'X' | 'x' if x_at.is_none() => {
                x_at = Some(digits.len());
                digits.push('X');
            }
            c if is_separator(c) => {}
            c => {
                found_invalid.get_or_insert(c);
            }
        }
    }
    if let Some(found) = found_invalid {
        return Err(CodeError::InvalidChars { found });
    }
    match x_at {
        // An X is only ever the check digit of an ISBN-10.
        Some(at) if at != 9 || digits.len() != 10 => {
            return Err(CodeError::InvalidChars { found: 'X' });
        }
        _ => {}
    }

    match digits.len() {
        0 => Err(CodeError::Empty),
        10 => {
            let expected = isbn10_check(&digits[..9]);
            let found = digits.as_bytes()[9] as char;
            if expected != found {
                return Err(CodeError::BadChecksum { expected, found });
            }
            Ok(Code {
                kind: CodeKind::Isbn,
                code: isbn10_to_13(&digits),
                addon: None,
            })
        }
        13 => read_ean13(&digits, None),
        15 | 18 if digits.starts_with("978") || digits.starts_with("979") => {
            read_ean13(&digits[..13], Some(digits[13..].to_string()))
        }
        n => Err(CodeError::BadLength { digits: n }),
    }
}

fn read_ean13(digits: &str, addon: Option<String>) -> Result<Code, CodeError> {
    let expected = ean13_check(&digits[..12]);
    let found = digits.as_bytes()[12] as char;
    if expected != found {
        return Err(CodeError::BadChecksum { expected, found });
    }
    let kind = if digits.starts_with("978") || digits.starts_with("979") {
        CodeKind::Isbn
    } else {
        CodeKind::Ean
    };
    Ok(Code {
        kind,
        code: digits.to_string(),
        addon,
    })
}

/// The EAN-13 check digit of 12 ASCII digits.
///
/// ```
/// assert_eq!(booktax::core::code::ean13_check("978957678000"), '4');
/// ```
pub fn ean13_check(first12: &str) -> char {
    let sum: u32 = first12
        .bytes()
        .take(12)
        .enumerate()
        .map(|(i, b)| u32::from(b.wrapping_sub(b'0')) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// The ISBN-10 check character (`0`–`9` or `X`) of 9 ASCII digits.
///
/// ```
/// assert_eq!(booktax::core::code::isbn10_check("957678000"), '4');
/// ```
pub fn isbn10_check(first9: &str) -> char {
    let sum: u32 = first9
        .bytes()
        .take(9)
        .enumerate()
        .map(|(i, b)| u32::from(b.wrapping_sub(b'0')) * (10 - i as u32))
        .sum();
    match (11 - sum % 11) % 11 {
        10 => 'X',
        n => char::from(b'0' + n as u8),
    }
}

/// The 978 ISBN-13 of a valid ISBN-10.
///
/// ```
/// assert_eq!(booktax::core::code::isbn10_to_13("9576780004"), "9789576780004");
/// ```
pub fn isbn10_to_13(isbn10: &str) -> String {
    let mut code = String::with_capacity(13);
    code.push_str("978");
    code.push_str(&isbn10[..9]);
    code.push(ean13_check(&code));
    code
}

/// The ISBN-10 of a 978 ISBN-13, if it has one (979 codes have none).
///
/// ```
/// assert_eq!(booktax::core::code::isbn13_to_10("9789576780004").as_deref(), Some("9576780004"));
/// assert_eq!(booktax::core::code::isbn13_to_10("9791234567896"), None);
/// ```
pub fn isbn13_to_10(isbn13: &str) -> Option<String> {
    if isbn13.len() != 13 || !isbn13.starts_with("978") || !isbn13.is_ascii() {
        return None;
    }
    let mut code = isbn13[3..12].to_string();
    code.push(isbn10_check(&code));
    Some(code)
}

/// Full-width forms (U+FF01..U+FF5E) to ASCII, and the many dashes to `-`.
fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{30FC}' => '-',
        _ => c,
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, '-' | ' ' | '\t' | '\u{00A0}' | '\u{3000}' | '\r' | '\n')
}

/// Drops a leading `ISBN`, `ISBN-10`, `ISBN-13` or `ISBN13` label and its colon.
fn strip_label(s: &str) -> &str {
    let Some(head) = s.get(..4) else { return s };
    if !head.eq_ignore_ascii_case("isbn") {
        return s;
    }
    let mut rest = &s[4..];
    for suffix in ["-13", "-10", "13", "10"] {
        if let Some(r) = rest.strip_prefix(suffix) {
            // "ISBN13:" is a label; "ISBN 13..." is the start of the number.
            if r.trim_start_matches(is_separator).starts_with(':') || r.starts_with(' ') {
                rest = r;
                break;
            }
        }
    }
    let rest = rest.trim_start_matches(is_separator);
    rest.strip_prefix(':')
        .unwrap_or(rest)
        .trim_start_matches(is_separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> Code {
        read_code(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }

    fn err(input: &str) -> CodeError {
        read_code(input).expect_err(input)
    }

    #[test]
    fn isbn13_plain_and_hyphenated() {
        assert_eq!(ok("9789576780004").code, "9789576780004");
        assert_eq!(ok("978-957-678-000-4").code, "9789576780004");
        assert_eq!(ok("  978 957 678 000 4 ").code, "9789576780004");
        assert_eq!(ok("9789576780004").kind, CodeKind::Isbn);
        assert_eq!(ok("9791234567896").kind, CodeKind::Isbn);
    }

    #[test]
    fn labels() {
        for input in [
            "ISBN 9789576780004",
            "ISBN:9789576780004",
            "isbn: 978-957-678-000-4",
            "ISBN：9789576780004",
            "ＩＳＢＮ：９７８９５７６７８０００４",
            "ISBN-13: 978-957-678-000-4",
            "ISBN13:9789576780004",
            "ISBN-10: 957-678-000-4",
            "ISBN 957-678-000-4",
        ] {
            assert_eq!(ok(input).code, "9789576780004", "{input}");
        }
        assert_eq!(err("ISBN:"), CodeError::Empty);
        assert_eq!(err("ISBN"), CodeError::Empty);
    }

    #[test]
    fn full_width_and_ideographic_space() {
        assert_eq!(
            ok("９７８－９５７－６７８－０００－４").code,
            "9789576780004"
        );
        assert_eq!(
            ok("９７８\u{3000}９５７６７８０００４").code,
            "9789576780004"
        );
        assert_eq!(ok("978‐957‐678‐000‐4").code, "9789576780004");
    }

    #[test]
    fn isbn10_converted() {
        assert_eq!(ok("9576780004").code, "9789576780004");
        // An X check digit, upper, lower and full width.
        assert_eq!(ok("0-8044-2957-X").code, "9780804429573");
        assert_eq!(ok("080442957x").code, "9780804429573");
        assert_eq!(ok("080442957Ｘ").code, "9780804429573");
        assert_eq!(ok("9576780004").addon, None);
    }

    #[test]
    fn ean_boxed_set() {
        let c = ok("8667106506069");
        assert_eq!(c.kind, CodeKind::Ean);
        assert_eq!(c.code, "8667106506069");
        assert_eq!(ok("4710000000004").kind, CodeKind::Ean);
    }

    #[test]
    fn addons() {
        let c = ok("978957678000451");
        assert_eq!(
            (c.code.as_str(), c.addon.as_deref()),
            ("9789576780004", Some("51"))
        );
        let c = ok("978957678000490000");
        assert_eq!(c.addon.as_deref(), Some("90000"));
        let c = ok("9789576780004 90000");
        assert_eq!(c.addon.as_deref(), Some("90000"));
        // Only books carry add-ons here; a 15-digit EAN is not a code.
        assert_eq!(err("866710650606912"), CodeError::BadLength { digits: 15 });
        // The add-on does not hide a bad check digit.
        assert_eq!(err("978957678000551").code(), "bad_checksum");
    }

    #[test]
    fn errors() {
        assert_eq!(err(""), CodeError::Empty);
        assert_eq!(err(" - \u{3000}"), CodeError::Empty);
        assert_eq!(err("97895767800O4"), CodeError::InvalidChars { found: 'O' });
        assert_eq!(err("<script>"), CodeError::InvalidChars { found: '<' });
        assert_eq!(err("978957678000X"), CodeError::InvalidChars { found: 'X' });
        assert_eq!(err("X576780007"), CodeError::InvalidChars { found: 'X' });
        assert_eq!(err("97895767800"), CodeError::BadLength { digits: 11 });
        assert_eq!(err("97895767800041"), CodeError::BadLength { digits: 14 });
        assert_eq!(
            err("9789576780005"),
            CodeError::BadChecksum {
                expected: '4',
                found: '5'
            }
        );
        assert_eq!(
            err("9576780005"),
            CodeError::BadChecksum {
                expected: '4',
                found: '5'
            }
        );
        assert_eq!(
            err("0804429571"),
            CodeError::BadChecksum {
                expected: 'X',
                found: '1'
            }
        );
    }

    #[test]
    fn messages_are_zh_tw_and_name_the_digit() {
        let e = err("9789576780005");
        assert!(e.to_string().contains("應為 4"), "{e}");
        assert!(err("").to_string().contains("請輸入"));
        assert!(err("97895767800").to_string().contains("11"));
        assert!(err("\u{0}").to_string().contains("U+0000"));
    }

    #[test]
    fn conversions() {
        assert_eq!(isbn13_to_10("9789576780004").as_deref(), Some("9576780004"));
        assert_eq!(isbn13_to_10("9780804429573").as_deref(), Some("080442957X"));
        assert_eq!(isbn13_to_10("97895767800"), None);
        assert_eq!(isbn13_to_10("９７８９５７６７８０"), None);
    }
}
