//! A live todo list: `cargo run --example todos`, then open http://127.0.0.1:8080
//!
//! The whole app is the view-model below, its template, and the
//! `LiveView` impl: `LiveServer` (the `axum` feature) serves the page with
//! its token, the client, and the WebSocket; events arrive typed
//! (`Event`), a timer ticks the clock, and each change goes back as
//! fragments. The state lives in the page held by the `Application`, so a
//! dropped socket reconnects to the same list.

use std::sync::Arc;
use std::time::Duration;

use livetemplate::serve::{Context, LiveServer, LiveView, MountRequest, Options};
use livetemplate::{live_template, Application, Config, LiveEvent};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct TodoView {
    id: u64,
    text: String,
    done: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct FilterView {
    name: String,
    label: String,
    selected: bool,
}

/// The view-model the template renders, and the tab's whole state: the
/// fields the template does not name (`todos`, `next_id`, `filter`) are
/// what the shown ones are computed from ([`Todos::refresh`]).
#[live_template("examples/todos/templates/todos.html", events = Event)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// What the browser sends: the `lt-*` actions of the template, with their values.
#[derive(Debug, Deserialize, LiveEvent)]
#[serde(rename_all = "snake_case")]
enum Event {
    Add { text: String },
    Toggle { id: u64 },
    Edit { id: u64, text: String },
    Remove { id: u64 },
    ClearCompleted,
    Filter { filter: String },
}

/// The server's own messages.
#[derive(Clone, Debug, Serialize, Deserialize)]
enum Tick {
    Second,
}

impl LiveView for Todos {
    type Event = Event;
    type Message = Tick;

    async fn mount(_: &MountRequest) -> Self {
        Todos::new()
    }

    fn connected(&mut self, ctx: &mut Context<Self>) {
        ctx.every(Duration::from_secs(1), Tick::Second);
    }

    fn handle_event(&mut self, event: Event, _: &mut Context<Self>) {
        match event {
            Event::Add { text } => self.add(&text),
            Event::Toggle { id } => self.edit(id, |t| t.done = !t.done),
            Event::Edit { id, text } if !text.trim().is_empty() => {
                self.edit(id, |t| t.text = text.trim().to_string())
            }
            Event::Remove { id } => self.todos.retain(|t| t.id != id),
            Event::ClearCompleted => self.todos.retain(|t| !t.done),
            Event::Filter { filter } if ["all", "active", "done"].contains(&filter.as_str()) => {
                self.filter = filter
            }
            Event::Edit { .. } | Event::Filter { .. } => {}
        }
        self.refresh();
    }

    fn handle_message(&mut self, Tick::Second: Tick, _: &mut Context<Self>) {
        self.seconds += 1;
    }
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

    fn edit(&mut self, id: u64, f: impl FnOnce(&mut TodoView)) {
        if let Some(t) = self.todos.iter_mut().find(|t| t.id == id) {
            f(t);
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
                name: name.to_string(),
                label: label.to_string(),
                selected: filter == name,
            })
            .collect();
    }
}

const STYLE: &str = r#"<style>
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
</style>"#;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("LT_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    // The defaults: at most 1000 pages, idle pages dropped after an hour.
    let app = Arc::new(Application::new(Config::default()).expect("the default config is valid"));
    let options = Options {
        title: "livetemplate todos".into(),
        head: STYLE.into(),
        ..Options::default()
    };
    println!("livetemplate todos: http://{addr}");
    LiveServer::<Todos>::with_options(app, options)
        .serve(&addr)
        .await
}
