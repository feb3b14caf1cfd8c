//! # livetemplate
//!
//! Server-rendered live HTML for Rust. A view-model struct is tied to an HTML
//! template written in Go's `html/template` syntax; `cargo build` parses the
//! template, checks every field it names, fixes the escaping of every slot for
//! its HTML context, and generates the rendering code.
//!
//! ```
//! use livetemplate::{live_template, Template};
//!
//! #[live_template(source = r#"<h1 class="{{.class}}">{{.title}}</h1>
//! {{range .items}}<li>{{.}}</li>{{else}}<p>empty</p>{{end}}"#)]
//! struct Page {
//!     title: String,
//!     class: String,
//!     items: Vec<String>,
//! }
//!
//! let page = Page { title: "<Hi>".into(), class: "big".into(), items: vec!["a".into()] };
//! assert_eq!(
//!     page.render().unwrap(),
//!     "<h1 class=\"big\">&lt;Hi&gt;</h1>\n<li>a</li>"
//! );
//! ```
//!
//! ## The template language
//!
//! Go `text/template` actions, with Rust field names:
//!
//! - `{{.field}}`, `{{.a.b.c}}`, `{{.}}`, `{{$}}`, `{{$x := .y}}`, `{{$x}}`
//! - `{{if P}}…{{else if Q}}…{{else}}…{{end}}` with Go truthiness
//!   (`false`, `0`, `""`, an empty collection and `None` are false)
//! - `{{range .items}}…{{else}}…{{end}}`, `{{range $i, $it := .items}}`
//! - `{{with P}}…{{else}}…{{end}}` (`with` on an `Option` unwraps `Some`)
//! - `{{define "name"}}…{{end}}`, `{{template "name" P}}`, `{{block "name" P}}…{{end}}`
//! - comments `{{/* … */}}`, trim markers `{{- ` and ` -}}`
//! - pipelines `P | f a` and the builtins `and or not len index eq ne lt le gt ge print printf`
//! - string, number and boolean literals
//! - method calls `{{.a.method x y}}`, `{{$v.method x}}`, `{{.method}}` for
//!   a method of the view-model, and your own functions `{{f x}}` (below)
//!
//! Anything else is a build error that names the template file, line and column.
//!
//! ## Methods and functions
//!
//! A field chain followed by arguments calls the method its last name
//! names: `{{.login.format "15:04"}}`, `{{if $.is_open .id}}`. Go calls a
//! method without arguments as `{{.full_name}}` too; Rust cannot tell a
//! field from a method when the macro runs, so list those names in
//! `methods(…)` on the attribute: each is then called wherever a chain
//! names it. Functions are registered like a Go `FuncMap`, with
//! `funcs(path, name = path, …)` (named by the path's last segment, or
//! the name before `=`; a function wins over a builtin of its name), and
//! called as `{{upper .name}}` or `{{.name | upper}}`.
//!
//! Each argument is converted to its parameter's type by [`FromArg`]:
//! passed by reference (`&T`, `&str` from a `String`, `&[T]` from a
//! `Vec<T>`), cloned (`T: Clone`, `String` from a literal), or as an
//! integer of another width (a value that does not fit fails the render).
//! rustc checks each call against the Rust signature. The result is
//! escaped for its context like any value ([`Html`] to insert trusted
//! HTML); a `Result` is unwrapped, and an `Err` fails the render with its
//! message at the action, as a Go method's `error` result does. A method
//! of the view-model may read any field, so its slots are recomputed on
//! every update; a function is assumed to read only its arguments, so
//! write functions without side effects.
//!
//! ```
//! use livetemplate::{live_template, Template};
//!
//! fn upper(s: &str) -> String { s.to_uppercase() }
//!
//! #[live_template(
//!     source = r#"<p>{{.name | upper}}: {{.score 2}} {{if .top}}(top){{end}}</p>"#,
//!     funcs(upper),
//!     methods(top)
//! )]
//! struct Player { name: String, points: Vec<u32> }
//!
//! impl Player {
//!     fn score(&self, last: usize) -> u32 { self.points.iter().rev().take(last).sum() }
//!     fn top(&self) -> bool { self.points.iter().sum::<u32>() > 10 }
//! }
//!
//! let p = Player { name: "ada".into(), points: vec![1, 5, 7] };
//! assert_eq!(p.render().unwrap(), "<p>ADA: 12 (top)</p>");
//! ```
//!
//! ## Escaping
//!
//! As in Go's `html/template`, each value is escaped for where it lands: HTML
//! text, quoted or unquoted attribute values, URL attributes (unsafe schemes
//! such as `javascript:` become `#ZgotmplZ`), `<script>` and `on*` attributes
//! (values become JS literals), `<style>` and `style=""`, `<title>` and
//! `<textarea>`. The context is fixed at build time. [`Html`] marks trusted HTML.
//!
//! ## Live updates
//!
//! A [`Page`] holds one client's state. [`Page::render`] gives the first
//! HTML, with `<!--f-…-->` comments around every fragment (the root, and
//! each `if` / `range` / `with` / `template` block that can carry them);
//! [`Page::update`] takes the next state and returns the [`Fragment`]s —
//! JSON-serialisable — that turn the client's page into the new render. Each
//! fragment uses one of four [`Strategy`]s (static/dynamic values, position
//! patches, range item operations, or the region's whole content).
//! [`Reconstructor`] applies fragments to HTML exactly as the browser client
//! does; the client itself, minified, is [`CLIENT_JS`] (serve it and call
//! `LiveTemplate.mount(element, html, {transport: LiveTemplate.websocket(url)})`).
//! After each render and update the client dispatches an `lt:updated` event
//! (bubbling from the mounted element, `detail.ids` naming the fragments) for
//! page scripts that read data embedded in the page, and it warns in the
//! browser console about an `lt-*` attribute it does not know.
//!
//! ```
//! use livetemplate::{live_template, Page, Reconstructor};
//!
//! #[live_template(source = "<p>{{.n}}</p>")]
//! #[derive(Clone, PartialEq)]
//! struct Counter { n: u32 }
//!
//! let mut page = Page::new(Counter { n: 1 }).unwrap();
//! let mut client = Reconstructor::new(page.render());
//! let fragments = page.update(Counter { n: 2 }).unwrap();
//! client.apply(&fragments).unwrap();
//! assert_eq!(client.html(), page.render());
//! ```
//!
//! ## Applications
//!
//! An [`Application`] holds the live pages of many clients: each
//! [`new_page`](Application::new_page) is registered with a signed token
//! (HS256, rotating keyring), and [`page`](Application::page) finds it again
//! by that token, on any thread, with limits on pages and memory, idle
//! expiry, [`metrics`](Application::metrics) (also as Prometheus text) and
//! [`health`](Application::health). Its settings are a [`Config`]
//! (defaults, or a JSON file through [`Config::load`]); its errors are
//! [`Error`].
//!
//! ```
//! use livetemplate::{live_template, Application, Config, Error, Reconstructor};
//!
//! #[live_template(source = "<p>{{.n}} clicks</p>")]
//! #[derive(Clone, PartialEq)]
//! struct Clicks { n: u32 }
//!
//! let app = Application::new(Config::default())?;
//! let page = app.new_page(Clicks { n: 0 })?;
//! let mut browser = Reconstructor::new(page.render());
//!
//! // On the socket: the token finds the page; the attachment is the one
//! // live connection of it (a reconnect attaches again and takes over).
//! let live = app.page::<Clicks>(page.token())?.attach();
//! browser.apply(&live.update_with(|c| c.n += 1)?).unwrap();
//! assert_eq!(browser.html(), page.render());
//!
//! // Another type, a forged or stale token: a clear error, never a page.
//! assert!(matches!(app.page::<Clicks>("not a token"), Err(Error::TokenInvalid { .. })));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Events
//!
//! The client sends `{action, values}` messages for the template's
//! `lt-click`, `lt-submit`, `lt-change` and `lt-input` attributes; an enum
//! decodes them with serde. `#[derive(LiveEvent)]` lists the enum's actions,
//! named as serde names the variants (`rename_all`, `rename`, `alias`,
//! `skip`), and `events = Type` in `#[live_template]` checks at build time
//! that every action the template names is one of them: `lt-click="togle"`
//! is a `cargo build` error that names the template file, line and column,
//! lists the actions and suggests `toggle` (below). A value holding a `{{…}}`
//! (`lt-click="{{.action}}"`) is only known when the page renders and is
//! not checked.
//!
//! ```
//! use livetemplate::{live_template, LiveEvent};
//!
//! #[derive(serde::Deserialize, LiveEvent)]
//! #[serde(rename_all = "snake_case")]
//! enum TodoEvent {
//!     Add { text: String },
//!     Toggle { id: u64 },
//!     #[serde(alias = "clear")]
//!     ClearCompleted,
//! }
//!
//! #[live_template(
//!     source = r#"<form lt-submit="add"><input name="text"></form>
//! {{range .ids}}<input type="checkbox" lt-click="toggle" lt-value-id="{{.}}">{{end}}
//! <button lt-click="clear_completed">Clear</button>"#,
//!     events = TodoEvent
//! )]
//! struct Todos { ids: Vec<u64> }
//!
//! assert_eq!(TodoEvent::ACTIONS, ["add", "toggle", "clear_completed", "clear"]);
//! ```
//!
//! A typo is a build error:
//!
//! ```text
//! error[E0080]: evaluation panicked: templates/todos.html:5:23: lt-click="remvoe": the event type `TodoEvent` has no action `remvoe`
//!                 |
//!               5 |     <button lt-click="remvoe" lt-value-id="{{.id}}">×</button>
//!                 |                       ^^^^^^
//!                 = note: the actions of `TodoEvent`: add, toggle, remove, clear_completed
//!                 = help: did you mean `remove`?
//! ```
//!
//! ## Serving (feature `axum`)
//!
//! With the `axum` feature, `serve::LiveServer` serves a
//! `serve::LiveView` (its state, its template, typed event and message
//! handlers) over HTTP and a WebSocket: the first render with its token,
//! the client, typed and versioned messages both ways, reconnects that keep
//! the state, topics with presence, and limits at the edge (Origin, message
//! size, event rate, send queue, connections). See the `serve` module and
//! `examples/todos` and `examples/board`.
//!
//! ## Several instances (feature `redis`)
//!
//! The `scale` module's `PageStore` and `Broadcaster` keep pages' states
//! and carry broadcasts between instances: in memory by default, on Redis
//! with `store.redis_url` (`scale::Backends::connect`). Any instance then
//! resumes any page by its token, and a broadcast reaches pages on every
//! instance.
//!
//! ## Types
//!
//! Fields of any type implementing [`Slot`] can be printed, and so can a
//! type that only implements `Display` (another crate's: `chrono`'s dates,
//! `uuid::Uuid`, `std::net::IpAddr`), through its `Display` text, escaped for
//! the slot's context; a [`Slot`] implementation wins over `Display`.
//! In a script (`<script>`, `type="application/json"`, `on*` attributes) a
//! value that is not a [`Slot`] but `serde::Serialize` (structs, maps, lists
//! of structs) is written as its JSON, escaped so that it cannot end the
//! script; [`Json`] prints such data elsewhere too. [`Truthy`],
//! [`Range`], [`Len`], [`IndexBy`] and [`ToScalar`] give `if`, `range`,
//! `len`, `index` and comparisons. They are implemented for strings,
//! numbers, `bool`, `char`, `Option`, `Vec`, slices, arrays and maps.
//! Range items are told apart by value; implement [`Keyed`] for an item
//! type to give them an identity, so that an item moved and changed in one
//! update is sent as a move and a patch. A [`RenderError`] names the
//! template's [`Loc`]ation; [`TemplateMeta`] describes a template's blocks
//! ([`BlockMeta`]) and [`Page::tree`] holds its rendered [`Block`]s.

pub use livetemplate_macros::live_template;
/// Derives [`LiveEvent`](trait@LiveEvent) for an enum of page events (see
/// [Events](crate#events)).
pub use livetemplate_macros::LiveEvent;
pub use livetemplate_runtime::{
    Application, ApplicationConfig, ApplicationMetrics, Attachment, Clock, Config, Error,
    ErrorKind, Health, HealthStatus, KeyConfig, LatencyBucket, ManualClock, MemoryConfig,
    MetricsConfig, PageConfig, PageHandle, StoreConfig, SystemClock, TokenConfig, TokenProblem,
};
pub use livetemplate_runtime::{
    Content, FromArg, Html, IndexBy, Json, Keyed, Len, LiveEvent, Loc, Range, RenderError, Scalar,
    Slot, Template, TemplateMeta, ToScalar, Truthy,
};
pub use livetemplate_runtime::{
    DynamicValue, Fragment, FragmentData, FragmentError, GranularData, GranularOp, MarkersData,
    Page, ReconstructError, Reconstructor, ReplacementData, StaticDynamicData, Strategy,
    ValuePatch, CLIENT_JS,
};
// What `TemplateMeta` describes (blocks, their slots and control structures,
// each slot's escapers) and what `Page::tree` and `Template`'s tree methods
// hold: every block rendered, with the value of each dynamic. Generated code
// builds them; they are in public signatures, so they are reachable here.
pub use livetemplate_runtime::{
    Block, BlockKind, BlockMeta, Change, ControlMeta, Dyn, Dynamic, Escaper, ListEdit, ListEdits,
    SlotMeta,
};

#[cfg(feature = "report")]
pub use livetemplate_runtime::FragmentReport;

#[cfg(feature = "axum")]
pub mod scale;
#[cfg(feature = "axum")]
pub mod serve;

/// Items the generated code refers to. Not a public API.
#[doc(hidden)]
pub use livetemplate_runtime as __rt;
