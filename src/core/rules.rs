//! The exemption rules: exempt, taxable or unknown for one record at one checkout day.
//!
//! The one rule above all: a decision is `Exempt` only when every rule says so.
//! Whatever cannot be read (a missing policy date, a broken record, a status
//! nobody knows) is `Unknown`, which a shop sells as taxable.
//!
//! ```
//! use booktax::core::schema::{Isbn, IsbnStatus, DateField};
//! use booktax::core::rules::{decide_isbn, Checkout, Verdict};
//! use booktax::core::taipei::parse_yyyymmdd;
//!
//! let book = Isbn {
//!     isbn: "9789576780004".into(),
//!     status: Some(IsbnStatus::Approved),
//!     approved_effective_date: DateField::parse("20210301"),
//!     ..Isbn::default()
//! };
//! let at = |day| Checkout::new(Some("20260228"), parse_yyyymmdd(day).unwrap(), None);
//! assert_eq!(decide_isbn(&book, &at("20210228")).verdict, Verdict::Taxable);
//! assert_eq!(decide_isbn(&book, &at("20210301")).verdict, Verdict::Exempt);
//! assert_eq!(decide_isbn(&book, &at("20260301")).verdict, Verdict::Taxable);
//!
//! // The words are written only when asked for, in the checkout's language.
//! let exempt = decide_isbn(&book, &at("20210301"));
//! assert_eq!(exempt.message(), "免稅（認可生效 2021-03-01 起，至 2026-02-28 止）");
//! assert_eq!(exempt.detail(), "認可生效 2021-03-01 起，至 2026-02-28 止");
//! let english = decide_isbn(&book, &at("20260301").in_lang(booktax::core::lang::Lang::En));
//! assert_eq!(english.message(), "Taxable: the exemption policy expired on 2026-02-28");
//! ```

use crate::core::lang::Lang;
use crate::core::schema::{BookKind, DateField, Ean, EanStatus, Isbn, IsbnStatus};
use crate::core::taipei::{DisplayDay, day_before, format_yyyymmdd, parse_yyyymmdd};
use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// What the clerk does at the till.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// May be sold free of business tax.
    Exempt,
    /// Sold with business tax.
    Taxable,
    /// Cannot be determined: sell as taxable and check the announcement page.
    Unknown,
}

impl Verdict {
    /// The verdict as JavaScript sees it: `exempt`, `taxable` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Exempt => "exempt",
            Verdict::Taxable => "taxable",
            Verdict::Unknown => "unknown",
        }
    }
}

/// Why, in a word a program can switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Approved and within its window (exempt).
    Approved,
    /// No readable policy expiry date.
    PolicyUnknown,
    /// The checkout day is after the policy expiry date.
    PolicyExpired,
    /// The record has no status.
    MissingStatus,
    /// A status the specification does not name.
    UnknownStatus,
    /// Still applying.
    Applying,
    /// The approval expired.
    Expired,
    /// The record is missing or garbles a field the rules need.
    InvalidRecord,
    /// Approved from a later day.
    NotYetEffective,
    /// Revoked on or before the checkout day.
    Revoked,
    /// The approval does not cover the format sold.
    OutOfScope,
    /// The boxed set's barcode was deleted.
    EanDeleted,
    /// The boxed set's barcode is listed from a later day.
    EanNotYetListed,
    /// A book in the set is taxable.
    ComponentTaxable,
    /// A book in the set cannot be decided.
    ComponentUnknown,
    /// The service does not list the code: the book has no approval.
    NotListed,
    /// The service could not be asked, or answered nonsense.
    LookupFailed,
    /// The device's and the service's clocks fall on different days and the
    /// verdicts of the two days differ: the less favourable one stands.
    ClocksDisagree,
    /// What was typed or scanned is no code; holds the code reader's error code.
    Unreadable(&'static str),
}

impl Reason {
    /// The reason as JavaScript sees it, `snake_case`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Approved => "approved",
            Reason::PolicyUnknown => "policy_unknown",
            Reason::PolicyExpired => "policy_expired",
            Reason::MissingStatus => "missing_status",
            Reason::UnknownStatus => "unknown_status",
            Reason::Applying => "applying",
            Reason::Expired => "expired",
            Reason::InvalidRecord => "invalid_record",
            Reason::NotYetEffective => "not_yet_effective",
            Reason::Revoked => "revoked",
            Reason::OutOfScope => "out_of_scope",
            Reason::EanDeleted => "ean_deleted",
            Reason::EanNotYetListed => "ean_not_yet_listed",
            Reason::ComponentTaxable => "component_taxable",
            Reason::ComponentUnknown => "component_unknown",
            Reason::NotListed => "not_listed",
            Reason::LookupFailed => "lookup_failed",
            Reason::ClocksDisagree => "clocks_disagree",
            Reason::Unreadable(code) => code,
        }
    }
}

/// The format being sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A printed book (實體).
    Physical,
    /// An e-book (電子).
    Ebook,
}

impl Format {
    /// Reads `physical` or `ebook`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "physical" => Some(Format::Physical),
            "ebook" => Some(Format::Ebook),
            _ => None,
        }
    }
}

/// The advice every unknown verdict carries.
pub const UNKNOWN_ADVICE: &str = "請以應稅處理並至認可公告頁面確認";

/// [`UNKNOWN_ADVICE`] in English.
pub const UNKNOWN_ADVICE_EN: &str = "sell as taxable and check the announcement page";

/// One decision: what the clerk does, why, and the exempt window.
///
/// Its words, the one-line [`message`](Decision::message) a clerk understands and the
/// [`detail`](Decision::detail) alone, are written only when asked for (or serialized), in
/// the language the checkout asked for (zh-TW unless asked otherwise). Deciding writes no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What the clerk does.
    pub verdict: Verdict,
    /// Why, for programs.
    pub reason: Reason,
    /// First exempt day (Taipei), when exempt or not yet effective.
    pub exempt_from: Option<NaiveDate>,
    /// Last exempt day (Taipei), when exempt.
    pub exempt_until: Option<NaiveDate>,
    /// The two days a disputed "now" fell on, when the clocks disagreed.
    pub clocks: Option<Box<ClockDays>>,
    /// The language of its words.
    lang: Lang,
    /// What its words say, kept as data until they are written.
    why: Why,
}

/// The days "now" fell on by each clock, and which one the verdict stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockDays {
    /// The Taipei day by this device's clock.
    pub device: NaiveDate,
    /// The Taipei day by the service's clock.
    pub service: NaiveDate,
    /// The day whose verdict was the less favourable.
    pub judged: NaiveDate,
    /// That day's own reason.
    pub reason: Reason,
}

/// Why a decision went as it did, as the data its words are written from (in the
/// decision's language; every English text here starts in lower case, as it continues
/// a sentence: "Unknown: the policy…").
#[derive(Debug, Clone, PartialEq, Eq)]
enum Why {
    /// Words that name nothing from the record or the day.
    Said(&'static str),
    /// The announcement data is wrong: what is missing, or the served value that cannot be used.
    InvalidRecord(Cow<'static, str>),
    /// The exemption policy expired on this day.
    PolicyExpired(NaiveDate),
    /// The approval takes effect on this day, after the checkout day.
    EffectiveFrom(NaiveDate),
    /// The approval was revoked on this day.
    RevokedOn(NaiveDate),
    /// The boxed set's barcode was deleted on this day.
    EanDeletedOn(NaiveDate),
    /// The boxed set's barcode is listed only from this day.
    EanListedFrom(NaiveDate),
    /// How many books in the set are not exempt.
    TaxableBooks(usize),
    /// How many books in the set cannot be decided.
    UndecidedBooks(usize),
    /// Approved: exempt from the first day through the last.
    Approved {
        /// The first exempt day.
        from: NaiveDate,
        /// The last exempt day.
        until: NaiveDate,
    },
    /// The clocks put "now" on two days and the less favourable one was judged.
    Disputed {
        /// The day by this device's clock.
        device: NaiveDate,
        /// The day by the service's clock.
        service: NaiveDate,
        /// The day judged on.
        judged: NaiveDate,
        /// Why that day went as it did.
        judged_why: Box<Why>,
    },
    /// Words written when decided: a served value quoted, or a caller's text.
    Text(Box<str>),
}

impl Why {
    /// A caller's text as a detail: in English it continues a sentence, so "Cannot reach…"
    /// becomes "cannot reach…" (a word in capitals, "ISBN…", stays).
    fn text(lang: Lang, mut text: String) -> Why {
        if let (Lang::En, [first, second, ..]) = (lang, text.as_bytes())
            && first.is_ascii_uppercase()
            && second.is_ascii_lowercase()
        {
            text[..1].make_ascii_lowercase();
        }
        Why::Text(text.into_boxed_str())
    }

    /// Writes the detail in `lang`.
    fn write(&self, lang: Lang, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::say_to;
        match self {
            Why::Said(words) => f.write_str(words),
            Why::Text(words) => f.write_str(words),
            Why::InvalidRecord(what) => say_to!(
                f,
                lang,
                "公告資料有誤（{}）",
                "the announcement data is wrong ({})",
                what
            ),
            Why::PolicyExpired(day) => say_to!(
                f,
                lang,
                "免稅政策已於 {} 到期",
                "the exemption policy expired on {}",
                DisplayDay(*day)
            ),
            Why::EffectiveFrom(day) => say_to!(
                f,
                lang,
                "認可自 {} 起生效，結帳日尚未生效",
                "the approval takes effect on {}, after the checkout day",
                DisplayDay(*day)
            ),
            Why::RevokedOn(day) => say_to!(
                f,
                lang,
                "認可已於 {} 撤銷",
                "the approval was revoked on {}",
                DisplayDay(*day)
            ),
            Why::EanDeletedOn(day) => say_to!(
                f,
                lang,
                "此套書條碼已於 {} 刪除",
                "this boxed set's barcode was deleted on {}",
                DisplayDay(*day)
            ),
            Why::EanListedFrom(day) => say_to!(
                f,
                lang,
                "此套書條碼自 {} 起才列入",
                "this boxed set's barcode is listed only from {}",
                DisplayDay(*day)
            ),
            Why::TaxableBooks(count) => say_to!(
                f,
                lang,
                "套書內有 {} 本書不符免稅",
                "books in the set that are not exempt: {}",
                count
            ),
            Why::UndecidedBooks(count) => say_to!(
                f,
                lang,
                "套書內有 {} 本書無法判定",
                "books in the set that cannot be decided: {}",
                count
            ),
            Why::Approved { from, until } => say_to!(
                f,
                lang,
                "認可生效 {} 起，至 {} 止",
                "approved from {} through {}",
                DisplayDay(*from),
                DisplayDay(*until)
            ),
            Why::Disputed {
                device,
                service,
                judged,
                judged_why,
            } => say_to!(
                f,
                lang,
                "這台電腦的日期（{}）與公告服務的日期（{}）不同，依較不利的 {} 判定：{}",
                "this device's date ({}) and the announcement service's ({}) differ; judged on the less favourable {}: {}",
                DisplayDay(*device),
                DisplayDay(*service),
                DisplayDay(*judged),
                Worded {
                    why: judged_why,
                    lang
                }
            ),
        }
    }
}

/// A [`Why`] in words of one language, written when shown.
struct Worded<'a> {
    why: &'a Why,
    lang: Lang,
}

impl fmt::Display for Worded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.why.write(self.lang, f)
    }
}

impl Decision {
    fn new(lang: Lang, verdict: Verdict, reason: Reason, why: Why) -> Decision {
        Decision {
            verdict,
            reason,
            exempt_from: None,
            exempt_until: None,
            clocks: None,
            lang,
            why,
        }
    }

    fn taxable(lang: Lang, reason: Reason, why: Why) -> Decision {
        Decision::new(lang, Verdict::Taxable, reason, why)
    }

    fn unknown_because(lang: Lang, reason: Reason, why: Why) -> Decision {
        Decision::new(lang, Verdict::Unknown, reason, why)
    }

    /// A verdict the tool cannot give, with the reason in words of `lang`.
    pub fn unknown(lang: Lang, reason: Reason, why: impl fmt::Display) -> Decision {
        Decision::unknown_because(lang, reason, Why::text(lang, why.to_string()))
    }

    fn exempt(lang: Lang, from: NaiveDate, until: NaiveDate) -> Decision {
        Decision {
            exempt_from: Some(from),
            exempt_until: Some(until),
            ..Decision::new(
                lang,
                Verdict::Exempt,
                Reason::Approved,
                Why::Approved { from, until },
            )
        }
    }

    /// A code the announcement service does not list: no approval, so taxable.
    pub fn not_listed(lang: Lang) -> Decision {
        let why = lang.pick(
            "不在文化部認可公告清單中",
            "not on the Ministry of Culture's list of approved books",
        );
        Decision::taxable(lang, Reason::NotListed, Why::Said(why))
    }

    /// This day's decision, standing for a "now" the two clocks put on different days.
    pub fn disputed(
        self,
        lang: Lang,
        device: NaiveDate,
        service: NaiveDate,
        judged: NaiveDate,
    ) -> Decision {
        let why = Why::Disputed {
            device,
            service,
            judged,
            judged_why: Box::new(self.why),
        };
        Decision {
            clocks: Some(Box::new(ClockDays {
                device,
                service,
                judged,
                reason: self.reason,
            })),
            ..Decision::new(lang, self.verdict, Reason::ClocksDisagree, why)
        }
    }

    /// The language its words are in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The whole line for the clerk: verdict, why and (when unknown) the advice, written now.
    /// The same as `to_string()`.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// Why, in words alone (no verdict, no advice), written now.
    pub fn detail(&self) -> String {
        self.detail_words().to_string()
    }

    /// The detail, written only when shown.
    fn detail_words(&self) -> Worded<'_> {
        Worded {
            why: &self.why,
            lang: self.lang,
        }
    }
}

impl fmt::Display for Decision {
    /// The [`message`](Decision::message): verdict, why and (when unknown) the advice.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::say_to;
        let detail = self.detail_words();
        match self.verdict {
            Verdict::Exempt => say_to!(f, self.lang, "免稅（{}）", "Exempt ({})", detail),
            Verdict::Taxable => say_to!(f, self.lang, "應稅：{}", "Taxable: {}", detail),
            Verdict::Unknown => say_to!(
                f,
                self.lang,
                "無法判定：{}，{}",
                "Unknown: {}; {}",
                detail,
                self.lang.pick(UNKNOWN_ADVICE, UNKNOWN_ADVICE_EN)
            ),
        }
    }
}

/// How the policy itself stands on the checkout day(s), for the page's policy bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyState {
    /// No readable policy expiry date.
    Unknown,
    /// In force, more than [`POLICY_WARNING_DAYS`] days left.
    InForce,
    /// In force, in its last [`POLICY_WARNING_DAYS`] days.
    EndingSoon,
    /// Past its expiry date: every book is taxable.
    Expired,
}

impl PolicyState {
    /// As JavaScript sees it: `unknown`, `ok`, `warning` or `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyState::Unknown => "unknown",
            PolicyState::InForce => "ok",
            PolicyState::EndingSoon => "warning",
            PolicyState::Expired => "expired",
        }
    }
}

/// The last days of the policy in which the page warns that it ends.
pub const POLICY_WARNING_DAYS: i64 = 30;

/// The policy's state and days left on the least favourable of `days`.
///
/// ```
/// use booktax::core::rules::{policy_outlook, PolicyState};
/// use booktax::core::taipei::parse_yyyymmdd;
/// let d = |s| parse_yyyymmdd(s).unwrap();
/// // The device's day is before the policy's end, the service's after it: expired.
/// assert_eq!(policy_outlook(Some(d("20260228")), &[d("20260220"), d("20260306")]), (PolicyState::Expired, Some(-6)));
/// assert_eq!(policy_outlook(Some(d("20260228")), &[d("20260218")]), (PolicyState::EndingSoon, Some(10)));
/// assert_eq!(policy_outlook(None, &[d("20260218")]), (PolicyState::Unknown, None));
/// ```
pub fn policy_outlook(policy: Option<NaiveDate>, days: &[NaiveDate]) -> (PolicyState, Option<i64>) {
    let Some(policy) = policy else {
        return (PolicyState::Unknown, None);
    };
    let Some(left) = days
        .iter()
        .map(|day| policy.signed_duration_since(*day).num_days())
        .min()
    else {
        return (PolicyState::Unknown, None);
    };
    let state = match left {
        ..0 => PolicyState::Expired,
        0..=POLICY_WARNING_DAYS => PolicyState::EndingSoon,
        _ => PolicyState::InForce,
    };
    (state, Some(left))
}

/// The moment of sale: the policy expiry date as served, the Taipei checkout day and the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// `None` when the policy expiry date is missing or not a real date.
    pub policy_expiry: Option<NaiveDate>,
    /// The checkout's Taipei calendar day.
    pub day: NaiveDate,
    /// The format sold, when the clerk said.
    pub format: Option<Format>,
    /// The language of the decision's text.
    pub lang: Lang,
}

impl Checkout {
    /// `policy_expiry_date` is read as a caller passed it (`YYYYMMDD`); anything else leaves it unknown.
    pub fn new(
        policy_expiry_date: Option<&str>,
        day: NaiveDate,
        format: Option<Format>,
    ) -> Checkout {
        Checkout::on_day(policy_expiry_date.and_then(parse_yyyymmdd), day, format)
    }

    /// A checkout on `day` under a policy expiry date already read.
    pub fn on_day(
        policy_expiry: Option<NaiveDate>,
        day: NaiveDate,
        format: Option<Format>,
    ) -> Checkout {
        Checkout {
            policy_expiry,
            day,
            format,
            lang: Lang::ZhTw,
        }
    }

    /// The same checkout, its decisions worded in `lang`.
    pub fn in_lang(self, lang: Lang) -> Checkout {
        Checkout { lang, ..self }
    }

    /// Rule 1, shared by books and boxed sets.
    fn policy(&self) -> Result<NaiveDate, Decision> {
        let lang = self.lang;
        match self.policy_expiry {
            None => Err(Decision::unknown_because(
                lang,
                Reason::PolicyUnknown,
                Why::Said(lang.pick(
                    "無法取得政策施行到期日",
                    "the policy expiry date could not be obtained",
                )),
            )),
            Some(p) if self.day > p => Err(Decision::taxable(
                lang,
                Reason::PolicyExpired,
                Why::PolicyExpired(p),
            )),
            Some(p) => Ok(p),
        }
    }
}

/// A short, printable form of a value served by the API, for messages.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(24).collect();
    if s.chars().count() > 24 {
        out.push('…');
    }
    out
}

/// The announcement data is wrong: `what` is missing or cannot be used.
fn invalid_record(lang: Lang, what: impl Into<Cow<'static, str>>) -> Decision {
    Decision::unknown_because(lang, Reason::InvalidRecord, Why::InvalidRecord(what.into()))
}

/// Decides one book (ISBN record), rules 1 to 6 in order.
pub fn decide_isbn(record: &Isbn, at: &Checkout) -> Decision {
    match decide_isbn_inner(record, at) {
        Ok(d) | Err(d) => d,
    }
}

fn decide_isbn_inner(record: &Isbn, at: &Checkout) -> Result<Decision, Decision> {
    // 1. The policy itself.
    let policy = at.policy()?;
    let lang = at.lang;

    // 2. Status.
    let status = match &record.status {
        None => {
            let why = lang.pick("公告資料缺少認可狀態", "the record has no approval status");
            return Err(Decision::unknown_because(
                lang,
                Reason::MissingStatus,
                Why::Said(why),
            ));
        }
        Some(IsbnStatus::Other(s)) => {
            let why = crate::say!(
                lang,
                "未知的認可狀態「{}」",
                "unknown approval status \"{}\"",
                shown(s)
            );
            return Err(Decision::unknown(lang, Reason::UnknownStatus, why));
        }
        Some(IsbnStatus::Applying) => {
            let why = lang.pick("尚在申請中，未獲認可", "still applying, not approved");
            return Err(Decision::taxable(lang, Reason::Applying, Why::Said(why)));
        }
        Some(IsbnStatus::Expired) => {
            let why = lang.pick("認可已到期", "the approval has expired");
            return Err(Decision::taxable(lang, Reason::Expired, Why::Said(why)));
        }
        Some(s) => s,
    };

    // 3. Dates an approved or revoked record must have.
    let approved = match &record.approved_effective_date {
        DateField::Date(d) => *d,
        DateField::Absent => {
            let what = lang.pick("缺少認可生效日", "no approval date");
            return Err(invalid_record(lang, what));
        }
        DateField::Invalid(s) => {
            let what = crate::say!(lang, "認可生效日「{}」", "approval date \"{}\"", shown(s));
            return Err(invalid_record(lang, what));
        }
    };
    let revoked = match &record.revoked_effective_date {
        DateField::Date(d) => Some(*d),
        DateField::Absent if *status == IsbnStatus::Revoked => {
            let what = lang.pick(
                "已撤銷但缺少撤銷生效日",
                "revoked without a revocation date",
            );
            return Err(invalid_record(lang, what));
        }
        DateField::Absent => None,
        DateField::Invalid(s) => {
            let what = crate::say!(lang, "撤銷生效日「{}」", "revocation date \"{}\"", shown(s));
            return Err(invalid_record(lang, what));
        }
    };

    // 4. The effective window.
    if at.day < approved {
        let mut d = Decision::taxable(lang, Reason::NotYetEffective, Why::EffectiveFrom(approved));
        d.exempt_from = Some(approved);
        return Err(d);
    }
    if let Some(r) = revoked.filter(|r| at.day >= *r) {
        return Err(Decision::taxable(lang, Reason::Revoked, Why::RevokedOn(r)));
    }

    // 5. The format sold.
    if let Some(format) = at.format {
        match (&record.kind, format) {
            (Some(BookKind::Physical), Format::Ebook) if record.include_ebook != Some(true) => {
                let why = lang.pick(
                    "認可範圍不含電子書",
                    "the approval does not cover the e-book",
                );
                return Err(Decision::taxable(lang, Reason::OutOfScope, Why::Said(why)));
            }
            (Some(BookKind::Ebook), Format::Physical) => {
                let why = lang.pick(
                    "此為電子書的認可，不含實體書",
                    "the approval is for the e-book, not the printed book",
                );
                return Err(Decision::taxable(lang, Reason::OutOfScope, Why::Said(why)));
            }
            (Some(BookKind::Physical | BookKind::Ebook), _) => {}
            (Some(BookKind::Other(k)), _) => {
                let what = crate::say!(lang, "書籍類型「{}」", "book kind \"{}\"", shown(k));
                return Err(invalid_record(lang, what));
            }
            (None, _) => {
                let what = lang.pick("缺少書籍類型", "no book kind");
                return Err(invalid_record(lang, what));
            }
        }
    }

    // 6. Exempt, until the policy ends or the day before a revocation.
    let until = match revoked.and_then(day_before) {
        Some(last) if last < policy => last,
        _ => policy,
    };
    Ok(Decision::exempt(lang, approved, until))
}

/// A boxed set's decision and each of its books'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EanDecision {
    /// The set's own decision.
    pub decision: Decision,
    /// Each ISBN in the set with its own decision, in the record's order.
    pub items: Vec<(String, Decision)>,
}

/// Decides a boxed set (EAN record): exempt only when every book in it is.
pub fn decide_ean(record: &Ean, at: &Checkout) -> EanDecision {
    let items: Vec<(String, Decision)> = record
        .isbns
        .iter()
        .flatten()
        .map(|isbn| (isbn.isbn.clone(), decide_isbn(isbn, at)))
        .collect();
    let decision = match decide_ean_inner(record, at, &items) {
        Ok(d) | Err(d) => d,
    };
    EanDecision { decision, items }
}

fn decide_ean_inner(
    record: &Ean,
    at: &Checkout,
    items: &[(String, Decision)],
) -> Result<Decision, Decision> {
    // 1. The policy.
    at.policy()?;
    let lang = at.lang;

    // 2. Dates and status must be readable.
    let date = |field: &DateField, name: &str| match field {
        DateField::Invalid(s) => Err(invalid_record(
            lang,
            crate::say!(lang, "{}「{}」", "{} \"{}\"", name, shown(s)),
        )),
        other => Ok(other.date()),
    };
    let created = date(
        &record.created_date,
        lang.pick("套書建立日期", "boxed set created date"),
    )?;
    let deleted = date(
        &record.deleted_date,
        lang.pick("套書刪除日期", "boxed set deleted date"),
    )?;
    let gone = match &record.status {
        // The EAN lookup always gives one: a set without is malformed (the mirror gives its
        // list's status to the sets the daily lists serve without one).
        None => {
            let why = lang.pick("公告資料缺少套書狀態", "the record has no boxed set status");
            return Err(Decision::unknown_because(
                lang,
                Reason::MissingStatus,
                Why::Said(why),
            ));
        }
        Some(EanStatus::Created | EanStatus::Enabled) => false,
        Some(EanStatus::Deleted | EanStatus::Disable | EanStatus::Disabled) => true,
        Some(EanStatus::Other(s)) => {
            let why = crate::say!(
                lang,
                "未知的套書狀態「{}」",
                "unknown boxed set status \"{}\"",
                shown(s)
            );
            return Err(Decision::unknown(lang, Reason::UnknownStatus, why));
        }
    };

    // 3. Listed on the checkout day.
    match deleted {
        Some(d) if at.day >= d => {
            return Err(Decision::taxable(
                lang,
                Reason::EanDeleted,
                Why::EanDeletedOn(d),
            ));
        }
        None if gone => {
            let why = lang.pick("此套書條碼已刪除", "this boxed set's barcode was deleted");
            return Err(Decision::taxable(lang, Reason::EanDeleted, Why::Said(why)));
        }
        _ => {}
    }
    if let Some(c) = created.filter(|c| at.day < *c) {
        return Err(Decision::taxable(
            lang,
            Reason::EanNotYetListed,
            Why::EanListedFrom(c),
        ));
    }

    // 4. A set must say what it holds.
    if items.is_empty() {
        let what = lang.pick("套書未列出所含書籍", "the boxed set lists no books");
        return Err(invalid_record(lang, what));
    }

    // 5. Every book in it.
    let taxable = items
        .iter()
        .filter(|(_, d)| d.verdict == Verdict::Taxable)
        .count();
    if taxable > 0 {
        return Err(Decision::taxable(
            lang,
            Reason::ComponentTaxable,
            Why::TaxableBooks(taxable),
        ));
    }
    let unknown = items
        .iter()
        .filter(|(_, d)| d.verdict != Verdict::Exempt)
        .count();
    if unknown > 0 {
        return Err(Decision::unknown_because(
            lang,
            Reason::ComponentUnknown,
            Why::UndecidedBooks(unknown),
        ));
    }
    let from = items
        .iter()
        .filter_map(|(_, d)| d.exempt_from)
        .chain(created)
        .max();
    let until = items
        .iter()
        .filter_map(|(_, d)| d.exempt_until)
        .chain(deleted.and_then(day_before))
        .min();
    match (from, until) {
        (Some(from), Some(until)) if from <= until => Ok(Decision::exempt(lang, from, until)),
        // Every item is exempt, so both exist; anything else is not exempt.
        _ => Err(invalid_record(
            lang,
            lang.pick("免稅期間無法計算", "the exempt period cannot be worked out"),
        )),
    }
}

/// The JavaScript shape of a decision:
/// `{ isbn?, verdict, reason, message, detail, exemptFrom?, exemptUntil?, clocks?, items? }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DecisionView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    isbn: Option<&'a str>,
    verdict: &'static str,
    reason: &'static str,
    message: String,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    exempt_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exempt_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clocks: Option<ClockDaysView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<DecisionView<'a>>>,
}

/// `{ deviceDate, serviceDate, judgedDate, reason }`, dates as `YYYYMMDD`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClockDaysView {
    device_date: String,
    service_date: String,
    judged_date: String,
    reason: &'static str,
}

impl<'a> DecisionView<'a> {
    fn of(d: &'a Decision, isbn: Option<&'a str>) -> Self {
        DecisionView {
            isbn,
            verdict: d.verdict.as_str(),
            reason: d.reason.as_str(),
            message: d.message(),
            detail: d.detail(),
            exempt_from: d.exempt_from.map(format_yyyymmdd),
            exempt_until: d.exempt_until.map(format_yyyymmdd),
            clocks: d.clocks.as_deref().map(|c| ClockDaysView {
                device_date: format_yyyymmdd(c.device),
                service_date: format_yyyymmdd(c.service),
                judged_date: format_yyyymmdd(c.judged),
                reason: c.reason.as_str(),
            }),
            items: None,
        }
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DecisionView::of(self, None).serialize(s)
    }
}

impl Serialize for EanDecision {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut view = DecisionView::of(&self.decision, None);
        view.items = Some(
            self.items
                .iter()
                .map(|(isbn, d)| DecisionView::of(d, Some(isbn)))
                .collect(),
        );
        view.serialize(s)
    }
}
