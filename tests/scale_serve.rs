//! Two instances of one application over real sockets (loopback), on both
//! kinds of backends: a shared `MemoryStore` + `LocalBus` (two servers of
//! one process), and Redis (a real `redis-server`). Any instance resumes
//! any page by its token with a full render; a stale copy is brought up to
//! date or superseded, never written over a newer state; a broadcast on
//! one instance reaches pages on the other; a closed page resumes nowhere;
//! a Redis restart mid-session is survived (the page resyncs).

use std::sync::Arc;
use std::time::{Duration, Instant};

use livetemplate::scale::{Backends, LocalBus, MemoryStore};
use livetemplate::serve::{Context, LiveServer, LiveView, MountRequest, Options};
use livetemplate::{live_template, Application, Config, KeyConfig};
use serde::{Deserialize, Serialize};

#[path = "common/live_client.rs"]
mod client;
#[path = "common/redis_server.rs"]
mod redis_server;
use client::{new_page, next, open, send, start, Ws};
use redis_server::{prefix, shared, RedisServer};

#[live_template(
    source = "<p>{{.n}}</p><ul>{{range .notes}}<li>{{.}}</li>{{end}}</ul><i>{{.resyncs}}</i>"
)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Shared {
    n: u64,
    notes: Vec<String>,
    resyncs: u64,
    /// Not shown: still stored and resumed.
    hidden: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Event {
    Add {
        by: u64,
    },
    Post {
        text: String,
    },
    Hide,
    /// `n` becomes the topic's presence, over all instances.
    Count,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Msg {
    Note(String),
}

const TOPIC: &str = "t";

impl LiveView for Shared {
    type Event = Event;
    type Message = Msg;

    async fn mount(_: &MountRequest) -> Self {
        Shared {
            n: 0,
            notes: Vec::new(),
            resyncs: 0,
            hidden: 0,
        }
    }

    fn connected(&mut self, ctx: &mut Context<Self>) {
        ctx.subscribe(TOPIC);
    }

    fn handle_event(&mut self, event: Event, ctx: &mut Context<Self>) {
        match event {
            Event::Add { by } => self.n += by,
            Event::Post { text } => ctx.publish(TOPIC, Msg::Note(text)),
            Event::Hide => self.hidden += 1,
            Event::Count => self.n = ctx.presence(TOPIC) as u64,
        }
    }

    fn handle_message(&mut self, Msg::Note(text): Msg, _: &mut Context<Self>) {
        self.notes.push(text);
    }

    fn resync(&mut self, _: &mut Context<Self>) {
        self.resyncs += 1;
    }
}

const SECRET: &str = "5f3c1d2e4b6a79880a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778";

fn config(redis: Option<(&str, &str)>) -> Config {
    let mut config = Config::default();
    config.application.id = Some("scale-test".into());
    config.token.keys = vec![KeyConfig {
        id: "k1".into(),
        secret_hex: SECRET.into(),
    }];
    if let Some((url, name)) = redis {
        config.store.redis_url = Some(url.into());
        config.store.key_prefix = prefix(name);
    }
    config
}

struct Instance {
    server: LiveServer<Shared>,
    addr: String,
}

async fn instance(config: Config, backends: Option<Backends>) -> Instance {
    let app = Arc::new(Application::new(config).unwrap());
    let backends = match backends {
        Some(b) => b,
        None => Backends::connect(&app).await.unwrap(),
    };
    let server = LiveServer::with_backends(app, Options::default(), backends)
        .await
        .unwrap();
    let addr = start(&server).await;
    Instance { server, addr }
}

/// Two instances sharing a MemoryStore and a LocalBus.
async fn memory_pair() -> (Instance, Instance) {
    let store = Arc::new(MemoryStore::new(Duration::from_secs(60)));
    let bus = LocalBus::new();
    let backends = || Backends {
        store: store.clone(),
        broadcaster: Arc::new(bus.broadcaster()),
    };
    let a = instance(config(None), Some(backends())).await;
    let b = instance(config(None), Some(backends())).await;
    (a, b)
}

async fn redis_pair(url: &str, name: &str) -> (Instance, Instance) {
    let a = instance(config(Some((url, name))), None).await;
    let b = instance(config(Some((url, name))), None).await;
    (a, b)
}

/// An update that holds `n`: as its changed value, or in the root's
/// replacement (sent when it is the smaller update).
fn shows_n(update: &str, n: u32) -> bool {
    update.contains(&format!("\"{n}\"")) || update.contains(&format!("<p>{n}</p>"))
}

fn event(action: &str, values: &str) -> String {
    format!(r#"{{"v":2,"type":"event","action":"{action}","values":{values}}}"#)
}

/// Opens the page's socket and joins at `version`: the first answer.
async fn join(addr: &str, token: &str, version: u64) -> (Ws, serde_json::Value) {
    let mut ws = open(addr, token, None).await.unwrap();
    send(
        &mut ws,
        &format!(r#"{{"v":2,"type":"join","version":{version}}}"#),
    )
    .await
    .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), next(&mut ws))
        .await
        .expect("an answer to join")
        .expect("the socket stays open");
    (ws, first)
}

async fn next_of(ws: &mut Ws, kind: &str) -> serde_json::Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), next(ws))
            .await
            .unwrap_or_else(|_| panic!("no {kind} within 10 s"))
            .unwrap_or_else(|| panic!("closed while waiting for {kind}"));
        if m["type"] == kind {
            return m;
        }
    }
}

fn version(m: &serde_json::Value) -> u64 {
    m["version"].as_u64().expect("a version")
}

/// True when the socket is closed (or closes) within 10 s.
async fn closes(ws: &mut Ws) -> bool {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        match tokio::time::timeout(Duration::from_millis(200), next(ws)).await {
            Ok(None) => return true,
            Ok(Some(_)) | Err(_) => continue,
        }
    }
    false
}

/// The scenario both backends must pass.
async fn resume_anywhere(a: &Instance, b: &Instance) {
    // A page on A, changed there (also in a field the template hides).
    let token = new_page(&a.addr).await.unwrap();
    let (mut on_a, joined) = join(&a.addr, &token, 0).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    send(&mut on_a, &event("add", r#"{"by":"5"}"#))
        .await
        .unwrap();
    let update = next_of(&mut on_a, "update").await;
    send(&mut on_a, &event("hide", "{}")).await.unwrap();
    // (No fragments for a hidden field: wait for its write to land.)
    tokio::time::sleep(Duration::from_millis(300)).await;

    // B has never seen the page: it resumes it from the store, with a render.
    let started = Instant::now();
    let (mut on_b, render) = join(&b.addr, &token, version(&update)).await;
    let resume = started.elapsed();
    assert_eq!(render["type"], "render", "{render}");
    let html = render["html"].as_str().unwrap();
    assert!(html.contains("<p>5</p>"), "{html}");
    let resumed = b.server.application().page::<Shared>(&token).unwrap();
    assert_eq!(resumed.state().unwrap().hidden, 1, "hidden state resumed");
    assert_ne!(
        version(&render),
        version(&update),
        "a resumed copy's versions never match the other copy's"
    );
    println!("resume on the other instance: open + join → render in {resume:?}");

    // B changes it: A's copy is stale. A's next change is refused by the
    // store (A never writes over B's state): A's connection ends.
    send(&mut on_b, &event("add", r#"{"by":"1"}"#))
        .await
        .unwrap();
    next_of(&mut on_b, "update").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    send(&mut on_a, &event("add", r#"{"by":"100"}"#))
        .await
        .unwrap();
    assert!(closes(&mut on_a).await, "the stale copy's connection ends");
    let stored = b.server.application().page::<Shared>(&token).unwrap();
    assert_eq!(stored.state().unwrap().n, 6, "B's state stands");

    // Back on A: its stale copy is brought up to date from the store.
    let (mut again, render) = join(&a.addr, &token, 0).await;
    assert_eq!(render["type"], "render", "{render}");
    assert!(render["html"].as_str().unwrap().contains("<p>6</p>"));
    drop(on_b);
    send(&mut again, &event("add", r#"{"by":"1"}"#))
        .await
        .unwrap();
    let update = next_of(&mut again, "update").await;
    assert!(update.to_string().contains('7'), "{update}");

    // A broadcast posted on B reaches the page held by A.
    let other = new_page(&b.addr).await.unwrap();
    let (mut poster, _) = join(&b.addr, &other, 0).await;
    send(&mut poster, &event("post", r#"{"text":"hello from b"}"#))
        .await
        .unwrap();
    let on_poster = next_of(&mut poster, "update").await;
    assert!(on_poster.to_string().contains("hello from b"));
    let on_a = next_of(&mut again, "update").await;
    assert!(on_a.to_string().contains("hello from b"), "{on_a}");
    // LiveServer::publish from outside a view, on A, reaches B's page.
    a.server
        .publish(TOPIC, Msg::Note("from the server of a".into()));
    let got = next_of(&mut poster, "update").await;
    assert!(got.to_string().contains("from the server of a"), "{got}");
    let got = next_of(&mut again, "update").await;
    assert!(got.to_string().contains("from the server of a"), "{got}");

    // A closed page resumes nowhere.
    drop(again);
    a.server.application().close_page(&token).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.server.application().close_page(&token).ok();
    let (_, gone) = join(&b.addr, &token, 0).await;
    assert_eq!(gone["type"], "gone", "{gone}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_resume_on_any_instance_in_memory() {
    let (a, b) = memory_pair().await;
    resume_anywhere(&a, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_resume_on_any_instance_on_redis() {
    let (_guard, url) = shared();
    let (a, b) = redis_pair(&url, "serve").await;
    resume_anywhere(&a, &b).await;
}

/// Presence counts the subscribers of every instance.
async fn presence_spans_instances(a: &Instance, b: &Instance) {
    let mut tabs = Vec::new();
    for addr in [&a.addr, &a.addr, &b.addr] {
        let token = new_page(addr).await.unwrap();
        let (ws, _) = join(addr, &token, 0).await;
        tabs.push(ws);
    }
    let mut seen = String::new();
    for _ in 0..50 {
        send(&mut tabs[2], &event("count", "{}")).await.unwrap();
        // n is the only value that changes: its update holds the count.
        match tokio::time::timeout(Duration::from_millis(300), next(&mut tabs[2])).await {
            Ok(Some(m)) => {
                seen = m.to_string();
                if shows_n(&seen, 3) {
                    break;
                }
            }
            _ => continue,
        }
    }
    assert!(shows_n(&seen, 3), "three tabs over two instances: {seen}");
    // One of A's tabs leaves: B's page counts two.
    drop(tabs.remove(0));
    let mut two = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        send(&mut tabs[1], &event("count", "{}")).await.unwrap();
        if let Ok(Some(m)) =
            tokio::time::timeout(Duration::from_millis(300), next(&mut tabs[1])).await
        {
            if shows_n(&m.to_string(), 2) {
                two = true;
                break;
            }
        }
    }
    assert!(two, "two tabs after one left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_spans_instances_in_memory() {
    let (a, b) = memory_pair().await;
    presence_spans_instances(&a, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_spans_instances_on_redis() {
    let (_guard, url) = shared();
    let (a, b) = redis_pair(&url, "presence").await;
    presence_spans_instances(&a, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_of_another_view_or_a_forged_one_resumes_nothing() {
    let (a, b) = memory_pair().await;
    let token = new_page(&a.addr).await.unwrap();
    let mut forged = token.clone();
    forged.pop();
    let err = open(&b.addr, &forged, None).await.unwrap_err();
    assert!(err.contains("403"), "{err}");
    // Another application (another id, same key) is refused.
    let mut other = config(None);
    other.application.id = Some("another".into());
    let c = instance(
        other,
        Some(Backends {
            store: Arc::new(MemoryStore::new(Duration::from_secs(60))),
            broadcaster: Arc::new(LocalBus::new().broadcaster()),
        }),
    )
    .await;
    let err = open(&c.addr, &token, None).await.unwrap_err();
    assert!(err.contains("403"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_session_is_survived() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let mut redis = RedisServer::start();
    let (a, b) = redis_pair(&redis.url(), "restart").await;
    let token = new_page(&a.addr).await.unwrap();
    let (mut on_a, _) = join(&a.addr, &token, 0).await;
    send(&mut on_a, &event("add", r#"{"by":"2"}"#))
        .await
        .unwrap();
    next_of(&mut on_a, "update").await;

    redis.kill();
    // The page keeps working on its instance while Redis is down.
    send(&mut on_a, &event("add", r#"{"by":"3"}"#))
        .await
        .unwrap();
    let update = next_of(&mut on_a, "update").await;
    assert!(update.to_string().contains('5'), "{update}");
    // New pages and connections are not held back by the missing store.
    let asked = Instant::now();
    let fresh = new_page(&a.addr).await.unwrap();
    let (_fresh_ws, joined) = join(&a.addr, &fresh, 0).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert!(
        asked.elapsed() < Duration::from_secs(4),
        "a new page and its join took {:?} while Redis was down",
        asked.elapsed()
    );
    let down = Instant::now();
    redis.restart();

    // The page is told to resync (its count of resyncs shows).
    let resynced = loop {
        let m = next_of(&mut on_a, "update").await;
        if m.to_string().contains("<i>1</i>") || m.to_string().contains("\"1\"") {
            break down.elapsed();
        }
    };
    // Broadcasts cross again: one posted on B reaches A's page.
    let other = new_page(&b.addr).await.unwrap();
    let (mut on_b, _) = join(&b.addr, &other, 0).await;
    send(&mut on_b, &event("post", r#"{"text":"after restart"}"#))
        .await
        .unwrap();
    let m = next_of(&mut on_a, "update").await;
    assert!(m.to_string().contains("after restart"), "{m}");
    // The change made during the outage was stored once Redis was back:
    // B resumes the page with it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(on_a);
    let (_, render) = join(&b.addr, &token, 0).await;
    assert_eq!(render["type"], "render", "{render}");
    assert!(
        render["html"].as_str().unwrap().contains("<p>5</p>"),
        "{render}"
    );
    println!("redis restart: the page resynced {resynced:?} after the restart began");
}
