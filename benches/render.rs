//! Render benches: template-benchmarks-rs' *Big table* (100×100 `usize`)
//! and *Teams* (year 2015, four teams, `class="champion"` on the first),
//! ours (`Template::render`) side by side with askama (`Template::render`)
//! and sailfish (`TemplateOnce::render_once`) in one criterion run.
//! `cargo bench --bench render`.
//!
//! Our templates are in `benches/render_templates/`; the peers' are in `templates/bench/`
//! (askama and sailfish look for templates under `templates/`) and
//! the same page written in each language, with the same whitespace, so
//! they produce the same bytes; that is checked before timing. Every value
//! is escaped by all three (the benchmark's sailfish template prints the
//! team name unescaped; here it is escaped, as askama and ours do).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// The table of template-benchmarks-rs: `size` rows of `0..size`.
fn table(size: usize) -> Vec<Vec<usize>> {
    (0..size).map(|_| (0..size).collect()).collect()
}

/// The teams of template-benchmarks-rs, in order.
fn teams() -> Vec<(&'static str, u8)> {
    vec![
        ("Jiangsu", 43),
        ("Beijing", 27),
        ("Guangzhou", 22),
        ("Shandong", 12),
    ]
}

mod ours {
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

mod askama_peer {
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

mod sailfish_peer {
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

fn big_table(c: &mut Criterion) {
    use askama::Template as _;
    use livetemplate::Template as _;
    use sailfish::TemplateOnce as _;

    let data = table(100);
    let ours = ours::BigTable {
        table: data.clone(),
    };
    let askama = askama_peer::BigTable {
        table: data.clone(),
    };
    let sailfish = || sailfish_peer::BigTable { table: &data };

    let expected = ours.render().expect("render");
    assert_eq!(askama.render().expect("askama"), expected);
    assert_eq!(sailfish().render_once().expect("sailfish"), expected);

    let mut g = c.benchmark_group("Big table");
    g.bench_function("livetemplate", |b| {
        b.iter(|| black_box(&ours).render().unwrap())
    });
    g.bench_function("askama", |b| {
        b.iter(|| black_box(&askama).render().unwrap())
    });
    g.bench_function("sailfish", |b| {
        b.iter(|| black_box(sailfish()).render_once().unwrap())
    });
    g.finish();
}

fn teams_bench(c: &mut Criterion) {
    use askama::Template as _;
    use livetemplate::Template as _;
    use sailfish::TemplateOnce as _;

    let ours = ours::Teams {
        year: 2015,
        teams: teams()
            .into_iter()
            .map(|(name, score)| ours::Team {
                name: name.into(),
                score,
            })
            .collect(),
    };
    let askama = askama_peer::Teams {
        year: 2015,
        teams: teams()
            .into_iter()
            .map(|(name, score)| askama_peer::Team {
                name: name.into(),
                score,
            })
            .collect(),
    };
    let sailfish_teams: Vec<sailfish_peer::Team> = teams()
        .into_iter()
        .map(|(name, score)| sailfish_peer::Team {
            name: name.into(),
            score,
        })
        .collect();
    let sailfish = || sailfish_peer::Teams {
        year: 2015,
        teams: &sailfish_teams,
    };

    let expected = ours.render().expect("render");
    assert_eq!(askama.render().expect("askama"), expected);
    assert_eq!(sailfish().render_once().expect("sailfish"), expected);

    let mut g = c.benchmark_group("Teams");
    g.bench_function("livetemplate", |b| {
        b.iter(|| black_box(&ours).render().unwrap())
    });
    g.bench_function("askama", |b| {
        b.iter(|| black_box(&askama).render().unwrap())
    });
    g.bench_function("sailfish", |b| {
        b.iter(|| black_box(sailfish()).render_once().unwrap())
    });
    g.finish();
}

criterion_group!(benches, big_table, teams_bench);
criterion_main!(benches);
