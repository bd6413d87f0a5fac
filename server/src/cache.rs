//! Proxy mode's cache: past days' announcements kept for good (on disk under `--cache-dir`, so they survive restarts and serve every till), today's list and code lookups kept briefly.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Brief entries kept in memory at most; past days are bounded by the calendar (one per day since 2021).
const MAX_BRIEF_ENTRIES: usize = 50_000;

/// One upstream answer worth keeping: a JSON 200 with result code 0, or the specification's empty 404.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub status: u16,
    /// The JSON body (empty for a 404).
    pub body: String,
    /// The upstream's `Date` when it answered.
    pub date: Option<String>,
    /// The upstream's own `Age` when it answered (its cache's), seconds.
    #[serde(default)]
    pub upstream_age: u64,
    /// When it was fetched, Unix seconds.
    pub fetched: u64,
}

impl Entry {
    /// Seconds since it was fetched.
    pub fn kept(&self, now: SystemTime) -> u64 {
        unix_secs(now).saturating_sub(self.fetched)
    }

    /// The `Age` to send: the upstream's own, plus how long it was kept here.
    pub fn age(&self, now: SystemTime) -> u64 {
        self.upstream_age.saturating_add(self.kept(now))
    }
}

/// Unix seconds of a time.
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// How long an answer may be reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// A past day's announcement: it never changes once published.
    Forever,
    /// Today's list or a code lookup: for the TTL (longer in the evening busy window).
    Briefly,
}

/// The cache: forever-entries on disk (when a directory is given) and in memory, brief ones in memory.
pub struct Cache {
    dir: Option<PathBuf>,
    ttl: Duration,
    busy_ttl: Duration,
    memory: Mutex<HashMap<String, (Keep, Entry)>>,
}

/// A file name for a key (`/v1/announcement/20210301` → `v1_announcement_20210301.json`).
fn file_name(key: &str) -> String {
    let safe: String = key
        .trim_start_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{safe}.json")
}

impl Cache {
    /// A cache keeping past days under `dir` (if any) and other answers for `ttl` (`busy_ttl` in the busy window).
    pub fn new(dir: Option<PathBuf>, ttl: Duration, busy_ttl: Duration) -> Cache {
        if let Some(d) = &dir
            && let Err(e) = std::fs::create_dir_all(d)
        {
            tracing::warn!("cache directory {}: {e}", d.display());
        }
        Cache {
            dir,
            ttl,
            busy_ttl,
            memory: Mutex::new(HashMap::new()),
        }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Keep, Entry)>> {
        self.memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A kept answer for `key` still good at `now`. An entry lasts as it was stored: a brief
    /// one only for its TTL (`busy`: the longer one of the 21:30–24:00 window) and never across
    /// `boundary` (the last midnight or 21:30, Unix seconds), whatever the request now asking
    /// for it would be stored as.
    pub fn get(
        &self,
        key: &str,
        keep: Keep,
        now: SystemTime,
        busy: bool,
        boundary: i64,
    ) -> Option<Entry> {
        let remembered = self.memory().get(key).cloned();
        let (stored, entry) = match remembered {
            Some(kept) => kept,
            None if keep == Keep::Forever => {
                let path = self.dir.as_ref()?.join(file_name(key));
                let e: Entry = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
                self.memory()
                    .insert(key.to_string(), (Keep::Forever, e.clone()));
                (Keep::Forever, e)
            }
            None => return None,
        };
        let limit = if busy { self.busy_ttl } else { self.ttl };
        let fresh = entry.kept(now) < limit.as_secs()
            && i64::try_from(entry.fetched).unwrap_or(i64::MAX) >= boundary;
        (stored == Keep::Forever || fresh).then_some(entry)
    }

    /// Keeps an answer; a forever-entry also goes to disk (written whole, then renamed into place).
    pub fn put(&self, key: &str, keep: Keep, entry: Entry) {
        if keep == Keep::Forever
            && let Some(dir) = &self.dir
        {
            // A name of its own per write: two writers (or two instances on one directory)
            // never share a temporary file, and the rename into place is atomic.
            static WRITES: AtomicU64 = AtomicU64::new(0);
            let path = dir.join(file_name(key));
            let n = WRITES.fetch_add(1, Ordering::Relaxed);
            let tmp = path.with_extension(format!("{}.{n}.tmp", std::process::id()));
            let written = serde_json::to_vec(&entry)
                .map_err(std::io::Error::other)
                .and_then(|bytes| std::fs::write(&tmp, bytes))
                .and_then(|()| std::fs::rename(&tmp, &path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                tracing::warn!("cache write {}: {e}", path.display());
            }
        }
        if keep == Keep::Briefly && self.ttl.is_zero() && self.busy_ttl.is_zero() {
            return;
        }
        let mut memory = self.memory();
        if keep == Keep::Briefly && memory.len() >= MAX_BRIEF_ENTRIES {
            memory.retain(|_, (k, _)| *k == Keep::Forever);
        }
        memory.insert(key.to_string(), (keep, entry));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fetched: u64) -> Entry {
        Entry {
            status: 200,
            body: "{\"code\":0}".into(),
            date: Some("Mon, 23 Nov 2026 14:00:00 GMT".into()),
            upstream_age: 0,
            fetched,
        }
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn brief_entries_expire_and_last_longer_when_busy() {
        let c = Cache::new(None, Duration::from_secs(300), Duration::from_secs(1800));
        c.put("/v1/announcement/today", Keep::Briefly, entry(1000));
        let get = |now, busy, boundary| {
            c.get(
                "/v1/announcement/today",
                Keep::Briefly,
                at(now),
                busy,
                boundary,
            )
        };
        assert!(get(1299, false, 0).is_some());
        assert!(get(1300, false, 0).is_none());
        assert!(get(2000, true, 0).is_some());
        // Never across midnight or 21:30.
        assert!(get(1100, true, 1050).is_none());
        // A brief entry stays brief when the request would now keep its answer for good.
        let later = c.get("/v1/announcement/today", Keep::Forever, at(5000), false, 0);
        assert!(later.is_none());
        assert_eq!(entry(1000).age(at(1300)), 300);
        let aged = Entry {
            upstream_age: 7,
            ..entry(1000)
        };
        assert_eq!(aged.age(at(1300)), 307);
    }

    #[test]
    fn past_days_survive_a_restart_on_disk() {
        let dir = std::env::temp_dir().join(format!("booktax-cache-{}", std::process::id()));
        let key = "/v1/announcement/20210301";
        Cache::new(Some(dir.clone()), Duration::ZERO, Duration::ZERO).put(
            key,
            Keep::Forever,
            entry(5),
        );
        let again = Cache::new(Some(dir.clone()), Duration::ZERO, Duration::ZERO);
        let kept = again.get(key, Keep::Forever, at(9_999_999), false, 9_000_000);
        assert_eq!(kept, Some(entry(5)));
        let other = again.get("/v1/announcement/20210302", Keep::Forever, at(6), false, 0);
        assert_eq!(other, None);
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
