//! The pure core: plain Rust with no browser in it, tested natively with `cargo test`.
//!
//! - [`batch`]: batch pricing's text in and out (the code column, CSV for Excel).
//! - [`code`]: reads what a clerk typed or a scanner sent.
//! - [`code_list`]: many codes read at once into flat arrays.
//! - [`lang`]: the languages every message exists in (zh-TW, English).
//! - [`taipei`]: `YYYYMMDD` dates and checkout moments as Asia/Taipei calendar days.
//! - [`schema`]: the announcement API's data types, read leniently.
//! - [`rules`]: the exemption rules and the policy's outlook.
//! - [`sale`]: one sale's totals and e-invoice tax types, in whole NT$.
//! - [`mirror`]: the offline mirror's rules (sync plan, day changes, digest).
//! - [`lookup`]: the lookup's rules without the network (endpoints, errors,
//!   retries, clocks) and one lookup over any source of records.

pub mod batch;
pub mod code;
pub mod code_list;
pub mod lang;
pub mod lookup;
pub mod mirror;
pub mod rules;
pub mod sale;
pub mod schema;
pub mod taipei;
