use livetemplate::live_template;

struct User {
    name: String,
}

impl User {
    fn greet(&self, greeting: &str) -> String {
        format!("{greeting}, {}", self.name)
    }
}

// A root name that is neither a field nor a method listed in `methods(…)`.
#[live_template(source = r#"{{.user.greet "hi"}}{{.total}}"#)]
struct Page {
    user: User,
}

fn main() {}
