use livetemplate::live_template;

#[live_template(source = "{{range .a}}{{break}}{{end}}")]
struct Page {
    a: Vec<u8>,
}

fn main() {}
