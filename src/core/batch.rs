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

use crate::core::code::{Code, CodeError, read_code};

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

/// One cell for Excel: quoted when it holds a comma, quote or line break, and a leading
/// `=`, `+`, `-` or `@` defused with `'` so that no served text runs as a formula.
pub fn csv_cell(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// A CSV document in UTF-8 with a BOM and CRLF line ends, as Excel opens it correctly.
pub fn csv_document(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: &mut dyn Iterator<Item = String>| cells.collect::<Vec<_>>().join(",");
    out.push_str(&line(&mut header.iter().map(|h| csv_cell(h))));
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&line(&mut row.iter().map(|c| csv_cell(c))));
        out.push_str("\r\n");
    }
    out
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

    #[test]
    fn csv_out_for_excel() {
        let doc = csv_document(
            &["行號", "書名"],
            &[
                vec!["1".into(), "=HYPERLINK(\"x\")".into()],
                vec!["2".into(), "a,b".into()],
            ],
        );
        assert!(doc.starts_with('\u{feff}'));
        assert_eq!(
            doc,
            "\u{feff}行號,書名\r\n1,\"'=HYPERLINK(\"\"x\"\")\"\r\n2,\"a,b\"\r\n"
        );
    }
}
