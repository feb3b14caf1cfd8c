//! Scale-out (feature `axum`; Redis with feature `redis`): where the
//! serving layer keeps pages' states and sends broadcasts, so that several
//! instances behind a load balancer serve one application.
//!
//! ```text
//! instance A ─┐                      ┌─ PageStore:   page id → { version, kind, state (serde JSON) }
//! instance B ─┼── Backends ──────────┤
//! instance C ─┘                      └─ Broadcaster: topic → every other instance
//! ```
//!
//! - A [`PageStore`] holds each page's view-model state, serialised with
//!   serde, its type's name and a version. It never holds the rendered
//!   tree: a page resumed on another instance starts with a full render
//!   for its client. Writes are compare-and-set on the version, so two
//!   instances never silently overwrite each other: the loser is told
//!   ([`BackendError::Conflict`]).
//! - A [`Broadcaster`] carries a topic's messages to the other instances;
//!   each instance delivers to its own pages itself (so a broadcast reaches
//!   every subscribed page on every instance exactly once, and this
//!   instance's pages even while the broadcaster is down).
//!
//! [`Backends::memory`] (the default of `LiveServer`) keeps both in the
//! process: one instance, nothing else to run. [`Backends::connect`] picks
//! Redis when `store.redis_url` is configured (the `redis` module).
//!
//! The traits are object-safe (futures are boxed) so that a server holds
//! `Arc<dyn PageStore>` and `Arc<dyn Broadcaster>` and tests run one
//! contract against every implementation.

pub mod memory;
#[cfg(feature = "redis")]
pub mod redis;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{Application, Config};

pub use self::memory::{LocalBroadcaster, LocalBus, MemoryStore};

/// A boxed, sendable future: what the backends' methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A page's state as a [`PageStore`] holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPage {
    /// Starts at 1 with the first write and grows by one with each.
    pub version: u64,
    /// The view-model's type name (`std::any::type_name`): a token of
    /// another view's page is not resumed as this one.
    pub kind: String,
    /// The view-model, as `serde_json` wrote it.
    pub state: Vec<u8>,
    /// The id of the server that wrote it ([`instance_id`]).
    pub writer: String,
}

/// What a write stores (see [`PageStore::save`]).
#[derive(Clone, Copy, Debug)]
pub struct Write<'a> {
    /// The view-model's type name.
    pub kind: &'a str,
    /// The writing server's id: a write whose reply was lost is known as
    /// its own when it is retried.
    pub writer: &'a str,
    /// The view-model as JSON.
    pub state: &'a [u8],
}

/// A new id for a server instance: 16 hex digits, 64 bits from std's
/// randomly keyed hasher (seeded by the OS), the process id and the time.
/// Unique among an application's instances; not a secret.
pub fn instance_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}", h.finish())
}

/// Why a backend call failed. Messages never hold a password or a state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackendError {
    /// A write expected version `expected`, but the store holds `stored`:
    /// another instance changed the page since this one read or wrote it
    /// (unless `ours`: the stored version is this writer's own, a write
    /// whose reply was lost).
    Conflict {
        page_id: String,
        expected: u64,
        stored: u64,
        ours: bool,
    },
    /// The backend could not be reached, or refused the command.
    Unavailable {
        backend: &'static str,
        reason: String,
    },
    /// A stored record is not one this crate wrote.
    Corrupt { page_id: String, reason: String },
    /// The configuration cannot work (e.g. Redis without a shared keyring).
    Config { field: &'static str, reason: String },
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::Conflict {
                page_id,
                expected,
                stored,
                ..
            } => write!(
                f,
                "page {page_id}: the store holds version {stored}, this instance expected {expected} (another instance changed the page)"
            ),
            BackendError::Unavailable { backend, reason } => {
                write!(f, "{backend} is unavailable: {reason}")
            }
            BackendError::Corrupt { page_id, reason } => {
                write!(f, "page {page_id}: the stored record is unreadable: {reason}")
            }
            BackendError::Config { field, reason } => write!(f, "{field}: {reason}"),
        }
    }
}

impl std::error::Error for BackendError {}

/// Where pages' states are kept between instances (and between
/// connections). Implementations: [`MemoryStore`], and
/// `redis::RedisStore` (feature `redis`).
pub trait PageStore: Send + Sync + 'static {
    /// The page's stored state, or `None` when nothing is stored (never
    /// written, removed, or not written for the store's TTL).
    fn load<'a>(
        &'a self,
        page_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredPage>, BackendError>>;

    /// Writes version `expected + 1` of the page when the store holds
    /// version `expected` (0: nothing), or nothing at all (the record
    /// expired, or the store lost it: the instance holding the page writes
    /// it again). Returns the new version; [`BackendError::Conflict`] when
    /// the store holds another version. Each write starts the TTL again.
    fn save<'a>(
        &'a self,
        page_id: &'a str,
        expected: u64,
        write: Write<'a>,
    ) -> BoxFuture<'a, Result<u64, BackendError>>;

    /// Forgets the page (it was closed).
    fn remove<'a>(&'a self, page_id: &'a str) -> BoxFuture<'a, Result<(), BackendError>>;
}

/// What a [`Broadcaster`] hands to its server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Another instance published `payload` on `topic`.
    Message { topic: String, payload: Vec<u8> },
    /// The broadcaster was cut off from the other instances and is back:
    /// messages published meanwhile were not delivered here (nor this
    /// instance's to them). Pages reload what other instances change.
    Resync,
}

/// Where a [`Broadcaster`] delivers; it must not block (the servers' sink
/// queues the delivery).
pub type Sink = Arc<dyn Fn(Delivery) + Send + Sync>;

/// Carries broadcasts between the instances of an application.
/// Implementations: [`LocalBroadcaster`] (servers of one process), and
/// `redis::RedisBroadcaster` (feature `redis`).
pub trait Broadcaster: Send + Sync + 'static {
    /// Starts delivering what the other instances publish to `sink`.
    /// Called once, by the server that owns this broadcaster.
    fn start(&self, sink: Sink) -> BoxFuture<'_, Result<(), BackendError>>;

    /// Sends `payload` on `topic` to every other instance (never back to
    /// this one: its server delivers to its own pages).
    fn publish<'a>(
        &'a self,
        topic: &'a str,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), BackendError>>;
}

/// The store and broadcaster a server uses.
#[derive(Clone)]
pub struct Backends {
    pub store: Arc<dyn PageStore>,
    pub broadcaster: Arc<dyn Broadcaster>,
}

impl fmt::Debug for Backends {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Backends { .. }")
    }
}

impl Backends {
    /// In this process only: a [`MemoryStore`] whose records live as long
    /// as `store.state_ttl` and `application.page_ttl` both allow (a page
    /// that expired here can be resumed until then; the states are not
    /// counted in the memory budget), and a broadcaster on a bus of its
    /// own (no other instance).
    pub fn memory(config: &Config) -> Backends {
        let ttl = config.store.state_ttl.min(config.application.page_ttl);
        Backends {
            store: Arc::new(MemoryStore::new(ttl)),
            broadcaster: Arc::new(LocalBus::new().broadcaster()),
        }
    }

    /// The backends `app`'s configuration asks for: Redis when
    /// `store.redis_url` is set (feature `redis`; the application then
    /// needs a configured `application.id` and `token.keys`, which every
    /// instance shares), else [`memory`](Backends::memory). Connects
    /// before returning, so that a wrong URL fails at start.
    pub async fn connect(app: &Application) -> Result<Backends, BackendError> {
        let config = app.config();
        if config.store.redis_url.is_none() {
            return Ok(Backends::memory(config));
        }
        if config.application.id.is_none() {
            return Err(BackendError::Config {
                field: "application.id",
                reason: "instances sharing a Redis must share the application id: configure one"
                    .into(),
            });
        }
        if config.token.keys.is_empty() {
            return Err(BackendError::Config {
                field: "token.keys",
                reason: "instances sharing a Redis must verify each other's tokens: configure the keyring (every instance the same keys)".into(),
            });
        }
        #[cfg(feature = "redis")]
        {
            redis::connect(&config.store, app.id()).await
        }
        #[cfg(not(feature = "redis"))]
        {
            Err(BackendError::Config {
                field: "store.redis_url",
                reason:
                    "this build has no Redis support: enable the `redis` feature of livetemplate"
                        .into(),
            })
        }
    }
}
