//! The languages text is given in: zh-TW for clerks (the default), English for an intranet that asks for it.
//!
//! ```
//! use booktax::core::lang::Lang;
//! assert_eq!(Lang::parse("en-US"), Some(Lang::En));
//! assert_eq!(Lang::parse("zh-Hant-TW"), Some(Lang::ZhTw));
//! assert_eq!(Lang::parse("fr"), None);
//! assert_eq!(Lang::En.pick("免稅", "Exempt"), "Exempt");
//! ```

/// A language every message exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Traditional Chinese as written in Taiwan (`zh-TW`).
    #[default]
    ZhTw,
    /// English (`en`).
    En,
}

impl Lang {
    /// Reads a BCP 47 tag by its primary subtag: `zh…` is zh-TW, `en…` is English.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::ZhTw)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The text for this language out of a zh-TW and an English one.
    pub fn pick<'a>(self, zh_tw: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::ZhTw => zh_tw,
            Lang::En => en,
        }
    }
}

/// `write!` in the language given: `say_to!(out, lang, "zh-TW {}", "English {}", args…)`.
#[macro_export]
#[doc(hidden)]
macro_rules! say_to {
    ($out:expr, $lang:expr, $zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::core::lang::Lang::ZhTw => write!($out, $zh $(, $arg)*),
            $crate::core::lang::Lang::En => write!($out, $en $(, $arg)*),
        }
    };
}

/// `format!` in the language given: `say!(lang, "zh-TW {}", "English {}", args…)`.
#[macro_export]
#[doc(hidden)]
macro_rules! say {
    ($lang:expr, $zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::core::lang::Lang::ZhTw => format!($zh $(, $arg)*),
            $crate::core::lang::Lang::En => format!($en $(, $arg)*),
        }
    };
}
