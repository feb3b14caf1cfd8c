//! The Redis backends (feature `redis`), on `redis-rs`'s `ConnectionManager`:
//! one multiplexed connection per backend that reconnects by itself and,
//! for the broadcaster (RESP3), subscribes again after a reconnect.
//!
//! (`redis-rs` rather than `fred`: the most used Redis client in Rust, a
//! smaller build here, and its `ConnectionManager` gives the two things
//! needed, reconnect and automatic resubscription, without a client pool.)
//!
//! ```text
//! {prefix}:{app id}:page:{page id}   hash { v: version, k: type name, w: writer id, s: state JSON }, PEXPIRE state_ttl
//! {prefix}:{app id}:topic:{topic}    channel: 16 hex digits of the publishing instance, then the payload
//! ```
//!
//! A write is one Lua script (atomic in Redis): it compares the stored
//! `v` with the expected version and writes only when they agree (or
//! nothing is stored). Each instance subscribes once to the pattern
//! `{prefix}:{app id}:topic:*`, so it gets every topic of the application
//! and delivers those its pages subscribe to; its own messages (its id in
//! front) are skipped, as it delivered them itself.
//!
//! **Outages.** While Redis is down, writes fail (the server retries the
//! latest state of each connected page until it lands), loads fail (a
//! page held elsewhere cannot resume here: its client is told the page is
//! gone), and messages published on other instances do not arrive (Redis
//! pub/sub keeps no history). A task pings every 500 ms, which makes the
//! manager reconnect; when it is back, the subscription is restored and the
//! server is given [`Delivery::Resync`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, IntoConnectionInfo, ProtocolVersion, PushInfo, PushKind, Script, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{
    instance_id, BackendError, Backends, BoxFuture, Broadcaster, Delivery, PageStore, Sink,
    StoredPage, Write,
};
use crate::StoreConfig;

const BACKEND: &str = "redis";

/// Compare-and-set of one page's record (see the module docs).
const SAVE: &str = r"
local cur = redis.call('HMGET', KEYS[1], 'v', 'w')
if cur[1] and cur[1] ~= ARGV[1] then return {cur[1], cur[2] or ''} end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'k', ARGV[3], 'w', ARGV[4], 's', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return false
";

/// Both Redis backends of `app_id` on `config.redis_url`, connected.
pub async fn connect(config: &StoreConfig, app_id: &str) -> Result<Backends, BackendError> {
    let store = RedisStore::connect(config, app_id).await?;
    let broadcaster = RedisBroadcaster::connect(config, app_id).await?;
    Ok(Backends {
        store: Arc::new(store),
        broadcaster: Arc::new(broadcaster),
    })
}

fn unavailable(e: impl std::fmt::Display) -> BackendError {
    BackendError::Unavailable {
        backend: BACKEND,
        reason: e.to_string(),
    }
}

/// A client for `config.redis_url` speaking RESP3 (pushes on the command
/// connection), and the URL as it may be shown.
fn client(config: &StoreConfig) -> Result<(Client, String), BackendError> {
    let Some(url) = config.redis_url.as_deref() else {
        return Err(BackendError::Config {
            field: "store.redis_url",
            reason: "no Redis URL is configured".into(),
        });
    };
    let shown = config.redacted_url().unwrap_or_default();
    let bad = |e: redis::RedisError| BackendError::Config {
        field: "store.redis_url",
        reason: format!("`{shown}`: {e}"),
    };
    let info = url.into_connection_info().map_err(bad)?;
    let settings = info
        .redis_settings()
        .clone()
        .set_protocol(ProtocolVersion::RESP3);
    let client = Client::open(info.set_redis_settings(settings)).map_err(bad)?;
    Ok((client, shown))
}

fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_max_delay(Duration::from_secs(1))
}

async fn manager(
    config: &StoreConfig,
    manager: ConnectionManagerConfig,
) -> Result<ConnectionManager, BackendError> {
    let (client, shown) = client(config)?;
    client
        .get_connection_manager_with_config(manager)
        .await
        .map_err(|e| unavailable(format!("cannot connect to `{shown}`: {e}")))
}

/// Pages' states in Redis hashes.
pub struct RedisStore {
    conn: ConnectionManager,
    /// `{prefix}:{app id}:page:`
    keys: String,
    ttl_ms: u64,
    save: Script,
}

impl RedisStore {
    /// Connects to `config.redis_url`; records of application `app_id`
    /// live under `config.key_prefix` for `config.state_ttl` after their
    /// last write.
    pub async fn connect(config: &StoreConfig, app_id: &str) -> Result<RedisStore, BackendError> {
        let conn = manager(config, manager_config()).await?;
        Ok(RedisStore {
            conn,
            keys: format!("{}:{app_id}:page:", config.key_prefix),
            ttl_ms: u64::try_from(config.state_ttl.as_millis())
                .unwrap_or(u64::MAX)
                .max(1),
            save: Script::new(SAVE),
        })
    }

    fn key(&self, page_id: &str) -> String {
        format!("{}{page_id}", self.keys)
    }
}

impl PageStore for RedisStore {
    fn load<'a>(
        &'a self,
        page_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredPage>, BackendError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let fields: HashMap<String, Vec<u8>> = redis::cmd("HGETALL")
                .arg(self.key(page_id))
                .query_async(&mut conn)
                .await
                .map_err(unavailable)?;
            if fields.is_empty() {
                return Ok(None);
            }
            let corrupt = |reason: &str| BackendError::Corrupt {
                page_id: page_id.to_string(),
                reason: reason.to_string(),
            };
            let version = fields
                .get("v")
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| corrupt("no version"))?;
            let kind = fields
                .get("k")
                .and_then(|k| String::from_utf8(k.clone()).ok())
                .ok_or_else(|| corrupt("no type name"))?;
            let state = fields
                .get("s")
                .cloned()
                .ok_or_else(|| corrupt("no state"))?;
            let writer = fields
                .get("w")
                .and_then(|w| String::from_utf8(w.clone()).ok())
                .unwrap_or_default();
            Ok(Some(StoredPage {
                version,
                kind,
                state,
                writer,
            }))
        })
    }

    fn save<'a>(
        &'a self,
        page_id: &'a str,
        expected: u64,
        write: Write<'a>,
    ) -> BoxFuture<'a, Result<u64, BackendError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let version = expected + 1;
            let held: Option<(String, String)> = self
                .save
                .key(self.key(page_id))
                .arg(expected)
                .arg(version)
                .arg(write.kind)
                .arg(write.writer)
                .arg(write.state)
                .arg(self.ttl_ms)
                .invoke_async(&mut conn)
                .await
                .map_err(unavailable)?;
            match held {
                None => Ok(version),
                Some((stored, writer)) => Err(BackendError::Conflict {
                    page_id: page_id.to_string(),
                    expected,
                    stored: stored.parse().unwrap_or(0),
                    ours: writer == write.writer,
                }),
            }
        })
    }

    fn remove<'a>(&'a self, page_id: &'a str) -> BoxFuture<'a, Result<(), BackendError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            redis::cmd("DEL")
                .arg(self.key(page_id))
                .query_async::<i64>(&mut conn)
                .await
                .map_err(unavailable)?;
            Ok(())
        })
    }
}

/// Broadcasts through Redis pub/sub.
pub struct RedisBroadcaster {
    conn: ConnectionManager,
    /// `{prefix}:{app id}:topic:`
    channels: String,
    /// 16 hex digits, in front of every payload this instance publishes.
    instance: String,
    pushes: Mutex<Option<mpsc::UnboundedReceiver<PushInfo>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl RedisBroadcaster {
    /// Connects to `config.redis_url` for application `app_id`'s topics
    /// under `config.key_prefix`.
    pub async fn connect(
        config: &StoreConfig,
        app_id: &str,
    ) -> Result<RedisBroadcaster, BackendError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let conn = manager(
            config,
            manager_config()
                .set_push_sender(tx)
                .set_automatic_resubscription(),
        )
        .await?;
        Ok(RedisBroadcaster {
            conn,
            channels: format!("{}:{app_id}:topic:", config.key_prefix),
            instance: instance_id(),
            pushes: Mutex::new(Some(rx)),
            tasks: Mutex::new(Vec::new()),
        })
    }

    /// This instance's id, in front of what it publishes.
    pub fn instance_id(&self) -> &str {
        &self.instance
    }
}

/// The push's bulk strings as bytes.
fn bytes(value: &Value) -> Option<&[u8]> {
    match value {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.as_bytes()),
        _ => None,
    }
}

impl Broadcaster for RedisBroadcaster {
    fn start(&self, sink: Sink) -> BoxFuture<'_, Result<(), BackendError>> {
        Box::pin(async move {
            let Some(mut pushes) = self.pushes.lock().unwrap_or_else(|e| e.into_inner()).take()
            else {
                return Err(BackendError::Config {
                    field: "store",
                    reason: "a Redis broadcaster is started once, by one server".into(),
                });
            };
            let mut conn = self.conn.clone();
            conn.psubscribe(format!("{}*", self.channels))
                .await
                .map_err(unavailable)?;
            let lost = Arc::new(AtomicBool::new(false));
            let channels = self.channels.clone();
            let me = self.instance.clone();
            let receive = {
                let (lost, sink) = (Arc::clone(&lost), Arc::clone(&sink));
                tokio::spawn(async move {
                    while let Some(push) = pushes.recv().await {
                        match push.kind {
                            PushKind::Disconnection => {
                                lose(&lost, "redis broadcaster disconnected")
                            }
                            PushKind::PSubscribe => resynced(&lost, &sink),
                            PushKind::PMessage => {
                                // [pattern, channel, payload]
                                let (Some(channel), Some(payload)) = (
                                    push.data.get(1).and_then(bytes),
                                    push.data.get(2).and_then(bytes),
                                ) else {
                                    continue;
                                };
                                let Some(topic) = std::str::from_utf8(channel)
                                    .ok()
                                    .and_then(|c| c.strip_prefix(channels.as_str()))
                                else {
                                    continue;
                                };
                                if payload.len() < 16 || &payload[..16] == me.as_bytes() {
                                    continue;
                                }
                                sink(Delivery::Message {
                                    topic: topic.to_string(),
                                    payload: payload[16..].to_vec(),
                                });
                            }
                            _ => {}
                        }
                    }
                })
            };
            // Pings make the manager notice a dead server and reconnect
            // (which subscribes again). A ping that answers after a loss
            // does not prove the subscription is back: the manager may not
            // have sent it yet, and a page that resynced before it would
            // miss what is published in between. So the pattern is
            // subscribed again (Redis keeps one subscription per pattern)
            // and the pages resync once that is confirmed.
            let pattern = format!("{}*", self.channels);
            let ping = {
                let mut conn = self.conn.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(Duration::from_millis(500));
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        tick.tick().await;
                        let ok = redis::cmd("PING")
                            .query_async::<Value>(&mut conn)
                            .await
                            .is_ok();
                        if !ok {
                            lose(&lost, "redis broadcaster cannot reach redis");
                        } else if lost.load(Ordering::Acquire)
                            && conn.psubscribe(&pattern).await.is_ok()
                        {
                            resynced(&lost, &sink);
                        }
                    }
                })
            };
            self.tasks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend([receive, ping]);
            Ok(())
        })
    }

    fn publish<'a>(
        &'a self,
        topic: &'a str,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), BackendError>> {
        Box::pin(async move {
            let mut message = Vec::with_capacity(16 + payload.len());
            message.extend_from_slice(self.instance.as_bytes());
            message.extend_from_slice(payload);
            let mut conn = self.conn.clone();
            redis::cmd("PUBLISH")
                .arg(format!("{}{topic}", self.channels))
                .arg(message)
                .query_async::<i64>(&mut conn)
                .await
                .map_err(unavailable)?;
            Ok(())
        })
    }
}

/// Marks the subscription lost (logged once per loss).
fn lose(lost: &AtomicBool, why: &str) {
    if !lost.swap(true, Ordering::AcqRel) {
        tracing::warn!("{why}");
    }
}

/// After a loss, the first sign of the subscription being back: tell the
/// server once.
fn resynced(lost: &AtomicBool, sink: &Sink) {
    if lost.swap(false, Ordering::AcqRel) {
        tracing::info!("redis broadcaster back: pages resync");
        sink(Delivery::Resync);
    }
}

impl Drop for RedisBroadcaster {
    fn drop(&mut self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            task.abort();
        }
    }
}
