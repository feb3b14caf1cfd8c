use livetemplate::live_template;

#[live_template(source = "{{$x}}")]
struct Page {
    a: String,
}

fn main() {}
