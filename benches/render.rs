//! Render benches: template-benchmarks-rs' *Big table* and *Teams*, ours
//! (`Template::render`) side by side with askama (`Template::render`) and
//! sailfish (`TemplateOnce::render_once`) in one criterion run:
//! `cargo bench --bench render`. The templates and data are in
//! `benches/render_peers/mod.rs`; all three must render the same bytes,
//! checked before timing.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

#[path = "render_peers/mod.rs"]
mod render_peers;

fn renders(c: &mut Criterion) {
    let inputs = render_peers::inputs();
    render_peers::check_same_bytes(&inputs);
    for (name, engines) in render_peers::benchmarks() {
        let mut g = c.benchmark_group(name);
        for (engine, render) in engines {
            g.bench_function(engine, |b| b.iter(|| render(black_box(&inputs))));
        }
        g.finish();
    }
}

criterion_group!(benches, renders);
criterion_main!(benches);
