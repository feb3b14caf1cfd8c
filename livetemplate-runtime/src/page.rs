//! A live page: the current state, its rendered tree, and what the client
//! holds.

#[cfg(feature = "report")]
use crate::diff::FragmentReport;
use crate::diff::{self, ClientCache, DiffError};
use crate::error::{Loc, RenderError};
use crate::fragment::Fragment;
use crate::template::Template;
use crate::tree::{close_marker, open_marker, Block, Change, Dyn};

/// One client's page: the state it shows, the rendered tree that updates
/// are computed from, and which fragments the client holds
/// `static_dynamic` statics for.
///
/// [`render`](Page::render) gives the first response;
/// [`update`](Page::update) gives the fragments to send (as JSON) for each
/// new state. See the `livetemplate` crate docs for an example.
#[derive(Debug)]
pub struct Page<T: Template> {
    state: T,
    tree: Block,
    cache: ClientCache,
}

impl<T: Template> Page<T> {
    /// Renders `state` into a new page.
    pub fn new(state: T) -> Result<Self, RenderError> {
        let tree = state.build_tree()?;
        Ok(Page::from_parts(state, tree))
    }

    /// The page's HTML with fragment markers, wrapped in the root's markers:
    /// what the client first receives. Without the `<!--f-…-->`,
    /// `<!--/f-…-->` and `<!--i-->` comments it is exactly
    /// [`Template::render`].
    ///
    /// When a client (re)loads this HTML after updates were sent, call
    /// [`reset_client`](Page::reset_client) first: it holds no statics yet.
    pub fn render(&self) -> String {
        marked_html(&self.tree)
    }

    /// The current state.
    pub fn state(&self) -> &T {
        &self.state
    }

    /// Takes the state out of the page.
    pub fn into_state(self) -> T {
        self.state
    }

    /// The rendered tree of the current state.
    pub fn tree(&self) -> &Block {
        &self.tree
    }

    /// Forgets what the client holds (it reloads the page from
    /// [`render`](Page::render)): later updates send statics again.
    pub fn reset_client(&mut self) {
        self.cache.clear();
    }

    /// Estimated bytes the page holds beyond the state: the `Page` struct
    /// itself (less the state's own `size_of`), the tree's strings and
    /// vectors, and the client-cache map. It agrees with a counting
    /// allocator (`tests/memory_estimate.rs`); allocator overhead (size
    /// classes, headers) is not counted.
    pub fn memory_bytes(&self) -> usize {
        (std::mem::size_of::<Self>() - std::mem::size_of::<T>())
            + block_heap(&self.tree)
            + self.cache.memory_bytes()
    }

    /// Frees the client cache's spare capacity (after `reset_client`).
    pub(crate) fn shrink_cache(&mut self) {
        self.cache.shrink_to_fit();
    }

    /// A page from a state and the tree built from it (the client holds
    /// that tree's render and no statics).
    pub(crate) fn from_parts(state: T, tree: Block) -> Self {
        Page {
            state,
            tree,
            cache: ClientCache::new(),
        }
    }

    /// The state and the tree, taken apart.
    pub(crate) fn into_parts(self) -> (T, Block) {
        (self.state, self.tree)
    }

    fn diff_error(e: DiffError) -> RenderError {
        let loc = Loc {
            file: T::META.path,
            line: 0,
            col: 0,
            action: "",
        };
        RenderError::new(&loc, e.to_string())
    }

    /// Moves the page to state `new` and returns the fragments that bring
    /// the client's page from the old render to the new one (none when the
    /// states are equal: the generated code compares the fields each value
    /// reads, with `PartialEq`). On error the page keeps its old state.
    pub fn update(&mut self, new: T) -> Result<Vec<Fragment>, RenderError> {
        self.update_inner(new, diff::diff)
    }

    /// Like [`update`](Page::update), with a [`FragmentReport`] per changed
    /// fragment: the strategy chosen and the JSON size of every applicable
    /// alternative (feature `report`, for the bandwidth benchmarks).
    #[cfg(feature = "report")]
    pub fn update_with_report(
        &mut self,
        new: T,
    ) -> Result<(Vec<Fragment>, Vec<FragmentReport>), RenderError> {
        self.update_inner(new, diff::diff_with_report)
    }

    /// Updates the tree to `new`, then encodes the changes with `encode`.
    fn update_inner<R>(
        &mut self,
        new: T,
        encode: impl FnOnce(&Block, &[Change], &mut ClientCache) -> Result<R, DiffError>,
    ) -> Result<R, RenderError> {
        // No whole-state comparison first: `update_tree` compares field by
        // field anyway, and an unchanged state yields no change.
        let mut changes = Vec::new();
        let updated = new.update_tree(&self.state, &mut self.tree, &mut changes);
        // The root's dynamics were edited in place.
        self.tree.refresh_len();
        if let Err(e) = updated {
            self.restore_tree();
            return Err(e);
        }
        match encode(&self.tree, &changes, &mut self.cache) {
            Ok(out) => {
                self.state = new;
                Ok(out)
            }
            Err(e) => {
                self.restore_tree();
                // Whatever the cache learned is unreliable now; statics are
                // simply sent again.
                self.cache.clear();
                Err(Self::diff_error(e))
            }
        }
    }

    /// Rebuilds the tree from the (old) state after a failed update.
    fn restore_tree(&mut self) {
        if let Ok(tree) = self.state.build_tree() {
            self.tree = tree;
        }
    }
}

/// `tree`'s HTML with fragment markers, wrapped in the root's markers (what
/// [`Page::render`] returns), in one allocation of the tree's exact length.
pub(crate) fn marked_html(tree: &Block) -> String {
    let id = tree.meta.id;
    let mut out = String::with_capacity(tree.html_len() + 2 * id.len() + 16);
    open_marker(id, &mut out);
    tree.write_html(true, &mut out);
    close_marker(id, &mut out);
    out
}

/// Heap bytes of a tree (its vectors' capacity and its strings').
pub(crate) fn block_heap(b: &Block) -> usize {
    b.dyns.capacity() * std::mem::size_of::<Dyn>() + b.dyns.iter().map(dyn_heap).sum::<usize>()
}

fn dyn_heap(d: &Dyn) -> usize {
    let boxed = |b: &Block| std::mem::size_of::<Block>() + block_heap(b);
    match d {
        Dyn::Text(s) => s.capacity(),
        Dyn::Cond(b) => b.as_deref().map_or(0, boxed),
        Dyn::List { items, else_block } => {
            items.capacity() * std::mem::size_of::<Block>()
                + items.iter().map(block_heap).sum::<usize>()
                + else_block.as_deref().map_or(0, boxed)
        }
        Dyn::Call(b) => boxed(b),
    }
}
