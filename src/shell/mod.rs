//! The browser shell (wasm32 only): fetching over gloo-net and the thin `#[wasm_bindgen]` layer JavaScript calls.
//!
//! - [`timer`]: the global `setTimeout`, and waits an `AbortSignal` can cut short.
//! - [`fetch`]: one GET with a timeout, cancellation and retries; the service's clock from each answer.
//! - [`live`]: the live announcement API as a lookup source, with the per-day policy cache.
//! - [`idb`]: the mirror's IndexedDB database, one transaction per applied day.
//! - [`mirror`]: the offline mirror as a lookup source.
//! - [`sync`]: the mirror's sync, days fetched four ahead and applied in order (feature `workers`).
//! - [`batch`]: batch pricing, every code asked once (mirror or live, four at a time) and every line decided (feature `workers`).
//! - [`js_error`]: errors on their way to JavaScript as `Error { code, message, decision? }`.
//! - [`js_input`]: reading what a page passed (codes, dates, options).
//! - [`js_read`]: plain JavaScript values (parsed bodies, stored state) read into serde types.
//! - [`exports`]: the sale's stateless functions (`saleTotals`, `saleCsv`) and the answers' TypeScript shapes.
//! - [`decide`]: the functions that need no client (`normalizeCode`, `decideIsbn`, …; feature `library`).
//! - [`client_js`]: the `BookTaxClient` class.

#[cfg(feature = "workers")]
pub mod batch;
pub mod client_js;
#[cfg(feature = "library")]
pub mod decide;
pub mod exports;
pub mod fetch;
#[cfg(feature = "mirror")]
pub mod idb;
pub mod js_error;
pub mod js_input;
pub mod js_read;
pub mod live;
#[cfg(feature = "mirror")]
pub mod mirror;
#[cfg(feature = "workers")]
pub mod sync;
pub mod timer;

// Talc instead of Rust's default dlmalloc: much smaller (and faster); a lookup
// allocates little and briefly, so giving up in-place realloc costs nothing measurable.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
