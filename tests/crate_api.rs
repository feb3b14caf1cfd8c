//! The crate as users install it: what `cargo package` ships must be what
//! the repository builds, and what `livetemplate`'s signatures name must be
//! reachable from `livetemplate`.

/// `livetemplate-runtime` serves its own copy of the built client
/// (`livetemplate-runtime/assets/`, packaged with the crate: a crate cannot
/// include files outside its directory); `client/build.mjs` writes both.
/// The copy must be the bundle `client/dist/` holds, byte for byte.
#[test]
fn client_js_is_client_dist() {
    let dist = include_str!("../client/dist/livetemplate.min.js");
    assert!(
        livetemplate::CLIENT_JS == dist,
        "livetemplate-runtime/assets/livetemplate.min.js differs from client/dist/livetemplate.min.js \
         ({} and {} bytes): run `node client/build.mjs` (or copy the file)",
        livetemplate::CLIENT_JS.len(),
        dist.len()
    );
}
