//! The checkout page's wasm: every `#[wasm_bindgen]` export of booktax, built without the `workers`, `mirror`, `library` and `english` features.
//!
//! A crate of its own so that `cargo build -p booktax-page` links the library's exports into a
//! cdylib (`booktax_page.wasm`) beside `full/`'s, sharing every compiled dependency.

pub use booktax;
