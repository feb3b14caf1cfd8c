//! Load: 1,000 pages updated concurrently from many threads while the
//! cleanup task and explicit cleanups run. No update is lost (every page
//! ends in the state its updates lead to), nothing deadlocks (the run
//! must end before a deadline), and memory stays bounded and is given back.
//! Bounded in count (pages × rounds) and time; nothing leaves the process.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use livetemplate::{live_template, Application, Config, ManualClock, Reconstructor};

#[live_template(
    source = "<section><h2>{{.name}}</h2><p>{{.count}}</p><ul>{{range .log}}<li>{{.}}</li>{{end}}</ul></section>"
)]
#[derive(Clone, Debug, PartialEq)]
struct Tile {
    name: String,
    count: u64,
    log: Vec<u64>,
}

const PAGES: usize = 1000;
const THREADS: usize = 8;
const ROUNDS: u64 = 20;

#[test]
fn thousand_pages_under_concurrent_updates_and_cleanup() {
    let clock = Arc::new(ManualClock::starting_now());
    let mut config = Config::default();
    config.application.max_pages = PAGES + 10;
    config.application.cleanup_interval = Duration::from_millis(5);
    let app = Application::with_clock(config, clock.clone()).unwrap();
    // 10 pages that expire during the run, as the cleaner's work.
    let doomed: Vec<_> = (0..10)
        .map(|i| {
            app.new_page(Tile {
                name: format!("old {i}"),
                count: 0,
                log: vec![],
            })
            .unwrap()
        })
        .collect();
    clock.advance(Duration::from_secs(3601));
    let tokens: Vec<String> = (0..PAGES)
        .map(|i| {
            app.new_page(Tile {
                name: format!("tile {i}"),
                count: 0,
                log: vec![],
            })
            .unwrap()
            .token()
            .to_string()
        })
        .collect();

    let deadline = Instant::now() + Duration::from_secs(120);
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        // Explicit cleanups beside the task's own.
        s.spawn(|| {
            while !done.load(Ordering::Acquire) {
                app.cleanup_expired();
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (app, tokens) = (&app, &tokens);
                s.spawn(move || {
                    // Every thread updates every page each round, from a
                    // different starting point, through a fresh lookup.
                    for round in 0..ROUNDS {
                        for k in 0..PAGES {
                            let i = (k * 7 + t * 131 + round as usize * 17) % PAGES;
                            let page = app.page::<Tile>(&tokens[i]).expect("page");
                            page.update_with(|tile| {
                                tile.count += 1;
                                tile.log.push(t as u64);
                                if tile.log.len() > 8 {
                                    tile.log.remove(0);
                                }
                            })
                            .expect("update");
                            assert!(Instant::now() < deadline, "load test past its deadline");
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker");
        }
        done.store(true, Ordering::Release);
    });

    assert_eq!(
        app.page_count(),
        PAGES,
        "the expired ones went, no live one did"
    );
    for d in &doomed {
        assert!(app.page::<Tile>(d.token()).is_err());
    }
    let per_page_max = tokens
        .iter()
        .map(|t| {
            let page = app.page::<Tile>(t).unwrap();
            // No lost update: every thread's every round landed.
            assert_eq!(page.state().unwrap().count, THREADS as u64 * ROUNDS);
            // And the page is still a correct live page (for a client that
            // loads it now).
            page.reset_client().unwrap();
            let mut client = Reconstructor::new(page.render());
            let f = page.update_with(|tile| tile.count = 0).unwrap();
            client.apply(&f).unwrap();
            assert_eq!(client.html(), page.render());
            page.memory_bytes()
        })
        .max()
        .unwrap();
    let m = app.metrics();
    assert_eq!(
        m.updates_generated_total,
        (THREADS * PAGES) as u64 * ROUNDS + PAGES as u64
    );
    assert_eq!(m.pages_expired_total, 10);
    // Memory: the total is the sum of the pages' own estimates, each small.
    assert!(per_page_max < 16 << 10, "{per_page_max} B for one tile");
    assert!(app.memory_bytes() <= PAGES * per_page_max);
    println!(
        "{} pages, {} updates, {} B held ({} B max per page)",
        PAGES,
        m.updates_generated_total,
        app.memory_bytes(),
        per_page_max
    );
    app.close();
    assert_eq!(app.memory_bytes(), 0);
    assert_eq!(app.page_count(), 0);
}
