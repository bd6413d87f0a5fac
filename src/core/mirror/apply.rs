//! One day's announcement as the records a mirror stores: approved, then changed, then revoked, each keyed by its ISBN-13 or EAN-13.
//!
//! A book listed under `revoked` is revoked, whatever status it came with; every other book is
//! stored with the status it was served with, so a book without one is unknown from
//! the mirror as it is from the service (never exempt for being on a list). A set under
//! `revoked` is deleted, whatever its status; a set without a status under `approved` or
//! `changed` is created (the lists serve sets without one; a set with none from the EAN
//! lookup is unknown).
//! Revocations come last, so a code listed twice on one day ends revoked. A
//! record whose code cannot be read is skipped and counted, never stored under a
//! guessed key.
//!
//! A list's boxed sets come without the `created_date` and `deleted_date` that the
//! EAN lookup gives. The mirror fills them with the dates that can never make a set
//! exempt too early: listed from the day after the list's date (as the service's own
//! records give it), and delisted from the list's date itself.

use crate::core::code::{CodeKind, read_code};
use crate::core::mirror::bucket::BookEdits;
use crate::core::schema::{DailyResponse, DateField, Ean, EanStatus, Isbn, IsbnStatus, Section};
use chrono::NaiveDate;

/// What one day changes in a mirror.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayChanges {
    /// Books to store, in order (a later one for the same key replaces an earlier one).
    pub isbns: Vec<(String, Isbn)>,
    /// Boxed sets to store, with their books, in order.
    pub eans: Vec<(String, Ean)>,
    /// The policy expiry date the day carries, when it carries a readable one.
    pub policy: Option<NaiveDate>,
    /// Records whose code could not be read.
    pub skipped: u32,
    /// Of those, revocations: a day with one cannot be applied (a lost revocation could leave a book exempt).
    pub unreadable_revocations: u32,
}

/// What one transaction writes: books by bucket, boxed sets by code (`None` removes
/// one), several days gathered in order so that a later day's record replaces an earlier one's.
#[derive(Debug, Default)]
pub struct Writes {
    /// Books, by bucket.
    pub books: BookEdits,
    /// Boxed sets to store, or to remove (`None`), in order: a later write of a code replaces an earlier one.
    pub sets: Vec<(String, Option<Ean>)>,
}

impl Writes {
    /// Adds a day's changes after those gathered so far.
    pub fn day(&mut self, changes: &DayChanges) {
        for (key, book) in &changes.isbns {
            self.books.put(key, book);
        }
        for (key, set) in &changes.eans {
            self.sets.push((key.clone(), Some(set.clone())));
        }
    }

    /// How many records it writes or removes.
    pub fn len(&self) -> usize {
        self.books.len() + self.sets.len()
    }

    /// Whether it writes nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The ISBN-13 a book record is stored under: its `isbn`, else `isbn_13`, else `isbn_10`, read as an ISBN.
///
/// ```
/// use booktax::core::mirror::apply::isbn_key;
/// use booktax::core::schema::Isbn;
/// let book = Isbn { isbn: "957-678-000-4".into(), ..Isbn::default() };
/// assert_eq!(isbn_key(&book).as_deref(), Some("9789576780004"));
/// ```
pub fn isbn_key(record: &Isbn) -> Option<String> {
    [
        Some(record.isbn.as_str()),
        record.isbn_13.as_deref(),
        record.isbn_10.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|s| read_code(s).ok())
    .find(|code| code.kind == CodeKind::Isbn && code.addon.is_none())
    .map(|code| String::from(code.code))
}

/// The EAN-13 a boxed set is stored under.
pub fn ean_key(record: &Ean) -> Option<String> {
    read_code(&record.ean)
        .ok()
        .filter(|code| code.addon.is_none())
        .map(|code| String::from(code.code))
}

/// Which list a record came from, for the status it is stored with.
#[derive(Clone, Copy)]
enum List {
    Approved,
    Changed,
    Revoked,
}

/// What the announcement for `date` changes: see the module docs for the order, the statuses and a set's dates.
pub fn changes_of(day: &DailyResponse, date: NaiveDate) -> DayChanges {
    let mut changes = DayChanges {
        policy: day.policy_expiry_date.date(),
        ..DayChanges::default()
    };
    for (section, list) in [
        (&day.approved, List::Approved),
        (&day.changed, List::Changed),
        (&day.revoked, List::Revoked),
    ] {
        add_section(&mut changes, section, list, date);
    }
    changes
}

fn add_section(changes: &mut DayChanges, section: &Section, list: List, date: NaiveDate) {
    for book in &section.isbns {
        match isbn_key(book) {
            Some(key) => changes.isbns.push((key, with_isbn_status(book, list))),
            None => changes.unreadable(list),
        }
    }
    for set in &section.eans {
        match ean_key(set) {
            Some(key) => {
                let mut set = set.clone();
                set.status = match (list, set.status) {
                    // The revoked list says what it is, whatever status came with it.
                    (List::Revoked, _) => Some(EanStatus::Deleted),
                    // A listed set whose details changed (a delisting goes on the revoked list).
                    (List::Approved | List::Changed, None) => Some(EanStatus::Created),
                    (_, status) => status,
                };
                if set.created_date == DateField::Absent {
                    set.created_date = date.succ_opt().map_or(DateField::Absent, DateField::Date);
                }
                if matches!(list, List::Revoked) && set.deleted_date == DateField::Absent {
                    set.deleted_date = DateField::Date(date);
                }
                changes.eans.push((key, set));
            }
            None => changes.unreadable(list),
        }
    }
}

impl DayChanges {
    /// Counts a record whose code could not be read (and a revocation apart).
    fn unreadable(&mut self, list: List) {
        self.skipped += 1;
        if matches!(list, List::Revoked) {
            self.unreadable_revocations += 1;
        }
    }
}

fn with_isbn_status(book: &Isbn, list: List) -> Isbn {
    let mut book = book.clone();
    // On the revoked list a book is revoked, even if it came with another status (a record that
    // says "approved" there contradicts its list, and must not stay exempt).
    if matches!(list, List::Revoked) {
        book.status = Some(IsbnStatus::Revoked);
    }
    book
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::schema::{DateField, read_schema};

    fn on(date: &str) -> NaiveDate {
        crate::core::taipei::parse_yyyymmdd(date).unwrap()
    }

    fn day(json: &str) -> DailyResponse {
        read_schema(serde_json::from_str::<serde_json::Value>(json).unwrap()).unwrap()
    }

    #[test]
    fn days_gathered_for_one_write_keep_the_later_record() {
        use crate::core::mirror::bucket::{edit_bucket, find_book};
        let book = |status: &str| Isbn {
            isbn: "9789576780004".into(),
            status: Some(IsbnStatus::from(status.to_string())),
            ..Isbn::default()
        };
        let set = Ean {
            ean: "4710000000004".into(),
            ..Ean::default()
        };
        let mut writes = Writes::default();
        writes.day(&DayChanges {
            isbns: vec![("9789576780004".into(), book("approved"))],
            eans: vec![("4710000000004".into(), set.clone())],
            ..DayChanges::default()
        });
        writes.day(&DayChanges {
            isbns: vec![("9789576780004".into(), book("revoked"))],
            ..DayChanges::default()
        });
        assert_eq!(writes.len(), 2);
        let text = edit_bucket("", &writes.books.buckets()[0].1).text;
        assert_eq!(
            find_book(&text, "9789576780004"),
            Some(Some(book("revoked")))
        );
        assert_eq!(writes.sets, [("4710000000004".to_string(), Some(set))]);
    }

    #[test]
    fn statuses_from_the_list_order_and_keys() {
        let d = day(r#"{"code":0,"policy_expiry_date":"20310228",
            "approved":{"isbns":[{"isbn":"9576780004","approved_effective_date":"20210301"},
                                 {"isbn":"9789576780004","status":"applying"},
                                 {"isbn":"not a code","isbn_13":"9789869900003"},
                                 {"isbn":"garbage"}],
                        "eans":[{"ean":"4710000000004","isbns":[]}]},
            "changed":{"isbns":[{"isbn":"9789869900003","title":"新"}],
                       "eans":[{"ean":"4710000000011","isbns":[]}]},
            "revoked":{"isbns":[{"isbn":"9789576780004","revoked_effective_date":"20260101"},
                                {"isbn":"9789869900003","status":"approved"}],
                       "eans":[{"ean":"4710000000004"},{"ean":"4710000000011","status":"created"}]}}"#);
        let c = changes_of(&d, on("20210301"));
        assert_eq!(
            c.policy
                .map(crate::core::taipei::format_yyyymmdd)
                .as_deref(),
            Some("20310228")
        );
        assert_eq!((c.skipped, c.unreadable_revocations), (1, 0));
        let bad = day(
            r#"{"code":0,"approved":{"isbns":[]},"changed":{"isbns":[]},"revoked":{"isbns":[{"isbn":"garbage"}]}}"#,
        );
        assert_eq!(changes_of(&bad, on("20210301")).unreadable_revocations, 1);
        let keyed: Vec<(&str, Option<&IsbnStatus>)> = c
            .isbns
            .iter()
            .map(|(k, b)| (k.as_str(), b.status.as_ref()))
            .collect();
        assert_eq!(
            keyed,
            vec![
                ("9789576780004", None),
                ("9789576780004", Some(&IsbnStatus::Applying)),
                ("9789869900003", None),
                ("9789869900003", None),
                ("9789576780004", Some(&IsbnStatus::Revoked)),
                // On the revoked list a record that says "approved" is revoked all the same.
                ("9789869900003", Some(&IsbnStatus::Revoked)),
            ]
        );
        assert_eq!(
            c.isbns[0].1.approved_effective_date,
            DateField::parse("20210301")
        );
        let sets: Vec<_> = c
            .eans
            .iter()
            .map(|(k, e)| (k.as_str(), e.status.clone()))
            .collect();
        assert_eq!(
            sets,
            vec![
                ("4710000000004", Some(EanStatus::Created)),
                // A changed set without a status is still listed; a revoked one is deleted
                // whatever status it came with.
                ("4710000000011", Some(EanStatus::Created)),
                ("4710000000004", Some(EanStatus::Deleted)),
                ("4710000000011", Some(EanStatus::Deleted)),
            ]
        );
        // A listed set counts from the next day, a delisted one from the list's own day.
        assert_eq!(c.eans[0].1.created_date, DateField::parse("20210302"));
        assert_eq!(c.eans[0].1.deleted_date, DateField::Absent);
        assert_eq!(c.eans[2].1.deleted_date, DateField::parse("20210301"));
    }
}
