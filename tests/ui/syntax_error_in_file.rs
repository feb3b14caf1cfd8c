use livetemplate::live_template;

#[live_template("tests/ui/templates/syntax_error.html")]
struct Page {
    title: String,
    items: Vec<String>,
}

fn main() {}
