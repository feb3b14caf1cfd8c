//! Logging through `tracing`: the runtime's events name what happened
//! (page created / closed, token refused with its reason) and never contain
//! a token, not even its signature.

use std::sync::Arc;

use livetemplate::{live_template, Application, Config};

#[live_template(source = "<p>{{.n}}</p>")]
#[derive(Clone, Debug, PartialEq)]
struct Counter {
    n: u64,
}

#[test]
fn logs_name_events_and_never_a_token() {
    use std::io::Write;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let sink = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    // The process-wide subscriber (this binary's only test): a scoped one
    // races with callsites registered by other threads.
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let mut tokens = Vec::new();
    {
        let app = Application::new(Config::default()).unwrap();
        let page = app.new_page(Counter { n: 1 }).unwrap();
        tokens.push(page.token().to_string());
        let mut forged = page.token().to_string();
        forged.push('x');
        let _ = app.page::<Counter>(&forged);
        tokens.push(forged);
        page.close();
        let _ = app.page::<Counter>(&tokens[0]);
    }
    let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("page created"), "{log}");
    assert!(log.contains("token refused"), "{log}");
    assert!(log.contains("page closed"), "{log}");
    for t in &tokens {
        assert!(!log.contains(t.as_str()), "a token was logged:\n{log}");
        // Not even its signature part.
        assert!(!log.contains(t.rsplit('.').next().unwrap()), "{log}");
    }
}
