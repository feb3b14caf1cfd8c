//! A WebSocket client of `LiveServer` for the tests (what a browser does):
//! `GET /` for a new page, the token from the `lt-boot` JSON, `/live?token=…`.
//! Loopback only.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Serves `server` on 127.0.0.1:0 in a spawned task; its address.
pub async fn start<V: livetemplate::serve::LiveView>(
    server: &livetemplate::serve::LiveServer<V>,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("a local address").to_string();
    let router = server.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// `GET path` over a plain HTTP/1.1 connection: the status line and body.
pub async fn get(
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(String, String), String> {
    let mut tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("GET {path}: connect: {e}"))?;
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    tcp.write_all(request.as_bytes())
        .await
        .map_err(|e| format!("GET {path}: write: {e}"))?;
    let mut response = Vec::with_capacity(2048);
    tcp.read_to_end(&mut response)
        .await
        .map_err(|e| format!("GET {path}: read: {e}"))?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.lines().next().unwrap_or_default().to_string();
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

/// A new page: its token, read from the document's boot JSON.
pub async fn new_page(addr: &str) -> Result<String, String> {
    let (status, body) = get(addr, "/", &[]).await?;
    if !status.starts_with("HTTP/1.1 200") {
        return Err(format!("GET /: {status}"));
    }
    const OPEN: &str = r#"<script type="application/json" id="lt-boot">"#;
    let start = body.find(OPEN).ok_or("GET /: no lt-boot script")? + OPEN.len();
    let len = body[start..]
        .find("</script>")
        .ok_or("GET /: lt-boot is not closed")?;
    let boot: serde_json::Value = serde_json::from_str(&body[start..start + len])
        .map_err(|e| format!("GET /: boot JSON: {e}"))?;
    boot["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "GET /: boot JSON without a token".to_string())
}

/// Opens `/live?token=…` (with `origin`, when given), without joining.
pub async fn open(addr: &str, token: &str, origin: Option<&str>) -> Result<Ws, String> {
    let mut request = format!("ws://{addr}/live?token={token}")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    if let Some(o) = origin {
        request
            .headers_mut()
            .insert("origin", o.parse().map_err(|_| "bad origin".to_string())?);
    }
    // The server's frames are small: a 4 KiB read buffer, not 128 KiB.
    let config = WebSocketConfig::default()
        .read_buffer_size(4 << 10)
        .write_buffer_size(0);
    let (ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .map_err(|e| format!("/live: handshake: {e}"))?;
    Ok(ws)
}

/// Sends a JSON text message.
pub async fn send(ws: &mut Ws, json: &str) -> Result<(), String> {
    ws.send(Frame::text(json))
        .await
        .map_err(|e| format!("send: {e}"))
}

/// The next text message as JSON; `None` when the socket closed.
pub async fn next(ws: &mut Ws) -> Option<serde_json::Value> {
    loop {
        match ws.next().await? {
            Ok(Frame::Text(text)) => return serde_json::from_str(&text).ok().map(tagged),
            Ok(Frame::Ping(_) | Frame::Pong(_)) => continue,
            _ => return None,
        }
    }
}

/// An `update` (`[version, fragment, …]` on the wire) as the object the
/// other messages are, `{"type": "update", "version", "fragments"}`, so
/// that tests read every message alike.
pub fn tagged(m: serde_json::Value) -> serde_json::Value {
    match m {
        serde_json::Value::Array(mut a) if !a.is_empty() => {
            let version = a.remove(0);
            serde_json::json!({"type": "update", "version": version, "fragments": a})
        }
        m => m,
    }
}

/// A new page's socket, joined at version 0 (the server answers `joined`).
pub async fn connect(addr: &str) -> Result<Ws, String> {
    let token = new_page(addr).await?;
    let mut ws = open(addr, &token, None).await?;
    send(&mut ws, r#"{"v":2,"type":"join","version":0}"#).await?;
    match next(&mut ws).await {
        Some(m) if m["type"] == "joined" && m["version"] == 0 => Ok(ws),
        other => Err(format!(
            "/live: expected joined at version 0, got {other:?}"
        )),
    }
}
