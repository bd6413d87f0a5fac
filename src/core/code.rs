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
///
/// Held inline (`Copy`): reading one allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// A book or a boxed set.
    pub kind: CodeKind,
    /// The 13 digits.
    pub code: Ean13,
    /// The 2- or 5-digit add-on a scanner appended (price or issue number), if any.
    pub addon: Option<Addon>,
}

/// Thirteen ASCII digits with a valid EAN-13 check digit (an ISBN-13 is one too), held inline.
///
/// Reads as a `&str` through [`Ean13::as_str`] (or `Deref`) and compares with strings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ean13([u8; 13]);

impl Ean13 {
    /// The 13 digits as text.
    pub fn as_str(&self) -> &str {
        // Only the code reader makes one, from ASCII digits: never the empty fallback.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// A scanner's add-on: 2 or 5 ASCII digits, held inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Addon {
    /// How many of `digits` are used (2 or 5).
    len: u8,
    /// The digits, the unused ones 0 (not ASCII).
    digits: [u8; 5],
}

impl Addon {
    /// The add-on of 2 or 5 ASCII digits (more are not kept).
    fn of(digits: &[u8]) -> Addon {
        let mut kept = [0; 5];
        for (slot, digit) in kept.iter_mut().zip(digits) {
            *slot = *digit;
        }
        Addon {
            len: digits.len().min(5) as u8,
            digits: kept,
        }
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        let digits = self.digits.get(..usize::from(self.len)).unwrap_or_default();
        // Only the code reader makes one, from ASCII digits: never the empty fallback.
        std::str::from_utf8(digits).unwrap_or_default()
    }
}

/// `Deref` to `str`, `Display`, `Debug` as a string and comparisons with strings, for a
/// digits type that is a string to every reader.
macro_rules! reads_as_str {
    ($name:ident) => {
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }
        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }
        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }
        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }
        impl From<$name> for String {
            fn from(digits: $name) -> String {
                digits.as_str().to_string()
            }
        }
    };
}

reads_as_str!(Ean13);
reads_as_str!(Addon);

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
    // Folded as read (no copy of the input), and nothing allocated on the way.
    let body = after_label(skip_separators(
        Chars { text: input, at: 0 }.map(fold_width),
    ));

    // The digits (an ISBN-10's X among them): every one counted, the first 18 kept,
    // as no code has more.
    let mut digits = [0u8; 18];
    let mut count = 0;
    let mut x_at = None;
    for c in body {
        let digit = match c {
            '0'..='9' => c as u8,
            'X' | 'x' if x_at.is_none() => {
                x_at = Some(count);
                b'X'
            }
            c if is_separator(c) => continue,
            // The first foreign character is the error, whatever follows.
            found => return Err(CodeError::InvalidChars { found }),
        };
        if let Some(slot) = digits.get_mut(count) {
            *slot = digit;
        }
        count += 1;
    }
    match x_at {
        // An X is only ever the check digit of an ISBN-10.
        Some(at) if at != 9 || count != 10 => {
            return Err(CodeError::InvalidChars { found: 'X' });
        }
        _ => {}
    }

    let ean13: [u8; 13] = first(&digits);
    match count {
        0 => Err(CodeError::Empty),
        10 => {
            let [first9 @ .., found] = first::<10>(&digits);
            let expected = isbn10_check_byte(&first9);
            if expected != found {
                return Err(CodeError::BadChecksum {
                    expected: char::from(expected),
                    found: char::from(found),
                });
            }
            Ok(Code {
                kind: CodeKind::Isbn,
                code: isbn10_to_ean13(&first9),
                addon: None,
            })
        }
        13 => read_ean13(ean13, None),
        15 | 18 if is_book(&ean13) => {
            let addon = digits.get(13..count).unwrap_or_default();
            read_ean13(ean13, Some(Addon::of(addon)))
        }
        n => Err(CodeError::BadLength { digits: n }),
    }
}

/// The first `N` of the digits kept.
fn first<const N: usize>(digits: &[u8; 18]) -> [u8; N] {
    // Never the fallback: N is 10 or 13.
    digits.first_chunk().copied().unwrap_or([0; N])
}

/// A 978 or 979 prefix: a book.
fn is_book(digits: &[u8]) -> bool {
    digits.starts_with(b"978") || digits.starts_with(b"979")
}

fn read_ean13(digits: [u8; 13], addon: Option<Addon>) -> Result<Code, CodeError> {
    let [first12 @ .., found] = digits;
    let expected = ean13_check_byte(&first12);
    if expected != found {
        return Err(CodeError::BadChecksum {
            expected: char::from(expected),
            found: char::from(found),
        });
    }
    let kind = if is_book(&digits) {
        CodeKind::Isbn
    } else {
        CodeKind::Ean
    };
    Ok(Code {
        kind,
        code: Ean13(digits),
        addon,
    })
}

/// The EAN-13 check digit (ASCII) of the first 12 of `digits` (ASCII).
fn ean13_check_byte(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, b)| u32::from(b.wrapping_sub(b'0')) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// The ISBN-10 check character (ASCII `0`–`9` or `X`) of the first 9 of `digits` (ASCII).
fn isbn10_check_byte(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .take(9)
        .enumerate()
        .map(|(i, b)| u32::from(b.wrapping_sub(b'0')) * (10 - i as u32))
        .sum();
    match (11 - sum % 11) % 11 {
        10 => b'X',
        n => b'0' + n as u8,
    }
}

/// The 978 ISBN-13 of an ISBN-10's first 9 digits.
fn isbn10_to_ean13(first9: &[u8; 9]) -> Ean13 {
    let mut code = [0u8; 13];
    code[..3].copy_from_slice(b"978");
    code[3..12].copy_from_slice(first9);
    code[12] = ean13_check_byte(&code);
    Ean13(code)
}

/// The EAN-13 check digit of 12 ASCII digits.
///
/// ```
/// assert_eq!(booktax::core::code::ean13_check("978957678000"), '4');
/// ```
pub fn ean13_check(first12: &str) -> char {
    char::from(ean13_check_byte(first12.as_bytes()))
}

/// The ISBN-10 check character (`0`–`9` or `X`) of 9 ASCII digits.
///
/// ```
/// assert_eq!(booktax::core::code::isbn10_check("957678000"), '4');
/// ```
pub fn isbn10_check(first9: &str) -> char {
    char::from(isbn10_check_byte(first9.as_bytes()))
}

/// The 978 ISBN-13 of an ISBN-10: `None` unless it is one (nine digits and their check
/// character, `X` in either case; no hyphens: [`read_code`] reads those).
///
/// ```
/// use booktax::core::code::isbn10_to_13;
/// assert_eq!(isbn10_to_13("9576780004").as_deref(), Some("9789576780004"));
/// assert_eq!(isbn10_to_13("9576780005"), None);
/// assert_eq!(isbn10_to_13("123"), None);
/// ```
pub fn isbn10_to_13(isbn10: &str) -> Option<String> {
    let bytes = isbn10.as_bytes();
    let (first9, check) = (bytes.get(..9)?, bytes.get(9)?.to_ascii_uppercase());
    if bytes.len() != 10
        || !first9.iter().all(u8::is_ascii_digit)
        || isbn10_check_byte(first9) != check
    {
        return None;
    }
    let mut code = String::with_capacity(13);
    code.push_str("978");
    code.push_str(isbn10.get(..9)?);
    code.push(ean13_check(&code));
    Some(code)
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

/// The characters of a text, an ASCII one (most of what a till sends) read a byte at a time: in the
/// size-optimised wasm, `str::chars` decoded every digit through two calls.
#[derive(Clone)]
struct Chars<'a> {
    text: &'a str,
    at: usize,
}

impl Iterator for Chars<'_> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        let &byte = self.text.as_bytes().get(self.at)?;
        let c = if byte.is_ascii() {
            char::from(byte)
        } else {
            // `at` only ever moves by whole characters, so it is always on a character boundary.
            self.text.get(self.at..)?.chars().next()?
        };
        self.at += c.len_utf8();
        Some(c)
    }
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

/// `chars` past any separators at their start.
fn skip_separators<I: Iterator<Item = char> + Clone>(mut chars: I) -> I {
    loop {
        let before = chars.clone();
        match chars.next() {
            Some(c) if is_separator(c) => {}
            _ => return before,
        }
    }
}

/// `chars` past `prefix` (ASCII case ignored), if they start with it.
fn after<I: Iterator<Item = char>>(mut chars: I, prefix: &str) -> Option<I> {
    for want in prefix.chars() {
        if !chars.next()?.eq_ignore_ascii_case(&want) {
            return None;
        }
    }
    Some(chars)
}

/// Drops a leading `ISBN`, `ISBN-10`, `ISBN-13` or `ISBN13` label and its colon
/// (`chars` start past any separators).
fn after_label<I: Iterator<Item = char> + Clone>(chars: I) -> I {
    let Some(mut rest) = after(chars.clone(), "isbn") else {
        return chars;
    };
    for suffix in ["-13", "-10", "13", "10"] {
        if let Some(r) = after(rest.clone(), suffix) {
            // "ISBN13:" is a label; "ISBN 13..." is the start of the number; "ISBN13 "
            // with nothing after is a number too (trailing separators do not count).
            let next_kept = skip_separators(r.clone()).next();
            if next_kept == Some(':') || (r.clone().next() == Some(' ') && next_kept.is_some()) {
                rest = r;
                break;
            }
        }
    }
    let rest = skip_separators(rest);
    skip_separators(after(rest.clone(), ":").unwrap_or(rest))
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
        // Trailing spaces do not make a label: "ISBN13 " alone is the number 13.
        assert_eq!(err("ISBN13 "), CodeError::BadLength { digits: 2 });
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
        // Past the 18 digits a code can have, every digit is still counted.
        assert_eq!(
            err("9789576780004-9000012345"),
            CodeError::BadLength { digits: 23 }
        );
        assert_eq!(
            err("97895767800049000012345O"),
            CodeError::InvalidChars { found: 'O' }
        );
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
