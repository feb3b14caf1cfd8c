//! A live todo list: `cargo run --example todos`, then open http://127.0.0.1:8080
//!
//! Every tab gets its own page, held on the server. The browser sends events
//! over a WebSocket; each change of state goes back as fragments, never as a
//! whole page. A clock ticks every second to show updates the server starts.

use axum::{
    extract::ws::{Message, WebSocket, WebSocketUpgrade},
    response::{Html, IntoResponse},
    routing::get,
    Router,
};
use livetemplate::{live_template, Page, Template, CLIENT_JS};
use serde_json::{json, Value};
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
struct TodoView {
    id: u64,
    text: String,
    done: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct FilterView {
    name: &'static str,
    label: &'static str,
    selected: bool,
}

/// The view-model the template renders.
#[live_template("examples/todos/templates/todos.html")]
#[derive(Clone, Debug, PartialEq)]
struct Todos {
    title: String,
    seconds: u64,
    visible: Vec<TodoView>,
    left: usize,
    completed: usize,
    filters: Vec<FilterView>,
}

/// The application state of one tab.
#[derive(Clone, Debug, Default)]
struct App {
    todos: Vec<TodoView>,
    next_id: u64,
    filter: String,
    seconds: u64,
}

impl App {
    fn new() -> Self {
        let mut app = App {
            filter: "all".into(),
            ..App::default()
        };
        app.add("Try livetemplate");
        app.add("Open a second tab");
        app
    }

    fn add(&mut self, text: &str) {
        let text = text.trim();
        if !text.is_empty() {
            self.next_id += 1;
            self.todos.push(TodoView {
                id: self.next_id,
                text: text.to_string(),
                done: false,
            });
        }
    }

    /// Applies one event from the browser; unknown or malformed events are ignored.
    fn handle(&mut self, action: &str, values: &Value) {
        let id = values
            .get("id")
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
        let text = values.get("text").and_then(Value::as_str);
        match (action, id, text) {
            ("add", _, Some(text)) => self.add(text),
            ("toggle", Some(id), _) => {
                if let Some(t) = self.todos.iter_mut().find(|t| t.id == id) {
                    t.done = !t.done;
                }
            }
            ("edit", Some(id), Some(text)) if !text.trim().is_empty() => {
                if let Some(t) = self.todos.iter_mut().find(|t| t.id == id) {
                    t.text = text.trim().to_string();
                }
            }
            ("remove", Some(id), _) => self.todos.retain(|t| t.id != id),
            ("clear_completed", _, _) => self.todos.retain(|t| !t.done),
            ("filter", _, _) => {
                if let Some(f @ ("all" | "active" | "done")) =
                    values.get("filter").and_then(Value::as_str)
                {
                    self.filter = f.to_string();
                }
            }
            _ => {}
        }
    }

    fn view(&self) -> Todos {
        let visible = self
            .todos
            .iter()
            .filter(|t| match self.filter.as_str() {
                "active" => !t.done,
                "done" => t.done,
                _ => true,
            })
            .cloned()
            .collect();
        let completed = self.todos.iter().filter(|t| t.done).count();
        Todos {
            title: "Todos".into(),
            seconds: self.seconds,
            visible,
            left: self.todos.len() - completed,
            completed,
            filters: [("all", "All"), ("active", "Active"), ("done", "Completed")]
                .into_iter()
                .map(|(name, label)| FilterView {
                    name,
                    label,
                    selected: self.filter == name,
                })
                .collect(),
        }
    }
}

const SHELL: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>livetemplate todos</title>
<style>
body { font: 16px/1.4 system-ui, sans-serif; background: #f4f4f6; margin: 0; }
.todoapp { max-width: 32rem; margin: 2rem auto; background: #fff; padding: 1.5rem; border-radius: 8px; box-shadow: 0 2px 8px #0002; }
h1 { margin: 0; color: #b83f45; } .clock { color: #777; margin: .2rem 0 1rem; }
form.new { display: flex; gap: .5rem; } form.new input { flex: 1; padding: .5rem; font-size: 1rem; }
ul { list-style: none; padding: 0; } li { display: flex; align-items: center; gap: .5rem; padding: .3rem 0; border-bottom: 1px solid #eee; }
li.completed input[name=text] { text-decoration: line-through; color: #999; }
form.edit { flex: 1; margin: 0; } form.edit input[name=text] { width: 100%; border: none; font-size: 1rem; }
.destroy { border: none; background: none; color: #b83f45; font-size: 1.3rem; cursor: pointer; }
footer { display: flex; justify-content: space-between; align-items: center; color: #555; }
.filters a { margin: 0 .3rem; color: #555; } .filters a.selected { font-weight: bold; color: #b83f45; }
</style>
</head>
<body>
<div id="app">{{PAGE}}</div>
<script src="/livetemplate.js"></script>
<script>
  LiveTemplate.mount(document.getElementById("app"), null, {
    transport: LiveTemplate.websocket("ws://" + location.host + "/ws"),
  });
</script>
</body>
</html>
"#;

async fn index() -> impl IntoResponse {
    let page = Page::new(App::new().view()).expect("the todo template renders");
    Html(SHELL.replace("{{PAGE}}", &page.render()))
}

async fn client_js() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "text/javascript")],
        CLIENT_JS,
    )
}

async fn ws(upgrade: WebSocketUpgrade) -> impl IntoResponse {
    upgrade.on_upgrade(session)
}

/// One tab: its own state and page, events in, fragments out.
async fn session(mut socket: WebSocket) {
    let mut app = App::new();
    let Ok(mut page) = Page::new(app.view()) else {
        return;
    };
    let hello = json!({"type": "render", "html": page.render()}).to_string();
    if socket.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.tick().await;
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let Some(Ok(msg)) = msg else { return };
                let Message::Text(text) = msg else { continue };
                let Ok(event) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                if event["type"] == "event" {
                    if let Some(action) = event["action"].as_str() {
                        app.handle(action, &event["values"]);
                    }
                }
            }
            _ = clock.tick() => app.seconds += 1,
        }
        match page.update(app.view()) {
            Ok(fragments) if fragments.is_empty() => {}
            Ok(fragments) => {
                let msg = json!({"type": "update", "fragments": fragments}).to_string();
                if socket.send(Message::Text(msg.into())).await.is_err() {
                    return;
                }
            }
            Err(e) => eprintln!("update failed: {e}"),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let addr = std::env::var("LT_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let app = Router::new()
        .route("/", get(index))
        .route("/livetemplate.js", get(client_js))
        .route("/ws", get(ws));
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    println!("livetemplate todos: http://{addr}");
    // Keep the render check honest: the template must render the start state.
    debug_assert!(App::new().view().render().is_ok());
    axum::serve(listener, app).await.expect("server error");
}
