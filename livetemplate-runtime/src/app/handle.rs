//! [`PageHandle`]: one registered page of view-model type `T`, and
//! [`Attachment`]: the one live client connection of a page.
//!
//! The page sits behind a `Mutex` that every method takes for its own
//! duration only (render, update, state access through a closure): callers
//! never hold it, so no lock outlives a call or crosses an `.await`.
//!
//! **Memory budget.** After every update the page's estimate
//! ([`Page::memory_bytes`] plus the registry's own bytes for it) is compared
//! with `page.max_memory_bytes`. Over it, the page first forgets what the
//! client holds (later updates send statics again), then, still over, it
//! goes *lean*: it keeps only its state, and every update sends the root's
//! whole new content as one `replacement` fragment, rendered from a tree
//! built for that update and dropped after it. That is the largest update
//! there is, and always correct. A lean page goes back to diffing when a
//! fresh tree fits in half the budget.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use super::registry::Entry;
use super::Inner;
use crate::error::{Error, RenderError};
use crate::fragment::{Fragment, Strategy};
use crate::page::{marked_html, Page};
use crate::template::Template;
use crate::tree::Block;

/// A page as the registry holds it.
pub(crate) enum Live<T: Template> {
    /// Diffing: state, tree, client cache.
    Full(Page<T>),
    /// Over its budget: the state only (see the module docs), and a hash
    /// of the root content the client holds, so that an update that
    /// changes nothing sends nothing.
    Lean(T, u64),
    /// Only while moving between the two above, under the lock (nothing
    /// that can panic runs then, so it is never observed).
    Moving,
}

impl<T: Template> Live<T> {
    fn state(&self) -> &T {
        match self {
            Live::Full(p) => p.state(),
            Live::Lean(s, _) => s,
            Live::Moving => unreachable!("a page is never seen between modes"),
        }
    }

    fn memory_bytes(&self) -> usize {
        match self {
            Live::Full(p) => p.memory_bytes(),
            Live::Lean(..) | Live::Moving => std::mem::size_of::<Self>() - std::mem::size_of::<T>(),
        }
    }
}

/// The page's mutex, as the registry stores it.
pub(crate) type Shared<T> = Mutex<Live<T>>;

/// A handle on one page of an [`Application`](crate::Application): made
/// by [`new_page`](crate::Application::new_page), found again by token
/// with [`page`](crate::Application::page). Cheap to clone; every clone
/// is the same page. Methods take the page's lock for their own duration
/// only.
pub struct PageHandle<T: Template> {
    pub(crate) app: Arc<Inner>,
    pub(crate) entry: Arc<Entry>,
    pub(crate) page: Arc<Shared<T>>,
    pub(crate) token: String,
}

impl<T: Template> Clone for PageHandle<T> {
    fn clone(&self) -> Self {
        PageHandle {
            app: Arc::clone(&self.app),
            entry: Arc::clone(&self.entry),
            page: Arc::clone(&self.page),
            token: self.token.clone(),
        }
    }
}

impl<T: Template> std::fmt::Debug for PageHandle<T> {
    // The token is a capability: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageHandle")
            .field("id", &self.entry.id)
            .field("type", &self.entry.type_name)
            .finish_non_exhaustive()
    }
}

impl<T: Template + Send + 'static> PageHandle<T> {
    /// The page's id (random, 128 bits as hex).
    pub fn id(&self) -> &str {
        &self.entry.id
    }

    /// The signed token that finds this page again
    /// ([`Application::page`](crate::Application::page)): embed it in the
    /// first render, present it on the socket. It is a capability for this
    /// page; treat it as a secret.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The page's HTML with fragment markers (as [`Page::render`]). Call
    /// [`reset_client`](PageHandle::reset_client) first when the client
    /// loads it after updates were sent. (A closed page's handle still
    /// renders its last state; its token no longer resolves.)
    pub fn render(&self) -> String {
        self.entry.touch(self.app.now_ms());
        let live = self.page.lock().unwrap_or_else(|e| e.into_inner());
        self.render_locked(&live)
    }

    fn render_locked(&self, live: &Live<T>) -> String {
        match live {
            Live::Full(p) => p.render(),
            // The state rendered when it was set, and rendering is a pure
            // function of it; were it ever to fail, the error is logged and
            // counted, and the client gets an empty root it can recover
            // from with the next update (a root replacement).
            Live::Lean(s, _) => match s.build_tree() {
                Ok(tree) => marked_html(&tree),
                Err(e) => {
                    self.template_error("render", e);
                    String::new()
                }
            },
            Live::Moving => unreachable!("a page is never seen between modes"),
        }
    }

    /// Moves the page to state `next`, returning the fragments for the
    /// client (as [`Page::update`]; an unchanged state gives none). On
    /// error the page keeps its previous state.
    pub fn update(&self, next: T) -> Result<Vec<Fragment>, Error> {
        let mut live = self.lock("update")?;
        self.update_locked(&mut live, next)
    }

    /// Calls `f` on a copy of the state and updates the page to the result.
    pub fn update_with(&self, f: impl FnOnce(&mut T)) -> Result<Vec<Fragment>, Error>
    where
        T: Clone,
    {
        let mut live = self.lock("update")?;
        self.update_with_locked(&mut live, f)
    }

    fn update_with_locked(
        &self,
        live: &mut Live<T>,
        f: impl FnOnce(&mut T),
    ) -> Result<Vec<Fragment>, Error>
    where
        T: Clone,
    {
        let mut next = live.state().clone();
        f(&mut next);
        self.update_locked(live, next)
    }

    /// Calls `f` with the current state (under the page's lock: keep it short).
    pub fn with_state<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, Error> {
        let live = self.lock("state")?;
        Ok(f(live.state()))
    }

    /// A copy of the current state.
    pub fn state(&self) -> Result<T, Error>
    where
        T: Clone,
    {
        self.with_state(T::clone)
    }

    /// Forgets what the client holds: the client (re)loads the page from
    /// [`render`](PageHandle::render), and later updates send statics again.
    pub fn reset_client(&self) -> Result<(), Error> {
        let mut live = self.lock("reset_client")?;
        reset_client(&mut live);
        Ok(())
    }

    /// Makes this the page's one live attachment (a client connection)
    /// and returns it. **A newer attachment takes over:** every older
    /// [`Attachment`] of the page gets [`Error::Detached`] from then on.
    /// So a client that reconnects with its token (the old socket not yet
    /// known dead) always gets in, and two connections never feed one
    /// page's client cache.
    pub fn attach(&self) -> Attachment<T> {
        let generation = self.entry.generation.fetch_add(1, Ordering::AcqRel) + 1;
        tracing::debug!(page_id = %self.entry.id, generation, "page attached");
        Attachment {
            handle: self.clone(),
            generation,
        }
    }

    /// Issues a new token for this page (e.g. before the current one
    /// expires). The previous token keeps resolving for
    /// `token.nonce_window`, then is refused as replaced.
    pub fn refresh_token(&mut self) -> Result<&str, Error> {
        if self.entry.removed.load(Ordering::Acquire) {
            return Err(self.not_found("refresh_token"));
        }
        let (token, claims) = self.app.tokens.issue(&self.entry.id)?;
        let now = self.app.now_ms();
        self.entry
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(claims.jti, now);
        self.token = token;
        Ok(&self.token)
    }

    /// How many updates that sent fragments the page has made. A client
    /// that applied all of them holds exactly [`render`](PageHandle::render)
    /// (and what the page's client cache assumes), so a reconnecting client
    /// that reports this version needs no new render.
    pub fn version(&self) -> u64 {
        self.entry.version.load(Ordering::Acquire)
    }

    /// The version of this page's state in a page store (the serving
    /// layer's `PageStore`) that this instance last read or wrote; 0 when
    /// it was never stored. A store refuses a write whose expected version
    /// is not the stored one, so that two instances never overwrite each
    /// other's changes.
    pub fn store_version(&self) -> u64 {
        self.entry.store_version.load(Ordering::Acquire)
    }

    /// Records the store version read or written (see
    /// [`store_version`](PageHandle::store_version)); it only moves forward.
    pub fn set_store_version(&self, version: u64) {
        self.entry
            .store_version
            .fetch_max(version, Ordering::AcqRel);
    }

    /// True once the page was closed or expired (its handles no longer work).
    pub fn is_closed(&self) -> bool {
        self.entry.removed.load(Ordering::Acquire)
    }

    /// Bytes the page holds beyond its state, as the budget counts them.
    pub fn memory_bytes(&self) -> usize {
        self.entry.memory()
    }

    /// True when the page went lean to fit `page.max_memory_bytes`
    /// (see the module docs): its updates are whole renders.
    pub fn is_degraded(&self) -> bool {
        let live = self.page.lock().unwrap_or_else(|e| e.into_inner());
        matches!(*live, Live::Lean(..))
    }

    /// Removes the page: its token no longer resolves, and every handle
    /// and attachment of it gets `PageNotFound`. Closing twice is a no-op.
    pub fn close(&self) {
        self.app
            .remove(&self.entry.id, super::metrics::Removal::Closed);
    }

    /// Takes the page's lock; a removed page or a closed application is an error.
    fn lock(&self, op: &'static str) -> Result<MutexGuard<'_, Live<T>>, Error> {
        if self.entry.removed.load(Ordering::Acquire) {
            return Err(self.not_found(op));
        }
        self.entry.touch(self.app.now_ms());
        // A panic in a user's closure poisons the lock; the state is still
        // whole (updates replace it only on success), so carry on.
        Ok(self.page.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn not_found(&self, op: &'static str) -> Error {
        Error::PageNotFound {
            op,
            page_id: self.entry.id.clone(),
        }
    }

    fn template_error(&self, op: &'static str, source: RenderError) -> Error {
        self.app.metrics.error();
        tracing::warn!(page_id = %self.entry.id, error = %source, "{op} failed");
        Error::TemplateInvalid {
            op,
            page_id: Some(self.entry.id.clone()),
            source,
        }
    }

    fn update_locked(&self, live: &mut Live<T>, next: T) -> Result<Vec<Fragment>, Error> {
        let start = Instant::now();
        let (fragments, html_len) = match live {
            Live::Full(page) => {
                let fragments = page
                    .update(next)
                    .map_err(|e| self.template_error("update", e))?;
                (fragments, page.tree().html_len())
            }
            Live::Lean(state, held) => {
                let tree = next
                    .build_tree()
                    .map_err(|e| self.template_error("update", e))?;
                let new = content(&tree);
                let hash = content_hash(&new);
                let fragments = if hash == *held {
                    Vec::new()
                } else {
                    vec![Fragment::replacement(tree.meta.id, new)]
                };
                *held = hash;
                *state = next;
                let len = tree.html_len();
                // Back to diffing when a fresh tree fits in half the budget
                // (the client holds this tree's render now).
                let Live::Lean(state, held) = std::mem::replace(live, Live::Moving) else {
                    unreachable!("matched Lean above")
                };
                let page = Page::from_parts(state, tree);
                *live = if page.memory_bytes() <= self.app.config.page.max_memory_bytes / 2 {
                    tracing::info!(page_id = %self.entry.id, "page back within its memory budget");
                    Live::Full(page)
                } else {
                    Live::Lean(page.into_parts().0, held)
                };
                (fragments, len)
            }
            Live::Moving => unreachable!("a page is never seen between modes"),
        };
        self.app
            .metrics
            .update(start.elapsed(), &fragments, html_len);
        let structural = fragments
            .iter()
            .any(|f| matches!(f.strategy, Strategy::Granular | Strategy::Replacement));
        self.size(live, html_len, structural);
        if !fragments.is_empty() {
            self.entry.version.fetch_add(1, Ordering::AcqRel);
        }
        Ok(fragments)
    }

    /// Updates the page's memory estimate after an update that left its
    /// HTML `len` bytes long. Walking the tree costs about as much as a
    /// small update, so a text-only update (values replaced in place)
    /// moves the estimate by the change of the HTML's length instead; the
    /// tree is walked again after a structural change, every
    /// [`RESIZE_EVERY`] updates, when the length moved by more than an
    /// eighth, or near the budget.
    fn size(&self, live: &mut Live<T>, len: usize, structural: bool) {
        let s = &self.entry.sizing;
        let (last_len, since) = (
            s.len.load(Ordering::Relaxed),
            s.since.load(Ordering::Relaxed),
        );
        let guess = (self.entry.memory() + len).saturating_sub(last_len);
        let budget = self.app.config.page.max_memory_bytes;
        let walk = structural
            || !matches!(live, Live::Full(_))
            || since + 1 >= RESIZE_EVERY
            || len.abs_diff(last_len) > last_len / 8
            || guess > budget - budget / 8;
        if walk {
            self.resize(live, len);
        } else {
            self.app.registry.set_memory(&self.entry, guess);
            s.len.store(len, Ordering::Relaxed);
            s.since.store(since + 1, Ordering::Relaxed);
        }
    }

    /// Walks the tree for the memory estimate (degrading the page when it
    /// is over budget) and records the HTML length `len` it saw.
    pub(crate) fn resize(&self, live: &mut Live<T>, len: usize) {
        self.fit_budget(live);
        let s = &self.entry.sizing;
        s.len.store(len, Ordering::Relaxed);
        s.since.store(0, Ordering::Relaxed);
    }

    /// Re-estimates the page's memory (walking its tree) and degrades it
    /// when over budget.
    fn fit_budget(&self, live: &mut Live<T>) {
        let budget = self.app.config.page.max_memory_bytes;
        let overhead = self.entry.overhead();
        if let Live::Full(page) = live {
            if overhead + page.memory_bytes() > budget {
                page.reset_client();
                page.shrink_cache();
            }
            if overhead + page.memory_bytes() > budget {
                let Live::Full(page) = std::mem::replace(live, Live::Moving) else {
                    unreachable!("matched Full above")
                };
                let (state, tree) = page.into_parts();
                // The client holds this tree's render (or will: a
                // reset client loads `render()`, the same content).
                let held = content_hash(&content(&tree));
                drop(tree);
                *live = Live::Lean(state, held);
                self.app.metrics.degraded();
                tracing::warn!(
                    page_id = %self.entry.id,
                    budget,
                    "page over its memory budget: sending whole renders until it fits"
                );
            }
        }
        let registry = &self.app.registry;
        registry.set_lean(&self.entry, matches!(live, Live::Lean(..)));
        registry.set_memory(&self.entry, overhead + live.memory_bytes());
    }
}

/// Updates between two walks of a page's tree for its memory estimate.
const RESIZE_EVERY: u32 = 64;

/// The root's content between its markers (what a root replacement sends).
fn content(tree: &Block) -> String {
    let mut out = String::with_capacity(tree.html_len());
    tree.write_html(true, &mut out);
    out
}

/// A hash of a root content: equal contents, equal hashes; two different
/// consecutive renders colliding in 64 bits is not a practical concern.
fn content_hash(content: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    content.hash(&mut h);
    h.finish()
}

/// Forgets what the client holds (a lean page holds nothing of it).
fn reset_client<T: Template>(live: &mut Live<T>) {
    if let Live::Full(p) = live {
        p.reset_client();
    }
}

/// The one live client connection of a page ([`PageHandle::attach`]).
/// When a newer attachment of the same page is made, this one is
/// detached: its methods return [`Error::Detached`] and
/// [`is_current`](Attachment::is_current) is false. A serving layer closes
/// the socket of a detached attachment.
pub struct Attachment<T: Template> {
    handle: PageHandle<T>,
    generation: u64,
}

impl<T: Template + Send + 'static> Attachment<T> {
    /// The page.
    pub fn page(&self) -> &PageHandle<T> {
        &self.handle
    }

    /// False once a newer attachment took the page over.
    pub fn is_current(&self) -> bool {
        self.handle.entry.generation.load(Ordering::Acquire) == self.generation
            && !self.handle.entry.removed.load(Ordering::Acquire)
    }

    /// As [`PageHandle::update`], if this attachment is still the live one.
    pub fn update(&self, next: T) -> Result<Vec<Fragment>, Error> {
        let mut live = self.handle.lock("update")?;
        self.check("update")?;
        self.handle.update_locked(&mut live, next)
    }

    /// As [`PageHandle::update_with`], if this attachment is still the live one.
    pub fn update_with(&self, f: impl FnOnce(&mut T)) -> Result<Vec<Fragment>, Error>
    where
        T: Clone,
    {
        let mut live = self.handle.lock("update")?;
        self.check("update")?;
        self.handle.update_with_locked(&mut live, f)
    }

    /// As [`PageHandle::render`] after [`reset_client`](PageHandle::reset_client),
    /// under one lock (no update can come between them): the HTML for a
    /// client that (re)connects, if still the live attachment.
    pub fn render_fresh(&self) -> Result<String, Error> {
        let mut live = self.handle.lock("render")?;
        self.check("render")?;
        reset_client(&mut live);
        Ok(self.handle.render_locked(&live))
    }

    fn check(&self, op: &'static str) -> Result<(), Error> {
        if self.is_current() {
            Ok(())
        } else if self.handle.entry.removed.load(Ordering::Acquire) {
            Err(self.handle.not_found(op))
        } else {
            Err(Error::Detached {
                op,
                page_id: self.handle.entry.id.clone(),
            })
        }
    }
}

impl<T: Template> std::fmt::Debug for Attachment<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("page", &self.handle.entry.id)
            .field("generation", &self.generation)
            .finish()
    }
}
