//! Books stored many to a value: the bucket an ISBN-13 falls in, and a bucket's text (one line per book, in code order) searched, read and edited.
//!
//! IndexedDB costs about 60–75 µs a value whatever its size, so a mirror of a million
//! books stored one per key spends over two minutes only putting them. A bucket holds
//! every book whose ISBN-13 starts with the same [`BUCKET_DIGITS`] digits (a thousand
//! codes), so a sync writes each touched bucket once per transaction and a batch reads
//! each bucket once.
//!
//! A bucket is text, one line per book, sorted by code: the ISBN-13, then each of the
//! book's [`BOOK_FIELDS`] stored fields ([`crate::core::mirror::stored`]) after a tab,
//! `-` when absent, else `=` and the text with `\`, tab, newline and carriage return
//! written `\\`, `\t`, `\n`, `\r`; every line ends in a newline. Finding one book reads
//! only the line starts; editing keeps the other lines as they are.
//!
//! ```
//! use booktax::core::mirror::bucket::{BookEdits, edit_bucket, find_book};
//! use booktax::core::schema::Isbn;
//! let book = Isbn { isbn: "9789576780004".into(), title: Some("書\t名".into()), ..Isbn::default() };
//! let mut edits = BookEdits::default();
//! edits.put("9789576780004", &book);
//! let buckets = edits.buckets();
//! let (bucket, changes) = &buckets[0];
//! assert_eq!(*bucket, "978957678");
//! let edited = edit_bucket("", changes);
//! assert_eq!((edited.added, edited.removed), (1, 0));
//! assert_eq!(find_book(&edited.text, "9789576780004"), Some(Some(book)));
//! assert_eq!(find_book(&edited.text, "9789576780011"), None);
//! ```

use crate::core::mirror::stored::{BOOK_FIELDS, book_fields, book_from_fields};
use crate::core::schema::Isbn;
use std::collections::BTreeMap;

/// How many leading digits of an ISBN-13 name its bucket.
pub const BUCKET_DIGITS: usize = 9;

/// The bucket an ISBN-13 is stored in: its first [`BUCKET_DIGITS`] digits.
pub fn bucket_of(isbn13: &str) -> &str {
    isbn13.get(..BUCKET_DIGITS).unwrap_or(isbn13)
}

/// What a write does to one book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Stores this line, replacing the book's line if there is one.
    Put(String),
    /// Stores this line only when the bucket has no line for the book (the historical import).
    Add(String),
    /// Removes the book's line.
    Remove,
}

/// Book writes, in code order (so a bucket's edits are neighbours); a later edit of a code replaces an earlier one.
#[derive(Debug, Default, Clone)]
pub struct BookEdits {
    by_code: BTreeMap<String, Edit>,
}

impl BookEdits {
    /// Stores `book` under `isbn13`.
    pub fn put(&mut self, isbn13: &str, book: &Isbn) {
        self.by_code
            .insert(isbn13.to_string(), Edit::Put(book_line(isbn13, book)));
    }

    /// Stores `book` under `isbn13` unless a book is stored there already.
    pub fn add(&mut self, isbn13: &str, book: &Isbn) {
        self.by_code
            .insert(isbn13.to_string(), Edit::Add(book_line(isbn13, book)));
    }

    /// Removes the book stored under `isbn13`.
    pub fn remove(&mut self, isbn13: &str) {
        self.by_code.insert(isbn13.to_string(), Edit::Remove);
    }

    /// How many codes are edited.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    /// Whether nothing is edited.
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Each touched bucket's name and its edits in code order, in bucket order.
    pub fn buckets(&self) -> Vec<(&str, Vec<(&str, &Edit)>)> {
        let mut out: Vec<(&str, Vec<(&str, &Edit)>)> = Vec::new();
        for (code, edit) in &self.by_code {
            let bucket = bucket_of(code);
            match out.last_mut() {
                Some((name, edits)) if *name == bucket => edits.push((code, edit)),
                _ => out.push((bucket, vec![(code.as_str(), edit)])),
            }
        }
        out
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The text [`escape_into`] wrote; `None` for a backslash not followed by a backslash, `t`, `n` or `r`.
fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    // The text between escapes copied whole, not a character at a time: most fields hold none,
    // and a batch from the mirror reads some 600,000 of them.
    let mut rest = text;
    while let Some((plain, escaped)) = rest.split_once('\\') {
        out.push_str(plain);
        let mut after = escaped.chars();
        out.push(match after.next()? {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
        rest = after.as_str();
    }
    out.push_str(rest);
    Some(out)
}

/// A book's line, without its newline.
pub fn book_line(isbn13: &str, book: &Isbn) -> String {
    let mut line = String::with_capacity(160);
    line.push_str(isbn13);
    for field in book_fields(book) {
        line.push('\t');
        match field {
            None => line.push('-'),
            Some(text) => {
                line.push('=');
                escape_into(&mut line, &text);
            }
        }
    }
    line
}

/// The book a line holds; `None` when the line does not read.
fn read_fields(fields: &str) -> Option<Isbn> {
    let mut read: [Option<String>; BOOK_FIELDS] = Default::default();
    let mut parts = fields.split('\t');
    for slot in &mut read {
        let part = parts.next()?;
        // `-` is no value, `=` leads a value; anything else (an empty field too) does not read.
        *slot = match part {
            "-" => None,
            _ => Some(unescape(part.strip_prefix('=')?)?),
        };
    }
    if parts.next().is_some() {
        return None;
    }
    book_from_fields(read)
}

/// A line's code and the rest (its fields).
fn split_line(line: &str) -> (&str, &str) {
    line.split_once('\t').unwrap_or((line, ""))
}

/// Each line's code and fields, in stored order.
fn lines(bucket: &str) -> impl Iterator<Item = (&str, &str)> {
    bucket.split('\n').filter(|l| !l.is_empty()).map(split_line)
}

/// The book stored under `isbn13`: `None` when the bucket has no line for it,
/// `Some(None)` when its line does not read (a damaged mirror: no answer, never "not listed").
pub fn find_book(bucket: &str, isbn13: &str) -> Option<Option<Isbn>> {
    lines(bucket)
        .find(|(code, _)| *code == isbn13)
        .map(|(_, fields)| read_fields(fields))
}

/// A bucket's lines as stored (UTF-8 bytes), for finding many codes in it: each by binary
/// search over the line starts. Only the lines it needs are read as text: a batch that touches
/// most buckets would otherwise check every byte of the mirror.
pub struct BucketIndex<'a> {
    /// Each line's code and fields.
    lines: Vec<(&'a [u8], &'a [u8])>,
    /// Whether the bucket is as this code writes them: codes in order, each 13 digits, the last
    /// line ended. In a bucket that is not whole, a code not found may be lost in its damage.
    whole: bool,
}

impl<'a> BucketIndex<'a> {
    /// Indexes a bucket's bytes.
    pub fn new(bucket: &'a [u8]) -> BucketIndex<'a> {
        // Lines run about 170 bytes: a length over 128 is a little over their number.
        let mut lines: Vec<(&[u8], &[u8])> = Vec::with_capacity(bucket.len() / 128 + 1);
        let mut whole = bucket.is_empty() || bucket.ends_with(b"\n");
        // The last code's value: codes in order read as rising numbers (13 digits each).
        let mut last: Option<u64> = None;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', bucket).chain([bucket.len()]) {
            let line = &bucket[start..end];
            start = end + 1;
            if line.is_empty() {
                continue;
            }
            // A book's line: its 13-digit code, a tab, its fields.
            let tab = match line.get(13) {
                Some(b'\t') => Some(13),
                _ => memchr::memchr(b'\t', line),
            };
            let (code, fields) = match tab {
                Some(tab) => (&line[..tab], &line[tab + 1..]),
                None => (line, &line[line.len()..]),
            };
            if whole {
                let value = digits13(code);
                whole = value.is_some() && (last.is_none() || value > last);
                last = value;
            }
            lines.push((code, fields));
        }
        BucketIndex { lines, whole }
    }

    /// As [`find_book`], but never "not there" where damage could hide the code: in a bucket
    /// that is not whole, or when the line before where it would sit does not read (a lost line
    /// break merges a line into the one before it). Those codes are `Some(None)`, no answer.
    pub fn find(&self, isbn13: &str) -> Option<Option<Isbn>> {
        let key = isbn13.as_bytes();
        let read = |i: usize| {
            let (_, fields) = self.lines[i];
            std::str::from_utf8(fields).ok().and_then(read_fields)
        };
        if !self.whole {
            return Some(
                self.lines
                    .iter()
                    .position(|(c, _)| *c == key)
                    .and_then(read),
            );
        }
        match self.lines.binary_search_by(|(c, _)| (*c).cmp(key)) {
            Ok(i) => Some(read(i)),
            Err(0) => None,
            Err(i) => match read(i - 1) {
                Some(_) => None,
                None => Some(None),
            },
        }
    }
}

/// The number 13 ASCII digits write; `None` for anything else.
fn digits13(code: &[u8]) -> Option<u64> {
    if code.len() != 13 {
        return None;
    }
    code.iter().try_fold(0u64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// Every book a bucket holds, with its code; a line that does not read is `None`.
pub fn all_books(bucket: &str) -> impl Iterator<Item = (&str, Option<Isbn>)> {
    lines(bucket).map(|(code, fields)| (code, read_fields(fields)))
}

/// A bucket after its edits, and how many books were added and removed.
#[derive(Debug, PartialEq, Eq)]
pub struct Edited {
    /// The new text (empty when no book is left).
    pub text: String,
    /// Books the bucket did not hold before.
    pub added: usize,
    /// Books it no longer holds.
    pub removed: usize,
}

/// Applies `edits` (in code order) to a bucket's text (in code order); lines not edited are kept byte for byte.
pub fn edit_bucket(bucket: &str, edits: &[(&str, &Edit)]) -> Edited {
    let mut text = String::with_capacity(bucket.len() + edits.len() * 160);
    let (mut added, mut removed) = (0, 0);
    let mut edits = edits.iter().peekable();
    // A new book's line, before the held line it sorts before (or at the end).
    let mut insert = |text: &mut String, edit: &Edit| {
        if let Edit::Put(line) | Edit::Add(line) = edit {
            text.push_str(line);
            text.push('\n');
            added += 1;
        }
    };
    for line in bucket.split('\n').filter(|l| !l.is_empty()) {
        let code = split_line(line).0;
        while let Some((_, edit)) = edits.next_if(|(c, _)| *c < code) {
            insert(&mut text, edit);
        }
        let kept = match edits.next_if(|(c, _)| *c == code) {
            None | Some((_, Edit::Add(_))) => line,
            Some((_, Edit::Put(new))) => new,
            Some((_, Edit::Remove)) => {
                removed += 1;
                continue;
            }
        };
        text.push_str(kept);
        text.push('\n');
    }
    for (_, edit) in edits {
        insert(&mut text, edit);
    }
    Edited {
        text,
        added,
        removed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::schema::{BookKind, DateField, IsbnStatus};

    fn book(code: &str, title: &str) -> Isbn {
        Isbn {
            isbn: code.into(),
            isbn_10: Some("957678000X".into()),
            title: Some(title.into()),
            kind: Some(BookKind::from("實體".to_string())),
            include_ebook: Some(false),
            status: Some(IsbnStatus::Approved),
            approved_effective_date: DateField::parse("20210301"),
            revoked_effective_date: DateField::parse("not a date"),
            ..Isbn::default()
        }
    }

    /// The text after one edit.
    fn one(bucket: &str, edit: Edit, code: &str) -> Edited {
        edit_bucket(bucket, &[(code, &edit)])
    }

    /// The first bucket's text after its edits.
    fn first(bucket: &str, edits: &BookEdits) -> Edited {
        edit_bucket(bucket, &edits.buckets()[0].1)
    }

    #[test]
    fn a_book_reads_back_as_it_was_stored_whatever_its_text() {
        for title in [
            "",
            "-",
            "=",
            "書名",
            "a\tb\nc\r\\d\\t",
            "\\",
            "tab\t",
            "\u{0}\u{1f}",
        ] {
            let b = book("9789576780004", title);
            let line = book_line("9789576780004", &b);
            assert!(!line.contains('\n'), "{line:?}");
            let text = one("", Edit::Put(line), "9789576780004").text;
            assert_eq!(
                find_book(&text, "9789576780004"),
                Some(Some(b)),
                "{title:?}"
            );
        }
    }

    #[test]
    fn edits_keep_the_others_sort_by_code_and_count_what_changed() {
        let (a, b, c) = ("9789576780004", "9789576780011", "9789576780028");
        let mut edits = BookEdits::default();
        edits.put(c, &book(c, "丙"));
        edits.put(a, &book(a, "甲"));
        let text = first("", &edits).text;
        assert!(text.starts_with(a) && text.ends_with('\n'));

        let mut more = BookEdits::default();
        more.put(b, &book(b, "乙"));
        more.remove(c);
        more.add(a, &book(a, "舊"));
        more.remove("9789576780035");
        assert_eq!(more.len(), 4);
        let edited = first(&text, &more);
        assert_eq!((edited.added, edited.removed), (1, 1));
        let codes: Vec<&str> = all_books(&edited.text).map(|(c, _)| c).collect();
        assert_eq!(codes, [a, b]);
        // `add` leaves a held book as it is.
        assert_eq!(find_book(&edited.text, a), Some(Some(book(a, "甲"))));
        assert_eq!(find_book(&edited.text, c), None);
    }

    #[test]
    fn a_later_edit_of_a_code_replaces_an_earlier_one() {
        let a = "9789576780004";
        let mut edits = BookEdits::default();
        edits.put(a, &book(a, "一"));
        edits.remove(a);
        edits.put(a, &book(a, "二"));
        assert_eq!(edits.len(), 1);
        let text = first("", &edits).text;
        assert_eq!(find_book(&text, a), Some(Some(book(a, "二"))));
    }

    #[test]
    fn a_damaged_line_is_no_answer_and_is_kept_until_replaced() {
        let a = "9789576780004";
        for damaged in [
            a.to_string(),
            format!("{a}\t=x"),
            format!("{a}\t=\\q\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-"),
            format!("{a}\tx\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-"),
            format!("{a}\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-"),
            book_line(a, &book(a, "x")) + "\t-",
        ] {
            let text = format!("{damaged}\n");
            assert_eq!(find_book(&text, a), Some(None), "{damaged:?}");
            let other = "9789576780011";
            let kept = one(&text, Edit::Put(book_line(other, &book(other, "y"))), other);
            assert!(kept.text.starts_with(&text), "{damaged:?}");
            let mended = one(&text, Edit::Put(book_line(a, &book(a, "z"))), a);
            assert_eq!(find_book(&mended.text, a), Some(Some(book(a, "z"))));
            assert_eq!((mended.added, mended.removed), (0, 0));
        }
    }

    #[test]
    fn an_index_finds_what_a_scan_finds() {
        let codes = [
            "9789576780004",
            "9789576780011",
            "9789576780028",
            "9789576780035",
        ];
        let mut edits = BookEdits::default();
        for c in &codes[..3] {
            edits.put(c, &book(c, c));
        }
        let sorted = first("", &edits).text;
        let unsorted = format!("{}\n{}", book_line(codes[2], &book(codes[2], "x")), sorted);
        for text in [&sorted, &unsorted, &String::new()] {
            let index = BucketIndex::new(text.as_bytes());
            for c in codes {
                let scanned = find_book(text, c);
                // In a bucket this code never writes (unsorted), a code not found is no answer.
                let expected = if scanned.is_none() && text == &unsorted {
                    Some(None)
                } else {
                    scanned
                };
                assert_eq!(index.find(c), expected, "{c} in {text:?}");
            }
        }
    }

    #[test]
    fn a_lost_line_break_or_a_cut_bucket_is_no_answer_for_the_codes_it_could_hide() {
        let codes = ["9789576780004", "9789576780011", "9789576780028"];
        let mut edits = BookEdits::default();
        for c in codes {
            edits.put(c, &book(c, c));
        }
        let text = first("", &edits).text;
        let second_line = text
            .find(&format!("\n{}", codes[1]))
            .expect("the second line");
        for damage in [0x8a_u8, 0x0b, b'\t'] {
            let mut bytes = text.clone().into_bytes();
            bytes[second_line] = damage;
            let index = BucketIndex::new(&bytes);
            assert_eq!(index.find(codes[1]), Some(None), "newline -> {damage:#x}");
            assert_eq!(index.find(codes[2]), Some(Some(book(codes[2], codes[2]))));
        }
        // Cut short: the last line has no end.
        let cut = &text.as_bytes()[..text.len() - 5];
        assert_eq!(BucketIndex::new(cut).find("9789576780035"), Some(None));
        assert_eq!(
            BucketIndex::new(text.as_bytes()).find("9789576780035"),
            None
        );
    }

    #[test]
    fn an_index_reads_only_the_line_asked_for_and_trusts_no_absence_beside_an_unreadable_code() {
        let (a, b, c) = ("9789576780004", "9789576780011", "9789576780028");
        let mut edits = BookEdits::default();
        edits.put(a, &book(a, "a"));
        edits.put(c, &book(c, "c"));
        let text = first("", &edits).text;
        // Bytes that are not UTF-8 in one line's fields: that line is no answer, the others read.
        let mut bytes = text.replacen("=c", "=\u{1}", 1).into_bytes();
        let at = bytes.iter().position(|x| *x == 1).expect("the marker");
        bytes[at] = 0xff;
        let index = BucketIndex::new(&bytes);
        assert_eq!(index.find(a), Some(Some(book(a, "a"))));
        assert_eq!(index.find(c), Some(None));
        assert_eq!(
            index.find(b),
            None,
            "every code reads: an absence is an absence"
        );
        // A line whose code does not read could be any code: nothing is "not found" beside it.
        let damaged = format!("97895767800x4\t-\n{text}");
        let index = BucketIndex::new(damaged.as_bytes());
        assert_eq!(index.find(b), Some(None));
        assert_eq!(index.find(a), Some(Some(book(a, "a"))));
    }

    #[test]
    fn buckets_are_the_first_nine_digits() {
        assert_eq!(bucket_of("9789576780004"), "978957678");
        assert_eq!(bucket_of("97895"), "97895");
    }

    /// A bucket is whole as the line-by-line rule says: ended, every code 13 digits, codes rising.
    #[cfg(not(target_arch = "wasm32"))]
    fn whole_by_lines(bucket: &[u8]) -> bool {
        let codes: Vec<&[u8]> = bucket
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| l.split(|b| *b == b'\t').next().unwrap_or(l))
            .collect();
        (bucket.is_empty() || bucket.ends_with(b"\n"))
            && codes.windows(2).all(|w| w[0] < w[1])
            && codes
                .iter()
                .all(|c| c.len() == 13 && c.iter().all(u8::is_ascii_digit))
    }

    /// What `unescape` replaced: the text read a character at a time.
    #[cfg(not(target_arch = "wasm32"))]
    fn unescape_by_chars(text: &str) -> Option<String> {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            out.push(match c {
                '\\' => match chars.next()? {
                    '\\' => '\\',
                    't' => '\t',
                    'n' => '\n',
                    'r' => '\r',
                    _ => return None,
                },
                c => c,
            });
        }
        Some(out)
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn unescape_reads_as_by_characters(text in "[\\\\tnrx書\t]{0,12}") {
            proptest::prop_assert_eq!(unescape(&text), unescape_by_chars(&text));
        }

        #[test]
        fn any_texts_read_back(title in ".*", publisher in proptest::option::of(".*")) {
            let a = "9789576780004";
            let b = Isbn { publisher, ..book(a, &title) };
            let text = one("", Edit::Put(book_line(a, &b)), a).text;
            proptest::prop_assert_eq!(BucketIndex::new(text.as_bytes()).find(a), Some(Some(b.clone())));
            proptest::prop_assert_eq!(find_book(&text, a), Some(Some(b)));
        }

        #[test]
        fn whole_means_ended_thirteen_digits_and_rising(
            mut numbers in proptest::collection::vec(0u8..40, 0..8),
            sorted in proptest::bool::ANY,
            odd_code in proptest::option::of((0usize..8, "[0-9]{12}|[0-9]{14}|[0-9]{12}x|")),
            ended in proptest::bool::ANY,
        ) {
            // Codes in order, some repeated; or as drawn; one of them perhaps of another shape.
            if sorted {
                numbers.sort_unstable();
            }
            let mut codes: Vec<String> = numbers.iter().map(|n| format!("97895767800{n:02}")).collect();
            if let Some((at, odd)) = odd_code
                && let Some(code) = codes.get_mut(at)
            {
                *code = odd;
            }
            let mut text = codes.iter().map(|c| format!("{c}\t-")).collect::<Vec<_>>().join("\n");
            if ended && !text.is_empty() {
                text.push('\n');
            }
            proptest::prop_assert_eq!(BucketIndex::new(text.as_bytes()).whole, whole_by_lines(text.as_bytes()), "{:?}", text);
        }

        #[test]
        fn an_index_of_any_bytes_finds_what_a_scan_of_their_text_finds(
            lines in proptest::collection::vec(("978957678000[0-9]", "[-=a-z\t\\\\]{0,12}"), 0..12),
            junk in proptest::option::of("[\n\ta-z0-9]{0,20}"),
        ) {
            let mut text: String = lines.iter().map(|(code, rest)| format!("{code}\t{rest}\n")).collect();
            if let Some(junk) = junk {
                text.push_str(&junk);
            }
            let index = BucketIndex::new(text.as_bytes());
            for n in 0..10 {
                let code = format!("978957678000{n}");
                let scanned = find_book(&text, &code);
                match index.find(&code) {
                    // Beside a line whose code does not read, a code not found is no answer.
                    Some(None) if scanned.is_none() => {}
                    found => proptest::prop_assert_eq!(found, scanned, "{} in {:?}", code, text),
                }
            }
        }
    }
}
