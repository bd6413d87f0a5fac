//! The offline mirror's rules without a browser: which days to sync and when, what a day changes, how fresh a mirror is, and a digest to compare mirrors.
//!
//! - [`plan`]: the days a sync asks for, the busy window, the mirror's freshness.
//! - [`apply`]: one day's announcement as the records to store, keyed by ISBN-13 / EAN-13.
//! - [`import`]: the historical list's CSV, mapped by its header, every row read or rejected.
//! - [`stored`]: records as the mirror keeps them, one array each.
//! - [`bucket`]: books stored many to a value, one line each, found and edited by code.
//! - [`digest`]: an order-free digest of stored records, the same natively and in the browser.

pub mod apply;
pub mod bucket;
pub mod digest;
pub mod import;
pub mod plan;
pub mod stored;
