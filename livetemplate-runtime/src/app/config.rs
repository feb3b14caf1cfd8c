//! [`Config`]: the live runtime's settings, nested as the seed's `Config`
//! (`application`, `page`, `token`, `memory`, `metrics`), with the seed's
//! defaults, and `store` (Redis, for several instances).
//!
//! A file is JSON (serde_json is already a dependency; TOML would add one).
//! Every field may be left out and keeps its default; an unknown field is an
//! error, so that a typo does not silently keep a default. Durations are a
//! number of seconds or a string with a unit: `"250ms"`, `"30s"`, `"5m"`,
//! `"1h"`, `"1d"`. Byte sizes are a number of bytes or a string with a unit:
//! `"512KiB"`, `"10MiB"`, `"1GiB"` (also `KB`/`MB`/`GB` for powers of 1000).
//!
//! ```json
//! {
//!   "application": { "max_pages": 10000, "page_ttl": "30m" },
//!   "token": { "ttl": "12h", "keys": [{ "id": "2026-12", "secret_hex": "…64 hex digits or more…" }] },
//!   "memory": { "max_total_bytes": "2GiB" }
//! }
//! ```

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::error::Error;

/// Shortest HS256 key accepted: 32 bytes (the hash's output size, RFC 7518 §3.2).
pub const MIN_KEY_BYTES: usize = 32;

/// Longest application id, page id or key id.
pub const MAX_ID_LEN: usize = 64;

/// All settings of an [`Application`](crate::Application).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub application: ApplicationConfig,
    pub page: PageConfig,
    pub token: TokenConfig,
    pub memory: MemoryConfig,
    pub metrics: MetricsConfig,
    pub store: StoreConfig,
}

/// Pages and their lifetime.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationConfig {
    /// The application's id. Instances of one deployment that must verify
    /// each other's tokens share it (and the keyring); `None`: 128 random
    /// bits from the operating system's CSPRNG, as hex.
    pub id: Option<String>,
    /// Pages held at once; more are refused with `PageLimitExceeded`. Default 1000.
    pub max_pages: usize,
    /// A page not touched (rendered, updated, looked up) for this long
    /// expires. Default 1 hour.
    #[serde(deserialize_with = "de_duration")]
    pub page_ttl: Duration,
    /// How often the cleanup task removes expired pages. Default 5 minutes.
    #[serde(deserialize_with = "de_duration")]
    pub cleanup_interval: Duration,
}

/// One page.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PageConfig {
    /// Bytes one page may hold beyond its state (its rendered tree and
    /// what the client is known to hold). A page over it degrades: it drops
    /// the client cache, then its tree, and sends whole renders until it
    /// fits again. Default 10 MiB (the seed's 10 MB).
    #[serde(deserialize_with = "de_bytes")]
    pub max_memory_bytes: usize,
}

/// Page tokens (HS256 JWTs).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenConfig {
    /// Lifetime of a token (`exp - iat`). Default 24 hours.
    #[serde(deserialize_with = "de_duration")]
    pub ttl: Duration,
    /// After a page is given a new token, its previous token keeps
    /// working this long (reconnects in flight), then is refused as
    /// `Replaced`. Default 5 minutes.
    #[serde(deserialize_with = "de_duration")]
    pub nonce_window: Duration,
    /// Clock skew allowed on `exp`, `nbf` and `iat`. Default 5 seconds.
    #[serde(deserialize_with = "de_duration")]
    pub leeway: Duration,
    /// The keyring. The first key signs; the others only verify (tokens
    /// of a previous key, while they live). Empty: one random key,
    /// created at start (tokens then die with the process).
    pub keys: Vec<KeyConfig>,
}

/// One signing key of the keyring.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// The token header's `kid`: 1 to 64 of `A-Z a-z 0-9 - _ .`.
    pub id: String,
    /// The secret as hex, at least 32 bytes (64 hex digits).
    pub secret_hex: String,
}

impl fmt::Debug for KeyConfig {
    // Never print a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyConfig")
            .field("id", &self.id)
            .field("secret_hex", &"<redacted>")
            .finish()
    }
}

/// The application's memory.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryConfig {
    /// Bytes all pages of the application may hold together (the sum of
    /// their estimates); a new page beyond it is refused with
    /// `MemoryBudgetExceeded`. `health()` is degraded above 80%. Default 1 GiB.
    #[serde(deserialize_with = "de_bytes")]
    pub max_total_bytes: usize,
}

/// What is measured.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Count pages, updates, strategies and latency. Default true.
    pub enabled: bool,
    /// Also measure the JSON bytes of every update (one serialisation into
    /// a byte counter per update) for the bandwidth figures. Default true.
    pub bandwidth: bool,
}

/// Where pages' states and broadcasts go when several instances serve one
/// application (the serving layer's `PageStore` and `Broadcaster`).
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// `redis://host:port/db` (feature `redis` of `livetemplate`): states
    /// and broadcasts go through this Redis, so that any instance sharing
    /// the application's id and keyring resumes any page and every
    /// instance gets every broadcast. `None` (the default): in memory, one
    /// process.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and channel, followed by `:` and the
    /// application id: 1 to 64 of `A-Z a-z 0-9 - _ .`. Default `livetemplate`.
    pub key_prefix: String,
    /// A stored state not written for this long is dropped (each write
    /// starts it again); a token presented after that gets a new page.
    /// Default 24 hours (the token TTL's default).
    #[serde(deserialize_with = "de_duration")]
    pub state_ttl: Duration,
}

impl fmt::Debug for StoreConfig {
    // A Redis URL may carry a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreConfig")
            .field("redis_url", &self.redacted_url())
            .field("key_prefix", &self.key_prefix)
            .field("state_ttl", &self.state_ttl)
            .finish()
    }
}

impl StoreConfig {
    /// `redis_url` with its password (if any) replaced: for logs and errors.
    pub fn redacted_url(&self) -> Option<String> {
        self.redis_url.as_deref().map(redact_url)
    }
}

/// `url` with its password (if any) replaced.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(u, _)| u);
            format!("{scheme}://{user}:<redacted>@{host}{path}")
        }
        None => url.to_string(),
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            redis_url: None,
            key_prefix: "livetemplate".into(),
            state_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

impl Default for ApplicationConfig {
    fn default() -> Self {
        ApplicationConfig {
            id: None,
            max_pages: 1000,
            page_ttl: Duration::from_secs(3600),
            cleanup_interval: Duration::from_secs(300),
        }
    }
}

impl Default for PageConfig {
    fn default() -> Self {
        PageConfig {
            max_memory_bytes: 10 << 20,
        }
    }
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            ttl: Duration::from_secs(24 * 3600),
            nonce_window: Duration::from_secs(300),
            leeway: Duration::from_secs(5),
            keys: Vec::new(),
        }
    }
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            max_total_bytes: 1 << 30,
        }
    }
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            enabled: true,
            bandwidth: true,
        }
    }
}

impl Config {
    /// Reads a JSON file over the defaults and validates the result.
    /// Errors name the file and the offending field.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::ConfigInvalid {
            op: "load_config",
            field: String::new(),
            message: format!("cannot read {}: {e}", path.display()),
            source: Some(Box::new(e)),
        })?;
        Config::from_json(&text).map_err(|e| match e {
            Error::ConfigInvalid {
                field,
                message,
                source,
                ..
            } => Error::ConfigInvalid {
                op: "load_config",
                field,
                message: format!("{}: {message}", path.display()),
                source,
            },
            e => e,
        })
    }

    /// Parses JSON text over the defaults and validates the result.
    pub fn from_json(text: &str) -> Result<Config, Error> {
        let config: Config = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            Error::ConfigInvalid {
                op: "parse_config",
                field: field_of(&message),
                message,
                source: Some(Box::new(e)),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Refuses settings that cannot work, naming the field.
    pub fn validate(&self) -> Result<(), Error> {
        let a = &self.application;
        if let Some(id) = &a.id {
            check_id("application.id", id)?;
        }
        if a.max_pages == 0 {
            return Err(Error::config("application.max_pages", "must be at least 1"));
        }
        if a.page_ttl.is_zero() {
            return Err(Error::config(
                "application.page_ttl",
                "must be longer than zero",
            ));
        }
        if a.cleanup_interval.is_zero() {
            return Err(Error::config(
                "application.cleanup_interval",
                "must be longer than zero",
            ));
        }
        if a.cleanup_interval > a.page_ttl {
            return Err(Error::config(
                "application.cleanup_interval",
                format!(
                    "{:?} is longer than application.page_ttl ({:?}): expired pages would outlive their TTL",
                    a.cleanup_interval, a.page_ttl
                ),
            ));
        }
        if self.page.max_memory_bytes == 0 {
            return Err(Error::config("page.max_memory_bytes", "must be at least 1"));
        }
        let t = &self.token;
        t.keyring()?;
        if t.nonce_window.is_zero() {
            return Err(Error::config(
                "token.nonce_window",
                "must be longer than zero",
            ));
        }
        if t.nonce_window > t.ttl {
            return Err(Error::config(
                "token.nonce_window",
                format!(
                    "{:?} is longer than token.ttl ({:?})",
                    t.nonce_window, t.ttl
                ),
            ));
        }
        if t.leeway >= t.ttl {
            return Err(Error::config(
                "token.leeway",
                format!("{:?} is not shorter than token.ttl ({:?})", t.leeway, t.ttl),
            ));
        }
        let st = &self.store;
        check_id("store.key_prefix", &st.key_prefix)?;
        if st.state_ttl < Duration::from_millis(1) {
            return Err(Error::config("store.state_ttl", "must be at least 1 ms"));
        }
        if let Some(url) = &st.redis_url {
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                return Err(Error::config(
                    "store.redis_url",
                    format!("`{}` is not a redis:// or rediss:// URL", redact_url(url)),
                ));
            }
        }
        if self.memory.max_total_bytes < self.page.max_memory_bytes {
            return Err(Error::config(
                "memory.max_total_bytes",
                format!(
                    "{} bytes is less than one page may hold (page.max_memory_bytes = {})",
                    self.memory.max_total_bytes, self.page.max_memory_bytes
                ),
            ));
        }
        Ok(())
    }
}

impl TokenConfig {
    /// Checks what the token service itself needs (a TTL of whole seconds,
    /// valid and distinct key ids, secrets of at least 32 bytes) and
    /// returns the keys as `(kid, secret)`, the first the signing one.
    /// [`Config::validate`] and the token service share this one check.
    pub(crate) fn keyring(&self) -> Result<Vec<(&str, Vec<u8>)>, Error> {
        if self.ttl < Duration::from_secs(1) {
            return Err(Error::config("token.ttl", "must be at least 1 second"));
        }
        let mut keys: Vec<(&str, Vec<u8>)> = Vec::with_capacity(self.keys.len());
        for (i, k) in self.keys.iter().enumerate() {
            check_id(&format!("token.keys[{i}].id"), &k.id)?;
            if keys.iter().any(|(kid, _)| *kid == k.id) {
                return Err(Error::config(
                    format!("token.keys[{i}].id"),
                    format!("`{}` is used by an earlier key", k.id),
                ));
            }
            let secret = decode_secret(&format!("token.keys[{i}].secret_hex"), &k.secret_hex)?;
            keys.push((&k.id, secret));
        }
        Ok(keys)
    }
}

/// True for a valid application, page or key id: 1 to 64 of
/// `A-Z a-z 0-9 - _ .` (nothing path-like, nothing to escape).
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && id != "."
        && id != ".."
}

pub(crate) fn check_id(field: &str, id: &str) -> Result<(), Error> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(Error::config(
            field,
            format!("must be 1 to {MAX_ID_LEN} of A-Z a-z 0-9 - _ ."),
        ))
    }
}

/// The bytes of a hex secret, at least [`MIN_KEY_BYTES`] long. The error
/// never repeats the secret.
pub(crate) fn decode_secret(field: &str, hex: &str) -> Result<Vec<u8>, Error> {
    let hex = hex.trim();
    if !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::config(field, "must be hex digits (an even number)"));
    }
    let nibble = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    };
    let bytes: Vec<u8> = hex
        .as_bytes()
        .chunks(2)
        .map(|p| nibble(p[0]) << 4 | nibble(p[1]))
        .collect();
    if bytes.len() < MIN_KEY_BYTES {
        return Err(Error::config(
            field,
            format!(
                "is {} bytes; an HS256 key needs at least {MIN_KEY_BYTES} bytes ({} hex digits)",
                bytes.len(),
                2 * MIN_KEY_BYTES
            ),
        ));
    }
    Ok(bytes)
}

/// The field a serde_json message names (`unknown field `x``), or "".
fn field_of(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("unknown field") || message.starts_with("invalid"))
        .unwrap_or_default()
        .to_string()
}

/// Parses `"250ms"`, `"30s"`, `"5m"`, `"1h"`, `"1d"`, or plain seconds.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let ms = match unit.trim() {
        "ms" => 1,
        "" | "s" => 1000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    Some(Duration::from_millis(n.checked_mul(ms)?))
}

/// Parses `"512KiB"`, `"10MiB"`, `"1GiB"`, `"10MB"`, `"4096"` (bytes).
pub fn parse_bytes(s: &str) -> Option<usize> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: usize = num.parse().ok()?;
    let mult: usize = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Duration;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("seconds, or a string such as \"250ms\", \"30s\", \"5m\", \"1h\", \"1d\"")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
            Ok(Duration::from_secs(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
            parse_duration(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    d.deserialize_any(V)
}

fn de_bytes<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("bytes, or a string such as \"512KiB\", \"10MiB\", \"1GiB\"")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
            usize::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
            parse_bytes(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<Config, Error>) -> String {
        match r {
            Err(Error::ConfigInvalid { field, .. }) => field,
            other => panic!("expected ConfigInvalid, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_seeds() {
        let c = Config::default();
        assert_eq!(c.application.max_pages, 1000);
        assert_eq!(c.application.page_ttl, Duration::from_secs(3600));
        assert_eq!(c.application.cleanup_interval, Duration::from_secs(300));
        assert_eq!(c.token.ttl, Duration::from_secs(86_400));
        assert_eq!(c.token.nonce_window, Duration::from_secs(300));
        assert_eq!(c.page.max_memory_bytes, 10 * 1024 * 1024);
        assert!(c.metrics.enabled);
        c.validate().unwrap();
    }

    #[test]
    fn json_over_defaults() {
        let c = Config::from_json(
            r#"{"application": {"max_pages": 5, "page_ttl": "30m"},
                "token": {"ttl": 7200, "nonce_window": "90s"},
                "memory": {"max_total_bytes": "2GiB"}}"#,
        )
        .unwrap();
        assert_eq!(c.application.max_pages, 5);
        assert_eq!(c.application.page_ttl, Duration::from_secs(1800));
        assert_eq!(c.application.cleanup_interval, Duration::from_secs(300));
        assert_eq!(c.token.ttl, Duration::from_secs(7200));
        assert_eq!(c.token.nonce_window, Duration::from_secs(90));
        assert_eq!(c.memory.max_total_bytes, 2 << 30);
    }

    #[test]
    fn nonsense_is_refused_by_field() {
        let cases = [
            (
                r#"{"application": {"max_pages": 0}}"#,
                "application.max_pages",
            ),
            (
                r#"{"application": {"page_ttl": 0}}"#,
                "application.page_ttl",
            ),
            (
                r#"{"application": {"cleanup_interval": "0s"}}"#,
                "application.cleanup_interval",
            ),
            (
                r#"{"application": {"page_ttl": "1m", "cleanup_interval": "5m"}}"#,
                "application.cleanup_interval",
            ),
            (r#"{"application": {"id": "../etc"}}"#, "application.id"),
            (r#"{"application": {"id": ""}}"#, "application.id"),
            (r#"{"token": {"ttl": 0}}"#, "token.ttl"),
            (r#"{"token": {"nonce_window": "0s"}}"#, "token.nonce_window"),
            (
                r#"{"token": {"ttl": "1m", "nonce_window": "5m"}}"#,
                "token.nonce_window",
            ),
            (
                r#"{"token": {"ttl": "10s", "leeway": "10s", "nonce_window": "1s"}}"#,
                "token.leeway",
            ),
            (
                r#"{"token": {"keys": [{"id": "k", "secret_hex": "00112233"}]}}"#,
                "token.keys[0].secret_hex",
            ),
            (
                r#"{"token": {"keys": [{"id": "k", "secret_hex": "zz"}]}}"#,
                "token.keys[0].secret_hex",
            ),
            (
                r#"{"page": {"max_memory_bytes": 0}}"#,
                "page.max_memory_bytes",
            ),
            (
                r#"{"memory": {"max_total_bytes": "1KiB"}}"#,
                "memory.max_total_bytes",
            ),
            (r#"{"application": {"max_pagez": 3}}"#, "max_pagez"),
            (r#"{"application": {"page_ttl": "an hour"}}"#, ""),
            (r#"{"store": {"key_prefix": ""}}"#, "store.key_prefix"),
            (r#"{"store": {"key_prefix": "a*b"}}"#, "store.key_prefix"),
            (r#"{"store": {"state_ttl": 0}}"#, "store.state_ttl"),
            (
                r#"{"store": {"redis_url": "http://127.0.0.1:6379"}}"#,
                "store.redis_url",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(field(Config::from_json(json)), want, "{json}");
        }
        let key = "ab".repeat(32);
        let dup = format!(
            r#"{{"token": {{"keys": [{{"id": "k", "secret_hex": "{key}"}}, {{"id": "k", "secret_hex": "{key}"}}]}}}}"#
        );
        assert_eq!(field(Config::from_json(&dup)), "token.keys[1].id");
    }

    #[test]
    fn the_store_section_reads_and_hides_a_redis_password() {
        let c = Config::from_json(
            r#"{"store": {"redis_url": "redis://app:s3cr3t-pw@db.internal:6380/2", "key_prefix": "shop", "state_ttl": "2h"}}"#,
        )
        .unwrap();
        assert_eq!(c.store.key_prefix, "shop");
        assert_eq!(c.store.state_ttl, Duration::from_secs(7200));
        assert_eq!(
            c.store.redacted_url().unwrap(),
            "redis://app:<redacted>@db.internal:6380/2"
        );
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t-pw"), "{shown}");
        assert!(shown.contains("db.internal:6380"), "{shown}");
        // A URL with a password and no user, or none at all.
        let mut s = StoreConfig::default();
        assert_eq!(s.redacted_url(), None);
        s.redis_url = Some("redis://:pw@h:1".into());
        assert_eq!(s.redacted_url().unwrap(), "redis://:<redacted>@h:1");
        s.redis_url = Some("redis://h:1/0".into());
        assert_eq!(s.redacted_url().unwrap(), "redis://h:1/0");
        // A bad URL's error does not show the password either.
        let e =
            Config::from_json(r#"{"store": {"redis_url": "tcp://u:pw123456@h:1"}}"#).unwrap_err();
        assert!(!e.to_string().contains("pw123456"), "{e}");
    }

    #[test]
    fn errors_never_repeat_a_secret() {
        let secret = "c0ffee".repeat(5); // 15 bytes: too short
        let json = format!(r#"{{"token": {{"keys": [{{"id": "k", "secret_hex": "{secret}"}}]}}}}"#);
        let e = Config::from_json(&json).unwrap_err();
        assert!(!e.to_string().contains(&secret), "{e}");
        assert!(!format!("{e:?}").contains(&secret));
        let c = KeyConfig {
            id: "k".into(),
            secret_hex: "ab".repeat(32),
        };
        assert!(!format!("{c:?}").contains("abab"));
    }

    #[test]
    fn load_names_the_file() {
        let dir = std::env::temp_dir().join(format!("lt-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("live.json");
        std::fs::write(&path, r#"{"application": {"max_pages": 0}}"#).unwrap();
        let e = Config::load(&path).unwrap_err();
        assert!(e.to_string().contains("live.json"), "{e}");
        assert!(e.to_string().contains("application.max_pages"), "{e}");
        std::fs::write(&path, r#"{"application": {"max_pages": 7}}"#).unwrap();
        assert_eq!(Config::load(&path).unwrap().application.max_pages, 7);
        let missing = Config::load(dir.join("nope.json")).unwrap_err();
        assert!(missing.to_string().contains("nope.json"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn units() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_duration("99999999999999999999d"), None);
        assert_eq!(parse_bytes("10MiB"), Some(10 << 20));
        assert_eq!(parse_bytes("3MB"), Some(3_000_000));
        assert_eq!(parse_bytes("-1"), None);
    }
}
