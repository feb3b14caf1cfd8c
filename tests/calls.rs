//! Methods and functions called from templates (issue 14, items 1 and 2):
//! `{{.a.method x}}`, `{{$v.method x}}`, methods without arguments listed in
//! `methods(…)`, functions registered with `funcs(…)` as in a Go `FuncMap`.
//! Arguments convert to the Rust parameter types; results are escaped for
//! their context; an `Err` result fails the render at the action.

use livetemplate::{live_template, Html, Page, Reconstructor, Template};

#[derive(Clone, PartialEq)]
struct Clock {
    h: u32,
    m: u32,
}

impl Clock {
    /// A Go-like layout: only `15` (hours) and `04` (minutes).
    fn format(&self, layout: &str) -> String {
        layout
            .replace("15", &format!("{:02}", self.h))
            .replace("04", &format!("{:02}", self.m))
    }
}

#[derive(Clone, PartialEq)]
struct User {
    first: String,
    last: String,
    id: u64,
}

impl User {
    fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

mod text {
    pub fn upper(s: &str) -> String {
        s.to_uppercase()
    }
    pub fn sub(a: i64, b: i64) -> i64 {
        a - b
    }
    pub fn bold(s: &str) -> livetemplate::Html {
        livetemplate::Html(format!("<b>{}</b>", s.replace('<', "&lt;")))
    }
    pub fn year() -> u32 {
        2026
    }
    pub fn parse(s: &str) -> Result<u32, std::num::ParseIntError> {
        s.parse()
    }
}

#[live_template(
    source = r#"<p title="{{upper .user.first}}">{{.user.full_name}} at {{.login.format "15:04"}}</p>
{{if .has_error "email"}}<em>{{.error_for "email"}}</em>{{end}}
<ul>{{range .users}}<li class="{{if $.is_open .id}}open{{end}}">{{upper .full_name}} {{sub .id 1}}</li>{{end}}</ul>
<span>{{.user.first | upper}} {{bold .user.last}} {{shout .user.last}} {{year}} {{.total}} {{parse .digits}}</span>"#,
    funcs(text::upper, text::sub, text::bold, shout = text::upper, text::year, text::parse),
    methods(full_name, total)
)]
#[derive(Clone, PartialEq)]
struct Dashboard {
    user: User,
    login: Clock,
    users: Vec<User>,
    open: Vec<u64>,
    errors: Vec<(String, String)>,
    digits: String,
}

impl Dashboard {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _)| f == field)
    }
    fn error_for(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, m)| m.as_str())
    }
    fn is_open(&self, id: u64) -> bool {
        self.open.contains(&id)
    }
    fn total(&self) -> usize {
        self.users.len()
    }
}

fn user(first: &str, last: &str, id: u64) -> User {
    User {
        first: first.into(),
        last: last.into(),
        id,
    }
}

fn dashboard() -> Dashboard {
    Dashboard {
        user: user("ada", "<Lovelace>", 1),
        login: Clock { h: 9, m: 5 },
        users: vec![user("bo", "b", 2), user("cy", "c", 3)],
        open: vec![3],
        errors: vec![("email".into(), "bad <address>".into())],
        digits: "42".into(),
    }
}

#[test]
fn methods_and_functions_render_escaped_for_their_context() {
    let html = dashboard().render().unwrap();
    assert_eq!(
        html,
        concat!(
            "<p title=\"ADA\">ada &lt;Lovelace&gt; at 09:05</p>\n",
            "<em>bad &lt;address&gt;</em>\n",
            "<ul><li class=\"\">BO B 1</li><li class=\"open\">CY C 2</li></ul>\n",
            "<span>ADA <b>&lt;Lovelace></b> &lt;LOVELACE&gt; 2026 2 42</span>",
        )
    );
}

#[test]
fn an_err_result_fails_the_render_at_the_action() {
    let mut d = dashboard();
    d.digits = "4x".into();
    let e = d.render().unwrap_err().to_string();
    assert!(e.contains("<inline>:4:"), "{e}");
    assert!(e.contains("{{parse .digits}}"), "{e}");
    assert!(e.contains("invalid digit"), "{e}");
}

#[test]
fn updates_follow_what_methods_read() {
    let mut page = Page::new(dashboard()).unwrap();
    let mut client = Reconstructor::new(page.render());
    let steps: [fn(&mut Dashboard); 6] = [
        // Read only through root methods (`is_open`, `has_error`, `total`).
        |d| d.open = vec![2],
        |d| d.errors.clear(),
        |d| d.users.push(user("di", "d", 4)),
        |d| d.login.m = 30,
        |d| d.user.first = "eve".into(),
        |d| d.digits = "7".into(),
    ];
    for step in steps {
        let mut next = page.state().clone();
        step(&mut next);
        let fragments = page.update(next).unwrap();
        assert!(!fragments.is_empty());
        client.apply(&fragments).unwrap();
        // Against a page built afresh: a slot left stale fails here.
        let fresh = Page::new(page.state().clone()).unwrap();
        assert_eq!(client.html(), fresh.render());
    }
}

/// A method listed in `methods(…)` is called wherever a chain names it; an
/// integer literal converts to the parameter's width, and one that does not
/// fit fails the render.
#[live_template(
    source = r#"{{.user.full_name}}|{{range .users}}{{.full_name}},{{end}}|{{.pad 3}}|{{.pad 300}}"#,
    methods(full_name)
)]
#[derive(Clone, PartialEq)]
struct Narrow {
    user: User,
    users: Vec<User>,
}

impl Narrow {
    fn pad(&self, n: u8) -> String {
        "-".repeat(n as usize)
    }
}

#[test]
fn an_argument_that_does_not_fit_its_parameter_fails_the_render() {
    let n = Narrow {
        user: user("a", "b", 1),
        users: vec![user("c", "d", 2)],
    };
    let e = n.render().unwrap_err().to_string();
    assert!(e.contains("300 does not fit in a u8"), "{e}");
    assert!(e.contains("{{.pad 300}}"), "{e}");
}

#[test]
fn html_from_a_function_is_trusted_only_as_html() {
    // `bold` returns `Html`: inserted as is; `shout` returns a String: escaped.
    let html = dashboard().render().unwrap();
    assert!(html.contains("<b>&lt;Lovelace></b>"), "{html}");
    assert!(html.contains("&lt;LOVELACE&gt;"), "{html}");
    let _: Html = text::bold("x");
}
