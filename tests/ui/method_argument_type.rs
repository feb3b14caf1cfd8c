use livetemplate::live_template;

struct User {
    name: String,
}

impl User {
    fn greet(&self, greeting: &str) -> String {
        format!("{greeting}, {}", self.name)
    }
}

// A method that takes a string, given a number: rustc checks the call.
#[live_template(source = "{{.user.greet 3}}")]
struct Page {
    user: User,
}

fn main() {}
