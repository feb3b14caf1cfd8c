use livetemplate::live_template;

#[live_template(source = "{{lenn .a}}")]
struct Page {
    a: Vec<u8>,
}

fn main() {}
