use livetemplate::live_template;

#[live_template(source = "{{.zzz}}")]
struct Page {
    title: String,
    items: Vec<String>,
}

fn main() {}
