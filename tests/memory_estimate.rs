//! `Page::memory_bytes()` and the application's per-page estimate agree
//! with a counting allocator within 10%: the budget in
//! `page.max_memory_bytes` / `memory.max_total_bytes` counts what is
//! really held. (Requested bytes; the allocator's own overhead is not
//! counted by either.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use livetemplate::{live_template, Application, Config, Page, Template};

struct Counting;

thread_local! {
    // Per thread, so that tests running beside this one do not count.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn add(n: isize) {
    let _ = LIVE.try_with(|c| c.set(c.get() + n));
}

fn live() -> isize {
    LIVE.with(Cell::get)
}

// SAFETY: every call is forwarded to `System` unchanged; a counter is
// updated on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        add(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Clone, Debug, PartialEq)]
struct Todo {
    text: String,
    done: bool,
}

#[live_template(
    source = r#"<!DOCTYPE html><html><head><title>{{.title}}</title></head><body>
<h1>{{.title}}</h1><p class="clock">{{.seconds}} s</p>
{{if .notice}}<div class="notice">{{.notice}}</div>{{else}}<div class="quiet"></div>{{end}}
<ul class="{{.filter}}">{{range .todos}}<li class="{{if .done}}done{{end}}"><input type="checkbox" {{if .done}}checked{{end}}> {{.text}}</li>{{else}}<li>Nothing to do.</li>{{end}}</ul>
<footer>{{len .todos}} items</footer></body></html>"#
)]
#[derive(Clone, Debug, PartialEq)]
struct Todos {
    title: String,
    seconds: u64,
    notice: String,
    filter: String,
    todos: Vec<Todo>,
}

#[live_template(
    source = "<table>{{range .rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>"
)]
#[derive(Clone, Debug, PartialEq)]
struct Grid {
    rows: Vec<Vec<u32>>,
}

fn todos(n: usize) -> Todos {
    Todos {
        title: "Todos".into(),
        seconds: 7,
        notice: String::new(),
        filter: "all".into(),
        todos: (0..n)
            .map(|i| Todo {
                text: format!("todo number {i}"),
                done: i % 3 == 0,
            })
            .collect(),
    }
}

fn grid(n: u32) -> Grid {
    Grid {
        rows: (0..n)
            .map(|r| (0..n).map(|c| r * n + c).collect())
            .collect(),
    }
}

/// Bytes a clone of `state` allocates (its heap).
fn heap_of<T: Clone>(state: &T) -> isize {
    let before = live();
    let c = state.clone();
    let held = live() - before;
    drop(c);
    held
}

fn within_10_percent(what: &str, estimate: usize, measured: isize) {
    let measured = measured as f64;
    let ratio = estimate as f64 / measured;
    println!("{what}: estimate {estimate} B, counted {measured} B ({ratio:.3})");
    assert!(
        (0.9..=1.1).contains(&ratio),
        "{what}: estimate {estimate} B vs {measured} B counted"
    );
}

/// Pages in boxes: what each holds beyond its state's heap and `size_of`.
fn check_page<T: Template + Clone>(what: &str, state: T, next: T) {
    const N: usize = 200;
    let old_heap = heap_of(&state);
    let mut states: Vec<T> = (0..N).map(|_| state.clone()).collect();
    let mut nexts: Vec<T> = (0..N).map(|_| next.clone()).collect();
    let mut pages: Vec<Page<T>> = Vec::with_capacity(N);
    let before = live();
    // `pop` keeps the vectors' buffers: only the pages count.
    while let (Some(s), Some(n)) = (states.pop(), nexts.pop()) {
        let mut p = Page::new(s).unwrap();
        p.update(n).unwrap(); // the client cache fills
        pages.push(p);
    }
    // Inside the window the pages' trees and caches are built, and the old
    // states are dropped by the update (their heap freed); the new states
    // and the vector (each `Page<T>` inline) were allocated before.
    let held = (live() - before) / N as isize
        + old_heap
        + (std::mem::size_of::<Page<T>>() - std::mem::size_of::<T>()) as isize;
    let estimate = pages.iter().map(Page::memory_bytes).sum::<usize>() / N;
    within_10_percent(what, estimate, held);
}

#[test]
fn page_estimates_agree_with_the_allocator() {
    let mut ticked = todos(5);
    ticked.seconds += 1;
    check_page("todo page", todos(5), ticked);
    let mut noticed = todos(40);
    noticed.notice = "Saved.".into();
    check_page("40 todos", todos(40), noticed);
    let mut cell = grid(30);
    cell.rows[3][4] = 1_000_000;
    check_page("30x30 grid", grid(30), cell);
    check_page("empty list", todos(0), todos(1));
}

#[test]
fn application_estimates_agree_with_the_allocator() {
    const N: usize = 500;
    let app = Application::new(Config::default()).unwrap();
    // Warm the registry's tables, then measure N more pages.
    let warm: Vec<_> = (0..N).map(|_| app.new_page(todos(5)).unwrap()).collect();
    drop(warm); // handles only; the pages stay registered
    let states: Vec<Todos> = (0..N).map(|_| todos(5)).collect();
    let (mem0, live0) = (app.memory_bytes(), live());
    for s in states {
        drop(app.new_page(s).unwrap());
    }
    // The states were allocated before the window; the page holds its
    // state inline (in the `Arc<Mutex<…>>`), which is not counted.
    let held = (live() - live0) / N as isize - std::mem::size_of::<Todos>() as isize;
    let estimate = (app.memory_bytes() - mem0) / N;
    within_10_percent("application page", estimate, held);
}
