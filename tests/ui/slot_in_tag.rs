use livetemplate::live_template;

#[live_template(source = "<input {{.a}}>")]
struct Page {
    a: String,
}

fn main() {}
