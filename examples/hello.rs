//! Renders a template to stdout: `cargo run --example hello`.
//!
//! The data is hostile on purpose: the `<script>` in the name, the
//! `javascript:` link and the quotes all come out inert.

use livetemplate::{live_template, Template};

struct User {
    name: String,
    email: Option<String>,
}

struct Todo {
    text: String,
    link: String,
    done: bool,
}

#[live_template("examples/templates/hello.html")]
struct Hello {
    title: String,
    urgent: bool,
    user: User,
    todos: Vec<Todo>,
}

fn main() {
    let page = Hello {
        title: "Today & tomorrow".into(),
        urgent: true,
        user: User {
            name: "<script>alert('hi')</script>".into(),
            email: Some("ada@example.com".into()),
        },
        todos: vec![
            Todo {
                text: "Read the \"design\"".into(),
                link: "/docs/design?section=escaping&lang=en".into(),
                done: true,
            },
            Todo {
                text: "Click me".into(),
                link: "javascript:alert(1)".into(),
                done: false,
            },
        ],
    };
    match page.render() {
        Ok(html) => print!("{html}"),
        Err(e) => {
            eprintln!("render failed: {e}");
            std::process::exit(1);
        }
    }
}
