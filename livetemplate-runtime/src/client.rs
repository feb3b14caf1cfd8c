//! The browser client, bundled: [`CLIENT_JS`].

/// The livetemplate browser client, minified (a classic script that sets
/// `window.LiveTemplate`; see `client/README.md` for the API). Built from
/// `client/src/` by `client/build.mjs` and committed, so no npm is needed to
/// build the crate. The crate keeps its own copy of
/// `client/dist/livetemplate.min.js` (`assets/`, written by the same build)
/// so that it builds from its published package; the test suite's
/// `tests/crate_api.rs` fails when the two differ.
///
/// Serve it with any framework, e.g. with axum:
///
/// ```ignore
/// use axum::{http::header, routing::get, Router};
///
/// let app = Router::new().route(
///     "/livetemplate.js",
///     get(|| async {
///         ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], livetemplate::CLIENT_JS)
///     }),
/// );
/// ```
///
/// and start it from the page:
///
/// ```html
/// <div id="app"><!-- page.render() --></div>
/// <script src="/livetemplate.js"></script>
/// <script>
///   LiveTemplate.mount(document.getElementById("app"), null, {
///     transport: LiveTemplate.websocket("/live"),
///   });
/// </script>
/// ```
///
/// The WebSocket handler sends `{"type":"render","html":page.render()}`
/// on each connection (after `page.reset_client()` on a reconnection), then
/// `{"type":"update","fragments":[…]}` for each `page.update(…)`; it receives
/// `{"type":"event","action":…,"values":{…}}`.
pub const CLIENT_JS: &str = include_str!("../assets/livetemplate.min.js");

#[cfg(test)]
mod tests {
    #[test]
    fn client_is_the_classic_script() {
        assert!(super::CLIENT_JS.contains("var LiveTemplate="));
        assert!(super::CLIENT_JS.len() < 32 * 1024);
    }
}
