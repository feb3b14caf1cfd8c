//! The templates of the reconstruction-invariant suite, with proptest
//! strategies for their states. Shared by `update_invariant.rs` (Rust
//! reconstructor) and `browser_fixtures.rs` (the JS client in Chromium).
#![allow(dead_code)]

use livetemplate::live_template;
use proptest::prelude::*;

/// Short strings that exercise escaping.
pub fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a"),
            Just("b"),
            Just("<"),
            Just("&"),
            Just("\""),
            Just(" "),
            Just("é")
        ],
        0..4,
    )
    .prop_map(|v| v.concat())
}

pub fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/a".to_string()),
        Just("https://x.org/?q=1&r=2".to_string()),
        Just("javascript:alert(1)".to_string()),
        text()
    ]
}

// 1. Text slots.
#[live_template(source = "<div><h1>{{.title}}</h1><p>Count: {{.count}}</p></div>")]
#[derive(Clone, Debug, PartialEq)]
pub struct Counter {
    title: String,
    count: i64,
}
pub fn text_slots() -> impl Strategy<Value = Counter> {
    (text(), 0..4i64).prop_map(|(title, count)| Counter { title, count })
}

// 2. Attribute slots: class toggle, boolean attributes, href, title.
#[live_template(
    source = r#"<button class="btn {{if .active}}active{{end}}" {{if .disabled}}disabled{{end}} title="{{.label}}">{{.label}}</button>
<a href="{{.url}}">go</a><input type="checkbox" {{if .checked}}checked{{end}}>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Attrs {
    active: bool,
    disabled: bool,
    checked: bool,
    label: String,
    url: String,
}
pub fn attribute_slots() -> impl Strategy<Value = Attrs> {
    (any::<bool>(), any::<bool>(), any::<bool>(), text(), url()).prop_map(
        |(active, disabled, checked, label, url)| Attrs {
            active,
            disabled,
            checked,
            label,
            url,
        },
    )
}

// 3. A list with an else, and a count.
#[derive(Clone, Debug, PartialEq)]
pub struct Todo {
    text: String,
    done: bool,
}
pub fn todo() -> impl Strategy<Value = Todo> {
    (text(), any::<bool>()).prop_map(|(text, done)| Todo { text, done })
}
#[live_template(
    source = r#"<ul>{{range .items}}<li class="{{if .done}}done{{end}}">{{.text}}</li>{{else}}<li>none</li>{{end}}</ul><p>{{len .items}} items</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Todos {
    items: Vec<Todo>,
}
pub fn range_with_else() -> impl Strategy<Value = Todos> {
    proptest::collection::vec(todo(), 0..5).prop_map(|items| Todos { items })
}

// 4. A table: range of <tr> with a nested range of <td>.
#[live_template(
    source = "<table><tbody>{{range .rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>"
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    rows: Vec<Vec<u8>>,
}
pub fn table_rows() -> impl Strategy<Value = Table> {
    proptest::collection::vec(proptest::collection::vec(0..3u8, 0..3), 0..4)
        .prop_map(|rows| Table { rows })
}

// 5. A <select> of <option>s, the selected one compared with `$`.
#[derive(Clone, Debug, PartialEq)]
pub struct Opt {
    value: i64,
    label: String,
}
#[live_template(
    source = r#"<select name="f">{{range .options}}<option value="{{.value}}"{{if eq .value $.selected}} selected{{end}}>{{.label}}</option>{{end}}</select>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    options: Vec<Opt>,
    selected: i64,
}
pub fn select_options() -> impl Strategy<Value = Select> {
    (
        proptest::collection::vec(
            (0..3i64, text()).prop_map(|(value, label)| Opt { value, label }),
            0..4,
        ),
        0..3i64,
    )
        .prop_map(|(options, selected)| Select { options, selected })
}

// 6. Nested with / if / range.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    name: String,
    admin: bool,
    tags: Vec<String>,
}
#[live_template(
    source = r#"{{with .user}}<div class="user">{{.name}}{{if .admin}}<b>admin</b>{{else}}<i>user</i>{{end}}<ul>{{range .tags}}<li>{{.}}</li>{{end}}</ul></div>{{else}}<p>anonymous</p>{{end}}"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    user: Option<User>,
}
pub fn nested_blocks() -> impl Strategy<Value = Profile> {
    proptest::option::of(
        (
            text(),
            any::<bool>(),
            proptest::collection::vec(text(), 0..3),
        )
            .prop_map(|(name, admin, tags)| User { name, admin, tags }),
    )
    .prop_map(|user| Profile { user })
}

// 7. define / template, called at the root and inside a range.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    title: String,
    body: String,
}
pub fn card() -> impl Strategy<Value = Card> {
    (text(), text()).prop_map(|(title, body)| Card { title, body })
}
#[live_template(
    source = r#"{{define "card"}}<div class="card"><h2>{{.title}}</h2><p>{{.body}}</p></div>{{end}}{{template "card" .main}}<aside>{{range .side}}{{template "card" .}}{{end}}</aside>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Cards {
    main: Card,
    side: Vec<Card>,
}
pub fn define_template() -> impl Strategy<Value = Cards> {
    (card(), proptest::collection::vec(card(), 0..3)).prop_map(|(main, side)| Cards { main, side })
}

// 8. RCDATA: <title> and <textarea>.
#[live_template(
    source = r#"<title>{{.title}} ({{.count}})</title><textarea name="t">{{.text}}</textarea><p>{{.text}}</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Rcdata {
    title: String,
    count: u8,
    text: String,
}
pub fn rcdata_slots() -> impl Strategy<Value = Rcdata> {
    (text(), 0..3u8, text()).prop_map(|(title, count, text)| Rcdata { title, count, text })
}

// 9. if / else if / else, switching branches.
#[live_template(
    source = r#"{{if eq .status 0}}<p class="ok">OK {{.msg}}</p>{{else if eq .status 1}}<p class="warn">{{.msg}}</p>{{else}}<p class="err">ERR: {{.msg}}</p>{{end}}"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    status: i64,
    msg: String,
}
pub fn else_if_chain() -> impl Strategy<Value = Status> {
    (0..3i64, text()).prop_map(|(status, msg)| Status { status, msg })
}

// 10. Variables and range index.
#[live_template(
    source = r#"{{$n := len .items}}<ol>{{range $i, $v := .items}}<li id="i{{$i}}">{{$v}} of {{$n}}</li>{{end}}</ol>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Numbered {
    items: Vec<String>,
}
pub fn variables_and_index() -> impl Strategy<Value = Numbered> {
    proptest::collection::vec(text(), 0..4).prop_map(|items| Numbered { items })
}

// 11. Script and style contexts.
#[live_template(
    source = r#"<script>var state = {{.state}}; var n = {{.n}};</script><div style="color: {{.color}}">{{.n}}</div>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Scripted {
    state: String,
    n: i64,
    color: String,
}
pub fn script_and_style() -> impl Strategy<Value = Scripted> {
    (
        text(),
        -2..3i64,
        prop_oneof![Just("red".to_string()), Just("#fff".to_string()), text()],
    )
        .prop_map(|(state, n, color)| Scripted { state, n, color })
}

// 12. A whole page: header, nav with an active link, list, footer counter.
#[live_template(source = r#"<!DOCTYPE html>
<html><head><title>{{.title}}</title></head>
<body>
<nav>{{range .links}}<a href="{{.url}}" class="{{if eq .url $.current}}active{{end}}">{{.label}}</a>{{end}}</nav>
<main>
  {{if .items}}<ul>{{range .items}}<li>{{.text}}{{if .done}} ✓{{end}}</li>{{end}}</ul>{{else}}<p>Nothing yet.</p>{{end}}
  {{with .notice}}<div class="notice">{{.}}</div>{{end}}
</main>
<footer>{{len .items}} items, {{.visits}} visits</footer>
</body></html>"#)]
#[derive(Clone, Debug, PartialEq)]
pub struct FullPage {
    title: String,
    links: Vec<Link>,
    current: String,
    items: Vec<Todo>,
    notice: Option<String>,
    visits: u32,
}
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    url: String,
    label: String,
}
pub fn full_page() -> impl Strategy<Value = FullPage> {
    (
        text(),
        proptest::collection::vec(
            (
                prop_oneof![Just("/a".to_string()), Just("/b".to_string())],
                text(),
            )
                .prop_map(|(url, label)| Link { url, label }),
            0..3,
        ),
        prop_oneof![Just("/a".to_string()), Just("/b".to_string())],
        proptest::collection::vec(todo(), 0..4),
        proptest::option::of(text()),
        0..3u32,
    )
        .prop_map(|(title, links, current, items, notice, visits)| FullPage {
            title,
            links,
            current,
            items,
            notice,
            visits,
        })
}

// 13. Range items holding folded blocks of every kind (if/else, with,
// template, a nested range with an else), edited one change at a time:
// text-only changes inside items travel as markers.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    name: String,
    note: String,
    sub: String,
    tag: String,
    parts: Vec<String>,
}
#[live_template(
    source = r#"{{define "tag"}}<em>{{.}}</em>{{end}}<ul>{{range .entries}}<li>{{.name}}{{if .note}}<i>{{.note}}</i>{{else}}<b>-</b>{{end}}{{with .sub}}<s>{{.}}</s>{{end}}{{template "tag" .tag}}<span>{{range .parts}}<u>{{.}}</u>{{else}}none{{end}}</span></li>{{end}}</ul><p>{{len .entries}}</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Entries {
    entries: Vec<Entry>,
}

/// Non-empty text (keeps an `if`/`with` on its branch).
fn some_text() -> impl Strategy<Value = String> {
    text().prop_map(|t| format!("x{t}"))
}

/// A list of entries, then edits; each state comes with `true` when its
/// edit changed only text inside items (no branch, length or attribute).
pub fn entry_sequences() -> impl Strategy<Value = Vec<(Entries, bool)>> {
    let entry = || {
        (
            text(),
            prop_oneof![Just(String::new()), some_text()],
            prop_oneof![Just(String::new()), some_text()],
            text(),
            proptest::collection::vec(text(), 0..3),
        )
            .prop_map(|(name, note, sub, tag, parts)| Entry {
                name,
                note,
                sub,
                tag,
                parts,
            })
    };
    let first = proptest::collection::vec(entry(), 0..4).prop_map(|entries| Entries { entries });
    let edit = (0..9u8, 0..4usize, some_text(), entry());
    (first, proptest::collection::vec(edit, 1..10)).prop_map(|(first, edits)| {
        let mut states = vec![(first, false)];
        for (kind, at, t, e) in edits {
            let mut s = states.last().expect("first").0.clone();
            let n = s.entries.len();
            let mut text_only = n > 0;
            if n > 0 {
                let x = &mut s.entries[at % n];
                match kind {
                    0 => x.name = t,
                    1 if !x.note.is_empty() => x.note = t,
                    2 if !x.sub.is_empty() => x.sub = t,
                    3 => x.tag = t,
                    4 if !x.parts.is_empty() => {
                        let len = x.parts.len();
                        x.parts[at % len] = t;
                    }
                    5 => {
                        x.note = String::new();
                        x.sub = String::new();
                        text_only = false;
                    }
                    6 => {
                        x.parts.push(t);
                        text_only = false;
                    }
                    _ => text_only = false,
                }
            }
            match kind {
                7 => s.entries.insert(at % (n + 1), e),
                8 if n > 0 => {
                    s.entries.remove(at % n);
                }
                _ => {}
            }
            states.push((s, text_only));
        }
        states
    })
}

// 14. /// Tables whose rows are updated in place: the root range's items hold
/// nested ranges over the item (edited cell by cell), next to other values
/// of the row and to a nested range that reads an outer variable (rebuilt
/// whole); an attribute after the table moves with the rows' lengths.
#[live_template(
    source = r#"<table>{{range $r, $row := .rows}}<tr class="r{{$r}}"><th>{{len $row}}</th>{{range $c, $v := .}}<td>{{$c}}:{{$v}}</td>{{end}}<td>{{range .}}{{.}}{{end}}</td><td>{{range .}}{{len $row}}{{end}}</td></tr>{{end}}</table><p class="u{{.unit}}">{{.unit}}</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    rows: Vec<Vec<u8>>,
    unit: String,
}

/// A grid, then edits: set one cell, append or drop a cell of a row, add or
/// drop a row, or change the unit (with a cell, in one step).
pub fn grid_sequences() -> impl Strategy<Value = Vec<Grid>> {
    let grid = (
        proptest::collection::vec(proptest::collection::vec(0..20u8, 0..5), 0..5),
        "[a-c]{0,2}",
    )
        .prop_map(|(rows, unit)| Grid { rows, unit });
    let edit = (0..6u8, 0..6usize, 0..6usize, 0..20u8);
    (grid, proptest::collection::vec(edit, 1..12)).prop_map(|(first, edits)| {
        let mut states = vec![first];
        for (kind, r, c, v) in edits {
            let mut g = states.last().expect("first").clone();
            let n = g.rows.len();
            match kind {
                0 | 1 if n > 0 => {
                    let row = &mut g.rows[r % n];
                    if !row.is_empty() {
                        let len = row.len();
                        row[c % len] = v;
                    }
                }
                2 if n > 0 => g.rows[r % n].push(v),
                3 if n > 0 => {
                    g.rows[r % n].pop();
                }
                4 => g.rows.insert(r % (n + 1), vec![v]),
                _ => {
                    // the unit (an attribute after the table) and a cell at once
                    g.unit = format!("{}{}", g.unit, v % 3);
                    if let Some(row) = g.rows.get_mut(r % n.max(1)) {
                        if !row.is_empty() {
                            let len = row.len();
                            row[c % len] = v.wrapping_mul(7) % 200;
                        }
                    }
                }
            }
            states.push(g);
        }
        states
    })
}

// 15. Items with a key (`Keyed`): moved, changed, added and removed in any
// mix, keys unique (and, now and then, repeated: then diffed by value).
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    id: u8,
    title: String,
    done: bool,
    tags: Vec<String>,
}

impl livetemplate::Keyed for Task {
    type Key = u8;
    fn key(&self) -> u8 {
        self.id
    }
}

#[live_template(
    source = r#"<h2>{{.heading}}</h2><ol>{{range .tasks}}<li id="t{{.id}}" class="{{if .done}}done{{end}}">{{.title}}{{range .tags}}<i>{{.}}</i>{{end}}</li>{{else}}<li>none</li>{{end}}</ol><p>{{len .tasks}}</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Tasks {
    heading: String,
    tasks: Vec<Task>,
}

pub fn task_sequences() -> impl Strategy<Value = Vec<Tasks>> {
    let task = |id: u8| {
        (
            text(),
            any::<bool>(),
            proptest::collection::vec(text(), 0..2),
        )
            .prop_map(move |(title, done, tags)| Task {
                id,
                title,
                done,
                tags,
            })
    };
    let first = (0..5u8)
        .prop_flat_map(move |n| (0..n).map(task).collect::<Vec<_>>())
        .prop_map(|tasks| Tasks {
            heading: "h".into(),
            tasks,
        });
    let edit = (0..8u8, 0..8usize, 0..8usize, text(), 0..40u8);
    (first, proptest::collection::vec(edit, 1..10)).prop_map(|(first, edits)| {
        let mut states = vec![first];
        for (kind, a, b, t, id) in edits {
            let mut s = states.last().expect("first").clone();
            let n = s.tasks.len();
            match kind {
                0 if n > 1 => s.tasks.swap(a % n, b % n),
                1 if n > 0 => {
                    // moved and changed
                    let task = s.tasks.remove(a % n);
                    let at = b % n;
                    s.tasks.insert(at, Task { title: t, ..task });
                }
                2 if n > 0 => s.tasks[a % n].done ^= true,
                3 if n > 0 => {
                    s.tasks.remove(a % n);
                }
                4 => {
                    // a new key (or, rarely, a repeated one)
                    let id = if id < 36 { 100 + id } else { id % 4 };
                    let task = Task {
                        id,
                        title: t,
                        done: false,
                        tags: vec![],
                    };
                    s.tasks.insert(a % (n + 1), task);
                }
                5 if n > 0 => {
                    // several at once: one changed, one removed, the rest reversed
                    s.tasks[a % n].title = t;
                    s.tasks.remove(b % n);
                    s.tasks.reverse();
                }
                6 if n > 0 => s.tasks[a % n].tags.push(t),
                _ => s.heading = format!("{}{}", s.heading, id % 3),
            }
            states.push(s);
        }
        states
    })
}
