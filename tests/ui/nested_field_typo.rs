use livetemplate::live_template;

struct User {
    name: String,
}

#[live_template(source = "{{.user.nmae}}")]
struct Page {
    user: User,
}

fn main() {}
