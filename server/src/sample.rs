//! Sample data: the deterministic generator of sample records and boxed sets (the named fixtures are in `fixtures`).

use crate::fixtures::{FIXTURE_EANS, FIXTURE_ISBNS};
use booktax::core::code::ean13_check;
use chrono::{Datelike, Days, NaiveDate};
use std::collections::HashSet;

/// The first day with a published list.
pub const FIRST_DAY: NaiveDate = booktax::core::schema::FIRST_ANNOUNCEMENT;
/// Seed of every generated value: same flags and same "today" give the same data.
pub const SEED: u64 = 0x5EED_B00C_7A70_2021;
/// The generated days run this many days past the startup's today, for a clock set ahead.
pub const DAYS_AHEAD: u64 = 400;

/// splitmix64: a tiny, good-enough, reproducible PRNG.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The stream for item `i` of a kind, independent of every other item.
    pub fn for_item(kind: u64, i: u64) -> SplitMix64 {
        let mut r = SplitMix64(SEED ^ kind.wrapping_mul(0xA076_1D64_78BD_642F) ^ i);
        r.next_u64();
        r
    }
}

/// Status of a generated record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenStatus {
    Applying,
    Approved,
    Revoked,
    Expired,
}

/// One generated book, kept small: a million of these must fit easily in memory.
#[derive(Debug, Clone)]
pub struct Book {
    pub code: u64,
    /// Number in the title and publisher, from 1.
    pub serial: u32,
    pub publisher: u16,
    pub status: GenStatus,
    pub ebook: bool,
    pub imported: bool,
    pub include_ebook: bool,
    /// The day it is announced (approved list, or changed list while applying).
    pub announced: NaiveDate,
    pub approved: NaiveDate,
    /// Revoked records: the day the revocation is announced and when it takes effect.
    pub revoke_announced: Option<NaiveDate>,
    pub revoked: Option<NaiveDate>,
    /// A day it appears in a changed list.
    pub changed: Option<NaiveDate>,
}

/// One generated boxed set.
#[derive(Debug, Clone)]
pub struct BoxSet {
    pub code: u64,
    pub serial: u32,
    pub announced: NaiveDate,
    pub created: NaiveDate,
    pub delete_announced: Option<NaiveDate>,
    pub deleted: Option<NaiveDate>,
    pub changed: Option<NaiveDate>,
    /// Indices into the generated books.
    pub items: Vec<u32>,
}

/// Everything generated for one run.
#[derive(Debug)]
pub struct Generated {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub books: Vec<Book>,
    pub sets: Vec<BoxSet>,
}

pub fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

/// Nothing is published on January 1st.
pub fn is_quiet_day(d: NaiveDate) -> bool {
    d.month() == 1 && d.day() == 1
}

/// `d`, or the next day when `d` is January 1st.
fn publishing_day(d: NaiveDate) -> NaiveDate {
    if is_quiet_day(d) {
        add_days(d, 1).unwrap_or(d)
    } else {
        d
    }
}

/// A 13-digit code from its first twelve digits.
pub fn with_check(first12: u64) -> u64 {
    let s = format!("{first12:012}");
    first12 * 10 + u64::from(ean13_check(&s) as u8 - b'0')
}

const ISBN_PREFIXES: [u64; 3] = [978_957, 978_986, 978_626];

/// The `k`-th candidate ISBN: a bijection of `k` onto the three Taiwan prefixes' codes.
pub fn candidate_isbn(k: u64) -> u64 {
    let prefix = ISBN_PREFIXES[(k % 3) as usize];
    // 7919 is prime and coprime with 10: multiplying by it permutes 0..10^6.
    let j = ((k / 3) * 7919 + 12_345) % 1_000_000;
    with_check(prefix * 1_000_000 + j)
}

/// The `k`-th candidate boxed-set EAN, under 471.
pub fn candidate_ean(k: u64) -> u64 {
    let j = (k * 7919 + 4242) % 1_000_000_000;
    with_check(471 * 1_000_000_000 + j)
}

fn codes(fixtures: impl Iterator<Item = &'static str>) -> HashSet<u64> {
    fixtures.filter_map(|c| c.parse().ok()).collect()
}

/// A day uniformly in `from..=to`, never January 1st.
fn day_between(rng: &mut SplitMix64, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0) as u64;
    let d = add_days(from, rng.below(span + 1) as i64).unwrap_or(from);
    publishing_day(d).min(publishing_day(to))
}

/// Generates `n` books and about `n / 100` boxed sets for a server started on `today` (Taipei).
pub fn generate(n: usize, today: NaiveDate) -> Generated {
    let first_day = FIRST_DAY;
    let last_day = add_days(today, DAYS_AHEAD as i64)
        .unwrap_or(today)
        .max(first_day);
    let tomorrow = add_days(today, 1).unwrap_or(today);
    // Days that each get a record first, in order: through tomorrow, then the days ahead.
    let mut cover = Vec::new();
    let mut d = first_day;
    while d <= last_day {
        if !is_quiet_day(d) {
            cover.push(d);
        }
        d = add_days(d, 1).unwrap_or(last_day + Days::new(1));
    }
    debug_assert!(cover.first().is_none_or(|d| *d <= tomorrow));

    let taken = codes(FIXTURE_ISBNS.iter().map(|f| f.code));
    let mut k = 0u64;
    let mut books = Vec::with_capacity(n);
    for i in 0..n {
        let code = loop {
            let c = candidate_isbn(k);
            k += 1;
            if !taken.contains(&c) {
                break c;
            }
        };
        let mut rng = SplitMix64::for_item(1, i as u64);
        let announced = cover
            .get(i)
            .copied()
            .unwrap_or_else(|| day_between(&mut rng, first_day, last_day));
        let status = match rng.below(100) {
            0..=77 => GenStatus::Approved,
            78..=87 => GenStatus::Revoked,
            88..=93 => GenStatus::Applying,
            _ => GenStatus::Expired,
        };
        let approved = add_days(announced, 1 + rng.below(5) as i64).unwrap_or(announced);
        let (revoke_announced, revoked) = if status == GenStatus::Revoked {
            let from = add_days(approved, 30).unwrap_or(approved).min(last_day);
            let ra = day_between(&mut rng, from, last_day);
            (Some(ra), add_days(ra, 1 + rng.below(7) as i64))
        } else {
            (None, None)
        };
        let changed = (rng.below(100) < 8).then(|| {
            let from = add_days(announced, 1).unwrap_or(announced).min(last_day);
            day_between(&mut rng, from, last_day)
        });
        let ebook = rng.below(10) == 0;
        books.push(Book {
            code,
            serial: i as u32 + 1,
            publisher: rng.below(500) as u16 + 1,
            status,
            ebook,
            imported: rng.below(5) == 0,
            include_ebook: !ebook && rng.below(4) == 0,
            announced,
            approved,
            revoke_announced,
            revoked,
            changed,
        });
    }

    let taken = codes(FIXTURE_EANS.iter().map(|f| f.code));
    let mut k = 0u64;
    let n_sets = if books.is_empty() { 0 } else { n / 100 };
    let mut sets = Vec::with_capacity(n_sets);
    for s in 0..n_sets {
        let code = loop {
            let c = candidate_ean(k);
            k += 1;
            if !taken.contains(&c) {
                break c;
            }
        };
        let mut rng = SplitMix64::for_item(2, s as u64);
        let count = 2 + rng.below(5) as usize;
        // Most sets hold only approved books; the rest whatever comes, so some disagree.
        let agreeing = rng.below(10) < 7;
        let mut items: Vec<u32> = Vec::with_capacity(count);
        while items.len() < count {
            let mut pick = rng.below(books.len() as u64) as u32;
            if agreeing {
                for _ in 0..20 {
                    if books[pick as usize].status == GenStatus::Approved {
                        break;
                    }
                    pick = rng.below(books.len() as u64) as u32;
                }
            }
            if !items.contains(&pick) || items.len() >= books.len() {
                items.push(pick);
            }
        }
        let latest = items
            .iter()
            .map(|&b| books[b as usize].announced)
            .max()
            .unwrap_or(first_day);
        let announced = day_between(
            &mut rng,
            latest,
            add_days(latest, 10).unwrap_or(latest).min(last_day),
        );
        let created = add_days(announced, 1).unwrap_or(announced);
        let (delete_announced, deleted) = if rng.below(10) == 0 {
            let da = day_between(
                &mut rng,
                add_days(announced, 1).unwrap_or(announced).min(last_day),
                last_day,
            );
            (Some(da), add_days(da, 1))
        } else {
            (None, None)
        };
        let changed =
            (rng.below(100) < 5).then(|| day_between(&mut rng, announced.min(last_day), last_day));
        sets.push(BoxSet {
            code,
            serial: s as u32 + 1,
            announced,
            created,
            delete_announced,
            deleted,
            changed,
            items,
        });
    }
    Generated {
        first_day,
        last_day,
        books,
        sets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{When, fixture_isbn};
    use booktax::core::code::{CodeKind, read_code};
    use booktax::core::taipei::parse_yyyymmdd;

    fn date(s: &str) -> NaiveDate {
        parse_yyyymmdd(s).unwrap()
    }

    #[test]
    fn splitmix_is_reproducible_and_spread() {
        let mut a = SplitMix64(1);
        let mut b = SplitMix64(1);
        assert_eq!(a.next_u64(), b.next_u64());
        let mut r = SplitMix64(7);
        let mut seen = [0u32; 10];
        for _ in 0..10_000 {
            seen[r.below(10) as usize] += 1;
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
    }

    #[test]
    fn fixture_codes_are_valid_and_unique() {
        let mut all = HashSet::new();
        for f in FIXTURE_ISBNS {
            let c = read_code(f.code).unwrap();
            assert_eq!(
                (c.kind, c.code.as_str()),
                (CodeKind::Isbn, f.code),
                "{}",
                f.name
            );
            assert!(all.insert(f.code), "{}", f.name);
        }
        for f in FIXTURE_EANS {
            let c = read_code(f.code).unwrap();
            assert_eq!(c.kind, CodeKind::Ean, "{}", f.name);
            assert!(all.insert(f.code), "{}", f.name);
            for item in f.items {
                assert!(fixture_isbn(item).is_some(), "{item}");
            }
        }
        assert_eq!(fixture_isbn("spec_example").unwrap().code, "9789576780004");
    }

    #[test]
    fn candidate_codes_are_valid_and_distinct() {
        let mut seen = HashSet::new();
        for k in 0..30_000 {
            let c = candidate_isbn(k);
            let s = c.to_string();
            assert_eq!(read_code(&s).unwrap().kind, CodeKind::Isbn);
            assert!(
                ["978957", "978986", "978626"]
                    .iter()
                    .any(|p| s.starts_with(p))
            );
            assert!(seen.insert(c));
            let e = candidate_ean(k).to_string();
            assert!(e.starts_with("471") && read_code(&e).unwrap().kind == CodeKind::Ean);
        }
    }

    #[test]
    fn generation_is_deterministic_and_covers_every_day() {
        let today = date("20261123");
        let a = generate(5000, today);
        let b = generate(5000, today);
        assert_eq!(a.books.len(), 5000);
        assert_eq!(a.sets.len(), 50);
        for (x, y) in a.books.iter().zip(&b.books) {
            assert_eq!(
                (x.code, x.announced, x.status),
                (y.code, y.announced, y.status)
            );
        }
        let days: HashSet<NaiveDate> = a.books.iter().map(|b| b.announced).collect();
        let mut d = FIRST_DAY;
        while d <= date("20261124") {
            assert_eq!(days.contains(&d), !is_quiet_day(d), "{d}");
            d = add_days(d, 1).unwrap();
        }
        let count = |s| a.books.iter().filter(|b| b.status == s).count();
        assert!(count(GenStatus::Approved) > 3500);
        for s in [GenStatus::Revoked, GenStatus::Applying, GenStatus::Expired] {
            assert!(count(s) > 100, "{s:?}");
        }
        assert!(
            a.books
                .iter()
                .all(|b| b.revoked.is_some() == (b.status == GenStatus::Revoked))
        );
        let ebooks = a.books.iter().filter(|b| b.ebook).count();
        assert!((300..700).contains(&ebooks), "{ebooks}");
        let imported = a.books.iter().filter(|b| b.imported).count();
        assert!((700..1300).contains(&imported), "{imported}");
        assert!(a.books.iter().any(|b| b.include_ebook));
        assert!(a.sets.iter().any(|s| s.deleted.is_some()));
        assert!(a.sets.iter().all(|s| (2..=6).contains(&s.items.len())));
        let fixtures = codes(FIXTURE_ISBNS.iter().map(|f| f.code));
        assert!(a.books.iter().all(|b| !fixtures.contains(&b.code)));
    }

    #[test]
    fn fixture_dates_follow_today() {
        let today = date("20261123");
        assert_eq!(When::FromToday(30).date(today), Some(date("20261223")));
        assert_eq!(When::Fixed("20210230").date(today), None);
        assert_eq!(When::None.date(today), None);
        assert!(is_quiet_day(date("20250101")) && !is_quiet_day(date("20250102")));
    }
}
