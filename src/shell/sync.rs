//! The mirror's sync: every announcement day after the last one applied, fetched up to four ahead and applied strictly in order, whole days per transaction.
//!
//! Days are gathered until they hold [`GROUP_RECORDS`] records, then written in one
//! transaction with the state that says the last of them is applied: a bucket touched
//! by many days is read and written once (a full sync of a million books in about ten
//! transactions instead of two thousand). A 404 for today or before means nothing was
//! published that day; for tomorrow, not yet (the sync stops there). The first failure
//! (after the fetcher's own retries) stops the sync: the days gathered before it are
//! written, so every day before it stays applied, nothing after it is, and the next sync
//! resumes there.

use crate::core::lookup::endpoint::Endpoint;
use crate::core::lookup::error::{LookupError, Missing};
use crate::core::mirror::apply::{DayChanges, Writes, changes_of};
use crate::core::mirror::plan::{days_to_sync, nothing_published, published_through};
use crate::core::schema::DailyResponse;
use crate::core::taipei::{format_yyyymmdd, parse_yyyymmdd};
use crate::shell::idb::{MirrorDb, SyncState};
use crate::shell::js_error::{Failure, to_js};
use crate::shell::live::Live;
use crate::shell::timer::until_settled;
use chrono::NaiveDate;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{AbortController, AbortSignal};

/// Days fetched ahead of the one being applied.
pub const IN_FLIGHT: usize = 4;
/// Records gathered before they are written (about 25 MB of wasm memory at most): the
/// measured cost of a full sync of 843,305 books falls from 2,146 transactions of
/// single-book puts to about ten of bucket rewrites.
pub const GROUP_RECORDS: usize = 100_000;

/// What `sync()` resolves to: `{ appliedThrough, days, isbns, eans }`.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// The last day applied, `YYYYMMDD`.
    pub applied_through: Option<String>,
    /// Days applied by this sync.
    pub days: u32,
    /// Book records written.
    pub isbns: u32,
    /// Boxed-set records written.
    pub eans: u32,
}

/// `onProgress({ day, done, total })`, after each group of days is written: the last day written, days applied, days to apply.
#[derive(Serialize)]
struct Progress {
    day: String,
    done: usize,
    total: usize,
}

/// A day's announcement, `None` when nothing was published that day.
type DayAnswer = Result<Option<DailyResponse>, LookupError>;

/// A day's fetch under way: its promise settles when the result is in the cell.
struct Pending {
    day: NaiveDate,
    settled: JsFuture,
    result: Rc<RefCell<Option<DayAnswer>>>,
}

fn start(live: &Rc<Live>, day: NaiveDate, signal: &AbortSignal) -> Pending {
    let result = Rc::new(RefCell::new(None));
    let (live, signal, cell) = (live.clone(), signal.clone(), result.clone());
    let promise = future_to_promise(async move {
        let answer = match live
            .get::<DailyResponse>(&Endpoint::Daily(day), Some(&signal))
            .await
        {
            Ok(daily) => Ok(Some(daily)),
            Err(LookupError::NotFound(Missing::Announcement | Missing::Code)) => Ok(None),
            Err(e) => Err(e),
        };
        *cell.borrow_mut() = Some(answer);
        Ok(JsValue::UNDEFINED)
    });
    Pending {
        day,
        settled: JsFuture::from(promise),
        result,
    }
}

/// An `AbortController` that the caller's signal also aborts.
///
/// # Errors
///
/// `internal` when no `AbortController` can be made.
pub fn linked_controller(outer: Option<&AbortSignal>) -> Result<AbortController, Failure> {
    let inner = AbortController::new().map_err(|_| Failure::new("internal", "AbortController"))?;
    if let Some(outer) = outer {
        if outer.aborted() {
            inner.abort();
        } else {
            let target = inner.clone();
            let on_abort = Closure::once_into_js(move || target.abort());
            let _ = outer.add_event_listener_with_callback("abort", on_abort.unchecked_ref());
        }
    }
    Ok(inner)
}

/// Calls `pause()` and waits for the promise it returns (a rejection is a settling too), or for
/// `signal` to fire: a stop is never held. Nothing is held when `pause` throws or returns no promise.
async fn held(pause: &js_sys::Function, signal: &AbortSignal) {
    if let Ok(hold) = pause
        .call0(&JsValue::NULL)
        .and_then(|r| r.dyn_into::<js_sys::Promise>())
    {
        until_settled(&hold, signal).await;
    }
}

/// Whole days fetched and not yet written, with the state after the last of them.
#[derive(Default)]
struct Group {
    writes: Writes,
    state: SyncState,
    days: u32,
    isbns: u32,
    eans: u32,
}

impl Group {
    fn add(&mut self, changes: &DayChanges, state: &SyncState) {
        self.writes.day(changes);
        self.state = state.clone();
        self.days += 1;
        self.isbns += changes.isbns.len() as u32;
        self.eans += changes.eans.len() as u32;
    }

    /// Writes the days gathered (nothing when there are none) and reports them applied.
    async fn write(
        &mut self,
        db: &MirrorDb,
        report: &mut SyncReport,
        total: usize,
        on_progress: Option<&js_sys::Function>,
    ) -> Result<(), Failure> {
        if self.days == 0 {
            return Ok(());
        }
        let group = std::mem::take(self);
        db.apply(&group.writes, &group.state).await?;
        report.applied_through = group.state.applied_through.clone();
        report.days += group.days;
        report.isbns += group.isbns;
        report.eans += group.eans;
        if let Some(f) = on_progress {
            let progress = Progress {
                day: group.state.applied_through.unwrap_or_default(),
                done: report.days as usize,
                total,
            };
            let _ = f.call1(&JsValue::NULL, &to_js(&progress)?);
        }
        Ok(())
    }
}

/// Syncs the mirror to the last published day, writing days in groups of at least `group_records` records ([`GROUP_RECORDS`] by default).
///
/// # Errors
///
/// The first request or storage failure, coded as usual (`network`, `timeout`,
/// `malformed`, `storage`, `aborted`, …); every day applied before it is kept.
pub async fn sync(
    db: &MirrorDb,
    live: &Rc<Live>,
    signal: Option<&AbortSignal>,
    on_progress: Option<&js_sys::Function>,
    pause: Option<&js_sys::Function>,
    group_records: usize,
) -> Result<SyncReport, Failure> {
    let mut state: SyncState = db.state().await?;
    // The API must be there before any 404 is read as "nothing published".
    let policy = live.policy_expiry_date(signal).await?;
    // The service's date now stands for every day applied until a list of today or later says otherwise.
    state.policy_expiry_date = Some(format_yyyymmdd(policy));
    let now = live.now().taipei_moment();
    let today = now.date();
    let through = published_through(now.date(), now.time());
    let applied = state.applied_through.as_deref().and_then(parse_yyyymmdd);
    let days = days_to_sync(applied, through);
    let total = days.len();
    let controller = linked_controller(signal)?;
    let inner = controller.signal();
    let mut upcoming = days.into_iter();
    let mut queue: VecDeque<Pending> = VecDeque::new();
    let mut report = SyncReport {
        applied_through: state.applied_through.clone(),
        ..SyncReport::default()
    };
    // Days fetched and checked, not yet written.
    let mut group = Group::default();
    let outcome = async {
        queue.extend(
            upcoming
                .by_ref()
                .take(IN_FLIGHT)
                .map(|d| start(live, d, &inner)),
        );
        while let Some(pending) = queue.pop_front() {
            let _ = pending.settled.await;
            let answer = pending
                .result
                .borrow_mut()
                .take()
                .unwrap_or(Err(LookupError::Aborted))?;
            // Held while the clerk scans: the scans' mirror reads wait behind this sync's writes,
            // and its parsing shares the till's cores.
            if let Some(pause) = pause {
                held(pause, &inner).await;
            }
            // This day is in: the next one may start, keeping at most four in flight.
            if let Some(day) = upcoming.next() {
                queue.push_back(start(live, day, &inner));
            }
            let changes = match answer {
                Some(daily) => changes_of(&daily, pending.day),
                // Not out yet (tomorrow's list comes after 21:30, maybe late): not applied, so
                // the next sync asks for it again.
                None if !nothing_published(pending.day, today) => break,
                None => DayChanges::default(),
            };
            if changes.unreadable_revocations > 0 {
                return Err(Failure::from(LookupError::Malformed {
                    field: "revoked.isbns".into(),
                    detail: format!(
                        "{} 的撤銷清單有 {} 筆無法讀取的書號",
                        format_yyyymmdd(pending.day),
                        changes.unreadable_revocations
                    ),
                }));
            }
            // A past day's policy date is history: only a list for today or later speaks for now.
            if let Some(p) = changes.policy.filter(|_| pending.day >= today) {
                state.policy_expiry_date = Some(format_yyyymmdd(p));
            }
            state.applied_through = Some(format_yyyymmdd(pending.day));
            group.add(&changes, &state);
            if group.writes.len() >= group_records {
                // A scan that came while this day was read waits behind no write either.
                if let Some(pause) = pause {
                    held(pause, &inner).await;
                }
                group.write(db, &mut report, total, on_progress).await?;
            }
        }
        Ok::<(), Failure>(())
    }
    .await;
    // Stop whatever is still being fetched ahead.
    controller.abort();
    // The days gathered before a failure are whole: they are kept too.
    // A failure to write them is the one to tell: the days the caller thinks kept are not.
    group.write(db, &mut report, total, on_progress).await?;
    outcome?;
    // Complete: the policy date as the service gives it now.
    state.policy_expiry_date = Some(format_yyyymmdd(policy));
    db.apply(&Writes::default(), &state).await?;
    Ok(report)
}
