//! The sample data's indexes and queries: code → record and day → lists, each answer built in O(its size).

use crate::fixtures::{FIXTURE_EANS, FIXTURE_ISBNS, FixtureEan, FixtureIsbn, When, fixture_isbn};
use crate::sample::{BoxSet, GenStatus, Generated, add_days, is_quiet_day};
use booktax::core::code::isbn13_to_10;
use booktax::core::schema::{
    BookKind, CaseType, DailyResponse, DateField, Ean, EanStatus, Isbn, IsbnStatus, Section,
};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The moment a query is answered for: what is published and what "today" is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// Taipei date of "now".
    pub today: NaiveDate,
    /// The last day whose list is out (today, or tomorrow from 21:30).
    pub through: NaiveDate,
}

/// Generated records of one day's lists (indices into books and sets).
#[derive(Debug, Default)]
struct DayLists {
    approved: Vec<u32>,
    revoked: Vec<u32>,
    changed: Vec<u32>,
    sets_approved: Vec<u32>,
    sets_revoked: Vec<u32>,
    sets_changed: Vec<u32>,
}

/// All sample data with its indexes.
#[derive(Debug)]
pub struct Store {
    data: Generated,
    by_code: HashMap<u64, u32>,
    sets_by_code: HashMap<u64, u32>,
    /// Indexed by days since `data.first_day`.
    days: Vec<DayLists>,
}

fn parse_code(code: &str) -> Option<u64> {
    (code.len() == 13 && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| code.parse().ok())
        .flatten()
}

fn date_field(d: Option<NaiveDate>) -> DateField {
    d.map_or(DateField::Absent, DateField::Date)
}

/// A fixture date as served: real dates as dates, invalid text kept verbatim.
fn fixture_date(w: When, today: NaiveDate) -> DateField {
    match w {
        When::Fixed(s) => DateField::parse(s),
        other => date_field(other.date(today)),
    }
}

/// The announcement day of a fixture book: three days before it takes effect.
fn fixture_announced(f: &FixtureIsbn, today: NaiveDate) -> Option<NaiveDate> {
    f.approved.date(today).and_then(|d| add_days(d, -3))
}

fn fixture_revoke_announced(f: &FixtureIsbn, today: NaiveDate) -> Option<NaiveDate> {
    f.revoked.date(today).and_then(|d| add_days(d, -5))
}

fn fixture_book(f: &FixtureIsbn, today: NaiveDate) -> Isbn {
    Isbn {
        isbn: f.code.to_string(),
        isbn_13: None,
        isbn_10: None,
        title: Some(f.title.to_string()),
        publisher: Some(f.publisher.to_string()),
        kind: Some(BookKind::from(f.kind.to_string())),
        case_type: Some(CaseType::from(f.case_type.to_string())),
        include_ebook: Some(f.include_ebook),
        // Served verbatim: "" stays "" rather than null.
        status: Some(IsbnStatus::from(f.status.to_string())),
        approved_effective_date: fixture_date(f.approved, today),
        revoked_effective_date: fixture_date(f.revoked, today),
    }
}

fn fixture_set_items(f: &FixtureEan, today: NaiveDate) -> Vec<Isbn> {
    f.items
        .iter()
        .filter_map(|name| fixture_isbn(name))
        .map(|b| fixture_book(b, today))
        .collect()
}

impl Store {
    /// Builds the indexes over generated data.
    pub fn new(data: Generated) -> Store {
        let span = (data.last_day - data.first_day).num_days().max(0) as usize + 1;
        let mut days: Vec<DayLists> = (0..span).map(|_| DayLists::default()).collect();
        let first = data.first_day;
        let slot = |d: NaiveDate| -> Option<usize> {
            usize::try_from((d - first).num_days())
                .ok()
                .filter(|&i| i < span)
        };
        let mut by_code = HashMap::with_capacity(data.books.len());
        for (i, b) in data.books.iter().enumerate() {
            let i = i as u32;
            by_code.insert(b.code, i);
            if let Some(s) = slot(b.announced) {
                match b.status {
                    GenStatus::Applying => days[s].changed.push(i),
                    _ => days[s].approved.push(i),
                }
            }
            if let Some(s) = b.revoke_announced.and_then(slot) {
                days[s].revoked.push(i);
            }
            if let Some(s) = b.changed.and_then(slot) {
                days[s].changed.push(i);
            }
        }
        let mut sets_by_code = HashMap::with_capacity(data.sets.len());
        for (i, set) in data.sets.iter().enumerate() {
            let i = i as u32;
            sets_by_code.insert(set.code, i);
            if let Some(s) = slot(set.announced) {
                days[s].sets_approved.push(i);
            }
            if let Some(s) = set.delete_announced.and_then(slot) {
                days[s].sets_revoked.push(i);
            }
            if let Some(s) = set.changed.and_then(slot) {
                days[s].sets_changed.push(i);
            }
        }
        Store {
            data,
            by_code,
            sets_by_code,
            days,
        }
    }

    pub fn book_count(&self) -> usize {
        self.data.books.len()
    }

    pub fn set_count(&self) -> usize {
        self.data.sets.len()
    }

    /// A generated book as seen at `view`, or `None` before it is announced.
    fn book(&self, i: u32, view: &View) -> Option<Isbn> {
        let b = self.data.books.get(i as usize)?;
        if b.announced > view.through {
            return None;
        }
        let revocation_out = b.revoke_announced.is_some_and(|d| d <= view.through);
        let (status, approved, revoked) = match b.status {
            GenStatus::Applying => (IsbnStatus::Applying, DateField::Absent, DateField::Absent),
            GenStatus::Approved => (IsbnStatus::Approved, b.approved.into(), DateField::Absent),
            GenStatus::Expired => (IsbnStatus::Expired, b.approved.into(), DateField::Absent),
            GenStatus::Revoked if revocation_out => (
                IsbnStatus::Revoked,
                b.approved.into(),
                date_field(b.revoked),
            ),
            GenStatus::Revoked => (IsbnStatus::Approved, b.approved.into(), DateField::Absent),
        };
        // Every third book in the live service's shape, with `isbn_13` and `isbn_10` beside `isbn`.
        let live_shape = b.serial % 3 == 0;
        Some(Isbn {
            isbn: b.code.to_string(),
            isbn_13: live_shape.then(|| b.code.to_string()),
            isbn_10: live_shape
                .then(|| isbn13_to_10(&b.code.to_string()))
                .flatten(),
            title: Some(format!("範例書籍 第 {} 號（樣本資料）", b.serial)),
            publisher: Some(format!("範例出版社 {}（樣本資料）", b.publisher)),
            kind: Some(if b.ebook {
                BookKind::Ebook
            } else {
                BookKind::Physical
            }),
            case_type: Some(if b.imported {
                CaseType::Imported
            } else {
                CaseType::Domestic
            }),
            include_ebook: Some(b.include_ebook),
            status: Some(status),
            approved_effective_date: approved,
            revoked_effective_date: revoked,
        })
    }

    fn set_items(&self, set: &BoxSet, view: &View) -> Vec<Isbn> {
        set.items
            .iter()
            .filter_map(|&i| self.book(i, view))
            .collect()
    }

    /// A generated set for a list (ean, title, isbns only), or `None` before it is announced.
    fn set_listed(&self, i: u32, view: &View) -> Option<Ean> {
        let set = self.data.sets.get(i as usize)?;
        (set.announced <= view.through).then(|| Ean {
            ean: set.code.to_string(),
            title: Some(set_title(set)),
            isbns: Some(self.set_items(set, view)),
            ..Ean::default()
        })
    }

    /// `GET isbn/{code}`: fixtures always, generated records once announced.
    pub fn isbn(&self, code: &str, view: &View) -> Option<Isbn> {
        if let Some(f) = FIXTURE_ISBNS.iter().find(|f| f.code == code) {
            return Some(fixture_book(f, view.today));
        }
        let i = *self.by_code.get(&parse_code(code)?)?;
        self.book(i, view)
    }

    /// `GET ean/{code}`: the set with status and dates.
    pub fn ean(&self, code: &str, view: &View) -> Option<Ean> {
        if let Some(f) = FIXTURE_EANS.iter().find(|f| f.code == code) {
            return Some(Ean {
                ean: f.code.to_string(),
                title: Some(f.title.to_string()),
                status: Some(EanStatus::from(f.status.to_string())),
                created_date: fixture_date(f.created, view.today),
                deleted_date: fixture_date(f.deleted, view.today),
                isbns: Some(fixture_set_items(f, view.today)),
            });
        }
        let i = *self.sets_by_code.get(&parse_code(code)?)?;
        let set = &self.data.sets[i as usize];
        if set.announced > view.through {
            return None;
        }
        let deleted = set
            .delete_announced
            .is_some_and(|d| d <= view.through)
            .then_some(set.deleted)
            .flatten();
        Some(Ean {
            ean: set.code.to_string(),
            title: Some(set_title(set)),
            status: Some(if deleted.is_some() {
                EanStatus::Deleted
            } else {
                EanStatus::Created
            }),
            created_date: set.created.into(),
            deleted_date: date_field(deleted),
            isbns: Some(self.set_items(set, view)),
        })
    }

    /// `GET {date}`: that day's lists, or `None` (404) when nothing is published for it.
    pub fn daily(&self, date: NaiveDate, view: &View, policy: NaiveDate) -> Option<DailyResponse> {
        if date < self.data.first_day || date > view.through || is_quiet_day(date) {
            return None;
        }
        let mut approved = Section::default();
        let mut revoked = Section::default();
        let mut changed = Section::default();
        let today = view.today;
        for f in FIXTURE_ISBNS {
            if fixture_announced(f, today) == Some(date) {
                approved.isbns.push(fixture_book(f, today));
            }
            if fixture_revoke_announced(f, today) == Some(date) {
                revoked.isbns.push(fixture_book(f, today));
            }
        }
        for f in FIXTURE_EANS {
            let listed = || Ean {
                ean: f.code.to_string(),
                title: Some(f.title.to_string()),
                isbns: Some(fixture_set_items(f, today)),
                ..Ean::default()
            };
            if f.created.date(today).and_then(|d| add_days(d, -1)) == Some(date) {
                approved.eans.push(listed());
            }
            if f.deleted.date(today).and_then(|d| add_days(d, -1)) == Some(date) {
                revoked.eans.push(listed());
            }
        }
        let slot = usize::try_from((date - self.data.first_day).num_days()).ok();
        if let Some(lists) = slot.and_then(|s| self.days.get(s)) {
            let books = |ids: &[u32], into: &mut Vec<Isbn>| {
                into.extend(ids.iter().filter_map(|&i| self.book(i, view)));
            };
            books(&lists.approved, &mut approved.isbns);
            books(&lists.revoked, &mut revoked.isbns);
            books(&lists.changed, &mut changed.isbns);
            let sets = |ids: &[u32], into: &mut Vec<Ean>| {
                into.extend(ids.iter().filter_map(|&i| self.set_listed(i, view)));
            };
            sets(&lists.sets_approved, &mut approved.eans);
            sets(&lists.sets_revoked, &mut revoked.eans);
            sets(&lists.sets_changed, &mut changed.eans);
        }
        let empty = |s: &Section| s.isbns.is_empty() && s.eans.is_empty();
        if empty(&approved) && empty(&revoked) && empty(&changed) {
            return None;
        }
        Some(DailyResponse {
            code: 0,
            message: None,
            policy_expiry_date: policy.into(),
            approved,
            revoked,
            changed,
        })
    }
}

fn set_title(set: &BoxSet) -> String {
    format!("範例套書 第 {} 組（樣本資料）", set.serial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::generate;
    use booktax::core::taipei::parse_yyyymmdd;

    fn date(s: &str) -> NaiveDate {
        parse_yyyymmdd(s).unwrap()
    }

    fn store() -> Store {
        Store::new(generate(3000, date("20261123")))
    }

    fn view(today: &str, through: &str) -> View {
        View {
            today: date(today),
            through: date(through),
        }
    }

    #[test]
    fn fixtures_as_named() {
        let s = store();
        let v = view("20261123", "20261123");
        let get = |name: &str| s.isbn(fixture_isbn(name).unwrap().code, &v).unwrap();
        let spec = get("spec_example");
        assert_eq!(spec.title.as_deref(), Some("國立中央圖書館讀者指引"));
        assert_eq!(spec.publisher.as_deref(), Some("中央圖書館"));
        assert_eq!(spec.include_ebook, Some(true));
        assert_eq!(
            spec.approved_effective_date,
            DateField::Date(date("20210301"))
        );
        assert_eq!(
            get("not_yet_effective").approved_effective_date,
            date("20261223").into()
        );
        assert_eq!(
            get("revoking_soon").revoked_effective_date,
            date("20261203").into()
        );
        assert_eq!(get("revoked").status, Some(IsbnStatus::Revoked));
        assert_eq!(
            get("missing_status").status,
            Some(IsbnStatus::Other(String::new()))
        );
        assert_eq!(
            get("unknown_status").status,
            Some(IsbnStatus::Other("suspended".into()))
        );
        assert_eq!(
            get("invalid_date").approved_effective_date,
            DateField::Invalid("20210230".into())
        );
        let json = serde_json::to_value(get("missing_status")).unwrap();
        assert_eq!(json["status"], "");
        let e = s.ean("8667106506069", &v).unwrap();
        assert_eq!(e.isbns.as_ref().unwrap().len(), 6);
        assert_eq!(e.status, Some(EanStatus::Created));
        let d = s.ean("4719990000025", &v).unwrap();
        assert_eq!(d.deleted_date, date("20240101").into());
    }

    #[test]
    fn generated_records_appear_once_announced() {
        let s = store();
        let late = view("20261123", "20261124");
        let day = s.daily(date("20230315"), &late, date("20310228")).unwrap();
        let first = &day.approved.isbns[0];
        assert!(first.title.as_deref().unwrap().contains("樣本資料"));
        assert_eq!(s.isbn(&first.isbn, &late).as_ref(), Some(first));
        let early = view("20230101", "20230101");
        assert_eq!(s.isbn(&first.isbn, &early), None);
        assert!(
            s.daily(date("20230315"), &early, date("20310228"))
                .is_none()
        );
    }

    #[test]
    fn every_day_through_tomorrow_except_new_year() {
        let s = store();
        let v = view("20261123", "20261124");
        let mut d = date("20210107");
        while d <= date("20261124") {
            let got = s.daily(d, &v, date("20310228"));
            assert_eq!(got.is_some(), !is_quiet_day(d), "{d}");
            d = add_days(d, 1).unwrap();
        }
        assert!(s.daily(date("20210106"), &v, date("20310228")).is_none());
        assert!(s.daily(date("20261125"), &v, date("20310228")).is_none());
    }

    #[test]
    fn revocations_and_unknown_codes() {
        let s = store();
        let v = view("20271231", "20271231");
        let revoked = (0..s.book_count() as u32)
            .filter_map(|i| s.book(i, &v))
            .find(|b| b.status == Some(IsbnStatus::Revoked))
            .unwrap();
        assert!(revoked.revoked_effective_date.date().is_some());
        assert_eq!(s.isbn("9780000000000", &v), None);
        assert_eq!(s.isbn("97800", &v), None);
        assert_eq!(s.ean("4710000000000", &v), None);
        assert!(s.set_count() == 30);
    }
}
