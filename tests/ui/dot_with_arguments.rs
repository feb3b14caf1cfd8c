use livetemplate::live_template;

// A method call needs a name: `.` and literals take no arguments.
#[live_template(source = "{{. 1}}{{\"s\" 2}}")]
struct Page {
    a: String,
}

fn main() {}
