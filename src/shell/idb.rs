//! The mirror's IndexedDB database: books and boxed sets by code, the sync state, and one transaction per applied day.
//!
//! Stores: `isbns` (by ISBN-13) and `eans` (by EAN-13) hold records as the API
//! serves them, as plain objects; `meta` holds the sync state under `state`. A
//! day's records and the state that says the day is applied are written in one
//! transaction, so a mirror is always exactly as after some complete day.

use crate::core::lookup::answer::Found;
use crate::core::mirror::apply::{DayChanges, ean_key, isbn_key};
use crate::core::mirror::digest::Digest;
use crate::core::schema::{Ean, Isbn, read_schema};
use crate::shell::js_error::{Failure, to_js};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbKeyRange, IdbObjectStore, IdbOpenDbRequest, IdbRequest,
    IdbTransaction, IdbTransactionMode,
};

const VERSION: u32 = 1;
/// Books by ISBN-13.
pub const BOOKS: &str = "isbns";
/// Boxed sets by EAN-13.
pub const SETS: &str = "eans";
const META: &str = "meta";
const STATE: &str = "state";
/// Records read per `getAll` when walking a whole store.
const CHUNK: u32 = 5000;

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
            for store in [BOOKS, SETS, META] {
                if !db.object_store_names().contains(store) {
                    // A failure here aborts the upgrade, and the open request reports it.
                    let _ = db.create_object_store(store);
                }
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
        let tx = self.transaction(&[META], IdbTransactionMode::Readonly)?;
        let req = Self::store(&tx, META)?
            .get(&STATE.into())
            .map_err(|e| storage("讀取", &e))?;
        let value = request(&req, "讀取").await?;
        if value.is_undefined() {
            return Ok(SyncState::default());
        }
        Ok(serde_wasm_bindgen::from_value(value).unwrap_or_default())
    }

    /// Writes a day's records and the new state in one transaction: all of it, or none.
    ///
    /// # Errors
    ///
    /// `storage` when the transaction fails (nothing of it is kept).
    pub async fn apply(&self, changes: &DayChanges, state: &SyncState) -> Result<(), Failure> {
        self.write(changes, Some(state)).await
    }

    async fn write(&self, changes: &DayChanges, state: Option<&SyncState>) -> Result<(), Failure> {
        let tx = self.transaction(&[BOOKS, SETS, META], IdbTransactionMode::Readwrite)?;
        let done = completion(&tx);
        let writes = || -> Result<(), Failure> {
            let books = Self::store(&tx, BOOKS)?;
            for (key, book) in &changes.isbns {
                books
                    .put_with_key(&to_js(book)?, &key.into())
                    .map_err(|e| storage("寫入", &e))?;
            }
            let sets = Self::store(&tx, SETS)?;
            for (key, set) in &changes.eans {
                sets.put_with_key(&to_js(set)?, &key.into())
                    .map_err(|e| storage("寫入", &e))?;
            }
            if let Some(state) = state {
                Self::store(&tx, META)?
                    .put_with_key(&to_js(state)?, &STATE.into())
                    .map_err(|e| storage("寫入", &e))?;
            }
            Ok(())
        };
        if let Err(e) = writes() {
            let _ = tx.abort();
            let _ = done.await;
            return Err(e);
        }
        done.await
            .map(|_| ())
            .map_err(|_| storage("寫入", &tx.error().map(JsValue::from).unwrap_or_default()))
    }

    /// Stores records without touching the sync state, all in one transaction.
    ///
    /// # Errors
    ///
    /// `storage` when the transaction fails (nothing of it is kept).
    pub async fn put_records(&self, changes: &DayChanges) -> Result<(), Failure> {
        self.write(changes, None).await
    }

    /// Stores a record a live lookup found, under its code (the sync state is left as it is).
    ///
    /// # Errors
    ///
    /// `storage` when the transaction fails.
    pub async fn store_found(&self, found: &Found) -> Result<(), Failure> {
        let mut changes = DayChanges::default();
        match found {
            Found::Isbn(book) => changes
                .isbns
                .extend(isbn_key(book).map(|k| (k, book.clone()))),
            Found::Ean(set) => changes.eans.extend(ean_key(set).map(|k| (k, set.clone()))),
        }
        self.write(&changes, None).await
    }

    /// One record by its code, when the mirror holds it.
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read; a stored record that no longer reads is `None`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        store: &str,
        key: &str,
    ) -> Result<Option<T>, Failure> {
        let tx = self.transaction(&[store], IdbTransactionMode::Readonly)?;
        let req = Self::store(&tx, store)?
            .get(&key.into())
            .map_err(|e| storage("讀取", &e))?;
        let value = request(&req, "讀取").await?;
        if value.is_undefined() {
            return Ok(None);
        }
        Ok(read_schema(serde_wasm_bindgen::Deserializer::from(value)).ok())
    }

    /// How many records a store holds.
    ///
    /// # Errors
    ///
    /// `storage` when the database cannot be read.
    pub async fn count(&self, store: &str) -> Result<u32, Failure> {
        let tx = self.transaction(&[store], IdbTransactionMode::Readonly)?;
        let req = Self::store(&tx, store)?
            .count()
            .map_err(|e| storage("讀取", &e))?;
        Ok(request(&req, "讀取").await?.as_f64().unwrap_or(0.0) as u32)
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
                    .get_all_keys_with_key_and_limit(&range_js, CHUNK)
                    .map_err(|e| storage("讀取", &e))?;
                let values_req = os
                    .get_all_with_key_and_limit(&range_js, CHUNK)
                    .map_err(|e| storage("讀取", &e))?;
                let keys: js_sys::Array = request(&keys_req, "讀取").await?.unchecked_into();
                let values: js_sys::Array = request(&values_req, "讀取").await?.unchecked_into();
                for (key, value) in keys.iter().zip(values.iter()) {
                    let key_text = key.as_string().unwrap_or_default();
                    let de = || serde_wasm_bindgen::Deserializer::from(value.clone());
                    if store == BOOKS {
                        if let Ok(book) = read_schema::<Isbn, _>(de()) {
                            digest.add_isbn(&key_text, &book);
                        }
                    } else if let Ok(set) = read_schema::<Ean, _>(de()) {
                        digest.add_ean(&key_text, &set);
                    }
                }
                if keys.length() < CHUNK {
                    break;
                }
                after = Some(keys.get(keys.length() - 1));
            }
        }
        Ok(digest)
    }
}
