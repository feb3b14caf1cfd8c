//! A shared board across tabs: `cargo run --example board`, then open
//! http://127.0.0.1:8081 in two tabs.
//!
//! Every note posted in one tab appears in all of them: the poster's page
//! publishes it on the `board` topic, and every page subscribed to the
//! topic (the poster's too) adds it in `handle_message` and sends only its
//! own fragments. The "N here" count is presence: each connection
//! announces itself when it connects and when it leaves, and every page
//! recounts the topic's subscribers.

use std::sync::{Arc, Mutex};

use livetemplate::serve::{Context, LiveServer, LiveView, MountRequest, Options};
use livetemplate::{live_template, Application, Config, LiveEvent};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Note {
    author: String,
    text: String,
}

#[live_template(
    source = r#"<section class="board">
  <h1>Board</h1>
  <p class="presence"><b id="here">{{.here}}</b> {{if eq .here 1}}tab{{else}}tabs{{end}} here</p>
  <form lt-submit="post">
    <input name="author" value="{{.author}}" placeholder="Your name" aria-label="Name">
    <input name="text" placeholder="Say something" autocomplete="off" aria-label="Note">
    <button type="submit">Post</button>
  </form>
  <ul class="notes">
    {{- range .notes}}
    <li><b>{{.author}}</b> {{.text}}</li>
    {{- else}}
    <li class="empty">No notes yet.</li>
    {{- end}}
  </ul>
</section>"#,
    events = Event
)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Board {
    here: usize,
    author: String,
    notes: Vec<Note>,
}

#[derive(Debug, Deserialize, LiveEvent)]
#[serde(rename_all = "snake_case")]
enum Event {
    Post { author: String, text: String },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Message {
    Posted(Note),
    /// Someone arrived or left: recount.
    Presence,
}

/// The notes so far, for tabs opened later (one process; see issue 12 for
/// several instances).
static NOTES: Mutex<Vec<Note>> = Mutex::new(Vec::new());
const TOPIC: &str = "board";

impl LiveView for Board {
    type Event = Event;
    type Message = Message;

    async fn mount(_: &MountRequest) -> Self {
        let notes = NOTES.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Board {
            here: 0,
            author: String::new(),
            notes,
        }
    }

    fn connected(&mut self, ctx: &mut Context<Self>) {
        ctx.subscribe(TOPIC);
        ctx.publish(TOPIC, Message::Presence);
        ctx.publish_on_leave(TOPIC, Message::Presence);
    }

    fn handle_event(&mut self, Event::Post { author, text }: Event, ctx: &mut Context<Self>) {
        let (author, text) = (author.trim().to_string(), text.trim().to_string());
        if text.is_empty() {
            return;
        }
        let note = Note {
            author: if author.is_empty() {
                "anonymous".into()
            } else {
                author.clone()
            },
            text,
        };
        self.author = author;
        NOTES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(note.clone());
        // Every subscribed page adds it, this one too.
        ctx.publish(TOPIC, Message::Posted(note));
    }

    fn handle_message(&mut self, message: Message, ctx: &mut Context<Self>) {
        match message {
            Message::Posted(note) => self.notes.push(note),
            Message::Presence => self.here = ctx.presence(TOPIC),
        }
    }
}

const STYLE: &str = r#"<style>
body { font: 16px/1.4 system-ui, sans-serif; background: #f4f4f6; margin: 0; }
.board { max-width: 32rem; margin: 2rem auto; background: #fff; padding: 1.5rem; border-radius: 8px; box-shadow: 0 2px 8px #0002; }
h1 { margin: 0; color: #2f6f4f; } .presence { color: #777; }
form { display: flex; gap: .5rem; } form input[name=text] { flex: 1; } input, button { padding: .4rem; font-size: 1rem; }
ul { list-style: none; padding: 0; } li { padding: .3rem 0; border-bottom: 1px solid #eee; }
.lt-disconnected { opacity: .5; }
</style>"#;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("LT_ADDR").unwrap_or_else(|_| "127.0.0.1:8081".into());
    // The defaults: at most 1000 pages, idle pages dropped after an hour.
    let app = Arc::new(Application::new(Config::default()).expect("the default config is valid"));
    let options = Options {
        title: "livetemplate board".into(),
        head: STYLE.into(),
        ..Options::default()
    };
    println!("livetemplate board: http://{addr}");
    LiveServer::<Board>::with_options(app, options)
        .serve(&addr)
        .await
}
