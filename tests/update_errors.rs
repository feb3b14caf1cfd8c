//! Bad input never leaves a page half-updated: a state the template cannot
//! render is an error, and the page keeps its old state and render.

use livetemplate::{live_template, Page, Reconstructor, Template};

#[live_template(
    source = r#"<h1>{{.title}}</h1><p>First: {{index .items 0}}</p><ul>{{range .items}}<li>{{.}}</li>{{end}}</ul>{{with .owner}}<i>{{.name}}</i>{{end}}"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Indexed {
    title: String,
    items: Vec<String>,
    owner: Option<Owner>,
}

#[derive(Clone, Debug, PartialEq)]
struct Owner {
    name: String,
}

fn state(title: &str, items: &[&str]) -> Indexed {
    Indexed {
        title: title.into(),
        items: items.iter().map(|s| s.to_string()).collect(),
        owner: Some(Owner { name: "ada".into() }),
    }
}

#[test]
fn index_out_of_range_is_an_error_and_the_page_is_unchanged() {
    let mut page = Page::new(state("t", &["a", "b"])).unwrap();
    let before = page.render();
    let err = page.update(state("changed", &[])).unwrap_err();
    assert!(
        err.to_string().contains("index out of range"),
        "error should say why: {err}"
    );
    assert!(
        err.to_string().contains("<inline>:1:"),
        "error should say where: {err}"
    );
    assert_eq!(page.state(), &state("t", &["a", "b"]));
    assert_eq!(page.render(), before);

    // The page still works: the next valid update is relative to the old state.
    let mut client = Reconstructor::new(before);
    let next = state("t2", &["a", "c"]);
    let fragments = page.update(next.clone()).unwrap();
    client.apply(&fragments).unwrap();
    assert_eq!(client.html(), Page::new(next).unwrap().render());
}

#[test]
fn a_failing_first_render_is_an_error() {
    let err = Page::new(state("t", &[])).expect_err("no item 0");
    assert!(err.to_string().contains("index out of range"), "{err}");
    assert!(state("t", &[]).render().is_err());
}

#[live_template(source = r#"<p>{{.owner.name}}</p>"#)]
#[derive(Clone, Debug, PartialEq)]
struct NilStep {
    owner: Option<Owner>,
}

#[test]
fn a_field_through_none_is_an_error_not_a_panic() {
    let ok = NilStep {
        owner: Some(Owner { name: "x".into() }),
    };
    let mut page = Page::new(ok.clone()).unwrap();
    let err = page.update(NilStep { owner: None }).unwrap_err();
    assert!(err.to_string().contains("nil pointer"), "{err}");
    assert_eq!(page.state(), &ok);
}

#[test]
fn fragments_carry_escaped_data_only() {
    let mut page = Page::new(state("t", &["a"])).unwrap();
    let fragments = page
        .update(state(
            "<script>alert(1)</script>",
            &["<img src=x onerror=alert(1)>"],
        ))
        .unwrap();
    let json = serde_json::to_string(&fragments).unwrap();
    assert!(!json.contains("<script>alert"), "{json}");
    assert!(!json.contains("<img src=x"), "{json}");
    assert!(json.contains("&lt;script&gt;"), "{json}");
}
