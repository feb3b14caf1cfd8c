//! Load over the wire: 1,000 WebSocket clients on one in-process
//! [`LiveServer`], every one subscribed to the same topic, then 20
//! broadcasts published with [`LiveServer::publish`] 20 ms apart.
//!
//! Each client does what a browser does: `GET /` for a new page, reads the
//! token from the `lt-boot` JSON, opens `/live?token=…`, sends `join` and
//! waits for `joined`; then it reads `update` frames and records when each
//! broadcast's marker (`m-<i>.`) first appears. The test asserts that every
//! client received every broadcast exactly once and in order (no message
//! lost, none duplicated, update versions consecutive), and prints: the
//! connect time of all clients, the P50/P95/max latency from publish to
//! receipt over all (client, message) pairs, and memory per connection
//! (the application's page estimate, and process RSS growth, which counts
//! both ends since the clients live in this process too).
//!
//! Server and clients run in this process and talk over loopback
//! (127.0.0.1) only; the run is bounded by a deadline that fails the test
//! instead of hanging, and everything it starts stops with it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use livetemplate::serve::{Context, LiveServer, LiveView, MountRequest, Options};
use livetemplate::{live_template, Application, Config};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Semaphore};
use tokio_tungstenite::tungstenite::Message as Frame;

#[path = "common/live_client.rs"]
mod client;
#[path = "common/load.rs"]
mod load;
use client::{connect, Ws};
use load::{marker, markers, ms, open_file_limit, percentile, rss_bytes, update_version};

const CLIENTS: usize = 1000;
const MESSAGES: usize = 20;
/// Clients connecting at once.
const CONNECT_CONCURRENCY: usize = 50;
const SPACING: Duration = Duration::from_millis(20);
const DEADLINE: Duration = Duration::from_secs(120);
/// 1,000 clients hold 2,000+ sockets in this process (both ends).
const MIN_OPEN_FILES: u64 = 2500;
const TOPIC: &str = "feed";
/// Rendered once the feed is closed: the end of every client's stream.
const CLOSED: &str = "feed closed";

#[live_template(
    source = r#"<section><h1>Feed</h1><p><b>{{.count}}</b> notes</p><ul>{{range .notes}}<li>{{.}}</li>{{end}}</ul>{{if .closed}}<p class="end">feed closed</p>{{end}}</section>"#
)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Feed {
    count: usize,
    notes: Vec<String>,
    closed: bool,
}

/// The feed takes no events from clients.
#[derive(Debug, Deserialize)]
enum Event {}

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Msg {
    /// Changes nothing: counts the subscribers before the run.
    Probe,
    Note(String),
    Close,
}

impl LiveView for Feed {
    type Event = Event;
    type Message = Msg;

    async fn mount(_: &MountRequest) -> Self {
        Feed {
            count: 0,
            notes: Vec::new(),
            closed: false,
        }
    }

    fn handle_event(&mut self, event: Event, _: &mut Context<Self>) {
        match event {}
    }

    fn handle_message(&mut self, message: Msg, _: &mut Context<Self>) {
        match message {
            Msg::Probe => {}
            Msg::Note(note) => {
                self.notes.push(note);
                self.count += 1;
            }
            Msg::Close => self.closed = true,
        }
    }

    fn connected(&mut self, ctx: &mut Context<Self>) {
        ctx.subscribe(TOPIC);
    }
}

/// What one client saw after `joined`.
struct Received {
    /// When each broadcast's marker first appeared.
    first: Vec<Option<Instant>>,
    /// Broadcast indices in the order they first appeared.
    order: Vec<usize>,
    /// Markers seen again in a later frame.
    repeats: usize,
    /// `update` frames, the closing one included.
    updates: u64,
}

/// Reads `update` frames until the feed is closed.
async fn receive(mut ws: Ws) -> Result<Received, String> {
    let mut got = Received {
        first: vec![None; MESSAGES],
        order: Vec::with_capacity(MESSAGES),
        repeats: 0,
        updates: 0,
    };
    let mut version = 0u64;
    loop {
        let text = match ws.next().await {
            Some(Ok(Frame::Text(text))) => text,
            Some(Ok(Frame::Ping(_) | Frame::Pong(_))) => continue,
            other => {
                return Err(format!(
                    "the socket ended before the feed closed: {other:?}"
                ))
            }
        };
        let at = Instant::now();
        version += 1;
        got.updates = version;
        if update_version(&text) != Some(version) {
            return Err(format!(
                "expected an update at version {version}, got {text}"
            ));
        }
        for i in markers(&text) {
            let slot = got
                .first
                .get_mut(i)
                .ok_or_else(|| format!("marker {i} was never published: {text}"))?;
            if slot.is_some() {
                got.repeats += 1;
            } else {
                *slot = Some(at);
                got.order.push(i);
            }
        }
        if text.contains(CLOSED) {
            let _ = ws.close(None).await;
            return Ok(got);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_websocket_clients_receive_every_broadcast_once_in_order() {
    let limit = open_file_limit();
    if let Some(limit) = limit {
        assert!(
            limit >= MIN_OPEN_FILES,
            "the open-file limit is {limit}, below the {MIN_OPEN_FILES} this test needs \
             ({CLIENTS} WebSocket clients and their server ends are sockets of this one process); \
             raise it (e.g. `ulimit -n 4096`) and run again"
        );
    }

    let mut config = Config::default();
    config.application.max_pages = CLIENTS + 100;
    let app = Arc::new(Application::new(config).expect("the config is valid"));
    let options = Options {
        max_connections: CLIENTS + 100,
        ..Options::default()
    };
    let server = LiveServer::<Feed>::with_options(Arc::clone(&app), options);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("a local address").to_string();
    let router = server.router();
    let serving = tokio::spawn(async move { axum::serve(listener, router).await });

    let started = Instant::now();
    let run = tokio::time::timeout(DEADLINE, run(&server, &addr)).await;
    serving.abort();
    let report = match run {
        Ok(report) => report,
        Err(_) => panic!("the run did not finish within {DEADLINE:?}"),
    };
    let wall = started.elapsed();

    let Report {
        connect,
        delivery,
        latencies,
        rss_before,
        rss_after,
        pages,
        page_bytes,
    } = report;
    println!("serve_load: {CLIENTS} clients, {MESSAGES} broadcasts {SPACING:?} apart, on {addr}");
    println!(
        "  connect (GET / + WebSocket + join → joined, {CONNECT_CONCURRENCY} at a time): {} for all {CLIENTS} ({:.0} clients/s)",
        ms(connect),
        CLIENTS as f64 / connect.as_secs_f64()
    );
    println!(
        "  latency publish → receipt over {} (client, message) pairs: P50 {}, P95 {}, max {}",
        latencies.len(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.95)),
        ms(*latencies.last().expect("latencies"))
    );
    println!(
        "  delivery: {} updates received from the first publish to the last receipt in {} ({:.0} updates/s; published over {})",
        latencies.len(),
        ms(delivery),
        latencies.len() as f64 / delivery.as_secs_f64(),
        ms(SPACING * (MESSAGES as u32 - 1))
    );
    println!(
        "  pages held: {pages}; page memory estimate (Application::memory_bytes): {page_bytes} bytes, {} bytes per page",
        page_bytes / pages.max(1)
    );
    match (rss_before, rss_after) {
        (Some(before), Some(after)) => println!(
            "  process RSS {} KiB → {} KiB after connecting: {} bytes per connection (both ends: client and server live in this process)",
            before / 1024,
            after / 1024,
            after.saturating_sub(before) / CLIENTS as u64
        ),
        _ => println!("  process RSS: not available"),
    }
    println!("  wall time of the run: {}", ms(wall));
}

struct Report {
    connect: Duration,
    /// From the first publish to the last receipt.
    delivery: Duration,
    /// Sorted.
    latencies: Vec<Duration>,
    rss_before: Option<u64>,
    rss_after: Option<u64>,
    pages: usize,
    page_bytes: usize,
}

async fn run(server: &LiveServer<Feed>, addr: &str) -> Report {
    let rss_before = rss_bytes();
    let connecting = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let (joined_tx, mut joined_rx) = mpsc::channel::<Result<(), String>>(CLIENTS);
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let (addr, connecting, joined) =
                (addr.to_string(), Arc::clone(&connecting), joined_tx.clone());
            tokio::spawn(async move {
                let permit = connecting
                    .acquire_owned()
                    .await
                    .expect("the semaphore is open");
                let ws = connect(&addr)
                    .await
                    .map_err(|e| format!("client {id}: {e}"));
                drop(permit);
                let ws = match ws {
                    Ok(ws) => ws,
                    Err(e) => {
                        let _ = joined.send(Err(e.clone())).await;
                        return Err(e);
                    }
                };
                let _ = joined.send(Ok(())).await;
                drop(joined);
                receive(ws).await.map_err(|e| format!("client {id}: {e}"))
            })
        })
        .collect();
    drop(joined_tx);
    // Aborts the clients if the run ends early (a failure, the deadline).
    struct AbortOnDrop(Vec<tokio::task::JoinHandle<Result<Received, String>>>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            for client in &self.0 {
                client.abort();
            }
        }
    }
    let mut clients = AbortOnDrop(clients);
    for _ in 0..CLIENTS {
        match joined_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => panic!("a client could not connect: {e}"),
            None => panic!("the clients stopped before all joined"),
        }
    }
    let connect = started.elapsed();
    let rss_after = rss_bytes();
    let app = server.application();
    let (pages, page_bytes) = (app.page_count(), app.memory_bytes());
    assert_eq!(pages, CLIENTS, "one page per client");

    // `joined` is sent before `connected` subscribes: wait until every
    // connection is subscribed (a probe changes no page, sends nothing).
    let mut subscribed = 0;
    for _ in 0..2000 {
        subscribed = server.publish(TOPIC, Msg::Probe);
        if subscribed == CLIENTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        subscribed, CLIENTS,
        "every connection subscribes to {TOPIC:?}"
    );

    let mut published = Vec::with_capacity(MESSAGES);
    for i in 0..MESSAGES {
        let at = Instant::now();
        let reached = server.publish(TOPIC, Msg::Note(marker(i)));
        published.push(at);
        assert_eq!(reached, CLIENTS, "broadcast {i} reached every connection");
        tokio::time::sleep(SPACING).await;
    }
    assert_eq!(
        server.publish(TOPIC, Msg::Close),
        CLIENTS,
        "the close reached every connection"
    );

    let mut latencies = Vec::with_capacity(CLIENTS * MESSAGES);
    let mut last = published[0];
    for (id, client) in std::mem::take(&mut clients.0).into_iter().enumerate() {
        let got = client
            .await
            .unwrap_or_else(|e| panic!("client {id} failed: {e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            got.repeats, 0,
            "client {id} received a broadcast more than once"
        );
        assert_eq!(
            got.order,
            (0..MESSAGES).collect::<Vec<_>>(),
            "client {id} received every broadcast, in order"
        );
        assert_eq!(
            got.updates,
            MESSAGES as u64 + 1,
            "client {id} got one update per broadcast and one for the close"
        );
        for (i, first) in got.first.iter().enumerate() {
            let first = first.unwrap_or_else(|| panic!("client {id} never received broadcast {i}"));
            latencies.push(first.saturating_duration_since(published[i]));
            last = last.max(first);
        }
    }
    latencies.sort_unstable();
    Report {
        connect,
        latencies,
        delivery: last.saturating_duration_since(published[0]),
        rss_before,
        rss_after,
        pages,
        page_bytes,
    }
}
