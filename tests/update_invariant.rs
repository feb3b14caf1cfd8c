//! The reconstruction invariant, as property tests.
//!
//! For each template below and random sequences of states s0, s1, …, sn:
//!
//! 1. the tree that `update_tree` leaves after each step equals the tree
//!    built from scratch for that state (the generated field-level diff
//!    recomputes everything that changed), and renders the same HTML;
//! 2. applying the fragments of each `Page::update` in turn to the first
//!    render of s0, with the Rust `Reconstructor`, gives exactly the fresh
//!    render of each state, byte for byte.
//!
//! Cases per template: `PROPTEST_CASES` (test.sh sets 1000 in CI).

use livetemplate::{live_template, Page, Reconstructor, Template};
use proptest::prelude::*;

/// Short strings that exercise escaping.
fn text() -> impl Strategy<Value = String> {
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

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/a".to_string()),
        Just("https://x.org/?q=1&r=2".to_string()),
        Just("javascript:alert(1)".to_string()),
        text()
    ]
}

/// Checks both invariants over one sequence of states.
fn check_sequence<T: Template + Clone + PartialEq + std::fmt::Debug>(states: Vec<T>) {
    let mut states = states.into_iter();
    let first = states.next().expect("at least one state");

    // 1. update_tree reaches build_tree.
    let mut tree = first.build_tree().expect("build");
    assert_eq!(tree.html(false), first.render().unwrap());
    let mut prev = first.clone();

    // 2. fragments reconstruct the fresh render.
    let mut page = Page::new(first).expect("page");
    let mut client = Reconstructor::new(page.render());

    for next in states {
        let mut changes = Vec::new();
        next.update_tree(&prev, &mut tree, &mut changes)
            .expect("update_tree");
        assert_eq!(
            tree,
            next.build_tree().unwrap(),
            "update_tree vs build_tree"
        );

        let fragments = page.update(next.clone()).expect("update");
        if prev == next {
            assert!(fragments.is_empty(), "no change must give no fragments");
        }
        client
            .apply(&fragments)
            .unwrap_or_else(|e| panic!("apply failed: {e}\nfragments: {fragments:#?}"));
        let fresh = Page::new(next.clone()).unwrap().render();
        assert_eq!(
            client.html(),
            fresh,
            "reconstructed HTML differs from a fresh render\nfragments: {fragments:#?}"
        );
        prev = next;
    }
}

macro_rules! invariant {
    ($name:ident, $ty:ty, $strategy:expr) => {
        proptest! {
            #[test]
            fn $name(states in proptest::collection::vec($strategy, 1..6)) {
                check_sequence::<$ty>(states);
            }
        }
    };
}

// 1. Text slots.
#[live_template(source = "<div><h1>{{.title}}</h1><p>Count: {{.count}}</p></div>")]
#[derive(Clone, Debug, PartialEq)]
struct Counter {
    title: String,
    count: i64,
}
invariant!(
    text_slots,
    Counter,
    (text(), 0..4i64).prop_map(|(title, count)| Counter { title, count })
);

// 2. Attribute slots: class toggle, boolean attributes, href, title.
#[live_template(
    source = r#"<button class="btn {{if .active}}active{{end}}" {{if .disabled}}disabled{{end}} title="{{.label}}">{{.label}}</button>
<a href="{{.url}}">go</a><input type="checkbox" {{if .checked}}checked{{end}}>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Attrs {
    active: bool,
    disabled: bool,
    checked: bool,
    label: String,
    url: String,
}
invariant!(
    attribute_slots,
    Attrs,
    (any::<bool>(), any::<bool>(), any::<bool>(), text(), url()).prop_map(
        |(active, disabled, checked, label, url)| Attrs {
            active,
            disabled,
            checked,
            label,
            url
        }
    )
);

// 3. A list with an else, and a count.
#[derive(Clone, Debug, PartialEq)]
struct Todo {
    text: String,
    done: bool,
}
fn todo() -> impl Strategy<Value = Todo> {
    (text(), any::<bool>()).prop_map(|(text, done)| Todo { text, done })
}
#[live_template(
    source = r#"<ul>{{range .items}}<li class="{{if .done}}done{{end}}">{{.text}}</li>{{else}}<li>none</li>{{end}}</ul><p>{{len .items}} items</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Todos {
    items: Vec<Todo>,
}
invariant!(
    range_with_else,
    Todos,
    proptest::collection::vec(todo(), 0..5).prop_map(|items| Todos { items })
);

// 4. A table: range of <tr> with a nested range of <td>.
#[live_template(
    source = "<table><tbody>{{range .rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>"
)]
#[derive(Clone, Debug, PartialEq)]
struct Table {
    rows: Vec<Vec<u8>>,
}
invariant!(
    table_rows,
    Table,
    proptest::collection::vec(proptest::collection::vec(0..3u8, 0..3), 0..4)
        .prop_map(|rows| Table { rows })
);

// 5. A <select> of <option>s, the selected one compared with `$`.
#[derive(Clone, Debug, PartialEq)]
struct Opt {
    value: i64,
    label: String,
}
#[live_template(
    source = r#"<select name="f">{{range .options}}<option value="{{.value}}"{{if eq .value $.selected}} selected{{end}}>{{.label}}</option>{{end}}</select>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Select {
    options: Vec<Opt>,
    selected: i64,
}
invariant!(
    select_options,
    Select,
    (
        proptest::collection::vec(
            (0..3i64, text()).prop_map(|(value, label)| Opt { value, label }),
            0..4
        ),
        0..3i64
    )
        .prop_map(|(options, selected)| Select { options, selected })
);

// 6. Nested with / if / range.
#[derive(Clone, Debug, PartialEq)]
struct User {
    name: String,
    admin: bool,
    tags: Vec<String>,
}
#[live_template(
    source = r#"{{with .user}}<div class="user">{{.name}}{{if .admin}}<b>admin</b>{{else}}<i>user</i>{{end}}<ul>{{range .tags}}<li>{{.}}</li>{{end}}</ul></div>{{else}}<p>anonymous</p>{{end}}"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Profile {
    user: Option<User>,
}
invariant!(
    nested_blocks,
    Profile,
    proptest::option::of(
        (
            text(),
            any::<bool>(),
            proptest::collection::vec(text(), 0..3)
        )
            .prop_map(|(name, admin, tags)| User { name, admin, tags })
    )
    .prop_map(|user| Profile { user })
);

// 7. define / template, called at the root and inside a range.
#[derive(Clone, Debug, PartialEq)]
struct Card {
    title: String,
    body: String,
}
fn card() -> impl Strategy<Value = Card> {
    (text(), text()).prop_map(|(title, body)| Card { title, body })
}
#[live_template(
    source = r#"{{define "card"}}<div class="card"><h2>{{.title}}</h2><p>{{.body}}</p></div>{{end}}{{template "card" .main}}<aside>{{range .side}}{{template "card" .}}{{end}}</aside>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Cards {
    main: Card,
    side: Vec<Card>,
}
invariant!(
    define_template,
    Cards,
    (card(), proptest::collection::vec(card(), 0..3)).prop_map(|(main, side)| Cards { main, side })
);

// 8. RCDATA: <title> and <textarea>.
#[live_template(
    source = r#"<title>{{.title}} ({{.count}})</title><textarea name="t">{{.text}}</textarea><p>{{.text}}</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Rcdata {
    title: String,
    count: u8,
    text: String,
}
invariant!(
    rcdata_slots,
    Rcdata,
    (text(), 0..3u8, text()).prop_map(|(title, count, text)| Rcdata { title, count, text })
);

// 9. if / else if / else, switching branches.
#[live_template(
    source = r#"{{if eq .status 0}}<p class="ok">OK {{.msg}}</p>{{else if eq .status 1}}<p class="warn">{{.msg}}</p>{{else}}<p class="err">ERR: {{.msg}}</p>{{end}}"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Status {
    status: i64,
    msg: String,
}
invariant!(
    else_if_chain,
    Status,
    (0..3i64, text()).prop_map(|(status, msg)| Status { status, msg })
);

// 10. Variables and range index.
#[live_template(
    source = r#"{{$n := len .items}}<ol>{{range $i, $v := .items}}<li id="i{{$i}}">{{$v}} of {{$n}}</li>{{end}}</ol>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Numbered {
    items: Vec<String>,
}
invariant!(
    variables_and_index,
    Numbered,
    proptest::collection::vec(text(), 0..4).prop_map(|items| Numbered { items })
);

// 11. Script and style contexts.
#[live_template(
    source = r#"<script>var state = {{.state}}; var n = {{.n}};</script><div style="color: {{.color}}">{{.n}}</div>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Scripted {
    state: String,
    n: i64,
    color: String,
}
invariant!(
    script_and_style,
    Scripted,
    (
        text(),
        -2..3i64,
        prop_oneof![Just("red".to_string()), Just("#fff".to_string()), text()]
    )
        .prop_map(|(state, n, color)| Scripted { state, n, color })
);

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
struct FullPage {
    title: String,
    links: Vec<Link>,
    current: String,
    items: Vec<Todo>,
    notice: Option<String>,
    visits: u32,
}
#[derive(Clone, Debug, PartialEq)]
struct Link {
    url: String,
    label: String,
}
invariant!(
    full_page,
    FullPage,
    (
        text(),
        proptest::collection::vec(
            (
                prop_oneof![Just("/a".to_string()), Just("/b".to_string())],
                text()
            )
                .prop_map(|(url, label)| Link { url, label }),
            0..3
        ),
        prop_oneof![Just("/a".to_string()), Just("/b".to_string())],
        proptest::collection::vec(todo(), 0..4),
        proptest::option::of(text()),
        0..3u32
    )
        .prop_map(|(title, links, current, items, notice, visits)| FullPage {
            title,
            links,
            current,
            items,
            notice,
            visits
        })
);
