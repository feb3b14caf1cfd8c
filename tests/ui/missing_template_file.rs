use livetemplate::live_template;

#[live_template("tests/ui/templates/does_not_exist.html")]
struct Page {
    a: String,
}

fn main() {}
