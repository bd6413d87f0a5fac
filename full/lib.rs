//! The whole wasm: every `#[wasm_bindgen]` export of booktax, with the `workers` feature (sync, import, batch).
//!
//! A crate of its own, like `page/`, so that the library stays an rlib and the two wasms'
//! builds keep their own outputs (`booktax_full.wasm`, `booktax_page.wasm`).

pub use booktax;
