//! Why a request to the announcement service gave no answer: one typed error, a `code()` for programs and text for clerks (zh-TW, or English when asked).

use crate::core::lang::Lang;
use crate::core::schema::FIRST_ANNOUNCEMENT;
use crate::core::taipei::format_display;
use chrono::NaiveDate;
use std::fmt;

/// What a 404 means for the endpoint that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The code is not in the announcement list.
    Code,
    /// No announcement (yet) for that day.
    Announcement,
    /// The service did not give a policy expiry date.
    PolicyDate,
}

/// Why a request to the announcement service did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// 404.
    NotFound(Missing),
    /// The service answered with a result `code` other than 0.
    Api {
        /// The service's result code.
        code: i64,
        /// The service's own message, if it gave one.
        message: Option<String>,
    },
    /// Another HTTP error status.
    Http {
        /// The HTTP status.
        status: u16,
        /// The wait a `Retry-After` header asked for.
        retry_after_ms: Option<u64>,
    },
    /// No answer: offline, refused, DNS, or blocked by CORS.
    Network {
        /// What the browser said (never shown to the clerk).
        detail: String,
    },
    /// No complete answer within the time limit.
    Timeout {
        /// The limit per attempt.
        ms: u32,
    },
    /// The caller cancelled the request (a newer scan replaced it).
    Aborted,
    /// An answer that does not fit the specification.
    Malformed {
        /// The field that broke, `data.isbn` or `(body)`.
        field: String,
        /// What was wrong with it.
        detail: String,
    },
    /// A date that is not `YYYYMMDD`.
    BadDate {
        /// What was given.
        input: String,
    },
    /// The offline mirror does not hold the code and is not current, so "not listed" cannot be told.
    NotMirrored {
        /// The last day the mirror has applied, if any.
        applied_through: Option<NaiveDate>,
    },
    /// The offline mirror is more than two days behind: a book revoked since could read as
    /// approved, so nothing is decided from it.
    MirrorStale {
        /// The last day the mirror has applied.
        applied_through: NaiveDate,
    },
    /// The offline mirror holds lists of days after tomorrow by the clock that says today: that
    /// clock is behind the one the mirror was synced by, so no answer can be decided on it.
    ClockBehindMirror {
        /// The last day the mirror has applied.
        applied_through: NaiveDate,
        /// Today by the clock in use.
        today: NaiveDate,
    },
    /// The offline mirror's database failed.
    Storage {
        /// What the browser said.
        detail: String,
    },
    /// A date with no announcement possible: before 20210107 or after tomorrow.
    DateOutOfRange {
        /// The date asked for.
        date: NaiveDate,
        /// The last date that can have an announcement (tomorrow).
        last: NaiveDate,
    },
}

impl LookupError {
    /// The machine-readable kind, as JavaScript sees it in `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            LookupError::NotFound(_) => "not_found",
            LookupError::Api { .. } => "api_error",
            LookupError::Http { .. } => "http_error",
            LookupError::Network { .. } => "network",
            LookupError::Timeout { .. } => "timeout",
            LookupError::Aborted => "aborted",
            LookupError::NotMirrored { .. } => "not_mirrored",
            LookupError::ClockBehindMirror { .. } => "clock",
            LookupError::MirrorStale { .. } => "mirror_stale",
            LookupError::Storage { .. } => "storage",
            LookupError::Malformed { .. } => "malformed",
            LookupError::BadDate { .. } | LookupError::DateOutOfRange { .. } => "bad_date",
        }
    }

    /// Network failures, timeouts, 429 and 5xx are worth another try.
    pub fn is_retryable(&self) -> bool {
        match self {
            LookupError::Network { .. } | LookupError::Timeout { .. } => true,
            LookupError::Http { status, .. } => *status == 429 || (500..=599).contains(status),
            _ => false,
        }
    }

    /// Replaces every occurrence of a secret (the appid) in the error's free text.
    pub fn redact(self, secret: &str) -> LookupError {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: String| replace_all(&s, secret, "***");
        match self {
            LookupError::Network { detail } => LookupError::Network {
                detail: scrub(detail),
            },
            LookupError::Malformed { field, detail } => LookupError::Malformed {
                field: scrub(field),
                detail: scrub(detail),
            },
            LookupError::Api { code, message } => LookupError::Api {
                code,
                message: message.map(scrub),
            },
            other => other,
        }
    }
}

/// `text` with every `secret` in it (not empty) replaced by `with`: `str::replace` without core's
/// substring searcher, whose slicing panics bring formatting and character escaping into the wasm.
/// A match of whole UTF-8 text inside UTF-8 text starts and ends on character boundaries.
fn replace_all(text: &str, secret: &str, with: &str) -> String {
    let (bytes, needle) = (text.as_bytes(), secret.as_bytes());
    if needle.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let (mut kept, mut at) = (0, 0);
    while at + needle.len() <= bytes.len() {
        if bytes[at..].starts_with(needle) {
            out.push_str(text.get(kept..at).unwrap_or_default());
            out.push_str(with);
            at += needle.len();
            kept = at;
        } else {
            at += 1;
        }
    }
    out.push_str(text.get(kept..).unwrap_or_default());
    out
}

/// Keeps at most `n` characters of text from the service, without control characters.
pub fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

impl LookupError {
    /// Why there is no answer, for the clerk, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            LookupError::NotFound(Missing::Code) => lang
                .pick(
                    "不在文化部認可公告清單中",
                    "Not on the Ministry of Culture's list of approved books",
                )
                .to_string(),
            LookupError::NotFound(Missing::Announcement) => lang
                .pick("該日尚無公告", "No announcement for that day")
                .to_string(),
            LookupError::NotFound(Missing::PolicyDate) => lang
                .pick(
                    "公告服務未提供政策施行到期日",
                    "The announcement service gave no policy expiry date",
                )
                .to_string(),
            LookupError::Api { code, message } => {
                let head = crate::say!(
                    lang,
                    "公告服務回報錯誤（代碼 {}）",
                    "The announcement service reported an error (code {})",
                    code
                );
                match message {
                    Some(m) => format!("{head}{}{}", lang.pick("：", ": "), clip(m, 80)),
                    None => head,
                }
            }
            LookupError::Http { status, .. } => crate::say!(
                lang,
                "公告服務回應錯誤（HTTP {}）",
                "The announcement service answered with an error (HTTP {})",
                status
            ),
            LookupError::Network { .. } => lang
                .pick(
                    "無法連線至公告服務（網路中斷、服務未啟動或被瀏覽器的跨來源限制擋下）",
                    "Cannot reach the announcement service (network down, service not running, or blocked by the browser's cross-origin rules)",
                )
                .to_string(),
            LookupError::Timeout { ms } => crate::say!(
                lang,
                "公告服務逾時（{} 秒內沒有完整回應）",
                "The announcement service timed out (no complete answer within {} s)",
                ms.div_ceil(1000)
            ),
            LookupError::Aborted => lang.pick("查詢已取消", "Lookup cancelled").to_string(),
            LookupError::NotMirrored {
                applied_through: Some(day),
            } => crate::say!(
                lang,
                "離線資料只更新至 {}，無法確認此條碼是否在清單中",
                "The offline data is only current to {}, so it cannot be confirmed whether this code is listed",
                format_display(*day)
            ),
            LookupError::NotMirrored {
                applied_through: None,
            } => lang
                .pick(
                    "尚未下載離線資料，無法確認此條碼是否在清單中",
                    "No offline data has been downloaded yet, so it cannot be confirmed whether this code is listed",
                )
                .to_string(),
            LookupError::MirrorStale { applied_through } => crate::say!(
                lang,
                "離線資料只更新至 {}，已超過 2 天未同步，之後撤銷的書可能仍顯示為認可，無法判定：請連線同步",
                "The offline data is only current to {}, more than 2 days ago: a book revoked since could still read as approved, so nothing can be decided; sync it",
                format_display(*applied_through)
            ),
            LookupError::ClockBehindMirror {
                applied_through,
                today,
            } => crate::say!(
                lang,
                "本機時鐘的日期（{}）早於離線資料（已更新至 {}），時鐘有誤，無法判定：請校正電腦時間",
                "This device's clock says {}, before the offline data (current to {}): the clock is wrong, so nothing can be decided; set the computer's time",
                format_display(*today),
                format_display(*applied_through)
            ),
            LookupError::Storage { detail } => crate::say!(
                lang,
                "離線資料庫無法讀取（{}）",
                "The offline database cannot be read ({})",
                clip(detail, 80)
            ),
            LookupError::Malformed { field, detail } => crate::say!(
                lang,
                "公告服務的回應格式有誤（欄位 {}：{}）",
                "The announcement service's answer is malformed (field {}: {})",
                clip(field, 60),
                clip(detail, 80)
            ),
            LookupError::BadDate { input } => crate::say!(
                lang,
                "日期「{}」格式有誤，請用 YYYYMMDD（例如 20210301）",
                "Date \"{}\" is unreadable; use YYYYMMDD (for example 20210301)",
                clip(input, 20)
            ),
            LookupError::DateOutOfRange { date, last } => crate::say!(
                lang,
                "{} 沒有公告：可查詢的日期為 {} 至 {}",
                "No announcement for {}: announcements exist from {} to {}",
                format_display(*date),
                format_display(FIRST_ANNOUNCEMENT),
                format_display(*last)
            ),
        }
    }
}

impl fmt::Display for LookupError {
    /// The zh-TW text of [`LookupError::describe`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::ZhTw))
    }
}

impl std::error::Error for LookupError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_all_is_str_replace() {
        for (text, secret) in [
            ("", "k"),
            ("no secret here", "SECRET-1"),
            ("appid=SECRET-1&x=SECRET-1", "SECRET-1"),
            ("SECRET-1", "SECRET-1"),
            ("aaaa", "aa"),
            ("aaa", "aa"),
            ("金鑰：密鑰密鑰，密", "密鑰"),
            ("short", "longer than the text"),
        ] {
            assert_eq!(
                replace_all(text, secret, "***"),
                text.replace(secret, "***"),
                "{text:?}"
            );
        }
        assert_eq!(replace_all("abc", "", "***"), "abc");
    }
    #[test]
    fn every_error_reads_in_english_without_chinese() {
        let day = crate::core::taipei::parse_yyyymmdd("20261124").unwrap();
        let errors = [
            LookupError::NotFound(Missing::Code),
            LookupError::NotFound(Missing::Announcement),
            LookupError::NotFound(Missing::PolicyDate),
            LookupError::Api {
                code: 1001,
                message: None,
            },
            LookupError::Http {
                status: 503,
                retry_after_ms: None,
            },
            LookupError::Network { detail: "x".into() },
            LookupError::Timeout { ms: 8000 },
            LookupError::Aborted,
            LookupError::Malformed {
                field: "data".into(),
                detail: "x".into(),
            },
            LookupError::BadDate { input: "x".into() },
            LookupError::NotMirrored {
                applied_through: Some(day),
            },
            LookupError::NotMirrored {
                applied_through: None,
            },
            LookupError::Storage { detail: "x".into() },
            LookupError::ClockBehindMirror {
                applied_through: day,
                today: day,
            },
            LookupError::MirrorStale {
                applied_through: day,
            },
            LookupError::DateOutOfRange {
                date: day,
                last: day,
            },
        ];
        for e in errors {
            let en = e.describe(Lang::En);
            assert!(
                !en.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c)),
                "{en}"
            );
            assert_ne!(en, e.describe(Lang::ZhTw));
        }
    }

    #[test]
    fn retryable_errors() {
        let http = |status| LookupError::Http {
            status,
            retry_after_ms: None,
        };
        assert!(LookupError::Network { detail: "x".into() }.is_retryable());
        assert!(LookupError::Timeout { ms: 1 }.is_retryable());
        assert!(http(429).is_retryable() && http(500).is_retryable() && http(599).is_retryable());
        assert!(!http(400).is_retryable() && !http(404).is_retryable());
        assert!(!LookupError::NotFound(Missing::Code).is_retryable());
        assert!(!LookupError::Aborted.is_retryable());
        assert!(
            !LookupError::Malformed {
                field: "a".into(),
                detail: "b".into()
            }
            .is_retryable()
        );
    }

    #[test]
    fn the_appid_never_reaches_a_message() {
        let e = LookupError::Network {
            detail: "GET https://x/v1?appid=SECRET-1 failed".into(),
        }
        .redact("SECRET-1");
        assert!(!format!("{e:?}{e}").contains("SECRET-1"));
        let e = LookupError::Api {
            code: 1,
            message: Some("bad appid SECRET-1".into()),
        }
        .redact("SECRET-1");
        assert!(!format!("{e:?}{e}").contains("SECRET-1"));
    }

    #[test]
    fn error_messages_are_zh_tw() {
        let all = [
            LookupError::NotFound(Missing::PolicyDate),
            LookupError::Api {
                code: 3,
                message: None,
            },
            LookupError::Http {
                status: 502,
                retry_after_ms: None,
            },
            LookupError::Network {
                detail: String::new(),
            },
            LookupError::Timeout { ms: 8000 },
            LookupError::Malformed {
                field: "data.isbn".into(),
                detail: "x".into(),
            },
            LookupError::BadDate { input: "x".into() },
            LookupError::Aborted,
        ];
        let texts: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert!(texts[2].contains("502"));
        assert!(texts[4].contains("8 秒"));
        assert!(texts[5].contains("data.isbn"));
        assert!(
            texts
                .iter()
                .all(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        );
    }
}
