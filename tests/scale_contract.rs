//! The contract of `PageStore` and `Broadcaster`, run on every
//! implementation: `MemoryStore` and `RedisStore`, `LocalBus` and
//! `RedisBroadcaster` (on a real `redis-server`, see common/redis_server.rs).
//! Plus what only Redis can do: survive a restart (the store keeps its
//! records, subscriptions come back, a `Resync` is delivered).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use livetemplate::scale::redis::{RedisBroadcaster, RedisStore};
use livetemplate::scale::{
    BackendError, Broadcaster, Delivery, LocalBus, MemoryStore, PageStore, Sink, Write,
};
use livetemplate::StoreConfig;

#[path = "common/redis_server.rs"]
mod redis_server;
use redis_server::{prefix, shared, RedisServer};

fn store_config(url: &str, name: &str, ttl: Duration) -> StoreConfig {
    StoreConfig {
        redis_url: Some(url.to_string()),
        key_prefix: prefix(name),
        state_ttl: ttl,
    }
}

/// A write of kind `V` by `writer`.
fn w<'a>(writer: &'a str, state: &'a [u8]) -> Write<'a> {
    Write {
        kind: "V",
        writer,
        state,
    }
}

async fn store_contract(store: &dyn PageStore) {
    let id = "page-1";
    assert_eq!(store.load(id).await.unwrap(), None, "nothing stored yet");
    assert_eq!(store.save(id, 0, w("a", b"{\"n\":1}")).await.unwrap(), 1);
    let got = store.load(id).await.unwrap().expect("stored");
    assert_eq!(
        (got.version, got.kind.as_str(), got.state.as_slice()),
        (1, "V", &b"{\"n\":1}"[..])
    );
    // A second first write, and a stale one, are conflicts that change nothing.
    match store.save(id, 0, w("a", b"x")).await {
        Err(BackendError::Conflict {
            expected: 0,
            stored: 1,
            ours: true,
            ..
        }) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.save(id, 1, w("a", b"{\"n\":2}")).await.unwrap(), 2);
    match store.save(id, 1, w("b", b"stale")).await {
        Err(BackendError::Conflict {
            expected: 1,
            stored: 2,
            ours: false,
            ..
        }) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
    let got = store.load(id).await.unwrap().unwrap();
    assert_eq!(
        (got.state.as_slice(), got.writer.as_str()),
        (&b"{\"n\":2}"[..], "a")
    );
    // Racing writers on one version: exactly one wins.
    let results = futures_util::future::join_all(
        (0..8).map(|i| async move { store.save(id, 2, w("a", format!("w{i}").as_bytes())).await }),
    )
    .await;
    let wins: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
    assert_eq!(wins.len(), 1, "{results:?}");
    assert_eq!(store.load(id).await.unwrap().unwrap().version, 3);
    // Any bytes, and a large state, round trip.
    let big: Vec<u8> = (0..(1 << 20)).map(|i| (i % 251) as u8).collect();
    assert_eq!(store.save("big", 0, w("a", &big)).await.unwrap(), 1);
    assert_eq!(store.load("big").await.unwrap().unwrap().state, big);
    // Removed: gone; a holder that writes again (the record was lost) recreates it.
    store.remove(id).await.unwrap();
    assert_eq!(store.load(id).await.unwrap(), None);
    assert_eq!(store.save(id, 7, w("a", b"again")).await.unwrap(), 8);
    assert_eq!(store.load(id).await.unwrap().unwrap().version, 8);
    // Pages are apart.
    assert_eq!(store.load("page-2").await.unwrap(), None);
}

async fn ttl_contract(store: &dyn PageStore) {
    store.save("short", 0, w("a", b"1")).await.unwrap();
    assert!(store.load("short").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        store.load("short").await.unwrap(),
        None,
        "dropped after the TTL"
    );
}

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    store_contract(&MemoryStore::new(Duration::from_secs(60))).await;
    ttl_contract(&MemoryStore::new(Duration::from_millis(300))).await;
}

#[tokio::test]
async fn redis_store_keeps_the_contract() {
    let (_guard, url) = shared();
    let store = RedisStore::connect(&store_config(&url, "store", Duration::from_secs(60)), "app")
        .await
        .unwrap();
    store_contract(&store).await;
    let short = RedisStore::connect(
        &store_config(&url, "store-ttl", Duration::from_millis(300)),
        "app",
    )
    .await
    .unwrap();
    ttl_contract(&short).await;
    // Another application's records are apart.
    let other = RedisStore::connect(
        &store_config(&url, "store", Duration::from_secs(60)),
        "other",
    )
    .await
    .unwrap();
    assert_eq!(other.load("big").await.unwrap(), None);
}

/// What a sink received.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Delivery>>>);

impl Received {
    fn sink(&self) -> Sink {
        let got = Arc::clone(&self.0);
        Arc::new(move |d| got.lock().unwrap().push(d))
    }
    fn messages(&self) -> Vec<(String, Vec<u8>)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|d| match d {
                Delivery::Message { topic, payload } => Some((topic.clone(), payload.clone())),
                Delivery::Resync => None,
            })
            .collect()
    }
    fn resyncs(&self) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|d| **d == Delivery::Resync)
            .count()
    }
}

async fn until(what: &str, deadline: Duration, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !f() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Three instances: what one publishes reaches the two others once each,
/// in order, and never itself.
async fn broadcaster_contract(a: &dyn Broadcaster, b: &dyn Broadcaster, c: &dyn Broadcaster) {
    let (ra, rb, rc) = (
        Received::default(),
        Received::default(),
        Received::default(),
    );
    a.start(ra.sink()).await.unwrap();
    b.start(rb.sink()).await.unwrap();
    c.start(rc.sink()).await.unwrap();
    let topics = ["board", "a:b*c?[x]", "ünï €"];
    let mut sent = Vec::new();
    for i in 0..300u32 {
        let topic = topics[i as usize % topics.len()];
        let payload = format!("{{\"i\":{i}}}").into_bytes();
        a.publish(topic, &payload).await.unwrap();
        sent.push((topic.to_string(), payload));
    }
    b.publish("board", b"from b").await.unwrap();
    let expect_b = sent.clone();
    let mut expect_c = sent.clone();
    expect_c.push(("board".into(), b"from b".to_vec()));
    until("both instances to receive", Duration::from_secs(10), || {
        rb.messages().len() >= expect_b.len() && rc.messages().len() >= expect_c.len()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rb.messages(), expect_b, "b: every message once, in order");
    assert_eq!(rc.messages(), expect_c, "c: every message once, in order");
    assert_eq!(
        ra.messages(),
        vec![("board".to_string(), b"from b".to_vec())],
        "a: never its own"
    );
}

#[tokio::test]
async fn local_bus_keeps_the_contract() {
    let bus = LocalBus::new();
    let (a, b, c) = (bus.broadcaster(), bus.broadcaster(), bus.broadcaster());
    broadcaster_contract(&a, &b, &c).await;
    // A server alone on its bus sends to no one.
    let alone = LocalBus::new().broadcaster();
    let r = Received::default();
    alone.start(r.sink()).await.unwrap();
    alone.publish("t", b"x").await.unwrap();
    assert!(r.messages().is_empty());
}

#[tokio::test]
async fn redis_broadcaster_keeps_the_contract() {
    let (_guard, url) = shared();
    let config = store_config(&url, "bcast", Duration::from_secs(60));
    let a = RedisBroadcaster::connect(&config, "app").await.unwrap();
    let b = RedisBroadcaster::connect(&config, "app").await.unwrap();
    let c = RedisBroadcaster::connect(&config, "app").await.unwrap();
    assert_ne!(a.instance_id(), b.instance_id());
    broadcaster_contract(&a, &b, &c).await;
    // Another application (or prefix) hears nothing of it.
    let other = RedisBroadcaster::connect(&config, "other").await.unwrap();
    let r = Received::default();
    other.start(r.sink()).await.unwrap();
    a.publish("board", b"x").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(r.messages().is_empty());
    // Started twice: refused, not a second subscription.
    assert!(matches!(
        a.start(Received::default().sink()).await,
        Err(BackendError::Config { .. })
    ));
}

#[tokio::test]
async fn redis_restart_keeps_states_and_brings_subscriptions_back() {
    let mut redis = RedisServer::start();
    let config = store_config(&redis.url(), "restart", Duration::from_secs(60));
    let store = RedisStore::connect(&config, "app").await.unwrap();
    let a = RedisBroadcaster::connect(&config, "app").await.unwrap();
    let b = RedisBroadcaster::connect(&config, "app").await.unwrap();
    let (ra, rb) = (Received::default(), Received::default());
    a.start(ra.sink()).await.unwrap();
    b.start(rb.sink()).await.unwrap();
    store.save("p", 0, w("a", b"before")).await.unwrap();
    a.publish("t", b"1").await.unwrap();
    until("the first message", Duration::from_secs(5), || {
        rb.messages().len() == 1
    })
    .await;

    redis.kill();
    // While Redis is down: calls fail with `Unavailable`, nothing hangs.
    let started = Instant::now();
    assert!(matches!(
        store.load("p").await,
        Err(BackendError::Unavailable { .. })
    ));
    assert!(a.publish("t", b"lost").await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a call during the outage took {:?}",
        started.elapsed()
    );
    let down = Instant::now();
    redis.restart();

    until(
        "a resync on both instances",
        Duration::from_secs(15),
        || ra.resyncs() >= 1 && rb.resyncs() >= 1,
    )
    .await;
    let back = down.elapsed();
    // Subscriptions are back by themselves: a message after the restart arrives.
    let mut delivered = false;
    for i in 0..50 {
        let _ = a.publish("t", format!("after {i}").as_bytes()).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        if rb.messages().iter().any(|(_, p)| p.starts_with(b"after")) {
            delivered = true;
            break;
        }
    }
    assert!(delivered, "no message after the restart");
    assert!(
        !rb.messages().iter().any(|(_, p)| p == b"lost"),
        "a message published during the outage is lost, not delivered late"
    );
    // The store reconnected and kept its record (append-only file).
    let mut stored = None;
    for _ in 0..50 {
        if let Ok(s) = store.load("p").await {
            stored = s;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored.expect("kept across the restart").state, b"before");
    println!("redis restart: both broadcasters resynced {back:?} after the restart began");
}

#[tokio::test]
async fn backends_from_config_say_what_is_missing() {
    use livetemplate::scale::Backends;
    use livetemplate::{Application, Config, KeyConfig};
    let app = |f: &dyn Fn(&mut Config)| {
        let mut c = Config::default();
        f(&mut c);
        Application::new(c).unwrap()
    };
    // No Redis configured: in memory.
    assert!(Backends::connect(&app(&|_| {})).await.is_ok());
    let redis = |c: &mut Config| c.store.redis_url = Some("redis://127.0.0.1:1".into());
    match Backends::connect(&app(&redis)).await {
        Err(BackendError::Config {
            field: "application.id",
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let with_id = |c: &mut Config| {
        redis(c);
        c.application.id = Some("app".into());
    };
    match Backends::connect(&app(&with_id)).await {
        Err(BackendError::Config {
            field: "token.keys",
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // Nothing listens on port 1: unavailable, with the URL (no password) in the message.
    let complete = |c: &mut Config| {
        with_id(c);
        c.store.redis_url = Some("redis://user:hunter2-pw@127.0.0.1:1".into());
        c.token.keys = vec![KeyConfig {
            id: "k".into(),
            secret_hex: "ab".repeat(32),
        }];
    };
    let started = Instant::now();
    match Backends::connect(&app(&complete)).await {
        Err(e @ BackendError::Unavailable { .. }) => {
            let shown = e.to_string();
            assert!(shown.contains("127.0.0.1:1"), "{shown}");
            assert!(!shown.contains("hunter2-pw"), "{shown}");
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(30));
}
