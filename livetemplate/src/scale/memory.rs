//! The in-process backends: [`MemoryStore`] and [`LocalBus`]. They keep
//! the contract of the Redis ones (the same tests run on both) within one
//! process: servers sharing a `MemoryStore` resume each other's pages, and
//! servers on one `LocalBus` get each other's broadcasts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{BackendError, BoxFuture, Broadcaster, Delivery, PageStore, Sink, StoredPage, Write};

/// Pages' states in this process's memory, each dropped `ttl` after its
/// last write.
pub struct MemoryStore {
    ttl: Duration,
    records: Mutex<Records>,
}

struct Records {
    pages: HashMap<String, (StoredPage, Instant)>,
    /// When expired records were last dropped.
    swept: Instant,
}

impl MemoryStore {
    /// An empty store whose records live `ttl` after their last write.
    pub fn new(ttl: Duration) -> Self {
        MemoryStore {
            ttl,
            records: Mutex::new(Records {
                pages: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    /// Records held (expired ones included until a write drops them).
    pub fn len(&self) -> usize {
        self.lock().pages.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Records> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl PageStore for MemoryStore {
    fn load<'a>(
        &'a self,
        page_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredPage>, BackendError>> {
        let now = Instant::now();
        let found = self
            .lock()
            .pages
            .get(page_id)
            .filter(|(_, expires)| *expires > now)
            .map(|(page, _)| page.clone());
        Box::pin(async move { Ok(found) })
    }

    fn save<'a>(
        &'a self,
        page_id: &'a str,
        expected: u64,
        write: Write<'a>,
    ) -> BoxFuture<'a, Result<u64, BackendError>> {
        let now = Instant::now();
        let result = {
            let mut records = self.lock();
            // Expired records go in one pass per second at most, made by
            // the write that finds the last one a second old.
            if now.duration_since(records.swept) >= Duration::from_secs(1) {
                records.pages.retain(|_, (_, expires)| *expires > now);
                records.swept = now;
            }
            let records = &mut records.pages;
            match records.get(page_id).filter(|(_, expires)| *expires > now) {
                Some((held, _)) if held.version != expected => Err(BackendError::Conflict {
                    page_id: page_id.to_string(),
                    expected,
                    stored: held.version,
                    ours: held.writer == write.writer,
                }),
                _ => {
                    let version = expected + 1;
                    let page = StoredPage {
                        version,
                        kind: write.kind.to_string(),
                        state: write.state.to_vec(),
                        writer: write.writer.to_string(),
                    };
                    records.insert(page_id.to_string(), (page, now + self.ttl));
                    Ok(version)
                }
            }
        };
        Box::pin(async move { result })
    }

    fn remove<'a>(&'a self, page_id: &'a str) -> BoxFuture<'a, Result<(), BackendError>> {
        self.lock().pages.remove(page_id);
        Box::pin(async { Ok(()) })
    }
}

/// A bus between the servers of one process: each takes a
/// [`broadcaster`](LocalBus::broadcaster) of it, and what one publishes
/// reaches every other. A server alone on its bus (the default) sends to
/// no one.
#[derive(Clone, Default)]
pub struct LocalBus {
    members: Arc<Mutex<Vec<(u64, Sink)>>>,
    next: Arc<AtomicU64>,
}

impl LocalBus {
    /// A bus with no members.
    pub fn new() -> Self {
        LocalBus::default()
    }

    /// A new member's broadcaster.
    pub fn broadcaster(&self) -> LocalBroadcaster {
        LocalBroadcaster {
            bus: self.clone(),
            id: self.next.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// One server's end of a [`LocalBus`].
pub struct LocalBroadcaster {
    bus: LocalBus,
    id: u64,
}

impl Broadcaster for LocalBroadcaster {
    fn start(&self, sink: Sink) -> BoxFuture<'_, Result<(), BackendError>> {
        let mut members = self.bus.members.lock().unwrap_or_else(|e| e.into_inner());
        members.retain(|(id, _)| *id != self.id);
        members.push((self.id, sink));
        Box::pin(async { Ok(()) })
    }

    fn publish<'a>(
        &'a self,
        topic: &'a str,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), BackendError>> {
        // The sinks are called outside the lock (they only queue).
        let others: Vec<Sink> = {
            let members = self.bus.members.lock().unwrap_or_else(|e| e.into_inner());
            members
                .iter()
                .filter(|(id, _)| *id != self.id)
                .map(|(_, sink)| Arc::clone(sink))
                .collect()
        };
        for sink in others {
            sink(Delivery::Message {
                topic: topic.to_string(),
                payload: payload.to_vec(),
            });
        }
        Box::pin(async { Ok(()) })
    }
}

impl Drop for LocalBroadcaster {
    fn drop(&mut self) {
        let mut members = self.bus.members.lock().unwrap_or_else(|e| e.into_inner());
        members.retain(|(id, _)| *id != self.id);
    }
}
