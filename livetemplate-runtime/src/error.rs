//! Errors raised while rendering.

use std::fmt;

/// Where in a template an expression sits; generated code passes these as statics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    /// Template path as given to `#[live_template]` (or `"<inline>"`).
    pub file: &'static str,
    pub line: u32,
    pub col: u32,
    /// The action's source text, e.g. `{{index .items 3}}`.
    pub action: &'static str,
}

/// A template could not be rendered with this data, e.g. `index` out of range
/// or a field reached through a `None`. Go's `html/template` fails the same cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderError {
    pub loc: Loc,
    pub message: String,
}

impl RenderError {
    pub fn new(loc: &Loc, message: impl Into<String>) -> Self {
        RenderError {
            loc: *loc,
            message: message.into(),
        }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: executing `{}`: {}",
            self.loc.file, self.loc.line, self.loc.col, self.loc.action, self.message
        )
    }
}

impl std::error::Error for RenderError {}
