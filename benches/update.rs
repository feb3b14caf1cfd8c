//! Criterion benches of `page.update`, one per scenario of the corpus
//! (`benches/scenarios/mod.rs`), plus `render()` of the Big table for the
//! one-cell comparison. `cargo bench --bench update`. Then the scenarios of
//! the socket-bytes comparison with Phoenix LiveView and Dioxus LiveView
//! (`scenarios::peers`) that are not in the corpus (todo move, rows swap,
//! rows re-sort).
//!
//! Next to each `update/<scenario>` runs `naive/<scenario>`: the same change
//! (same previous and next state) computed the naive way: both states
//! rendered in full with `T::render()` and the two HTML strings diffed with a
//! byte-level common-prefix / common-suffix diff
//! (`scenarios::prefix_suffix_diff`, the cheapest possible text diff; a
//! real diff such as `similar::TextDiff::from_chars` would only be slower).
//! The ratio naive / update is the speed-up of the library.
//!
//! Each iteration updates a page that was built from the scenario's initial
//! state and went through the warm-up update (the client cache in its steady
//! state) to the first measured state. `Page` is not `Clone`, so the prepared
//! page is rebuilt (`Page::new` + warm-up) in `iter_batched`'s untimed setup.
//! The Big-table page costs far more to build than to update, so it is
//! prepared once and updated back and forth between the warm-up state and the
//! first measured state, which differ in one cell (`iter_custom`, only the
//! update timed).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use livetemplate::{Page, Template};

#[path = "scenarios/mod.rs"]
#[allow(dead_code)]
mod scenarios;
use scenarios::{naive_update, Scenario, Visitor};

struct Bench<'c> {
    c: &'c mut Criterion,
    /// Scenarios benched already (`peers` repeats two of the corpus).
    seen: Vec<&'static str>,
}

impl Visitor for Bench<'_> {
    fn visit<T: Template + Clone + PartialEq>(&mut self, s: Scenario<T>) {
        if self.seen.contains(&s.name) {
            return;
        }
        self.seen.push(s.name);
        let prepared = || {
            let mut page = Page::new(s.initial.clone()).expect("page");
            page.update(s.steps[0].clone()).expect("warm-up");
            page
        };
        let name = format!("update/{}", s.name);
        let naive = format!("naive/{}", s.name);
        if s.page == "big table" {
            // warm-up state ↔ first measured state: the same cell each way
            let (a, b) = (s.steps[1].clone(), s.steps[0].clone());
            self.c.bench_function(&name, |bench| {
                bench.iter_custom(|iters| {
                    let mut page = prepared();
                    let mut total = Duration::ZERO;
                    for i in 0..iters {
                        let next = if i % 2 == 0 { a.clone() } else { b.clone() };
                        let t = Instant::now();
                        let f = page.update(next);
                        total += t.elapsed();
                        drop(f);
                    }
                    total
                })
            });
            // the naive baseline of the same one-cell change, both ways
            self.c.bench_function(&naive, |bench| {
                let mut back = false;
                bench.iter(|| {
                    back = !back;
                    if back {
                        naive_update(&b, &a)
                    } else {
                        naive_update(&a, &b)
                    }
                })
            });
            self.c
                .bench_function("render/big table (T::render)", |bench| {
                    bench.iter(|| s.initial.render())
                });
            let page = Page::new(s.initial.clone()).expect("page");
            self.c
                .bench_function("render/big table (page.render)", |bench| {
                    bench.iter(|| page.render())
                });
        } else {
            self.c.bench_function(&name, |bench| {
                bench.iter_batched(
                    || (prepared(), s.steps[1].clone()),
                    |(mut page, next)| {
                        let f = page.update(next);
                        (page, f)
                    },
                    BatchSize::SmallInput,
                )
            });
            let (prev, next) = (&s.steps[0], &s.steps[1]);
            self.c
                .bench_function(&naive, |bench| bench.iter(|| naive_update(prev, next)));
        }
    }
}

fn updates(c: &mut Criterion) {
    let mut bench = Bench {
        c,
        seen: Vec::new(),
    };
    scenarios::corpus(&mut bench);
    scenarios::peers(&mut bench);
}

criterion_group! {
    name = benches;
    // Short runs: 2-core machine, a dozen scenarios.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = updates
}
criterion_main!(benches);
