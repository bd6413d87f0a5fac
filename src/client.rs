//! The API client over gloo-net (wasm32 only).
