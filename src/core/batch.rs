//! Batch pricing's text in and out: a list of codes or a CSV read line by line (the code column found), and the results written as CSV that Excel opens, one row per input line.
//!
//! ```
//! use booktax::core::batch::{read_batch, LineKind};
//! let lines = read_batch("ISBN,書名\n957-678-000-4,讀者指引\n\n123,壞\n");
//! assert_eq!(lines.len(), 4);
//! assert_eq!(lines[0].kind, LineKind::Header);
//! assert_eq!(lines[1].code.as_ref().unwrap().code, "9789576780004");
//! assert_eq!(lines[2].kind, LineKind::Blank);
//! assert!(lines[3].code.is_err());
//! ```

use crate::core::code::{Code, CodeError, CodeKind, Ean13, read_code};
use crate::core::lang::Lang;
use crate::core::lookup::answer::{Found, Lookup};
use crate::core::taipei::{DisplayDay, format_yyyymmdd};
use chrono::NaiveDate;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write;

/// What an input line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The header row of a CSV (it names the columns).
    Header,
    /// Nothing on it.
    Blank,
    /// A line with a code to decide (readable or not).
    Code,
}

/// One input line: its number, its text, and the code read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchLine {
    /// 1-based, as an editor counts.
    pub line: usize,
    /// The line as given (without its line break).
    pub text: String,
    /// Header, blank, or a code line.
    pub kind: LineKind,
    /// For a code line: the code, or why it cannot be read.
    pub code: Result<Code, CodeError>,
}

/// Splits one CSV line into cells (quoted cells may hold commas and doubled quotes).
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            ',' | '\t' if !quoted => out.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    out.push(cell);
    out
}

/// A header cell that names the code column.
fn names_codes(cell: &str) -> bool {
    let c: String = cell
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    [
        "isbn",
        "ean",
        "isbn13",
        "isbn-13",
        "條碼",
        "書號",
        "國際標準書號",
        "code",
        "barcode",
    ]
    .iter()
    .any(|label| c == *label || c.starts_with(label))
}

/// Reads every line: finds a header and the code column (the header's ISBN/條碼 column, else
/// the column whose cells most often read as codes, else the only one), then each line's code.
pub fn read_batch(text: &str) -> Vec<BatchLine> {
    let text = text.trim_start_matches('\u{feff}');
    if text.is_empty() {
        return Vec::new();
    }
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    // A final line break does not start another line.
    let count = if text.ends_with('\n') {
        lines.len() - 1
    } else {
        lines.len()
    };
    let first = lines[..count].iter().position(|l| !l.trim().is_empty());
    let header = first.filter(|&i| {
        let row = cells(lines[i]);
        row.iter().any(|c| names_codes(c)) && row.iter().all(|c| read_code(c).is_err())
    });
    let column = match header {
        Some(i) => cells(lines[i])
            .iter()
            .position(|c| names_codes(c))
            .unwrap_or(0),
        None => {
            let mut hits: Vec<usize> = Vec::new();
            for line in lines[..count]
                .iter()
                .filter(|l| !l.trim().is_empty())
                .take(50)
            {
                for (i, cell) in cells(line).iter().enumerate() {
                    if hits.len() <= i {
                        hits.resize(i + 1, 0);
                    }
                    if read_code(cell).is_ok() {
                        hits[i] += 1;
                    }
                }
            }
            // The first column with the most readable codes.
            (0..hits.len())
                .max_by_key(|&i| (hits[i], std::cmp::Reverse(i)))
                .unwrap_or(0)
        }
    };
    lines[..count]
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let kind = if Some(i) == header {
                LineKind::Header
            } else if line.trim().is_empty() {
                LineKind::Blank
            } else {
                LineKind::Code
            };
            let cell = cells(line).into_iter().nth(column).unwrap_or_default();
            BatchLine {
                line: i + 1,
                text: (*line).to_string(),
                kind,
                code: read_code(&cell),
            }
        })
        .collect()
}

/// One cell for Excel: quoted when it holds a comma, tab, quote or line break, and a leading
/// `=`, `+`, `-`, `@`, tab or carriage return defused with `'` so that no served text runs as a
/// formula (OWASP's list for CSV injection).
pub fn csv_cell(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 3);
    push_cell(&mut out, value);
    out
}

/// Writes [`csv_cell`]'s cell onto `out`, without a cell of its own: a batch writes a million cells.
fn push_cell(out: &mut String, value: &str) {
    let defused = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // Bytes, not chars: these are ASCII, which never occurs inside a longer UTF-8 character.
    let quoted = value
        .bytes()
        .any(|b| matches!(b, b',' | b'\t' | b'"' | b'\n' | b'\r'));
    if quoted {
        out.push('"');
    }
    if defused {
        out.push('\'');
    }
    if quoted {
        for (i, part) in value.split('"').enumerate() {
            if i > 0 {
                out.push_str("\"\"");
            }
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Writes one row of cells joined by `separator`, and its CRLF.
fn push_row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>, separator: &str) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        push_cell(out, cell);
    }
    out.push_str("\r\n");
}

/// A CSV document in UTF-8 with a BOM and CRLF line ends, as Excel opens it correctly.
pub fn csv_document(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&table_text(header, rows, ","));
    out
}

/// Rows of cells joined by `separator` (`,` or a tab, for pasting), CRLF line ends, no BOM.
pub fn table_text(header: &[&str], rows: &[Vec<String>], separator: &str) -> String {
    let mut out = String::new();
    push_row(&mut out, header.iter().copied(), separator);
    for row in rows {
        push_row(&mut out, row.iter().map(String::as_str), separator);
    }
    out
}

/// What became of one input line (one per line kept, in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRow {
    /// The input line's number (1-based).
    pub line: usize,
    /// The input line as given.
    pub text: String,
    /// The code read (ISBN-13 or EAN-13), when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `isbn` or `ean`, when a code was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// The title as served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `exempt`, `taxable`, `unknown`; `unreadable` (no code could be read), `not_checked`
    /// (the run was cancelled first), `skipped` (a header or blank line).
    pub verdict: &'static str,
    /// Why, for programs: the decision's reason, the code reader's error, `header` or `blank`.
    pub reason: &'static str,
    /// Why, in words.
    pub detail: String,
    /// First exempt day, `YYYYMMDD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exempt_from: Option<String>,
    /// Last exempt day, `YYYYMMDD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exempt_until: Option<String>,
}

/// How many lines came out which way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSummary {
    /// Every input line.
    pub lines: usize,
    /// Lines decided exempt.
    pub exempt: usize,
    /// Lines decided taxable.
    pub taxable: usize,
    /// Lines whose verdict is unknown (sell as taxable).
    pub unknown: usize,
    /// Lines with no readable code.
    pub unreadable: usize,
    /// Lines not checked because the run was cancelled.
    pub not_checked: usize,
    /// Header and blank lines.
    pub skipped: usize,
}

impl BatchSummary {
    /// Counts one line's verdict.
    fn count(&mut self, verdict: &str) {
        self.lines += 1;
        let count = match verdict {
            "exempt" => &mut self.exempt,
            "taxable" => &mut self.taxable,
            "unknown" => &mut self.unknown,
            "unreadable" => &mut self.unreadable,
            "not_checked" => &mut self.not_checked,
            _ => &mut self.skipped,
        };
        *count += 1;
    }
}

/// One line's outcome, borrowing the line and its lookup: what its CSV line is written from, and
/// its [`BatchRow`] made from when it is kept (a batch writes 100,000 CSV lines and may keep few rows).
struct Outcome<'a> {
    line: usize,
    text: &'a str,
    code: Option<&'a Code>,
    title: Option<&'a str>,
    verdict: &'static str,
    reason: &'static str,
    detail: Cow<'static, str>,
    exempt_from: Option<NaiveDate>,
    exempt_until: Option<NaiveDate>,
}

impl<'a> Outcome<'a> {
    /// `decided` gives the lookup for a code, `None` when the run stopped before it.
    fn of(l: &'a BatchLine, decided: &impl Fn(&Ean13) -> Option<&'a Lookup>, lang: Lang) -> Self {
        let mut o = Outcome {
            line: l.line,
            text: &l.text,
            code: None,
            title: None,
            verdict: "skipped",
            reason: "",
            detail: Cow::Borrowed(""),
            exempt_from: None,
            exempt_until: None,
        };
        match (&l.kind, &l.code) {
            (LineKind::Header, _) => {
                o.reason = "header";
                o.detail = lang.pick("標題列", "Header line").into();
            }
            (LineKind::Blank, _) => {
                o.reason = "blank";
                o.detail = lang.pick("空白列", "Blank line").into();
            }
            (LineKind::Code, Err(e)) => {
                o.verdict = "unreadable";
                o.reason = e.code();
                o.detail = e.describe(lang).into();
            }
            (LineKind::Code, Ok(code)) => {
                o.code = Some(code);
                match decided(&code.code) {
                    None => {
                        o.verdict = "not_checked";
                        o.reason = "cancelled";
                        o.detail = lang
                            .pick(
                                "查詢已取消，未判定",
                                "Cancelled before this code was checked",
                            )
                            .into();
                    }
                    Some(found) => {
                        let d = found.decision.top();
                        o.title = found.record.as_ref().and_then(|r| match r {
                            Found::Isbn(i) => i.title.as_deref(),
                            Found::Ean(e) => e.title.as_deref(),
                        });
                        o.verdict = d.verdict.as_str();
                        o.reason = d.reason.as_str();
                        o.detail = d.detail().into();
                        o.exempt_from = d.exempt_from;
                        o.exempt_until = d.exempt_until;
                    }
                }
            }
        }
        o
    }

    fn row(self) -> BatchRow {
        BatchRow {
            line: self.line,
            text: self.text.to_string(),
            code: self.code.map(|c| String::from(c.code)),
            kind: self.code.map(|c| c.kind.as_str()),
            title: self.title.map(str::to_string),
            verdict: self.verdict,
            reason: self.reason,
            detail: self.detail.into_owned(),
            exempt_from: self.exempt_from.map(format_yyyymmdd),
            exempt_until: self.exempt_until.map(format_yyyymmdd),
        }
    }
}

/// The words for a row's verdict in the CSV.
fn verdict_words(verdict: &str, lang: Lang) -> &'static str {
    match verdict {
        "exempt" => lang.pick("免稅", "Exempt"),
        "taxable" => lang.pick("應稅", "Taxable"),
        "unknown" => lang.pick("無法判定（請以應稅處理）", "Unknown (sell as taxable)"),
        "unreadable" => lang.pick("無法讀取", "Unreadable"),
        "not_checked" => lang.pick("未查詢", "Not checked"),
        _ => "",
    }
}

/// A batch's results: the rows kept, the count of every line's verdict, and every line as CSV.
#[derive(Debug)]
pub struct BatchResults {
    /// One per input line that `keep` took, in order.
    pub rows: Vec<BatchRow>,
    /// How every line came out.
    pub summary: BatchSummary,
    /// Every line as CSV for Excel (UTF-8 with a BOM, CRLF): line number and text, code, kind,
    /// title, verdict, reason, detail, exempt window.
    pub csv: String,
}

/// Every line's outcome: `decided` gives the lookup for a code (`None` when the run stopped
/// before it); the rows are those whose verdict `keep` takes, the summary and the CSV cover all.
pub fn batch_results<'a>(
    lines: &'a [BatchLine],
    decided: impl Fn(&Ean13) -> Option<&'a Lookup>,
    lang: Lang,
    keep: impl Fn(&str) -> bool,
) -> BatchResults {
    let header = match lang {
        Lang::ZhTw => [
            "行號",
            "原始內容",
            "條碼",
            "類別",
            "書名",
            "判定",
            "原因代碼",
            "說明",
            "免稅起日",
            "免稅迄日",
        ],
        Lang::En => [
            "Line",
            "Input",
            "Code",
            "Kind",
            "Title",
            "Verdict",
            "Reason",
            "Detail",
            "Exempt from",
            "Exempt until",
        ],
    };
    // Written straight into one string: 100,000 rows as cells of their own cost a batch 0.15 s.
    let mut csv = String::with_capacity(lines.len() * 128 + 256);
    csv.push('\u{feff}');
    push_row(&mut csv, header, ",");
    let (mut number, mut from, mut until) = (String::new(), String::new(), String::new());
    let day = |into: &mut String, d: Option<NaiveDate>| {
        into.clear();
        if let Some(day) = d {
            let _ = write!(into, "{}", DisplayDay(day));
        }
    };
    let kind = |code: Option<&Code>| match code.map(|c| c.kind) {
        Some(CodeKind::Isbn) => lang.pick("書籍", "Book"),
        Some(CodeKind::Ean) => lang.pick("套書", "Boxed set"),
        None => "",
    };
    let mut rows = Vec::new();
    let mut summary = BatchSummary::default();
    for l in lines {
        let o = Outcome::of(l, &decided, lang);
        summary.count(o.verdict);
        number.clear();
        let _ = write!(number, "{}", o.line);
        day(&mut from, o.exempt_from);
        day(&mut until, o.exempt_until);
        let cells = [
            number.as_str(),
            o.text,
            o.code.map(|c| c.code.as_str()).unwrap_or_default(),
            kind(o.code),
            o.title.unwrap_or_default(),
            verdict_words(o.verdict, lang),
            o.reason,
            &o.detail,
            &from,
            &until,
        ];
        push_row(&mut csv, cells, ",");
        if keep(o.verdict) {
            rows.push(o.row());
        }
    }
    BatchResults { rows, summary, csv }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_list_of_codes_every_line_kept() {
        let lines = read_batch(
            "9789576780004\r\n9576780004\r\n\r\n  \r\n4710000000004\r\nabc\r\n9789576780004",
        );
        let kinds: Vec<LineKind> = lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![
                LineKind::Code,
                LineKind::Code,
                LineKind::Blank,
                LineKind::Blank,
                LineKind::Code,
                LineKind::Code,
                LineKind::Code
            ]
        );
        assert_eq!(
            lines[1].code.as_ref().unwrap().code,
            "9789576780004",
            "ISBN-10 read as ISBN-13"
        );
        assert_eq!(lines[5].line, 6);
        assert!(lines[5].code.is_err());
        assert_eq!(lines.len(), 7, "no line added or dropped");
    }

    #[test]
    fn the_code_column_by_header_or_by_content() {
        let with_header =
            read_batch("\u{feff}書名,\"價格\",條碼\n\"書, 上冊\",350,9789576780004\n");
        assert_eq!(with_header[0].kind, LineKind::Header);
        assert_eq!(with_header[1].code.as_ref().unwrap().code, "9789576780004");
        let no_header = read_batch("讀者指引,350,9789576780004\n其他,120,9789869900003\n");
        assert_eq!(no_header[0].kind, LineKind::Code);
        assert_eq!(no_header[1].code.as_ref().unwrap().code, "9789869900003");
        assert_eq!(read_batch("").len(), 0);
        assert_eq!(read_batch("\n").len(), 1);
    }

    /// The cell as it was written before cells were written in place: the reference.
    fn cell_by_copies(value: &str) -> String {
        let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{value}")
        } else {
            value.to_string()
        };
        if defused.contains([',', '\t', '"', '\n', '\r']) {
            format!("\"{}\"", defused.replace('"', "\"\""))
        } else {
            defused
        }
    }

    #[test]
    fn cells_defused_and_quoted() {
        for (value, cell) in [
            ("", ""),
            ("\"", "\"\"\"\""),
            ("-a\"b", "\"'-a\"\"b\""),
            ("@書", "'@書"),
            ("\r", "\"'\r\""),
            ("書,名", "\"書,名\""),
        ] {
            assert_eq!(csv_cell(value), cell, "{value:?}");
            assert_eq!(cell_by_copies(value), cell, "{value:?}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn any_cell_as_written_before(value in "[-=+@,\"\t\r\n a書]{0,8}|.*") {
            proptest::prop_assert_eq!(csv_cell(&value), cell_by_copies(&value));
        }
    }

    #[test]
    fn csv_out_for_excel() {
        let doc = csv_document(
            &["行號", "書名"],
            &[
                vec!["1".into(), "=HYPERLINK(\"x\")".into()],
                vec!["2".into(), "a,b".into()],
                vec!["3".into(), "\t=1+1".into()],
            ],
        );
        assert!(doc.starts_with('\u{feff}'));
        assert_eq!(
            doc,
            "\u{feff}行號,書名\r\n1,\"'=HYPERLINK(\"\"x\"\")\"\r\n2,\"a,b\"\r\n3,\"'\t=1+1\"\r\n"
        );
    }

    #[test]
    fn every_line_gets_one_row_decided_through_the_one_lookup() {
        use crate::core::lookup::clock::Now;
        use crate::core::lookup::error::{LookupError, Missing};
        use crate::core::lookup::prefetched::Prefetched;
        use crate::core::lookup::source::{Fetched, Terms, lookup};
        use crate::core::schema::{DateField, Isbn, IsbnStatus};
        use foldhash::{HashMap, HashMapExt};
        use std::future::Future;
        use std::pin::pin;
        use std::task::{Context, Poll, Waker};

        let lines = read_batch(
            "條碼,書名\n9789576780004,讀者指引\n\nabc\n9789869900003\n9576780004\n4710000000004\n",
        );
        let book = Isbn {
            isbn: "9789576780004".into(),
            title: Some("=讀者指引".into()),
            status: Some(IsbnStatus::Approved),
            approved_effective_date: DateField::parse("20210301"),
            ..Isbn::default()
        };
        let at_ms = 1_795_000_000_000.0;
        let code = |text: &str| read_code(text).unwrap().code;
        let mut records = HashMap::new();
        records.insert(
            code("9789576780004"),
            Ok(Fetched {
                found: crate::core::lookup::answer::Found::Isbn(book),
                at_ms,
            }),
        );
        records.insert(
            code("9789869900003"),
            Err(LookupError::NotFound(Missing::Code)),
        );
        let source = Prefetched {
            name: "live",
            now: Now {
                device_ms: at_ms,
                skew_ms: None,
            },
            records,
            policy: Ok(DateField::parse("20311231")),
            mirrored: None,
        };
        let mut decided = HashMap::new();
        for line in &lines {
            if let Ok(code) = &line.code
                && source.records.contains_key(&code.code)
            {
                let mut f = pin!(lookup(&source, *code, Terms::default()));
                let Poll::Ready(Ok(answer)) =
                    f.as_mut().poll(&mut Context::from_waker(Waker::noop()))
                else {
                    panic!("a prefetched lookup never waits");
                };
                decided.insert(code.code, answer);
            }
        }
        let BatchResults { rows, summary, csv } =
            batch_results(&lines, |c| decided.get(c), Lang::ZhTw, |_| true);
        let verdicts: Vec<&str> = rows.iter().map(|r| r.verdict).collect();
        assert_eq!(
            verdicts,
            vec![
                "skipped",
                "exempt",
                "skipped",
                "unreadable",
                "taxable",
                "exempt",
                "not_checked"
            ]
        );
        assert_eq!(
            rows[5].code.as_deref(),
            Some("9789576780004"),
            "the ISBN-10 line"
        );
        assert_eq!(rows[1].exempt_from.as_deref(), Some("20210301"));
        assert_eq!(
            (
                summary.lines,
                summary.exempt,
                summary.taxable,
                summary.unreadable,
                summary.not_checked,
                summary.skipped
            ),
            (7, 2, 1, 1, 1, 2)
        );
        assert_eq!(
            csv.matches("\r\n").count(),
            8,
            "a header and one row per line"
        );
        assert!(csv.contains(",'=讀者指引,免稅,approved,"), "{csv}");
        assert!(csv.contains(",2021-03-01,"));
        // Keeping the unreadable rows only: those rows, as they were, and the same summary and CSV.
        let few = batch_results(
            &lines,
            |c| decided.get(c),
            Lang::ZhTw,
            |v| v == "unreadable",
        );
        let unreadable: Vec<BatchRow> = rows
            .into_iter()
            .filter(|r| r.verdict == "unreadable")
            .collect();
        assert_eq!(few.rows, unreadable);
        assert_eq!(few.rows.len(), 1);
        assert_eq!((few.summary, few.csv), (summary, csv));
    }
}
