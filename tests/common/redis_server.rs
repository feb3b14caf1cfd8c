//! A `redis-server` of the test's own, on a free loopback port, killed when
//! dropped (and its pid written to `$LT_TEST_PIDS`, so that test.sh kills
//! it should the test process die first). Tests that need Redis never
//! skip: without `redis-server` (on PATH or `$LT_REDIS_SERVER`) they fail
//! and say how to get it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    /// With an append-only file, fsynced at every write.
    persistent: bool,
}

fn binary() -> String {
    std::env::var("LT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// True when `PING` on 127.0.0.1:`port` answers `+PONG`.
fn pings(port: u16) -> bool {
    let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = tcp.set_read_timeout(Some(Duration::from_millis(500)));
    if tcp.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    tcp.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

impl RedisServer {
    /// Starts a server with an append-only file (so that a restart keeps
    /// the data, as a production Redis does) in a fresh directory.
    pub fn start() -> RedisServer {
        RedisServer::start_with(true)
    }

    /// Starts a server that keeps nothing on disk (faster under load).
    pub fn start_in_memory() -> RedisServer {
        RedisServer::start_with(false)
    }

    fn start_with(persistent: bool) -> RedisServer {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("lt-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut server = RedisServer {
            child: None,
            port,
            dir,
            persistent,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new(binary())
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(if self.persistent {
                ["--appendonly", "yes", "--appendfsync", "always"]
            } else {
                ["--appendonly", "no", "--appendfsync", "no"]
            })
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start `{}` ({e}): install Debian's redis-server (test.sh does), or set LT_REDIS_SERVER",
                    binary()
                )
            });
        if let Ok(path) = std::env::var("LT_TEST_PIDS") {
            if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(path) {
                let _ = writeln!(f, "{}", child.id());
            }
        }
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !pings(self.port) {
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not answer within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `redis://127.0.0.1:port`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (as a crash would: no shutdown save).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, with the same data directory.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A key prefix of this test's own (tests share a server in CI).
pub fn prefix(name: &str) -> String {
    format!("t{}-{name}", std::process::id())
}

/// The Redis of test.sh (`$LT_REDIS_URL`), or else one of this test's own
/// (kept alive by the returned guard).
pub fn shared() -> (Option<RedisServer>, String) {
    match std::env::var("LT_REDIS_URL") {
        Ok(url) if !url.is_empty() => (None, url),
        _ => {
            let server = RedisServer::start_in_memory();
            let url = server.url();
            (Some(server), url)
        }
    }
}
