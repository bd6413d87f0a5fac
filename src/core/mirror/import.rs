//! The ministry's historical list (approvals before 2021-02, a CSV whose columns are not documented): a header row mapped to the API's fields, each row read or rejected with its line number.
//!
//! The header may use the specification's field names or the obvious zh-TW labels
//! (ISBN、書名、出版者、認可生效日…). A row without a readable ISBN or approval date is
//! rejected with why; a file whose header names no ISBN column is refused whole.
//!
//! ```
//! use booktax::core::mirror::import::read_historical;
//! let csv = "ISBN,書名,出版者,認可生效日\n957-678-000-4,讀者指引,中央圖書館,2021/1/31\n123,壞的,某社,20210101\n";
//! let read = read_historical(csv).unwrap();
//! assert_eq!(read.books.len(), 1);
//! assert_eq!(read.books[0].0, "9789576780004");
//! assert_eq!(read.rejected[0].line, 3);
//! ```

use crate::core::code::{CodeKind, read_code};
use crate::core::schema::{BookKind, CaseType, DateField, Isbn, IsbnStatus};
use crate::core::taipei::format_yyyymmdd;
use chrono::NaiveDate;
use std::fmt;

/// A field of the API's `Isbn` object a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Isbn,
    Title,
    Publisher,
    Approved,
    Revoked,
    Status,
    Kind,
    CaseType,
    IncludeEbook,
}

/// Header labels, compared without case, spaces or punctuation.
const LABELS: &[(&str, Column)] = &[
    ("isbn", Column::Isbn),
    ("isbn13", Column::Isbn),
    ("isbn10", Column::Isbn),
    ("國際標準書號", Column::Isbn),
    ("書號", Column::Isbn),
    ("title", Column::Title),
    ("書名", Column::Title),
    ("出版品名", Column::Title),
    ("出版品名稱", Column::Title),
    ("品名", Column::Title),
    ("publisher", Column::Publisher),
    ("出版者", Column::Publisher),
    ("出版社", Column::Publisher),
    ("出版單位", Column::Publisher),
    ("approvedeffectivedate", Column::Approved),
    ("認可生效日", Column::Approved),
    ("認可生效日期", Column::Approved),
    ("生效日", Column::Approved),
    ("生效日期", Column::Approved),
    ("認可日期", Column::Approved),
    ("revokedeffectivedate", Column::Revoked),
    ("撤銷生效日", Column::Revoked),
    ("撤銷生效日期", Column::Revoked),
    ("撤銷日期", Column::Revoked),
    ("status", Column::Status),
    ("狀態", Column::Status),
    ("認可狀態", Column::Status),
    ("kind", Column::Kind),
    ("書籍類型", Column::Kind),
    ("出版品類型", Column::Kind),
    ("類型", Column::Kind),
    ("type", Column::CaseType),
    ("案件類別", Column::CaseType),
    ("includeebook", Column::IncludeEbook),
    ("含電子書", Column::IncludeEbook),
];

fn normalized(label: &str) -> String {
    label
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '_' | '-' | '（' | '）' | '(' | ')' | ':' | '：')
        })
        // ASCII only: the labels are ASCII or CJK, and Unicode case tables would cost the wasm 13 KB.
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Why a file was refused whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// No header row at all.
    Empty,
    /// The header names no ISBN column: the layout cannot be mapped.
    NoIsbnColumn {
        /// The header as read.
        header: Vec<String>,
    },
    /// No row could be read.
    NothingReadable,
}

impl ImportError {
    /// The machine-readable kind.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Empty => "empty_file",
            ImportError::NoIsbnColumn { .. } => "unmapped_layout",
            ImportError::NothingReadable => "no_readable_rows",
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Empty => f.write_str("檔案是空的：沒有標題列"),
            ImportError::NoIsbnColumn { header } => {
                let shown: Vec<String> = header
                    .iter()
                    .take(12)
                    .map(|h| format!("「{}」", h.chars().take(20).collect::<String>()))
                    .collect();
                write!(
                    f,
                    "無法對應檔案的欄位：標題列 {} 中沒有 ISBN 欄（可用 isbn、ISBN、國際標準書號或書號）",
                    shown.join("、")
                )
            }
            ImportError::NothingReadable => f.write_str("檔案中沒有任何一列可以匯入"),
        }
    }
}

/// One rejected row: its line number in the file (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The line the row starts on.
    pub line: usize,
    /// Why, in zh-TW.
    pub reason: String,
}

/// What a file gave: books by ISBN-13, rejected rows, and notes on assumptions made.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Historical {
    /// Books to store, keyed by ISBN-13.
    pub books: Vec<(String, Isbn)>,
    /// Rows not read, with why.
    pub rejected: Vec<Rejected>,
    /// What was assumed for every row (a missing column), in zh-TW.
    pub notes: Vec<String>,
}

/// The one cell of a record whose quote never closed (no ISBN reads from it).
const UNCLOSED: &str = "\u{0}unclosed quote";

/// Splits CSV text into records (RFC 4180: quoted fields may hold commas, quotes and line
/// breaks), each with the line it starts on.
fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1, 1);
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            }
            '"' if field.is_empty() => quoted = true,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                fields.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            '\n' => {
                field.push(c);
                line += 1;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        // An unclosed quote ran to the end of the file: that row is not read as data.
        out.push((start, vec![UNCLOSED.to_string()]));
    } else if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push((start, fields));
    }
    out.retain(|(_, f)| f.iter().any(|v| !v.trim().is_empty()));
    out
}

/// A date as a spreadsheet writes it: `20210131`, `2021-01-31`, `2021/1/31`, or the ROC `110/01/31`.
fn read_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return crate::core::taipei::parse_yyyymmdd(s);
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    // A three-digit year is the ROC calendar's (民國 110 = 2021).
    let year = if (1..=199).contains(&y) { y + 1911 } else { y };
    NaiveDate::from_ymd_opt(year, m, d)
}

/// Reads a historical list's text.
///
/// # Errors
///
/// [`ImportError`] when the file has no header, no ISBN column or no readable row:
/// then nothing is to be imported.
pub fn read_historical(text: &str) -> Result<Historical, ImportError> {
    let mut rows = records(text).into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(ImportError::Empty);
    };
    let columns: Vec<Option<Column>> = header
        .iter()
        .map(|h| {
            let h = normalized(h);
            LABELS
                .iter()
                .find(|(label, _)| normalized(label) == h)
                .map(|(_, c)| *c)
        })
        .collect();
    let at = |c: Column| columns.iter().position(|x| *x == Some(c));
    let Some(isbn_at) = at(Column::Isbn) else {
        return Err(ImportError::NoIsbnColumn { header });
    };
    let mut read = Historical::default();
    // The line each code was first read on: a code listed twice keeps its first row.
    let mut first_line = std::collections::BTreeMap::new();
    if at(Column::Status).is_none() {
        read.notes
            .push("檔案沒有狀態欄：每一列視為已認可（approved）".into());
    }
    if at(Column::Kind).is_none() {
        read.notes
            .push("檔案沒有書籍類型欄：指定書籍形式查詢時，這些書無法判定（請以應稅處理）".into());
    }
    for (line, row) in rows {
        let cell = |c: Column| {
            at(c)
                .and_then(|i| row.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        if row.first().map(String::as_str) == Some(UNCLOSED) {
            read.rejected.push(Rejected {
                line,
                reason: "引號沒有結束：自此列起到檔案結尾都無法讀取".into(),
            });
            continue;
        }
        let raw_isbn = row.get(isbn_at).map(|s| s.trim()).unwrap_or_default();
        let key = match read_code(raw_isbn) {
            Ok(code) if code.kind == CodeKind::Isbn && code.addon.is_none() => {
                String::from(code.code)
            }
            Ok(_) => {
                read.rejected.push(Rejected {
                    line,
                    reason: format!("「{}」不是 ISBN", clip(raw_isbn)),
                });
                continue;
            }
            Err(e) => {
                read.rejected.push(Rejected {
                    line,
                    reason: format!("ISBN「{}」無法讀取：{e}", clip(raw_isbn)),
                });
                continue;
            }
        };
        let Some(approved_text) = cell(Column::Approved) else {
            read.rejected.push(Rejected {
                line,
                reason: "缺少認可生效日".into(),
            });
            continue;
        };
        let Some(approved) = read_date(approved_text) else {
            read.rejected.push(Rejected {
                line,
                reason: format!("認可生效日「{}」不是日期", clip(approved_text)),
            });
            continue;
        };
        let revoked = match cell(Column::Revoked) {
            None => DateField::Absent,
            Some(t) => match read_date(t) {
                Some(d) => DateField::Date(d),
                None => {
                    read.rejected.push(Rejected {
                        line,
                        reason: format!("撤銷生效日「{}」不是日期", clip(t)),
                    });
                    continue;
                }
            },
        };
        let status = match cell(Column::Status) {
            None => IsbnStatus::Approved,
            Some("已認可") => IsbnStatus::Approved,
            Some("已撤銷") => IsbnStatus::Revoked,
            Some("申請中") => IsbnStatus::Applying,
            Some("已到期") => IsbnStatus::Expired,
            Some(other) => IsbnStatus::from(other.to_ascii_lowercase()),
        };
        // No kind is assumed: a guessed "printed" could let an e-book approval exempt a printed sale.
        let kind = cell(Column::Kind);
        let book = Isbn {
            isbn: key.clone(),
            title: cell(Column::Title).map(str::to_string),
            publisher: cell(Column::Publisher).map(str::to_string),
            kind: kind.map(|k| BookKind::from(k.to_string())),
            case_type: cell(Column::CaseType).map(|t| CaseType::from(t.to_string())),
            include_ebook: cell(Column::IncludeEbook)
                .map(|v| matches!(v, "true" | "TRUE" | "是" | "Y" | "y" | "1")),
            status: Some(status),
            approved_effective_date: DateField::parse(&format_yyyymmdd(approved)),
            revoked_effective_date: revoked,
            ..Isbn::default()
        };
        if let Some(first) = first_line.get(&key) {
            read.rejected.push(Rejected {
                line,
                reason: format!("ISBN 與第 {first} 列重複"),
            });
            continue;
        }
        first_line.insert(key.clone(), line);
        read.books.push((key, book));
    }

    if read.books.is_empty() {
        return Err(ImportError::NothingReadable);
    }
    Ok(read)
}

fn clip(s: &str) -> String {
    crate::core::lookup::error::clip(s, 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_line_numbers() {
        let csv = "\u{feff}書名,ISBN,出版社,認可生效日期,狀態\r\n\"逗號, 與\"\"引號\"\",書\",9789576780004,社,110/01/31,已認可\r\n\"跨\n兩行\",9789869900003,社,2021-01-20,\r\n,,,,\r\n壞,9789576780005,社,20210101,\r\n缺日期,9789576780004,社,,\r\n錯日期,9789576780004,社,2021/13/01,\r\n";
        let read = read_historical(csv).unwrap();
        assert_eq!(read.books.len(), 2);
        assert_eq!(
            read.books[0].1.title.as_deref(),
            Some("逗號, 與\"引號\",書")
        );
        assert_eq!(
            read.books[0].1.approved_effective_date,
            DateField::parse("20210131")
        );
        assert_eq!(read.books[1].0, "9789869900003");
        assert_eq!(read.books[1].1.status, Some(IsbnStatus::Approved));
        let lines: Vec<usize> = read.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![6, 7, 8], "{:?}", read.rejected);
        let twice = read_historical("ISBN,認可生效日\n9789576780004,20210101\n9789869900003,20210101\n957-678-000-4,20210202\n").unwrap();
        assert_eq!(twice.books.len(), 2);
        assert_eq!(
            twice.books[0].1.approved_effective_date,
            DateField::parse("20210101")
        );
        assert_eq!(
            (twice.rejected[0].line, twice.rejected[0].reason.as_str()),
            (4, "ISBN 與第 2 列重複")
        );
        assert!(
            read.rejected[0].reason.contains("檢查碼"),
            "{:?}",
            read.rejected[0]
        );
        assert!(read.rejected[1].reason.contains("缺少認可生效日"));
        assert!(read.notes.iter().any(|n| n.contains("書籍類型")));
        assert_eq!(read.books[0].1.kind, None);
        let open = read_historical(
            "ISBN,認可生效日\n9789576780004,20210101\n\"9789869900003,20210101\n9789576780004,20210101\n",
        )
        .unwrap();
        assert_eq!(open.books.len(), 1);
        assert_eq!(open.rejected[0].line, 3);
        assert!(open.rejected[0].reason.contains("引號"));
    }

    #[test]
    fn the_specifications_names_and_refusals() {
        let csv = "isbn,title,publisher,approved_effective_date,revoked_effective_date,status,kind\n9789576780004,T,P,20210301,20220101,revoked,電子\n";
        let read = read_historical(csv).unwrap();
        let book = &read.books[0].1;
        assert_eq!(book.status, Some(IsbnStatus::Revoked));
        assert_eq!(book.kind, Some(BookKind::Ebook));
        assert_eq!(book.revoked_effective_date, DateField::parse("20220101"));
        assert!(read.notes.is_empty());

        let e = read_historical("名稱,價格\n某書,100\n").unwrap_err();
        assert_eq!(e.code(), "unmapped_layout");
        assert!(e.to_string().contains("「名稱」"), "{e}");
        assert_eq!(read_historical("").unwrap_err(), ImportError::Empty);
        assert_eq!(
            read_historical("ISBN,書名\n123,x\n").unwrap_err(),
            ImportError::NothingReadable
        );
    }
}
