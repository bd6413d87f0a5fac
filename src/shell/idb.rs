//! The mirror's IndexedDB database: books in buckets of a thousand codes, boxed sets by code, the sync state, and one transaction per write of whole days.
//!
//! Stores: `books` holds buckets of book lines ([`crate::core::mirror::bucket`]) under
//! their first nine digits, `eans` one set per EAN-13 as arrays
//! ([`crate::core::mirror::stored`]), `meta` the sync state under `state` and the book
//! count under `books`. A write reads the buckets it touches and writes them back with
//! the state that says which day is applied, in one transaction, so a mirror is always
//! exactly as after some complete day.

use crate::core::lookup::answer::Found;
use crate::core::mirror::apply::Writes;
use crate::core::mirror::bucket::{BucketIndex, all_books, bucket_of, edit_bucket};
use crate::core::mirror::digest::Digest;
use crate::core::mirror::stored::{
    BOOK_FIELDS, SET_FIELDS, book_fields, book_from_fields, set_fields, set_from_fields,
};
use crate::core::schema::{Ean, Isbn};
use crate::shell::js_error::{Failure, to_js};
use crate::shell::js_read::JsRead;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbKeyRange, IdbObjectStore, IdbOpenDbRequest, IdbRequest,
    IdbTransaction, IdbTransactionMode,
};

/// The database's version: raised whenever the rules for what is stored change, and every
/// upgrade starts the mirror afresh (records kept by an older rule could be too favourable).
/// 2: a list's sets get dates, a listed book without a status keeps none. 3: books in buckets.
/// 4: the revoked list's records are revoked whatever their status; a changed set without a
/// status is created (kept as none, it would now be unknown).
const VERSION: u32 = 4;
/// Book buckets, by the first nine digits of their ISBN-13s.
pub const BOOKS: &str = "books";
/// Boxed sets by EAN-13.
pub const SETS: &str = "eans";
const META: &str = "meta";
const STATE: &str = "state";
/// The `meta` key of the number of books held.
const BOOK_COUNT: &str = "books";

/// Values read per `getAll` when walking a whole store: a bucket holds up to a thousand books.
fn chunk(store: &str) -> u32 {
    if store == BOOKS { 100 } else { 5000 }
}

/// What the mirror holds besides records: how far it is applied, and the policy date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    /// The last fully applied announcement day, `YYYYMMDD`.
    pub applied_through: Option<String>,
    /// The last policy expiry date a day carried, `YYYYMMDD`.
    pub policy_expiry_date: Option<String>,
}

/// A storage failure, coded `storage`.
fn storage(what: &str, e: &JsValue) -> Failure {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| {
            e.dyn_ref::<web_sys::DomException>()
                .map(|d| format!("{}: {}", d.name(), d.message()))
        })
        .unwrap_or_default();
    Failure::new("storage", format!("離線資料庫無法{what}（{detail}）"))
}

/// Resolves when a request succeeds, with its result.
async fn request(req: &IdbRequest, what: &str) -> Result<JsValue, Failure> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Ok(_) => req.result().map_err(|e| storage(what, &e)),
        Err(_) => Err(storage(
            what,
            &req.error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or_default(),
        )),
    }
}

/// A promise of a transaction's completion, made before any request so none can be missed.
fn completion(tx: &IdbTransaction) -> JsFuture {
    JsFuture::from(js_sys::Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    }))
}

/// Waits until all of `tx`'s `requests` (every one it was asked, in the order asked) are answered:
/// until the last is, since a transaction answers its requests in that order, and a failed request
/// aborts the transaction (no error event is cancelled here), which fails every request after it.
/// Each is then checked to have succeeded, so that a failure is never read as a record the mirror
/// lacks, whatever else may handle the events. Not the transaction's completion, which waits for a
/// commit that queues behind the reads asked after it (a batch from the mirror sends its next
/// chunk's before it reads these): in plain JS, about 0.12 s of reading a million-book mirror's
/// buckets in chunks.
///
/// # Errors
///
/// `storage` when a request, or the transaction, failed: with the transaction's error, the cause,
/// when there is one (the requests after a failed one fail only as aborted).
async fn all_answered(tx: &IdbTransaction, requests: &[IdbRequest]) -> Result<(), Failure> {
    let cause = || tx.error().map(|e| storage("讀取", &e.into()));
    if let Some(last) = requests.last()
        && let Err(failed) = request(last, "讀取").await
    {
        return Err(cause().unwrap_or(failed));
    }
    if requests.iter().all(|r| matches!(r.error(), Ok(None))) {
        Ok(())
    } else {
        Err(cause().unwrap_or_else(|| storage("讀取", &JsValue::UNDEFINED)))
    }
}

/// A promise that settles with a request, made before it can succeed.
fn settled(req: &IdbRequest) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    })
}

/// A bucket as stored: its text's UTF-8 bytes (cloned by IndexedDB as one block).
fn bucket_value(text: &str) -> JsValue {
    js_sys::Uint8Array::from(text.as_bytes()).into()
}

/// A stored bucket's text; `None` when the value is not one.
fn bucket_text(value: &JsValue) -> Option<String> {
    String::from_utf8(bucket_bytes(value)?).ok()
}

/// A book as read: `None` when the mirror lacks it, `Err` when it could not be read.
pub type BookRead = Result<Option<Isbn>, Failure>;

/// A bucket as read: `None` when the mirror lacks it, `Err` when its value is not bytes.
type StoredBucket = Option<Result<Vec<u8>, ()>>;

/// A stored bucket's bytes, when the value is bytes.
fn bucket_bytes(value: &JsValue) -> Option<Vec<u8>> {
    Some(value.dyn_ref::<js_sys::Uint8Array>()?.to_vec())
}

/// The stored sync state, or the state before the first sync when there is none (or it does not read).
fn read_state(value: JsValue) -> SyncState {
    if value.is_undefined() {
        return SyncState::default();
    }
    SyncState::deserialize(JsRead::new(value)).unwrap_or_default()
}

/// A book in its stored bucket, read as a batch reads it: the same answer for the same stored bytes.
fn find_book(bucket: &JsValue, isbn13: &str) -> BookRead {
    let bytes = bucket_bytes(bucket).ok_or_else(|| unreadable(bucket_of(isbn13)))?;
    match BucketIndex::new(&bytes).find(isbn13) {
        None => Ok(None),
        Some(book) => book.map(Some).ok_or_else(|| unreadable(isbn13)),
    }
}

/// A record that is there but does not read is no answer: unknown, never "not listed".
fn unreadable(key: &str) -> Failure {
    Failure::new(
        "storage",
        format!("離線資料的紀錄 {key} 無法讀取，請重新同步"),
    )
}

fn text_array(fields: &[Option<String>]) -> js_sys::Array {
    fields
        .iter()
        .map(|f| f.as_deref().map_or(JsValue::NULL, JsValue::from_str))
        .collect()
}

fn read_texts<const N: usize>(array: &js_sys::Array) -> [Option<String>; N] {
    std::array::from_fn(|i| array.get(i as u32).as_string())
}

/// A book as stored: an array of its texts.
fn book_array(book: &Isbn) -> JsValue {
    text_array(&book_fields(book)).into()
}

/// A set as stored: its texts, then the array of its books (or null).
fn set_array(set: &Ean) -> JsValue {
    let array = text_array(&set_fields(set));
    let books = set.isbns.as_ref().map_or(JsValue::NULL, |books| {
        books
            .iter()
            .map(book_array)
            .collect::<js_sys::Array>()
            .into()
    });
    array.push(&books);
    array.into()
}

fn read_book(value: &JsValue) -> Option<Isbn> {
    let array = value.dyn_ref::<js_sys::Array>()?;
    book_from_fields(read_texts::<BOOK_FIELDS>(array))
}

fn read_set(value: &JsValue) -> Option<Ean> {
    let array = value.dyn_ref::<js_sys::Array>()?;
    let books = array.get(SET_FIELDS as u32);
    let books = match books.dyn_ref::<js_sys::Array>() {
        Some(list) => Some(
            list.iter()
                .map(|b| read_book(&b))
                .collect::<Option<Vec<_>>>()?,
        ),
        None => None,
    };
    set_from_fields(read_texts::<SET_FIELDS>(array), books)
}

/// An open mirror database.
pub struct MirrorDb {
    db: IdbDatabase,
}

impl MirrorDb {
    /// Opens (creating on first use) the mirror database called `name`.
    ///
    /// # Errors
    ///
    /// `storage` when IndexedDB is missing (a private window may have none) or refuses.
    pub async fn open(name: &str) -> Result<MirrorDb, Failure> {
        let factory: IdbFactory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| Failure::new("storage", "這個瀏覽器無法使用離線資料庫（IndexedDB）"))?;
        let open: IdbOpenDbRequest = factory
            .open_with_u32(name, VERSION)
            .map_err(|e| storage("開啟", &e))?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
            let Some(db) = event
                .target()
                .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|d| d.dyn_into::<IdbDatabase>().ok())
            else {
                return;
            };
            // A failure here aborts the upgrade, and the open request reports it.
            let names = db.object_store_names();
            let names: Vec<String> = (0..names.length()).filter_map(|i| names.get(i)).collect();
            for name in names {
                let _ = db.delete_object_store(&name);
            }
            for store in [BOOKS, SETS, META] {
                let _ = db.create_object_store(store);
            }
        });
        open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = request(&open, "開啟").await;
        open.set_onupgradeneeded(None);
        drop(upgrade);
        let db: IdbDatabase = db?.unchecked_into();
        // Another tab deleting or upgrading the database must not wait on this one.
        let close = Closure::<dyn FnMut()>::new({
            let db = db.clone();
            move || db.close()
        });
        db.set_onversionchange(Some(close.as_ref().unchecked_ref()));
        close.forget();
        Ok(MirrorDb { db })
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
    ) -> Result<IdbTransaction, Failure> {
        let names = stores
            .iter()
            .map(|s| JsValue::from_str(s))
            .collect::<js_sys::Array>();
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(|e| storage("開始交易", &e))
    }

    fn store(tx: &IdbTransaction, name: &str) -> Result<IdbObjectStore, Failure> {
        tx.object_store(name).map_err(|e| storage("讀寫", &e))
    }

    /// The sync state (the default before the first sync).
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read.
    pub async fn state(&self) -> Result<SyncState, Failure> {
        Ok(self.state_and_book(None).await?.0)
    }

    /// The sync state and, when asked, a book by its ISBN-13, both asked at once in one
    /// transaction: a scan waits on one answer from IndexedDB instead of two in turn, and the two
    /// come from one moment of the mirror. The book reads as [`MirrorDb::book`] reads it, and a
    /// failure to read it (a damaged or lost value) is the book's alone: the state, answered
    /// before it, stands.
    ///
    /// # Errors
    ///
    /// `storage` when the state cannot be read.
    pub async fn state_and_book(
        &self,
        isbn13: Option<&str>,
    ) -> Result<(SyncState, Option<BookRead>), Failure> {
        let stores: &[&str] = if isbn13.is_some() {
            &[META, BOOKS]
        } else {
            &[META]
        };
        let tx = self.transaction(stores, IdbTransactionMode::Readonly)?;
        let ask = |store: &str, key: &str| {
            Self::store(&tx, store)?
                .get(&key.into())
                .map_err(|e| storage("讀取", &e))
        };
        // The state's read first, then the bucket's (answered in that order).
        let mut requests = vec![ask(META, STATE)?];
        if let Some(isbn13) = isbn13 {
            requests.push(ask(BOOKS, bucket_of(isbn13))?);
        }
        // A failure is the book's alone when the state's read, answered before it, succeeded.
        let book_failed = match all_answered(&tx, &requests).await {
            Ok(()) => None,
            Err(failed) if matches!(requests[0].error(), Ok(None)) => Some(failed),
            Err(failed) => return Err(failed),
        };
        let result_of = |r: &IdbRequest| r.result().map_err(|e| storage("讀取", &e));
        let state = read_state(result_of(&requests[0])?);
        let book = isbn13.zip(requests.get(1)).map(|(isbn13, bucket_read)| {
            if let Some(failed) = book_failed {
                return Err(failed);
            }
            let bucket = result_of(bucket_read)?;
            if bucket.is_undefined() {
                return Ok(None);
            }
            find_book(&bucket, isbn13)
        });
        Ok((state, book))
    }

    /// Writes several days' records and the state after the last of them in one
    /// transaction: all of it, or none.
    ///
    /// # Errors
    ///
    /// `storage` when the transaction fails (nothing of it is kept).
    pub async fn apply(&self, writes: &Writes, state: &SyncState) -> Result<(), Failure> {
        self.commit(writes, Some(state)).await.map(|_| ())
    }

    /// Writes in one transaction; resolves to how many books it added.
    async fn commit(&self, writes: &Writes, state: Option<&SyncState>) -> Result<usize, Failure> {
        let tx = self.transaction(&[BOOKS, SETS, META], IdbTransactionMode::Readwrite)?;
        let done = completion(&tx);
        let written = Self::write(&tx, writes, state).await;
        if written.is_err() {
            let _ = tx.abort();
            let _ = done.await;
            return written;
        }
        done.await
            .map_err(|_| storage("寫入", &tx.error().map(JsValue::from).unwrap_or_default()))?;
        written
    }

    /// The transaction's work: every touched bucket and the book count read at once, then
    /// each bucket edited and written back, the sets and the state written.
    async fn write(
        tx: &IdbTransaction,
        writes: &Writes,
        state: Option<&SyncState>,
    ) -> Result<usize, Failure> {
        let books = Self::store(tx, BOOKS)?;
        let meta = Self::store(tx, META)?;
        let read = |store: &IdbObjectStore, key: &str| {
            store.get(&key.into()).map_err(|e| storage("讀取", &e))
        };
        let count_read = read(&meta, BOOK_COUNT)?;
        let bucket_reads = writes
            .books
            .buckets()
            .into_iter()
            .map(|(name, edits)| Ok((name, edits, read(&books, name)?)))
            .collect::<Result<Vec<_>, Failure>>()?;
        let all: js_sys::Array = std::iter::once(&count_read)
            .chain(bucket_reads.iter().map(|(_, _, req)| req))
            .map(|req| JsValue::from(settled(req)))
            .collect();
        // The writes are made as the last read succeeds, while the transaction is still active.
        JsFuture::from(js_sys::Promise::all(&all))
            .await
            .map_err(|_| storage("讀取", &tx.error().map(JsValue::from).unwrap_or_default()))?;
        let result = |req: &IdbRequest| req.result().map_err(|e| storage("讀取", &e));
        let mut count = result(&count_read)?.as_f64().unwrap_or(0.0);
        let mut added = 0;
        for (name, edits, req) in &bucket_reads {
            // A bucket that is there but is not text (never written so by this code) stops the
            // write: replacing it would turn its other books from "unknown" into "not listed".
            let value = result(req)?;
            let held = if value.is_undefined() {
                String::new()
            } else {
                bucket_text(&value).ok_or_else(|| unreadable(name))?
            };
            let edited = edit_bucket(&held, edits);
            added += edited.added;
            count += edited.added as f64 - edited.removed as f64;
            // A bucket the edits left as it was (a book put as it stood, a forgotten code it never
            // held) is not written again.
            if edited.text == held {
                continue;
            }
            let key = JsValue::from_str(name);
            if edited.text.is_empty() {
                books.delete(&key)
            } else {
                books.put_with_key(&bucket_value(&edited.text), &key)
            }
            .map_err(|e| storage("寫入", &e))?;
        }
        let sets = Self::store(tx, SETS)?;
        for (key, set) in &writes.sets {
            match set {
                Some(set) => sets.put_with_key(&set_array(set), &key.into()),
                None => sets.delete(&key.into()),
            }
            .map_err(|e| storage("寫入", &e))?;
        }
        meta.put_with_key(&JsValue::from_f64(count.max(0.0)), &BOOK_COUNT.into())
            .map_err(|e| storage("寫入", &e))?;
        if let Some(state) = state {
            meta.put_with_key(&to_js(state)?, &STATE.into())
                .map_err(|e| storage("寫入", &e))?;
        }
        Ok(added)
    }

    /// Stores a record a live lookup found for `code` (the ISBN-13 or EAN-13 asked, which one of
    /// its fields read as), under that code: not under another of its fields, which could name
    /// another book (the sync state is left as it is).
    ///
    /// # Errors
    ///
    /// `storage` when the transaction fails.
    pub async fn store_found(&self, code: &str, found: &Found) -> Result<(), Failure> {
        let mut writes = Writes::default();
        match found {
            Found::Isbn(book) => writes.books.put(code, book),
            Found::Ean(set) => writes.sets.push((code.to_string(), Some(set.clone()))),
        }
        self.commit(&writes, None).await.map(|_| ())
    }

    /// Adds the books the mirror does not hold yet, all in one transaction; a book it holds
    /// (from the daily lists, which are newer than any historical file) is left as it is.
    /// Resolves to how many were added.
    ///
    /// # Errors
    ///
    /// `storage` when the transaction fails (nothing of it is kept).
    pub async fn add_missing(&self, books: &[(String, Isbn)]) -> Result<usize, Failure> {
        let mut writes = Writes::default();
        for (key, book) in books {
            writes.books.add(key, book);
        }
        self.commit(&writes, None).await
    }

    /// Removes a code the live service no longer lists (as a book and as a set), in one transaction.
    ///
    /// # Errors
    ///
    /// `storage` when the transaction fails.
    pub async fn forget(&self, code: &str) -> Result<(), Failure> {
        let mut writes = Writes::default();
        writes.books.remove(code);
        writes.sets.push((code.to_string(), None));
        self.commit(&writes, None).await.map(|_| ())
    }

    /// A book by its ISBN-13, when the mirror holds it.
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read or the stored record does not read.
    pub async fn book(&self, isbn13: &str) -> Result<Option<Isbn>, Failure> {
        match self.get(BOOKS, bucket_of(isbn13)).await? {
            None => Ok(None),
            Some(bucket) => find_book(&bucket, isbn13),
        }
    }

    /// A boxed set by its EAN-13, when the mirror holds it.
    ///
    /// # Errors
    ///
    /// As [`MirrorDb::book`].
    pub async fn set(&self, ean13: &str) -> Result<Option<Ean>, Failure> {
        match self.get(SETS, ean13).await? {
            None => Ok(None),
            Some(value) => read_set(&value).map(Some).ok_or_else(|| unreadable(ean13)),
        }
    }

    /// Many boxed sets by EAN-13 in one transaction, every read issued at once: each `None`
    /// when the mirror lacks it, `Err` when its stored record does not read.
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read.
    pub async fn sets(
        &self,
        ean13s: &[&str],
    ) -> Result<Vec<Result<Option<Ean>, Failure>>, Failure> {
        // No transaction for nothing: a batch's chunks mostly hold no sets, and each empty
        // transaction is a round trip to IndexedDB that the chunk would wait on.
        if ean13s.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.transaction(&[SETS], IdbTransactionMode::Readonly)?;
        let store = Self::store(&tx, SETS)?;
        let requests = ean13s
            .iter()
            .map(|key| store.get(&(*key).into()).map_err(|e| storage("讀取", &e)))
            .collect::<Result<Vec<_>, _>>()?;
        all_answered(&tx, &requests).await?;
        Ok(requests
            .iter()
            .zip(ean13s)
            .map(|(req, key)| {
                let value = req.result().map_err(|e| storage("讀取", &e))?;
                if value.is_undefined() {
                    return Ok(None);
                }
                read_set(&value).map(Some).ok_or_else(|| unreadable(key))
            })
            .collect())
    }

    /// Many books by ISBN-13 in one transaction, each bucket read once and all at once (batch
    /// pricing): each `None` when the mirror lacks it, `Err` when its stored record does not read.
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read.
    pub async fn books(
        &self,
        isbn13s: &[&str],
    ) -> Result<Vec<Result<Option<Isbn>, Failure>>, Failure> {
        // As in `sets`: a chunk's sets' books are mostly none.
        if isbn13s.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.transaction(&[BOOKS], IdbTransactionMode::Readonly)?;
        let store = Self::store(&tx, BOOKS)?;
        // Each bucket once, and where its answer is.
        let mut requests: Vec<IdbRequest> = Vec::new();
        let mut request_of: HashMap<&str, usize> = HashMap::new();
        for key in isbn13s {
            let name = bucket_of(key);
            if let Entry::Vacant(slot) = request_of.entry(name) {
                slot.insert(requests.len());
                requests.push(store.get(&name.into()).map_err(|e| storage("讀取", &e))?);
            }
        }
        all_answered(&tx, &requests).await?;
        // Each bucket's bytes, read as text only line by line, as asked.
        let mut stored: Vec<StoredBucket> = Vec::with_capacity(requests.len());
        for req in requests {
            let value = req.result().map_err(|e| storage("讀取", &e))?;
            stored.push((!value.is_undefined()).then(|| bucket_bytes(&value).ok_or(())));
        }
        let indexes: Vec<Option<Result<BucketIndex, ()>>> = stored
            .iter()
            .map(|bytes| {
                bytes
                    .as_ref()
                    .map(|b| b.as_deref().map(BucketIndex::new).map_err(|_| ()))
            })
            .collect();
        Ok(isbn13s
            .iter()
            .map(
                |key| match request_of.get(bucket_of(key)).map(|&at| &indexes[at]) {
                    None => Err(unreadable(key)),
                    Some(None) => Ok(None),
                    Some(Some(Err(()))) => Err(unreadable(key)),
                    Some(Some(Ok(index))) => match index.find(key) {
                        None => Ok(None),
                        Some(book) => book.map(Some).ok_or_else(|| unreadable(key)),
                    },
                },
            )
            .collect())
    }

    async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>, Failure> {
        let tx = self.transaction(&[store], IdbTransactionMode::Readonly)?;
        let req = Self::store(&tx, store)?
            .get(&key.into())
            .map_err(|e| storage("讀取", &e))?;
        let value = request(&req, "讀取").await?;
        Ok((!value.is_undefined()).then_some(value))
    }

    /// How many boxed sets the mirror holds.
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read.
    pub async fn set_count(&self) -> Result<u32, Failure> {
        let tx = self.transaction(&[SETS], IdbTransactionMode::Readonly)?;
        let req = Self::store(&tx, SETS)?
            .count()
            .map_err(|e| storage("讀取", &e))?;
        Ok(request(&req, "讀取").await?.as_f64().unwrap_or(0.0) as u32)
    }

    /// How many books the mirror holds (counted as they are written).
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read.
    pub async fn book_count(&self) -> Result<u32, Failure> {
        Ok(self
            .get(META, BOOK_COUNT)
            .await?
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u32)
    }

    /// The digest of every record, read in key order in chunks.
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read.
    pub async fn digest(&self) -> Result<Digest, Failure> {
        let mut digest = Digest::default();
        for store in [BOOKS, SETS] {
            let mut after: Option<JsValue> = None;
            loop {
                let tx = self.transaction(&[store], IdbTransactionMode::Readonly)?;
                let os = Self::store(&tx, store)?;
                let range = match &after {
                    Some(key) => Some(
                        IdbKeyRange::lower_bound_with_open(key, true)
                            .map_err(|e| storage("讀取", &e))?,
                    ),
                    None => None,
                };
                let range_js = range.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
                let keys_req = os
                    .get_all_keys_with_key_and_limit(&range_js, chunk(store))
                    .map_err(|e| storage("讀取", &e))?;
                let values_req = os
                    .get_all_with_key_and_limit(&range_js, chunk(store))
                    .map_err(|e| storage("讀取", &e))?;
                let keys: js_sys::Array = request(&keys_req, "讀取").await?.unchecked_into();
                let values: js_sys::Array = request(&values_req, "讀取").await?.unchecked_into();
                for (key, value) in keys.iter().zip(values.iter()) {
                    let key_text = key.as_string().unwrap_or_default();
                    if store == BOOKS {
                        let text = bucket_text(&value).unwrap_or_default();
                        for (code, book) in all_books(&text) {
                            if let Some(book) = book {
                                digest.add_isbn(code, &book);
                            }
                        }
                    } else if let Some(set) = read_set(&value) {
                        digest.add_ean(&key_text, &set);
                    }
                }
                if keys.length() < chunk(store) {
                    break;
                }
                after = Some(keys.get(keys.length() - 1));
            }
        }
        Ok(digest)
    }
}
