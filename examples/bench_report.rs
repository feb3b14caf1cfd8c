//! The update benchmark report: bandwidth per strategy and per scenario,
//! `page.update` latency (P50/P95), and memory held per page. Writes
//! `BENCHMARKS.md` at the workspace root.
//!
//! ```text
//! cargo run --release --example bench_report            # full run
//! cargo run --release --example bench_report -- --quick # a few seconds
//! cargo run --release --example bench_report -- --out /tmp/b.md
//! ```
//!
//! The scenarios live in `benches/scenarios/mod.rs` (shared with the
//! criterion benches in `benches/update.rs`). Every update the report makes
//! is also checked: the fragments, sent through JSON to the Rust
//! `Reconstructor`, must give exactly the fresh render of the new state.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use livetemplate::__rt::{BlockMeta, Dynamic};
use livetemplate::{
    Application, Config, Fragment, FragmentData, FragmentReport, Page, Reconstructor,
    StaticDynamicData, Strategy, Template, ValuePatch,
};

#[path = "../benches/peers_bytes/mod.rs"]
mod peers_bytes;
#[path = "../benches/render_peers/mod.rs"]
mod render_peers;
#[path = "../benches/scale_out/mod.rs"]
mod scale_out;
#[path = "../benches/scenarios/mod.rs"]
mod scenarios;
use scenarios::{naive_update, Kind, Scenario, TodoPage, Visitor};

// ---------------------------------------------------------------------------
// A counting allocator: bytes live and allocation calls.

struct Counting;

/// The counters, per thread: plain adds, so that counting costs a
/// page update almost nothing (shared atomic counters cost each allocation
/// a locked instruction, and the latencies below are measured with the
/// allocator in place). Memory is measured on the main thread.
#[derive(Clone, Copy)]
struct Counts {
    /// Bytes live (allocated minus freed on this thread).
    live: isize,
    /// Allocation calls (realloc included).
    allocs: usize,
    /// Blocks live.
    blocks: isize,
}

thread_local! {
    static COUNTS: Cell<Counts> = const { Cell::new(Counts { live: 0, allocs: 0, blocks: 0 }) };
}

/// Cleared for the throughput run (the last thing measured), whose
/// threads' counts are not used.
static COUNTING: AtomicBool = AtomicBool::new(true);

fn count(f: impl FnOnce(&mut Counts)) {
    if COUNTING.load(Relaxed) {
        // Without a destructor the slot stays valid; `try_with` in any case.
        let _ = COUNTS.try_with(|c| {
            let mut v = c.get();
            f(&mut v);
            c.set(v);
        });
    }
}

#[allow(clippy::cast_possible_wrap)]
fn signed(n: usize) -> isize {
    n as isize
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are
// updated on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            count(|c| {
                c.live += signed(layout.size());
                c.allocs += 1;
                c.blocks += 1;
            });
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            count(|c| {
                c.live += signed(layout.size());
                c.allocs += 1;
                c.blocks += 1;
            });
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        count(|c| {
            c.live -= signed(layout.size());
            c.blocks -= 1;
        });
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            count(|c| {
                c.live += signed(new_size) - signed(layout.size());
                c.allocs += 1;
            });
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes and blocks live, allocated by this thread (the main thread's
/// counts are the ones used).
fn live() -> (usize, usize) {
    let c = COUNTS.with(Cell::get);
    (c.live.max(0).unsigned_abs(), c.blocks.max(0).unsigned_abs())
}

/// Allocation calls so far on this thread.
fn alloc_calls() -> usize {
    COUNTS.with(Cell::get).allocs
}

// ---------------------------------------------------------------------------
// What is measured.

/// One fragment's report, with a readable name.
struct FragInfo {
    name: String,
    chosen: Strategy,
    /// JSON bytes of each applicable encoding, the chosen one included.
    alternatives: Vec<(Strategy, usize)>,
}

impl FragInfo {
    fn chosen_len(&self) -> usize {
        self.size(self.chosen).unwrap_or(0)
    }

    fn size(&self, s: Strategy) -> Option<usize> {
        self.alternatives.iter().find(|a| a.0 == s).map(|a| a.1)
    }

    fn smallest(&self) -> (Strategy, usize) {
        self.alternatives
            .iter()
            .copied()
            .min_by_key(|a| (a.1, a.0 != self.chosen))
            .unwrap_or((self.chosen, 0))
    }

    fn is_smallest(&self) -> bool {
        self.chosen_len() <= self.smallest().1
    }
}

struct Update {
    /// 0 is the warm-up.
    step: usize,
    json: usize,
    marked: usize,
    plain: usize,
    frags: Vec<FragInfo>,
    /// Strategy and JSON bytes of each emitted fragment, in order.
    emitted: Vec<(Strategy, usize)>,
    /// The update sent `static_dynamic` statics.
    statics_sent: bool,
    /// Bytes on the socket: the `update` message and its frame header
    /// ([`peers_bytes::socket_bytes`], version = step + 1).
    socket: usize,
    /// The same for one `replacement` of the root with the new page.
    root_socket: usize,
}

impl Update {
    fn reduction_plain(&self) -> f64 {
        reduction(self.json, self.plain)
    }

    fn reduction_marked(&self) -> f64 {
        reduction(self.json, self.marked)
    }

    fn all_sd(&self) -> bool {
        self.emitted.iter().all(|e| e.0 == Strategy::StaticDynamic)
    }

    fn any_sd(&self) -> bool {
        self.emitted.iter().any(|e| e.0 == Strategy::StaticDynamic)
    }

    /// Sum of the fragment reports' chosen sizes, and of their smallest
    /// applicable sizes (JSON array brackets and commas left out).
    fn chosen_vs_smallest(&self) -> (usize, usize) {
        (
            self.frags.iter().map(FragInfo::chosen_len).sum(),
            self.frags.iter().map(|f| f.smallest().1).sum(),
        )
    }

    fn all_smallest(&self) -> bool {
        self.frags.iter().all(FragInfo::is_smallest)
    }

    /// `root: static_dynamic; range L16: granular ×2`
    fn shape(&self) -> String {
        self.frags
            .iter()
            .map(|f| {
                let n = self
                    .emitted
                    .iter()
                    .filter(|e| e.0 == f.chosen)
                    .count()
                    .max(1);
                if f.chosen == Strategy::Granular && n > 1 {
                    format!("{}: {} ×{n}", f.name, f.chosen)
                } else {
                    format!("{}: {}", f.name, f.chosen)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// `root: **sd 95** · markers 120 · repl 2,400`
    fn alternatives(&self) -> String {
        self.frags
            .iter()
            .map(|f| {
                let alts = f
                    .alternatives
                    .iter()
                    .map(|(s, n)| {
                        let t = format!("{} {}", short(*s), n);
                        if *s == f.chosen {
                            format!("**{t}**")
                        } else {
                            t
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" · ");
                format!("{}: {alts}", f.name)
            })
            .collect::<Vec<_>>()
            .join("<br>")
    }
}

fn reduction(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * (1.0 - part as f64 / whole as f64)
    }
}

fn short(s: Strategy) -> &'static str {
    match s {
        Strategy::StaticDynamic => "sd",
        Strategy::Markers => "markers",
        Strategy::Granular => "granular",
        Strategy::Replacement => "repl",
    }
}

#[derive(Default)]
struct Latency {
    /// Sorted.
    samples: Vec<Duration>,
    /// Per measured update (sorted each).
    by_step: Vec<Vec<Duration>>,
    allocs: usize,
}

impl Latency {
    fn pct(&self, p: usize) -> Duration {
        percentile(&self.samples, p)
    }

    fn mean(&self) -> Duration {
        let n = self.samples.len().max(1) as u32;
        self.samples.iter().sum::<Duration>() / n
    }
}

/// `samples` must be sorted.
fn percentile(samples: &[Duration], p: usize) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let rank = (samples.len() * p).div_ceil(100).max(1);
    samples[rank.min(samples.len()) - 1]
}

struct ScenarioResult {
    name: &'static str,
    page: &'static str,
    /// Bytes of the initial state's HTML: plain, and with markers.
    initial: (usize, usize),
    kind: Kind,
    what: &'static str,
    updates: Vec<Update>,
    latency: Latency,
    /// The naive baseline of the same measured updates: both states
    /// rendered with `T::render()`, the two strings diffed.
    naive: Latency,
}

impl ScenarioResult {
    fn measured(&self) -> impl Iterator<Item = &Update> {
        self.updates.iter().filter(|u| u.step > 0)
    }

    fn warm_up(&self) -> Option<&Update> {
        self.updates.iter().find(|u| u.step == 0)
    }

    fn weight(&self) -> usize {
        self.measured().count()
    }
}

struct Memory {
    page: &'static str,
    pages: usize,
    /// Bytes held per page beyond its state, from the counting allocator.
    held: usize,
    /// Heap allocations held per page beyond its state's.
    blocks: usize,
    /// `Page::memory_bytes()` (mean).
    estimate: usize,
    /// Heap bytes of the state alone.
    state_heap: usize,
    size_of_page: usize,
}

/// Many live todo pages: memory held beyond their states.
struct Scale {
    pages: usize,
    /// Bytes held by all the pages beyond their states.
    total: usize,
}

/// One render benchmark: per engine (ours, askama, sailfish), the median
/// and P95 time of one render.
struct RenderCmp {
    name: &'static str,
    engines: Vec<(&'static str, Duration, Duration)>,
    batch: u32,
    rounds: usize,
}

impl RenderCmp {
    fn median(&self, engine: usize) -> Duration {
        self.engines.get(engine).map_or(Duration::ZERO, |e| e.1)
    }
}

/// Updates per second across many todo pages, from several threads.
struct Throughput {
    pages: usize,
    threads: usize,
    rounds: usize,
    updates: usize,
    elapsed: Duration,
}

/// Anything that went wrong: reported, not hidden.
#[derive(Default)]
struct Problems(Vec<String>);

struct Report {
    quick: bool,
    results: Vec<ScenarioResult>,
    memory: Vec<Memory>,
    problems: Problems,
    /// Big table: P50/P95 of `T::render()` and `page.render()`.
    table_render: Option<(Latency, Latency)>,
    /// The interleaved todo session, with a label per update.
    session: Option<(ScenarioResult, Vec<&'static str>)>,
    /// Todo pages at 1,000 and 10,000.
    scale: Vec<Scale>,
    /// 2 threads, then 1 thread for comparison.
    throughput: Vec<Throughput>,
    /// Big table and Teams: ours, askama, sailfish.
    renders: Vec<RenderCmp>,
    /// The live runtime's overhead.
    runtime: Option<RuntimeCost>,
    /// Two instances on Redis (Markdown, measured by `scale_out`).
    scale_out: Option<String>,
    /// Socket bytes side by side with Phoenix LiveView and Dioxus LiveView.
    peers: Option<peers_bytes::Section>,
}

/// What the `Application` adds to a page update, and holds per page.
struct RuntimeCost {
    /// Counter tick: bare `Page::update`, through a `PageHandle`, and
    /// `app.page(token)` + update; interleaved, so one machine state.
    bare: Latency,
    handle: Latency,
    lookup_update: Latency,
    /// `Application::page_id`: HS256 verification alone.
    verify: Latency,
    /// `app.new_page`: verification is not involved, signing is.
    create: Latency,
    /// Application pages: held per page beyond the state (counting
    /// allocator), the application's own estimate, the state's heap.
    pages: usize,
    held: usize,
    estimate: usize,
    state_bytes: usize,
}

// ---------------------------------------------------------------------------
// Names of fragments, from the template's metadata.

fn find_ctrl(b: &BlockMeta, id: &str) -> Option<String> {
    for d in b.dynamics {
        if let Dynamic::Block(c) = d {
            if c.id == id {
                return Some(format!("{:?} L{}", c.kind, c.line).to_lowercase());
            }
            for br in c.branches {
                if let Some(n) = find_ctrl(br, id) {
                    return Some(n);
                }
            }
        }
    }
    None
}

fn frag_name<T: Template>(id: &str) -> String {
    if id == T::META.root.id {
        "root".into()
    } else {
        find_ctrl(&T::META.root, id).unwrap_or_else(|| id.to_owned())
    }
}

// ---------------------------------------------------------------------------
// Running a scenario.

impl Visitor for Report {
    fn visit<T: Template + Clone + PartialEq>(&mut self, s: Scenario<T>) {
        eprintln!("  {} ({} measured updates)", s.name, s.weight());
        let updates = self.bandwidth(&s);
        if !self.memory.iter().any(|m| m.page == s.page) {
            let n = if s.page == "big table" { 50 } else { 1000 };
            let n = if self.quick { n / 10 } else { n };
            self.memory.push(memory(&s, n));
        }
        let latency = self.latency(&s);
        let naive = self.naive(&s);
        if s.page == "big table" && self.table_render.is_none() {
            self.table_render = Some(render_latency(&s.initial, self.quick));
        }
        self.results.push(ScenarioResult {
            name: s.name,
            page: s.page,
            initial: initial_sizes(&s.initial),
            kind: s.kind,
            what: s.what,
            updates,
            latency,
            naive,
        });
    }
}

impl Report {
    /// Sizes of every update, and the reconstruction check.
    fn bandwidth<T: Template + Clone + PartialEq>(&mut self, s: &Scenario<T>) -> Vec<Update> {
        let mut page = Page::new(s.initial.clone()).expect("page");
        // A second page through plain `update`: must give the same fragments.
        let mut plain_page = Page::new(s.initial.clone()).expect("page");
        let mut client = Reconstructor::new(page.render());
        let mut out = Vec::new();
        for (step, next) in s.steps.iter().enumerate() {
            let where_ = format!("{} step {step}", s.name);
            let (fragments, reports) = match page.update_with_report(next.clone()) {
                Ok(r) => r,
                Err(e) => {
                    self.problems
                        .0
                        .push(format!("{where_}: update failed: {e}"));
                    return out;
                }
            };
            match plain_page.update(next.clone()) {
                Ok(f) if f == fragments => {}
                Ok(_) => self.problems.0.push(format!(
                    "{where_}: `update` and `update_with_report` gave different fragments"
                )),
                Err(e) => self
                    .problems
                    .0
                    .push(format!("{where_}: `update` failed: {e}")),
            }
            let json = serde_json::to_string(&fragments).expect("json");
            let received: Vec<Fragment> = serde_json::from_str(&json).expect("json back");
            let fresh = Page::new(next.clone()).expect("page").render();
            match client.apply(&received) {
                Ok(()) if client.html() == fresh => {}
                Ok(()) => {
                    self.problems.0.push(format!(
                        "{where_}: reconstructed HTML differs from a fresh render; fragments: {json}"
                    ));
                    client = Reconstructor::new(page.render());
                }
                Err(e) => {
                    self.problems
                        .0
                        .push(format!("{where_}: apply failed: {e}; fragments: {json}"));
                    client = Reconstructor::new(page.render());
                }
            }
            let plain = next.render().expect("render").len();
            self.check_report(&where_, &fragments, &reports);
            let marked = page.render();
            // the server's `version` after this update: 1 for the first
            let version = step as u64 + 1;
            let root_socket = peers_bytes::root_replacement_bytes::<T>(&marked, version)
                .unwrap_or_else(|| {
                    self.problems.0.push(format!(
                        "{where_}: the root's markers were not found around `page.render()`; \
                         root replacement measured on the whole render"
                    ));
                    peers_bytes::socket_bytes(
                        version,
                        &[Fragment::replacement(T::META.root.id, marked.as_str())],
                    )
                });
            out.push(Update {
                step,
                json: json.len(),
                marked: marked.len(),
                plain,
                socket: peers_bytes::socket_bytes(version, &fragments),
                root_socket,
                frags: reports
                    .iter()
                    .map(|r| FragInfo {
                        name: frag_name::<T>(&r.id),
                        chosen: r.chosen,
                        alternatives: r.alternatives.clone(),
                    })
                    .collect(),
                emitted: fragments
                    .iter()
                    .map(|f| (f.strategy, serde_json::to_string(f).map_or(0, |j| j.len())))
                    .collect(),
                statics_sent: fragments.iter().any(
                    |f| matches!(&f.data, FragmentData::StaticDynamic(d) if d.statics.is_some()),
                ),
            });
        }
        out
    }

    /// The report's chosen sizes must be the emitted fragments' sizes.
    fn check_report(&mut self, where_: &str, fragments: &[Fragment], reports: &[FragmentReport]) {
        let covered: usize = reports.iter().map(|r| r.fragments.len()).sum();
        if covered != fragments.len() {
            self.problems.0.push(format!(
                "{where_}: reports cover {covered} of {} fragments",
                fragments.len()
            ));
        }
        for r in reports {
            let Some(emitted) = fragments.get(r.fragments.clone()) else {
                self.problems.0.push(format!(
                    "{where_}: report range {:?} out of bounds",
                    r.fragments
                ));
                continue;
            };
            let len: usize = emitted
                .iter()
                .map(|f| serde_json::to_string(f).map_or(0, |j| j.len()))
                .sum();
            let chosen = r.alternatives.iter().find(|a| a.0 == r.chosen).map(|a| a.1);
            if chosen != Some(len) {
                self.problems.0.push(format!(
                    "{where_}: report says {} = {chosen:?} bytes, emitted {len}",
                    r.chosen
                ));
            }
        }
    }

    /// The naive baseline of each measured update (previous state → next
    /// state), timed; each patch is also checked against the new render.
    fn naive<T: Template + Clone + PartialEq>(&mut self, s: &Scenario<T>) -> Latency {
        let target: usize = if self.quick { 100 } else { 2_000 };
        let pairs: Vec<(&T, &T)> = s.steps.windows(2).map(|w| (&w[0], &w[1])).collect();
        for (k, (prev, next)) in pairs.iter().enumerate() {
            let old = prev.render().expect("render");
            let new = next.render().expect("render");
            let p = naive_update(*prev, *next);
            let mut rebuilt = old.clone();
            rebuilt.replace_range(p.start..p.start + p.removed, &p.inserted);
            if rebuilt != new {
                self.problems.0.push(format!(
                    "{} step {}: the naive patch does not give the new render",
                    s.name,
                    k + 1
                ));
            }
        }
        let rounds = target.div_ceil(pairs.len().max(1));
        let mut lat = Latency {
            by_step: vec![Vec::new(); pairs.len()],
            ..Latency::default()
        };
        for _ in 0..rounds {
            for (k, (prev, next)) in pairs.iter().enumerate() {
                let t = Instant::now();
                let p = naive_update(*prev, *next);
                let dt = t.elapsed();
                drop(p);
                lat.samples.push(dt);
                lat.by_step[k].push(dt);
            }
        }
        lat.samples.sort_unstable();
        for v in &mut lat.by_step {
            v.sort_unstable();
        }
        lat
    }

    /// `page.update` timed on fresh pages that went through the warm-up.
    fn latency<T: Template + Clone + PartialEq>(&mut self, s: &Scenario<T>) -> Latency {
        let target: usize = if self.quick { 300 } else { 20_000 };
        let rounds = target.div_ceil(s.weight().max(1));
        let mut lat = Latency::default();
        let mut allocs = 0;
        for _ in 0..rounds {
            let mut page = Page::new(s.initial.clone()).expect("page");
            let _ = page.update(s.steps[0].clone());
            let nexts: Vec<T> = s.steps[1..].to_vec();
            lat.by_step.resize(nexts.len(), Vec::new());
            for (k, next) in nexts.into_iter().enumerate() {
                let a0 = alloc_calls();
                let t = Instant::now();
                let f = page.update(next);
                let dt = t.elapsed();
                allocs += alloc_calls() - a0;
                lat.samples.push(dt);
                lat.by_step[k].push(dt);
                drop(f);
            }
        }
        lat.allocs = allocs / lat.samples.len().max(1);
        lat.samples.sort_unstable();
        for v in &mut lat.by_step {
            v.sort_unstable();
        }
        lat
    }
}

/// Bytes of the HTML of `state`: plain, and with fragment markers.
fn initial_sizes<T: Template + Clone>(state: &T) -> (usize, usize) {
    (
        state.render().expect("render").len(),
        Page::new(state.clone()).expect("page").render().len(),
    )
}

/// Bytes held by `n` pages after the warm-up update, beyond their states.
fn memory<T: Template + Clone + PartialEq>(s: &Scenario<T>, n: usize) -> Memory {
    let (base, base_blocks) = live();
    let pages: Vec<Page<T>> = (0..n)
        .map(|_| {
            let mut p = Page::new(s.initial.clone()).expect("page");
            let _ = p.update(s.steps[0].clone());
            p
        })
        .collect();
    let (with_pages, pages_blocks) = live();
    let states: Vec<T> = pages.iter().map(|p| p.state().clone()).collect();
    let (with_states, states_blocks) = live();
    let states_bytes = with_states - with_pages;
    let with_pages = with_pages - base;
    let blocks = (pages_blocks - base_blocks).saturating_sub(states_blocks - pages_blocks);
    let estimate = pages.iter().map(Page::memory_bytes).sum::<usize>() / n;
    let m = Memory {
        page: s.page,
        pages: n,
        held: with_pages.saturating_sub(states_bytes) / n,
        blocks: blocks / n,
        estimate,
        state_heap: states_bytes / n - std::mem::size_of::<T>(),
        size_of_page: std::mem::size_of::<Page<T>>(),
    };
    drop(states);
    drop(pages);
    m
}

/// P50/P95 of `T::render()` and of `Page::render()` of `state`.
fn render_latency<T: Template + Clone>(state: &T, quick: bool) -> (Latency, Latency) {
    let n = if quick { 100 } else { 2000 };
    let page = Page::new(state.clone()).expect("page");
    let mut plain = Latency::default();
    let mut marked = Latency::default();
    for _ in 0..n {
        let t = Instant::now();
        let html = state.render();
        plain.samples.push(t.elapsed());
        drop(html);
        let t = Instant::now();
        let html = page.render();
        marked.samples.push(t.elapsed());
        drop(html);
    }
    plain.samples.sort_unstable();
    marked.samples.sort_unstable();
    (plain, marked)
}

/// Bytes held by `n` live todo pages (after the counter-tick warm-up),
/// beyond clones of their states.
/// Runtime overhead: latencies on the counter-tick scenario (the smallest
/// update, where a fixed overhead shows most), and memory of `n` pages
/// registered in an `Application`.
fn runtime_cost(n: usize, quick: bool) -> RuntimeCost {
    let s = scenarios::counter_tick();
    let (a, b) = (s.steps[1].clone(), s.steps[0].clone());
    let app = Application::new(Config::default()).expect("app");
    let mut bare = Page::new(s.initial.clone()).expect("page");
    bare.update(b.clone()).expect("warm-up");
    let handle = app.new_page(s.initial.clone()).expect("page");
    handle.update(b.clone()).expect("warm-up");
    let token = handle.token().to_string();
    let rounds = if quick { 500 } else { 5000 };
    let (mut t_bare, mut t_handle, mut t_lookup, mut t_verify, mut t_create) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds {
        let next = || if i % 2 == 0 { a.clone() } else { b.clone() };
        let (n1, n2, n3) = (next(), next(), next());
        let t = Instant::now();
        drop(bare.update(n1).expect("update"));
        t_bare.push(t.elapsed());
        let t = Instant::now();
        drop(handle.update(n2).expect("update"));
        t_handle.push(t.elapsed());
        let t = Instant::now();
        let page = app.page::<TodoPage>(&token).expect("page");
        drop(page.update(n3).expect("update"));
        t_lookup.push(t.elapsed());
        let t = Instant::now();
        let id = app.page_id(&token).expect("verifies");
        t_verify.push(t.elapsed());
        drop(id);
        let state = s.initial.clone();
        let t = Instant::now();
        let p = app.new_page(state).expect("page");
        t_create.push(t.elapsed());
        p.close(); // stay under application.max_pages
    }
    app.close();
    let lat = |mut v: Vec<Duration>| {
        v.sort_unstable();
        Latency {
            samples: v,
            ..Latency::default()
        }
    };
    // Memory: n pages in a fresh application (after the warm-up update),
    // beyond their states.
    let app = Application::new(Config::default()).expect("app");
    let heap = |st: &TodoPage| {
        let before = live().0;
        let c = st.clone();
        let bytes = live().0 - before;
        drop(c);
        bytes
    };
    let initial_heap = heap(&s.initial);
    let state_bytes = heap(&s.steps[0]) + std::mem::size_of::<TodoPage>();
    let mut states: Vec<TodoPage> = (0..n).map(|_| s.initial.clone()).collect();
    let mut warm: Vec<TodoPage> = (0..n).map(|_| s.steps[0].clone()).collect();
    let mut handles = Vec::with_capacity(n);
    let before = live().0;
    // `pop` keeps the vectors' buffers: only the pages count.
    while let (Some(st), Some(w)) = (states.pop(), warm.pop()) {
        let h = app.new_page(st).expect("page");
        h.update(w).expect("warm-up");
        handles.push(h);
    }
    let estimate = app.memory_bytes() / n;
    // The handles are the caller's, not the registry's: drop them first.
    drop(handles);
    let window = live().0.saturating_sub(before) / n;
    app.close();
    // In the window each page's state moved into the registry's allocation
    // (its `size_of` counted there) and the update freed the initial state's heap.
    let held = (window + initial_heap).saturating_sub(std::mem::size_of::<TodoPage>());
    RuntimeCost {
        bare: lat(t_bare),
        handle: lat(t_handle),
        lookup_update: lat(t_lookup),
        verify: lat(t_verify),
        create: lat(t_create),
        pages: n,
        held,
        estimate,
        state_bytes,
    }
}

fn scale(n: usize) -> Scale {
    let s = scenarios::counter_tick();
    let base = live().0;
    let pages: Vec<Page<TodoPage>> = (0..n)
        .map(|_| {
            let mut p = Page::new(s.initial.clone()).expect("page");
            let _ = p.update(s.steps[0].clone());
            p
        })
        .collect();
    let with_pages = live().0;
    let states: Vec<TodoPage> = pages.iter().map(|p| p.state().clone()).collect();
    let states_bytes = live().0 - with_pages;
    let total = (with_pages - base).saturating_sub(states_bytes);
    drop(states);
    drop(pages);
    Scale { pages: n, total }
}

/// `pages` todo pages split between `threads` threads (each owns its share),
/// `rounds` rounds; each round updates every page once, alternating a
/// counter tick and a todo toggle (and the count). The next state is cloned
/// from a precomputed sequence inside the timed loop, as a server would hand
/// a fresh state to `update`.
fn throughput(pages: usize, threads: usize, rounds: usize) -> Throughput {
    let initial = scenarios::todo_initial();
    let mut seq = Vec::with_capacity(rounds + 1);
    let mut st = initial.clone();
    for r in 0..=rounds {
        if r % 2 == 0 {
            st.ticks += 1;
        } else {
            let i = (r / 2) % st.todos.len();
            st.todos[i].done = !st.todos[i].done;
            st.remaining = st.todos.iter().filter(|t| !t.done).count();
        }
        seq.push(st.clone());
    }
    let mut all: Vec<Page<TodoPage>> = (0..pages)
        .map(|_| {
            let mut p = Page::new(initial.clone()).expect("page");
            let _ = p.update(seq[0].clone()); // warm-up
            p
        })
        .collect();
    let seq = &seq;
    let per = pages.div_ceil(threads);
    let t = Instant::now();
    let updates: usize = std::thread::scope(|sc| {
        let handles: Vec<_> = all
            .chunks_mut(per)
            .map(|mine| {
                sc.spawn(move || {
                    let mut n = 0;
                    for next in &seq[1..] {
                        for p in mine.iter_mut() {
                            let f = p.update(next.clone()).expect("update");
                            drop(f);
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    let elapsed = t.elapsed();
    drop(all);
    Throughput {
        pages,
        threads,
        rounds,
        updates,
        elapsed,
    }
}

// ---------------------------------------------------------------------------
// The report.

/// The render benchmarks, ours side by side with askama and sailfish.
/// Each round times a batch of renders per engine (about 50 µs of work;
/// the engines' order rotates between rounds), so all three see the same
/// machine state; medians and P95 are over the rounds.
fn render_side_by_side(quick: bool) -> Vec<RenderCmp> {
    use std::hint::black_box;
    let inputs = render_peers::inputs();
    render_peers::check_same_bytes(&inputs);
    let rounds = if quick { 60 } else { 600 };
    render_peers::benchmarks()
        .into_iter()
        .map(|(name, engines)| {
            let t = Instant::now();
            for _ in 0..10 {
                black_box((engines[0].1)(black_box(&inputs)));
            }
            let one = t.elapsed().as_nanos() / 10;
            let batch = u32::try_from((50_000 / one.max(1)).clamp(1, 10_000)).unwrap_or(1);
            let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); engines.len()];
            for r in 0..rounds {
                for k in 0..engines.len() {
                    let e = (r + k) % engines.len();
                    let render = engines[e].1;
                    let t = Instant::now();
                    for _ in 0..batch {
                        black_box(render(black_box(&inputs)));
                    }
                    samples[e].push(t.elapsed() / batch);
                }
            }
            let engines = engines
                .iter()
                .zip(&mut samples)
                .map(|((engine, _), v)| {
                    v.sort_unstable();
                    (*engine, percentile(v, 50), percentile(v, 95))
                })
                .collect();
            RenderCmp {
                name,
                engines,
                batch,
                rounds,
            }
        })
        .collect()
}

/// `d` in ns below a microsecond, else in µs.
fn time(d: Duration) -> String {
    if d < Duration::from_micros(1) {
        format!("{} ns", d.as_nanos())
    } else {
        format!("{} µs", us(d))
    }
}

fn us(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e6)
}

fn command(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn pass(ok: bool) -> &'static str {
    if ok {
        "**pass**"
    } else {
        "**FAIL**"
    }
}

fn mean(v: impl Iterator<Item = usize>) -> f64 {
    let (s, n) = v.fold((0, 0), |(s, n), x| (s + x, n + 1));
    s as f64 / n.max(1) as f64
}

/// `a / b`.
fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}

fn min_f(v: impl Iterator<Item = f64>) -> f64 {
    v.fold(f64::INFINITY, f64::min)
}

impl Report {
    /// (page, plain bytes, marked bytes) of each page's initial state.
    fn page_sizes(&self) -> Vec<(&'static str, usize, usize)> {
        let mut v: Vec<(&'static str, usize, usize)> = Vec::new();
        for r in &self.results {
            if !v.iter().any(|x| x.0 == r.page) {
                v.push((r.page, r.initial.0, r.initial.1));
            }
        }
        v
    }

    /// The interleaved session: what each update cost, and what statics
    /// resent cost.
    fn write_session(&self, w: &mut String) {
        let Some((r, labels)) = &self.session else {
            return;
        };
        let _ = writeln!(w, "\n## Interleaved session (todo page)\n");
        let _ = writeln!(
            w,
            "Not part of the weighted corpus: one todo page going through ticks \
             interleaved with user actions (`todo_session` in the scenarios), from its \
             first update on. *Smallest* is the sum, over the update's fragment reports, \
             of the smallest applicable encoding.\n"
        );
        let _ = writeln!(
            w,
            "| # | update | strategies | fragments (B) | smallest (B) | statics sent | full HTML (B) |"
        );
        let _ = writeln!(w, "|---:|---|---|---:|---:|---|---:|");
        let (mut sent, mut best, mut html) = (0, 0, 0);
        let (mut resent, mut resent_bytes) = (0, 0);
        for u in &r.updates {
            let (chosen, smallest) = u.chosen_vs_smallest();
            sent += u.json;
            best += u.json - chosen + smallest;
            html += u.plain;
            if u.statics_sent {
                resent += 1;
                resent_bytes += chosen - smallest;
            }
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} |",
                u.step,
                labels.get(u.step).copied().unwrap_or(""),
                u.shape(),
                u.json,
                u.json - chosen + smallest,
                if u.statics_sent { "yes" } else { "" },
                u.plain
            );
        }
        let _ = writeln!(
            w,
            "\nTotal: {sent} bytes of fragments for {} updates, against {html} bytes of full \
             pages ({:.1}% less); {best} bytes had every fragment been given its smallest \
             applicable encoding. {resent} updates sent `static_dynamic` statics \
             ({resent_bytes} bytes more than their smallest encoding).",
            r.updates.len(),
            reduction(sent, html)
        );
    }

    fn write(&self, cmd: &str) -> String {
        let mut md = String::new();
        let w = &mut md;
        let all: Vec<&Update> = self.results.iter().flat_map(|r| r.measured()).collect();
        let total = all.len();

        let _ = writeln!(w, "# Benchmarks\n");
        let _ = writeln!(
            w,
            "Generated by `{cmd}`{} — do not edit by hand.\n",
            if self.quick {
                " (**quick run**: few latency samples)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            w,
            "- machine: {} cores (`nproc`), {}; load average when the run ended: {} \
             (the machine is shared: latencies vary between runs)\n- date: {}\n- rustc: {}\n- build: release \
             profile; latency measured with `std::time::Instant` around each `page.update` \
             (the global allocator that counts bytes and allocations is in place; it counts in \
             per-thread cells, a few plain adds per allocation, and is off for the throughput \
             and render runs)\n",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model(),
            std::fs::read_to_string("/proc/loadavg")
                .ok()
                .and_then(|l| l.split(' ').next().map(str::to_owned))
                .unwrap_or_else(|| "unknown".into()),
            command("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            command("rustc", &["--version"]),
        );

        // --- corpus
        let _ = writeln!(w, "## Corpus\n");
        let _ = writeln!(
            w,
            "Scenarios are in `benches/scenarios/mod.rs`. Each is an initial state, one \
             **warm-up** update (after it the client holds the statics of the fragments it \
             touched: the steady state of a live page), then the **measured** updates; their \
             number is the scenario's weight. Weights model a live todo page where the server \
             tick is the most frequent update, user actions (add, toggle, remove, filter) \
             come next, and reorders and banners are rare; the Teams and Big-table pages \
             contribute text changes. The weights were fixed before measuring; the \
             unweighted shares (each scenario counting once) are given next to the weighted \
             ones.\n"
        );
        let _ = writeln!(
            w,
            "| scenario | page | kind of change | what changes | weight |"
        );
        let _ = writeln!(w, "|---|---|---|---|---:|");
        for r in &self.results {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} |",
                r.name,
                r.page,
                r.kind.as_str(),
                r.what,
                r.weight()
            );
        }
        let _ = writeln!(w, "| **total** | | | | **{total}** |\n");
        let _ = writeln!(
            w,
            "Page sizes (initial state, plain HTML / with fragment markers): {}.\n",
            self.page_sizes()
                .iter()
                .map(|(p, plain, marked)| format!("{p} {plain} / {marked} bytes"))
                .collect::<Vec<_>>()
                .join(", ")
        );

        // --- bandwidth
        let _ = writeln!(w, "## Bandwidth (steady state)\n");
        let _ = writeln!(
            w,
            "Per scenario, means over the measured updates. *fragments* = \
             `serde_json::to_string(&fragments)` bytes; *full HTML* = the whole new page, \
             `T::render()` (and `page.render()`, with fragment markers, in brackets); \
             *reduction* = 1 − fragments / full HTML, against the plain render (the smaller, \
             so the stricter), with the worst update of the scenario in brackets. \
             *Alternatives* are those of the first measured update, per fragment, JSON bytes \
             of every applicable strategy, the chosen one in bold (sd = static_dynamic, \
             repl = replacement). *Smallest* = updates where every fragment got its smallest \
             applicable encoding.\n"
        );
        let _ = writeln!(
            w,
            "| scenario | strategy chosen | fragments (B) | full HTML (B) | reduction | \
             alternatives (B) | smallest | first update (B) |"
        );
        let _ = writeln!(w, "|---|---|---:|---:|---:|---|---:|---|");
        for r in &self.results {
            let m: Vec<&Update> = r.measured().collect();
            let Some(first) = m.first() else { continue };
            let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
            for u in &m {
                *shapes.entry(u.shape()).or_default() += 1;
            }
            let shape = shapes
                .iter()
                .map(|(s, n)| {
                    if shapes.len() > 1 {
                        format!("{s} (×{n})")
                    } else {
                        s.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join("<br>");
            let warm = r.warm_up().map_or("–".into(), |u| {
                format!(
                    "{} ({:.1}%): {}",
                    u.json,
                    u.reduction_plain(),
                    u.frags
                        .iter()
                        .map(|f| {
                            let (s, n) = f.smallest();
                            if f.is_smallest() {
                                format!("{} {}", f.name, short(f.chosen))
                            } else {
                                format!(
                                    "{} {} {} (smallest: {} {n})",
                                    f.name,
                                    short(f.chosen),
                                    f.chosen_len(),
                                    short(s)
                                )
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            });
            let _ = writeln!(
                w,
                "| {} | {} | {:.0} | {:.0} ({:.0}) | {:.1}% ({:.1}%) | {} | {}/{} | {} |",
                r.name,
                shape,
                mean(m.iter().map(|u| u.json)),
                mean(m.iter().map(|u| u.plain)),
                mean(m.iter().map(|u| u.marked)),
                reduction(
                    m.iter().map(|u| u.json).sum(),
                    m.iter().map(|u| u.plain).sum()
                ),
                min_f(m.iter().map(|u| u.reduction_plain())),
                first.alternatives(),
                m.iter().filter(|u| u.all_smallest()).count(),
                m.len(),
                warm
            );
        }
        let _ = writeln!(w);

        // per strategy
        let _ = writeln!(w, "### Per strategy (measured updates, all scenarios)\n");
        let _ = writeln!(
            w,
            "| strategy | fragments | share of fragments | JSON bytes (mean per fragment) | fragment reports where it was chosen although not the smallest |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|");
        let frags: Vec<&FragInfo> = all.iter().flat_map(|u| &u.frags).collect();
        let nfrag: usize = all.iter().map(|u| u.emitted.len()).sum();
        for s in Strategy::ALL {
            let sizes: Vec<usize> = all
                .iter()
                .flat_map(|u| u.emitted.iter().filter(|e| e.0 == s).map(|e| e.1))
                .collect();
            let reports: Vec<&&FragInfo> = frags.iter().filter(|f| f.chosen == s).collect();
            let _ = writeln!(
                w,
                "| {s} | {} | {:.1}% | {:.0} | {} of {} |",
                sizes.len(),
                100.0 * sizes.len() as f64 / nfrag.max(1) as f64,
                mean(sizes.iter().copied()),
                reports.iter().filter(|f| !f.is_smallest()).count(),
                reports.len()
            );
        }
        let _ = writeln!(w);

        // --- latency
        let _ = writeln!(w, "## Latency of `page.update`\n");
        let _ = writeln!(
            w,
            "Each sample is one `page.update(next)` (state cloned before, fragments dropped \
             after the clock stops). `Page` is not `Clone`, so each round builds a page from \
             the initial state and applies the warm-up update (untimed; the client cache is \
             then in its steady state), then times the scenario's measured updates in \
             order; rounds repeat until the sample count is reached. Criterion numbers for \
             the same scenarios: `cargo bench --bench update`.\n"
        );
        let _ = writeln!(
            w,
            "| scenario | samples | P50 (µs) | P95 (µs) | mean (µs) | allocations / update | naive P50 (µs) | naive / ours (P50) |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|");
        for r in &self.results {
            let l = &r.latency;
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} | {:.1}× |",
                r.name,
                l.samples.len(),
                us(l.pct(50)),
                us(l.pct(95)),
                us(l.mean()),
                l.allocs,
                us(r.naive.pct(50)),
                ratio(r.naive.pct(50), l.pct(50))
            );
        }
        let _ = writeln!(
            w,
            "\n*Naive* is the same measured updates (same previous and next states) \
             computed without the library: both states rendered in full with `T::render()` \
             and the two HTML strings diffed by their common byte prefix and suffix \
             (`prefix_suffix_diff` in the scenarios: the cheapest possible text diff, so a \
             lower bound for a real one such as `similar::TextDiff`); each patch was checked \
             to turn the old render into the new one. The same comparison runs in \
             criterion as `naive/<scenario>` next to `update/<scenario>`."
        );
        let table = self.results.iter().find(|r| r.page == "big table");
        if let Some(t) = table {
            let _ = writeln!(
                w,
                "\n{}: P50 per measured update — {}.",
                t.name,
                t.latency
                    .by_step
                    .iter()
                    .enumerate()
                    .map(|(k, v)| format!("update {}: {} µs", k + 1, us(percentile(v, 50))))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(
                w,
                "\n{}: naive baseline (two full renders + diff) P50 {} µs / P95 {} µs against \
                 `page.update` P50 {} µs / P95 {} µs: ours is **{:.1}×** faster at P50 \
                 ({:.1}× at P95).",
                t.name,
                us(t.naive.pct(50)),
                us(t.naive.pct(95)),
                us(t.latency.pct(50)),
                us(t.latency.pct(95)),
                ratio(t.naive.pct(50), t.latency.pct(50)),
                ratio(t.naive.pct(95), t.latency.pct(95)),
            );
            if let Some((plain, _)) = &self.table_render {
                if t.latency
                    .by_step
                    .iter()
                    .any(|v| percentile(v, 50) >= plain.pct(50))
                {
                    let _ = writeln!(
                        w,
                        "\nAt least one cell's update took as long as a full render of the table \
                         (the cells are listed in the corpus table); rerun on a quiet machine \
                         before drawing conclusions."
                    );
                }
            }
        }
        if let (Some((plain, marked)), Some(t)) = (&self.table_render, table) {
            let _ = writeln!(
                w,
                "\nBig table (100×100): one full render `T::render()` P50 {} µs / P95 {} µs; \
                 `page.render()` (with markers) P50 {} µs. One-cell `page.update` P50 {} µs = \
                 **{:.4}×** a full render (P95: {:.4}×).\n",
                us(plain.pct(50)),
                us(plain.pct(95)),
                us(marked.pct(50)),
                us(t.latency.pct(50)),
                t.latency.pct(50).as_secs_f64() / plain.pct(50).as_secs_f64().max(1e-12),
                t.latency.pct(95).as_secs_f64() / plain.pct(95).as_secs_f64().max(1e-12),
            );
        }

        // --- memory
        let _ = writeln!(w, "## Memory per page\n");
        let _ = writeln!(
            w,
            "Bytes held by N live pages (after the warm-up update), measured with a counting \
             global allocator (requested bytes, not allocator overhead), minus the bytes of \
             clones of their states, divided by N: the tree of rendered values, the client \
             cache, and the `Page` struct beyond the state. `memory_bytes()` is the page's \
             own estimate. N is 1,000 pages, 50 for the big table (1,000 would hold \
             about 0.8 GB); a tenth of that with `--quick`.\n"
        );
        let _ = writeln!(
            w,
            "| page | N | held per page beyond the state (B) | heap allocations held per page | `Page::memory_bytes()` (B) | state heap (B) | `size_of::<Page<T>>()` |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|");
        for m in &self.memory {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} |",
                m.page, m.pages, m.held, m.blocks, m.estimate, m.state_heap, m.size_of_page
            );
        }
        let _ = writeln!(w);
        if !self.scale.is_empty() {
            let _ = writeln!(
                w,
                "Many live todo pages (after the counter-tick warm-up), held at once, beyond \
                 clones of their states, same counting allocator:\n"
            );
            let _ = writeln!(w, "| todo pages | per page (B) | total (MB) |");
            let _ = writeln!(w, "|---:|---:|---:|");
            for m in &self.scale {
                let _ = writeln!(
                    w,
                    "| {} | {} | {:.1} |",
                    m.pages,
                    m.total / m.pages.max(1),
                    m.total as f64 / 1e6
                );
            }
            let _ = writeln!(w);
        }

        // --- live runtime
        if let Some(r) = &self.runtime {
            let _ = writeln!(w, "## Live runtime (`Application`)\n");
            let _ = writeln!(
                w,
                "The counter-tick update (the smallest, where a fixed cost shows most) made \
                 three ways, interleaved in one loop so that all see the same machine state: a \
                 bare `Page::update`; `PageHandle::update` (the page's mutex, metrics with the \
                 JSON byte count of the fragments, the memory re-estimate); and \
                 `app.page::<T>(token)` + update, what a socket does if it looks the page up \
                 by token on every event (HS256 verification, registry lookup, type check). \
                 `app.page_id(token)` is the verification alone; `app.new_page` includes \
                 building the page, signing its token and registering it. {} rounds.\n",
                r.bare.samples.len()
            );
            let _ = writeln!(
                w,
                "| operation | P50 (µs) | P95 (µs) | P50 vs bare update |"
            );
            let _ = writeln!(w, "|---|---:|---:|---:|");
            for (name, l) in [
                ("`Page::update` (bare)", &r.bare),
                ("`PageHandle::update`", &r.handle),
                ("`app.page(token)` + `update`", &r.lookup_update),
                ("`app.page_id(token)` (verify only)", &r.verify),
                ("`app.new_page(state)`", &r.create),
            ] {
                let _ = writeln!(
                    w,
                    "| {name} | {} | {} | {:.2}× |",
                    us(l.pct(50)),
                    us(l.pct(95)),
                    ratio(l.pct(50), r.bare.pct(50))
                );
            }
            let per_gb_beyond = 1e9 / r.held.max(1) as f64;
            let per_gb_all = 1e9 / (r.held + r.state_bytes).max(1) as f64;
            let _ = writeln!(
                w,
                "\n{} todo pages registered in one application (after the warm-up update), \
                 counting allocator: **{} B held per page beyond its state** (registry entry, \
                 token ids, tree, client cache; the application's own estimate, which the \
                 budgets use: {} B); the state itself is {} B (its heap and `size_of`). Pages per GB: **{:.0}** beyond \
                 their states, {:.0} with them.\n",
                r.pages, r.held, r.estimate, r.state_bytes, per_gb_beyond, per_gb_all
            );
        }

        if let Some(section) = &self.scale_out {
            w.push_str(section);
        }

        // --- throughput
        if let Some(t) = self.throughput.first() {
            let _ = writeln!(w, "## Throughput\n");
            let _ = writeln!(
                w,
                "{} todo pages (each after the warm-up update) split between threads \
                 (`std::thread::scope`, each thread owns its share of the pages); {} rounds, \
                 each updating every page once, alternating a counter tick and a todo toggle \
                 (with the count). Timed from the threads' start to the last join; each update \
                 includes cloning the next state from a precomputed sequence and dropping the \
                 fragments. The 1-thread row is the same run on one thread, for scaling. The \
                 counting allocator's counters are switched off for this run.\n",
                t.pages, t.rounds
            );
            let _ = writeln!(
                w,
                "| threads | updates | wall time (ms) | updates / s | mean per update (µs, wall × threads / updates) |"
            );
            let _ = writeln!(w, "|---:|---:|---:|---:|---:|");
            for t in &self.throughput {
                let secs = t.elapsed.as_secs_f64().max(1e-12);
                let _ = writeln!(
                    w,
                    "| {} | {} | {:.1} | {:.0} | {:.2} |",
                    t.threads,
                    t.updates,
                    secs * 1e3,
                    t.updates as f64 / secs,
                    secs * 1e6 * t.threads as f64 / t.updates.max(1) as f64
                );
            }
            let _ = writeln!(w);
        }

        // --- render, side by side
        if !self.renders.is_empty() {
            let _ = writeln!(w, "## Render, side by side with askama and sailfish\n");
            let _ = writeln!(
                w,
                "template-benchmarks-rs' *Big table* (100×100 `usize`) and *Teams* (year 2015, \
                 four teams), written for each engine in `benches/render_peers/mod.rs` (the \
                 three render the same bytes, checked before timing): ours `Template::render`, \
                 askama 0.16 `Template::render`, sailfish 0.11 `TemplateOnce::render_once`, \
                 each returning a fresh `String`. Each round times a batch of renders per engine, \
                 the engines' order rotating between rounds; medians and P95 over the rounds, \
                 ratios of medians. The counting allocator is off for this run. The same \
                 comparison in criterion: `cargo bench --bench render`.\n"
            );
            let _ = writeln!(
                w,
                "| benchmark | ours P50 (P95) | askama P50 (P95) | sailfish P50 (P95) | ours / askama | ours / sailfish | rounds × batch |"
            );
            let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|");
            for r in &self.renders {
                let cell = |i: usize| {
                    r.engines
                        .get(i)
                        .map_or(String::new(), |e| format!("{} ({})", time(e.1), time(e.2)))
                };
                let _ = writeln!(
                    w,
                    "| {} | {} | {} | {} | {:.2} | {:.2} | {} × {} |",
                    r.name,
                    cell(0),
                    cell(1),
                    cell(2),
                    ratio(r.median(0), r.median(1)),
                    ratio(r.median(0), r.median(2)),
                    r.rounds,
                    r.batch
                );
            }
            let _ = writeln!(w);
        }

        // --- socket bytes, side by side
        if let Some(p) = &self.peers {
            p.write(self.session.as_ref().map(|s| &s.0), w);
        }

        // --- targets
        let _ = writeln!(w, "## Targets (issue 3)\n");
        let _ = writeln!(
            w,
            "Reductions are against the plain render of the new page (`T::render()`), \
             worst measured update per scenario.\n"
        );
        let _ = writeln!(w, "| target | measured | result |");
        let _ = writeln!(w, "|---|---|---|");
        // (worst reduction, per-scenario detail) over the scenarios of a kind
        let by_kind = |k: Kind| {
            let rs: Vec<&ScenarioResult> = self.results.iter().filter(|r| r.kind == k).collect();
            let worst = min_f(
                rs.iter()
                    .flat_map(|r| r.measured())
                    .map(Update::reduction_plain),
            );
            let detail = rs
                .iter()
                .map(|r| {
                    format!(
                        "{} {:.1}%",
                        r.name,
                        min_f(r.measured().map(Update::reduction_plain))
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            (worst, detail)
        };
        // Text: judged on the pages a fragment's envelope allows to pass.
        let (_, _, need) = envelope();
        let (_, detail) = by_kind(Kind::Text);
        let text = min_f(
            self.results
                .iter()
                .filter(|r| r.kind == Kind::Text && r.initial.0 >= need)
                .flat_map(|r| r.measured())
                .map(Update::reduction_plain),
        );
        let small: Vec<&str> = self
            .results
            .iter()
            .filter(|r| r.kind == Kind::Text && r.initial.0 < need)
            .map(|r| r.name)
            .collect();
        let _ = writeln!(
            w,
            "| text-only updates ≥ 85% smaller than the full HTML (aim ≥ 95%) | {detail} | {}{}{} |",
            pass(text >= 85.0),
            if text >= 95.0 { ", aim met" } else { ", aim (95%) not met" },
            if small.is_empty() {
                String::new()
            } else {
                format!(
                    "; judged on pages of at least {need} bytes: {} (a {}-byte page) cannot \
                     be 85% smaller with a fragment envelope of about 100 bytes (see the \
                     envelope note below)",
                    small.join(", "),
                    self.results
                        .iter()
                        .find(|r| small.contains(&r.name))
                        .map_or(0, |r| r.initial.0)
                )
            }
        );
        let (attr, detail) = by_kind(Kind::Attribute);
        let _ = writeln!(
            w,
            "| attribute updates ≥ 70% smaller | {detail} | {} |",
            pass(attr >= 70.0)
        );
        let (list, detail) = by_kind(Kind::ListAddRemove);
        let _ = writeln!(
            w,
            "| list add/remove ≥ 60% smaller | {detail} | {} |",
            pass(list >= 60.0)
        );
        let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
        let all_sd = all.iter().filter(|u| u.all_sd()).count();
        let any_sd = all.iter().filter(|u| u.any_sd()).count();
        let sd_frags: usize = all
            .iter()
            .map(|u| {
                u.emitted
                    .iter()
                    .filter(|e| e.0 == Strategy::StaticDynamic)
                    .count()
            })
            .sum();
        let unweighted_all_sd = self
            .results
            .iter()
            .map(|r| {
                let m: Vec<&Update> = r.measured().collect();
                m.iter().filter(|u| u.all_sd()).count() as f64 / m.len().max(1) as f64
            })
            .sum::<f64>()
            / self.results.len().max(1) as f64
            * 100.0;
        // Retired by issue 13: values go as markers, which the bytes
        // targets above judge; the share is still shown.
        let _ = writeln!(
            w,
            "| ≥ 75% of the corpus's updates use static_dynamic (retired) | updates sent with static_dynamic only: {all_sd}/{total} = {:.1}% (each scenario counted once: {:.1}%); updates with at least one static_dynamic fragment: {any_sd}/{total} = {:.1}%; fragments: {sd_frags}/{nfrag} = {:.1}% | retired: since issue 13 values go as markers on the HTML the client holds (fewer bytes than static_dynamic, see the socket bytes above); static_dynamic is no longer sent |",
            pct(all_sd, total),
            unweighted_all_sd,
            pct(any_sd, total),
            pct(sd_frags, nfrag),
        );
        let smallest = all.iter().filter(|u| u.all_smallest()).count();
        let small_frags = frags.iter().filter(|f| f.is_smallest()).count();
        let with_warm: Vec<&Update> = self.results.iter().flat_map(|r| &r.updates).collect();
        let smallest_warm = with_warm.iter().filter(|u| u.all_smallest()).count();
        let _ = writeln!(
            w,
            "| chosen strategy is the smallest applicable in ≥ 90% of updates (aim 100%) | measured updates: {smallest}/{total} = {:.1}% ({small_frags}/{} = {:.1}% of fragment reports); warm-up (first) updates included: {smallest_warm}/{} = {:.1}% | {}{} |",
            pct(smallest, total),
            frags.len(),
            pct(small_frags, frags.len()),
            with_warm.len(),
            pct(smallest_warm, with_warm.len()),
            pass(pct(smallest, total) >= 90.0),
            if smallest == total { ", aim met in steady state" } else { ", aim (100%) not met" }
        );
        for name in ["teams: score", "teams: year"] {
            if let Some(r) = self.results.iter().find(|r| r.name == name) {
                let p95 = r.latency.pct(95);
                let _ = writeln!(
                    w,
                    "| field change on the Teams page < 20 µs at P95 ({name}) | P95 {} µs (P50 {} µs) | {} |",
                    us(p95),
                    us(r.latency.pct(50)),
                    pass(p95 < Duration::from_micros(20))
                );
            }
        }
        if let (Some((plain, _)), Some(t)) = (&self.table_render, table) {
            let render = plain.pct(50);
            let cells: Vec<Duration> = t
                .latency
                .by_step
                .iter()
                .map(|v| percentile(v, 50))
                .collect();
            let worst = cells.iter().copied().max().unwrap_or_default();
            let cheaper = cells.iter().filter(|d| **d < render).count();
            let _ = writeln!(
                w,
                "| 100×100 one-cell update cheaper than one full render | update P50 {} µs (all measured cells), worst cell P50 {} µs; render P50 {} µs; {cheaper} of {} cells cheaper than a render | {} (judged per cell: every cell's P50 below the render's P50) |",
                us(t.latency.pct(50)),
                us(worst),
                us(render),
                cells.len(),
                pass(cheaper == cells.len())
            );
        }
        let _ = writeln!(
            w,
            "| memory held per page reported | {} | reported |",
            self.memory
                .iter()
                .map(|m| format!("{}: {} B", m.page, m.held))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(w);

        // --- targets of issue 5
        let _ = writeln!(w, "## Targets (issue 5)\n");
        let _ = writeln!(w, "| target | measured | result |");
        let _ = writeln!(w, "|---|---|---|");
        for r in &self.renders {
            let (a, sf) = (
                ratio(r.median(0), r.median(1)),
                ratio(r.median(0), r.median(2)),
            );
            let _ = writeln!(
                w,
                "| {}: render at or below askama's time (must) | {:.2}× askama | {} |",
                r.name,
                a,
                pass(a <= 1.0)
            );
            let _ = writeln!(
                w,
                "| {}: render within 1.2× of sailfish (aim: faster) | {:.2}× sailfish | {}{} |",
                r.name,
                sf,
                pass(sf <= 1.2),
                if sf < 1.0 { ", aim met" } else { "" }
            );
        }
        for name in ["counter tick", "teams: year", "teams: score"] {
            if let Some(r) = self.results.iter().find(|r| r.name == name) {
                let p50 = r.latency.pct(50);
                let _ = writeln!(
                    w,
                    "| field change: `page.update` median < 2 µs ({name}) | P50 {} µs | {} |",
                    us(p50),
                    pass(p50 < Duration::from_micros(2))
                );
            }
        }
        if let Some(t) = table {
            let r = ratio(t.naive.pct(50), t.latency.pct(50));
            let _ = writeln!(
                w,
                "| 100×100 one-cell update ≥ 10× faster than the naive render-both-and-diff (issue 5) | naive P50 {} µs, update P50 {} µs: {:.1}× | {} |",
                us(t.naive.pct(50)),
                us(t.latency.pct(50)),
                r,
                pass(r >= 10.0)
            );
        }
        for s in &self.scale {
            let per = s.total / s.pages.max(1);
            let _ = writeln!(
                w,
                "| < 16 KB held per page beyond its state; 10,000 pages fit ({} pages) | {per} B per page, {:.1} MB in all | {} |",
                s.pages,
                s.total as f64 / 1e6,
                pass(per < 16 * 1024)
            );
        }
        let _ = writeln!(w);

        if let Some(p) = &self.peers {
            p.write_targets(self.session.as_ref().map(|s| &s.0), w);
        }

        // --- where the rule is not the smallest
        let _ = writeln!(w, "## Where the rule picks a bigger encoding\n");
        let _ = writeln!(
            w,
            "Every fragment report (warm-up updates included, marked *w*) whose chosen \
             encoding is larger than another applicable one. The rule (DESIGN.md, \"Updates\") \
             picks by the kind of change, not by size.\n"
        );
        let mut any = false;
        let mut rows = String::new();
        for r in &self.results {
            for u in &r.updates {
                for f in u.frags.iter().filter(|f| !f.is_smallest()) {
                    any = true;
                    let (s, n) = f.smallest();
                    let _ = writeln!(
                        rows,
                        "| {} | {}{} | {} | {} {} | {} {} | +{} |",
                        r.name,
                        u.step,
                        if u.step == 0 { " (w)" } else { "" },
                        f.name,
                        f.chosen,
                        f.chosen_len(),
                        s,
                        n,
                        f.chosen_len() - n
                    );
                }
            }
        }
        if any {
            let _ = writeln!(
                w,
                "| scenario | update | fragment | chosen (B) | smallest applicable (B) | extra bytes |"
            );
            let _ = writeln!(w, "|---|---|---|---|---|---:|");
            w.push_str(&rows);
        } else {
            let _ = writeln!(
                w,
                "None: every fragment got its smallest applicable encoding."
            );
        }
        let _ = writeln!(w);
        w.push_str(NOTES);
        w.push_str(&envelope_note(&self.page_sizes()));
        self.write_session(w);

        // --- problems
        let _ = writeln!(w, "\n## Correctness\n");
        if self.problems.0.is_empty() {
            let _ = writeln!(
                w,
                "Every update above (warm-ups included) was sent through JSON to the Rust \
                 `Reconstructor` and gave exactly the fresh render of the new state; \
                 `update` and `update_with_report` gave the same fragments; each report's \
                 chosen size equals the emitted fragments' JSON size."
            );
        } else {
            let _ = writeln!(w, "**Problems found:**\n");
            for p in &self.problems.0 {
                let _ = writeln!(w, "- {p}");
            }
        }

        // --- every update
        let _ = writeln!(w, "\n## Every update\n");
        let _ = writeln!(
            w,
            "| scenario | update | fragments (B) | full HTML (B) | reduction | alternatives (B) |"
        );
        let _ = writeln!(w, "|---|---|---:|---:|---:|---|");
        for r in &self.results {
            for u in &r.updates {
                let _ = writeln!(
                    w,
                    "| {} | {}{} | {} | {} ({}) | {:.1}% ({:.1}% vs marked) | {} |",
                    r.name,
                    u.step,
                    if u.step == 0 { " (warm-up)" } else { "" },
                    u.json,
                    u.plain,
                    u.marked,
                    u.reduction_plain(),
                    u.reduction_marked(),
                    u.alternatives()
                );
            }
        }
        md
    }
}

/// The fixed cost of a fragment on the wire: JSON bytes of a
/// static_dynamic and a markers fragment that change nothing, and the page
/// size below which no fragment can be 85% smaller than the page.
fn envelope() -> (usize, usize, usize) {
    let id = "f-0123456789abcdef";
    let len = |f: Fragment| serde_json::to_string(&f).map_or(0, |j| j.len());
    let sd = len(Fragment::static_dynamic(
        id,
        StaticDynamicData {
            statics: None,
            dynamics: [(0, livetemplate::DynamicValue::Html(String::new()))].into(),
        },
    ));
    let markers = len(Fragment::markers(
        id,
        vec![ValuePatch {
            position: 0,
            length: 0,
            new_value: String::new(),
        }],
    ));
    let need = (sd.min(markers) as f64 / 0.15).ceil() as usize;
    (sd, markers, need)
}

/// How the envelope bounds the text target.
fn envelope_note(pages: &[(&str, usize, usize)]) -> String {
    let (sd, markers, need) = envelope();
    let small: Vec<String> = pages
        .iter()
        .filter(|p| p.1 < need)
        .map(|(p, n, _)| format!("the {p} page ({n} bytes of HTML)"))
        .collect();
    format!(
        "- **Envelope**: a fragment costs a fixed {sd} bytes as static_dynamic \
         (one empty value, statics held) and {markers} bytes as markers (one empty \
         patch at position 0): the id (16 characters) and the code. An update can be \
         85% smaller than the page only when the page has at least {need} bytes{}.\n",
        if small.is_empty() {
            String::new()
        } else {
            format!(
                "; {} cannot meet the text target with this wire format, whatever the strategy",
                small.join(", ")
            )
        }
    )
}

/// How to read the numbers; kept short and general, the tables above carry
/// the measured facts.
const NOTES: &str = "\
Notes on the rule:

- **Values go as markers** on the HTML the client holds: one patch per run \
of changed values (a slot, a folded block, a changed cell inside a range \
item), at its position in the fragment's old content. No statics and no \
unchanged value are sent, not even on the first update after the render, \
so the warm-up column is as small as the later ones. `static_dynamic` is \
not sent (the client holds the HTML; the tree would save two numbers per \
value at best); both clients still apply it.
- **Items added** go as their dynamics (a repeated string as the index of \
its first occurrence), with the list's item statics the first time; the \
client keeps them. **Items removed** go as their position.
- **Reorders** (the same items, by value or by `Keyed` key, in another \
order) are one granular `move` fragment: the items of a longest run already \
in order stay and each other item moves once, or the whole new order when \
that is shorter.
- **Lists resized, changed and moved in one update** (the mixed scenario) \
are the edits in order as granular fragments, then one markers fragment for \
the items changed in place; or the list's replacement when that is smaller.
- **Never more than the root**: an update whose fragments would outweigh \
one replacement of the root is sent as that replacement.
";

fn main() {
    let mut quick = false;
    let mut out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--out" => match args.next() {
                Some(p) => out = p.into(),
                None => {
                    eprintln!("--out needs a path");
                    std::process::exit(2);
                }
            },
            _ => {
                eprintln!("usage: bench_report [--quick] [--out PATH]");
                std::process::exit(2);
            }
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with --release for meaningful latencies");
    }
    let started = Instant::now();
    let mut report = Report {
        quick,
        results: Vec::new(),
        memory: Vec::new(),
        problems: Problems::default(),
        table_render: None,
        session: None,
        scale: Vec::new(),
        throughput: Vec::new(),
        renders: Vec::new(),
        runtime: None,
        scale_out: None,
        peers: None,
    };
    eprintln!("running the corpus{}:", if quick { " (quick)" } else { "" });
    scenarios::corpus(&mut report);
    let (session, labels) = scenarios::todo_session();
    eprintln!("  {} ({} updates)", session.name, session.steps.len());
    let updates = report.bandwidth(&session);
    report.session = Some((
        ScenarioResult {
            name: session.name,
            page: session.page,
            initial: initial_sizes(&session.initial),
            kind: session.kind,
            what: session.what,
            updates,
            latency: Latency::default(),
            naive: Latency::default(),
        },
        labels,
    ));
    eprintln!("  socket bytes, side by side with Phoenix LiveView and Dioxus LiveView:");
    report.peers = Some(peers_bytes::run(&mut report));
    for n in [1_000, 10_000] {
        eprintln!("  memory of {n} todo pages");
        report.scale.push(scale(n));
    }
    eprintln!("  live runtime: Application overhead and memory");
    report.runtime = Some(runtime_cost(if quick { 100 } else { 1_000 }, quick));
    let rounds = if quick { 20 } else { 200 };
    // the last measurement: the allocator stops counting for good
    COUNTING.store(false, Relaxed);
    eprintln!("  throughput: 1000 todo pages, 2 threads, {rounds} rounds");
    report.throughput.push(throughput(1_000, 2, rounds));
    report.throughput.push(throughput(1_000, 1, rounds));
    eprintln!("  render: ours, askama, sailfish");
    report.renders = render_side_by_side(quick);
    eprintln!("  scale-out: two instances on a redis-server of the run's own");
    report.scale_out = Some(scale_out::section(quick));
    let cmd = format!(
        "cargo run --release --example bench_report{}",
        if quick { " -- --quick" } else { "" }
    );
    let md = report.write(&cmd);
    if let Err(e) = std::fs::write(&out, &md) {
        eprintln!("cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
    println!("{md}");
    eprintln!(
        "wrote {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    if !report.problems.0.is_empty() {
        eprintln!(
            "{} correctness problem(s), see the report",
            report.problems.0.len()
        );
        std::process::exit(1);
    }
}
