//! Runtime support for [`livetemplate`](https://docs.rs/livetemplate).
//!
//! The `#[live_template]` macro generates code against this crate: the value
//! traits that let any field type appear in a template ([`Slot`], [`Truthy`],
//! [`Range`], …), the contextual escapers ([`escape`]), and the compile-time
//! description of a template ([`meta`]).

pub mod escape;
