//! Records as the mirror keeps them: one array of texts per record, not an object repeating its field names in every record.
//!
//! A book is `[isbn, isbn_13, isbn_10, title, publisher, kind, type, include_ebook,
//! status, approved_effective_date, revoked_effective_date]`; a set is `[ean, title,
//! status, created_date, deleted_date]` and its books. Every field is a text or absent:
//! dates are `YYYYMMDD`, or the text as served when it was no date, and
//! `include_ebook` is `"1"` or `"0"`, so reading back gives the same record. (Plain
//! arrays of texts rather than serde: the browser shell builds them with a few calls,
//! where a derived serde tuple costs the wasm some 18 KB.)
//!
//! ```
//! use booktax::core::mirror::stored::{book_fields, book_from_fields};
//! use booktax::core::schema::{DateField, Isbn, IsbnStatus};
//! let book = Isbn {
//!     isbn: "9789576780004".into(),
//!     status: Some(IsbnStatus::Approved),
//!     approved_effective_date: DateField::parse("20210301"),
//!     revoked_effective_date: DateField::parse("not a date"),
//!     ..Isbn::default()
//! };
//! assert_eq!(book_from_fields(book_fields(&book)), Some(book));
//! ```

use crate::core::schema::{BookKind, CaseType, DateField, Ean, EanStatus, Isbn, IsbnStatus};
use crate::core::taipei::format_yyyymmdd;

/// How many fields a stored book has.
pub const BOOK_FIELDS: usize = 11;
/// How many fields a stored set has besides its books.
pub const SET_FIELDS: usize = 5;

fn date_text(field: &DateField) -> Option<String> {
    match field {
        DateField::Absent => None,
        DateField::Date(d) => Some(format_yyyymmdd(*d)),
        DateField::Invalid(s) => Some(s.clone()),
    }
}

fn date_field(text: Option<String>) -> DateField {
    text.map_or(DateField::Absent, |s| DateField::parse(&s))
}

/// A book's fields, in the stored order.
pub fn book_fields(b: &Isbn) -> [Option<String>; BOOK_FIELDS] {
    [
        Some(b.isbn.clone()),
        b.isbn_13.clone(),
        b.isbn_10.clone(),
        b.title.clone(),
        b.publisher.clone(),
        b.kind.as_ref().map(|k| k.as_str().to_string()),
        b.case_type.as_ref().map(|t| t.as_str().to_string()),
        b.include_ebook
            .map(|e| if e { "1" } else { "0" }.to_string()),
        b.status.as_ref().map(|s| s.as_str().to_string()),
        date_text(&b.approved_effective_date),
        date_text(&b.revoked_effective_date),
    ]
}

/// A book from its stored fields; `None` when the code is missing (not a stored book).
pub fn book_from_fields(f: [Option<String>; BOOK_FIELDS]) -> Option<Isbn> {
    let [
        isbn,
        isbn_13,
        isbn_10,
        title,
        publisher,
        kind,
        case_type,
        ebook,
        status,
        approved,
        revoked,
    ] = f;
    Some(Isbn {
        isbn: isbn?,
        isbn_13,
        isbn_10,
        title,
        publisher,
        kind: kind.map(BookKind::from),
        case_type: case_type.map(CaseType::from),
        include_ebook: ebook.map(|e| e == "1"),
        status: status.map(IsbnStatus::from),
        approved_effective_date: date_field(approved),
        revoked_effective_date: date_field(revoked),
    })
}

/// A set's own fields, in the stored order (its books are stored beside them).
pub fn set_fields(e: &Ean) -> [Option<String>; SET_FIELDS] {
    [
        Some(e.ean.clone()),
        e.title.clone(),
        e.status.as_ref().map(|s| s.as_str().to_string()),
        date_text(&e.created_date),
        date_text(&e.deleted_date),
    ]
}

/// A set from its stored fields and books; `None` when the code is missing.
pub fn set_from_fields(f: [Option<String>; SET_FIELDS], books: Option<Vec<Isbn>>) -> Option<Ean> {
    let [ean, title, status, created, deleted] = f;
    Some(Ean {
        ean: ean?,
        title,
        status: status.map(EanStatus::from),
        created_date: date_field(created),
        deleted_date: date_field(deleted),
        isbns: books,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::schema::read_schema;

    #[test]
    fn a_set_and_its_books_read_back_the_same() {
        let set: Ean = read_schema(
            serde_json::from_str::<serde_json::Value>(
                r#"{"ean":"4710000000004","title":"套書","status":"created","created_date":"20210301",
                    "deleted_date":"20xx","isbns":[{"isbn":"9789576780004","kind":"實體","type":"進口",
                    "include_ebook":true,"status":"revoked","approved_effective_date":"20210301",
                    "revoked_effective_date":"20220101","isbn_10":"9576780004"}]}"#,
            )
            .unwrap(),
        )
        .unwrap();
        let books = set.isbns.as_ref().map(|b| {
            b.iter()
                .map(|x| book_from_fields(book_fields(x)).unwrap())
                .collect()
        });
        assert_eq!(set_from_fields(set_fields(&set), books), Some(set.clone()));
        assert_eq!(set_fields(&set)[4].as_deref(), Some("20xx"));
        assert_eq!(book_from_fields(Default::default()), None);
    }
}
