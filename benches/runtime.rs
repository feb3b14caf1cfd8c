//! Criterion benches of the live runtime's overhead, side by side in one
//! run (`cargo bench --bench runtime`):
//!
//! - `runtime/<scenario>/page.update`: a bare `Page::update`, the baseline;
//! - `runtime/<scenario>/handle.update`: the same update through a
//!   `PageHandle` (the page's mutex, the metrics, the memory re-estimate);
//! - `runtime/<scenario>/app.page+update`: what a socket does per event
//!   when it looks the page up by token each time (verify the HS256 token,
//!   find the page, check its type), then updates it;
//! - `runtime/verify token`: `Application::page_id` (token verification
//!   alone, no lookup) and `runtime/app.page`: verification and lookup.
//!
//! Each update alternates between two states of the scenario (a counter
//! tick, one Teams score), so that every iteration is a real change.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use livetemplate::{Application, Config, Page, Template};

#[path = "scenarios/mod.rs"]
#[allow(dead_code)]
mod scenarios;
use scenarios::Scenario;

/// Times `iters` alternating updates done by `update(i, next)`.
fn alternate<T: Clone>(iters: u64, a: &T, b: &T, mut update: impl FnMut(T)) -> Duration {
    let mut total = Duration::ZERO;
    for i in 0..iters {
        let next = if i % 2 == 0 { a.clone() } else { b.clone() };
        let t = Instant::now();
        update(next);
        total += t.elapsed();
    }
    total
}

fn scenario<T: Template + Clone + PartialEq + Send + 'static>(c: &mut Criterion, s: Scenario<T>) {
    let (a, b) = (s.steps[1].clone(), s.steps[0].clone());
    let name = |what: &str| format!("runtime/{}/{what}", s.name);
    c.bench_function(&name("page.update"), |bench| {
        let mut page = Page::new(s.initial.clone()).expect("page");
        page.update(b.clone()).expect("warm-up");
        bench.iter_custom(|iters| {
            alternate(iters, &a, &b, |next| {
                drop(page.update(next).expect("update"))
            })
        })
    });
    let app = Application::new(Config::default()).expect("app");
    let handle = app.new_page(s.initial.clone()).expect("page");
    handle.update(b.clone()).expect("warm-up");
    let token = handle.token().to_string();
    c.bench_function(&name("handle.update"), |bench| {
        bench.iter_custom(|iters| {
            alternate(iters, &a, &b, |next| {
                drop(handle.update(next).expect("update"))
            })
        })
    });
    c.bench_function(&name("app.page+update"), |bench| {
        bench.iter_custom(|iters| {
            alternate(iters, &a, &b, |next| {
                let page = app.page::<T>(&token).expect("page");
                drop(page.update(next).expect("update"))
            })
        })
    });
}

fn runtime(c: &mut Criterion) {
    scenario(c, scenarios::counter_tick());
    scenario(c, scenarios::teams_score());
    let app = Application::new(Config::default()).expect("app");
    let page = app
        .new_page(scenarios::counter_tick().initial)
        .expect("page");
    let token = page.token().to_string();
    c.bench_function("runtime/verify token", |bench| {
        bench.iter(|| app.page_id(&token).expect("verifies"))
    });
    c.bench_function("runtime/app.page", |bench| {
        bench.iter(|| app.page::<scenarios::TodoPage>(&token).expect("page"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = runtime
}
criterion_main!(benches);
