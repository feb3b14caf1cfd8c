use livetemplate::live_template;

#[live_template(source = "{{$x := 1}}{{$x = 2}}")]
struct Page {
    a: String,
}

fn main() {}
