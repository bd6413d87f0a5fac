//! The global `setTimeout` (window, worker and Node alike), and waits an `AbortSignal` can cut short.

use crate::core::lookup::error::LookupError;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    /// `setTimeout(handler, ms)` on whatever the global object is.
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;

    /// `clearTimeout(id)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue);
}

/// `Err(Aborted)` once the signal has fired.
///
/// # Errors
///
/// [`LookupError::Aborted`] when the caller cancelled.
pub fn check(signal: Option<&AbortSignal>) -> Result<(), LookupError> {
    match signal {
        Some(s) if s.aborted() => Err(LookupError::Aborted),
        _ => Ok(()),
    }
}

/// Waits `ms`, or less when the signal fires first; the timer and the listener go away with the wait.
///
/// # Errors
///
/// [`LookupError::Aborted`] when the caller cancelled before or during the wait.
pub async fn sleep(ms: u32, signal: Option<&AbortSignal>) -> Result<(), LookupError> {
    check(signal)?;
    // One promise that the timer and the abort both resolve (not `until_settled` over a timer's
    // promise: its race costs the page's wasm some 300 bytes brotli on every fetch's retry path).
    let mut wake: Option<js_sys::Function> = None;
    let wait = js_sys::Promise::new(&mut |resolve, _reject| wake = Some(resolve));
    // The promise's own resolve function is the callback: no Rust closure to keep alive.
    let Some(wake) = wake else {
        return check(signal);
    };
    let timer = set_timeout(&wake, ms.min(i32::MAX as u32) as i32);
    if let Some(signal) = signal {
        let _ = signal.add_event_listener_with_callback("abort", &wake);
    }
    // A promise that only ever resolves.
    let _ = JsFuture::from(wait).await;
    clear_timeout(&timer);
    if let Some(signal) = signal {
        let _ = signal.remove_event_listener_with_callback("abort", &wake);
    }
    check(signal)
}

/// Waits for `promise` to settle (resolved or rejected), or less when the signal fires first
/// (at once when it has); the listener goes away with the wait.
pub async fn until_settled(promise: &js_sys::Promise, signal: &AbortSignal) {
    if signal.aborted() {
        return;
    }
    let mut wake: Option<js_sys::Function> = None;
    let stopped = js_sys::Promise::new(&mut |resolve, _reject| wake = Some(resolve));
    let Some(wake) = wake else {
        return;
    };
    let _ = signal.add_event_listener_with_callback("abort", &wake);
    let _ = JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(
        promise, &stopped,
    )))
    .await;
    let _ = signal.remove_event_listener_with_callback("abort", &wake);
}
