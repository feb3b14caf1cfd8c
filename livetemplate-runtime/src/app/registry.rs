//! The page registry: page id → entry, in a [`DashMap`].
//!
//! An entry is type-erased (`Arc<dyn Any>` around the page's
//! `Mutex<Live<T>>`) so that one application holds pages of any view-model
//! type; a lookup checks the `TypeId` before downcasting. Every map access
//! clones the entry's `Arc` out and drops the shard guard in the same
//! statement: no guard is ever held across a call, an `.await`, or handed
//! to a caller.
//!
//! Limits are reserved before a page is built: `reserve` bumps the page
//! count with a compare-and-swap loop, so concurrent creators never exceed
//! `max_pages`, and memory is accounted per entry (`set_memory`) into an
//! application total.

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use dashmap::DashMap;

/// One registered page, whatever its view-model type.
pub(crate) struct Entry {
    pub id: String,
    pub type_name: &'static str,
    /// `Arc<Mutex<Live<T>>>` as `Any`.
    pub page: Arc<dyn Any + Send + Sync>,
    /// Unix ms of the last render, update or lookup.
    pub last_access_ms: AtomicU64,
    /// This page's current memory estimate (part of the registry total).
    memory: AtomicUsize,
    /// Set once when the page leaves the registry (closed or expired):
    /// handles still held then refuse to work.
    pub removed: AtomicBool,
    /// The page went lean to fit its memory budget.
    lean: AtomicBool,
    /// Counts attachments; the newest one is the live one.
    pub generation: AtomicU64,
    /// The jtis that resolve this page.
    pub tokens: Mutex<TokenIds>,
    /// When the memory estimate last walked the tree.
    pub sizing: Sizing,
    /// Updates that sent fragments, so far (the client's version).
    pub version: AtomicU64,
    /// The version of this page's state in a page store that this
    /// instance last read or wrote (0: none).
    pub store_version: AtomicU64,
}

/// The HTML length at the last walk of a page's tree, and the updates
/// since (written under the page's lock; atomics only to share the entry).
#[derive(Debug, Default)]
pub(crate) struct Sizing {
    pub len: AtomicUsize,
    pub since: std::sync::atomic::AtomicU32,
}

/// The token ids (jti) a page accepts: the current one, and the previous
/// one until `replaced_at + nonce_window`.
#[derive(Debug)]
pub(crate) struct TokenIds {
    pub current: String,
    pub previous: Option<(String, u64)>,
}

impl TokenIds {
    /// True for the current jti, and for the previous one until `window`
    /// ms after it was replaced.
    pub(crate) fn accepts(&self, jti: &str, now_ms: u64, window_ms: u64) -> bool {
        self.current == jti
            || self
                .previous
                .as_ref()
                .is_some_and(|(old, at)| old == jti && now_ms.saturating_sub(*at) < window_ms)
    }

    /// Makes `jti` the current one; the one it replaces stays previous.
    pub(crate) fn replace(&mut self, jti: String, now_ms: u64) {
        let old = std::mem::replace(&mut self.current, jti);
        self.previous = Some((old, now_ms));
    }
}

impl Entry {
    pub(crate) fn new<P: Any + Send + Sync>(
        id: String,
        type_name: &'static str,
        page: Arc<P>,
        jti: String,
        now_ms: u64,
    ) -> Self {
        Entry {
            id,
            type_name,
            page,
            last_access_ms: AtomicU64::new(now_ms),
            memory: AtomicUsize::new(0),
            removed: AtomicBool::new(false),
            lean: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            tokens: Mutex::new(TokenIds {
                current: jti,
                previous: None,
            }),
            sizing: Sizing::default(),
            version: AtomicU64::new(0),
            store_version: AtomicU64::new(0),
        }
    }

    pub(crate) fn touch(&self, now_ms: u64) {
        self.last_access_ms.fetch_max(now_ms, Ordering::Relaxed);
    }

    pub(crate) fn expired(&self, now_ms: u64, ttl_ms: u64) -> bool {
        now_ms.saturating_sub(self.last_access_ms.load(Ordering::Relaxed)) >= ttl_ms
    }

    pub(crate) fn memory(&self) -> usize {
        self.memory.load(Ordering::Relaxed)
    }

    /// Bytes the registry itself holds for an entry beyond the page: the
    /// entry, its `Arc`s, its strings, and the map's slot.
    pub(crate) fn overhead(&self) -> usize {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::size_of::<Entry>()
            + 2 * 16 // the two Arc headers (strong and weak counts)
            + self.id.capacity()
            + tokens.current.capacity()
            + tokens.previous.as_ref().map_or(0, |(j, _)| j.capacity())
            + std::mem::size_of::<(String, Arc<Entry>)>()
    }
}

/// Pages by id, with their count and memory.
#[derive(Default)]
pub(crate) struct Registry {
    map: DashMap<String, Arc<Entry>>,
    /// Pages registered or reserved.
    count: AtomicUsize,
    /// Sum of the entries' memory estimates.
    memory: AtomicUsize,
    /// Entries that are lean.
    lean: AtomicUsize,
}

impl Registry {
    /// Takes one of `max` page slots, or says none is left.
    pub(crate) fn reserve(&self, max: usize) -> bool {
        self.count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| {
                (c < max).then_some(c + 1)
            })
            .is_ok()
    }

    /// Gives back a slot taken by `reserve` for a page never inserted.
    pub(crate) fn unreserve(&self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
    }

    pub(crate) fn insert(&self, entry: Arc<Entry>) {
        self.map.insert(entry.id.clone(), entry);
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Entry>> {
        self.map.get(id).map(|r| Arc::clone(r.value()))
    }

    /// Removes the page if `cond` holds for it (checked under the shard's
    /// lock, so a concurrent touch is not lost); frees its slot and memory.
    pub(crate) fn remove_if(
        &self,
        id: &str,
        cond: impl FnOnce(&Entry) -> bool,
    ) -> Option<Arc<Entry>> {
        let (_, entry) = self.map.remove_if(id, |_, e| cond(e))?;
        if !entry.removed.swap(true, Ordering::AcqRel) {
            self.count.fetch_sub(1, Ordering::AcqRel);
            self.memory
                .fetch_sub(entry.memory.swap(0, Ordering::AcqRel), Ordering::AcqRel);
            if entry.lean.swap(false, Ordering::AcqRel) {
                self.lean.fetch_sub(1, Ordering::AcqRel);
            }
        }
        Some(entry)
    }

    /// Sets an entry's memory estimate and the total with it; a removed
    /// entry no longer counts.
    pub(crate) fn set_memory(&self, entry: &Entry, bytes: usize) {
        if entry.removed.load(Ordering::Acquire) {
            return;
        }
        let old = entry.memory.swap(bytes, Ordering::AcqRel);
        if bytes >= old {
            self.memory.fetch_add(bytes - old, Ordering::AcqRel);
        } else {
            self.memory.fetch_sub(old - bytes, Ordering::AcqRel);
        }
        // Removed in between: take back what was just added.
        if entry.removed.load(Ordering::Acquire) {
            self.memory
                .fetch_sub(entry.memory.swap(0, Ordering::AcqRel), Ordering::AcqRel);
        }
    }

    /// Records whether an entry is lean (called under the page's lock).
    pub(crate) fn set_lean(&self, entry: &Entry, lean: bool) {
        if entry.removed.load(Ordering::Acquire) {
            return;
        }
        if entry.lean.swap(lean, Ordering::AcqRel) != lean {
            if lean {
                self.lean.fetch_add(1, Ordering::AcqRel);
            } else {
                self.lean.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    /// Entries that are lean.
    pub(crate) fn lean(&self) -> usize {
        self.lean.load(Ordering::Acquire)
    }

    /// Ids of the entries for which `pick` holds. The map is walked shard
    /// by shard; the guards live only inside this call.
    pub(crate) fn ids_where(&self, mut pick: impl FnMut(&Entry) -> bool) -> Vec<String> {
        self.map
            .iter()
            .filter(|r| pick(r.value()))
            .map(|r| r.key().clone())
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    pub(crate) fn memory(&self) -> usize {
        self.memory.load(Ordering::Acquire)
    }
}
