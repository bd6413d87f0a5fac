//! Proxy mode's cache: past days' announcements kept for good (on disk under `--cache-dir`, so they survive restarts and serve every till), today's list and code lookups kept briefly.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Entries kept in memory at most; the oldest short-lived ones go first.
const MAX_ENTRIES: usize = 50_000;

/// One upstream answer worth keeping: a JSON 200, or the specification's empty 404.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub status: u16,
    /// The JSON body (empty for a 404).
    pub body: String,
    /// The upstream's `Date` when it answered.
    pub date: Option<String>,
    /// When it was fetched, Unix seconds.
    pub fetched: u64,
}

impl Entry {
    /// Seconds since it was fetched, for the `Age` header.
    pub fn age(&self, now: SystemTime) -> u64 {
        unix_secs(now).saturating_sub(self.fetched)
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

    /// A kept answer for `key` still good at `now` (`busy`: the 21:30–24:00 window, when the cache is preferred).
    pub fn get(&self, key: &str, keep: Keep, now: SystemTime, busy: bool) -> Option<Entry> {
        let remembered = self.memory().get(key).cloned();
        let entry = match remembered {
            Some((_, e)) => e,
            None if keep == Keep::Forever => {
                let path = self.dir.as_ref()?.join(file_name(key));
                let e: Entry = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
                self.memory()
                    .insert(key.to_string(), (Keep::Forever, e.clone()));
                e
            }
            None => return None,
        };
        let limit = if busy { self.busy_ttl } else { self.ttl };
        (keep == Keep::Forever || entry.age(now) < limit.as_secs()).then_some(entry)
    }

    /// Keeps an answer; a forever-entry also goes to disk (written whole, then renamed into place).
    pub fn put(&self, key: &str, keep: Keep, entry: Entry) {
        if keep == Keep::Forever
            && let Some(dir) = &self.dir
        {
            let path = dir.join(file_name(key));
            let tmp = path.with_extension("tmp");
            let written = serde_json::to_vec(&entry)
                .map_err(std::io::Error::other)
                .and_then(|bytes| std::fs::write(&tmp, bytes))
                .and_then(|()| std::fs::rename(&tmp, &path));
            if let Err(e) = written {
                tracing::warn!("cache write {}: {e}", path.display());
            }
        }
        if keep == Keep::Briefly && self.ttl.is_zero() && self.busy_ttl.is_zero() {
            return;
        }
        let mut memory = self.memory();
        if memory.len() >= MAX_ENTRIES {
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
        assert!(
            c.get("/v1/announcement/today", Keep::Briefly, at(1299), false)
                .is_some()
        );
        assert!(
            c.get("/v1/announcement/today", Keep::Briefly, at(1300), false)
                .is_none()
        );
        assert!(
            c.get("/v1/announcement/today", Keep::Briefly, at(2000), true)
                .is_some()
        );
        assert_eq!(entry(1000).age(at(1300)), 300);
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
        assert_eq!(
            again.get(key, Keep::Forever, at(9_999_999), false),
            Some(entry(5))
        );
        assert_eq!(
            again.get("/v1/announcement/20210302", Keep::Forever, at(6), false),
            None
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
