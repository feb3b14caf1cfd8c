use livetemplate::live_template;

#[live_template(source = "<{{.a}}>hi")]
struct Page {
    a: String,
}

fn main() {}
