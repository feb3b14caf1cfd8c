//! The `#[live_template]` attribute macro. Use it through the `livetemplate` crate.

#[allow(dead_code)]
mod ast;
#[allow(dead_code)]
mod context;
#[allow(dead_code)]
mod diag;
#[allow(dead_code)]
mod parse;
