//! A live todo list: `cargo run --example todos`, then open http://127.0.0.1:8080
//!
//! Every tab gets its own page in a `livetemplate::Application`: the HTTP
//! render registers it and embeds its signed token; the WebSocket finds the
//! page again by that token and attaches to it. The state lives in the page,
//! not in the socket task, so a dropped socket reconnects to the same list.
//! The browser sends events; each change goes back as fragments, never as a
//! whole page. A clock ticks every second to show updates the server starts.

use axum::{
    extract::ws::{Message, WebSocket, WebSocketUpgrade},
    extract::{Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use livetemplate::{live_template, Application, Attachment, Config, Error, Template, CLIENT_JS};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
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

/// The view-model the template renders, and the tab's whole state: the
/// fields the template does not name (`todos`, `next_id`, `filter`) are
/// what the shown ones are computed from ([`Todos::refresh`]).
#[live_template("examples/todos/templates/todos.html")]
#[derive(Clone, Debug, PartialEq)]
struct Todos {
    title: String,
    seconds: u64,
    visible: Vec<TodoView>,
    left: usize,
    completed: usize,
    filters: Vec<FilterView>,
    todos: Vec<TodoView>,
    next_id: u64,
    filter: String,
}

impl Todos {
    fn new() -> Self {
        let mut app = Todos {
            title: "Todos".into(),
            seconds: 0,
            visible: Vec::new(),
            left: 0,
            completed: 0,
            filters: Vec::new(),
            todos: Vec::new(),
            next_id: 0,
            filter: "all".into(),
        };
        app.add("Try livetemplate");
        app.add("Open a second tab");
        app.refresh();
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

    /// Recomputes the shown fields from the state.
    fn refresh(&mut self) {
        let filter = self.filter.as_str();
        self.visible = self
            .todos
            .iter()
            .filter(|t| match filter {
                "active" => !t.done,
                "done" => t.done,
                _ => true,
            })
            .cloned()
            .collect();
        self.completed = self.todos.iter().filter(|t| t.done).count();
        self.left = self.todos.len() - self.completed;
        self.filters = [("all", "All"), ("active", "Active"), ("done", "Completed")]
            .into_iter()
            .map(|(name, label)| FilterView {
                name,
                label,
                selected: filter == name,
            })
            .collect();
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
<div id="app" data-token="{{TOKEN}}">{{PAGE}}</div>
<script src="/livetemplate.js"></script>
<script>
  const app = document.getElementById("app");
  LiveTemplate.mount(app, null, {
    transport: LiveTemplate.websocket("ws://" + location.host + "/ws?token=" + encodeURIComponent(app.dataset.token)),
  });
</script>
</body>
</html>
"#;

/// `GET /`: a new page for this tab, its first render with its token.
async fn index(State(app): State<Arc<Application>>) -> Response {
    let page = match app.new_page(Todos::new()) {
        Ok(page) => page,
        Err(e) => return refuse(&e),
    };
    // A token is base64url and dots: nothing to escape in the attribute.
    let html = SHELL
        .replace("{{TOKEN}}", page.token())
        .replace("{{PAGE}}", &page.render());
    Html(html).into_response()
}

/// An error page: 503 when the application is at a limit, 500 otherwise.
fn refuse(e: &Error) -> Response {
    eprintln!("{e}");
    let status = match e {
        Error::PageLimitExceeded { .. } | Error::MemoryBudgetExceeded { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, "The todo list is not available right now.").into_response()
}

async fn client_js() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "text/javascript")],
        CLIENT_JS,
    )
}

/// `GET /ws?token=…`: attaches to the token's page (a reconnect takes over
/// from a socket that is not known to be dead yet).
async fn ws(
    State(app): State<Arc<Application>>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let token = query.get("token").map_or("", String::as_str);
    match app.page::<Todos>(token) {
        Ok(page) => upgrade.on_upgrade(move |socket| session(socket, page.attach())),
        // An unknown, expired or forged token: no socket (the message
        // never contains the token).
        Err(e) => (StatusCode::FORBIDDEN, e.to_string()).into_response(),
    }
}

/// One connection of a tab: the page's render, then events in and
/// fragments out until the socket drops or a newer connection takes over.
async fn session(mut socket: WebSocket, live: Attachment<Todos>) {
    // The client (re)builds its model from this render.
    let Ok(html) = live.render_fresh() else {
        return;
    };
    let hello = json!({"type": "render", "html": html}).to_string();
    if socket.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.tick().await;
    loop {
        let updated = tokio::select! {
            msg = socket.recv() => {
                let Some(Ok(msg)) = msg else { return };
                let Message::Text(text) = msg else { continue };
                let Ok(event) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                let Some(action) = event["action"].as_str().filter(|_| event["type"] == "event") else {
                    continue;
                };
                live.update_with(|t| {
                    t.handle(action, &event["values"]);
                    t.refresh();
                })
            }
            _ = clock.tick() => live.update_with(|t| t.seconds += 1),
        };
        match updated {
            Ok(fragments) if fragments.is_empty() => {}
            Ok(fragments) => {
                let msg = json!({"type": "update", "fragments": fragments}).to_string();
                if socket.send(Message::Text(msg.into())).await.is_err() {
                    return;
                }
            }
            // Taken over by a newer connection of this tab, or the page is gone.
            Err(Error::Detached { .. } | Error::PageNotFound { .. }) => return,
            Err(e) => eprintln!("update failed: {e}"),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let addr = std::env::var("LT_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    // The defaults: at most 1000 pages, idle pages dropped after an hour.
    let app = Arc::new(Application::new(Config::default()).expect("the default config is valid"));
    let router = Router::new()
        .route("/", get(index))
        .route("/livetemplate.js", get(client_js))
        .route("/ws", get(ws))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    println!("livetemplate todos: http://{addr}");
    // Keep the render check honest: the template must render the start state.
    debug_assert!(Todos::new().render().is_ok());
    axum::serve(listener, router).await.expect("server error");
}
