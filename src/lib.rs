//! booktax: may this book be sold free of Taiwan business tax right now? Decision core and API client.
//!
//! The pure core (no wasm-bindgen, tested natively with `cargo test`):
//! - [`code`]: reads what a clerk typed or a scanner sent.
//! - [`taipei`]: `YYYYMMDD` dates and checkout moments as Asia/Taipei calendar days.
//! - [`api`]: the announcement API's data types, read leniently.
//! - [`decision`]: the exemption rules.
//! - [`service`]: the API client's rules (endpoints, errors, retries) without the network.
//!
//! The WebAssembly shell (only on `wasm32`): `client` fetches with gloo-net and
//! `bindings` exports everything to JavaScript.

pub mod api;
pub mod code;
pub mod decision;
pub mod service;
pub mod taipei;

#[cfg(target_arch = "wasm32")]
pub mod bindings;
#[cfg(target_arch = "wasm32")]
pub mod client;
