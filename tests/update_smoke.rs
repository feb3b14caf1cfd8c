//! End-to-end smoke tests of live updates: `Page::update` on generated
//! templates, fragments sent through JSON, applied by the `Reconstructor`.

use livetemplate::{
    live_template, Fragment, FragmentData, Page, Reconstructor, Strategy, Template,
};

/// Removes the fragment and item markers from a marked page.
fn strip_markers(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        let end = i + rest[i..].find("-->").expect("closed comment") + 3;
        let comment = &rest[i..end];
        if comment != "<!--i-->"
            && !comment.starts_with("<!--f-")
            && !comment.starts_with("<!--/f-")
        {
            out.push_str(comment);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Updates `page` to `next`, ships the fragments as JSON to `client`, and
/// checks the client ends up with a fresh render. Returns the strategies.
fn step<T: Template + Clone + PartialEq>(
    page: &mut Page<T>,
    client: &mut Reconstructor,
    next: T,
) -> Vec<(String, Strategy, String)> {
    let fragments = page.update(next.clone()).expect("update");
    let json = serde_json::to_string(&fragments).unwrap();
    let received: Vec<Fragment> = serde_json::from_str(&json).unwrap();
    client
        .apply(&received)
        .unwrap_or_else(|e| panic!("apply: {e}\n{json}"));
    let fresh = Page::new(next.clone()).unwrap().render();
    assert_eq!(client.html(), fresh, "{json}");
    assert_eq!(strip_markers(&fresh), next.render().unwrap());
    fragments
        .into_iter()
        .map(|f| (f.id.into_owned(), f.strategy, f.action.into_owned()))
        .collect()
}

fn kinds(v: &[(String, Strategy, String)]) -> Vec<(Strategy, &str)> {
    v.iter().map(|(_, s, a)| (*s, a.as_str())).collect()
}

#[derive(Clone, Debug, PartialEq)]
struct Todo {
    text: String,
    done: bool,
}

#[live_template(source = r#"<h1>{{.title}}</h1>
<ul>{{range .items}}<li class="{{if .done}}done{{end}}">{{.text}}</li>{{else}}<li>none</li>{{end}}</ul>
{{if .banner}}<p>{{.banner}}</p>{{end}}<footer class="{{.theme}}">{{len .items}} items</footer>"#)]
#[derive(Clone, Debug, PartialEq)]
struct Todos {
    title: String,
    items: Vec<Todo>,
    banner: String,
    theme: String,
}

fn todo(text: &str, done: bool) -> Todo {
    Todo {
        text: text.into(),
        done,
    }
}

#[test]
fn todo_list_strategies() {
    let s0 = Todos {
        title: "Todos".into(),
        items: vec![todo("milk", false), todo("eggs", true)],
        banner: String::new(),
        theme: "light".into(),
    };
    let mut page = Page::new(s0.clone()).unwrap();
    let mut client = Reconstructor::new(page.render());
    assert_eq!(strip_markers(&page.render()), s0.render().unwrap());
    assert!(page.memory_bytes() > 0);

    // nothing changed
    assert!(page.update(s0.clone()).unwrap().is_empty());

    // a text slot: markers on the HTML the client holds, no statics, from
    // the first update after the render on
    let mut s = s0.clone();
    s.title = "My <todos>".into();
    assert_eq!(
        kinds(&step(&mut page, &mut client, s.clone())),
        [(Strategy::Markers, "patch")]
    );
    s.title = "Mine".into();
    assert_eq!(
        kinds(&step(&mut page, &mut client, s.clone())),
        [(Strategy::Markers, "patch")]
    );

    // an attribute: markers
    s.theme = "dark".into();
    assert_eq!(
        kinds(&step(&mut page, &mut client, s.clone())),
        [(Strategy::Markers, "patch")]
    );

    // a block appears: the root's count is a text change, the `if` is replaced
    s.banner = "Hello".into();
    let v = step(&mut page, &mut client, s.clone());
    assert!(v.iter().any(|f| f.1 == Strategy::Replacement), "{v:?}");

    // append an item: granular (plus the count in the root)
    s.items.push(todo("bread", false));
    let v = step(&mut page, &mut client, s.clone());
    assert!(
        v.iter()
            .any(|f| f.1 == Strategy::Granular && f.2 == "append"),
        "{v:?}"
    );

    // remove one
    s.items.remove(0);
    let v = step(&mut page, &mut client, s.clone());
    assert!(
        v.iter()
            .any(|f| f.1 == Strategy::Granular && f.2 == "remove"),
        "{v:?}"
    );

    // an item's class changes in place: markers on the range
    s.items[0].done = false;
    let v = step(&mut page, &mut client, s.clone());
    assert!(v.iter().all(|f| f.1 == Strategy::Markers), "{v:?}");

    // changed and added in one update: the added item appended, the
    // changed one patched in place, no replacement
    s.items.extend([todo("tea", false), todo("jam", false)]);
    step(&mut page, &mut client, s.clone());
    s.items[0].done = true;
    s.items.push(todo("rice", true));
    let v = step(&mut page, &mut client, s.clone());
    let list = &v.last().expect("fragments").0;
    let on_list: Vec<_> = v
        .iter()
        .filter(|f| &f.0 == list)
        .map(|f| (f.1, f.2.as_str()))
        .collect();
    assert_eq!(
        on_list,
        [(Strategy::Granular, "append"), (Strategy::Markers, "patch")],
        "{v:?}"
    );
    // and removed: whatever the edits, never the list's replacement here
    s.items[1].done = true;
    s.items.remove(0);
    let v = step(&mut page, &mut client, s.clone());
    assert!(v.iter().all(|f| f.1 != Strategy::Replacement), "{v:?}");

    // empty, showing the else, and back
    s.items.clear();
    step(&mut page, &mut client, s.clone());
    s.items = vec![todo("x", true)];
    step(&mut page, &mut client, s.clone());
    assert_eq!(page.state(), &s);
}

#[derive(Clone, Debug, PartialEq)]
struct User {
    name: String,
    admin: bool,
    tags: Vec<String>,
}

#[live_template(
    source = r#"{{with .user}}<div class="user">{{.name}}{{if .admin}}<b>admin</b>{{else}}<i>user</i>{{end}}<ul>{{range .tags}}<li>{{.}}</li>{{end}}</ul></div>{{else}}<p>anonymous</p>{{end}}<p>{{.visits}} visits</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Profile {
    user: Option<User>,
    visits: u32,
}

#[test]
fn nested_blocks_sequence() {
    let user = |name: &str, admin: bool, tags: &[&str]| {
        Some(User {
            name: name.into(),
            admin,
            tags: tags.iter().map(|t| t.to_string()).collect(),
        })
    };
    let states = [
        Profile {
            user: None,
            visits: 0,
        },
        Profile {
            user: user("ann", false, &[]),
            visits: 1,
        },
        Profile {
            user: user("ann", true, &["a"]),
            visits: 1,
        },
        Profile {
            user: user("bob", true, &["a", "b"]),
            visits: 2,
        },
        Profile {
            user: user("bob", true, &["b"]),
            visits: 2,
        },
        Profile {
            user: user("bob é", false, &["b", "c"]),
            visits: 3,
        },
        Profile {
            user: None,
            visits: 3,
        },
        Profile {
            user: user("", false, &[]),
            visits: 4,
        },
    ];
    let mut page = Page::new(states[0].clone()).unwrap();
    let mut client = Reconstructor::new(page.render());
    let mut seen = Vec::new();
    for s in states.iter().skip(1) {
        seen.extend(step(&mut page, &mut client, s.clone()));
    }
    // parents come before their children within each update, and more than
    // one strategy was used
    let strategies: std::collections::BTreeSet<Strategy> = seen.iter().map(|f| f.1).collect();
    assert!(strategies.len() >= 2, "{seen:?}");
}

#[test]
fn report_gives_sizes() {
    let s0 = Todos {
        title: "T".into(),
        items: (0..20)
            .map(|i| todo(&format!("item {i}"), i % 3 == 0))
            .collect(),
        banner: "b".into(),
        theme: "t".into(),
    };
    let mut page = Page::new(s0.clone()).unwrap();
    let mut client = Reconstructor::new(page.render());
    let mut s = s0.clone();
    s.items.push(todo("new", false));
    let (fragments, report) = page.update_with_report(s.clone()).unwrap();
    client.apply(&fragments).unwrap();
    assert_eq!(client.html(), page.render());
    let granular = report
        .iter()
        .find(|r| r.chosen == Strategy::Granular)
        .expect("granular report");
    let size = |st| {
        granular
            .alternatives
            .iter()
            .find(|a| a.0 == st)
            .map(|a| a.1)
            .unwrap()
    };
    assert!(size(Strategy::Granular) < size(Strategy::Replacement));
}

#[live_template(
    source = "<table>{{range .rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>"
)]
#[derive(Clone, Debug, PartialEq)]
struct BigTable {
    rows: Vec<Vec<usize>>,
}

#[test]
fn big_table_one_cell_is_one_small_change() {
    let s0 = BigTable {
        rows: (0..100)
            .map(|r| (0..100).map(|c| r * 100 + c).collect())
            .collect(),
    };
    let mut page = Page::new(s0.clone()).unwrap();
    let mut client = Reconstructor::new(page.render());
    let mut s = s0.clone();
    // one patch of the cell, from the first update on (not the items' tree)
    s.rows[42][17] = 7;
    let fragments = page.update(s.clone()).unwrap();
    let json = serde_json::to_string(&fragments).unwrap();
    let [f] = fragments.as_slice() else {
        panic!("{json}")
    };
    let FragmentData::Markers(m) = &f.data else {
        panic!("{json}")
    };
    assert_eq!(m.patches.len(), 1, "{json}");
    assert_eq!((m.patches[0].length, &*m.patches[0].new_value), (4, "7"));
    assert!(json.len() < 40, "{json}");
    client.apply(&fragments).unwrap();
    assert_eq!(client.html(), Page::new(s.clone()).unwrap().render());
    s.rows[99][98] = 12345;
    let fragments = page.update(s.clone()).unwrap();
    let json = serde_json::to_string(&fragments).unwrap();
    assert!(json.len() < 48, "{json}");
    client.apply(&fragments).unwrap();
    assert_eq!(client.html(), Page::new(s).unwrap().render());
}

#[live_template(
    source = "<p>A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. </p><ul>{{range .items}}<li>{{if .}}{{if .}}{{if .}}{{if .}}{{if .}}{{if .}}<b>{{.}}</b>{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}</li>{{end}}</ul>"
)]
#[derive(Clone, Debug, PartialEq)]
struct Deep6 {
    items: Vec<String>,
}

#[live_template(
    source = "<p>A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. A page bigger than the items' trees, so that replacing the root is never the smaller update. </p><ul>{{range .items}}<li>{{if .}}{{if .}}{{if .}}{{if .}}{{if .}}{{if .}}{{if .}}<b>{{.}}</b>{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}</li>{{end}}</ul>"
)]
#[derive(Clone, Debug, PartialEq)]
struct Deep7 {
    items: Vec<String>,
}

/// Text inside items, however deep in folded blocks, is one patch.
#[test]
fn deeply_nested_item_text() {
    fn strategies<T: livetemplate::Template + Clone + PartialEq>(
        s0: T,
        edits: &[T],
    ) -> Vec<Strategy> {
        let mut page = Page::new(s0).unwrap();
        let mut client = Reconstructor::new(page.render());
        edits
            .iter()
            .map(|s| {
                let fragments = page.update(s.clone()).unwrap();
                client.apply(&fragments).unwrap();
                assert_eq!(client.html(), Page::new(s.clone()).unwrap().render());
                assert_eq!(fragments.len(), 1);
                fragments[0].strategy
            })
            .collect()
    }
    let items = |a: &str| vec!["x".to_string(), a.to_string()];
    assert_eq!(
        strategies(
            Deep6 { items: items("a") },
            &[Deep6 { items: items("b") }, Deep6 { items: items("c") }]
        ),
        [Strategy::Markers, Strategy::Markers]
    );
    assert_eq!(
        strategies(
            Deep7 { items: items("a") },
            &[Deep7 { items: items("b") }, Deep7 { items: items("c") }]
        ),
        [Strategy::Markers, Strategy::Markers]
    );
}

#[derive(Clone, Debug, PartialEq)]
struct Card {
    id: u32,
    title: String,
}

impl livetemplate::Keyed for Card {
    type Key = u32;
    fn key(&self) -> u32 {
        self.id
    }
}

#[live_template(
    source = r#"<ul>{{range .cards}}<li data-id="{{.id}}">{{.title}}</li>{{end}}</ul>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Board {
    cards: Vec<Card>,
}

/// With a key, an item moved and changed is a move and a patch, and an
/// added and a removed item are one granular fragment each; without the
/// key the moved item would go out and come back.
#[test]
fn keyed_items_move_and_change() {
    let card = |id: u32, title: &str| Card {
        id,
        title: title.into(),
    };
    let s0 = Board {
        cards: (1..=6).map(|i| card(i, &format!("card {i}"))).collect(),
    };
    let mut page = Page::new(s0.clone()).unwrap();
    let mut client = Reconstructor::new(page.render());
    let mut s = s0.clone();
    let moved = s.cards.remove(0);
    s.cards.push(Card {
        title: "card 1, edited".into(),
        ..moved
    });
    assert_eq!(
        kinds(&step(&mut page, &mut client, s.clone())),
        [(Strategy::Granular, "move"), (Strategy::Markers, "patch")]
    );
    // moved, changed, one removed and one added, all at once
    s.cards.swap(0, 3);
    s.cards[0].title = "four".into();
    s.cards.remove(2);
    s.cards.insert(1, card(9, "new"));
    let v = step(&mut page, &mut client, s.clone());
    let count = |action: &str| v.iter().filter(|f| f.2 == action).count();
    assert_eq!(
        (
            count("remove"),
            count("insert"),
            count("patch"),
            count("replace")
        ),
        (1, 1, 1, 0),
        "{v:?}"
    );
}
