//! The `#[live_template]` attribute macro. Use it through the `livetemplate` crate.

mod ast;
mod context;
mod diag;
mod parse;
