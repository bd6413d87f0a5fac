//! Errors on their way to JavaScript: a real `Error` with a `code`, and for unreadable input the unknown `decision` to show.

use crate::core::code::CodeError;
use crate::core::lang::Lang;
use crate::core::lookup::error::LookupError;
use crate::core::rules::{Decision, Reason};
use crate::core::taipei::MomentError;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// An error on its way to JavaScript as `Error { code, message, decision? }`.
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
    /// The unknown verdict this failure stands for at the till, when it has one.
    decision: Option<Decision>,
}

impl Failure {
    /// A failure with its code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            decision: None,
        }
    }

    /// The machine-readable kind.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The text for the clerk.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// An option a caller passed that cannot be read (`bad_option`).
    pub fn option(message: impl Into<String>) -> Failure {
        Failure {
            code: "bad_option",
            message: message.into(),
            decision: None,
        }
    }

    /// A record a caller passed that is no API record (`bad_record`).
    pub fn record(message: impl Into<String>) -> Failure {
        Failure {
            code: "bad_record",
            message: message.into(),
            decision: None,
        }
    }

    /// Gives the failure the unknown verdict a page shows for it, worded in `lang`.
    pub fn with_decision(mut self, lang: Lang) -> Failure {
        let reason = Reason::Unreadable(self.code);
        self.decision = Some(Decision::unknown(lang, reason, &self.message));
        self
    }

    /// An unreadable code, its message in `lang`.
    pub fn code_in(e: &CodeError, lang: Lang) -> Failure {
        Failure {
            code: e.code(),
            message: e.describe(lang),
            decision: None,
        }
    }

    /// A failed request, its message in `lang`.
    pub fn lookup_in(e: &LookupError, lang: Lang) -> Failure {
        Failure {
            code: e.code(),
            message: e.describe(lang),
            decision: None,
        }
    }
}

impl From<CodeError> for Failure {
    fn from(e: CodeError) -> Self {
        Failure::code_in(&e, Lang::ZhTw)
    }
}

impl From<LookupError> for Failure {
    fn from(e: LookupError) -> Self {
        Failure::lookup_in(&e, Lang::ZhTw)
    }
}

impl From<MomentError> for Failure {
    fn from(e: MomentError) -> Self {
        Failure::option(e.to_string())
    }
}

impl From<serde_wasm_bindgen::Error> for Failure {
    fn from(e: serde_wasm_bindgen::Error) -> Self {
        Failure {
            code: "internal",
            message: format!("內部錯誤：{e}"),
            decision: None,
        }
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        let error = js_sys::Error::new(&f.message);
        // Setting a property on a fresh Error cannot fail.
        let _ = js_sys::Reflect::set(&error, &"code".into(), &f.code.into());
        if let Some(decision) = f.decision.and_then(|d| to_js(&d).ok()) {
            let _ = js_sys::Reflect::set(&error, &"decision".into(), &decision);
        }
        error.into()
    }
}

/// Plain JSON-like objects (`null` for none, objects for maps), as the API serves them.
///
/// # Errors
///
/// `internal` when the value cannot be expressed in JavaScript (never for our types).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Failure> {
    Ok(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}
