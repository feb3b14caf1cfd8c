//! livetemplate: server-rendered live HTML.
pub use livetemplate_macros::*;
pub use livetemplate_runtime as __rt;
