//! booktax: may this book be sold free of Taiwan business tax right now? Decision core and API client.
//!
//! Two layers, one per folder:
//! - [`core`]: the pure core (code reader, Taipei time, API schema, the rules,
//!   the network-free lookup rules), plain Rust tested natively.
//! - `shell` (wasm32 only): the browser shell, fetching with gloo-net and the
//!   `#[wasm_bindgen]` exports JavaScript calls.
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod shell;
