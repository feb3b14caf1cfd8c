//! A shared board across tabs and across servers.
//!
//! One process: `cargo run --example board`, then open
//! http://127.0.0.1:8081 in two tabs.
//!
//! Several instances on one Redis (any instance resumes any tab's page,
//! and a note posted on one reaches tabs on every other):
//!
//! ```text
//! export LT_BOARD_SECRET_HEX=$(openssl rand -hex 32)   # the same for every instance
//! cargo run --example board -- --addr 127.0.0.1:8081 --redis redis://127.0.0.1:6379
//! cargo run --example board -- --addr 127.0.0.1:8082 --redis redis://127.0.0.1:6379
//! ```
//!
//! (`--config board.json` reads a whole `Config` instead, with its
//! `application.id`, `token.keys` and `store`.)
//!
//! Every note posted in one tab appears in all of them: the poster's page
//! saves it (in Redis, or in this process), then publishes it on the
//! `board` topic, and every page subscribed to the topic, on every
//! instance, adds it in `handle_message` and sends only its own fragments.
//! When the broadcaster was cut off (Redis restarted), pages reload the
//! notes (`resync`). The "N here" count is presence: the tabs connected to
//! every instance (recounted at each arrival and leave, and every 3 s).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use livetemplate::scale::Backends;
use livetemplate::serve::{Context, LiveServer, LiveView, MountRequest, Options};
use livetemplate::{live_template, Application, Config, KeyConfig, LiveEvent};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Note {
    /// 16 hex digits, unique: a page shows a note once, however it came
    /// (broadcast, reload). Empty in notes stored before ids existed.
    #[serde(default)]
    id: String,
    author: String,
    text: String,
}

#[live_template(
    source = r#"<section class="board">
  <h1>Board</h1>
  <p class="presence"><b id="here">{{.here}}</b> {{if eq .here 1}}tab{{else}}tabs{{end}} here{{if .instance}} <small>(on {{.instance}})</small>{{end}}</p>
  <form lt-submit="post">
    <input name="author" value="{{.author}}" placeholder="Your name" aria-label="Name">
    <input name="text" placeholder="Say something" autocomplete="off" aria-label="Note">
    <button type="submit">Post</button>
  </form>
  {{- if .error}}
  <p class="error" role="alert">{{.error}}</p>
  {{- end}}
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
    /// This server's address when several instances run (shown, so that a
    /// tab tells which one holds it).
    instance: String,
    author: String,
    notes: Vec<Note>,
    error: String,
}

#[derive(Debug, Deserialize, LiveEvent)]
#[serde(rename_all = "snake_case")]
enum Event {
    Post { author: String, text: String },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Message {
    /// A note was saved: publish it.
    Saved(Note),
    /// It could not be saved.
    NotSaved(String),
    /// A note someone posted (on any instance).
    Posted(Note),
    /// Someone arrived or left: recount.
    Presence,
    /// The notes, read again after an outage, and the ids of those the
    /// page held when it asked.
    Reload { notes: Vec<Note>, held: Vec<String> },
}

const TOPIC: &str = "board";
/// Notes kept (the oldest go first).
const KEEP: usize = 200;

/// Drops the oldest notes beyond [`KEEP`].
fn keep_last(notes: &mut Vec<Note>) {
    let extra = notes.len().saturating_sub(KEEP);
    notes.drain(..extra);
}

/// Where the notes are: in this process, or in a Redis list shared by
/// the instances.
enum Notes {
    Local(Mutex<Vec<Note>>),
    Redis {
        conn: redis::aio::ConnectionManager,
        key: String,
    },
}

static NOTES: OnceLock<Notes> = OnceLock::new();
static INSTANCE: OnceLock<String> = OnceLock::new();

fn notes() -> &'static Notes {
    NOTES.get_or_init(|| Notes::Local(Mutex::new(Vec::new())))
}

impl Notes {
    async fn all(&self) -> Result<Vec<Note>, String> {
        match self {
            Notes::Local(notes) => Ok(notes.lock().unwrap_or_else(|e| e.into_inner()).clone()),
            Notes::Redis { conn, key } => {
                let raw: Vec<String> = redis::cmd("LRANGE")
                    .arg(key)
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut conn.clone())
                    .await
                    .map_err(|e| format!("the notes cannot be read ({e})"))?;
                Ok(raw
                    .iter()
                    .filter_map(|n| serde_json::from_str(n).ok())
                    .collect())
            }
        }
    }

    async fn add(&self, note: &Note) -> Result<(), String> {
        match self {
            Notes::Local(notes) => {
                let mut notes = notes.lock().unwrap_or_else(|e| e.into_inner());
                notes.push(note.clone());
                keep_last(&mut notes);
                Ok(())
            }
            Notes::Redis { conn, key } => {
                let json = serde_json::to_string(note).map_err(|e| e.to_string())?;
                redis::pipe()
                    .atomic()
                    .cmd("RPUSH")
                    .arg(key)
                    .arg(json)
                    .ignore()
                    .cmd("LTRIM")
                    .arg(key)
                    .arg(-(KEEP as i64))
                    .arg(-1)
                    .ignore()
                    .query_async::<()>(&mut conn.clone())
                    .await
                    .map_err(|e| format!("the note could not be saved ({e}); try again"))
            }
        }
    }
}

impl LiveView for Board {
    type Event = Event;
    type Message = Message;

    async fn mount(_: &MountRequest) -> Self {
        let (notes, error) = match notes().all().await {
            Ok(notes) => (notes, String::new()),
            Err(e) => (Vec::new(), e),
        };
        Board {
            here: 0,
            instance: INSTANCE.get().cloned().unwrap_or_default(),
            author: String::new(),
            notes,
            error,
        }
    }

    fn connected(&mut self, ctx: &mut Context<Self>) {
        // The instance this connection landed on (a resumed page's state
        // names the one it came from).
        self.instance = INSTANCE.get().cloned().unwrap_or_default();
        ctx.subscribe(TOPIC);
        ctx.publish(TOPIC, Message::Presence);
        ctx.publish_on_leave(TOPIC, Message::Presence);
        // An instance that died says nothing: its tabs drop out of the
        // count when it has been silent for 6 s, seen at the next recount.
        ctx.every(Duration::from_secs(3), Message::Presence);
    }

    fn handle_event(&mut self, Event::Post { author, text }: Event, ctx: &mut Context<Self>) {
        let (author, text) = (author.trim().to_string(), text.trim().to_string());
        if text.is_empty() {
            return;
        }
        let note = Note {
            id: livetemplate::scale::instance_id(),
            author: if author.is_empty() {
                "anonymous".into()
            } else {
                author.clone()
            },
            text,
        };
        self.author = author;
        ctx.spawn(async move {
            match notes().add(&note).await {
                Ok(()) => Message::Saved(note),
                Err(e) => Message::NotSaved(e),
            }
        });
    }

    fn handle_message(&mut self, message: Message, ctx: &mut Context<Self>) {
        match message {
            // Every subscribed page adds it, this one too.
            Message::Saved(note) => {
                self.error.clear();
                ctx.publish(TOPIC, Message::Posted(note));
            }
            Message::NotSaved(e) => self.error = e,
            Message::Posted(note) => {
                // Already here: a reload read it (it was saved before it was published).
                if !note.id.is_empty() && self.notes.iter().any(|n| n.id == note.id) {
                    return;
                }
                self.notes.push(note);
                keep_last(&mut self.notes);
            }
            Message::Presence => self.here = ctx.presence(TOPIC),
            // What was read, then what came by broadcast since the page
            // asked and was saved too late to be read.
            Message::Reload { mut notes, held } => {
                let arrived: Vec<Note> = self
                    .notes
                    .drain(..)
                    .filter(|n| !n.id.is_empty() && !held.contains(&n.id))
                    .filter(|n| !notes.iter().any(|m| m.id == n.id))
                    .collect();
                notes.extend(arrived);
                keep_last(&mut notes);
                self.notes = notes;
            }
        }
    }

    /// Notes posted on other instances while Redis was away never came:
    /// read them all again. Broadcasts go on meanwhile: a note may come
    /// both ways (once shown), or by broadcast only, before the notes
    /// read (kept).
    fn resync(&mut self, ctx: &mut Context<Self>) {
        let here = self.notes.clone();
        let held = here.iter().map(|n| n.id.clone()).collect();
        ctx.spawn(async move {
            Message::Reload {
                notes: notes().all().await.unwrap_or(here),
                held,
            }
        });
    }
}

const STYLE: &str = r#"<style>
body { font: 16px/1.4 system-ui, sans-serif; background: #f4f4f6; margin: 0; }
.board { max-width: 32rem; margin: 2rem auto; background: #fff; padding: 1.5rem; border-radius: 8px; box-shadow: 0 2px 8px #0002; }
h1 { margin: 0; color: #2f6f4f; } .presence { color: #777; } .error { color: #b00020; }
form { display: flex; gap: .5rem; } form input[name=text] { flex: 1; } input, button { padding: .4rem; font-size: 1rem; }
ul { list-style: none; padding: 0; } li { padding: .3rem 0; border-bottom: 1px solid #eee; }
.lt-disconnected { opacity: .5; }
</style>"#;

/// `--addr`, `--redis`, `--config`, or a message saying what is wrong.
struct Args {
    addr: String,
    redis: Option<String>,
    config: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        addr: std::env::var("LT_ADDR").unwrap_or_else(|_| "127.0.0.1:8081".into()),
        redis: None,
        config: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--addr" => args.addr = value("--addr")?,
            "--redis" => args.redis = Some(value("--redis")?),
            "--config" => args.config = Some(value("--config")?),
            "-h" | "--help" => return Err(
                "usage: board [--addr HOST:PORT] [--redis redis://HOST:PORT] [--config FILE.json]"
                    .into(),
            ),
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(args)
}

/// The configuration: `--config`'s file or the defaults, with `--redis`;
/// several instances need one application id and one keyring.
fn config(args: &Args) -> Result<Config, String> {
    let mut config = match &args.config {
        Some(path) => Config::load(path).map_err(|e| e.to_string())?,
        None => Config::default(),
    };
    if let Some(url) = &args.redis {
        config.store.redis_url = Some(url.clone());
    }
    if config.store.redis_url.is_some() {
        config.application.id.get_or_insert_with(|| "board".into());
        if config.token.keys.is_empty() {
            let secret = std::env::var("LT_BOARD_SECRET_HEX").map_err(|_| {
                "instances on one Redis sign tokens with one key: set LT_BOARD_SECRET_HEX to the same 64 hex digits for each (e.g. `openssl rand -hex 32`), or give --config with token.keys".to_string()
            })?;
            config.token.keys.push(KeyConfig {
                id: "board-1".into(),
                secret_hex: secret.trim().into(),
            });
        }
    }
    config.validate().map_err(|e| e.to_string())?;
    Ok(config)
}

async fn run() -> Result<(), String> {
    let args = args()?;
    let config = config(&args)?;
    let app = Arc::new(Application::new(config.clone()).map_err(|e| e.to_string())?);
    let backends = Backends::connect(&app).await.map_err(|e| e.to_string())?;
    if let Some(url) = &config.store.redis_url {
        let client = redis::Client::open(url.as_str()).map_err(|e| e.to_string())?;
        let conn = redis::aio::ConnectionManager::new(client)
            .await
            .map_err(|e| format!("cannot connect to Redis: {e}"))?;
        let key = format!("{}:{}:board:notes", config.store.key_prefix, app.id());
        let _ = NOTES.set(Notes::Redis { conn, key });
        let _ = INSTANCE.set(args.addr.clone());
    }
    let options = Options {
        title: "livetemplate board".into(),
        head: STYLE.into(),
        ..Options::default()
    };
    let server = LiveServer::<Board>::with_backends(app, options, backends)
        .await
        .map_err(|e| e.to_string())?;
    match &config.store.redacted_url() {
        Some(url) => println!("livetemplate board: http://{} (on {url})", args.addr),
        None => println!("livetemplate board: http://{}", args.addr),
    }
    server.serve(&args.addr).await.map_err(|e| e.to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("board: {e}");
        std::process::exit(2);
    }
}
