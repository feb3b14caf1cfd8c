//! The live runtime through its public API: `Application`, `PageHandle`,
//! `Attachment`: tokens that resolve (and those that must not), types,
//! isolation, TTL on an injected clock, limits, the memory budget and its
//! degradation, takeover, token refresh, metrics, health, logging.

use std::sync::Arc;
use std::time::Duration;

use livetemplate::{
    live_template, Application, Config, Error, HealthStatus, KeyConfig, ManualClock, Reconstructor,
    Strategy, TokenProblem,
};

#[path = "common/invariant_templates.rs"]
mod templates;

#[live_template(source = "<h1>{{.title}}</h1><ul>{{range .items}}<li>{{.}}</li>{{end}}</ul>")]
#[derive(Clone, Debug, PartialEq)]
struct List {
    title: String,
    items: Vec<String>,
}

#[live_template(source = "<p>{{.n}}</p>")]
#[derive(Clone, Debug, PartialEq)]
struct Counter {
    n: u64,
}

fn list(n: usize) -> List {
    List {
        title: "t".into(),
        items: (0..n).map(|i| format!("item {i}")).collect(),
    }
}

fn key(id: &str, byte: u8) -> KeyConfig {
    KeyConfig {
        id: id.into(),
        secret_hex: format!("{byte:02x}").repeat(32),
    }
}

fn manual() -> (Arc<ManualClock>, Config) {
    (Arc::new(ManualClock::starting_now()), Config::default())
}

#[test]
fn token_finds_the_page_again_and_updates_reconstruct() {
    let app = Application::new(Config::default()).unwrap();
    let page = app.new_page(list(2)).unwrap();
    let mut client = Reconstructor::new(page.render());
    let token = page.token().to_string();
    assert!(token.len() < 1024, "token is {} bytes", token.len());
    assert!(
        !format!("{page:?}").contains(&token),
        "Debug shows the token"
    );

    let same = app.page::<List>(&token).unwrap();
    assert_eq!(same.id(), page.id());
    for n in [3, 1, 4, 0, 2] {
        let fragments = same.update(list(n)).unwrap();
        client.apply(&fragments).unwrap();
        assert_eq!(client.html(), page.render());
    }
    assert_eq!(page.state().unwrap(), list(2));
    assert_eq!(app.page_count(), 1);
}

#[test]
fn wrong_type_is_a_clear_error() {
    let app = Application::new(Config::default()).unwrap();
    let page = app.new_page(Counter { n: 1 }).unwrap();
    match app.page::<List>(page.token()) {
        Err(Error::WrongPageType {
            expected, actual, ..
        }) => {
            assert!(expected.ends_with("List"), "{expected}");
            assert!(actual.ends_with("Counter"), "{actual}");
        }
        other => panic!("expected WrongPageType, got {other:?}"),
    }
    // The page itself is unaffected.
    assert!(app.page::<Counter>(page.token()).is_ok());
}

#[test]
fn applications_are_isolated() {
    // Different (random) keyrings: the other's key id is unknown.
    let a = Application::new(Config::default()).unwrap();
    let b = Application::new(Config::default()).unwrap();
    assert_ne!(a.id(), b.id());
    let pa = a.new_page(Counter { n: 1 }).unwrap();
    match b.page::<Counter>(pa.token()) {
        Err(Error::TokenInvalid {
            problem: TokenProblem::UnknownKey,
            ..
        }) => {}
        other => panic!("expected UnknownKey, got {other:?}"),
    }
    // One keyring, two application ids: signature fine, application not.
    let mut ca = Config::default();
    ca.token.keys = vec![key("shared", 7)];
    let mut cb = ca.clone();
    ca.application.id = Some("app-a".into());
    cb.application.id = Some("app-b".into());
    let (a, b) = (Application::new(ca).unwrap(), Application::new(cb).unwrap());
    let pa = a.new_page(Counter { n: 1 }).unwrap();
    assert!(matches!(
        b.page::<Counter>(pa.token()),
        Err(Error::InvalidApplication { .. })
    ));
    // Same id and keyring: another instance of one deployment. It
    // verifies the token, but does not hold the page (PageStore is
    // issue 12's): PageNotFound, not a token error.
    let mut ca2 = Config::default();
    ca2.token.keys = vec![key("shared", 7)];
    ca2.application.id = Some("app-a".into());
    let a2 = Application::new(ca2).unwrap();
    assert!(matches!(
        a2.page::<Counter>(pa.token()),
        Err(Error::PageNotFound { .. })
    ));
    assert_eq!(b.metrics().token_validation_fails_total, 1);
}

#[test]
fn closed_pages_never_resolve() {
    let app = Application::new(Config::default()).unwrap();
    let page = app.new_page(Counter { n: 1 }).unwrap();
    let token = page.token().to_string();
    let other = app.page::<Counter>(&token).unwrap();
    page.close();
    page.close(); // twice is fine
    assert!(matches!(
        app.page::<Counter>(&token),
        Err(Error::PageNotFound { .. })
    ));
    // Handles held before the close refuse too.
    assert!(matches!(
        other.update(Counter { n: 2 }),
        Err(Error::PageNotFound { .. })
    ));
    assert!(matches!(other.state(), Err(Error::PageNotFound { .. })));
    assert_eq!(app.page_count(), 0);
    assert_eq!(app.memory_bytes(), 0);
    assert_eq!(app.metrics().pages_closed_total, 1);
}

#[test]
fn idle_pages_expire_on_the_injected_clock() {
    let (clock, mut config) = manual();
    config.application.page_ttl = Duration::from_secs(60);
    config.application.cleanup_interval = Duration::from_secs(60);
    let app = Application::with_clock(config, clock.clone()).unwrap();
    let idle = app.new_page(Counter { n: 1 }).unwrap();
    let busy = app.new_page(Counter { n: 1 }).unwrap();
    for _ in 0..5 {
        clock.advance(Duration::from_secs(30));
        busy.update_with(|c| c.n += 1).unwrap(); // touches it
    }
    // idle: 150 s untouched; busy: touched just now.
    assert_eq!(app.cleanup_expired(), 1);
    assert!(matches!(
        app.page::<Counter>(idle.token()),
        Err(Error::PageNotFound { .. })
    ));
    assert_eq!(
        app.page::<Counter>(busy.token())
            .unwrap()
            .state()
            .unwrap()
            .n,
        6
    );
    // A lookup touches: 59 s later it is still there.
    clock.advance(Duration::from_secs(59));
    assert_eq!(app.cleanup_expired(), 0);
    // Expired pages do not resolve even before cleanup runs.
    clock.advance(Duration::from_secs(60));
    assert!(matches!(
        app.page::<Counter>(busy.token()),
        Err(Error::PageNotFound { .. })
    ));
    assert_eq!(app.page_count(), 0);
    let m = app.metrics();
    assert_eq!((m.pages_expired_total, m.pages_active), (2, 0));
}

#[test]
fn the_cleanup_task_runs_at_its_interval_and_stops_on_close() {
    let (clock, mut config) = manual();
    config.application.page_ttl = Duration::from_secs(1);
    config.application.cleanup_interval = Duration::from_millis(20);
    let app = Application::with_clock(config, clock.clone()).unwrap();
    assert!(app.health().is_ok(), "{}", app.health());
    for n in 0..10 {
        app.new_page(Counter { n }).unwrap();
    }
    clock.advance(Duration::from_secs(2));
    // The task's own thread removes them (bounded wait, not a timing test).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while app.page_count() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "cleanup task never ran"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    app.close();
    let health = app.health();
    assert_eq!(health.status, HealthStatus::Unhealthy, "{health}");
    assert!(matches!(
        app.new_page(Counter { n: 1 }),
        Err(Error::Closed { .. })
    ));
}

#[test]
fn page_limit_refuses_new_pages_while_old_ones_work() {
    let mut config = Config::default();
    config.application.max_pages = 10;
    let app = Application::new(config).unwrap();
    // 64 concurrent creators never exceed the limit.
    let results: Vec<_> = std::thread::scope(|s| {
        let app = &app;
        let handles: Vec<_> = (0..64)
            .map(|n| s.spawn(move || app.new_page(Counter { n })))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let pages: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(pages.len(), 10);
    assert_eq!(app.page_count(), 10);
    for r in &results {
        if let Err(e) = r {
            assert!(
                matches!(e, Error::PageLimitExceeded { max_pages: 10, .. }),
                "{e}"
            );
            assert!(e.to_string().contains("application.max_pages"), "{e}");
        }
    }
    for p in &pages {
        p.update_with(|c| c.n += 100).unwrap();
    }
    assert_eq!(app.health().status, HealthStatus::Degraded);
    pages[0].close();
    app.new_page(Counter { n: 0 }).unwrap();
}

#[test]
fn application_memory_budget_refuses_new_pages() {
    let mut config = Config::default();
    config.page.max_memory_bytes = 64 << 10;
    config.memory.max_total_bytes = 64 << 10;
    let app = Application::new(config).unwrap();
    let mut made = Vec::new();
    let err = loop {
        match app.new_page(list(20)) {
            Ok(p) => made.push(p),
            Err(e) => break e,
        }
        assert!(made.len() < 10_000, "budget never reached");
    };
    assert!(matches!(err, Error::MemoryBudgetExceeded { .. }), "{err}");
    assert!(app.memory_bytes() >= 64 << 10);
    assert!(app.memory_bytes() < (64 << 10) + 4 * made[0].memory_bytes());
    assert_eq!(app.health().status, HealthStatus::Unhealthy);
    // Existing pages keep working; closing one makes room.
    made[0].update(list(3)).unwrap();
    for p in made.drain(..4) {
        p.close();
    }
    app.new_page(list(20)).unwrap();
}

#[test]
fn a_page_over_its_budget_degrades_and_stays_correct() {
    let mut config = Config::default();
    config.page.max_memory_bytes = 4096;
    let app = Application::new(config).unwrap();
    let page = app.new_page(list(1)).unwrap();
    let mut client = Reconstructor::new(page.render());
    assert!(!page.is_degraded());
    // 200 items of ~30 bytes: over 4 KiB.
    let fragments = page.update(list(200)).unwrap();
    client.apply(&fragments).unwrap();
    assert!(page.is_degraded());
    assert!(page.memory_bytes() < 4096, "{}", page.memory_bytes());
    assert_eq!(app.metrics().pages_degraded_total, 1);
    assert_eq!(app.health().status, HealthStatus::Degraded);
    // Lean updates: one root replacement each, and the client follows.
    for n in [201, 150, 180] {
        let fragments = page.update(list(n)).unwrap();
        assert_eq!(fragments.len(), 1);
        assert_eq!(fragments[0].strategy, Strategy::Replacement);
        client.apply(&fragments).unwrap();
        assert_eq!(client.html(), page.render());
    }
    // An unchanged state sends nothing, lean or not.
    assert!(page.update(list(180)).unwrap().is_empty());
    assert!(page.is_degraded());
    // Small again: back to diffing.
    let fragments = page.update(list(2)).unwrap();
    client.apply(&fragments).unwrap();
    assert!(!page.is_degraded());
    let fragments = page.update(list(3)).unwrap();
    assert_ne!(fragments[0].strategy, Strategy::Replacement);
    client.apply(&fragments).unwrap();
    assert_eq!(client.html(), page.render());
    assert!(app.health().is_ok(), "{}", app.health());
}

#[test]
fn a_newer_attachment_takes_over() {
    let app = Application::new(Config::default()).unwrap();
    let page = app.new_page(Counter { n: 0 }).unwrap();
    let first = page.attach();
    first.update_with(|c| c.n = 1).unwrap();
    // The socket drops; the client reconnects with the same token.
    let again = app.page::<Counter>(page.token()).unwrap();
    let second = again.attach();
    assert!(!first.is_current());
    assert!(second.is_current());
    assert!(matches!(
        first.update_with(|c| c.n = 99),
        Err(Error::Detached { .. })
    ));
    // State survived the reconnect, and the new client gets a fresh render.
    assert_eq!(second.page().state().unwrap().n, 1);
    let html = second.render_fresh().unwrap();
    let mut client = Reconstructor::new(html);
    let fragments = second.update_with(|c| c.n = 2).unwrap();
    client.apply(&fragments).unwrap();
    assert_eq!(client.html(), page.render());
}

#[test]
fn a_refreshed_token_replaces_the_old_one_after_the_window() {
    let (clock, mut config) = manual();
    config.token.nonce_window = Duration::from_secs(60);
    let app = Application::with_clock(config, clock.clone()).unwrap();
    let mut page = app.new_page(Counter { n: 0 }).unwrap();
    let old = page.token().to_string();
    let new = page.refresh_token().unwrap().to_string();
    assert_ne!(old, new);
    assert!(
        app.page::<Counter>(&old).is_ok(),
        "old token inside the window"
    );
    clock.advance(Duration::from_secs(61));
    match app.page::<Counter>(&old) {
        Err(Error::TokenInvalid {
            problem: TokenProblem::Replaced,
            ..
        }) => {}
        other => panic!("expected Replaced, got {other:?}"),
    }
    assert!(app.page::<Counter>(&new).is_ok());
}

#[test]
fn rotated_keys_keep_live_tokens_until_they_expire() {
    let (clock, mut config) = manual();
    config.token.ttl = Duration::from_secs(3600);
    config.application.page_ttl = Duration::from_secs(7200);
    config.application.cleanup_interval = Duration::from_secs(600);
    let app = Application::with_clock(config, clock.clone()).unwrap();
    let page = app.new_page(Counter { n: 0 }).unwrap();
    let kid = app.rotate_key();
    assert_eq!(app.key_ids()[0], kid);
    assert_eq!(app.key_ids().len(), 2);
    let later = app.new_page(Counter { n: 0 }).unwrap();
    assert!(app.page::<Counter>(page.token()).is_ok());
    clock.advance(Duration::from_secs(3700));
    app.cleanup_expired();
    assert_eq!(app.key_ids(), vec![kid]);
    assert!(app.page::<Counter>(page.token()).is_err());
    assert!(app.page::<Counter>(later.token()).is_err(), "expired too");
}

#[test]
fn template_errors_leave_the_state_and_are_counted() {
    #[live_template(source = "<p>{{index .items 2}}</p>")]
    #[derive(Clone, Debug, PartialEq)]
    struct Indexed {
        items: Vec<u8>,
    }
    let app = Application::new(Config::default()).unwrap();
    assert!(matches!(
        app.new_page(Indexed { items: vec![] }),
        Err(Error::TemplateInvalid { .. })
    ));
    assert_eq!(app.page_count(), 0, "a failed new_page frees its slot");
    let page = app
        .new_page(Indexed {
            items: vec![1, 2, 3],
        })
        .unwrap();
    let e = page.update(Indexed { items: vec![1] }).unwrap_err();
    assert!(std::error::Error::source(&e).is_some());
    assert!(e.to_string().contains("index"), "{e}");
    assert_eq!(page.state().unwrap().items, vec![1, 2, 3]);
    assert_eq!(app.metrics().errors_total, 2);
}

#[test]
fn metrics_count_and_expose() {
    let app = Application::new(Config::default()).unwrap();
    let page = app.new_page(list(1)).unwrap();
    page.update(list(2)).unwrap();
    page.update(List {
        title: "x".into(),
        items: list(2).items,
    })
    .unwrap();
    let m = app.metrics();
    assert_eq!(m.pages_created_total, 1);
    assert_eq!(m.pages_active, 1);
    assert_eq!(m.updates_generated_total, 2);
    assert!(m.memory_usage_bytes > 0);
    assert!(m.bytes_sent_total > 0);
    let text = m.prometheus();
    for name in [
        "livetemplate_pages_created_total",
        "livetemplate_pages_active",
        "livetemplate_updates_generated_total",
        "livetemplate_token_validation_fails_total",
        "livetemplate_update_latency_p95_ms",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    assert!(text.contains(app.id()));
}

mod invariant {
    //! The reconstruction invariant for pages reached through the
    //! application: by token, updated through the handle, also lean.
    use super::*;
    use livetemplate::Template;
    use proptest::prelude::*;
    use templates::*;

    fn check<T: Template + Clone + PartialEq + Send + std::fmt::Debug + 'static>(
        states: Vec<T>,
        budget: usize,
    ) {
        let mut config = Config::default();
        config.page.max_memory_bytes = budget;
        let app = Application::new(config).unwrap();
        let mut states = states.into_iter();
        let first = app.new_page(states.next().unwrap()).unwrap();
        let mut client = Reconstructor::new(first.render());
        for next in states {
            let page = app.page::<T>(first.token()).unwrap();
            let fragments = page.update(next.clone()).unwrap();
            client.apply(&fragments).unwrap();
            let fresh = livetemplate::Page::new(next).unwrap().render();
            assert_eq!(client.html(), fresh);
        }
    }

    proptest! {
        #[test]
        fn todos_through_the_application(states in proptest::collection::vec(range_with_else(), 1..6), lean in any::<bool>()) {
            check::<Todos>(states, if lean { 300 } else { 10 << 20 });
        }

        #[test]
        fn full_pages_through_the_application(states in proptest::collection::vec(full_page(), 1..6), lean in any::<bool>()) {
            check::<FullPage>(states, if lean { 300 } else { 10 << 20 });
        }

        #[test]
        fn profiles_through_the_application(states in proptest::collection::vec(nested_blocks(), 1..6), lean in any::<bool>()) {
            check::<Profile>(states, if lean { 300 } else { 10 << 20 });
        }
    }
}
