//! The live runtime: an [`Application`] holds the pages of its clients, of
//! any view-model type, each found again by a signed token.
//!
//! ```text
//! Application ── Config, clock, TokenService (keyring), Metrics
//!      └── Registry: page id → Entry { Mutex<Live<T>>, last access, memory, jtis, attachment }
//! ```
//!
//! Everything here is synchronous and cheap, so that an async serving
//! layer can call it from any task: no method blocks on anything but one
//! page's mutex (for that page's render or update) and no guard escapes a
//! call. The cleanup task is a plain thread, started by
//! [`Application::new`] and stopped by [`Application::close`] (or drop).
//!
//! A token resolves a page when (in this order) it verifies (see `token.rs`:
//! HS256, keyring, `exp`, `nbf`), names this application, names a page that
//! is registered and not idle past `application.page_ttl`, carries one of
//! the page's current token ids (its latest, or the one before within
//! `token.nonce_window`), and the page holds the asked-for type.

pub mod clock;
pub mod config;
mod handle;
mod health;
pub(crate) mod metrics;
mod registry;
pub(crate) mod token;

use std::any::type_name;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use self::clock::{duration_ms, Clock, SystemClock};
use self::config::{is_valid_id, Config};
use self::handle::{Live, Shared};
use self::metrics::{ApplicationMetrics, Metrics, Removal};
use self::registry::{Entry, Registry};
use self::token::TokenService;
use crate::error::Error;
use crate::page::Page;
use crate::template::Template;

pub use self::handle::{Attachment, PageHandle};
pub use self::health::{Health, HealthStatus};

/// The state shared by an application and all its handles.
pub(crate) struct Inner {
    id: String,
    pub(crate) config: Config,
    clock: Arc<dyn Clock>,
    pub(crate) tokens: TokenService,
    pub(crate) registry: Registry,
    pub(crate) metrics: Metrics,
    closed: AtomicBool,
    /// Set (under its mutex) to stop the cleanup thread.
    stop: Mutex<bool>,
    wake: Condvar,
    /// Called with the id of each page closed ([`Application::on_close`]).
    on_close: Mutex<Vec<CloseListener>>,
}

type CloseListener = Arc<dyn Fn(&str) + Send + Sync>;

impl Inner {
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Removes page `id` if present; `why` is counted and logged.
    pub(crate) fn remove(&self, id: &str, why: Removal) -> bool {
        self.remove_if(id, why, |_| true)
    }

    /// Removes page `id` if `cond` holds for it (checked under the
    /// registry's lock); `why` is counted and logged.
    fn remove_if(&self, id: &str, why: Removal, cond: impl FnOnce(&Entry) -> bool) -> bool {
        let gone = self.registry.remove_if(id, cond).is_some();
        if gone {
            self.metrics.page_removed(why);
            match why {
                Removal::Closed => {
                    tracing::info!(page_id = %id, "page closed");
                    let listeners = self
                        .on_close
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .clone();
                    for listener in listeners {
                        listener(id);
                    }
                }
                Removal::Expired => tracing::info!(page_id = %id, "page expired"),
            }
        }
        gone
    }

    fn cleanup_expired(&self) -> usize {
        let now = self.now_ms();
        let ttl = duration_ms(self.config.application.page_ttl);
        let expired = self.registry.ids_where(|e| e.expired(now, ttl));
        let mut n = 0;
        for id in expired {
            // Checked again under the shard lock: a page touched since is kept.
            if self.remove_if(&id, Removal::Expired, |e| e.expired(now, ttl)) {
                n += 1;
            }
        }
        let keys = self.tokens.drop_retired_keys();
        if keys > 0 {
            tracing::info!(keys, "retired signing keys dropped");
        }
        n
    }

    fn refuse<E>(&self, e: Error) -> Result<E, Error> {
        if e.is_token_refusal() {
            self.metrics.token_refused();
            match &e {
                Error::TokenInvalid { problem, .. } => {
                    tracing::info!(reason = problem.as_str(), "token refused")
                }
                e => tracing::info!(reason = e.kind().as_str(), "token refused"),
            }
        } else {
            self.metrics.error();
        }
        Err(e)
    }
}

/// Isolated set of live pages with one keyring, one configuration and one
/// set of metrics: the seed's `Application`.
///
/// ```text
/// let app = Application::new(Config::default())?;
/// let page = app.new_page(Counter { n: 1 })?;       // registered, with a signed token
/// let html = page.render();                          // first HTML, markers included
/// let token = page.token();                          // embed it in the page
///
/// // Later, on the client's socket:
/// let same = app.page::<Counter>(token)?;            // verify, check app and type, look up
/// let fragments = same.update(Counter { n: 2 })?;    // send as JSON
/// app.metrics().prometheus();                        // text exposition
/// ```
///
/// (Compiled and run in the `livetemplate` crate's docs, "Applications":
/// this crate cannot use the macro in its own doc tests.)
///
/// Share it between tasks as an `Arc<Application>`; dropping the last
/// one (or [`close`](Application::close)) stops its cleanup thread and
/// closes its pages.
pub struct Application {
    inner: Arc<Inner>,
    cleaner: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("id", &self.inner.id)
            .field("pages", &self.inner.registry.len())
            .finish_non_exhaustive()
    }
}

impl Application {
    /// An application with `config` (validated) on the system clock, its
    /// cleanup thread started.
    pub fn new(config: Config) -> Result<Self, Error> {
        Application::with_clock(config, Arc::new(SystemClock))
    }

    /// As [`new`](Application::new), on `clock` (tests use a
    /// [`ManualClock`](crate::ManualClock) to move time without sleeping).
    pub fn with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Self, Error> {
        config
            .validate()
            .map_err(|e| e.with_op("new_application"))?;
        let id = match &config.application.id {
            Some(id) => id.clone(),
            None => random_hex::<16>().map_err(|e| e.with_op("new_application"))?,
        };
        let tokens = TokenService::new(&config.token, &id, Arc::clone(&clock))
            .map_err(|e| e.with_op("new_application"))?;
        let inner = Arc::new(Inner {
            metrics: Metrics::new(&config.metrics),
            id,
            config,
            clock,
            tokens,
            registry: Registry::default(),
            closed: AtomicBool::new(false),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            on_close: Mutex::new(Vec::new()),
        });
        let cleaner = spawn_cleaner(&inner).map_err(|e| Error::DataInvalid {
            op: "new_application",
            message: format!("cannot start the cleanup thread: {e}"),
        })?;
        tracing::info!(app_id = %inner.id, "application started");
        Ok(Application {
            inner,
            cleaner: Mutex::new(Some(cleaner)),
        })
    }

    /// The application's id (configured, or 128 random bits as hex).
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Registers a page showing `state` and signs its token. Refused with
    /// [`Error::PageLimitExceeded`] at `application.max_pages`, with
    /// [`Error::MemoryBudgetExceeded`] when the application's pages hold
    /// `memory.max_total_bytes`, and with [`Error::TemplateInvalid`] when
    /// the state does not render. Existing pages are never affected.
    pub fn new_page<T: Template + Send + 'static>(&self, state: T) -> Result<PageHandle<T>, Error> {
        self.register("new_page", state, None)
    }

    /// Registers `state` as the page `token` names, keeping its id and
    /// token: the page was held by another instance of this application
    /// (which shares its id and keyring; the serving layer loaded the state
    /// from its page store), or it expired here. The token must verify and
    /// name this application, as for [`page`](Application::page); a page of
    /// that id held here is replaced. The client needs a full render (the
    /// page knows nothing of what it holds). Limits as for
    /// [`new_page`](Application::new_page).
    pub fn resume_page<T: Template + Send + 'static>(
        &self,
        token: &str,
        state: T,
    ) -> Result<PageHandle<T>, Error> {
        const OP: &str = "resume_page";
        let claims = match self.inner.tokens.verify(token) {
            Ok(c) => c,
            Err(e) => return self.inner.refuse(e.with_op(OP)),
        };
        // A copy held here is replaced, not closed (its stored state stays).
        self.inner.registry.remove_if(&claims.page_id, |_| true);
        let page = self.register(OP, state, Some((token.to_string(), claims)))?;
        // The client's version came from another copy of the page: start
        // this copy's versions far from any other's (2^40 + a random
        // multiple of 256), so that the client's never matches by chance
        // and its join gets a render.
        let offset = (1u64 << 40) | (u64::from(getrandom::u32().unwrap_or(0)) << 8);
        page.entry.version.store(offset, Ordering::Release);
        tracing::info!(page_id = %page.id(), "page resumed");
        Ok(page)
    }

    /// Checks the limits, then builds and registers a page: a new one, or
    /// (`resumed`) the one a verified token names.
    fn register<T: Template + Send + 'static>(
        &self,
        op: &'static str,
        state: T,
        resumed: Option<(String, token::Claims)>,
    ) -> Result<PageHandle<T>, Error> {
        let inner = &self.inner;
        if inner.closed.load(Ordering::Acquire) {
            return inner.refuse(Error::Closed { op });
        }
        let max_pages = inner.config.application.max_pages;
        if !inner.registry.reserve(max_pages) {
            tracing::warn!(max_pages, "{op} refused: page limit");
            return inner.refuse(Error::PageLimitExceeded { op, max_pages });
        }
        match self.build_page(op, state, resumed) {
            Ok(handle) => Ok(handle),
            Err(e) => {
                inner.registry.unreserve();
                inner.refuse(e)
            }
        }
    }

    fn build_page<T: Template + Send + 'static>(
        &self,
        op: &'static str,
        state: T,
        resumed: Option<(String, token::Claims)>,
    ) -> Result<PageHandle<T>, Error> {
        let inner = &self.inner;
        let budget = inner.config.memory.max_total_bytes;
        let used = inner.registry.memory();
        if used >= budget {
            tracing::warn!(used, budget, "{op} refused: memory budget");
            return Err(Error::MemoryBudgetExceeded { op, used, budget });
        }
        let page = Page::new(state).map_err(|source| Error::TemplateInvalid {
            op,
            page_id: resumed.as_ref().map(|(_, c)| c.page_id.clone()),
            source,
        })?;
        let (token, claims) = match resumed {
            Some(resumed) => resumed,
            None => {
                let id = random_hex::<16>().map_err(|e| e.with_op(op))?;
                inner.tokens.issue(&id).map_err(|e| e.with_op(op))?
            }
        };
        let shared: Arc<Shared<T>> = Arc::new(Mutex::new(Live::Full(page)));
        let entry = Arc::new(Entry::new(
            claims.page_id,
            type_name::<T>(),
            Arc::clone(&shared),
            claims.jti,
            inner.now_ms(),
        ));
        let handle = PageHandle {
            app: Arc::clone(inner),
            entry: Arc::clone(&entry),
            page: shared,
            token,
        };
        inner.registry.insert(entry);
        {
            // Sizes the page (and degrades it at once if a single render
            // is over the page budget).
            let mut live = handle.page.lock().unwrap_or_else(|e| e.into_inner());
            let len = match &*live {
                Live::Full(page) => page.tree().html_len(),
                _ => 0,
            };
            handle.resize(&mut live, len);
        }
        inner.metrics.page_created();
        tracing::info!(page_id = %handle.id(), view = type_name::<T>(), "page created");
        Ok(handle)
    }

    /// The page `token` names, as a `PageHandle<T>`. Refused with
    /// [`Error::TokenInvalid`] / [`Error::TokenExpired`] (bad token),
    /// [`Error::InvalidApplication`] (another application's token),
    /// [`Error::PageNotFound`] (closed or expired page),
    /// [`Error::WrongPageType`] (the page holds another type). A lookup
    /// touches the page (its idle TTL starts again).
    pub fn page<T: Template + Send + 'static>(&self, token: &str) -> Result<PageHandle<T>, Error> {
        self.lookup(token).map_err(|e| e.with_op("page"))
    }

    fn lookup<T: Template + Send + 'static>(&self, token: &str) -> Result<PageHandle<T>, Error> {
        const OP: &str = "page";
        let inner = &self.inner;
        if inner.closed.load(Ordering::Acquire) {
            return inner.refuse(Error::Closed { op: OP });
        }
        let claims = match inner.tokens.verify(token) {
            Ok(c) => c,
            Err(e) => return inner.refuse(e),
        };
        let not_found = || Error::PageNotFound {
            op: OP,
            page_id: claims.page_id.clone(),
        };
        let Some(entry) = inner.registry.get(&claims.page_id) else {
            return inner.refuse(not_found());
        };
        let now = inner.now_ms();
        if entry.expired(now, duration_ms(inner.config.application.page_ttl)) {
            inner.remove(&entry.id, Removal::Expired);
            return inner.refuse(not_found());
        }
        let window = duration_ms(inner.config.token.nonce_window);
        let accepted = entry
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .accepts(&claims.jti, now, window);
        if !accepted {
            return inner.refuse(Error::TokenInvalid {
                op: OP,
                problem: crate::error::TokenProblem::Replaced,
            });
        }
        let page = match Arc::clone(&entry.page).downcast::<Shared<T>>() {
            Ok(page) => page,
            Err(_) => {
                return inner.refuse(Error::WrongPageType {
                    op: OP,
                    page_id: entry.id.clone(),
                    expected: type_name::<T>(),
                    actual: entry.type_name,
                })
            }
        };
        entry.touch(now);
        Ok(PageHandle {
            app: Arc::clone(inner),
            entry,
            page,
            token: token.to_string(),
        })
    }

    /// Verifies `token` (signature, key, expiry, application) and returns
    /// the id of the page it names, without looking the page up: e.g. to
    /// route or log a request before attaching. [`page`](Application::page)
    /// does this and more.
    pub fn page_id(&self, token: &str) -> Result<String, Error> {
        match self.inner.tokens.verify(token) {
            Ok(claims) => Ok(claims.page_id),
            Err(e) => self.inner.refuse(e.with_op("page_id")),
        }
    }

    /// Calls `listener` with the id of every page closed from now on
    /// ([`close_page`](Application::close_page), [`PageHandle::close`];
    /// not when a page expires). The serving layer forgets closed pages'
    /// stored states this way, so that their tokens resume nowhere. It must
    /// not block: it runs in the closing call.
    pub fn on_close(&self, listener: impl Fn(&str) + Send + Sync + 'static) {
        self.inner
            .on_close
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::new(listener));
    }

    /// Removes the page `token` names (as [`PageHandle::close`]).
    pub fn close_page(&self, token: &str) -> Result<(), Error> {
        let claims = match self.inner.tokens.verify(token) {
            Ok(c) => c,
            Err(e) => return self.inner.refuse(e.with_op("close_page")),
        };
        if self.inner.remove(&claims.page_id, Removal::Closed) {
            Ok(())
        } else {
            Err(Error::PageNotFound {
                op: "close_page",
                page_id: claims.page_id,
            })
        }
    }

    /// Removes every page idle for `application.page_ttl` or longer, and
    /// the rotated-out keys whose tokens have all expired; returns the
    /// number of pages removed. The cleanup thread calls it every
    /// `application.cleanup_interval`.
    pub fn cleanup_expired(&self) -> usize {
        self.inner.cleanup_expired()
    }

    /// A new random key signs tokens from now on; tokens signed by the
    /// previous keys stay valid until they expire (then those keys are
    /// dropped by [`cleanup_expired`](Application::cleanup_expired)).
    /// Returns the new key's id.
    pub fn rotate_key(&self) -> String {
        let kid = self.inner.tokens.rotate_key();
        tracing::info!(kid = %kid, "signing key rotated");
        kid
    }

    /// Ids of the keys in the keyring, the signing key first.
    pub fn key_ids(&self) -> Vec<String> {
        self.inner.tokens.key_ids()
    }

    /// Pages held.
    pub fn page_count(&self) -> usize {
        self.inner.registry.len()
    }

    /// Bytes the pages hold beyond their states, by their estimates.
    pub fn memory_bytes(&self) -> usize {
        self.inner.registry.memory()
    }

    /// A snapshot of the counters ([`ApplicationMetrics::prometheus`] for
    /// the text exposition).
    pub fn metrics(&self) -> ApplicationMetrics {
        let inner = &self.inner;
        inner.metrics.snapshot(
            &inner.id,
            inner.registry.len() as u64,
            inner.registry.memory() as u64,
            inner.now_ms(),
        )
    }

    /// Ok, degraded or unhealthy, with the reasons.
    pub fn health(&self) -> Health {
        let cleaner_alive = self
            .cleaner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|h| !h.is_finished());
        health::check(
            &self.inner,
            self.inner.closed.load(Ordering::Acquire),
            cleaner_alive,
        )
    }

    /// Stops the cleanup thread and removes every page (their tokens no
    /// longer resolve; handles still held get `PageNotFound`). Later calls
    /// get [`Error::Closed`]. Closing twice is a no-op.
    pub fn close(&self) {
        let inner = &self.inner;
        if inner.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        *inner.stop.lock().unwrap_or_else(|e| e.into_inner()) = true;
        inner.wake.notify_all();
        let cleaner = self
            .cleaner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(h) = cleaner {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
        for id in inner.registry.ids_where(|_| true) {
            inner.remove(&id, Removal::Closed);
        }
        tracing::info!(app_id = %inner.id, "application closed");
    }
}

impl Drop for Application {
    fn drop(&mut self) {
        self.close();
    }
}

/// The cleanup thread: wakes every `cleanup_interval` (or when stopped)
/// and removes expired pages. Between rounds it holds only a `Weak`;
/// [`Application::close`] (also run on drop) wakes it and joins it.
fn spawn_cleaner(inner: &Arc<Inner>) -> std::io::Result<JoinHandle<()>> {
    let weak = Arc::downgrade(inner);
    let interval = inner.config.application.cleanup_interval;
    std::thread::Builder::new()
        .name("livetemplate-cleanup".into())
        .spawn(move || loop {
            let Some(inner) = weak.upgrade() else { return };
            let stop = inner.stop.lock().unwrap_or_else(|e| e.into_inner());
            let (stop, _) = inner
                .wake
                .wait_timeout_while(stop, interval, |stop| !*stop)
                .unwrap_or_else(|e| e.into_inner());
            if *stop {
                return;
            }
            drop(stop);
            let n = inner.cleanup_expired();
            if n > 0 {
                tracing::debug!(pages = n, "cleanup removed expired pages");
            }
        })
}

/// `N` random bytes from the operating system's CSPRNG, as hex.
pub(crate) fn random_hex<const N: usize>() -> Result<String, Error> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| Error::DataInvalid {
        op: "random",
        message: format!("the operating system's random source failed: {e}"),
    })?;
    let id: String = buf.iter().map(|b| format!("{b:02x}")).collect();
    debug_assert!(is_valid_id(&id));
    Ok(id)
}
