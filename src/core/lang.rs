//! The languages text is given in: zh-TW for clerks (the default), English for an intranet that asks for it.
//!
//! ```
//! use booktax::core::lang::Lang;
//! assert_eq!(Lang::parse("en-US"), Some(Lang::En));
//! assert_eq!(Lang::parse("zh-Hant-TW"), Some(Lang::ZhTw));
//! assert_eq!(Lang::parse("fr"), None);
//! // Without the `english` feature (the checkout page's build) every text is zh-TW.
//! let exempt = if cfg!(feature = "english") { "Exempt" } else { "免稅" };
//! assert_eq!(Lang::En.pick("免稅", "Exempt"), exempt);
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
    ///
    /// Without the `english` feature (the checkout page's wasm) the English texts are left out,
    /// and the zh-TW one is given for both: that build's shell refuses to be asked for English.
    pub fn pick<'a>(self, zh_tw: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::ZhTw => zh_tw,
            #[cfg(feature = "english")]
            Lang::En => en,
            #[cfg(not(feature = "english"))]
            Lang::En => {
                let _ = en;
                zh_tw
            }
        }
    }
}

/// `write!` in the language given: `say_to!(out, lang, "zh-TW {}", "English {}", args…)`
/// (without the `english` feature, the zh-TW text for both, as [`Lang::pick`]).
#[macro_export]
#[doc(hidden)]
macro_rules! say_to {
    ($out:expr, $lang:expr, $zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::core::lang::Lang::ZhTw => write!($out, $zh $(, $arg)*),
            #[cfg(feature = "english")]
            $crate::core::lang::Lang::En => write!($out, $en $(, $arg)*),
            #[cfg(not(feature = "english"))]
            $crate::core::lang::Lang::En => write!($out, $zh $(, $arg)*),
        }
    };
}

/// `format!` in the language given: `say!(lang, "zh-TW {}", "English {}", args…)`
/// (without the `english` feature, the zh-TW text for both, as [`Lang::pick`]).
#[macro_export]
#[doc(hidden)]
macro_rules! say {
    ($lang:expr, $zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::core::lang::Lang::ZhTw => format!($zh $(, $arg)*),
            #[cfg(feature = "english")]
            $crate::core::lang::Lang::En => format!($en $(, $arg)*),
            #[cfg(not(feature = "english"))]
            $crate::core::lang::Lang::En => format!($zh $(, $arg)*),
        }
    };
}
