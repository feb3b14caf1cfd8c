//! `#[derive(LiveEvent)]` and `#[live_template(…, events = E)]`: the actions
//! a template names are checked against the event type at build time (this
//! file compiling is the passing case; tests/ui/ holds the failing ones),
//! and the derived names are the ones serde decodes.

use livetemplate::{live_template, LiveEvent, Template};

/// Every naming rule at once: `rename_all`, `rename`, `alias`, `skip`.
#[derive(serde::Deserialize, LiveEvent, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Event {
    Add {
        text: String,
    },
    Toggle {
        id: u64,
    },
    #[serde(rename = "rm", alias = "delete")]
    Remove {
        id: u64,
    },
    ClearCompleted,
    #[serde(alias = "pick")]
    Filter {
        filter: String,
    },
    Search {
        value: String,
    },
    #[serde(skip)]
    Internal,
}

mod events {
    /// An event type in another module, with another rule.
    #[derive(serde::Deserialize, livetemplate::LiveEvent)]
    #[serde(rename_all = "kebab-case")]
    #[allow(dead_code)]
    pub enum Kebab {
        SaveDraft,
        #[serde(rename(deserialize = "go", serialize = "went"))]
        Start,
    }
}

/// All four attributes, quoted both ways and unquoted, a renamed variant
/// and aliases, an action inside a block, and a dynamic action (not
/// checked: `act` may be anything).
#[live_template(
    source = r#"<form lt-submit="add"><input name="text" lt-input='filter'></form>
<select lt-change=pick><option>all</option></select>
{{range .ids}}<input type="checkbox" lt-click="toggle" lt-value-id="{{.}}"><button lt-click="rm" lt-value-id="{{.}}">×</button>{{end}}
{{if .done}}<button lt-click="clear_completed">clear</button>{{end}}
<a lt-click="delete">d</a><input lt-input="search" lt-debounce="0">
<button lt-click="{{.act}}">any</button><button lt-click="pre-{{.act}}">any</button>"#,
    events = Event
)]
struct Page {
    ids: Vec<u64>,
    done: bool,
    act: String,
}

/// A file template (the todos example's) and a path to the type.
#[live_template("examples/todos/templates/todos.html", events = self::TodoEvent)]
struct Todos {
    title: String,
    seconds: u64,
    visible: Vec<TodoView>,
    left: usize,
    completed: usize,
    filters: Vec<FilterView>,
}

struct TodoView {
    id: u64,
    text: String,
    done: bool,
}

struct FilterView {
    name: String,
    label: String,
    selected: bool,
}

/// The events the todos example handles.
#[derive(serde::Deserialize, LiveEvent)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum TodoEvent {
    Add { text: String },
    Toggle { id: u64 },
    Edit { id: u64, text: String },
    Remove { id: u64 },
    ClearCompleted,
    Filter { filter: String },
}

/// `path = …`, after `events`.
#[live_template(events = TodoEvent, path = "examples/todos/templates/todos.html")]
#[allow(dead_code)]
struct Reordered {
    title: String,
    seconds: u64,
    visible: Vec<TodoView>,
    left: usize,
    completed: usize,
    filters: Vec<FilterView>,
}

#[live_template(source = r#"<p lt-click="save-draft">s</p><p lt-submit="go">g</p>"#, events = events::Kebab)]
struct KebabPage {}

#[test]
fn actions_are_the_names_serde_decodes() {
    assert_eq!(
        Event::ACTIONS,
        [
            "add",
            "toggle",
            "rm",
            "delete",
            "clear_completed",
            "filter",
            "pick",
            "search"
        ]
    );
    assert_eq!(
        <TodoEvent as LiveEvent>::ACTIONS,
        [
            "add",
            "toggle",
            "edit",
            "remove",
            "clear_completed",
            "filter"
        ]
    );
    assert_eq!(events::Kebab::ACTIONS, ["save-draft", "go"]);

    // Each action is a variant serde knows (missing fields aside); other
    // names, including the skipped variant's, are unknown variants.
    fn unknown<T: serde::de::DeserializeOwned>(name: &str) -> bool {
        let json = format!("{{{name:?}: null}}");
        match serde_json::from_str::<T>(&json) {
            Ok(_) => false,
            Err(e) => e.to_string().contains("unknown variant"),
        }
    }
    for name in Event::ACTIONS {
        assert!(!unknown::<Event>(name), "{name}");
    }
    for name in ["internal", "Internal", "remove", "clearCompleted", "Add"] {
        assert!(unknown::<Event>(name), "{name}");
    }
    for name in events::Kebab::ACTIONS {
        assert!(!unknown::<events::Kebab>(name), "{name}");
    }
    assert!(unknown::<events::Kebab>("start"));
    assert!(unknown::<events::Kebab>("went"));
    assert_eq!(
        serde_json::from_str::<Event>(r#"{"rm": {"id": 3}}"#).unwrap(),
        Event::Remove { id: 3 }
    );
    assert_eq!(
        serde_json::from_str::<Event>(r#""clear_completed""#).unwrap(),
        Event::ClearCompleted
    );
}

#[test]
fn checked_views_render_as_before() {
    let page = Page {
        ids: vec![7],
        done: true,
        act: "whatever".into(),
    };
    let html = page.render().unwrap();
    assert!(html.contains(r#"<form lt-submit="add">"#), "{html}");
    assert!(
        html.contains(r#"lt-click="toggle" lt-value-id="7""#),
        "{html}"
    );
    assert!(html.contains(r#"<button lt-click="whatever">"#), "{html}");
    assert!(
        html.contains(r#"<button lt-click="pre-whatever">"#),
        "{html}"
    );

    let todos = Todos {
        title: "T".into(),
        seconds: 1,
        visible: vec![TodoView {
            id: 1,
            text: "a".into(),
            done: false,
        }],
        left: 1,
        completed: 0,
        filters: vec![FilterView {
            name: "all".into(),
            label: "All".into(),
            selected: true,
        }],
    };
    let html = todos.render().unwrap();
    assert!(
        html.contains(r#"lt-click="remove" lt-value-id="1""#),
        "{html}"
    );
    assert_eq!(
        KebabPage {}.render().unwrap(),
        r#"<p lt-click="save-draft">s</p><p lt-submit="go">g</p>"#
    );
}
