//! Batch pricing in the browser: each code of a list asked once (from a current mirror a chunk per read, else the live service four at a time, resting in the busy window), then every line decided through the one lookup.

use crate::core::batch::{
    BatchResults, BatchRow, BatchSummary, LineKind, batch_results, read_batch,
};
use crate::core::code::{Code, Ean13};
use crate::core::lookup::error::LookupError;
use crate::core::lookup::prefetched::Prefetched;
use crate::core::lookup::source::{Fetched, Source, Terms, lookup};
use crate::core::mirror::plan::{Freshness, auto_sync_allowed};
use crate::core::taipei::format_yyyymmdd;
use crate::shell::idb::MirrorDb;
use crate::shell::js_error::{Failure, to_js};
use crate::shell::live::Live;
use crate::shell::mirror::MirrorLookup;
use crate::shell::sync::linked_controller;
use crate::shell::timer::sleep;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use futures_util::future::{MaybeDone, maybe_done};
use serde::Serialize;
use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::AbortSignal;

/// Requests to the live service in flight at once.
const IN_FLIGHT: usize = 4;
/// Codes read from the mirror per read (up to three transactions: books, sets, the sets' books):
/// progress and cancelling happen between them.
const MIRROR_CHUNK: usize = 2000;
/// `onProgress` is called at most this often (and once at the end).
const PROGRESS_EVERY_MS: f64 = 100.0;
/// A run resting in the busy window looks at the clock again after this long.
const BUSY_RECHECK_MS: u32 = 30_000;
/// After this many service failures in a row (each after its own retries) the service is
/// taken as down: the remaining codes are unknown at once instead of each waiting its timeout.
const FAILURES_BEFORE_GIVING_UP: usize = 8;

/// How a batch runs: cancelled by `signal`, reporting to `on_progress`, resting or not in 21:30–24:00.
pub struct BatchOptions<'a> {
    /// Cancels the run; what is done is kept.
    pub signal: Option<&'a AbortSignal>,
    /// `onProgress({ done, total, source, paused })`.
    pub on_progress: Option<&'a js_sys::Function>,
    /// Ask the live service in the evening busy window too.
    pub ignore_busy_window: bool,
    /// The report's rows are the unreadable lines' only (the summary and the CSV cover every line).
    pub unreadable_rows_only: bool,
}

/// What `checkBatch()` resolves to: `{ rows, summary, csv, source, cancelled, checkoutDate, codes }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchReport {
    rows: Vec<BatchRow>,
    summary: BatchSummary,
    /// Set apart from the rest (see [`BatchReport::to_js`]).
    #[serde(skip)]
    csv: String,
    source: &'static str,
    cancelled: bool,
    checkout_date: Option<String>,
    codes: usize,
}

impl BatchReport {
    /// The report as JS, its CSV as a `Uint8Array` of the file's UTF-8: what a download's `Blob`
    /// takes as it is and a Worker can transfer. As a string, 100,000 lines cost their decoding
    /// (about 0.08 s), a copy into the page and an encoding again for the file.
    ///
    /// # Errors
    ///
    /// `internal` when the answer cannot be built.
    pub fn to_js(&self) -> Result<JsValue, Failure> {
        // The crate's serialiser (the free function), with `csv` skipped.
        let report = crate::shell::js_error::to_js(self)?;
        js_sys::Reflect::set(
            &report,
            &"csv".into(),
            &js_sys::Uint8Array::from(self.csv.as_bytes()),
        )
        .map_err(|_| Failure::new("internal", "整批查詢的結果無法交給頁面"))?;
        Ok(report)
    }
}

/// `onProgress({ done, total, source, paused })`: codes asked of all distinct codes.
#[derive(Serialize)]
struct Progress {
    done: usize,
    total: usize,
    source: &'static str,
    paused: bool,
}

/// Calls `onProgress` at most every [`PROGRESS_EVERY_MS`].
struct Reporter<'a> {
    callback: Option<&'a js_sys::Function>,
    total: usize,
    source: &'static str,
    last_ms: f64,
}

impl Reporter<'_> {
    fn report(&mut self, done: usize, paused: bool, always: bool) {
        let Some(callback) = self.callback else {
            return;
        };
        let now = js_sys::Date::now();
        if !always && now - self.last_ms < PROGRESS_EVERY_MS {
            return;
        }
        self.last_ms = now;
        let progress = Progress {
            done,
            total: self.total,
            source: self.source,
            paused,
        };
        if let Ok(value) = to_js(&progress) {
            let _ = callback.call1(&JsValue::NULL, &value);
        }
    }
}

fn aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(AbortSignal::aborted)
}

/// Reads a list or CSV, asks each distinct code once and decides every line on `terms`.
///
/// A cancelled run resolves too, with `cancelled` set and its unasked lines `not_checked`.
///
/// # Errors
///
/// `storage` when the mirror cannot be opened or read at all; `internal` when the answer cannot be built.
pub async fn check_batch(
    live: &Rc<Live>,
    db: Option<&MirrorDb>,
    text: &str,
    terms: Terms,
    options: BatchOptions<'_>,
) -> Result<BatchReport, Failure> {
    let lines = read_batch(text);
    // Each code once, in the order first met.
    let mut seen = HashSet::new();
    let codes: Vec<&Code> = lines
        .iter()
        .filter(|l| l.kind == LineKind::Code)
        .filter_map(|l| l.code.as_ref().ok())
        .filter(|c| seen.insert(c.code))
        .collect();
    let signal = options.signal;
    let mirror = match db {
        Some(db) => {
            let m = MirrorLookup::read(db, live, None).await?;
            // A mirror behind today would answer "not mirrored" for every new code: the service knows better.
            (m.freshness() == Freshness::Current).then_some(m)
        }
        None => None,
    };
    let mut reporter = Reporter {
        callback: options.on_progress,
        total: codes.len(),
        source: if mirror.is_some() { "mirror" } else { "live" },
        last_ms: 0.0,
    };
    reporter.report(0, false, true);
    let mut records = HashMap::with_capacity(codes.len());
    let source = match &mirror {
        Some(m) => {
            from_mirror(m, &codes, &mut records, &mut reporter, signal).await;
            Prefetched {
                name: m.name(),
                now: m.now(),
                records,
                policy: m.policy().await,
                mirrored: m.mirrored(),
            }
        }
        None => {
            // The policy date first: a service that cannot give it is not asked for every code.
            let policy = live.with_signal(signal).policy().await;
            match &policy {
                Err(LookupError::Aborted) => {}
                Err(e) if e.is_retryable() => {
                    for code in &codes {
                        records.insert(code.code, Err(e.clone()));
                    }
                }
                _ => {
                    let ask = Ask {
                        ignore_busy_window: options.ignore_busy_window,
                    };
                    ask.codes(live, &codes, &mut records, &mut reporter, signal)
                        .await?;
                }
            }
            Prefetched {
                name: "live",
                now: live.now(),
                records,
                policy,
                mirrored: None,
            }
        }
    };
    reporter.report(source.records.len(), false, true);
    let mut decided = HashMap::with_capacity(codes.len());
    for code in &codes {
        if source.records.contains_key(&code.code)
            && let Ok(answer) = lookup(&source, **code, terms).await
        {
            decided.insert(code.code, answer);
        }
    }
    // Every lookup shares `terms` and the source's one clock: any decided code gives the day.
    let checkout_date = codes
        .iter()
        .find_map(|c| decided.get(&c.code))
        .map(|l| l.checkout_date.clone())
        .or_else(|| terms.day.map(format_yyyymmdd));
    let BatchResults { rows, summary, csv } = batch_results(
        &lines,
        |code| decided.get(code),
        terms.lang,
        |verdict| !options.unreadable_rows_only || verdict == "unreadable",
    );
    Ok(BatchReport {
        summary,
        csv,
        rows,
        source: source.name,
        cancelled: aborted(signal),
        checkout_date,
        codes: codes.len(),
    })
}

/// Reads the codes from the mirror, a chunk of neighbouring codes per read, the next
/// chunk's requests sent before this one's answers are read: IndexedDB reads the next buckets
/// while the wasm indexes these, instead of each waiting for the other (a batch of 100,000 lines
/// from a mirror of a million books waited on IndexedDB about 0.5 s of its 2.1 s).
async fn from_mirror(
    mirror: &MirrorLookup<'_>,
    codes: &[&Code],
    records: &mut HashMap<Ean13, Result<Fetched, LookupError>>,
    reporter: &mut Reporter<'_>,
    signal: Option<&AbortSignal>,
) {
    // In code order, so a chunk's codes share buckets and each bucket is read once.
    let mut in_order = codes.to_vec();
    in_order.sort_unstable_by_key(|c| c.code);
    let mut chunks = in_order.chunks(MIRROR_CHUNK);
    let read = |chunk| Box::pin(maybe_done(mirror.records(chunk)));
    let mut reading = chunks.next().map(|chunk| (chunk, read(chunk)));
    while let Some((chunk, mut answers)) = reading.take() {
        if aborted(signal) {
            return;
        }
        // This chunk's requests first, then the next's: IndexedDB answers an origin's requests in
        // order, so this chunk's books come before the next's (a chunk's sets and their books,
        // asked once its books are in, may queue behind the next chunk's books).
        start(&mut answers).await;
        reading = chunks.next().map(|next| (next, read(next)));
        if let Some((_, ahead)) = reading.as_mut() {
            start(ahead).await;
        }
        // The next chunk goes on too (its sets and their books follow its books), polled with this one.
        poll_fn(|cx| {
            if let Some((_, ahead)) = reading.as_mut() {
                let _ = ahead.as_mut().poll(cx);
            }
            answers.as_mut().poll(cx)
        })
        .await;
        let answers = answers.as_mut().take_output().unwrap_or_else(|| {
            // Not after the await above; were it so, the chunk is unknown rather than left out.
            let lost = LookupError::Storage {
                detail: "離線資料的讀取結果不完整".to_string(),
            };
            chunk.iter().map(|_| Err(lost.clone())).collect()
        });
        for (code, answer) in chunk.iter().zip(answers) {
            records.insert(code.code, answer);
        }
        reporter.report(records.len(), false, false);
    }
}

/// Polls `read` once, so that what it does before its first wait (sending a read's requests) is under
/// way; a read that is done at once keeps its answer.
async fn start<F: Future>(read: &mut Pin<Box<MaybeDone<F>>>) {
    poll_fn(|cx| {
        let _ = read.as_mut().poll(cx);
        Poll::Ready(())
    })
    .await;
}

/// One code's request under way: its promise settles once the answer is in the cell.
struct InFlight {
    code: Ean13,
    settled: js_sys::Promise,
    answer: Rc<RefCell<Option<Result<Fetched, LookupError>>>>,
}

impl InFlight {
    fn start(live: &Rc<Live>, code: &Code, signal: &AbortSignal) -> InFlight {
        let answer = Rc::new(RefCell::new(None));
        let (live, signal, cell, asked) = (live.clone(), signal.clone(), answer.clone(), *code);
        let settled = future_to_promise(async move {
            let got = live.with_signal(Some(&signal)).record(&asked).await;
            *cell.borrow_mut() = Some(got);
            Ok(JsValue::UNDEFINED)
        });
        InFlight {
            code: code.code,
            settled,
            answer,
        }
    }
}

/// How the live service is asked.
struct Ask {
    ignore_busy_window: bool,
}

impl Ask {
    /// Whether the service may be asked now: outside 21:30–24:00 by its clock, or when told to.
    fn allowed(&self, live: &Live) -> bool {
        self.ignore_busy_window || auto_sync_allowed(live.now().taipei_moment().time())
    }

    /// Asks the live service for each code, [`IN_FLIGHT`] at a time (the fetcher retries
    /// with backoff), resting in the busy window and giving up on a service that is down.
    async fn codes(
        &self,
        live: &Rc<Live>,
        codes: &[&Code],
        records: &mut HashMap<Ean13, Result<Fetched, LookupError>>,
        reporter: &mut Reporter<'_>,
        signal: Option<&AbortSignal>,
    ) -> Result<(), Failure> {
        let controller = linked_controller(signal)?;
        let inner = controller.signal();
        let mut next = codes.iter().peekable();
        let mut flying: Vec<InFlight> = Vec::with_capacity(IN_FLIGHT);
        let mut failures_in_a_row = 0;
        let mut down: Option<LookupError> = None;
        loop {
            while flying.len() < IN_FLIGHT
                && !inner.aborted()
                && down.is_none()
                && next.peek().is_some()
            {
                if !self.allowed(live) {
                    if !flying.is_empty() {
                        break;
                    }
                    reporter.report(records.len(), true, true);
                    if sleep(BUSY_RECHECK_MS, Some(&inner)).await.is_err() {
                        break;
                    }
                    continue;
                }
                let Some(code) = next.next() else { break };
                flying.push(InFlight::start(live, code, &inner));
            }
            if flying.is_empty() {
                break;
            }
            let race: js_sys::Array = flying.iter().map(|f| JsValue::from(&f.settled)).collect();
            let _ = JsFuture::from(js_sys::Promise::race(&race)).await;
            flying.retain(|f| {
                let Some(answer) = f.answer.borrow_mut().take() else {
                    return true;
                };
                match &answer {
                    // Cancelled: not checked, not recorded.
                    Err(LookupError::Aborted) => return false,
                    Err(e) if e.is_retryable() => {
                        failures_in_a_row += 1;
                        if failures_in_a_row >= FAILURES_BEFORE_GIVING_UP {
                            down = Some(e.clone());
                        }
                    }
                    _ => failures_in_a_row = 0,
                }
                records.insert(f.code, answer);
                false
            });
            reporter.report(records.len(), false, false);
        }
        controller.abort();
        if let Some(e) = down {
            for code in next {
                records.insert(code.code, Err(e.clone()));
            }
        }
        Ok(())
    }
}
