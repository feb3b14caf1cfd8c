use livetemplate::live_template;

fn upper(s: &str) -> String {
    s.to_uppercase()
}

// A misspelt registered function is suggested like a builtin.
#[live_template(source = "{{uper .a}}", funcs(upper))]
struct Misspelt {
    a: String,
}

// The same name twice is an attribute error.
#[live_template(source = "{{upper .a}}", funcs(upper, upper = str::to_lowercase))]
struct Twice {
    a: String,
}

fn main() {}
