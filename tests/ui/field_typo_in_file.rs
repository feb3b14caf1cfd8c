use livetemplate::live_template;

#[live_template("tests/ui/templates/field_typo.html")]
struct Page {
    title: String,
    items: Vec<String>,
}

fn main() {}
