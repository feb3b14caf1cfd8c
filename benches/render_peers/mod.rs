//! The render benchmarks of template-benchmarks-rs, *Big table* (100×100
//! `usize`) and *Teams* (year 2015, four teams, `class="champion"` on the
//! first), written for ours, askama and sailfish; shared by the criterion
//! bench (`benches/render.rs`) and the report (`examples/bench_report.rs`).
//!
//! Our templates are in `benches/render_templates/`; the peers' are in
//! `templates/bench/` (askama and sailfish look for templates under
//! `templates/`): the same page in each language, with the same whitespace,
//! so they produce the same bytes ([`check_same_bytes`]). Every value is
//! escaped by all three (the benchmark's sailfish template prints the team
//! name unescaped; here it is escaped, as askama and ours do).

/// The table of template-benchmarks-rs: `size` rows of `0..size`.
pub fn table(size: usize) -> Vec<Vec<usize>> {
    (0..size).map(|_| (0..size).collect()).collect()
}

/// The teams of template-benchmarks-rs, in order.
pub fn teams() -> Vec<(&'static str, u8)> {
    vec![
        ("Jiangsu", 43),
        ("Beijing", 27),
        ("Guangzhou", 22),
        ("Shandong", 12),
    ]
}

pub mod ours {
    use livetemplate::live_template;

    #[live_template("benches/render_templates/big-table.html")]
    pub struct BigTable {
        pub table: Vec<Vec<usize>>,
    }

    #[live_template("benches/render_templates/teams.html")]
    pub struct Teams {
        pub year: u16,
        pub teams: Vec<Team>,
    }

    pub struct Team {
        pub name: String,
        pub score: u8,
    }
}

pub mod askama_peer {
    use askama::Template;

    #[derive(Template)]
    #[template(path = "bench/big-table.askama.html")]
    pub struct BigTable {
        pub table: Vec<Vec<usize>>,
    }

    #[derive(Template)]
    #[template(path = "bench/teams.askama.html")]
    pub struct Teams {
        pub year: u16,
        pub teams: Vec<Team>,
    }

    pub struct Team {
        pub name: String,
        pub score: u8,
    }
}

pub mod sailfish_peer {
    use sailfish::TemplateOnce;

    #[derive(TemplateOnce)]
    #[template(path = "bench/big-table.stpl")]
    pub struct BigTable<'a> {
        pub table: &'a [Vec<usize>],
    }

    #[derive(TemplateOnce)]
    #[template(path = "bench/teams.stpl")]
    pub struct Teams<'a> {
        pub year: u16,
        pub teams: &'a [Team],
    }

    pub struct Team {
        pub name: String,
        pub score: u8,
    }
}

/// The three engines' states for one benchmark.
pub struct Inputs {
    pub big_table: (ours::BigTable, askama_peer::BigTable, Vec<Vec<usize>>),
    pub teams: (ours::Teams, askama_peer::Teams, Vec<sailfish_peer::Team>),
}

/// The benchmarks' data, for each engine.
pub fn inputs() -> Inputs {
    let data = table(100);
    let team = |(name, score): (&str, u8)| (name.to_owned(), score);
    Inputs {
        big_table: (
            ours::BigTable {
                table: data.clone(),
            },
            askama_peer::BigTable {
                table: data.clone(),
            },
            data,
        ),
        teams: (
            ours::Teams {
                year: 2015,
                teams: teams()
                    .into_iter()
                    .map(team)
                    .map(|(name, score)| ours::Team { name, score })
                    .collect(),
            },
            askama_peer::Teams {
                year: 2015,
                teams: teams()
                    .into_iter()
                    .map(team)
                    .map(|(name, score)| askama_peer::Team { name, score })
                    .collect(),
            },
            teams()
                .into_iter()
                .map(team)
                .map(|(name, score)| sailfish_peer::Team { name, score })
                .collect(),
        ),
    }
}

/// Renders with each engine: ours, askama, sailfish.
pub mod render {
    use super::*;
    use askama::Template as _;
    use livetemplate::Template as _;
    use sailfish::TemplateOnce as _;

    pub fn big_table_ours(i: &Inputs) -> String {
        i.big_table.0.render().expect("render")
    }
    pub fn big_table_askama(i: &Inputs) -> String {
        i.big_table.1.render().expect("askama")
    }
    pub fn big_table_sailfish(i: &Inputs) -> String {
        sailfish_peer::BigTable {
            table: &i.big_table.2,
        }
        .render_once()
        .expect("sailfish")
    }
    pub fn teams_ours(i: &Inputs) -> String {
        i.teams.0.render().expect("render")
    }
    pub fn teams_askama(i: &Inputs) -> String {
        i.teams.1.render().expect("askama")
    }
    pub fn teams_sailfish(i: &Inputs) -> String {
        sailfish_peer::Teams {
            year: 2015,
            teams: &i.teams.2,
        }
        .render_once()
        .expect("sailfish")
    }
}

/// A benchmark: its name and the three engines' render functions, in the
/// order ours, askama, sailfish.
pub type Engines = [(&'static str, fn(&Inputs) -> String); 3];

/// The two benchmarks.
pub fn benchmarks() -> [(&'static str, Engines); 2] {
    use render::*;
    [
        (
            "Big table",
            [
                ("livetemplate", big_table_ours),
                ("askama", big_table_askama),
                ("sailfish", big_table_sailfish),
            ],
        ),
        (
            "Teams",
            [
                ("livetemplate", teams_ours),
                ("askama", teams_askama),
                ("sailfish", teams_sailfish),
            ],
        ),
    ]
}

/// Panics unless the three engines render the same bytes.
pub fn check_same_bytes(i: &Inputs) {
    for (name, engines) in benchmarks() {
        let expected = (engines[0].1)(i);
        for (engine, f) in &engines[1..] {
            assert_eq!(f(i), expected, "{name}: {engine} renders other bytes");
        }
    }
}
