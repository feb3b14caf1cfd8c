//! Load over the wire, scaled out on Redis: two in-process instances of
//! one application ([`LiveServer::with_backends`] on
//! [`Backends::connect`]: a Redis page store and a Redis broadcaster),
//! 500 WebSocket clients on each, every one subscribed to the same topic,
//! then 20 broadcasts 20 ms apart published alternately on instance A
//! (even broadcasts) and instance B (odd ones) with [`LiveServer::publish`],
//! then a close from each instance.
//!
//! A broadcast reaches the publishing instance's pages directly and the
//! other instance's through Redis pub/sub (as JSON; each instance skips
//! its own echo). Each client does what a browser does, on its own
//! instance: `GET /` for a new page, the token from the `lt-boot` JSON,
//! `/live?token=…`, `join`, `joined`; then it reads `update` frames and
//! records when each broadcast's marker (`m-<i>.`) first appears, until it
//! has seen both closes. The test asserts that every one of the 1,000
//! clients received every broadcast exactly once (so that no message
//! crossing instances is lost or duplicated while Redis is up), one update
//! per broadcast and per close with consecutive versions, each instance's
//! broadcasts in the order it published them, its close after them (so a
//! broadcast missing once both closes are in is lost, not late), and that
//! no page was told to resync (the broadcasters never lost Redis).
//!
//! What it does not assert is one order across the two publishers: nothing
//! orders A's broadcasts with B's (each instance delivers its own at once,
//! the other's after a trip through Redis), and under this load, in a debug
//! build, the trip takes longer than the 20 ms between broadcasts. It
//! counts the clients that saw them in another order than published.
//!
//! It prints the connect time of all clients and the P50/P95/max latency
//! from publish to receipt over all (client, broadcast) pairs, and apart
//! for same-instance pairs (the client is on the publishing instance) and
//! cross-instance pairs (the broadcast came through Redis).
//!
//! Servers and clients run in this process and talk over loopback
//! (127.0.0.1) only, to the Redis of `$LT_REDIS_URL` or one started for
//! this test (see common/redis_server.rs); the run is bounded by a deadline
//! that fails the test instead of hanging, and everything it starts stops
//! with it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use livetemplate::scale::Backends;
use livetemplate::serve::{Context, LiveServer, LiveView, MountRequest, Options};
use livetemplate::{live_template, Application, Config, KeyConfig};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as Frame;

#[path = "common/live_client.rs"]
mod client;
#[path = "common/load.rs"]
mod load;
use client::{connect, Ws};
use load::{marker, markers, ms, open_file_limit, percentile, update_version};

#[path = "common/redis_server.rs"]
mod redis_server;

/// Instance A and instance B.
const INSTANCES: usize = 2;
const PER_INSTANCE: usize = 500;
const CLIENTS: usize = INSTANCES * PER_INSTANCE;
const MESSAGES: usize = 20;
/// Clients connecting at once (over both instances).
const CONNECT_CONCURRENCY: usize = 50;
const SPACING: Duration = Duration::from_millis(20);
const DEADLINE: Duration = Duration::from_secs(120);
/// After one instance's close, how long a client waits for the other's
/// (which, if it is lost, would otherwise leave it waiting until the
/// deadline).
const LATE: Duration = Duration::from_secs(30);
/// 1,000 clients hold 2,000+ sockets in this process (both ends), and
/// each instance a few Redis connections.
const MIN_OPEN_FILES: u64 = 2500;
const TOPIC: &str = "feed";
/// What both instances share: the application id and the keyring.
const APP_ID: &str = "load-app";
const SECRET_HEX: &str = "7363616c655f6c6f61643a206f6e65206b65792c203220696e7374616e636573";

/// Times a page was told to resync (the broadcaster lost Redis).
static RESYNCS: AtomicUsize = AtomicUsize::new(0);

#[live_template(
    source = r#"<section><h1>Feed</h1><p><b>{{.count}}</b> notes</p><ul>{{range .notes}}<li>{{.}}</li>{{end}}</ul>{{range .closed}}<p class="end">{{.}}</p>{{end}}</section>"#
)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Feed {
    count: usize,
    notes: Vec<String>,
    /// The instances that closed the feed.
    closed: Vec<String>,
}

/// The feed takes no events from clients.
#[derive(Debug, Deserialize)]
enum Event {}

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Msg {
    /// Changes nothing: counts the subscribers before the run.
    Probe,
    Note(String),
    /// The end of one instance's broadcasts (its name).
    Close(String),
}

impl LiveView for Feed {
    type Event = Event;
    type Message = Msg;

    async fn mount(_: &MountRequest) -> Self {
        Feed {
            count: 0,
            notes: Vec::new(),
            closed: Vec::new(),
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
            Msg::Close(instance) => self.closed.push(instance),
        }
    }

    fn connected(&mut self, ctx: &mut Context<Self>) {
        ctx.subscribe(TOPIC);
    }

    fn resync(&mut self, _: &mut Context<Self>) {
        RESYNCS.fetch_add(1, Ordering::Relaxed);
    }
}

/// The instance that publishes broadcast `i`: A (0) for even, B (1) for odd.
fn publisher(i: usize) -> usize {
    i % INSTANCES
}

fn instance_name(instance: usize) -> char {
    (b'A' + instance as u8) as char
}

/// What instance `instance`'s close renders (a value of its own, so that
/// it shows in the update whether the item comes as HTML or as dynamics).
fn closed_marker(instance: usize) -> String {
    format!("closed on {}", instance_name(instance))
}

/// What one client received, in the order it came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    /// Broadcast `i`.
    Note(usize),
    /// The close of an instance.
    Closed(usize),
}

/// What one client saw after `joined`.
struct Received {
    /// When each broadcast's marker first appeared.
    first: Vec<Option<Instant>>,
    /// Broadcasts and closes, in the order they first appeared.
    order: Vec<Item>,
    /// Markers seen again in a later frame.
    repeats: usize,
    /// `update` frames.
    updates: u64,
}

/// Reads `update` frames until both instances' closes are in.
async fn receive(mut ws: Ws) -> Result<Received, String> {
    let mut got = Received {
        first: vec![None; MESSAGES],
        order: Vec::with_capacity(MESSAGES + INSTANCES),
        repeats: 0,
        updates: 0,
    };
    let ends: Vec<String> = (0..INSTANCES).map(closed_marker).collect();
    let mut closed = [false; INSTANCES];
    let mut version = 0u64;
    let mut late_until = None;
    while closed.contains(&false) {
        let frame = match late_until {
            None => ws.next().await,
            Some(until) => match tokio::time::timeout_at(until, ws.next()).await {
                Ok(frame) => frame,
                Err(_) => {
                    return Err(format!(
                        "no close of instance {} within {LATE:?} of the other's; got {:?}",
                        instance_name(closed.iter().position(|c| !c).unwrap_or(0)),
                        got.order
                    ))
                }
            },
        };
        let text = match frame {
            Some(Ok(Frame::Text(text))) => text,
            Some(Ok(Frame::Ping(_) | Frame::Pong(_))) => continue,
            other => {
                return Err(format!(
                    "the socket ended before both closes: {other:?}; got {:?}",
                    got.order
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
                got.order.push(Item::Note(i));
            }
        }
        for (on, end) in ends.iter().enumerate() {
            if text.contains(end.as_str()) {
                if closed[on] {
                    got.repeats += 1;
                } else {
                    closed[on] = true;
                    got.order.push(Item::Closed(on));
                    late_until = Some(tokio::time::Instant::now() + LATE);
                }
            }
        }
    }
    let _ = ws.close(None).await;
    Ok(got)
}

/// `P50 …, P95 …, max …` of sorted latencies.
fn summary(sorted: &[Duration]) -> String {
    format!(
        "P50 {}, P95 {}, max {}",
        ms(percentile(sorted, 0.50)),
        ms(percentile(sorted, 0.95)),
        ms(*sorted.last().expect("latencies"))
    )
}

/// Aborts the tasks when dropped (a failure, the deadline, the end).
struct AbortOnDrop<T>(Vec<JoinHandle<T>>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// One instance's configuration: every instance the same.
fn config(redis_url: &str) -> Config {
    let mut config = Config::default();
    config.application.id = Some(APP_ID.into());
    config.application.max_pages = PER_INSTANCE + 100;
    config.token.keys = vec![KeyConfig {
        id: "k1".into(),
        secret_hex: SECRET_HEX.into(),
    }];
    config.store.redis_url = Some(redis_url.to_string());
    config.store.key_prefix = redis_server::prefix("load");
    // The pages' records do not outlive the test by long in a shared Redis.
    config.store.state_ttl = Duration::from_secs(600);
    config
}

/// An instance on Redis, served on 127.0.0.1:0: the server, its address
/// and the serving task.
async fn instance(redis_url: &str) -> (LiveServer<Feed>, String, JoinHandle<std::io::Result<()>>) {
    let app = Arc::new(Application::new(config(redis_url)).expect("the config is valid"));
    let backends = Backends::connect(&app)
        .await
        .unwrap_or_else(|e| panic!("cannot connect the Redis backends: {e}"));
    let options = Options {
        max_connections: PER_INSTANCE + 100,
        ..Options::default()
    };
    let server = LiveServer::<Feed>::with_backends(app, options, backends)
        .await
        .unwrap_or_else(|e| panic!("cannot start the broadcaster: {e}"));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("a local address").to_string();
    let router = server.router();
    let serving = tokio::spawn(async move { axum::serve(listener, router).await });
    (server, addr, serving)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_redis_deliver_every_broadcast_once_in_publisher_order() {
    if let Some(limit) = open_file_limit() {
        assert!(
            limit >= MIN_OPEN_FILES,
            "the open-file limit is {limit}, below the {MIN_OPEN_FILES} this test needs \
             ({CLIENTS} WebSocket clients and their server ends are sockets of this one process); \
             raise it (e.g. `ulimit -n 4096`) and run again"
        );
    }
    // Dropped last: the servers stop before their Redis does.
    let (_redis, redis_url) = redis_server::shared();

    let started = Instant::now();
    let run = tokio::time::timeout(DEADLINE, async {
        let (a, addr_a, serving_a) = instance(&redis_url).await;
        let (b, addr_b, serving_b) = instance(&redis_url).await;
        let _serving = AbortOnDrop(vec![serving_a, serving_b]);
        let servers = [a, b];
        let addrs = [addr_a, addr_b];
        let report = run(&servers, &addrs).await;
        (report, addrs)
    })
    .await;
    let (report, addrs) = match run {
        Ok(done) => done,
        Err(_) => panic!("the run did not finish within {DEADLINE:?}"),
    };
    let wall = started.elapsed();

    let Report {
        connect,
        delivery,
        all,
        same,
        cross,
        pages,
        reordered,
    } = report;
    println!(
        "scale_load: {INSTANCES} instances × {PER_INSTANCE} clients on Redis, {MESSAGES} broadcasts {SPACING:?} apart (even on A, odd on B), A on {}, B on {}",
        addrs[0], addrs[1]
    );
    println!(
        "  connect (GET / + WebSocket + join → joined on the client's instance, {CONNECT_CONCURRENCY} at a time): {} for all {CLIENTS} ({:.0} clients/s)",
        ms(connect),
        CLIENTS as f64 / connect.as_secs_f64()
    );
    println!(
        "  latency publish → receipt over {} (client, message) pairs: {}",
        all.len(),
        summary(&all)
    );
    println!(
        "    same instance (directly) over {} pairs: {}",
        same.len(),
        summary(&same)
    );
    println!(
        "    cross instance (through Redis) over {} pairs: {}",
        cross.len(),
        summary(&cross)
    );
    println!(
        "  delivery: {} updates received from the first publish to the last receipt in {} ({:.0} updates/s; published over {})",
        all.len(),
        ms(delivery),
        all.len() as f64 / delivery.as_secs_f64(),
        ms(SPACING * (MESSAGES as u32 - 1))
    );
    println!(
        "  every client: every broadcast once, each instance's in order, then its close; {reordered} of {CLIENTS} clients got A's and B's interleaved otherwise than published (not ordered across instances)"
    );
    println!("  pages held: A {}, B {}; resyncs: 0", pages[0], pages[1]);
    println!(
        "  wall time of the run (Redis backends connected to the last receipt): {}",
        ms(wall)
    );
}

struct Report {
    connect: Duration,
    /// From the first publish to the last receipt.
    delivery: Duration,
    /// Sorted, all pairs.
    all: Vec<Duration>,
    /// Sorted, pairs whose client is on the publishing instance.
    same: Vec<Duration>,
    /// Sorted, pairs whose client is on the other instance.
    cross: Vec<Duration>,
    pages: [usize; INSTANCES],
    /// Clients that got A's and B's broadcasts interleaved otherwise than
    /// they were published.
    reordered: usize,
}

async fn run(servers: &[LiveServer<Feed>; INSTANCES], addrs: &[String; INSTANCES]) -> Report {
    let connecting = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let (joined_tx, mut joined_rx) = mpsc::channel::<Result<(), String>>(CLIENTS);
    let started = Instant::now();
    // Client `id` is on instance `id % INSTANCES`: both fill up together.
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let on = id % INSTANCES;
            let (addr, connecting, joined) = (
                addrs[on].clone(),
                Arc::clone(&connecting),
                joined_tx.clone(),
            );
            tokio::spawn(async move {
                let permit = connecting
                    .acquire_owned()
                    .await
                    .expect("the semaphore is open");
                let ws = connect(&addr)
                    .await
                    .map_err(|e| format!("client {id} (instance {}): {e}", instance_name(on)));
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
                receive(ws)
                    .await
                    .map_err(|e| format!("client {id} (instance {}): {e}", instance_name(on)))
            })
        })
        .collect();
    drop(joined_tx);
    let mut clients = AbortOnDrop(clients);
    for _ in 0..CLIENTS {
        match joined_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => panic!("a client could not connect: {e}"),
            None => panic!("the clients stopped before all joined"),
        }
    }
    let connect = started.elapsed();
    let pages: [usize; INSTANCES] =
        std::array::from_fn(|on| servers[on].application().page_count());
    for (on, held) in pages.iter().enumerate() {
        assert_eq!(
            *held,
            PER_INSTANCE,
            "one page per client on instance {}",
            instance_name(on)
        );
    }

    // Every connection is subscribed once its `joined` is sent; a probe
    // (which changes no page, sends nothing) counts them on each instance.
    // (It also crosses to the other instance, where it changes nothing.)
    for (on, server) in servers.iter().enumerate() {
        let mut subscribed = 0;
        for _ in 0..2000 {
            subscribed = server.publish(TOPIC, Msg::Probe);
            if subscribed == PER_INSTANCE {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            subscribed,
            PER_INSTANCE,
            "every connection of instance {} subscribes to {TOPIC:?}",
            instance_name(on)
        );
    }

    let mut published = Vec::with_capacity(MESSAGES);
    for i in 0..MESSAGES {
        let on = publisher(i);
        let at = Instant::now();
        let reached = servers[on].publish(TOPIC, Msg::Note(marker(i)));
        published.push(at);
        assert_eq!(
            reached,
            PER_INSTANCE,
            "broadcast {i} reached every connection of instance {} directly",
            instance_name(on)
        );
        tokio::time::sleep(SPACING).await;
    }
    for (on, server) in servers.iter().enumerate() {
        let name = instance_name(on);
        assert_eq!(
            server.publish(TOPIC, Msg::Close(format!("closed on {name}"))),
            PER_INSTANCE,
            "the close of instance {name} reached every connection of instance {name} directly"
        );
    }

    let mut all = Vec::with_capacity(CLIENTS * MESSAGES);
    let (mut same, mut cross) = (Vec::new(), Vec::new());
    let mut reordered = 0;
    let mut last = published[0];
    for (id, client) in std::mem::take(&mut clients.0).into_iter().enumerate() {
        let on = id % INSTANCES;
        let who = format!("client {id} (instance {})", instance_name(on));
        let got = client
            .await
            .unwrap_or_else(|e| panic!("{who} failed: {e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let missing: Vec<_> = (0..MESSAGES).filter(|&i| got.first[i].is_none()).collect();
        assert!(
            missing.is_empty(),
            "{who} never received broadcasts {missing:?} (published on {:?}), though both closes came after them; it got {:?}",
            missing
                .iter()
                .map(|&i| instance_name(publisher(i)))
                .collect::<Vec<_>>(),
            got.order
        );
        assert_eq!(
            got.repeats, 0,
            "{who} received a broadcast or a close more than once: {:?}",
            got.order
        );
        assert_eq!(
            got.updates,
            (MESSAGES + INSTANCES) as u64,
            "{who} got one update per broadcast and one per close"
        );
        for from in 0..INSTANCES {
            let theirs: Vec<Item> = got
                .order
                .iter()
                .copied()
                .filter(|item| match *item {
                    Item::Note(i) => publisher(i) == from,
                    Item::Closed(on) => on == from,
                })
                .collect();
            let published: Vec<Item> = (0..MESSAGES)
                .filter(|&i| publisher(i) == from)
                .map(Item::Note)
                .chain([Item::Closed(from)])
                .collect();
            assert_eq!(
                theirs,
                published,
                "{who} received instance {}'s broadcasts in the order published, then its close",
                instance_name(from)
            );
        }
        let notes: Vec<usize> = got
            .order
            .iter()
            .filter_map(|item| match *item {
                Item::Note(i) => Some(i),
                Item::Closed(_) => None,
            })
            .collect();
        if notes != (0..MESSAGES).collect::<Vec<_>>() {
            reordered += 1;
        }
        for (i, first) in got.first.iter().enumerate() {
            let first = first.expect("checked above");
            let latency = first.saturating_duration_since(published[i]);
            all.push(latency);
            if publisher(i) == on {
                same.push(latency);
            } else {
                cross.push(latency);
            }
            last = last.max(first);
        }
    }
    assert_eq!(
        RESYNCS.load(Ordering::Relaxed),
        0,
        "no page was told to resync: the broadcasters never lost Redis"
    );
    for sorted in [&mut all, &mut same, &mut cross] {
        sorted.sort_unstable();
    }
    Report {
        connect,
        delivery: last.saturating_duration_since(published[0]),
        all,
        same,
        cross,
        pages,
        reordered,
    }
}
