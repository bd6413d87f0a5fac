//! The lookup's rules without the network: endpoints, typed errors, response reading, retries, clocks, and one lookup over any source.
//!
//! The shell (`crate::shell`, wasm32 only) does the fetching; everything it
//! decides is here, so it is tested natively.

pub mod answer;
pub mod clock;
pub mod endpoint;
pub mod error;
pub mod prefetched;
pub mod response;
pub mod retry;
pub mod source;
