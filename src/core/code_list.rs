//! Many codes read at once into flat arrays, for callers that check a whole list: a kind and 13 digits per line.

use crate::core::code::{CodeKind, read_code};

/// A line of [`CodeList::kinds`] that is no code (its digits are zeros).
pub const KIND_NONE: u8 = 0;
/// A line of [`CodeList::kinds`] holding a book's ISBN (as its ISBN-13).
pub const KIND_ISBN: u8 = 1;
/// A line of [`CodeList::kinds`] holding a boxed set's EAN-13.
pub const KIND_EAN: u8 = 2;

/// The codes of a text, one per line, as flat arrays a caller can hand on without one object per code.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CodeList {
    /// Per line: [`KIND_NONE`], [`KIND_ISBN`] or [`KIND_EAN`].
    pub kinds: Vec<u8>,
    /// Per line, 13 ASCII digits at `13 * line`: the ISBN-13 or EAN-13, zeros when the line is no code.
    pub digits: Vec<u8>,
}

/// Reads every line of `text` as one code, as `read_code` reads a scan (ISBN-10s become ISBN-13s,
/// hyphens and full-width digits are read; an add-on is left out). Lines end at `\n` or `\r\n`.
///
/// ```
/// use booktax::core::code_list::{read_lines, KIND_EAN, KIND_ISBN, KIND_NONE};
/// let list = read_lines("957-678-000-4\r\nnot a code\n4710000000004\n");
/// assert_eq!(list.kinds, [KIND_ISBN, KIND_NONE, KIND_EAN]);
/// assert_eq!(&list.digits[..13], b"9789576780004");
/// assert_eq!(&list.digits[13..26], &[b'0'; 13]);
/// ```
pub fn read_lines(text: &str) -> CodeList {
    let count = text.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut list = CodeList {
        kinds: Vec::with_capacity(count),
        digits: Vec::with_capacity(13 * count),
    };
    for line in lines(text) {
        match read_code(line) {
            // A code is always its 13 digits (`Ean13`), so every line adds 13 bytes.
            Ok(code) => {
                list.kinds.push(match code.kind {
                    CodeKind::Isbn => KIND_ISBN,
                    CodeKind::Ean => KIND_EAN,
                });
                list.digits.extend_from_slice(code.code.as_bytes());
            }
            Err(_) => {
                list.kinds.push(KIND_NONE);
                list.digits.extend_from_slice(&[b'0'; 13]);
            }
        }
    }
    list
}

/// The lines of `text` exactly as `str::lines` gives them (cut at `\n`, a `\r` just before it
/// dropped, nothing after a final `\n`), found by a plain byte loop: in the size-optimised wasm,
/// `str::lines` took as long as reading the codes.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text).filter(|t| !t.is_empty());
    std::iter::from_fn(move || {
        let current = rest?;
        // A `\n` is never inside a multi-byte character, so both cuts fall on character boundaries.
        Some(match current.bytes().position(|b| b == b'\n') {
            Some(at) => {
                rest = current.get(at + 1..).filter(|r| !r.is_empty());
                let line = current.get(..at).unwrap_or_default();
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => {
                rest = None;
                current
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_as_str_lines_cuts_them() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\r",
            "a\r\n",
            "\r\n\r\n",
            "a\rb\nc",
            "a\n\nb\r\n\r",
            "\r",
            "９７８\r\n書\n",
            "x\n\r",
        ] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn every_line_in_order_as_the_single_reader_reads_it() {
        let lines = [
            "9789576780004",
            "ISBN 978-957-678-000-4",
            "9576780004",
            "９７８９５７６７８０００４",
            "9789576780005",
            "",
            "4710000000004",
            "9789576780004 12",
        ];
        let list = read_lines(&lines.join("\n"));
        assert_eq!(list.kinds.len(), lines.len());
        assert_eq!(list.digits.len(), 13 * lines.len());
        for (i, line) in lines.iter().enumerate() {
            let single = read_code(line).ok();
            let digits = std::str::from_utf8(&list.digits[13 * i..13 * (i + 1)]).unwrap();
            match single {
                Some(code) => {
                    assert_eq!(digits, code.code.as_str(), "line {i}");
                    assert_eq!(list.kinds[i] == KIND_ISBN, code.kind == CodeKind::Isbn);
                }
                None => assert_eq!((list.kinds[i], digits), (KIND_NONE, "0000000000000")),
            }
        }
        assert_eq!(read_lines(""), CodeList::default());
    }
}
