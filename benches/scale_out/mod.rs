//! The bench report's scale-out section: two `LiveServer` instances of one
//! application on a `redis-server` this module starts (loopback, a free
//! port, killed at the end), measured over real sockets: bytes stored per
//! page, resume latency on the other instance, cross-instance broadcast
//! latency, and an outage (Redis killed and restarted). Returns the
//! section's Markdown, or why it was not measured (no `redis-server`).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use livetemplate::scale::Backends;
use livetemplate::serve::{Context, LiveServer, LiveView, MountRequest, Options};
use livetemplate::{live_template, Application, Config, KeyConfig};
use serde::{Deserialize, Serialize};
use tokio_tungstenite::tungstenite::Message as Frame;

#[path = "../../tests/common/live_client.rs"]
mod client;
#[path = "../../tests/common/load.rs"]
mod load;
use client::{new_page, next, open, send, Ws};
use livetemplate::scale::redis::RedisStore;
use livetemplate::scale::{instance_id, PageStore, Write};
use load::percentile;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    author: String,
    text: String,
}

#[live_template(
    source = r#"<section><h1>Board</h1><p>{{.here}} here</p><ul>{{range .notes}}<li><b>{{.author}}</b> {{.text}}</li>{{end}}</ul><i>{{.resyncs}}</i></section>"#
)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Board {
    here: usize,
    notes: Vec<Note>,
    resyncs: u64,
}

#[derive(Debug, Deserialize)]
pub enum Event {}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Msg {
    Note(Note),
}

const TOPIC: &str = "board";

/// Notes a new page starts with (set before the servers start).
static START_NOTES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

fn note(i: usize) -> Note {
    Note {
        author: format!("user {}", i % 7),
        text: format!("note number {i}: a line of text of ordinary length"),
    }
}

impl LiveView for Board {
    type Event = Event;
    type Message = Msg;

    async fn mount(_: &MountRequest) -> Self {
        Board {
            here: 0,
            notes: (0..*START_NOTES.get().unwrap_or(&20)).map(note).collect(),
            resyncs: 0,
        }
    }

    fn connected(&mut self, ctx: &mut Context<Self>) {
        ctx.subscribe(TOPIC);
    }

    fn handle_event(&mut self, event: Event, _: &mut Context<Self>) {
        match event {}
    }

    fn handle_message(&mut self, Msg::Note(n): Msg, _: &mut Context<Self>) {
        self.notes.push(n);
        let extra = self.notes.len().saturating_sub(200);
        self.notes.drain(..extra);
    }

    fn resync(&mut self, _: &mut Context<Self>) {
        self.resyncs += 1;
    }
}

/// What was measured.
pub struct ScaleOut {
    /// (notes, JSON bytes of the state, Redis `MEMORY USAGE` of the record)
    pub stored: Vec<(usize, usize, Option<u64>)>,
    /// open + join → `render` on the instance that never held the page.
    pub resume: Vec<Duration>,
    /// open + join → `joined` on the instance that holds it (a store read included).
    pub reconnect: Vec<Duration>,
    /// `publish` on A → update received by a client of B.
    pub cross: Vec<Duration>,
    /// `publish` on A → update received by a client of A.
    pub local: Vec<Duration>,
    /// Redis restarted: from the restart's start to every client's resync.
    pub outage_resync: Duration,
    /// Of the messages published on A while Redis was down, how many
    /// reached B (any of its clients) before the resync.
    pub lost_delivered: usize,
    pub lost_published: usize,
    pub clients: usize,
}

struct Redis {
    child: Option<Child>,
    port: u16,
    bin: String,
}

impl Redis {
    fn start(bin: &str) -> Option<Redis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let mut r = Redis {
            child: None,
            port,
            bin: bin.to_string(),
        };
        r.spawn().then_some(r)
    }

    fn spawn(&mut self) -> bool {
        let Ok(child) = Command::new(&self.bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            return false;
        };
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn config(url: &str) -> Config {
    let mut c = Config::default();
    c.application.id = Some("bench".into());
    c.application.max_pages = 10_000;
    c.token.keys = vec![KeyConfig {
        id: "k".into(),
        secret_hex: "0123456789abcdef".repeat(4),
    }];
    c.store.redis_url = Some(url.into());
    c.store.key_prefix = "bench".into();
    c
}

async fn instance(url: &str) -> Result<(LiveServer<Board>, String), String> {
    let app = Arc::new(Application::new(config(url)).map_err(|e| e.to_string())?);
    let backends = Backends::connect(&app).await.map_err(|e| e.to_string())?;
    let options = Options {
        max_connections: 10_000,
        ..Options::default()
    };
    let server = LiveServer::with_backends(app, options, backends)
        .await
        .map_err(|e| e.to_string())?;
    let addr = client::start(&server).await;
    Ok((server, addr))
}

async fn join(addr: &str, token: &str, version: u64) -> Result<(Ws, serde_json::Value), String> {
    let mut ws = open(addr, token, None).await?;
    send(
        &mut ws,
        &format!(r#"{{"v":2,"type":"join","version":{version}}}"#),
    )
    .await?;
    let m = tokio::time::timeout(Duration::from_secs(10), next(&mut ws))
        .await
        .map_err(|_| "no answer to join".to_string())?
        .ok_or("closed at join")?;
    Ok((ws, m))
}

/// Waits for the next update frame containing `marker`; when it arrived.
async fn wait_for(ws: &mut Ws, marker: &str) -> Result<Instant, String> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .map_err(|_| format!("`{marker}` did not arrive"))?
            .ok_or("closed")?
            .map_err(|e| e.to_string())?;
        if let Frame::Text(t) = frame {
            if t.contains(marker) {
                return Ok(Instant::now());
            }
        }
    }
}

async fn measure(redis: &mut Redis, quick: bool) -> Result<ScaleOut, String> {
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let _ = START_NOTES.set(20);
    let (a, a_addr) = instance(&url).await?;
    let (_b, b_addr) = instance(&url).await?;
    let rounds = if quick { 30 } else { 300 };

    // Bytes stored per page: the state's JSON, and what Redis holds for
    // it, written as a server writes it (its type name, a writer id).
    let mut stored = Vec::new();
    let store = RedisStore::connect(&config(&url).store, "bench")
        .await
        .map_err(|e| e.to_string())?;
    let mut conn = redis::Client::open(url.as_str())
        .map_err(|e| e.to_string())?
        .get_multiplexed_async_connection()
        .await
        .map_err(|e| e.to_string())?;
    let writer = instance_id();
    for n in [0usize, 20, 200] {
        let state = Board {
            here: 1,
            notes: (0..n).map(note).collect(),
            resyncs: 0,
        };
        let json = serde_json::to_vec(&state).map_err(|e| e.to_string())?;
        let id = format!("stored-{n}");
        let write = Write {
            kind: std::any::type_name::<Board>(),
            writer: &writer,
            state: &json,
        };
        store.save(&id, 0, write).await.map_err(|e| e.to_string())?;
        let usage: Option<u64> = redis::cmd("MEMORY")
            .arg("USAGE")
            .arg(format!("bench:bench:page:{id}"))
            .query_async(&mut conn)
            .await
            .ok()
            .flatten();
        stored.push((n, json.len(), usage));
    }

    // Resume on B (never held there) against reconnecting to A (held there).
    let mut resume = Vec::new();
    let mut reconnect = Vec::new();
    for _ in 0..rounds {
        let token = new_page(&a_addr).await?;
        let t = Instant::now();
        let (ws, m) = join(&a_addr, &token, 0).await?;
        if m["type"] != "joined" {
            return Err(format!("expected joined, got {m}"));
        }
        reconnect.push(t.elapsed());
        drop(ws);
        let t = Instant::now();
        let (ws, m) = join(&b_addr, &token, 0).await?;
        if m["type"] != "render" {
            return Err(format!("expected render, got {m}"));
        }
        resume.push(t.elapsed());
        drop(ws);
    }

    // Broadcast latency: clients on A and on B, messages published on A.
    let clients = if quick { 10 } else { 50 };
    let mut on_a = Vec::new();
    let mut on_b = Vec::new();
    for i in 0..2 * clients {
        let addr = if i % 2 == 0 { &a_addr } else { &b_addr };
        let token = new_page(addr).await?;
        let (ws, _) = join(addr, &token, 0).await?;
        if i % 2 == 0 {
            on_a.push(ws);
        } else {
            on_b.push(ws);
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut cross = Vec::new();
    let mut local = Vec::new();
    let messages = if quick { 20 } else { 100 };
    for i in 0..messages {
        let marker = format!("m{i}x");
        let sent = Instant::now();
        a.publish(
            TOPIC,
            Msg::Note(Note {
                author: "bench".into(),
                text: marker.clone(),
            }),
        );
        let waits_a = on_a.iter_mut().map(|ws| wait_for(ws, &marker));
        let waits_b = on_b.iter_mut().map(|ws| wait_for(ws, &marker));
        let (got_a, got_b) = futures_util::future::join(
            futures_util::future::join_all(waits_a),
            futures_util::future::join_all(waits_b),
        )
        .await;
        for at in got_a {
            local.push(at? - sent);
        }
        for at in got_b {
            cross.push(at? - sent);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Outage: Redis killed, a message published meanwhile, Redis back.
    redis.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lost_published = 3;
    for i in 0..lost_published {
        a.publish(
            TOPIC,
            Msg::Note(Note {
                author: "bench".into(),
                text: format!("lost{i}x"),
            }),
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let restart = Instant::now();
    if !redis.spawn() {
        return Err("redis-server did not restart".into());
    }
    // The resync count shows as an update of `<i>` (the text value "1").
    let mut last = restart;
    // The outage's messages seen at B, each counted once however many
    // clients got it.
    let mut reached = std::collections::BTreeSet::new();
    for ws in on_b.iter_mut() {
        // Reads until the resync's update (the value 1 of `resyncs`).
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(15), ws.next())
                .await
                .map_err(|_| "no resync within 15 s".to_string())?
                .ok_or("closed")?
                .map_err(|e| e.to_string())?;
            if let Frame::Text(t) = frame {
                reached.extend((0..lost_published).filter(|i| t.contains(&format!("lost{i}x"))));
                if t.contains("\"1\"") || t.contains("<i>1</i>") {
                    last = last.max(Instant::now());
                    break;
                }
            }
        }
    }
    let outage_resync = last - restart;
    let lost_delivered = reached.len();
    resume.sort();
    reconnect.sort();
    cross.sort();
    local.sort();
    Ok(ScaleOut {
        stored,
        resume,
        reconnect,
        cross,
        local,
        outage_resync,
        lost_delivered,
        lost_published,
        clients,
    })
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// The section, measured now (`quick`: fewer rounds).
pub fn section(quick: bool) -> String {
    let bin = std::env::var("LT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let Some(mut redis) = Redis::start(&bin) else {
        return format!(
            "## Scale-out (two instances on Redis)\n\nNot measured: `{bin}` could not be started (install redis-server, or set LT_REDIS_SERVER).\n\n"
        );
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return format!("## Scale-out\n\nNot measured: no runtime ({e}).\n\n"),
    };
    let result = runtime.block_on(measure(&mut redis, quick));
    runtime.shutdown_timeout(Duration::from_secs(1));
    redis.kill();
    let s = match result {
        Ok(s) => s,
        Err(e) => {
            return format!("## Scale-out (two instances on Redis)\n\nThe run failed: {e}\n\n")
        }
    };
    let mut w = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(w, "## Scale-out (two instances on Redis)\n");
    let _ = writeln!(
        w,
        "Two `LiveServer`s of one application in this process, each with its own Redis \
         connections (`Backends::connect`), on a `redis-server` 7 started for the run \
         (loopback, no persistence); WebSocket clients of the test suite. Board pages \
         (notes of about 70 bytes each).\n"
    );
    let _ = writeln!(
        w,
        "| stored per page | notes | state JSON (B) | Redis `MEMORY USAGE` (B) |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|");
    for (n, json, usage) in &s.stored {
        let usage = usage.map_or("–".to_string(), |u| u.to_string());
        let _ = writeln!(w, "| board page | {n} | {json} | {usage} |");
    }
    let _ = writeln!(
        w,
        "\n| latency ({} rounds; ms) | P50 | P95 |",
        s.resume.len()
    );
    let _ = writeln!(w, "|---|---:|---:|");
    let _ = writeln!(
        w,
        "| resume on the other instance: open + join → `render` (store read, decode, page built, render) | {} | {} |",
        ms(percentile(&s.resume, 0.50)),
        ms(percentile(&s.resume, 0.95))
    );
    let _ = writeln!(
        w,
        "| reconnect to the instance holding the page: open + join → `joined` (store read included) | {} | {} |",
        ms(percentile(&s.reconnect, 0.50)),
        ms(percentile(&s.reconnect, 0.95))
    );
    let _ = writeln!(
        w,
        "| broadcast, publish on A → update at a client of B ({} clients × {} messages) | {} | {} |",
        s.clients,
        s.cross.len() / s.clients.max(1),
        ms(percentile(&s.cross, 0.50)),
        ms(percentile(&s.cross, 0.95))
    );
    let _ = writeln!(
        w,
        "| broadcast, publish on A → update at a client of A (same instance) | {} | {} |",
        ms(percentile(&s.local, 0.50)),
        ms(percentile(&s.local, 0.95))
    );
    let _ = writeln!(
        w,
        "\n**Outage**: Redis killed (SIGKILL), {} messages published on A meanwhile, Redis \
         started again: every client of B got its page's `resync` update {} ms after the \
         restart began (the broadcaster pings every 500 ms); {} of the {} messages published \
         during the outage reached B: a publish waits for the connection while its retries and \
         the 2 s response timeout last, so a message of a short outage may come late, and one \
         of a longer outage is dropped (Redis pub/sub keeps no history); views reload in \
         `resync`.\n",
        s.lost_published,
        ms(s.outage_resync),
        s.lost_delivered,
        s.lost_published
    );
    w
}
