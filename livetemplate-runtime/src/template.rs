//! The trait `#[live_template]` implements, and the compile-time description
//! of a template that update generation builds on.

use crate::error::RenderError;
use crate::escape::Escaper;
use crate::tree::{Block, Change};

/// A view-model tied to a template at build time by `#[live_template]`.
pub trait Template {
    /// The template as the build saw it: statics, slots, blocks.
    const META: &'static TemplateMeta;

    /// Renders the page into `out` (appending). On error `out` may hold part
    /// of the page; [`render`](Template::render) never returns a partial page.
    fn render_into(&self, out: &mut String) -> Result<(), RenderError>;

    /// Renders the page.
    fn render(&self) -> Result<String, RenderError> {
        let mut out = String::with_capacity(self.size_hint());
        self.render_into(&mut out)?;
        Ok(out)
    }

    /// Bytes a render is expected to write: the static estimate of
    /// [`TemplateMeta::size_hint`], or, when larger, what the previous
    /// render of this type wrote (generated code tracks it).
    fn size_hint(&self) -> usize {
        Self::META.size_hint
    }

    /// Renders the page as a tree of dynamic values (for live updates).
    fn build_tree(&self) -> Result<Block, RenderError>;

    /// Turns `tree`, the tree of `old`, into the tree of `self`, recomputing
    /// only the dynamics whose fields differ between the two states
    /// (compared with `PartialEq`). Each replaced value is recorded in
    /// `changes`. On error `tree` is left in an unspecified state: rebuild it
    /// from `old`.
    fn update_tree(
        &self,
        old: &Self,
        tree: &mut Block,
        changes: &mut Vec<Change>,
    ) -> Result<(), RenderError>;
}

/// Compile-time description of a template.
#[derive(Debug)]
pub struct TemplateMeta {
    /// Path given to `#[live_template]`, or `"<inline>"`.
    pub path: &'static str,
    /// Capacity to reserve for a render: the static bytes plus a margin per slot.
    pub size_hint: usize,
    /// The root block.
    pub root: BlockMeta,
}

/// What kind of template construct a block is (defined in
/// `livetemplate-shared`, which the macro uses too).
pub use livetemplate_shared::BlockKind;

/// A block: static text interleaved with dynamics, `statics.len() == dynamics.len() + 1`.
#[derive(Debug)]
pub struct BlockMeta {
    pub kind: BlockKind,
    /// Deterministic id: `f-` + 16 hex digits.
    pub id: &'static str,
    /// 1-based line of the opening action in the template.
    pub line: u32,
    pub statics: &'static [&'static str],
    pub dynamics: &'static [Dynamic],
}

impl BlockMeta {
    /// True when `other` is the same block of the template (the same
    /// branch, the same range body). By id, not by address: a `const`'s
    /// data is not guaranteed one address, so two references to one
    /// block's meta may differ; the id is a hash of the template's path
    /// and the block's place in it, unique within a template.
    pub fn same_block(&self, other: &BlockMeta) -> bool {
        std::ptr::eq(self, other) || self.id == other.id
    }
}

/// A dynamic part of a block.
#[derive(Debug)]
pub enum Dynamic {
    Slot(SlotMeta),
    Block(ControlMeta),
}

/// A control structure (`if`, `with`, `range`, `template`).
#[derive(Debug)]
pub struct ControlMeta {
    /// Deterministic fragment id: `f-` + 16 hex digits (hash of template
    /// path, block path and position).
    pub id: &'static str,
    pub kind: BlockKind,
    /// The block is a fragment of its own: it starts and ends in HTML text
    /// (so comment markers are valid there) and is not inside a range item.
    /// Otherwise it is folded into the enclosing fragment.
    pub fragment: bool,
    /// The block sits inside a tag (an attribute value).
    pub attr: bool,
    pub line: u32,
    /// For `if`/`with`: one per branch, then the else; for `range`: the
    /// body, then the else; for `template`: the callee.
    pub branches: &'static [BlockMeta],
}

/// A `{{…}}` that prints a value.
#[derive(Debug)]
pub struct SlotMeta {
    /// The action as written, e.g. `{{.user.name}}`.
    pub action: &'static str,
    pub line: u32,
    /// The escaping context, e.g. "HTML text", "inside the href attribute".
    pub context: &'static str,
    /// The escapers applied, in order.
    pub escapers: &'static [Escaper],
    /// The slot sits inside a tag (an attribute value).
    pub attr: bool,
}
