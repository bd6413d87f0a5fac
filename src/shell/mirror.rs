//! The offline mirror as a lookup source: records from IndexedDB, the policy date the sync kept, and how fresh it all is.

use crate::core::code::{Code, CodeKind, Ean13};
use crate::core::lookup::answer::Found;
use crate::core::lookup::clock::Now;
use crate::core::lookup::error::{LookupError, Missing};
use crate::core::lookup::source::{Fetched, Source};
use crate::core::mirror::apply::isbn_key;
use crate::core::mirror::plan::{Freshness, freshness};
use crate::core::schema::{DateField, Isbn};
use crate::core::taipei::parse_yyyymmdd;
use crate::shell::idb::{MirrorDb, SyncState};
use crate::shell::js_error::Failure;
use crate::shell::live::Live;
use chrono::NaiveDate;

/// The mirror for one lookup: its database, its state as read when the lookup began and, for a
/// book, the book's record read with that state.
pub struct MirrorLookup<'a> {
    /// The open database.
    pub db: &'a MirrorDb,
    /// The sync state.
    pub state: SyncState,
    /// The live client, for its clock (the service's, once it has answered).
    pub live: &'a Live,
    /// The book read with the state ([`MirrorDb::state_and_book`]): the lookup's own, not read again.
    read_ahead: Option<ReadAhead>,
}

/// A book read with the state, and the ISBN-13 it was read for.
struct ReadAhead {
    isbn13: Ean13,
    book: Result<Option<Isbn>, LookupError>,
}

impl<'a> MirrorLookup<'a> {
    /// The mirror as it is now, for a lookup of `code` (for a book, its record is read with the
    /// state), or of many codes (`None`: the state alone).
    ///
    /// # Errors
    ///
    /// `storage` when the state cannot be read (a book that cannot be read is its lookup's unknown).
    pub async fn read(
        db: &'a MirrorDb,
        live: &'a Live,
        code: Option<&Code>,
    ) -> Result<Self, Failure> {
        let isbn13 = code.filter(|c| c.kind == CodeKind::Isbn).map(|c| c.code);
        let (state, book) = db.state_and_book(isbn13.as_deref()).await?;
        let read_ahead = isbn13.zip(book).map(|(isbn13, book)| ReadAhead {
            isbn13,
            book: book.map_err(storage),
        });
        Ok(MirrorLookup {
            db,
            state,
            live,
            read_ahead,
        })
    }

    /// Whether the book stored for `code` is `served` (`served` `None`: the service lists nothing,
    /// and the mirror holds nothing either), whatever the mirror's freshness; `None` when that is
    /// not known: a set, or a book that was not read with the state or did not read.
    pub fn holds_as_read(&self, code: &Code, served: Option<&Found>) -> Option<bool> {
        match &self.read_ahead {
            Some(ReadAhead {
                isbn13,
                book: Ok(held),
            }) if *isbn13 == code.code => Some(match (held, served) {
                (None, None) => true,
                (Some(held), Some(Found::Isbn(served))) => held == served,
                _ => false,
            }),
            _ => None,
        }
    }

    fn applied(&self) -> Option<NaiveDate> {
        self.state
            .applied_through
            .as_deref()
            .and_then(parse_yyyymmdd)
    }

    /// How current the mirror is on today (by the corrected clock).
    pub fn freshness(&self) -> Freshness {
        freshness(self.applied(), self.live.now().day())
    }

    /// No record is read from a mirror more than two days behind ([`Freshness::Stale`]), or on a
    /// clock the mirror shows to be behind ([`Freshness::Ahead`]): neither can say a book is
    /// still approved.
    fn usable(&self) -> Result<(), LookupError> {
        let today = self.live.now().day();
        let Some(applied_through) = self.applied() else {
            return Ok(());
        };
        match freshness(Some(applied_through), today) {
            Freshness::Ahead(_) => Err(LookupError::ClockBehindMirror {
                applied_through,
                today,
            }),
            Freshness::Stale(_) => Err(LookupError::MirrorStale { applied_through }),
            _ => Ok(()),
        }
    }
}

fn storage(f: Failure) -> LookupError {
    LookupError::Storage {
        detail: f.message().to_string(),
    }
}

impl MirrorLookup<'_> {
    /// Many records at once, as [`Source::record`] answers each: the books in one
    /// transaction, the boxed sets in another, and the sets' books in a third, each only when
    /// it has codes to read.
    pub async fn records(&self, codes: &[&Code]) -> Vec<Result<Fetched, LookupError>> {
        if let Err(e) = self.usable() {
            return codes.iter().map(|_| Err(e.clone())).collect();
        }
        let keys = |kind: CodeKind| -> Vec<&str> {
            codes
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| c.code.as_str())
                .collect()
        };
        let read = async {
            let books = self.db.books(&keys(CodeKind::Isbn)).await?;
            let mut sets = self.db.sets(&keys(CodeKind::Ean)).await?;
            // A set's books as the mirror holds them now (see `record`).
            let inner: Vec<String> = sets
                .iter()
                .flat_map(|s| match s {
                    Ok(Some(set)) => set.isbns.iter().flatten().filter_map(isbn_key).collect(),
                    _ => Vec::new(),
                })
                .collect();
            let inner_keys: Vec<&str> = inner.iter().map(String::as_str).collect();
            let mut current = self.db.books(&inner_keys).await?.into_iter();
            for answer in &mut sets {
                let Ok(Some(set)) = answer else { continue };
                let mut failed = None;
                for book in set.isbns.iter_mut().flatten() {
                    if isbn_key(book).is_none() {
                        continue;
                    }
                    match current.next() {
                        Some(Ok(Some(now))) => *book = now,
                        Some(Err(f)) => failed = Some(f),
                        _ => {}
                    }
                }
                if let Some(f) = failed {
                    *answer = Err(f);
                }
            }
            Ok::<_, Failure>((books.into_iter(), sets.into_iter()))
        };
        let (mut books, mut sets) = match read.await {
            Ok(read) => read,
            Err(f) => {
                let failed = storage(f);
                return codes.iter().map(|_| Err(failed.clone())).collect();
            }
        };
        let at_ms = self.live.now().corrected_ms();
        codes
            .iter()
            .map(|code| {
                // A read missing from the answers is no answer (unknown), never "not listed".
                let found = match code.kind {
                    CodeKind::Isbn => books.next().map(|b| b.map(|b| b.map(Found::Isbn))),
                    CodeKind::Ean => sets.next().map(|s| s.map(|s| s.map(Found::Ean))),
                }
                .unwrap_or_else(|| Err(Failure::new("internal", "離線資料的讀取結果不完整")));
                match found {
                    Err(f) => Err(storage(f)),
                    Ok(Some(found)) => Ok(Fetched { found, at_ms }),
                    Ok(None) => self.missing(),
                }
            })
            .collect()
    }

    /// A code the mirror lacks: "not listed" only from a mirror that holds every list through today.
    fn missing(&self) -> Result<Fetched, LookupError> {
        if self.freshness() == Freshness::Current {
            Err(LookupError::NotFound(Missing::Code))
        } else {
            Err(LookupError::NotMirrored {
                applied_through: self.applied(),
            })
        }
    }
}

impl Source for MirrorLookup<'_> {
    fn name(&self) -> &'static str {
        "mirror"
    }

    fn now(&self) -> Now {
        self.live.now()
    }

    async fn record(&self, code: &Code) -> Result<Fetched, LookupError> {
        self.usable()?;
        let found = match code.kind {
            CodeKind::Isbn => match &self.read_ahead {
                Some(ahead) if ahead.isbn13 == code.code => ahead.book.clone()?,
                _ => self.db.book(&code.code).await.map_err(storage)?,
            }
            .map(Found::Isbn),
            CodeKind::Ean => match self.db.set(&code.code).await.map_err(storage)? {
                Some(mut set) => {
                    // A set's books as the mirror holds them now: the copies inside the set are
                    // as of the day it was listed, and a book revoked since must count. (`records`
                    // does the same for many codes; not called from here because it would bring
                    // the batch's reads into the checkout page's wasm: +8.7 KB raw, +3.3 KB brotli.)
                    for book in set.isbns.iter_mut().flatten() {
                        if let Some(key) = isbn_key(book)
                            && let Some(current) = self.db.book(&key).await.map_err(storage)?
                        {
                            *book = current;
                        }
                    }
                    Some(Found::Ean(set))
                }
                None => None,
            },
        };
        match found {
            Some(found) => Ok(Fetched {
                found,
                at_ms: self.live.now().corrected_ms(),
            }),
            None => self.missing(),
        }
    }

    fn mirrored(&self) -> Option<(Option<NaiveDate>, Freshness)> {
        Some((self.applied(), self.freshness()))
    }

    async fn policy(&self) -> Result<DateField, LookupError> {
        match self.state.policy_expiry_date.as_deref() {
            Some(p) => Ok(DateField::parse(p)),
            None => Err(LookupError::NotFound(Missing::PolicyDate)),
        }
    }
}
