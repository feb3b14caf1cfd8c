//! Serving live views with axum (feature `axum`): what LiveView gives
//! Phoenix users, so that an app is its view-model, its template and its
//! handlers, with no socket loop of its own.
//!
//! ```text
//! GET /                → a new page: the document, with the page's first render and token
//!                        embedded once (as JSON the client mounts; the HTML crosses the wire once)
//! GET /livetemplate.js → the client (CLIENT_JS)
//! GET /live?token=…    → the WebSocket: attaches to the token's page (see protocol.rs)
//! ```
//!
//! A view implements [`LiveView`]: `mount` makes the state of a new page,
//! `handle_event` applies one typed event (the user's serde type, decoded
//! leniently from the client's strings by `decode_event`), `handle_message`
//! one server message (a timer's, a broadcast's), `connected` runs on every
//! (re)connection (start timers, subscribe). Handlers change the state in
//! place; the page's update sends only the fragments of the change. The
//! [`Context`] handlers get queues side effects (subscribe, publish,
//! timers), run after the update.
//!
//! **Per connection**: one task reads the socket and handles events and
//! server messages in order; a writer task sends. Limits ([`Options`]):
//! Origin allowlist (same origin by default; a bad Origin is a 403 before
//! the upgrade), message size (64 KiB; a larger message closes the socket
//! with 1009), an event rate (token bucket; an event over it is refused with
//! an `error`, the state unchanged), a bounded send queue (a client that
//! falls `send_queue` messages behind is disconnected: its socket is
//! dropped; it reconnects and resyncs with one render, its page intact),
//! and a connection cap (503).
//!
//! **Reconnects** attach to the same page by token ([`PageHandle::attach`]
//! takes over from a socket not known dead yet); the client reports the
//! version it holds and gets `joined` (nothing missed) or one `render`.
//! A token of a page that expired or was closed, or an expired token, gets
//! `gone`: the client loads the page again. A forged token gets a 403.
//!
//! **Broadcast**: [`Context::subscribe`] a topic and [`Context::publish`] a
//! message to it (or [`LiveServer::publish`] from outside a view): every
//! page subscribed, on this server and (through the
//! [`Broadcaster`]) on the other instances, gets
//! it in `handle_message` and sends its own fragments.
//! [`Context::presence`] counts a topic's subscribers, on every instance;
//! [`Context::publish_on_leave`] tells them when this connection ends.
//! A connection whose inbox overflows (it handles messages slower than they
//! come) is disconnected and resyncs; messages it did not handle are lost
//! for its page only.
//!
//! **Store** ([`PageStore`], in memory unless
//! [`LiveServer::with_backends`] is given another): a new page's state is
//! written when it is created, and after every change a writer task per
//! connection writes the state as it is then (serde JSON; unchanged bytes
//! are not written again), compare-and-set on the version. A token whose
//! page is not held here resumes it from the store (with one `render`);
//! a page held here but changed since by another instance is brought up to
//! date first. A write refused because another instance stored a newer
//! state ends this connection (its client reconnects and gets the stored
//! one). What can be lost: the changes of a page whose instance dies before
//! their write lands (normally a round trip to the store; while the store
//! is unreachable, every change since it went away — they are retried while
//! the connection lasts, and 30 s after it ends).

mod protocol;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::{FutureExt, SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::any::type_name;
use std::future::Future;
use tokio::sync::{broadcast, mpsc, watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

pub use self::protocol::{ClientMessage, ErrorCode, ServerMessage, PROTOCOL_VERSION};
use crate::scale::{
    instance_id, BackendError, Backends, BoxFuture, Broadcaster, Delivery, PageStore, Sink,
    StoredPage, Write,
};
use crate::{Application, Attachment, Error, PageHandle, Template, CLIENT_JS};
use livetemplate_runtime::decode::{decode_event, EventError};

/// A live view: its state is the view-model the template renders.
///
/// The state is `Serialize + DeserializeOwned` because the server keeps it
/// in its [`PageStore`] after every change (that
/// is how another instance resumes the page), and messages are, because a
/// broadcast crosses to other instances as JSON.
pub trait LiveView: Template + Clone + Send + Serialize + DeserializeOwned + 'static {
    /// The events the client sends, e.g. an enum with `Add { text: String }`,
    /// `Toggle { id: u64 }` (serde, externally tagged: the variant is the
    /// `lt-*` action).
    type Event: DeserializeOwned + Send + 'static;
    /// Server messages: timers and broadcasts. `()` when there are none.
    type Message: Clone + Send + Sync + Serialize + DeserializeOwned + 'static;

    /// The state of a new page, for the HTTP request that asks for it
    /// (`async`: it may read a database).
    fn mount(request: &MountRequest) -> impl Future<Output = Self> + Send;

    /// Applies one event from the client.
    fn handle_event(&mut self, event: Self::Event, ctx: &mut Context<Self>);

    /// Applies one server message (a timer's, a broadcast's).
    fn handle_message(&mut self, _message: Self::Message, _ctx: &mut Context<Self>) {}

    /// Runs when a connection attaches (the first and every reconnection):
    /// start timers, subscribe to topics.
    fn connected(&mut self, _ctx: &mut Context<Self>) {}

    /// Runs when broadcasts may have been missed: the broadcaster was cut
    /// off from the other instances (Redis was down) and is back. Reload
    /// what other instances change (e.g. with [`Context::spawn`]).
    fn resync(&mut self, _ctx: &mut Context<Self>) {}
}

/// What `mount` knows of the request.
#[derive(Clone, Debug, Default)]
pub struct MountRequest {
    /// The query string's parameters.
    pub query: HashMap<String, String>,
}

/// Side effects a handler asks for; they run after the page's update.
pub struct Context<V: LiveView> {
    page_id: String,
    hub: Arc<Hub<V::Message>>,
    commands: Vec<Command<V::Message>>,
}

enum Command<M> {
    Subscribe(String),
    Unsubscribe(String),
    Publish(String, M),
    After(Duration, M),
    Every(Duration, M),
    OnLeave(String, M),
    Spawn(BoxFuture<'static, M>),
}

impl<V: LiveView> Context<V> {
    /// The page's id.
    pub fn page_id(&self) -> &str {
        &self.page_id
    }

    /// Delivers the messages published on `topic` to this page's
    /// `handle_message` from now on (for this connection).
    pub fn subscribe(&mut self, topic: impl Into<String>) {
        self.commands.push(Command::Subscribe(topic.into()));
    }

    /// Stops delivering `topic`.
    pub fn unsubscribe(&mut self, topic: impl Into<String>) {
        self.commands.push(Command::Unsubscribe(topic.into()));
    }

    /// Sends `message` to every page subscribed to `topic` (this one too,
    /// if subscribed).
    pub fn publish(&mut self, topic: impl Into<String>, message: V::Message) {
        self.commands.push(Command::Publish(topic.into(), message));
    }

    /// Sends `message` to this page after `delay`.
    pub fn send_after(&mut self, delay: Duration, message: V::Message) {
        self.commands.push(Command::After(delay, message));
    }

    /// Sends `message` to this page every `period` while it is connected.
    pub fn every(&mut self, period: Duration, message: V::Message) {
        self.commands.push(Command::Every(period, message));
    }

    /// Publishes `message` on `topic` when this connection ends (presence).
    pub fn publish_on_leave(&mut self, topic: impl Into<String>, message: V::Message) {
        self.commands.push(Command::OnLeave(topic.into(), message));
    }

    /// Runs `task` (e.g. a database query) and hands its result to this
    /// page's `handle_message`. It is dropped when the connection ends.
    pub fn spawn(&mut self, task: impl Future<Output = V::Message> + Send + 'static) {
        self.commands.push(Command::Spawn(Box::pin(task)));
    }

    /// Connections subscribed to `topic`: on this server, now, and on the
    /// other instances as they last announced (at each subscription and
    /// leave, and every 2 s; an instance not heard of for 6 s no longer
    /// counts).
    pub fn presence(&self, topic: &str) -> usize {
        self.hub.count(topic)
    }
}

/// Topics: one broadcast channel each; and the other instances' counts
/// of subscribers, as they last announced them.
struct Hub<M> {
    topics: Mutex<HashMap<String, broadcast::Sender<M>>>,
    capacity: usize,
    remote: Mutex<HashMap<String, Announced>>,
}

/// One instance's subscribers per topic, and when it said so.
struct Announced {
    counts: HashMap<String, usize>,
    at: Instant,
}

/// The topic instances announce their presence counts on (not a topic of
/// the views: the servers read it themselves).
const PRESENCE_TOPIC: &str = "livetemplate:presence";
/// How often an instance announces its counts (and at each subscription
/// and leave).
const PRESENCE_EVERY: Duration = Duration::from_secs(2);
/// An instance not heard of for this long no longer counts (it died).
const PRESENCE_STALE: Duration = Duration::from_secs(6);

/// What an instance announces on [`PRESENCE_TOPIC`].
#[derive(Serialize, serde::Deserialize)]
struct PresenceNote {
    instance: String,
    counts: HashMap<String, usize>,
}

impl<M: Clone + Send + 'static> Hub<M> {
    fn sender(&self, topic: &str) -> broadcast::Sender<M> {
        let mut topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        // Topics nobody listens to any more are dropped as they are met.
        topics.retain(|_, s| s.receiver_count() > 0);
        topics
            .entry(topic.to_string())
            .or_insert_with(|| broadcast::channel(self.capacity).0)
            .clone()
    }

    fn publish(&self, topic: &str, message: M) -> usize {
        let sender = {
            let topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
            topics.get(topic).cloned()
        };
        sender.map_or(0, |s| s.send(message).unwrap_or(0))
    }

    /// Subscribers of `topic` here, and on the other instances heard of
    /// within [`PRESENCE_STALE`].
    fn count(&self, topic: &str) -> usize {
        let here = {
            let topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
            topics
                .get(topic)
                .map_or(0, broadcast::Sender::receiver_count)
        };
        let mut remote = self.remote.lock().unwrap_or_else(|e| e.into_inner());
        remote.retain(|_, a| a.at.elapsed() < PRESENCE_STALE);
        here + remote
            .values()
            .filter_map(|a| a.counts.get(topic))
            .sum::<usize>()
    }

    /// This instance's subscribers per topic (topics with any).
    fn counts(&self) -> HashMap<String, usize> {
        let topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        topics
            .iter()
            .map(|(t, s)| (t.clone(), s.receiver_count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    fn heard(&self, note: PresenceNote) {
        let mut remote = self.remote.lock().unwrap_or_else(|e| e.into_inner());
        remote.insert(
            note.instance,
            Announced {
                counts: note.counts,
                at: Instant::now(),
            },
        );
    }
}

/// Limits and the document around the view.
#[derive(Clone, Debug)]
pub struct Options {
    /// The document's `<title>`.
    pub title: String,
    /// Extra HTML for `<head>` (styles, meta tags).
    pub head: String,
    /// Origins allowed to open the WebSocket (`https://example.com`);
    /// empty: the request's own host only (`http://` or `https://` + Host).
    /// A request without an Origin header (not a browser) is let through.
    pub allowed_origins: Vec<String>,
    /// Largest message a client may send; a larger one closes the socket. Default 64 KiB.
    pub max_message_bytes: usize,
    /// Events per second a connection may send on average. Default 20.
    pub events_per_second: f64,
    /// Events a connection may send in a burst. Default 40.
    pub event_burst: f64,
    /// Messages waiting to be sent to one client before it is disconnected
    /// (it reconnects and resyncs). Default 64.
    pub send_queue: usize,
    /// Server messages waiting to be handled for one connection before it
    /// is disconnected. Default 1024.
    pub inbox: usize,
    /// WebSocket connections at once; more get 503. Default 10,000.
    pub max_connections: usize,
    /// Time a new connection has to send its `join`. Default 10 s.
    pub join_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            title: "livetemplate".into(),
            head: String::new(),
            allowed_origins: Vec::new(),
            max_message_bytes: 64 << 10,
            events_per_second: 20.0,
            event_burst: 40.0,
            send_queue: 64,
            inbox: 1024,
            max_connections: 10_000,
            join_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves one [`LiveView`] type from an [`Application`].
pub struct LiveServer<V: LiveView> {
    inner: Arc<Inner<V>>,
}

impl<V: LiveView> Clone for LiveServer<V> {
    fn clone(&self) -> Self {
        LiveServer {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<V: LiveView> {
    app: Arc<Application>,
    options: Options,
    hub: Arc<Hub<V::Message>>,
    connections: Arc<Semaphore>,
    store: Arc<dyn PageStore>,
    /// Kept for its lifetime: dropping it stops its deliveries.
    _broadcaster: Arc<dyn Broadcaster>,
    /// Broadcasts for the other instances, sent in order by one task;
    /// `None` when there are none (a broadcaster never started).
    remote: Option<mpsc::Sender<(String, Vec<u8>)>>,
    /// Tells every connection to resync (see [`LiveView::resync`]).
    resync: broadcast::Sender<()>,
    /// Ids of closed pages, until the task that forgets them starts.
    closed: Mutex<Option<mpsc::UnboundedReceiver<String>>>,
    /// This server's id, on what it writes to the store.
    instance: Arc<str>,
}

/// Broadcasts waiting for the broadcaster; more are dropped (and logged).
const REMOTE_QUEUE: usize = 4096;

impl<V: LiveView> LiveServer<V> {
    /// A server of `V` pages held by `app`, with default [`Options`].
    pub fn new(app: Arc<Application>) -> Self {
        LiveServer::with_options(app, Options::default())
    }

    /// A server with these options, its page store in memory, and no
    /// other instance ([`Backends::memory`]).
    pub fn with_options(app: Arc<Application>, options: Options) -> Self {
        let backends = Backends::memory(app.config());
        LiveServer::build(app, options, backends, None)
    }

    /// A server on these backends (e.g. [`Backends::connect`]: Redis, for
    /// several instances), its broadcaster started: what other instances
    /// publish reaches this server's pages.
    pub async fn with_backends(
        app: Arc<Application>,
        options: Options,
        backends: Backends,
    ) -> Result<Self, BackendError> {
        let (tx, mut rx) = mpsc::unbounded_channel::<Delivery>();
        let sink: Sink = Arc::new(move |delivery| {
            let _ = tx.send(delivery);
        });
        backends.broadcaster.start(sink).await?;
        let (remote_tx, mut remote_rx) = mpsc::channel::<(String, Vec<u8>)>(REMOTE_QUEUE);
        let broadcaster = Arc::clone(&backends.broadcaster);
        // One task publishes, so that one instance's broadcasts keep their order.
        tokio::spawn(async move {
            while let Some((topic, payload)) = remote_rx.recv().await {
                if let Err(e) = broadcaster.publish(&topic, &payload).await {
                    tracing::warn!(topic = %topic, error = %e, "broadcast not sent to other instances");
                }
            }
        });
        let server = LiveServer::build(app, options, backends, Some(remote_tx));
        // The presence counts, also when nothing changes (so that the
        // others know this instance is alive); stops with the server.
        let weak = Arc::downgrade(&server.inner);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PRESENCE_EVERY).await;
                match weak.upgrade() {
                    Some(inner) => inner.announce(),
                    None => return,
                }
            }
        });
        let hub = Arc::clone(&server.inner.hub);
        let resync = server.inner.resync.clone();
        tokio::spawn(async move {
            while let Some(delivery) = rx.recv().await {
                match delivery {
                    Delivery::Message { topic, payload } if topic == PRESENCE_TOPIC => {
                        if let Ok(note) = serde_json::from_slice::<PresenceNote>(&payload) {
                            hub.heard(note);
                        }
                    }
                    Delivery::Message { topic, payload } => {
                        match serde_json::from_slice::<V::Message>(&payload) {
                            Ok(message) => {
                                hub.publish(&topic, message);
                            }
                            Err(e) => {
                                tracing::warn!(topic = %topic, error = %e, "broadcast from another instance dropped: not a message of this view")
                            }
                        }
                    }
                    Delivery::Resync => {
                        let _ = resync.send(());
                    }
                }
            }
        });
        Ok(server)
    }

    fn build(
        app: Arc<Application>,
        options: Options,
        backends: Backends,
        remote: Option<mpsc::Sender<(String, Vec<u8>)>>,
    ) -> Self {
        // Closed pages' states are forgotten, so that their tokens resume
        // nowhere (expired pages' states stay: their tokens may resume).
        let (closed_tx, closed_rx) = mpsc::unbounded_channel::<String>();
        let store = Arc::clone(&backends.store);
        app.on_close(move |id| {
            // A store that removes at once (memory) is done here, so that
            // the token resumes nothing even a moment later; the others
            // finish in a task (a removal sent twice is harmless).
            match store.remove(id).now_or_never() {
                Some(Ok(())) => {}
                _ => {
                    let _ = closed_tx.send(id.to_string());
                }
            }
        });
        let inner = Inner {
            hub: Arc::new(Hub {
                topics: Mutex::new(HashMap::new()),
                capacity: options.inbox.max(1),
                remote: Mutex::new(HashMap::new()),
            }),
            connections: Arc::new(Semaphore::new(options.max_connections)),
            app,
            options,
            store: backends.store,
            _broadcaster: backends.broadcaster,
            remote,
            resync: broadcast::channel(1).0,
            closed: Mutex::new(Some(closed_rx)),
            instance: instance_id().into(),
        };
        let server = LiveServer {
            inner: Arc::new(inner),
        };
        server.forget_closed_pages();
        server
    }

    /// Starts the task that removes closed pages from the store, once, as
    /// soon as there is a runtime to run it (now, or at `router()`).
    fn forget_closed_pages(&self) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let Some(mut closed) = self
            .inner
            .closed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return;
        };
        let store = Arc::clone(&self.inner.store);
        tokio::spawn(async move {
            while let Some(id) = closed.recv().await {
                if let Err(e) = store.remove(&id).await {
                    tracing::warn!(page_id = %id, error = %e, "closed page's stored state not removed (it expires with store.state_ttl)");
                }
            }
        });
    }

    /// The application that holds the pages.
    pub fn application(&self) -> &Arc<Application> {
        &self.inner.app
    }

    /// Publishes `message` on `topic` from outside a view (an HTTP
    /// handler, a background task): to this server's pages and to the
    /// other instances'. Returns how many connections here got it.
    pub fn publish(&self, topic: &str, message: V::Message) -> usize {
        self.inner.publish(topic, message)
    }

    /// Listens on `addr` (e.g. `"127.0.0.1:8080"`) and serves
    /// [`router`](LiveServer::router) until the process ends; an error
    /// when the address cannot be bound or serving fails.
    pub async fn serve(self, addr: &str) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
        tracing::info!(addr, "serving live views");
        axum::serve(listener, self.router()).await
    }

    /// The routes: `GET /` (a new page), `GET /livetemplate.js`, `GET /live`
    /// (the socket). Nest it to serve the view under a prefix.
    pub fn router(&self) -> Router {
        self.forget_closed_pages();
        Router::new()
            .route("/", get(index::<V>))
            .route("/livetemplate.js", get(client_js))
            .route("/live", get(socket::<V>))
            .with_state(self.clone())
    }
}

impl<V: LiveView> Inner<V> {
    /// To this server's subscribers, then (as JSON) to the other instances'.
    fn publish(&self, topic: &str, message: V::Message) -> usize {
        if let Some(remote) = &self.remote {
            match serde_json::to_vec(&message) {
                Ok(payload) => {
                    if remote.try_send((topic.to_string(), payload)).is_err() {
                        tracing::warn!(
                            topic,
                            "broadcast not sent to other instances: their queue is full"
                        );
                    }
                }
                Err(e) => {
                    tracing::warn!(topic, error = %e, "broadcast not sent to other instances: it does not serialise")
                }
            }
        }
        self.hub.publish(topic, message)
    }

    /// Tells the other instances this one's subscribers per topic.
    fn announce(&self) {
        let Some(remote) = &self.remote else {
            return;
        };
        let note = PresenceNote {
            instance: self.instance.to_string(),
            counts: self.hub.counts(),
        };
        if let Ok(payload) = serde_json::to_vec(&note) {
            let _ = remote.try_send((PRESENCE_TOPIC.to_string(), payload));
        }
    }

    /// The stored page, or an error when the store does not answer within
    /// [`STORE_WAIT`] (a client waits on it).
    async fn load(&self, page_id: &str) -> Result<Option<StoredPage>, BackendError> {
        match tokio::time::timeout(STORE_WAIT, self.store.load(page_id)).await {
            Ok(result) => result,
            Err(_) => Err(BackendError::Unavailable {
                backend: "store",
                reason: format!("no answer within {STORE_WAIT:?}"),
            }),
        }
    }

    /// Writes a new page's first state, so that any instance can resume it
    /// from its first connection on.
    async fn store_new(&self, page: &PageHandle<V>) {
        let Some(state) = serialized(page) else {
            return;
        };
        let write = Write {
            kind: type_name::<V>(),
            writer: &self.instance,
            state: &state,
        };
        match self.store.save(page.id(), 0, write).await {
            Ok(version) => page.set_store_version(version),
            // The page works here; its connection writes it later.
            Err(e) => tracing::warn!(page_id = %page.id(), error = %e, "new page not stored"),
        }
    }

    /// The page a token names: the one held here (brought up to date when
    /// another instance stored a newer state), or else the stored one,
    /// resumed. `Ok(None)`: nowhere (the client loads a new page). Also the
    /// stored state's bytes, when they are the page's.
    async fn find(&self, token: &str) -> Result<Option<(PageHandle<V>, Option<Vec<u8>>)>, Error> {
        match self.app.page::<V>(token) {
            Ok(page) => {
                let stored = match self.load(page.id()).await {
                    Ok(stored) => stored,
                    Err(e) => {
                        tracing::warn!(page_id = %page.id(), error = %e, "stored state not read; the page goes on as held here");
                        return Ok(Some((page, None)));
                    }
                };
                let Some(stored) = stored.filter(|s| s.kind == type_name::<V>()) else {
                    return Ok(Some((page, None)));
                };
                if stored.version > page.store_version() {
                    // Another instance changed the page since this one held it.
                    match serde_json::from_slice::<V>(&stored.state) {
                        Ok(state) => {
                            if let Err(e) = page.update(state) {
                                tracing::warn!(page_id = %page.id(), error = %e, "stored state does not render; the page goes on as held here");
                                return Ok(Some((page, None)));
                            }
                            page.set_store_version(stored.version);
                        }
                        Err(e) => {
                            tracing::warn!(page_id = %page.id(), error = %e, "stored state unreadable; the page goes on as held here");
                            return Ok(Some((page, None)));
                        }
                    }
                } else if stored.version < page.store_version() {
                    return Ok(Some((page, None)));
                }
                Ok(Some((page, Some(stored.state))))
            }
            Err(Error::PageNotFound { page_id, .. }) => {
                let stored = match self.load(&page_id).await {
                    Ok(Some(stored)) => stored,
                    Ok(None) => return Ok(None),
                    Err(e) => {
                        tracing::warn!(page_id = %page_id, error = %e, "page not resumed: its stored state cannot be read");
                        return Ok(None);
                    }
                };
                if stored.kind != type_name::<V>() {
                    return Err(Error::WrongPageType {
                        op: "resume_page",
                        page_id,
                        expected: type_name::<V>(),
                        actual: "another view",
                    });
                }
                let state = match serde_json::from_slice::<V>(&stored.state) {
                    Ok(state) => state,
                    Err(e) => {
                        tracing::warn!(page_id = %page_id, error = %e, "page not resumed: its stored state does not decode as this view");
                        return Ok(None);
                    }
                };
                let page = match self.app.resume_page::<V>(token, state) {
                    Ok(page) => page,
                    Err(
                        e @ (Error::PageLimitExceeded { .. } | Error::MemoryBudgetExceeded { .. }),
                    ) => return Err(e),
                    Err(e) => {
                        tracing::warn!(page_id = %page_id, error = %e, "page not resumed");
                        return Ok(None);
                    }
                };
                page.set_store_version(stored.version);
                Ok(Some((page, Some(stored.state))))
            }
            // The token outlived `token.ttl`: a new page.
            Err(Error::TokenExpired { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The page's state as the store keeps it (`None`, logged, if it does not serialise).
fn serialized<V: LiveView>(page: &PageHandle<V>) -> Option<Vec<u8>> {
    match page.with_state(serde_json::to_vec) {
        Ok(Ok(bytes)) => Some(bytes),
        Ok(Err(e)) => {
            tracing::warn!(page_id = %page.id(), error = %e, "state not stored: it does not serialise");
            None
        }
        Err(_) => None,
    }
}

async fn client_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CLIENT_JS,
    )
}

/// `GET /`: a new page, its document with the render and token embedded once.
async fn index<V: LiveView>(
    State(server): State<LiveServer<V>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let inner = &server.inner;
    let state = V::mount(&MountRequest { query }).await;
    let page = match inner.app.new_page(state) {
        Ok(page) => page,
        Err(e) => return refuse(&e),
    };
    // Written before the document goes out, so that its first connection
    // may land on any instance; a store slower than STORE_WAIT does not
    // hold the page back (the write goes on, and the connection's writer
    // writes the state anyway).
    let first = {
        let (server, page) = (server.clone(), page.clone());
        tokio::spawn(async move { server.inner.store_new(&page).await })
    };
    let _ = tokio::time::timeout(STORE_WAIT, first).await;
    Html(document(&inner.options, &page)).into_response()
}

/// The document: the client mounts the render from the boot JSON (exact
/// bytes, which the DOM would not keep) into `#lt-root`.
fn document<V: LiveView>(options: &Options, page: &PageHandle<V>) -> String {
    use livetemplate_runtime::escape::html_escape;
    let html = page.render();
    let boot = format!(
        r#"{{"v":{},"token":{},"version":{},"html":{}}}"#,
        PROTOCOL_VERSION,
        script_json(page.token()),
        page.version(),
        script_json(&html),
    );
    let mut title = String::new();
    html_escape(&options.title, &mut title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n{head}\n</head>\n<body>\n<div id=\"lt-root\"></div>\n<script type=\"application/json\" id=\"lt-boot\">{boot}</script>\n<script src=\"livetemplate.js\"></script>\n<script>LiveTemplate.connect();</script>\n</body>\n</html>\n",
        head = options.head,
    )
}

/// `s` as a JSON string that is safe inside a `<script>` element: nothing
/// in it can end the element (`</` is written `<\/`, a JSON escape) or
/// start a comment that changes how the rest is read (`<!--` is written
/// `\u003c!--`). Everything else stays as it is, so the page's markup costs
/// little more than its own bytes (escaping every `<`, as JSON for HTML
/// attributes does, made a todo page's boot JSON 65% larger than its HTML).
fn script_json(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    json.replace("</", "<\\/").replace("<!--", "\\u003c!--")
}
/// An error page: 503 at a limit, 500 otherwise (the message never holds a token).
fn refuse(e: &Error) -> Response {
    let status = match e {
        Error::PageLimitExceeded { .. } | Error::MemoryBudgetExceeded { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    tracing::warn!(error = %e, "page refused");
    (
        status,
        "This page is not available right now; try again later.",
    )
        .into_response()
}

/// `GET /live?token=…`: Origin and token checked before the upgrade.
async fn socket<V: LiveView>(
    State(server): State<LiveServer<V>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let inner = &server.inner;
    if !origin_allowed(&inner.options, &headers) {
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let token = query.get("token").map_or("", String::as_str);
    // Not found here nor in the store, or an expired token: the client is
    // told (after the upgrade) to load a new page, rather than refused a
    // socket it would retry forever.
    let page = match inner.find(token).await {
        Ok(page) => page,
        // At a limit: the client retries.
        Err(e @ (Error::PageLimitExceeded { .. } | Error::MemoryBudgetExceeded { .. })) => {
            return refuse(&e)
        }
        // Forged, tampered, another application's, another type.
        Err(e) => return (StatusCode::FORBIDDEN, e.to_string()).into_response(),
    };
    let Ok(permit) = Arc::clone(&inner.connections).try_acquire_owned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many connections").into_response();
    };
    // The socket reads up to twice the limit, so that a message over it is
    // refused with a proper close (1009) rather than a broken connection;
    // beyond that the socket is dropped as it reads.
    let hard = inner.options.max_message_bytes.saturating_mul(2);
    upgrade
        .max_message_size(hard)
        .max_frame_size(hard)
        // axum's default read buffer (128 KiB, zero-filled) would be most of
        // a connection's memory; events are small.
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |ws| async move {
            match page {
                Some((page, stored)) => Connection::run(server, ws, page, stored, permit).await,
                None => gone(ws, "the page expired or was closed, or its token expired").await,
            }
        })
}

/// Bytes of a connection's socket read buffer.
const READ_BUFFER: usize = 8 << 10;

fn origin_allowed(options: &Options, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if !options.allowed_origins.is_empty() {
        return options.allowed_origins.iter().any(|o| o == origin);
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    host.is_some_and(|host| {
        origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            == Some(host)
    })
}

async fn gone(mut ws: WebSocket, reason: &str) {
    let msg = ServerMessage::Gone {
        v: PROTOCOL_VERSION,
        reason,
    };
    let _ = ws.send(Message::Text(msg.to_json().into())).await;
    let _ = ws.close().await;
}

/// What a connection's loop waits for besides the socket.
enum Inbound<M> {
    Message(M),
    /// A broadcast was missed (the inbox overflowed).
    Lagged,
    /// Another instance stored a newer state of the page: this copy is stale.
    Superseded,
}

/// Token bucket for the event rate.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self, rate: f64, burst: f64) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * rate).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// One WebSocket connection of a page.
struct Connection<V: LiveView> {
    server: LiveServer<V>,
    live: Attachment<V>,
    out: mpsc::Sender<Message>,
    inbox_tx: mpsc::Sender<Inbound<V::Message>>,
    subscriptions: HashMap<String, JoinHandle<()>>,
    timers: Vec<JoinHandle<()>>,
    on_leave: Vec<(String, V::Message)>,
    /// While joining: messages held back until `connected`'s subscriptions
    /// exist, so that the client never sees `joined` before its page
    /// receives broadcasts.
    held: Option<Vec<String>>,
    /// Tells the store writer the state may have changed.
    state_tx: watch::Sender<()>,
}

/// A failed read: over the size limit (closed with 1009), or the socket broke.
fn read_error(e: axum::Error) -> End {
    let inner = e.into_inner();
    match inner.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => End::TooBig,
        _ => End::Closed,
    }
}

/// Why a connection ends.
enum End {
    /// A message over `max_message_bytes`.
    TooBig,
    /// The client went away, or the socket failed.
    Closed,
    /// The client is too slow, or its inbox overflowed: it reconnects.
    Behind,
    /// A newer connection of the page took over, or the page is gone.
    Detached,
}

impl<V: LiveView> Connection<V> {
    async fn run(
        server: LiveServer<V>,
        ws: WebSocket,
        page: PageHandle<V>,
        stored: Option<Vec<u8>>,
        permit: OwnedSemaphorePermit,
    ) {
        let options = server.inner.options.clone();
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::channel::<Message>(options.send_queue.max(1));
        let writer = tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let close = matches!(msg, Message::Close(_));
                if sink.send(msg).await.is_err() || close {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let (inbox_tx, mut inbox) = mpsc::channel(options.inbox.max(1));
        // The writer looks at the state at once: a change made while the
        // store was unreachable is written when a client is back.
        let (state_tx, state_rx) = watch::channel(());
        tokio::spawn(store_writer(
            Arc::clone(&server.inner.store),
            Arc::clone(&server.inner.instance),
            page.clone(),
            stored,
            state_rx,
            inbox_tx.clone(),
        ));
        let mut resync = server.inner.resync.subscribe();
        let mut conn = Connection {
            live: page.attach(),
            server,
            out,
            inbox_tx,
            subscriptions: HashMap::new(),
            timers: Vec::new(),
            on_leave: Vec::new(),
            held: None,
            state_tx,
        };
        let end = match tokio::time::timeout(options.join_timeout, stream.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => conn.join(text.as_str()),
            _ => Err(End::Closed),
        };
        let end = match end {
            Ok(()) => {
                conn.serve(&mut stream, &mut inbox, &mut resync, &options)
                    .await
            }
            Err(end) => end,
        };
        match end {
            // The client does not read (or its page cannot keep up): the
            // socket is dropped; the client reconnects and resyncs. No close
            // frame: it could not be sent past the full queue anyway.
            End::Behind => writer.abort(),
            End::TooBig => {
                let _ = conn.out.try_send(Message::Close(Some(CloseFrame {
                    code: 1009,
                    reason: "message too big".into(),
                })));
            }
            End::Closed | End::Detached => {}
        }
        conn.leave().await;
        drop(conn);
        let _ = writer.await;
        drop(permit);
    }

    /// Handles the `join`: `joined` when the client holds the current
    /// version, else one `render`; then the view's `connected`.
    fn join(&mut self, text: &str) -> Result<(), End> {
        let version = match serde_json::from_str::<ClientMessage>(text) {
            Ok(ClientMessage::Join {
                v: PROTOCOL_VERSION,
                version,
            }) => version,
            Ok(m) if m.version() != PROTOCOL_VERSION => {
                self.wrong_version()?;
                return Err(End::Closed);
            }
            _ => {
                self.error(
                    ErrorCode::Malformed,
                    "the first message must be a join",
                    None,
                )?;
                return Err(End::Closed);
            }
        };
        let page = self.live.page();
        let msg = if version == page.version() {
            ServerMessage::Joined {
                v: PROTOCOL_VERSION,
                version,
            }
            .to_json()
        } else {
            let html = self.live.render_fresh().map_err(|_| End::Detached)?;
            ServerMessage::Render {
                v: PROTOCOL_VERSION,
                html: &html,
                version: page.version(),
            }
            .to_json()
        };
        self.held = Some(vec![msg]);
        let connected = self.change(|state, ctx| state.connected(ctx));
        for text in self.held.take().unwrap_or_default() {
            self.send(text)?;
        }
        connected
    }

    async fn serve(
        &mut self,
        stream: &mut futures_util::stream::SplitStream<WebSocket>,
        inbox: &mut mpsc::Receiver<Inbound<V::Message>>,
        resync: &mut broadcast::Receiver<()>,
        options: &Options,
    ) -> End {
        let mut bucket = Bucket {
            tokens: options.event_burst,
            at: Instant::now(),
        };
        loop {
            let step = tokio::select! {
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) if text.len() > options.max_message_bytes => {
                        Err(End::TooBig)
                    }
                    Some(Ok(Message::Text(text))) => {
                        if bucket.take(options.events_per_second, options.event_burst) {
                            self.client_message(text.as_str())
                        } else {
                            self.error(ErrorCode::RateLimited, "too many events; this one was dropped", None)
                        }
                    }
                    Some(Ok(Message::Binary(b))) if b.len() > options.max_message_bytes => Err(End::TooBig),
                    Some(Ok(Message::Binary(_))) => {
                        self.error(ErrorCode::Malformed, "binary messages are not part of the protocol", None)
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    Some(Err(e)) => Err(read_error(e)),
                    Some(Ok(Message::Close(_))) | None => Err(End::Closed),
                },
                inbound = inbox.recv() => match inbound {
                    Some(Inbound::Message(m)) => self.change(|state, ctx| state.handle_message(m, ctx)),
                    Some(Inbound::Lagged) => Err(End::Behind),
                    Some(Inbound::Superseded) => Err(End::Detached),
                    None => Err(End::Closed),
                },
                signal = resync.recv() => match signal {
                    Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        self.change(|state, ctx| state.resync(ctx))
                    }
                    Err(broadcast::error::RecvError::Closed) => Ok(()),
                },
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    fn client_message(&mut self, text: &str) -> Result<(), End> {
        let (action, values, reference) = match serde_json::from_str::<ClientMessage>(text) {
            Ok(ClientMessage::Event {
                v: PROTOCOL_VERSION,
                action,
                values,
                reference,
            }) => (action, values, reference),
            Ok(m) if m.version() != PROTOCOL_VERSION => return self.wrong_version(),
            Ok(ClientMessage::Join { .. }) => {
                return self.error(ErrorCode::Malformed, "already joined", None)
            }
            Ok(ClientMessage::Event { .. }) | Err(_) => {
                return self.error(ErrorCode::Malformed, "not a message of this protocol", None)
            }
        };
        match decode_event::<V::Event>(&action, &values) {
            Ok(event) => self.change(|state, ctx| state.handle_event(event, ctx)),
            Err(e) => {
                let code = match e {
                    EventError::UnknownAction { .. } => ErrorCode::UnknownAction,
                    _ => ErrorCode::BadValues,
                };
                tracing::debug!(action = %action, error = %e, "event refused");
                self.error(code, &e.to_string(), reference)
            }
        }
    }

    /// Runs a handler on the state, sends the update, then its side effects.
    fn change(&mut self, f: impl FnOnce(&mut V, &mut Context<V>)) -> Result<(), End> {
        let page = self.live.page();
        let mut ctx = Context {
            page_id: page.id().to_string(),
            hub: Arc::clone(&self.server.inner.hub),
            commands: Vec::new(),
        };
        match self.live.update_with(|state| f(state, &mut ctx)) {
            Ok(fragments) if fragments.is_empty() => {}
            Ok(fragments) => {
                let msg = ServerMessage::Update {
                    v: PROTOCOL_VERSION,
                    fragments: &fragments,
                    version: page.version(),
                };
                self.send(msg.to_json())?;
            }
            Err(Error::Detached { .. } | Error::PageNotFound { .. }) => return Err(End::Detached),
            Err(e) => {
                tracing::warn!(page_id = %page.id(), error = %e, "update failed");
                // The state is the one before the handler; nothing to run.
                return self.error(
                    ErrorCode::UpdateFailed,
                    "the change could not be rendered",
                    None,
                );
            }
        }
        // Even without fragments: the change may be in fields the template
        // does not show. (No receiver: the writer stopped, and said why.)
        let _ = self.state_tx.send(());
        for command in ctx.commands {
            self.command(command);
        }
        Ok(())
    }

    fn command(&mut self, command: Command<V::Message>) {
        let hub = &self.server.inner.hub;
        match command {
            Command::Subscribe(topic) => {
                if self.subscriptions.contains_key(&topic) {
                    return;
                }
                let mut rx = hub.sender(&topic).subscribe();
                let tx = self.inbox_tx.clone();
                let task = tokio::spawn(async move {
                    loop {
                        let inbound = match rx.recv().await {
                            Ok(m) => Inbound::Message(m),
                            Err(broadcast::error::RecvError::Lagged(_)) => Inbound::Lagged,
                            Err(broadcast::error::RecvError::Closed) => return,
                        };
                        if tx.try_send(inbound).is_err() {
                            // The inbox is full or gone: tell the loop once.
                            let _ = tx.try_send(Inbound::Lagged);
                            return;
                        }
                    }
                });
                self.subscriptions.insert(topic, task);
                // Before any message this handler publishes: the other
                // instances count this subscriber when they get it.
                self.server.inner.announce();
            }
            Command::Unsubscribe(topic) => {
                if let Some(task) = self.subscriptions.remove(&topic) {
                    task.abort();
                }
            }
            Command::Publish(topic, message) => {
                self.server.inner.publish(&topic, message);
            }
            Command::After(delay, message) => {
                let tx = self.inbox_tx.clone();
                self.timers.push(tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = tx.send(Inbound::Message(message)).await;
                }));
            }
            Command::Every(period, message) => {
                let tx = self.inbox_tx.clone();
                let period = period.max(Duration::from_millis(1));
                self.timers.push(tokio::spawn(async move {
                    let mut ticks =
                        tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        ticks.tick().await;
                        // A full inbox skips a tick rather than queueing it.
                        match tx.try_send(Inbound::Message(message.clone())) {
                            Err(mpsc::error::TrySendError::Closed(_)) => return,
                            _ => continue,
                        }
                    }
                }));
            }
            Command::OnLeave(topic, message) => self.on_leave.push((topic, message)),
            Command::Spawn(task) => {
                let tx = self.inbox_tx.clone();
                self.timers.push(tokio::spawn(async move {
                    let message = task.await;
                    let _ = tx.send(Inbound::Message(message)).await;
                }));
            }
        }
    }

    /// Queues a text message; a full queue means the client is too slow.
    fn send(&mut self, text: String) -> Result<(), End> {
        if let Some(held) = &mut self.held {
            held.push(text);
            return Ok(());
        }
        match self.out.try_send(Message::Text(text.into())) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => Err(End::Behind),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(End::Closed),
        }
    }

    fn error(&mut self, code: ErrorCode, message: &str, reference: Option<u64>) -> Result<(), End> {
        self.send(
            ServerMessage::Error {
                v: PROTOCOL_VERSION,
                code,
                message,
                reference,
            }
            .to_json(),
        )
    }

    /// Refuses a message of another protocol version.
    fn wrong_version(&mut self) -> Result<(), End> {
        let message = format!("this server speaks protocol version {PROTOCOL_VERSION}");
        self.error(ErrorCode::UnsupportedVersion, &message, None)
    }

    /// Stops the timers and subscriptions (waiting for them, so that this
    /// connection no longer counts in `presence`), then publishes the leave
    /// messages.
    async fn leave(&mut self) {
        let tasks: Vec<_> = self
            .subscriptions
            .drain()
            .map(|(_, t)| t)
            .chain(self.timers.drain(..))
            .collect();
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
        self.server.inner.announce();
        for (topic, message) in std::mem::take(&mut self.on_leave) {
            self.server.inner.publish(&topic, message);
        }
    }
}

/// How long a client's request waits on the store.
const STORE_WAIT: Duration = Duration::from_secs(1);
/// Pause before writing again after the store failed.
const STORE_RETRY: Duration = Duration::from_millis(500);
/// How long the state of a page whose connection ended is still retried.
const STORE_FLUSH: Duration = Duration::from_secs(30);

/// Writes a connection's page to the store whenever `changes` says it may
/// have changed: the page's state at the time of the write (so writers of
/// one page never write an older state over a newer one), unless its
/// bytes are the ones last written (`last`), each write expecting the
/// store version this instance last read or wrote. A failed write is
/// retried until it lands (for [`STORE_FLUSH`] once the connection has
/// ended); a conflict (another instance stored a newer state) stops the
/// connection, whose client reconnects and gets the stored state.
async fn store_writer<V: LiveView>(
    store: Arc<dyn PageStore>,
    writer: Arc<str>,
    page: PageHandle<V>,
    mut last: Option<Vec<u8>>,
    mut changes: watch::Receiver<()>,
    inbox: mpsc::Sender<Inbound<V::Message>>,
) {
    let mut failing = false;
    let mut ended: Option<Instant> = None;
    loop {
        if page.is_closed() {
            return;
        }
        let Some(state) = serialized(&page) else {
            return;
        };
        if last.as_ref() != Some(&state) {
            match write_state(&*store, &writer, &page, &state).await {
                Ok(()) => {
                    if failing {
                        tracing::info!(page_id = %page.id(), "page state stored again");
                    }
                    (failing, last) = (false, Some(state));
                }
                Err(e @ BackendError::Conflict { .. }) => {
                    tracing::warn!(page_id = %page.id(), error = %e, "page superseded by another instance; its connection here ends");
                    let _ = inbox.try_send(Inbound::Superseded);
                    return;
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(page_id = %page.id(), error = %e, "page state not stored; retrying");
                    }
                    failing = true;
                    if ended.is_some_and(|at| at.elapsed() > STORE_FLUSH) {
                        tracing::warn!(page_id = %page.id(), "page state not stored: its latest changes are held by this instance only");
                        return;
                    }
                    // Again after a pause (or at once with a newer state).
                    tokio::select! {
                        _ = tokio::time::sleep(STORE_RETRY) => {}
                        r = changes.changed(), if ended.is_none() => {
                            if r.is_err() {
                                ended = Some(Instant::now());
                            }
                        }
                    }
                    continue;
                }
            }
        }
        if ended.is_some() || changes.changed().await.is_err() {
            return;
        }
    }
}

/// One write of `state`, expecting the store version last read or written
/// here. Written again on top when the stored version is this server's
/// own: another connection here moved it meanwhile, or an earlier write
/// landed though its reply was lost.
async fn write_state<V: LiveView>(
    store: &dyn PageStore,
    writer: &str,
    page: &PageHandle<V>,
    state: &[u8],
) -> Result<(), BackendError> {
    let write = Write {
        kind: type_name::<V>(),
        writer,
        state,
    };
    loop {
        let expected = page.store_version();
        match store.save(page.id(), expected, write).await {
            Ok(version) => {
                page.set_store_version(version);
                return Ok(());
            }
            Err(BackendError::Conflict {
                stored, ours: true, ..
            }) if stored > expected => page.set_store_version(stored),
            Err(BackendError::Conflict { .. }) if page.store_version() != expected => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, o.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_by_default_and_an_allowlist_when_given() {
        let o = Options::default();
        assert!(origin_allowed(
            &o,
            &headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080")
        ));
        assert!(origin_allowed(
            &o,
            &headers(Some("https://app.example"), "app.example")
        ));
        assert!(!origin_allowed(
            &o,
            &headers(Some("http://evil.example"), "127.0.0.1:8080")
        ));
        assert!(!origin_allowed(
            &o,
            &headers(Some("null"), "127.0.0.1:8080")
        ));
        assert!(origin_allowed(&o, &headers(None, "127.0.0.1:8080")));
        let o = Options {
            allowed_origins: vec!["https://app.example".into()],
            ..Options::default()
        };
        assert!(origin_allowed(
            &o,
            &headers(Some("https://app.example"), "internal:80")
        ));
        assert!(!origin_allowed(
            &o,
            &headers(Some("http://internal:80"), "internal:80")
        ));
    }

    #[test]
    fn boot_json_cannot_end_its_script() {
        for s in [
            "</script><img src=x onerror=alert(1)>",
            "</SCRIPT >",
            "<!--<script>",
            "<!--f-0123456789abcdef--><p>x</p><!--/f-0123456789abcdef-->",
            "\u{2028}\"\\ \n <\\/ already escaped",
        ] {
            let json = script_json(s);
            let lower = json.to_ascii_lowercase();
            assert!(!lower.contains("</"), "{json}");
            assert!(!lower.contains("<!--"), "{json}");
            let back: String = serde_json::from_str(&json).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn the_bucket_allows_a_burst_then_the_rate() {
        let mut b = Bucket {
            tokens: 3.0,
            at: Instant::now(),
        };
        assert!((0..3).all(|_| b.take(0.0, 3.0)));
        assert!(!b.take(0.0, 3.0));
        b.at -= Duration::from_secs(1);
        assert!(b.take(2.0, 3.0));
        assert!(b.take(2.0, 3.0));
        assert!(!b.take(2.0, 3.0));
    }
}
