//! `LiveServer`'s edges over a real socket (loopback only): the event rate
//! limit, the connection cap, a page that is gone, a newer connection
//! taking over, the join, protocol versions and forged tokens, a bad
//! Origin, and typed events decoded from the browser's strings.

use std::sync::Arc;
use std::time::Duration;

use livetemplate::serve::{Context, LiveServer, LiveView, MountRequest, Options};
use livetemplate::{live_template, Application, Config};
use serde::{Deserialize, Serialize};

#[path = "common/live_client.rs"]
mod client;
use client::{connect, get, new_page, next, open, send, start};

#[live_template(source = "<p>{{.n}}</p><p>{{.last}}</p>")]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Counter {
    n: u64,
    last: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Event {
    Add { by: u64 },
    Say { text: String, loud: bool },
}

impl LiveView for Counter {
    type Event = Event;
    type Message = ();

    async fn mount(_: &MountRequest) -> Self {
        Counter {
            n: 0,
            last: String::new(),
        }
    }

    fn handle_event(&mut self, event: Event, _: &mut Context<Self>) {
        match event {
            Event::Add { by } => self.n += by,
            Event::Say { text, loud } => self.last = if loud { text.to_uppercase() } else { text },
        }
    }
}

/// A server on 127.0.0.1:0 with these options; its address.
async fn serve(options: Options) -> (LiveServer<Counter>, String) {
    let app = Arc::new(Application::new(Config::default()).unwrap());
    let server = LiveServer::<Counter>::with_options(app, options);
    let addr = start(&server).await;
    (server, addr)
}

const ADD: &str = r#"{"v":2,"type":"event","action":"add","values":{"by":"1"}}"#;

#[tokio::test]
async fn typed_events_from_strings_and_refusals_that_change_nothing() {
    let (_server, addr) = serve(Options::default()).await;
    let mut ws = connect(&addr).await.unwrap();
    send(
        &mut ws,
        r#"{"v":2,"type":"event","action":"say","values":{"text":"hi","loud":"true"}}"#,
    )
    .await
    .unwrap();
    let m = next(&mut ws).await.unwrap();
    assert_eq!(
        (m["type"].as_str(), m["version"].as_u64()),
        (Some("update"), Some(1)),
        "{m}"
    );
    assert!(m.to_string().contains("HI"), "{m}");
    for (bad, code) in [
        (
            r#"{"v":2,"type":"event","action":"sub","values":{}}"#,
            "unknown_action",
        ),
        (
            r#"{"v":2,"type":"event","action":"add","values":{"by":"-1"}}"#,
            "bad_values",
        ),
        (r#"{"v":2,"type":"event","action":"add"}"#, "bad_values"),
        (
            r#"{"v":7,"type":"event","action":"add","values":{"by":"1"}}"#,
            "unsupported_version",
        ),
        (r#"{"v":2,"type":"join","version":0}"#, "malformed"),
        ("][", "malformed"),
    ] {
        send(&mut ws, bad).await.unwrap();
        let m = next(&mut ws).await.unwrap();
        assert_eq!(
            (m["type"].as_str(), m["code"].as_str()),
            (Some("error"), Some(code)),
            "{bad}: {m}"
        );
    }
    // Nothing above changed the state: the next update is version 2, n = 1.
    send(&mut ws, ADD).await.unwrap();
    let m = next(&mut ws).await.unwrap();
    assert_eq!(m["version"], 2, "{m}");
    // n as a changed value, or in the root's replacement when smaller
    let m = m.to_string();
    assert!(m.contains("\"1\"") || m.contains("<p>1</p>"), "{m}");
}

#[tokio::test]
async fn events_over_the_rate_are_refused() {
    let options = Options {
        events_per_second: 0.5,
        event_burst: 3.0,
        ..Options::default()
    };
    let (_server, addr) = serve(options).await;
    let mut ws = connect(&addr).await.unwrap();
    for _ in 0..10 {
        send(&mut ws, ADD).await.unwrap();
    }
    let (mut updates, mut limited) = (0, 0);
    for _ in 0..10 {
        let m = next(&mut ws).await.unwrap();
        match (m["type"].as_str(), m["code"].as_str()) {
            (Some("update"), _) => updates += 1,
            (Some("error"), Some("rate_limited")) => limited += 1,
            _ => panic!("{m}"),
        }
    }
    assert_eq!((updates, limited), (3, 7));
}

#[tokio::test]
async fn connections_over_the_cap_get_503() {
    let options = Options {
        max_connections: 2,
        ..Options::default()
    };
    let (_server, addr) = serve(options).await;
    let a = connect(&addr).await.unwrap();
    let _b = connect(&addr).await.unwrap();
    let token = new_page(&addr).await.unwrap();
    let err = open(&addr, &token, None).await.unwrap_err();
    assert!(err.contains("503"), "{err}");
    drop(a);
    // The slot comes back once the server sees the close.
    let mut ok = false;
    for _ in 0..100 {
        if open(&addr, &token, None).await.is_ok() {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "a freed connection slot was never given back");
}

#[tokio::test]
async fn a_closed_page_is_gone_and_a_forged_token_is_403() {
    let (server, addr) = serve(Options::default()).await;
    let token = new_page(&addr).await.unwrap();
    server.application().close_page(&token).unwrap();
    let mut ws = open(&addr, &token, None).await.unwrap();
    let m = next(&mut ws).await.unwrap();
    assert_eq!(m["type"], "gone", "{m}");
    assert!(next(&mut ws).await.is_none(), "closed after gone");
    let mut forged = token.clone();
    forged.pop();
    for t in [forged.as_str(), "", "a.b.c"] {
        let err = open(&addr, t, None).await.unwrap_err();
        assert!(err.contains("403"), "{t}: {err}");
    }
}

#[tokio::test]
async fn another_origin_is_refused_before_the_upgrade() {
    let (_server, addr) = serve(Options::default()).await;
    let token = new_page(&addr).await.unwrap();
    let err = open(&addr, &token, Some("http://evil.example"))
        .await
        .unwrap_err();
    assert!(err.contains("403"), "{err}");
    open(&addr, &token, Some(&format!("http://{addr}")))
        .await
        .unwrap();
    let (status, _) = get(&addr, "/livetemplate.js", &[]).await.unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
}

#[tokio::test]
async fn a_newer_connection_takes_over_and_the_state_survives() {
    let (_server, addr) = serve(Options::default()).await;
    let token = new_page(&addr).await.unwrap();
    let mut first = open(&addr, &token, None).await.unwrap();
    send(&mut first, r#"{"v":2,"type":"join","version":0}"#)
        .await
        .unwrap();
    assert_eq!(next(&mut first).await.unwrap()["type"], "joined");
    send(&mut first, ADD).await.unwrap();
    assert_eq!(next(&mut first).await.unwrap()["version"], 1);
    // A reconnect that missed nothing: joined, no HTML.
    let mut second = open(&addr, &token, None).await.unwrap();
    send(&mut second, r#"{"v":2,"type":"join","version":1}"#)
        .await
        .unwrap();
    assert_eq!(next(&mut second).await.unwrap()["type"], "joined");
    // The older connection is detached: its next event ends it.
    send(&mut first, ADD).await.unwrap();
    assert!(
        next(&mut first).await.is_none(),
        "the detached socket is closed"
    );
    // One that is behind gets the page's render, with the state kept.
    let mut third = open(&addr, &token, None).await.unwrap();
    send(&mut third, r#"{"v":2,"type":"join","version":0}"#)
        .await
        .unwrap();
    let m = next(&mut third).await.unwrap();
    assert_eq!(m["type"], "render", "{m}");
    assert!(m["html"].as_str().unwrap().contains("<p>1</p>"), "{m}");
}

#[tokio::test]
async fn a_connection_that_never_joins_is_closed() {
    let options = Options {
        join_timeout: Duration::from_millis(200),
        ..Options::default()
    };
    let (_server, addr) = serve(options).await;
    let token = new_page(&addr).await.unwrap();
    let mut ws = open(&addr, &token, None).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), next(&mut ws)).await;
    assert!(matches!(closed, Ok(None)), "{closed:?}");
    // A first message that is not a join gets an error, then the close.
    let mut ws = open(&addr, &token, None).await.unwrap();
    send(&mut ws, ADD).await.unwrap();
    assert_eq!(next(&mut ws).await.unwrap()["code"], "malformed");
    assert!(next(&mut ws).await.is_none());
}

mod slow_client {
    //! A client that stops reading while the server keeps sending: the
    //! bounded send queue fills and the server drops the socket instead of
    //! buffering without end; the page is intact and a reconnect resyncs
    //! with one render.
    use super::*;
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message as Frame;

    #[live_template(source = "<p>{{.n}}</p><pre>{{.blob}}</pre>")]
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Flood {
        n: u64,
        blob: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Never {}

    impl LiveView for Flood {
        type Event = Never;
        type Message = ();

        async fn mount(_: &MountRequest) -> Self {
            Flood {
                n: 0,
                blob: String::new(),
            }
        }

        fn connected(&mut self, ctx: &mut Context<Self>) {
            ctx.every(Duration::from_millis(1), ());
        }

        fn handle_event(&mut self, event: Never, _: &mut Context<Self>) {
            match event {}
        }

        fn handle_message(&mut self, (): (), _: &mut Context<Self>) {
            // 32 KiB of new text per tick: the socket's buffers fill fast.
            self.n += 1;
            self.blob = format!("{:>32768}", self.n);
        }
    }

    #[tokio::test]
    async fn a_client_that_stops_reading_is_dropped_and_resyncs() {
        let app = Arc::new(Application::new(Config::default()).unwrap());
        let options = Options {
            send_queue: 4,
            ..Options::default()
        };
        let server = LiveServer::<Flood>::with_options(app, options);
        let addr = start(&server).await;

        let token = new_page(&addr).await.unwrap();
        let mut ws = open(&addr, &token, None).await.unwrap();
        send(&mut ws, r#"{"v":2,"type":"join","version":0}"#)
            .await
            .unwrap();
        // Do not read for a while: the server's writes block, its queue fills.
        tokio::time::sleep(Duration::from_secs(2)).await;
        // Then read what was buffered: it ends, the server dropped the socket.
        let frames = tokio::time::timeout(Duration::from_secs(30), async {
            let mut frames = 0usize;
            while let Some(Ok(frame)) = ws.next().await {
                if matches!(frame, Frame::Close(_)) {
                    break;
                }
                frames += 1;
            }
            frames
        })
        .await
        .expect("the server never dropped the slow client");
        // 2 s at one tick per ms would be ~2,000 updates of 32 KiB; the
        // socket's buffers and the queue hold far fewer.
        assert!(frames < 1000, "{frames} frames: the queue was not bounded");
        // The page is intact: a reconnect gets one render of the current state.
        let mut again = open(&addr, &token, None).await.unwrap();
        send(&mut again, r#"{"v":2,"type":"join","version":0}"#)
            .await
            .unwrap();
        let m = next(&mut again).await.unwrap();
        assert_eq!(m["type"], "render", "{m}");
        assert!(m["version"].as_u64().unwrap() > 4, "{m}");
    }
}

#[tokio::test]
async fn an_expired_token_gets_gone_not_a_dead_end() {
    let clock = Arc::new(livetemplate::ManualClock::starting_now());
    let mut config = Config::default();
    config.application.page_ttl = Duration::from_secs(48 * 3600);
    config.application.cleanup_interval = Duration::from_secs(3600);
    let app = Arc::new(Application::with_clock(config, clock.clone()).unwrap());
    let server = LiveServer::<Counter>::new(app);
    let addr = start(&server).await;
    let token = new_page(&addr).await.unwrap();
    // The page lives on (idle TTL 48 h) but its token (24 h) does not.
    clock.advance(Duration::from_secs(25 * 3600));
    let mut ws = open(&addr, &token, None).await.unwrap();
    let m = next(&mut ws).await.unwrap();
    assert_eq!(m["type"], "gone", "{m}");
}
