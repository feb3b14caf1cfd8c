//! Replays the JS client's hand-written fixtures (`client/test/fixtures/*.json`)
//! with the Rust `Reconstructor`, the specification the client follows: each
//! step must give the page, error kind and cache recorded there, so the
//! fixtures the JS tests check against are themselves checked against Rust.
//! Format: see `client/test/fixtures.test.mjs`.

use livetemplate::{Fragment, ReconstructError, Reconstructor};
use serde_json::Value;

/// The variant name, as the JS client's `ReconstructError.kind`.
fn kind(e: &ReconstructError) -> &'static str {
    match e {
        ReconstructError::Invalid(_) => "Invalid",
        ReconstructError::UnknownFragment(_) => "UnknownFragment",
        ReconstructError::MissingStatics(_) => "MissingStatics",
        ReconstructError::BadDynamics { .. } => "BadDynamics",
        ReconstructError::ChildNotFound { .. } => "ChildNotFound",
        ReconstructError::BadPatch { .. } => "BadPatch",
        ReconstructError::BadGranular { .. } => "BadGranular",
    }
}

/// Applies one step's fragments (a list, or the raw JSON text of one).
fn apply(r: &mut Reconstructor, fragments: &Value) -> Result<(), &'static str> {
    let parsed: Result<Vec<Fragment>, _> = match fragments {
        Value::String(text) => serde_json::from_str(text),
        v => serde_json::from_value(v.clone()),
    };
    let list = parsed.map_err(|_| "Invalid")?;
    r.apply(&list).map_err(|e| kind(&e))
}

#[test]
fn client_fixtures_hold_for_the_rust_reconstructor() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/client/test/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("client/test/fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {dir}");
    let mut steps = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read fixture");
        let fixture: Value = serde_json::from_str(&text).expect("fixture JSON");
        for case in fixture["cases"].as_array().expect("cases") {
            let name = case["name"].as_str().unwrap_or("?");
            let mut r = Reconstructor::new(case["html"].as_str().expect("html"));
            for (i, step) in case["steps"].as_array().expect("steps").iter().enumerate() {
                let at = format!("{}: {name}, step {i}", file.display());
                let error = apply(&mut r, &step["fragments"]).err();
                assert_eq!(error, step["error"].as_str(), "{at}");
                assert_eq!(r.html(), step["html"].as_str().expect("html"), "{at}");
                if let Some(cached) = step.get("cached") {
                    let cached: Vec<&str> = cached
                        .as_array()
                        .expect("cached")
                        .iter()
                        .filter_map(Value::as_str)
                        .collect();
                    assert_eq!(r.cached_ids(), cached, "{at}");
                }
                steps += 1;
            }
        }
    }
    assert!(steps > 0);
}
