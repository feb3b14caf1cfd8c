//! The rendered tree of a page: the value of every dynamic, with the statics
//! left in the template's [`BlockMeta`]. Generated code builds it
//! (`Template::build_tree`) and updates it in place
//! (`Template::update_tree`), recording what it replaced in [`Change`]s that
//! the diff turns into fragments.

use crate::template::{BlockMeta, ControlMeta, Dynamic};
use livetemplate_shared::{close_marker_len, open_marker_len};

/// A rendered block instance.
#[derive(Clone, Debug)]
pub struct Block {
    pub meta: &'static BlockMeta,
    pub dyns: Vec<Dyn>,
    /// Length of `html(true)`, computed when the block is built from the
    /// lengths of its children (so a diff finds offsets without rendering).
    /// Blocks are immutable once built, except the root, whose `dyns`
    /// `update_tree` edits: call [`Block::refresh_len`] after that.
    len: usize,
}

impl Block {
    /// A block with these dynamic values.
    pub fn new(meta: &'static BlockMeta, dyns: Vec<Dyn>) -> Self {
        let mut b = Block { meta, dyns, len: 0 };
        b.refresh_len();
        b
    }

    /// Length of [`Block::html`]`(true)`.
    pub fn html_len(&self) -> usize {
        self.len
    }

    /// Recomputes the length after `dyns` were edited in place (one level:
    /// the children's lengths are their own).
    pub fn refresh_len(&mut self) {
        let statics: usize = self
            .meta
            .statics
            .iter()
            .take(self.dyns.len() + 1)
            .map(|s| s.len())
            .sum();
        let dyns: usize = self
            .dyns
            .iter()
            .enumerate()
            .map(|(i, d)| match self.meta.dynamics.get(i) {
                Some(Dynamic::Block(c)) if c.fragment => {
                    open_marker_len(c.id) + d.html_len(true) + close_marker_len(c.id)
                }
                _ => d.html_len(false),
            })
            .sum();
        self.len = statics + dyns;
    }
}

impl PartialEq for Block {
    fn eq(&self, other: &Self) -> bool {
        self.meta.same_block(other.meta) && self.dyns == other.dyns
    }
}

/// The rendered value of one dynamic of a block.
#[derive(Clone, Debug, PartialEq)]
pub enum Dyn {
    /// A slot, escaped for its context.
    Text(String),
    /// `if` / `with`: the branch that rendered (its meta says which), or nothing.
    Cond(Option<Box<Block>>),
    /// `range`: one block per item, or the `else` block when there are none.
    List {
        items: Vec<Block>,
        else_block: Option<Box<Block>>,
    },
    /// `{{template}}`: the callee.
    Call(Box<Block>),
}

/// What `update_tree` replaced at one dynamic of the root block.
#[derive(Debug)]
pub enum Change {
    /// `tree.dyns[index]` was recomputed; `old` is the value it had.
    Replaced { index: usize, old: Dyn },
    /// `tree.dyns[index]` is a list updated item by item (items compared
    /// with `PartialEq`, unchanged items kept without rendering).
    List { index: usize, edits: ListEdits },
}

/// The edits of one list, in the order applied, and what became of each old
/// item: the plan of the list's change, made where the list was edited, so
/// that the old list can be read forward (never rebuilt by undoing edits).
/// Made only by [`ListEdits::new`], which checks that the edits apply.
#[derive(Debug, Default)]
pub struct ListEdits {
    edits: Vec<ListEdit>,
    old_len: usize,
    /// Per old item: the index of the new item whose block it is (kept,
    /// moved or updated in place), or `None` when an edit removed its block.
    /// Empty when every edit updated an item in place: each item is where it
    /// was (the most common list change, planned without allocating).
    kept: Vec<Option<u32>>,
}

impl ListEdits {
    /// The plan of `edits` applied in order to a list of `old_len` items:
    /// each removal's [`ListEdit::old_at`], and where each old item went.
    /// `None` when an edit does not apply (a position outside the list, a
    /// reordering that is not one of it), when an edit removes a block that
    /// is not a run of old items, or when an edit moves or shifts a block an
    /// earlier one inserted (every inserted block stays where it went in).
    pub fn new(old_len: usize, mut edits: Vec<ListEdit>) -> Option<Self> {
        u32::try_from(old_len).ok()?;
        let in_place_only = edits.iter().all(|e| {
            !e.changes.is_empty() && e.at < old_len && e.removed.is_empty() && e.inserted == 0
        });
        let kept = match in_place_only {
            true => Vec::new(),
            false => {
                ascending_plan(old_len, &mut edits).or_else(|| applied_plan(old_len, &mut edits))?
            }
        };
        Some(ListEdits {
            edits,
            old_len,
            kept,
        })
    }

    /// The edits, in the order applied.
    pub fn edits(&self) -> &[ListEdit] {
        &self.edits
    }

    /// How many items the list had before the edits.
    pub fn old_len(&self) -> usize {
        self.old_len
    }

    /// The index of the new item whose block old item `old` is (kept, moved
    /// or updated in place), or `None` when an edit removed its block (see
    /// [`ListEdit::old_at`]) or there is no such old item.
    pub fn kept(&self, old: usize) -> Option<usize> {
        match self.kept.is_empty() {
            true => (old < self.old_len).then_some(old),
            false => self.kept.get(old).copied().flatten().map(|j| j as usize),
        }
    }

    /// True when no edit was made.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}

/// [`ListEdits::new`] for any edits: they are applied in order to the old
/// indices. `None` when they do not apply.
fn applied_plan(old_len: usize, edits: &mut [ListEdit]) -> Option<Vec<Option<u32>>> {
    /// What stands at a place of the list being edited.
    #[derive(Clone, Copy, PartialEq)]
    enum At {
        Old(u32),
        /// Inserted by edit `.0` at its position + `.1`.
        New(usize, usize),
    }
    let mut cur: Vec<At> = (0..u32::try_from(old_len).ok()?).map(At::Old).collect();
    let mut in_place: Vec<(u32, usize)> = Vec::new();
    for (k, e) in edits.iter_mut().enumerate() {
        if !e.order.is_empty() {
            if e.order.len() != cur.len() || !crate::reorder::is_permutation(&e.order) {
                return None;
            }
            let moved: Vec<At> = e.order.iter().map(|&o| cur[o]).collect();
            if moved
                .iter()
                .zip(&cur)
                .any(|(a, b)| a != b && matches!(b, At::New(..)))
            {
                return None;
            }
            cur = moved;
            continue;
        }
        if !e.changes.is_empty() {
            // an old item updated in place, which stays where it is
            match cur.get(e.at) {
                Some(At::Old(i)) if e.removed.is_empty() && e.inserted == 0 => {
                    in_place.push((*i, e.at));
                }
                _ => return None,
            }
            continue;
        }
        let end =
            e.at.checked_add(e.removed.len())
                .filter(|&end| end <= cur.len())?;
        let first = match cur.get(e.at) {
            Some(At::Old(i)) => *i as usize,
            _ if e.removed.is_empty() => 0,
            _ => return None,
        };
        let run = cur[e.at..end]
            .iter()
            .enumerate()
            .all(|(d, a)| *a == At::Old((first + d) as u32));
        if !run {
            return None;
        }
        e.old_at = first;
        cur.splice(e.at..end, (0..e.inserted).map(|d| At::New(k, d)));
    }
    let mut kept = vec![None; old_len];
    for (j, a) in cur.iter().enumerate() {
        match *a {
            At::Old(i) => kept[i as usize] = Some(j as u32),
            At::New(k, d) if edits[k].at + d == j => {}
            At::New(..) => return None,
        }
    }
    if in_place
        .iter()
        .any(|&(i, at)| kept[i as usize] != Some(at as u32))
    {
        return None;
    }
    Some(kept)
}

/// [`ListEdits::new`] for edits that go left to right, as a sequence diff's
/// do (each at or after the blocks the previous one inserted, no
/// reordering): the old and new lists are walked side by side, without
/// applying the edits. `None` for other edits (and edits that do not apply:
/// `new` then refuses them).
fn ascending_plan(old_len: usize, edits: &mut [ListEdit]) -> Option<Vec<Option<u32>>> {
    u32::try_from(old_len).ok()?;
    let mut kept: Vec<Option<u32>> = Vec::with_capacity(old_len);
    let (mut o, mut n) = (0usize, 0usize); // old items passed, new position
    for e in edits.iter_mut() {
        if !e.order.is_empty() || e.at < n {
            return None;
        }
        let gap = e.at - n;
        if o + gap > old_len {
            return None;
        }
        kept.extend((n..n + gap).map(|j| Some(j as u32)));
        (o, n) = (o + gap, n + gap);
        if !e.changes.is_empty() {
            if o >= old_len || !e.removed.is_empty() || e.inserted != 0 {
                return None;
            }
            // updated in place, and passed: no later edit may come before it
            kept.push(Some(n as u32));
            (o, n) = (o + 1, n + 1);
            continue;
        }
        if o + e.removed.len() > old_len {
            return None;
        }
        e.old_at = o;
        kept.extend(std::iter::repeat_n(None, e.removed.len()));
        (o, n) = (o + e.removed.len(), n + e.inserted);
    }
    kept.extend((n..n + (old_len - o)).map(|j| Some(j as u32)));
    Some(kept)
}

/// One edit of a list, in the order applied. Indices are positions in the
/// list as it is when the edit applies (earlier edits already applied).
#[derive(Debug, Default)]
pub struct ListEdit {
    pub at: usize,
    /// The blocks this edit removed, in order (may be empty).
    pub removed: Vec<Block>,
    /// The old index of the first block of `removed` (set by
    /// [`ListEdits::new`]): an edit removes a run of old items.
    pub old_at: usize,
    /// How many new blocks now stand at `at` (may be 0).
    pub inserted: usize,
    /// When not empty, the item at `at` was updated in place instead: its
    /// block kept, these changes made to its dynamics (indices into the
    /// item's block; `removed` is then empty and `inserted` 0).
    pub changes: Vec<Change>,
    /// When not empty, the edit is a reordering of the whole list in place,
    /// nothing else: the item now at `t` is the old item `order[t]`.
    pub order: Vec<usize>,
}

/// The control-structure meta of dynamic `index` of `block`.
///
/// # Panics
/// If that dynamic is a slot: generated code only asks for blocks.
#[doc(hidden)]
pub fn control(block: &'static BlockMeta, index: usize) -> &'static ControlMeta {
    match &block.dynamics[index] {
        Dynamic::Block(c) => c,
        Dynamic::Slot(_) => unreachable!("dynamic {index} of {} is a slot", block.id),
    }
}

/// Branch `branch` of dynamic `index` of `block` (see [`control`]).
#[doc(hidden)]
pub fn branch(block: &'static BlockMeta, index: usize, branch: usize) -> &'static BlockMeta {
    &control(block, index).branches[branch]
}

/// `block.dyns[index] = new`, the old value recorded in `changes`: what
/// generated `update_tree` code does with a dynamic it recomputed.
#[doc(hidden)]
pub fn replace_dyn(block: &mut Block, changes: &mut Vec<Change>, index: usize, new: Dyn) {
    let old = std::mem::replace(&mut block.dyns[index], new);
    changes.push(Change::Replaced { index, old });
}

/// [`replace_dyn`] when `new` differs from the dynamic it replaces: what
/// the in-place update of a range item does with each dynamic it
/// recomputed.
#[doc(hidden)]
pub fn replace_dyn_if_changed(
    block: &mut Block,
    changes: &mut Vec<Change>,
    index: usize,
    new: Dyn,
) {
    if new != block.dyns[index] {
        replace_dyn(block, changes, index, new);
    }
}

/// Fragment markers (defined in `livetemplate-shared`).
pub use livetemplate_shared::{close_marker, open_marker, ITEM_MARKER};

impl Block {
    /// The block's HTML, with markers around fragments (when `marked`).
    pub fn html(&self, marked: bool) -> String {
        let mut out = String::new();
        self.write_html(marked, &mut out);
        out
    }

    /// Appends the block's HTML (see [`Block::html`]).
    pub fn write_html(&self, marked: bool, out: &mut String) {
        let statics = self.meta.statics;
        for (i, d) in self.dyns.iter().enumerate() {
            out.push_str(statics[i]);
            let frag = match &self.meta.dynamics[i] {
                Dynamic::Block(c) if marked && c.fragment => Some(c),
                _ => None,
            };
            match frag {
                Some(c) => {
                    open_marker(c.id, out);
                    d.write_html(marked, true, out);
                    close_marker(c.id, out);
                }
                None => d.write_html(marked, false, out),
            }
        }
        out.push_str(statics[self.dyns.len()]);
    }
}

impl Dyn {
    /// Length of [`Dyn::write_html`]`(true, fragment, …)`.
    pub fn html_len(&self, fragment: bool) -> usize {
        match self {
            Dyn::Text(s) => s.len(),
            Dyn::Cond(b) => b.as_deref().map_or(0, Block::html_len),
            Dyn::List { items, else_block } => {
                let else_len = match (items.is_empty(), else_block) {
                    (true, Some(b)) => b.html_len(),
                    _ => 0,
                };
                let marker = if fragment { ITEM_MARKER.len() } else { 0 };
                else_len + items.iter().map(|b| marker + b.html_len()).sum::<usize>()
            }
            Dyn::Call(b) => b.html_len(),
        }
    }

    /// Appends the dynamic's HTML; `fragment` adds item markers to lists.
    pub fn write_html(&self, marked: bool, fragment: bool, out: &mut String) {
        match self {
            Dyn::Text(s) => out.push_str(s),
            Dyn::Cond(b) => {
                if let Some(b) = b {
                    b.write_html(marked, out)
                }
            }
            Dyn::List { items, else_block } => {
                if items.is_empty() {
                    if let Some(b) = else_block {
                        b.write_html(marked, out)
                    }
                }
                for item in items {
                    if fragment {
                        out.push_str(ITEM_MARKER);
                    }
                    item.write_html(marked, out);
                }
            }
            Dyn::Call(b) => b.write_html(marked, out),
        }
    }
}

/// The items of a range in the old and the new state, for
/// `(&&ItemsDiff(&old, &new)).lt_item_ops()`: a sequence diff when the item
/// type is `PartialEq` (autoref specialisation), `None` otherwise (the list
/// is then rebuilt whole).
#[doc(hidden)]
pub struct ItemsDiff<'a, T>(pub &'a [T], pub &'a [T]);

/// The edits that turn a range's old items into its new ones, in order (a
/// sequence diff). Opaque: made by [`ItemsDiff`], read by [`splice_items`]
/// (the diff crate behind it is not part of the API).
#[derive(Clone, Debug, PartialEq)]
#[doc(hidden)]
pub struct ItemOps(Ops);

#[derive(Clone, Debug, PartialEq)]
enum Ops {
    /// A sequence diff.
    Diff(Vec<similar::DiffOp>),
    /// The same items in another order: the old index of each new item.
    Order(Vec<usize>),
    /// Items matched by key ([`crate::Keyed`]): for each new item, the old
    /// item of the same key, if any, and whether its value changed.
    Keyed(Vec<Option<(usize, bool)>>),
}

/// Step 0 of [`ItemsDiff`]: items with a key ([`crate::Keyed`]).
#[doc(hidden)]
pub trait ItemsDiffKeyed {
    fn lt_item_ops(&self) -> Option<ItemOps>;
}
impl<T: crate::Keyed + PartialEq> ItemsDiffKeyed for &&ItemsDiff<'_, T> {
    fn lt_item_ops(&self) -> Option<ItemOps> {
        let (old, new) = (self.0, self.1);
        // One item changed, added or removed, or the same items reordered:
        // as for items without a key.
        common_ops(old, new)
            .or_else(|| keyed(old, new).map(|m| ItemOps(Ops::Keyed(m))))
            .or_else(|| myers_ops(old, new))
    }
}

/// For each new item, the old item with its key and whether the value
/// changed; `None` when a key repeats in either list.
fn keyed<T: crate::Keyed + PartialEq>(old: &[T], new: &[T]) -> Option<Vec<Option<(usize, bool)>>> {
    use std::collections::HashMap;
    let mut at: HashMap<T::Key, usize> = HashMap::with_capacity(old.len());
    for (i, item) in old.iter().enumerate() {
        if at.insert(item.key(), i).is_some() {
            return None;
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(new.len());
    new.iter()
        .map(|item| {
            let key = item.key();
            let i = at.get(&key).copied();
            seen.insert(key).then_some(i.map(|i| (i, old[i] != *item)))
        })
        .collect()
}

/// Step 1 of [`ItemsDiff`]: `PartialEq` items.
#[doc(hidden)]
pub trait ItemsDiffEq {
    fn lt_item_ops(&self) -> Option<ItemOps>;
}
impl<T: PartialEq> ItemsDiffEq for &ItemsDiff<'_, T> {
    fn lt_item_ops(&self) -> Option<ItemOps> {
        let (old, new) = (self.0, self.1);
        common_ops(old, new).or_else(|| myers_ops(old, new))
    }
}

/// The list changes found without a sequence diff: one item changed, added
/// or removed ([`one_edit`]), or the same items reordered. A reordering
/// moves the items' blocks (and is sent as moves): Myers would spend O(n·d)
/// on it and rebuild the moved items.
fn common_ops<T: PartialEq>(old: &[T], new: &[T]) -> Option<ItemOps> {
    if let Some(ops) = one_edit(old, new) {
        return Some(ItemOps(Ops::Diff(ops)));
    }
    crate::reorder::reordering(old, new, |_| ()).map(|order| ItemOps(Ops::Order(order)))
}

/// Myers' diff of the items, with replaces.
fn myers_ops<T: PartialEq>(old: &[T], new: &[T]) -> Option<ItemOps> {
    use similar::algorithms::{myers, Capture, Replace};
    let mut hook = Replace::new(Capture::new());
    // Capture never fails.
    myers::diff(&mut hook, old, 0..old.len(), new, 0..new.len()).ok()?;
    Some(ItemOps(Ops::Diff(hook.into_inner().into_ops())))
}

/// The ops of the most common list changes without running Myers (and its
/// allocations): after the common prefix and suffix, at most one item left
/// on each side, i.e. one item changed, added or removed. `None` otherwise.
/// Myers gives the same ops for these cases.
fn one_edit<T: PartialEq>(old: &[T], new: &[T]) -> Option<Vec<similar::DiffOp>> {
    use similar::DiffOp;
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let (o, n) = (&old[prefix..], &new[prefix..]);
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_len, new_len) = (o.len() - suffix, n.len() - suffix);
    if old_len > 1 || new_len > 1 {
        return None;
    }
    let mut ops = Vec::with_capacity(3);
    if prefix > 0 {
        ops.push(DiffOp::Equal {
            old_index: 0,
            new_index: 0,
            len: prefix,
        });
    }
    let (old_index, new_index) = (prefix, prefix);
    ops.extend(match (old_len, new_len) {
        (0, 0) => None,
        (1, 1) => Some(DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        }),
        (1, 0) => Some(DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        }),
        _ => Some(DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        }),
    });
    if suffix > 0 {
        ops.push(DiffOp::Equal {
            old_index: prefix + old_len,
            new_index: prefix + new_len,
            len: suffix,
        });
    }
    Some(ops)
}

/// Step 2 of [`ItemsDiff`]: items that cannot be compared.
#[doc(hidden)]
pub trait ItemsDiffAny {
    fn lt_item_ops(&self) -> Option<ItemOps>;
}
impl<T> ItemsDiffAny for ItemsDiff<'_, T> {
    fn lt_item_ops(&self) -> Option<ItemOps> {
        None
    }
}

/// What [`splice_items`] gets from updating an item in place: `Some` of
/// the changes made to the item's block (empty when it renders the same),
/// or `None` when the item must be rebuilt instead.
#[doc(hidden)]
pub type ItemUpdate = Result<Option<Vec<Change>>, crate::RenderError>;

/// Updates the list `dyn_` item by item along `ops` (a diff of the old and
/// new items). Items replaced one for one are first offered to
/// `update(i, j, block)` (old item `i`, new item `j`, the old item's
/// block), which may edit the block in place; every other inserted or
/// replaced item is built with `build(j)`. Returns the edits, or `None` when
/// the list cannot be edited in place (no ops, an `else` block involved, or
/// a length mismatch): the caller then rebuilds it whole.
///
/// `build` and `update` are trait objects: generated code calls this once
/// per range of a page, and a generic function would be compiled again
/// (in the user's crate) for every call.
#[doc(hidden)]
pub fn splice_items(
    dyn_: &mut Dyn,
    ops: Option<ItemOps>,
    old_len: usize,
    new_len: usize,
    build: &mut dyn FnMut(usize) -> Result<Block, crate::RenderError>,
    update: &mut dyn FnMut(usize, usize, &mut Block) -> ItemUpdate,
) -> Result<Option<ListEdits>, crate::RenderError> {
    let Some(edits) = splice_log(dyn_, ops, old_len, new_len, build, update)? else {
        return Ok(None);
    };
    // The list is edited already: edits that do not apply are an error (the
    // page then rebuilds its tree), never a `None` (a rebuild from here).
    match ListEdits::new(old_len, edits) {
        Some(edits) => Ok(Some(edits)),
        None => Err(crate::RenderError::new(
            &crate::error::Loc {
                file: "",
                line: 0,
                col: 0,
                action: "",
            },
            "range items edited inconsistently",
        )),
    }
}

/// The edits of [`splice_items`], in order.
fn splice_log(
    dyn_: &mut Dyn,
    ops: Option<ItemOps>,
    old_len: usize,
    new_len: usize,
    build: &mut dyn FnMut(usize) -> Result<Block, crate::RenderError>,
    update: &mut dyn FnMut(usize, usize, &mut Block) -> ItemUpdate,
) -> Result<Option<Vec<ListEdit>>, crate::RenderError> {
    let (Some(ItemOps(ops)), Dyn::List { items, else_block }) = (ops, dyn_) else {
        return Ok(None);
    };
    if else_block.is_some() || items.len() != old_len || new_len == 0 {
        return Ok(None);
    }
    let ops = match ops {
        Ops::Diff(ops) => ops,
        Ops::Keyed(matches) => {
            return splice_keyed(items, &matches, old_len, new_len, build, update)
        }
        Ops::Order(order) => {
            // A permutation of the list (checked before anything moves).
            let permutation = order.len() == old_len
                && old_len == new_len
                && crate::reorder::is_permutation(&order);
            if !permutation {
                return Ok(None);
            }
            let mut old: Vec<Option<Block>> = items.drain(..).map(Some).collect();
            items.extend(order.iter().filter_map(|&o| old[o].take()));
            return Ok(Some(vec![ListEdit {
                order,
                ..ListEdit::default()
            }]));
        }
    };
    // The ops must cover both lists in order, so that no edit below can
    // fall outside the list (checked before anything is changed).
    let (mut o, mut n) = (0, 0);
    for op in &ops {
        if op.old_range().start != o || op.new_range().start != n {
            return Ok(None);
        }
        (o, n) = (op.old_range().end, op.new_range().end);
    }
    if (o, n) != (old_len, new_len) {
        return Ok(None);
    }
    let mut edits = Vec::new();
    for op in ops {
        if let similar::DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } = op
        {
            if old_len == new_len {
                for k in 0..new_len {
                    let at = new_index + k;
                    let Some(item) = items.get_mut(at) else {
                        return Ok(None);
                    };
                    match update(old_index + k, at, item)? {
                        Some(changes) => {
                            item.refresh_len();
                            if !changes.is_empty() {
                                edits.push(ListEdit {
                                    at,
                                    changes,
                                    ..ListEdit::default()
                                });
                            }
                        }
                        None => {
                            let old = std::mem::replace(item, build(at)?);
                            edits.push(ListEdit {
                                at,
                                removed: vec![old],
                                inserted: 1,
                                ..ListEdit::default()
                            });
                        }
                    }
                }
                continue;
            }
        }
        let (at, removed_len, new_range) = match op {
            similar::DiffOp::Equal { .. } => continue,
            similar::DiffOp::Delete {
                old_len, new_index, ..
            } => (new_index, old_len, new_index..new_index),
            similar::DiffOp::Insert {
                new_index, new_len, ..
            } => (new_index, 0, new_index..new_index + new_len),
            similar::DiffOp::Replace {
                old_len,
                new_index,
                new_len,
                ..
            } => (new_index, old_len, new_index..new_index + new_len),
        };
        let inserted = new_range.len();
        let mut fresh = Vec::with_capacity(inserted);
        for j in new_range {
            fresh.push(build(j)?);
        }
        let removed: Vec<Block> = items.splice(at..at + removed_len, fresh).collect();
        edits.push(ListEdit {
            at,
            removed,
            inserted,
            ..ListEdit::default()
        });
    }
    Ok(Some(edits))
}

/// [`splice_items`] for items matched by key: the old items with no match
/// removed (last first), the kept ones put in the new order, the new ones
/// built where they go (first first), then the kept items whose value
/// changed updated in place (or rebuilt). `None` when `matches` is not
/// one of the lists (checked before anything changes).
fn splice_keyed(
    items: &mut Vec<Block>,
    matches: &[Option<(usize, bool)>],
    old_len: usize,
    new_len: usize,
    build: &mut dyn FnMut(usize) -> Result<Block, crate::RenderError>,
    update: &mut dyn FnMut(usize, usize, &mut Block) -> ItemUpdate,
) -> Result<Option<Vec<ListEdit>>, crate::RenderError> {
    if matches.len() != new_len {
        return Ok(None);
    }
    let mut kept = vec![false; old_len];
    for &(i, _) in matches.iter().flatten() {
        match kept.get_mut(i) {
            Some(k) if !*k => *k = true,
            _ => return Ok(None),
        }
    }
    let mut edits = Vec::new();
    for i in (0..old_len).rev().filter(|&i| !kept[i]) {
        edits.push(ListEdit {
            at: i,
            removed: vec![items.remove(i)],
            ..ListEdit::default()
        });
    }
    // the kept items, old order → new order: rank of each old index
    let mut rank = vec![0; old_len];
    for (r, i) in (0..old_len).filter(|&i| kept[i]).enumerate() {
        rank[i] = r;
    }
    let order: Vec<usize> = matches.iter().flatten().map(|&(i, _)| rank[i]).collect();
    if order.iter().enumerate().any(|(t, &o)| t != o) {
        let mut old: Vec<Option<Block>> = items.drain(..).map(Some).collect();
        items.extend(order.iter().filter_map(|&o| old[o].take()));
        edits.push(ListEdit {
            order,
            ..ListEdit::default()
        });
    }
    for (j, m) in matches.iter().enumerate() {
        if m.is_none() {
            items.insert(j, build(j)?);
            edits.push(ListEdit {
                at: j,
                inserted: 1,
                ..ListEdit::default()
            });
        }
    }
    for (j, m) in matches.iter().enumerate() {
        let Some((i, true)) = *m else { continue };
        let item = &mut items[j];
        match update(i, j, item)? {
            Some(changes) => {
                item.refresh_len();
                if !changes.is_empty() {
                    edits.push(ListEdit {
                        at: j,
                        changes,
                        ..ListEdit::default()
                    });
                }
            }
            None => {
                let old = std::mem::replace(item, build(j)?);
                edits.push(ListEdit {
                    at: j,
                    removed: vec![old],
                    inserted: 1,
                    ..ListEdit::default()
                });
            }
        }
    }
    Ok(Some(edits))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of lists over {0, 1, 2} up to 4 items long.
    fn lists() -> Vec<Vec<u8>> {
        let mut all = vec![vec![]];
        let mut last = vec![vec![]];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|l: &Vec<u8>| {
                    (0..3).map(move |x| {
                        let mut l = l.clone();
                        l.push(x);
                        l
                    })
                })
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    static ITEM: BlockMeta = BlockMeta {
        kind: crate::template::BlockKind::Range,
        id: "f-0000000000000001",
        line: 1,
        statics: &["<li>", "</li>"],
        dynamics: &[Dynamic::Slot(crate::template::SlotMeta {
            action: "{{.}}",
            line: 1,
            context: "text",
            escapers: &[crate::Escaper::Html],
            attr: false,
        })],
    };

    fn item(text: &str) -> Block {
        Block::new(&ITEM, vec![Dyn::Text(text.to_owned())])
    }

    fn list(texts: &[&str]) -> Dyn {
        Dyn::List {
            items: texts.iter().map(|t| item(t)).collect(),
            else_block: None,
        }
    }

    #[test]
    fn splice_updates_in_place_builds_the_rest_and_refuses_bad_ops() {
        use similar::DiffOp;
        let new = ["a", "B", "c", "d"];
        let ops = vec![
            DiffOp::Equal {
                old_index: 0,
                new_index: 0,
                len: 1,
            },
            DiffOp::Replace {
                old_index: 1,
                old_len: 1,
                new_index: 1,
                new_len: 1,
            },
            DiffOp::Equal {
                old_index: 2,
                new_index: 2,
                len: 1,
            },
            DiffOp::Insert {
                old_index: 3,
                new_index: 3,
                new_len: 1,
            },
        ];
        let mut d = list(&["a", "b", "c"]);
        let edits = splice_items(
            &mut d,
            Some(ItemOps(Ops::Diff(ops.clone()))),
            3,
            4,
            &mut |j| Ok(item(new[j])),
            &mut |i, j, block| {
                assert_eq!((i, j), (1, 1));
                let old = std::mem::replace(&mut block.dyns[0], Dyn::Text(new[j].into()));
                Ok(Some(vec![Change::Replaced { index: 0, old }]))
            },
        )
        .unwrap()
        .expect("edited");
        // old item 1 updated in place, the others kept where they were
        assert_eq!(
            (0..4).map(|i| edits.kept(i)).collect::<Vec<_>>(),
            [Some(0), Some(1), Some(2), None]
        );
        let edits = edits.edits();
        assert_eq!(d, list(&new));
        let mut html = String::new();
        d.write_html(false, false, &mut html);
        assert_eq!(html, "<li>a</li><li>B</li><li>c</li><li>d</li>");
        assert_eq!(d.html_len(false), html.len());
        assert_eq!(edits.len(), 2);
        assert_eq!((edits[0].at, edits[0].changes.len()), (1, 1));
        assert_eq!((edits[1].at, edits[1].inserted), (3, 1));

        // Ops that do not cover the lists: refused, the list untouched.
        let mut d = list(&["a", "b", "c"]);
        for bad in [ops[1..].to_vec(), ops[..2].to_vec()] {
            let r = splice_items(
                &mut d,
                Some(ItemOps(Ops::Diff(bad))),
                3,
                4,
                &mut |j| Ok(item(new[j])),
                &mut |_, _, _| Ok(None),
            );
            assert!(matches!(r, Ok(None)));
            assert_eq!(d, list(&["a", "b", "c"]));
        }
    }

    #[test]
    fn a_reordering_moves_the_blocks() {
        let (old, new) = (["a", "b", "c"], ["c", "a", "b"]);
        let ops = (&&ItemsDiff(&old, &new)).lt_item_ops();
        assert_eq!(ops, Some(ItemOps(Ops::Order(vec![2, 0, 1]))));
        let mut d = list(&old);
        let edits = splice_items(
            &mut d,
            ops,
            3,
            3,
            &mut |_| panic!("nothing is built"),
            &mut |_, _, _| panic!("nothing is updated"),
        )
        .unwrap()
        .expect("edited");
        assert_eq!(
            (0..3).map(|i| edits.kept(i)).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(0)]
        );
        let edits = edits.edits();
        assert_eq!(d, list(&new));
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].order, [2, 0, 1]);
        // not a permutation: refused, the list untouched
        for bad in [vec![0, 0, 1], vec![0, 1], vec![0, 1, 3]] {
            let mut d = list(&old);
            let r = splice_items(
                &mut d,
                Some(ItemOps(Ops::Order(bad))),
                3,
                3,
                &mut |_| panic!("nothing is built"),
                &mut |_, _, _| panic!("nothing is updated"),
            );
            assert!(matches!(r, Ok(None)));
            assert_eq!(d, list(&old));
        }
    }

    #[test]
    fn the_one_edit_shortcut_gives_the_ops_of_myers() {
        use similar::algorithms::{myers, Capture, Replace};
        let mut shortcuts = 0;
        for a in lists() {
            for b in lists() {
                let (old, new): (Vec<&u8>, Vec<&u8>) = (a.iter().collect(), b.iter().collect());
                let mut hook = Replace::new(Capture::new());
                myers::diff(&mut hook, &old, 0..old.len(), &new, 0..new.len()).unwrap();
                let expected = hook.into_inner().into_ops();
                match one_edit(&old, &new) {
                    Some(ops) => {
                        shortcuts += 1;
                        assert_eq!(ops, expected, "{a:?} -> {b:?}");
                    }
                    None => {
                        let edits: Vec<_> = expected
                            .iter()
                            .filter(|op| !matches!(op, similar::DiffOp::Equal { .. }))
                            .collect();
                        let small = edits.len() == 1
                            && edits[0].old_range().len() <= 1
                            && edits[0].new_range().len() <= 1;
                        assert!(!small, "{a:?} -> {b:?}: Myers found one small edit");
                    }
                }
            }
        }
        assert!(shortcuts > 1000, "{shortcuts}");
    }

    proptest::proptest! {
        /// The plans agree: walking edits that go left to right gives what
        /// applying them gives, and applying gives where each old item
        /// really went (edits made by a random sequence of list operations).
        #[test]
        fn plans_agree(old_len in 0usize..8, ops in proptest::collection::vec((0u8..4, 0usize..8, 0usize..3), 0..6)) {
            // the list as old indices (None: inserted), and the edits made
            let mut cur: Vec<Option<usize>> = (0..old_len).map(Some).collect();
            let mut edits = Vec::new();
            for (kind, at, n) in ops {
                match kind {
                    0 => {
                        let at = at.min(cur.len());
                        cur.splice(at..at, std::iter::repeat_n(None, n));
                        edits.push(ListEdit { at, inserted: n, ..ListEdit::default() });
                    }
                    1 if !cur.is_empty() => {
                        let at = at % cur.len();
                        let end = (at + n.max(1)).min(cur.len());
                        let removed: Vec<Block> = cur.splice(at..end, []).map(|_| item("x")).collect();
                        edits.push(ListEdit { at, removed, ..ListEdit::default() });
                    }
                    2 if !cur.is_empty() => {
                        let at = at % cur.len();
                        let changes = vec![Change::Replaced { index: 0, old: Dyn::Text(String::new()) }];
                        edits.push(ListEdit { at, changes, ..ListEdit::default() });
                    }
                    3 if cur.len() > 1 => {
                        let mut order: Vec<usize> = (0..cur.len()).collect();
                        order.rotate_left(at % cur.len());
                        cur = order.iter().map(|&o| cur[o]).collect();
                        edits.push(ListEdit { order, ..ListEdit::default() });
                    }
                    _ => {}
                }
            }
            let mut a = edits;
            let applied = applied_plan(old_len, &mut a);
            if let Some(kept) = &applied {
                for (i, k) in kept.iter().enumerate() {
                    let truth = cur.iter().position(|&c| c == Some(i)).map(|j| j as u32);
                    proptest::prop_assert_eq!(*k, truth);
                }
            }
            let mut b: Vec<ListEdit> = a.iter().map(|e| ListEdit {
                at: e.at,
                removed: e.removed.clone(),
                inserted: e.inserted,
                changes: e.changes.iter().map(|_| Change::Replaced { index: 0, old: Dyn::Text(String::new()) }).collect(),
                order: e.order.clone(),
                old_at: 0,
            }).collect();
            if let Some(fast) = ascending_plan(old_len, &mut b) {
                proptest::prop_assert_eq!(Some(fast), applied.clone());
                for (x, y) in a.iter().zip(&b) {
                    if !x.removed.is_empty() {
                        proptest::prop_assert_eq!(x.old_at, y.old_at);
                    }
                }
            }
        }
    }
}
