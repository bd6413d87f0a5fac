//! The announcement API's data types, read leniently: one odd field never fails a whole response.
//!
//! Every schema of the specification is here: [`PolicyExpiryDateResponse`],
//! [`DailyResponse`] (approved / revoked / changed, each with `isbns` and `eans`),
//! [`IsbnResponse`], [`EanResponse`], [`Isbn`] and [`Ean`]. Unknown fields are
//! ignored; optional dates may be absent, `null`, `""` or `"null"`; an enum
//! keeps a value it does not know instead of failing; a date that is present
//! but not a real calendar date is kept as [`DateField::Invalid`], so the
//! decision rules can refuse it rather than mistake it for "no date".
//!
//! ```
//! use booktax::core::schema::{IsbnResponse, IsbnStatus, DateField};
//!
//! let body = r#"{"code":0,"message":"null","data":{
//!     "isbn":"9789576780004","title":"國立中央圖書館讀者指引","publisher":"中央圖書館",
//!     "kind":"實體","type":"本國","include_ebook":true,"status":"approved",
//!     "approved_effective_date":"20210301","revoked_effective_date":"null","isbn_10":"9576780004"}}"#;
//! let r: IsbnResponse = serde_json::from_str(body).unwrap();
//! assert_eq!(r.data.status, Some(IsbnStatus::Approved));
//! assert_eq!(r.data.revoked_effective_date, DateField::Absent);
//! assert_eq!(r.message, None);
//! ```

use crate::core::taipei::{format_yyyymmdd, parse_yyyymmdd};
use chrono::NaiveDate;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The first day the service has announcements for: 2021-01-07.
pub const FIRST_ANNOUNCEMENT: NaiveDate = match NaiveDate::from_ymd_opt(2021, 1, 7) {
    Some(d) => d,
    None => panic!("2021-01-07 is a date"),
};

/// A date field as served: absent (also `null`, `""`, `"null"`), a real date, or anything else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DateField {
    /// Absent, `null`, `""` or `"null"`.
    #[default]
    Absent,
    /// A real `YYYYMMDD` date.
    Date(NaiveDate),
    /// Present but not a real `YYYYMMDD` date; holds what was served.
    Invalid(String),
}

impl DateField {
    /// Reads an API date string the lenient way.
    pub fn parse(s: &str) -> DateField {
        match s {
            "" | "null" => DateField::Absent,
            s => {
                parse_yyyymmdd(s).map_or_else(|| DateField::Invalid(s.to_string()), DateField::Date)
            }
        }
    }

    /// Whether the field was absent (or one of its empty forms).
    pub fn is_absent(&self) -> bool {
        matches!(self, DateField::Absent)
    }

    /// The date, when it is a real one.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            DateField::Date(d) => Some(*d),
            _ => None,
        }
    }
}

impl From<NaiveDate> for DateField {
    fn from(d: NaiveDate) -> Self {
        DateField::Date(d)
    }
}

/// Something with a name as served.
trait Named {
    fn name(&self) -> &str;
}

/// Declares an enum of the names a field may hold; any other name is kept as served in `Other`.
macro_rules! named {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $(#[doc = concat!("`", $text, "`.")] $variant,)*
            /// Any other value, kept as served.
            Other(String),
        }

        impl $name {
            /// The name as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl Named for $name {
            fn name(&self) -> &str {
                self.as_str()
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($text => $name::$variant,)*
                    _ => $name::Other(s),
                }
            }
        }
    };
}

named! {
    /// ISBN status. Only the four exact, lower-case values of the specification are known.
    IsbnStatus {
        Applying = "applying",
        Approved = "approved",
        Revoked = "revoked",
        Expired = "expired",
    }
}

named! {
    /// EAN (boxed set) status: the specification's `created` / `deleted`, and the
    /// `enabled` / `disable` (and `disabled`) seen from the real service.
    EanStatus {
        Created = "created",
        Enabled = "enabled",
        Deleted = "deleted",
        Disable = "disable",
        Disabled = "disabled",
    }
}

named! {
    /// 書籍類型: printed (實體) or electronic (電子).
    BookKind {
        Physical = "實體",
        Ebook = "電子",
    }
}

named! {
    /// 案件類別: domestic (本國) or imported (進口).
    CaseType {
        Domestic = "本國",
        Imported = "進口",
    }
}

/// ISBN物件: one publication.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Isbn {
    /// The ISBN as served: ISBN-13, or ISBN-10 on some of the live service's records.
    #[serde(default, deserialize_with = "de_code")]
    pub isbn: String,
    /// The live service's extra ISBN-13 field, when it sends one.
    #[serde(
        default,
        deserialize_with = "de_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub isbn_13: Option<String>,
    /// The live service's extra ISBN-10 field, when it sends one.
    #[serde(
        default,
        deserialize_with = "de_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub isbn_10: Option<String>,
    /// The title (書名 / 商品名稱).
    #[serde(default, deserialize_with = "de_text")]
    pub title: Option<String>,
    /// The publisher (出版者).
    #[serde(default, deserialize_with = "de_text")]
    pub publisher: Option<String>,
    /// 書籍類型: printed or e-book.
    #[serde(default, deserialize_with = "de_named", serialize_with = "ser_named")]
    pub kind: Option<BookKind>,
    /// 案件類別 (`type`): domestic or imported.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "de_named",
        serialize_with = "ser_named"
    )]
    pub case_type: Option<CaseType>,
    /// Whether the approval covers the e-book too (含電子書).
    #[serde(default, deserialize_with = "de_flag")]
    pub include_ebook: Option<bool>,
    /// The status as served.
    #[serde(default, deserialize_with = "de_named", serialize_with = "ser_named")]
    pub status: Option<IsbnStatus>,
    /// 認可生效日: exempt from this Taipei day.
    #[serde(default, deserialize_with = "de_date", serialize_with = "ser_date")]
    pub approved_effective_date: DateField,
    /// 撤銷生效日: taxable again from this Taipei day.
    #[serde(default, deserialize_with = "de_date", serialize_with = "ser_date")]
    pub revoked_effective_date: DateField,
}

/// The fields of an [`Isbn`] the rules read, read exactly as [`Isbn`] reads them, and no others:
/// deciding a record needs neither its codes nor its texts carried into the module.
///
/// ```
/// use booktax::core::schema::{Isbn, IsbnTerms, read_schema};
/// let json = r#"{"isbn":"9789576780004","title":"書","status":"approved","approved_effective_date":"20210301"}"#;
/// let whole: Isbn = read_schema(&mut serde_json::Deserializer::from_str(json)).unwrap();
/// let terms: IsbnTerms = read_schema(&mut serde_json::Deserializer::from_str(json)).unwrap();
/// let book = Isbn::from(terms);
/// assert_eq!((book.status, book.approved_effective_date), (whole.status, whole.approved_effective_date));
/// assert_eq!(book.title, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct IsbnTerms {
    /// As [`Isbn::kind`].
    #[serde(default, deserialize_with = "de_named")]
    pub kind: Option<BookKind>,
    /// As [`Isbn::include_ebook`].
    #[serde(default, deserialize_with = "de_flag")]
    pub include_ebook: Option<bool>,
    /// As [`Isbn::status`].
    #[serde(default, deserialize_with = "de_named")]
    pub status: Option<IsbnStatus>,
    /// As [`Isbn::approved_effective_date`].
    #[serde(default, deserialize_with = "de_date")]
    pub approved_effective_date: DateField,
    /// As [`Isbn::revoked_effective_date`].
    #[serde(default, deserialize_with = "de_date")]
    pub revoked_effective_date: DateField,
}

impl From<IsbnTerms> for Isbn {
    /// A record with the terms and no code or texts: enough for the rules, not for showing.
    fn from(t: IsbnTerms) -> Isbn {
        Isbn {
            kind: t.kind,
            include_ebook: t.include_ebook,
            status: t.status,
            approved_effective_date: t.approved_effective_date,
            revoked_effective_date: t.revoked_effective_date,
            ..Isbn::default()
        }
    }
}

/// The fields of an [`Isbn`] that deciding an earlier answer again reads: its codes (to check the
/// record is the one asked for) and its terms, read exactly as [`Isbn`] reads them; no texts.
///
/// ```
/// use booktax::core::schema::{Isbn, IsbnAsked, read_schema};
/// let json = r#"{"isbn":"9576780004","isbn_13":"9789576780004","title":"書","status":"approved"}"#;
/// let book = Isbn::from(read_schema::<IsbnAsked, _>(&mut serde_json::Deserializer::from_str(json)).unwrap());
/// assert_eq!((book.isbn_13.as_deref(), book.title), (Some("9789576780004"), None));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct IsbnAsked {
    /// As [`Isbn::isbn`].
    #[serde(default, deserialize_with = "de_code")]
    pub isbn: String,
    /// As [`Isbn::isbn_13`].
    #[serde(default, deserialize_with = "de_text")]
    pub isbn_13: Option<String>,
    /// As [`Isbn::isbn_10`].
    #[serde(default, deserialize_with = "de_text")]
    pub isbn_10: Option<String>,
    /// As [`Isbn::kind`].
    #[serde(default, deserialize_with = "de_named")]
    pub kind: Option<BookKind>,
    /// As [`Isbn::include_ebook`].
    #[serde(default, deserialize_with = "de_flag")]
    pub include_ebook: Option<bool>,
    /// As [`Isbn::status`].
    #[serde(default, deserialize_with = "de_named")]
    pub status: Option<IsbnStatus>,
    /// As [`Isbn::approved_effective_date`].
    #[serde(default, deserialize_with = "de_date")]
    pub approved_effective_date: DateField,
    /// As [`Isbn::revoked_effective_date`].
    #[serde(default, deserialize_with = "de_date")]
    pub revoked_effective_date: DateField,
}

impl From<IsbnAsked> for Isbn {
    /// A record with the codes and terms and no texts: enough to check and decide, not for showing.
    fn from(a: IsbnAsked) -> Isbn {
        Isbn {
            isbn: a.isbn,
            isbn_13: a.isbn_13,
            isbn_10: a.isbn_10,
            kind: a.kind,
            include_ebook: a.include_ebook,
            status: a.status,
            approved_effective_date: a.approved_effective_date,
            revoked_effective_date: a.revoked_effective_date,
            ..Isbn::default()
        }
    }
}

/// EAN物件: a boxed set's barcode and the publications it holds. The same type
/// reads list items (`ean`, `isbns`, `title`) and the EAN lookup's `data`
/// (which adds `status`, `created_date` and `deleted_date`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Ean {
    /// The boxed set's EAN-13.
    #[serde(default, deserialize_with = "de_code")]
    pub ean: String,
    /// The title (書名 / 商品名稱).
    #[serde(default, deserialize_with = "de_text")]
    pub title: Option<String>,
    /// The status as served.
    #[serde(
        default,
        deserialize_with = "de_named",
        serialize_with = "ser_named",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<EanStatus>,
    /// When the set's barcode was listed.
    #[serde(
        default,
        deserialize_with = "de_date",
        serialize_with = "ser_date",
        skip_serializing_if = "DateField::is_absent"
    )]
    pub created_date: DateField,
    /// When the set's barcode was deleted.
    #[serde(
        default,
        deserialize_with = "de_date",
        serialize_with = "ser_date",
        skip_serializing_if = "DateField::is_absent"
    )]
    pub deleted_date: DateField,
    /// `None` when the field is absent or `null`: the rules treat that like an empty list.
    #[serde(default, deserialize_with = "de_isbns_opt")]
    pub isbns: Option<Vec<Isbn>>,
}

/// The common head of every response, read first so that `code` ≠ 0 is
/// reported as the service's own error rather than as a missing field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Envelope {
    /// The result code: 0 for success.
    #[serde(deserialize_with = "de_result_code")]
    pub code: i64,
    /// The service's message, if any (`"null"` reads as none).
    #[serde(default, deserialize_with = "de_message")]
    pub message: Option<String>,
}

/// 政策施行到期日物件.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PolicyExpiryDateResponse {
    /// The result code: 0 for success.
    #[serde(deserialize_with = "de_result_code")]
    pub code: i64,
    /// The service's message, if any (`"null"` reads as none).
    #[serde(default, deserialize_with = "de_message")]
    pub message: Option<String>,
    /// 政策施行到期日: the policy covers books until this Taipei day.
    #[serde(default, deserialize_with = "de_date", serialize_with = "ser_date")]
    pub policy_expiry_date: DateField,
}

/// One of the three lists of a daily announcement.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Section {
    /// The ISBN records.
    #[serde(default, deserialize_with = "de_isbns")]
    pub isbns: Vec<Isbn>,
    /// The EAN records.
    #[serde(default, deserialize_with = "de_eans")]
    pub eans: Vec<Ean>,
}

/// 認可/撤銷/異動公告: one day's announcement.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct DailyResponse {
    /// The result code: 0 for success.
    #[serde(deserialize_with = "de_result_code")]
    pub code: i64,
    /// The service's message, if any (`"null"` reads as none).
    #[serde(default, deserialize_with = "de_message")]
    pub message: Option<String>,
    /// 政策施行到期日: the policy covers books until this Taipei day.
    #[serde(default, deserialize_with = "de_date", serialize_with = "ser_date")]
    pub policy_expiry_date: DateField,
    /// 認可: approvals announced that day.
    #[serde(deserialize_with = "de_approved")]
    pub approved: Section,
    /// 撤銷: revocations announced that day.
    #[serde(deserialize_with = "de_revoked")]
    pub revoked: Section,
    /// 異動: changes announced that day.
    #[serde(deserialize_with = "de_changed")]
    pub changed: Section,
}

/// 單獨查詢ISBN時的物件.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct IsbnResponse {
    /// The result code: 0 for success.
    #[serde(deserialize_with = "de_result_code")]
    pub code: i64,
    /// The service's message, if any (`"null"` reads as none).
    #[serde(default, deserialize_with = "de_message")]
    pub message: Option<String>,
    /// The record.
    #[serde(deserialize_with = "de_data")]
    pub data: Isbn,
}

/// 單獨查詢EAN時的物件.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct EanResponse {
    /// The result code: 0 for success.
    #[serde(deserialize_with = "de_result_code")]
    pub code: i64,
    /// The service's message, if any (`"null"` reads as none).
    #[serde(default, deserialize_with = "de_message")]
    pub message: Option<String>,
    /// The record.
    #[serde(deserialize_with = "de_data")]
    pub data: Ean,
}

/// A JSON value as served, before it is given meaning. Numbers keep their text.
enum Raw {
    Null,
    Text(String),
    Bool(bool),
    Nested,
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
                Raw::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
                Ok(Raw::Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
                // JavaScript has only doubles: 20210301 arrives as 20210301.0.
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Ok(Raw::Text((v as i64).to_string()))
                } else {
                    // Never a code or a date; float formatting would only add weight.
                    Ok(Raw::Text("(number)".to_string()))
                }
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Raw, E> {
                Ok(Raw::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Raw::Nested)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Raw::Nested)
            }
        }
        deserializer.deserialize_any(RawVisitor)
    }
}

fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Raw::deserialize(d)? {
        Raw::Text(s) => Some(s),
        Raw::Bool(b) => Some(b.to_string()),
        Raw::Null | Raw::Nested => None,
    })
}

fn de_code<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(de_text(d)?.unwrap_or_default())
}

fn de_message<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(de_text(d)?.filter(|s| !s.is_empty() && s != "null"))
}

fn de_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Raw::deserialize(d)? {
        Raw::Bool(b) => Some(b),
        Raw::Text(s) if s == "true" => Some(true),
        Raw::Text(s) if s == "false" => Some(false),
        _ => None,
    })
}

fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<DateField, D::Error> {
    Ok(match Raw::deserialize(d)? {
        Raw::Null => DateField::Absent,
        Raw::Text(s) => DateField::parse(&s),
        Raw::Bool(b) => DateField::Invalid(b.to_string()),
        Raw::Nested => DateField::Invalid("(object)".to_string()),
    })
}

fn ser_date<S: Serializer>(d: &DateField, s: S) -> Result<S::Ok, S::Error> {
    match d {
        DateField::Absent => s.serialize_none(),
        DateField::Date(d) => s.serialize_str(&format_yyyymmdd(*d)),
        DateField::Invalid(raw) => s.serialize_str(raw),
    }
}

/// Reads a named value (status, kind, type): empty means absent, anything else is kept.
fn de_named<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(match Raw::deserialize(d)? {
        Raw::Null => None,
        Raw::Text(s) if s.is_empty() => None,
        Raw::Text(s) => Some(T::from(s)),
        Raw::Bool(b) => Some(T::from(b.to_string())),
        Raw::Nested => Some(T::from("(object)".to_string())),
    })
}

fn ser_named<S: Serializer, T: Named>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v.name()),
        None => s.serialize_none(),
    }
}

/// Reads a field's value, putting the field's name in front of any error:
/// `@approved.isbns: invalid type…`. This names the field that broke a body at
/// a fraction of the code a general path tracker adds to the wasm.
fn within<'de, D, T>(name: &str, d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map_err(|e| {
        let message = e.to_string();
        de::Error::custom(match message.strip_prefix('@') {
            Some(inner) => format!("@{name}.{inner}"),
            None => format!("@{name}: {message}"),
        })
    })
}

fn de_isbns<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Isbn>, D::Error> {
    Ok(within::<_, Option<_>>("isbns", d)?.unwrap_or_default())
}

fn de_eans<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Ean>, D::Error> {
    Ok(within::<_, Option<_>>("eans", d)?.unwrap_or_default())
}

fn de_isbns_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Isbn>>, D::Error> {
    within("isbns", d)
}

fn de_approved<'de, D: Deserializer<'de>>(d: D) -> Result<Section, D::Error> {
    Ok(within::<_, Option<_>>("approved", d)?.unwrap_or_default())
}

fn de_revoked<'de, D: Deserializer<'de>>(d: D) -> Result<Section, D::Error> {
    Ok(within::<_, Option<_>>("revoked", d)?.unwrap_or_default())
}

fn de_changed<'de, D: Deserializer<'de>>(d: D) -> Result<Section, D::Error> {
    Ok(within::<_, Option<_>>("changed", d)?.unwrap_or_default())
}

fn de_data<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    within("data", d)
}

/// `code` must be an integer (a numeric string is accepted too).
fn de_result_code<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Raw::deserialize(d)? {
        Raw::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| de::Error::custom("@code: 應為整數"))
}

/// A body that does not fit its schema, with the path of the field that broke it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// Where it broke, `data.isbns[2]`, or `.` for the top level.
    pub field: String,
    /// What was wrong.
    pub detail: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.detail)
    }
}

impl std::error::Error for SchemaError {}

/// Deserializes `T` from any serde deserializer, naming the field that broke.
///
/// # Errors
///
/// A [`SchemaError`] with the path of the field that does not fit.
pub fn read_schema<'de, T, D>(deserializer: D) -> Result<T, SchemaError>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    T::deserialize(deserializer).map_err(|e| {
        let message = e.to_string();
        if let Some((field, detail)) = message.strip_prefix('@').and_then(|m| m.split_once(": ")) {
            return SchemaError {
                field: field.to_string(),
                detail: detail.to_string(),
            };
        }
        // serde's own "missing field `data`" names a field at the top level.
        let field = match message.strip_prefix("missing field `") {
            Some(rest) => rest.split('`').next().unwrap_or("."),
            None => ".",
        };
        SchemaError {
            field: field.to_string(),
            detail: message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, SchemaError> {
        let mut de = serde_json::Deserializer::from_str(json);
        read_schema(&mut de)
    }

    fn d(s: &str) -> DateField {
        DateField::parse(s)
    }

    /// The specification's own ISBN example, with its `"null"` revoked date.
    const SPEC_ISBN: &str = r#"{"approved_effective_date":"20210301","include_ebook":true,
        "isbn":"9789576780004","kind":"實體","publisher":"中央圖書館",
        "revoked_effective_date":"null","status":"","title":"國立中央圖書館讀者指引","type":"本國"}"#;

    #[test]
    fn spec_isbn_example() {
        let isbn: Isbn = read(SPEC_ISBN).unwrap();
        assert_eq!(isbn.isbn, "9789576780004");
        assert_eq!(isbn.kind, Some(BookKind::Physical));
        assert_eq!(isbn.case_type, Some(CaseType::Domestic));
        assert_eq!(isbn.include_ebook, Some(true));
        assert_eq!(isbn.status, None, "the example's empty status is no status");
        assert_eq!(isbn.approved_effective_date, d("20210301"));
        assert_eq!(isbn.revoked_effective_date, DateField::Absent);
        assert_eq!(isbn.title.as_deref(), Some("國立中央圖書館讀者指引"));
    }

    #[test]
    fn optional_dates_every_way_of_saying_none() {
        for raw in [
            r#""#,
            r#","revoked_effective_date":null"#,
            r#","revoked_effective_date":"""#,
            r#","revoked_effective_date":"null""#,
        ] {
            let json = format!(r#"{{"isbn":"9789576780004"{raw}}}"#);
            let isbn: Isbn = read(&json).unwrap();
            assert_eq!(isbn.revoked_effective_date, DateField::Absent, "{json}");
        }
        let isbn: Isbn = read(r#"{"revoked_effective_date":"20210230"}"#).unwrap();
        assert_eq!(
            isbn.revoked_effective_date,
            DateField::Invalid("20210230".into())
        );
        let isbn: Isbn = read(r#"{"revoked_effective_date":{"y":2021}}"#).unwrap();
        assert!(matches!(isbn.revoked_effective_date, DateField::Invalid(_)));
        let isbn: Isbn = read(r#"{"approved_effective_date":20210301}"#).unwrap();
        assert_eq!(isbn.approved_effective_date, d("20210301"));
        let isbn: Isbn = read(r#"{"approved_effective_date":true}"#).unwrap();
        assert!(matches!(
            isbn.approved_effective_date,
            DateField::Invalid(_)
        ));
    }

    #[test]
    fn unknown_fields_and_values_are_kept_not_fatal() {
        let isbn: Isbn = read(
            r#"{"isbn":"9789576780004","isbn_10":"9576780004","isbn_13":"9789576780004",
            "status":"Approved","kind":"有聲書","type":"合作","include_ebook":"yes"}"#,
        )
        .unwrap();
        assert_eq!(isbn.status, Some(IsbnStatus::Other("Approved".into())));
        assert_eq!(isbn.kind, Some(BookKind::Other("有聲書".into())));
        assert_eq!(isbn.case_type, Some(CaseType::Other("合作".into())));
        assert_eq!(isbn.include_ebook, None);
        let isbn: Isbn = read(r#"{"status":7,"include_ebook":"true"}"#).unwrap();
        assert_eq!(isbn.status, Some(IsbnStatus::Other("7".into())));
        assert_eq!(isbn.include_ebook, Some(true));
    }

    #[test]
    fn ean_response_with_wild_fields() {
        let body = format!(
            r#"{{"code":0,"message":null,"data":{{"ean":"8667106506069","title":"地中海六部曲套書 經典收藏書盒紀念版",
            "status":"enabled","created_date":"20210301","deleted_date":"","last_modified":"20210302",
            "isbns":[{SPEC_ISBN},{SPEC_ISBN}]}}}}"#
        );
        let r: EanResponse = read(&body).unwrap();
        assert_eq!(r.data.status, Some(EanStatus::Enabled));
        assert_eq!(r.data.created_date, d("20210301"));
        assert_eq!(r.data.deleted_date, DateField::Absent);
        assert_eq!(r.data.isbns.as_ref().map(Vec::len), Some(2));
        let r: EanResponse =
            read(r#"{"code":0,"data":{"ean":"8667106506069","status":"disable"}}"#).unwrap();
        assert_eq!(r.data.status, Some(EanStatus::Disable));
        assert_eq!(r.data.isbns, None);
    }

    #[test]
    fn daily_response() {
        let body = format!(
            r#"{{"code":0,"message":"string","policy_expiry_date":"20260228",
            "approved":{{"isbns":[{SPEC_ISBN}],"eans":[{{"ean":"8667106506069","title":"套書","isbns":[{SPEC_ISBN}]}}]}},
            "revoked":{{"isbns":[]}},"changed":{{}}}}"#
        );
        let r: DailyResponse = read(&body).unwrap();
        assert_eq!(r.policy_expiry_date, d("20260228"));
        assert_eq!(r.approved.isbns.len(), 1);
        assert_eq!(r.approved.eans[0].isbns.as_ref().unwrap().len(), 1);
        assert!(r.revoked.eans.is_empty());
        assert!(r.changed.isbns.is_empty());
    }

    #[test]
    fn broken_bodies_name_the_field() {
        let e = read::<DailyResponse>(r#"{"code":0,"approved":{},"revoked":{}}"#).unwrap_err();
        assert!(e.detail.contains("changed"), "{e}");
        let e = read::<DailyResponse>(
            r#"{"code":0,"approved":{"isbns":[1]},"revoked":{},"changed":{}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field, "approved.isbns");
        let e =
            read::<EanResponse>(r#"{"code":0,"data":{"isbns":[{"isbn":"1"},"x"]}}"#).unwrap_err();
        assert_eq!(e.field, "data.isbns");
        let e = read::<DailyResponse>(
            r#"{"code":0,"approved":{"eans":[{"isbns":7}]},"revoked":{},"changed":{}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field, "approved.eans.isbns");
        let e = read::<IsbnResponse>(r#"{"code":"zero","data":{}}"#).unwrap_err();
        assert_eq!(e.field, "code");
        let e = read::<IsbnResponse>(r#"{"code":0}"#).unwrap_err();
        assert_eq!(e.field, "data", "{e}");
        let e = read::<Envelope>(r#"[]"#).unwrap_err();
        assert_eq!(e.field, ".");
    }

    #[test]
    fn envelope_and_policy() {
        let e: Envelope = read(r#"{"code":1001,"message":"appid 錯誤"}"#).unwrap();
        assert_eq!((e.code, e.message.as_deref()), (1001, Some("appid 錯誤")));
        let p: PolicyExpiryDateResponse =
            read(r#"{"code":0,"message":"null","policy_expiry_date":"20260228"}"#).unwrap();
        assert_eq!(p.policy_expiry_date, d("20260228"));
        let p: PolicyExpiryDateResponse = read(r#"{"code":"0"}"#).unwrap();
        assert_eq!(p.policy_expiry_date, DateField::Absent);
    }

    #[test]
    fn serializes_the_api_shape() {
        let isbn: Isbn = read(SPEC_ISBN).unwrap();
        let v = serde_json::to_value(&isbn).unwrap();
        assert_eq!(v["type"], "本國");
        assert_eq!(v["kind"], "實體");
        assert_eq!(v["approved_effective_date"], "20210301");
        assert!(v["revoked_effective_date"].is_null());
        assert!(v["status"].is_null());
        let back: Isbn = serde_json::from_value(v).unwrap();
        assert_eq!(back, isbn);
        let ean = Ean {
            ean: "8667106506069".into(),
            title: Some("套書".into()),
            isbns: Some(vec![isbn]),
            ..Ean::default()
        };
        let v = serde_json::to_value(&ean).unwrap();
        assert!(v.get("status").is_none() && v.get("created_date").is_none());
    }

    #[test]
    fn terms_read_what_the_whole_record_reads() {
        for json in [
            r#"{"isbn":"9789576780004","status":"approved","approved_effective_date":"20210301"}"#,
            r#"{"isbn":9789576780004,"title":{"x":1},"status":"revoked","revoked_effective_date":20220101}"#,
            r#"{"kind":"電子","include_ebook":"true","status":"suspended","approved_effective_date":"garbage"}"#,
            r#"{"status":null,"approved_effective_date":[],"type":"進口","publisher":false}"#,
            r#"{"status":12,"kind":"實體","include_ebook":false}"#,
            r#"{"status":"approved","approved_effective_date":"20210301","revoked_effective_date":"bad"}"#,
        ] {
            let whole: Result<Isbn, _> = read_schema(&mut serde_json::Deserializer::from_str(json));
            let terms: Result<IsbnTerms, _> =
                read_schema(&mut serde_json::Deserializer::from_str(json));
            assert_eq!(whole.is_ok(), terms.is_ok(), "{json}");
            if let (Ok(whole), Ok(terms)) = (whole, terms) {
                let book = Isbn::from(terms);
                assert_eq!(
                    (
                        book.kind,
                        book.include_ebook,
                        book.status,
                        book.approved_effective_date,
                        book.revoked_effective_date
                    ),
                    (
                        whole.kind,
                        whole.include_ebook,
                        whole.status,
                        whole.approved_effective_date,
                        whole.revoked_effective_date
                    ),
                    "{json}"
                );
            }
        }
    }
}
