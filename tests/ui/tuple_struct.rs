use livetemplate::live_template;

#[live_template(source = "{{.0}}")]
struct Page(String);

fn main() {}
