//! The update scenario corpus, shared by `examples/bench_report.rs` (the
//! bandwidth / latency / memory report written to `BENCHMARKS.md`) and
//! `benches/update.rs` (criterion). Both include this file with `#[path]`.
//!
//! Three pages:
//!
//! - [`TodoPage`]: a TodoMVC-like page — title, a server tick counter, a
//!   notice/hint branch, filter links whose `class` marks the selected one,
//!   a list of todos (class toggle, checkbox, label, delete button) with an
//!   `else`, and the footer count;
//! - [`Teams`]: template-benchmarks-rs "Teams" (year 2015, 4 teams,
//!   `class="champion"` on the first);
//! - [`BigTable`]: template-benchmarks-rs "Big table", 100×100 `usize`;
//! - [`RowsTable`]: a 100-row table in the style of js-framework-benchmark
//!   (id, label, select and remove links), for the socket-bytes comparison
//!   with Phoenix LiveView and Dioxus LiveView ([`peers`]).
//!
//! Each [`Scenario`] is an initial state and a sequence of next states. The
//! first next state is the **warm-up** update (after it the client holds the
//! statics of the fragments it touched); the others are the **measured**
//! updates, and their number is the scenario's weight in the corpus.

use livetemplate::{live_template, Template};

/// What kind of change a scenario makes to the state (not which strategy
/// the library picks for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Only values printed as HTML text change.
    Text,
    /// Only attribute values change.
    Attribute,
    /// List items are added or removed (plus the counts that follow).
    ListAddRemove,
    /// An item's attributes and the footer count (a todo toggled).
    ItemToggle,
    /// Items reordered, or an `if` switching branch.
    Structure,
    /// Text, attributes and list items at once.
    Mixed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Attribute => "attribute",
            Kind::ListAddRemove => "list add/remove",
            Kind::ItemToggle => "item toggle",
            Kind::Structure => "structure",
            Kind::Mixed => "mixed",
        }
    }
}

/// An initial state and the states the page moves to, in order.
pub struct Scenario<T> {
    pub name: &'static str,
    /// Which page template.
    pub page: &'static str,
    pub kind: Kind,
    /// What each update changes, for the report.
    pub what: &'static str,
    pub initial: T,
    /// `steps[0]` is the warm-up update; `steps[1..]` are measured.
    pub steps: Vec<T>,
}

impl<T> Scenario<T> {
    /// The number of measured updates: the scenario's weight in the corpus.
    pub fn weight(&self) -> usize {
        self.steps.len().saturating_sub(1)
    }
}

/// Receives every scenario of the corpus (they have different state types).
pub trait Visitor {
    fn visit<T: Template + Clone + PartialEq>(&mut self, scenario: Scenario<T>);
}

/// Visits the whole corpus, in report order.
pub fn corpus(v: &mut impl Visitor) {
    v.visit(counter_tick());
    v.visit(attribute_toggle());
    v.visit(todo_append());
    v.visit(todo_remove());
    v.visit(todo_toggle());
    v.visit(todo_reorder());
    v.visit(branch_flip());
    v.visit(teams_year());
    v.visit(teams_score());
    v.visit(table_cell());
    v.visit(todo_mixed());
}

/// Visits the changes of the socket-bytes comparison with Phoenix LiveView
/// and Dioxus LiveView (issue 13), in report order: not part of the
/// weighted corpus. The counter tick and the todo append are the corpus's
/// scenarios; the todo move and the two table changes are only here.
pub fn peers(v: &mut impl Visitor) {
    v.visit(counter_tick());
    v.visit(todo_append());
    v.visit(todo_move());
    v.visit(rows_swap());
    v.visit(rows_resort());
}

// ---------------------------------------------------------------------------
// The naive baseline.

/// The change from one HTML string to another, as a naive server would send
/// it: the bytes between the common prefix and the common suffix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaivePatch {
    /// Byte offset where the two strings start to differ.
    pub start: usize,
    /// Bytes of the old string replaced.
    pub removed: usize,
    /// What replaces them.
    pub inserted: String,
}

/// Byte-level common-prefix / common-suffix diff of two strings (cut on
/// `char` boundaries): O(n) and allocation-free apart from the inserted
/// text, so it is the *cheapest* naive diff, a lower bound for a real text
/// diff such as `similar::TextDiff`. The common parts are found a chunk at
/// a time (slice equality is a `memcmp`), so the diff costs a few
/// microseconds even on the 130 KB table.
pub fn prefix_suffix_diff(old: &str, new: &str) -> NaivePatch {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let n = a.len().min(b.len());
    let mut p = common_len(n, |i, len| a[i..i + len] == b[i..i + len]);
    while !(old.is_char_boundary(p) && new.is_char_boundary(p)) {
        p -= 1;
    }
    let (ta, tb) = (&a[p..], &b[p..]);
    let mut s = common_len(n - p, |i, len| {
        ta[ta.len() - i - len..ta.len() - i] == tb[tb.len() - i - len..tb.len() - i]
    });
    while !(old.is_char_boundary(a.len() - s) && new.is_char_boundary(b.len() - s)) {
        s -= 1;
    }
    NaivePatch {
        start: p,
        removed: a.len() - s - p,
        inserted: new[p..b.len() - s].to_owned(),
    }
}

/// The longest `k <= n` such that `same(0, k)` holds, where `same(i, len)`
/// compares `len` bytes from offset `i`: big chunks first, then smaller.
fn common_len(n: usize, same: impl Fn(usize, usize) -> bool) -> usize {
    let mut k = 0;
    for chunk in [4096, 256, 16, 1] {
        while k + chunk <= n && same(k, chunk) {
            k += chunk;
        }
    }
    k
}

/// The naive update: render both states in full (`T::render()`) and diff
/// the two HTML strings with [`prefix_suffix_diff`].
pub fn naive_update<T: Template>(prev: &T, next: &T) -> NaivePatch {
    let old = prev.render().expect("render");
    let new = next.render().expect("render");
    prefix_suffix_diff(&old, &new)
}

// ---------------------------------------------------------------------------
// The todo page.

#[derive(Clone, Debug, PartialEq)]
pub struct Todo {
    pub id: u32,
    pub text: String,
    pub done: bool,
}

#[live_template(source = r##"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.title}} ({{.remaining}})</title><link rel="stylesheet" href="/static/todo.css"></head>
<body>
<section class="todoapp">
  <header class="header">
    <h1>{{.title}}</h1>
    <p class="status">Server ticks: <span class="counter">{{.ticks}}</span></p>
    <form action="/todos" method="post"><input class="new-todo" name="text" placeholder="What needs to be done?" autofocus></form>
  </header>
  {{if .notice}}<div class="notice" role="status">{{.notice}}</div>{{else}}<div class="hint">Double-click a todo to edit it.</div>{{end}}
  <nav class="filters">
    <a href="#/" class="{{if eq .filter "all"}}selected{{end}}">All</a>
    <a href="#/active" class="{{if eq .filter "active"}}selected{{end}}">Active</a>
    <a href="#/completed" class="{{if eq .filter "completed"}}selected{{end}}">Completed</a>
  </nav>
  <ul class="todo-list filter-{{.filter}}">
    {{range .todos}}<li class="todo{{if .done}} completed{{end}}" data-id="{{.id}}"><input class="toggle" type="checkbox" name="done-{{.id}}"{{if .done}} checked{{end}}><label>{{.text}}</label><button class="destroy" name="delete" value="{{.id}}">×</button></li>
    {{else}}<li class="empty">Nothing to do!</li>{{end}}
  </ul>
  <footer class="footer"><span class="todo-count"><strong>{{.remaining}}</strong> items left</span></footer>
</section>
</body>
</html>
"##)]
#[derive(Clone, Debug, PartialEq)]
pub struct TodoPage {
    pub title: String,
    pub ticks: u64,
    pub notice: String,
    /// `all`, `active` or `completed` (the list is filtered by CSS).
    pub filter: String,
    pub todos: Vec<Todo>,
    /// Todos not done (kept in sync by [`TodoPage::recount`]).
    pub remaining: usize,
}

const TODO_TEXTS: [&str; 16] = [
    "Buy milk & eggs",
    "Write the quarterly report",
    "Call the plumber about the kitchen sink",
    "Book flights to Lisbon",
    "Review pull request #482",
    "Renew passport",
    "Water the plants",
    "Prepare slides for Monday's demo",
    "Pay the electricity bill",
    "Email Sam about the <div> layout bug",
    "Pick up dry cleaning",
    "Schedule dentist appointment",
    "Update the team wiki",
    "Back up the laptop",
    "Order birthday present for Alex",
    "Read chapter 4 of \"Designing Data-Intensive Applications\"",
];

impl TodoPage {
    fn recount(&mut self) {
        self.remaining = self.todos.iter().filter(|t| !t.done).count();
    }

    fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self.recount();
        self
    }

    fn append(&mut self, k: usize) {
        let id = self.todos.iter().map(|t| t.id).max().unwrap_or(0) + 1;
        self.todos.push(Todo {
            id,
            text: TODO_TEXTS[k % TODO_TEXTS.len()].into(),
            done: false,
        });
    }
}

/// A todo page with 10 todos (3 done), 41 ticks, the hint showing.
pub fn todo_initial() -> TodoPage {
    TodoPage {
        title: "Todos".into(),
        ticks: 41,
        notice: String::new(),
        filter: "all".into(),
        todos: (0..10)
            .map(|i| Todo {
                id: i as u32 + 1,
                text: TODO_TEXTS[i].into(),
                done: matches!(i, 0 | 4 | 6),
            })
            .collect(),
        remaining: 0,
    }
    .with(|_| {})
}

/// Builds `n` next states, each from the previous one.
fn chain<T: Clone>(initial: &T, n: usize, mut f: impl FnMut(usize, &mut T)) -> Vec<T> {
    let mut s = initial.clone();
    (0..n)
        .map(|k| {
            f(k, &mut s);
            s.clone()
        })
        .collect()
}

/// Weight 20: the server tick (a clock, a presence count) is the most
/// frequent update of a live page.
pub fn counter_tick() -> Scenario<TodoPage> {
    let initial = todo_initial();
    Scenario {
        name: "counter tick",
        page: "todo",
        kind: Kind::Text,
        what: "`ticks += 1` (one text slot)",
        steps: chain(&initial, 21, |_, s| s.ticks += 1),
        initial,
    }
}

/// Weight 4: the filter links' `class` and the list's `filter-…` class.
pub fn attribute_toggle() -> Scenario<TodoPage> {
    let initial = todo_initial();
    let filters = ["active", "completed", "all", "active", "all"];
    Scenario {
        name: "attribute toggle",
        page: "todo",
        kind: Kind::Attribute,
        what: "filter changes: 2 link `class`es and the list's `class`",
        steps: chain(&initial, filters.len(), |k, s| s.filter = filters[k].into()),
        initial,
    }
}

/// Weight 5.
pub fn todo_append() -> Scenario<TodoPage> {
    let initial = todo_initial();
    Scenario {
        name: "todo append",
        page: "todo",
        kind: Kind::ListAddRemove,
        what: "a todo added at the end (and the two counts)",
        steps: chain(&initial, 6, |k, s| {
            s.append(10 + k);
            s.recount();
        }),
        initial,
    }
}

/// Weight 3.
pub fn todo_remove() -> Scenario<TodoPage> {
    let initial = todo_initial();
    let at = [3, 5, 0, 6];
    Scenario {
        name: "todo remove",
        page: "todo",
        kind: Kind::ListAddRemove,
        what: "a todo deleted (middle, first, last; and the counts)",
        steps: chain(&initial, at.len(), |k, s| {
            let i = at[k].min(s.todos.len() - 1);
            s.todos.remove(i);
            s.recount();
        }),
        initial,
    }
}

/// Weight 5.
pub fn todo_toggle() -> Scenario<TodoPage> {
    let initial = todo_initial();
    let at = [2, 5, 0, 8, 2, 9];
    Scenario {
        name: "todo toggle",
        page: "todo",
        kind: Kind::ItemToggle,
        what: "a todo's `done`: its `class` and `checked`, and the counts",
        steps: chain(&initial, at.len(), |k, s| {
            s.todos[at[k]].done = !s.todos[at[k]].done;
            s.recount();
        }),
        initial,
    }
}

/// Weight 1: reorders (drag and drop) are rare.
pub fn todo_reorder() -> Scenario<TodoPage> {
    let initial = todo_initial();
    Scenario {
        name: "todo reorder",
        page: "todo",
        kind: Kind::Structure,
        what: "one todo dragged to another place",
        steps: chain(&initial, 2, |k, s| {
            let (from, to) = [(9, 0), (7, 2)][k];
            let t = s.todos.remove(from);
            s.todos.insert(to, t);
        }),
        initial,
    }
}

/// Not in the corpus (see [`peers`]): one todo taken out of the list and
/// inserted elsewhere, a different pair of positions each time.
pub fn todo_move() -> Scenario<TodoPage> {
    let initial = todo_initial();
    // (from, to) of `remove(from)` then `insert(to)`; 10 todos.
    let moves = [(2, 6), (0, 9), (9, 0), (4, 7), (7, 4)];
    Scenario {
        name: "todo move",
        page: "todo",
        kind: Kind::Structure,
        what: "one todo moved in the list: 3rd → 7th (warm-up), then first → last, last → first, 5th → 8th, 8th → 5th",
        steps: chain(&initial, moves.len(), |k, s| {
            let (from, to) = moves[k];
            let t = s.todos.remove(from);
            s.todos.insert(to, t);
        }),
        initial,
    }
}

/// Weight 2.
pub fn branch_flip() -> Scenario<TodoPage> {
    let initial = todo_initial();
    let notices = ["Saved.", "", "3 todos synced from your phone."];
    Scenario {
        name: "branch flip",
        page: "todo",
        kind: Kind::Structure,
        what: "the notice appears / disappears (`if` ↔ `else`)",
        steps: chain(&initial, notices.len(), |k, s| s.notice = notices[k].into()),
        initial,
    }
}

/// Weight 2: one update changes many things at once.
pub fn todo_mixed() -> Scenario<TodoPage> {
    let initial = todo_initial();
    let filters = ["active", "all", "completed"];
    Scenario {
        name: "mixed",
        page: "todo",
        kind: Kind::Mixed,
        what: "tick + filter + a todo toggled + a todo appended, in one update",
        steps: chain(&initial, 3, |k, s| {
            s.ticks += 1;
            s.filter = filters[k].into();
            let i = 1 + 3 * k;
            s.todos[i].done = !s.todos[i].done;
            s.append(20 + k);
            s.recount();
        }),
        initial,
    }
}

// ---------------------------------------------------------------------------
// Teams (template-benchmarks-rs).

#[derive(Clone, Debug, PartialEq)]
pub struct Team {
    pub name: String,
    pub score: u8,
}

#[live_template(
    source = r#"<html><head><title>{{.year}}</title></head><body><h1>CSL {{.year}}</h1><ul>{{range $i, $t := .teams}}<li class="{{if eq $i 0}}champion{{end}}"><b>{{$t.name}}</b>: {{$t.score}}</li>{{end}}</ul></body></html>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Teams {
    pub year: u16,
    pub teams: Vec<Team>,
}

/// The Teams data of template-benchmarks-rs.
pub fn teams_initial() -> Teams {
    let team = |name: &str, score| Team {
        name: name.into(),
        score,
    };
    Teams {
        year: 2015,
        teams: vec![
            team("Jiangsu", 43),
            team("Beijing", 27),
            team("Guangzhou", 22),
            team("Shandong", 12),
        ],
    }
}

/// Weight 3.
pub fn teams_year() -> Scenario<Teams> {
    let initial = teams_initial();
    Scenario {
        name: "teams: year",
        page: "teams",
        kind: Kind::Text,
        what: "`year += 1` (the `<title>` and the `<h1>`)",
        steps: chain(&initial, 4, |_, s| s.year += 1),
        initial,
    }
}

/// Weight 5: the "field change on a Teams-sized page" of the latency target.
pub fn teams_score() -> Scenario<Teams> {
    let initial = teams_initial();
    Scenario {
        name: "teams: score",
        page: "teams",
        kind: Kind::Text,
        what: "one team's score (text inside a range item)",
        steps: chain(&initial, 6, |k, s| s.teams[(k + 1) % 4].score += 1),
        initial,
    }
}

// ---------------------------------------------------------------------------
// Big table (template-benchmarks-rs).

#[live_template(
    source = "<table>{{range .rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>"
)]
#[derive(Clone, Debug, PartialEq)]
pub struct BigTable {
    pub rows: Vec<Vec<usize>>,
}

/// The 100×100 table, cell (r, c) = r × 100 + c.
pub fn table_initial() -> BigTable {
    BigTable {
        rows: (0..100)
            .map(|r| (0..100).map(|c| r * 100 + c).collect())
            .collect(),
    }
}

/// Weight 5.
pub fn table_cell() -> Scenario<BigTable> {
    let initial = table_initial();
    let cells = [(0, 0), (42, 17), (99, 99), (50, 3), (7, 64), (88, 12)];
    Scenario {
        name: "table: one cell",
        page: "big table",
        kind: Kind::Text,
        what: "one cell of the 100×100 table: (42,17), (99,99), (50,3), (7,64), (88,12), after the warm-up at (0,0)",
        steps: chain(&initial, cells.len(), |k, s| {
            let (r, c) = cells[k];
            s.rows[r][c] += 1_000_000;
        }),
        initial,
    }
}

// ---------------------------------------------------------------------------
// A 100-row table in the style of js-framework-benchmark.

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub id: usize,
    pub label: String,
    pub selected: bool,
}

#[live_template(
    source = r#"<table class="table"><tbody>{{range .rows}}<tr class="{{if .selected}}danger{{end}}"><td class="col-md-1">{{.id}}</td><td class="col-md-4"><a lt-click="select" lt-value-id="{{.id}}">{{.label}}</a></td><td class="col-md-1"><a lt-click="remove" lt-value-id="{{.id}}"><span class="glyphicon glyphicon-remove" aria-hidden="true"></span></a></td><td class="col-md-6"></td></tr>{{end}}</tbody></table>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct RowsTable {
    pub rows: Vec<Row>,
}

// js-framework-benchmark's word lists.
const ADJECTIVES: [&str; 25] = [
    "pretty",
    "large",
    "big",
    "small",
    "tall",
    "short",
    "long",
    "handsome",
    "plain",
    "quaint",
    "clean",
    "elegant",
    "easy",
    "angry",
    "crazy",
    "helpful",
    "mushy",
    "odd",
    "unsightly",
    "adorable",
    "important",
    "inexpensive",
    "cheap",
    "expensive",
    "fancy",
];
const COLOURS: [&str; 11] = [
    "red", "yellow", "blue", "green", "pink", "brown", "purple", "brown", "white", "black",
    "orange",
];
const NOUNS: [&str; 13] = [
    "table", "chair", "house", "bbq", "desk", "car", "pony", "cookie", "sandwich", "burger",
    "pizza", "mouse", "keyboard",
];

/// 100 rows, ids 1 to 100, labels "adjective colour noun" drawn from a
/// fixed-seed LCG (deterministic), none selected.
pub fn rows_initial() -> RowsTable {
    let mut seed: u32 = 13;
    let mut pick = |n: usize| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) as usize % n
    };
    RowsTable {
        rows: (1..=100)
            .map(|id| Row {
                id,
                label: format!(
                    "{} {} {}",
                    ADJECTIVES[pick(ADJECTIVES.len())],
                    COLOURS[pick(COLOURS.len())],
                    NOUNS[pick(NOUNS.len())]
                ),
                selected: false,
            })
            .collect(),
    }
}

/// Not in the corpus (see [`peers`]): two rows swapped, as
/// js-framework-benchmark's "swap rows" (its rows 1 and 998 of 1,000; here
/// 1 and 98 of 100, 0-based).
pub fn rows_swap() -> Scenario<RowsTable> {
    let initial = rows_initial();
    let pairs = [(1, 98), (1, 98), (10, 60), (4, 5), (0, 99)];
    Scenario {
        name: "rows: swap",
        page: "rows table",
        kind: Kind::Structure,
        what: "two rows swapped (0-based): 1 ↔ 98 (warm-up), then 1 ↔ 98 (back), 10 ↔ 60, 4 ↔ 5, 0 ↔ 99",
        steps: chain(&initial, pairs.len(), |k, s| s.rows.swap(pairs[k].0, pairs[k].1)),
        initial,
    }
}

/// Not in the corpus (see [`peers`]): the 100 rows re-sorted.
pub fn rows_resort() -> Scenario<RowsTable> {
    let initial = rows_initial();
    // Stable sorts: rows of equal labels stay in id order.
    let sorts: [fn(&mut Vec<Row>); 5] = [
        |r| r.sort_by(|a, b| a.label.cmp(&b.label)),
        |r| r.sort_by_key(|x| x.id),
        |r| r.sort_by(|a, b| a.label.cmp(&b.label)),
        |r| r.sort_by_key(|x| std::cmp::Reverse(x.id)),
        |r| r.sort_by_key(|x| x.id),
    ];
    Scenario {
        name: "rows: re-sort",
        page: "rows table",
        kind: Kind::Structure,
        what: "the 100 rows re-sorted: by label (warm-up), then back by id, by label, by id descending, by id",
        steps: chain(&initial, sorts.len(), |k, s| (sorts[k])(&mut s.rows)),
        initial,
    }
}

// ---------------------------------------------------------------------------
// An interleaved session (reported apart from the weighted corpus).

/// One todo page going through the corpus's kinds of update interleaved,
/// as a live page sees them: server ticks between user actions. Returns
/// the scenario and a label per step. The scenarios above run one kind of
/// update each; this shows what interleaving costs (a fragment updated with
/// `markers` or `granular` loses its statics on the client, so its next
/// `static_dynamic` update sends them again).
pub fn todo_session() -> (Scenario<TodoPage>, Vec<&'static str>) {
    type Step = (&'static str, fn(&mut TodoPage));
    let steps: [Step; 22] = [
        ("tick (warm-up)", |s| s.ticks += 1),
        ("tick", |s| s.ticks += 1),
        ("tick", |s| s.ticks += 1),
        ("toggle todo 3", |s| s.todos[2].done = !s.todos[2].done),
        ("tick", |s| s.ticks += 1),
        ("append a todo", |s| s.append(11)),
        ("tick", |s| s.ticks += 1),
        ("tick", |s| s.ticks += 1),
        ("filter: active", |s| s.filter = "active".into()),
        ("tick", |s| s.ticks += 1),
        ("tick", |s| s.ticks += 1),
        ("remove todo 1", |s| {
            s.todos.remove(0);
        }),
        ("tick", |s| s.ticks += 1),
        ("notice appears", |s| s.notice = "Saved.".into()),
        ("tick", |s| s.ticks += 1),
        ("filter: all", |s| s.filter = "all".into()),
        ("tick", |s| s.ticks += 1),
        ("toggle todo 6", |s| s.todos[5].done = !s.todos[5].done),
        ("tick", |s| s.ticks += 1),
        ("notice disappears", |s| s.notice.clear()),
        ("tick", |s| s.ticks += 1),
        ("tick", |s| s.ticks += 1),
    ];
    let initial = todo_initial();
    let labels = steps.iter().map(|s| s.0).collect();
    let scenario = Scenario {
        name: "todo session",
        page: "todo",
        kind: Kind::Mixed,
        what: "ticks interleaved with user actions",
        steps: chain(&initial, steps.len(), |k, s| {
            (steps[k].1)(s);
            s.recount();
        }),
        initial,
    };
    (scenario, labels)
}
