//! JSON in scripts (issue 14, item 7): serde data embedded in `<script>`,
//! `<script type="application/json">` and `on*` attributes stays one JS
//! value whatever it holds; a `Slot::write_json` of the application's own
//! cannot end the script either.

use livetemplate::{live_template, Json, Page, Slot, Template};
use serde::Serialize;

#[derive(Serialize, Clone, PartialEq, Debug)]
struct Job {
    name: String,
    tags: Vec<String>,
    done: bool,
}

fn jobs(name: &str) -> Json<Vec<Job>> {
    Json(vec![Job {
        name: name.into(),
        tags: vec!["a&b".into()],
        done: true,
    }])
}

const HOSTILE: &str = "</script><img src=x onerror=alert(1)><!--";

#[live_template(
    source = r#"<script>const jobs = {{.jobs}};</script><script type="application/json" id="d">{{.jobs}}</script><button onclick="show({{.jobs}})">x</button><p>{{.jobs}}</p>"#
)]
#[derive(Clone, PartialEq)]
struct JobsPage {
    jobs: Json<Vec<Job>>,
}

/// The text between `open` and the next `</script>` (the script a browser
/// would run), or `None` when there is no such end.
fn script_after<'a>(html: &'a str, open: &str) -> Option<&'a str> {
    let start = html.find(open)? + open.len();
    let end = html[start..].find("</script>")?;
    Some(&html[start..start + end])
}

#[test]
fn serde_data_stays_one_value_in_every_script_context() {
    let html = JobsPage {
        jobs: jobs(HOSTILE),
    }
    .render()
    .unwrap();
    let expected = r#"[{"name":"\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e\u003c!--","tags":["a\u0026b"],"done":true}]"#;
    assert_eq!(
        script_after(&html, "<script>"),
        Some(format!("const jobs = {expected};").as_str())
    );
    // the JSON script's content parses back to the data
    let data = script_after(&html, r#"<script type="application/json" id="d">"#).unwrap();
    let back: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(back[0]["name"], HOSTILE);
    assert_eq!(back[0]["tags"][0], "a&b");
    // exactly the two scripts the template has: the data opened none
    assert_eq!(html.matches("<script").count(), 2);
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(!html.contains("<img"), "{html}");
    // in an attribute: JSON, then escaped for the attribute
    assert!(html.contains("onclick=\"show([{&#34;name&#34;:"), "{html}");
    // in text: the JSON text, escaped as text
    assert!(
        html.contains("<p>[{&#34;name&#34;:&#34;&lt;/script&gt;"),
        "{html}"
    );
}

#[test]
fn updates_of_embedded_json_reconstruct() {
    let mut page = Page::new(JobsPage { jobs: jobs("one") }).unwrap();
    let mut client = livetemplate::Reconstructor::new(page.render());
    let next = JobsPage {
        jobs: jobs(HOSTILE),
    };
    let fragments = page.update(next.clone()).unwrap();
    assert!(!fragments.is_empty());
    client.apply(&fragments).unwrap();
    assert_eq!(client.html(), Page::new(next).unwrap().render());
}

/// A `Slot` whose own `write_json` writes what it should not.
struct Careless(&'static str);

impl Slot for Careless {
    fn write_plain(&self, out: &mut String) {
        out.push_str(self.0)
    }
    fn write_json(&self, out: &mut String) {
        // forgets to quote and escape
        out.push_str(self.0)
    }
}

#[live_template(source = "<script>let v = {{.v}};</script>")]
struct CarelessPage {
    v: Careless,
}

#[test]
fn a_careless_write_json_cannot_end_the_script() {
    for (raw, expected) in [
        // valid JSON with markup in a string: escaped
        (
            r#""</script><b>""#,
            r#"<script>let v = "\u003c/script\u003e\u003cb\u003e";</script>"#,
        ),
        (
            r#"{"x":"&"}"#,
            r#"<script>let v = {"x":"\u0026"};</script>"#,
        ),
        // not JSON: one harmless value
        (
            "1;alert(1)",
            "<script>let v =  /* not JSON */null ;</script>",
        ),
        (
            "</script><img src=x onerror=alert(1)>",
            "<script>let v =  /* not JSON */null ;</script>",
        ),
        ("", "<script>let v =  null ;</script>"),
    ] {
        let html = CarelessPage { v: Careless(raw) }.render().unwrap();
        assert_eq!(html, expected, "{raw}");
    }
}

#[live_template(source = "<script>const cfg = {{.cfg}};</script><p>{{.name}}</p>")]
struct ValuePage {
    cfg: serde_json::Value,
    name: serde_json::Value,
}

#[test]
fn serde_json_values_print_and_embed() {
    let html = ValuePage {
        cfg: serde_json::json!({"theme": "<dark>", "n": 3}),
        name: serde_json::json!("Ann & Bob"),
    }
    .render()
    .unwrap();
    assert_eq!(
        html,
        r#"<script>const cfg = {"n":3,"theme":"\u003cdark\u003e"};</script><p>Ann &amp; Bob</p>"#
    );
}

#[live_template(
    source = r#"<script>const jobs = {{.jobs}}; const by = {{.by_name}}; const names = {{.names}};</script><script type="application/json">{{.jobs}}</script>"#
)]
#[derive(Clone, PartialEq)]
struct PlainPage {
    /// `Serialize`, not `Slot`: no `Json` wrapper needed in a script.
    jobs: Vec<Job>,
    by_name: std::collections::BTreeMap<String, Job>,
    /// A `Slot` (its own `write_json`).
    names: Vec<String>,
}

fn plain(name: &str) -> PlainPage {
    let job = jobs(name).0.remove(0);
    PlainPage {
        by_name: [(name.to_owned(), job.clone())].into(),
        jobs: vec![job],
        names: vec![name.to_owned()],
    }
}

#[test]
fn serde_data_needs_no_wrapper_in_scripts() {
    let html = plain(HOSTILE).render().unwrap();
    let script = script_after(&html, "<script>").unwrap();
    let job = r#"{"name":"\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e\u003c!--","tags":["a\u0026b"],"done":true}"#;
    let key = r#""\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e\u003c!--""#;
    assert_eq!(
        script,
        format!("const jobs = [{job}]; const by = {{{key}:{job}}}; const names = [{key}];")
    );
    let data = script_after(&html, r#"<script type="application/json">"#).unwrap();
    let back: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(back[0]["name"], HOSTILE);
    assert_eq!(html.matches("</script>").count(), 2);
    // updates of such data reconstruct
    let mut page = Page::new(plain("one")).unwrap();
    let mut client = livetemplate::Reconstructor::new(page.render());
    let fragments = page.update(plain(HOSTILE)).unwrap();
    client.apply(&fragments).unwrap();
    assert_eq!(client.html(), Page::new(plain(HOSTILE)).unwrap().render());
}
