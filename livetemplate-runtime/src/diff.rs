//! Turns the changes `update_tree` recorded into [`Fragment`]s.
//!
//! # Fragments
//!
//! The root block is a fragment, and so is every control structure whose
//! [`ControlMeta::fragment`] is set (it starts and ends in HTML text and is
//! not inside a range). Every other control is *folded*: its HTML is a value
//! of the enclosing fragment, like a slot's.
//!
//! # Choosing a strategy (the seed's `RecommendStrategy`)
//!
//! Each fragment that changed is looked at on its own, parents first:
//!
//! - its content switched structure (another `if` branch, a block that
//!   appears or disappears, a range entering or leaving its `else`)
//!   → **replacement**;
//! - range items only added or removed → **granular**, one fragment per
//!   item operation;
//! - range items added, removed, changed and moved in any mix →
//!   **granular**, the list's edits in order (Myers, or those the generated
//!   code made), an item changed going out and back in as its dynamics;
//!   or the list's **replacement** when that is smaller;
//! - range items only reordered (the same items by value, up to
//!   `MAX_REORDER`) → **granular** `move`, one fragment (module
//!   `reorder`: the items of a longest run already in order stay, each
//!   other item moves once);
//! - values changed (slots, folded controls, items changed in place, a
//!   folded block inside an item that switched branch or changed length)
//!   → **markers**: one patch per run of changed values, at its position in
//!   the HTML the client holds.
//!
//! The client holds the HTML of every fragment (the render, then each
//! update), so a patch of it never needs the statics or the unchanged
//! values. `static_dynamic`, which carries a block's tree, is therefore not
//! sent: before the client held the tree it cost the statics and every
//! value (about the page, on the first text update after the render), and
//! after it saved two numbers per value. Both clients still apply it.
//!
//! A child fragment whose content changed gets its own fragments after its
//! parent's; a replaced parent covers its children. Whatever the rule
//! chose, an update whose fragments outweigh one replacement of the root is
//! sent as that replacement (`Differ::cap_at_root`). Markers positions refer
//! to the parent's content as the client has it before the update (child
//! regions still old), so the parent's fragment applies first.
//!
//! # What the client keeps
//!
//! [`ClientCache`] remembers, per range fragment, the item statics the
//! client keeps since an item was added (a granular add sends an item as its
//! dynamics, with the statics the first time). A replacement makes it forget
//! the fragment's and every nested fragment's.
//!
//! # Cost
//!
//! Unchanged values are never rendered: a patch's position is a sum of the
//! lengths the tree caches, and only changed values are written.

use std::fmt;

use crate::fragment::{DynamicValue, Fragment, GranularOp, Strategy, ValuePatch};
use crate::template::{BlockMeta, ControlMeta, Dynamic};
use crate::tree::{Block, Change, Dyn, ListEdits, ITEM_MARKER};

/// What the client keeps, mirroring the reconstructor: the item statics of
/// each range fragment it was sent added items for (fragment id → the item
/// block's id). A replacement of the fragment, or of one enclosing it,
/// takes them away.
#[derive(Clone, Debug, Default)]
pub struct ClientCache {
    kept: Vec<(&'static str, &'static str)>,
}

impl ClientCache {
    /// An empty cache (a client that has just loaded the page).
    pub fn new() -> Self {
        ClientCache::default()
    }

    /// True when the client keeps the statics of block `block` for
    /// fragment `id`.
    pub fn keeps(&self, id: &str, block: &str) -> bool {
        self.kept.iter().any(|&(i, b)| i == id && b == block)
    }

    /// Number of fragments whose item statics the client keeps.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// True when the client keeps nothing.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Forgets everything (the client reloaded the page).
    pub fn clear(&mut self) {
        self.kept.clear();
    }

    /// Frees spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.kept.shrink_to_fit();
    }

    /// Heap bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.kept.capacity() * std::mem::size_of::<(&str, &str)>()
    }

    /// The client keeps the statics of `block` for `id`.
    fn keep(&mut self, id: &'static str, block: &'static str) {
        match self.kept.iter_mut().find(|(i, _)| *i == id) {
            Some(k) => k.1 = block,
            None => self.kept.push((id, block)),
        }
    }

    /// Forgets all that is kept for a replaced fragment `ctrl` and the
    /// fragments nested anywhere in its branches.
    fn forget_region(&mut self, ctrl: &ControlMeta) {
        if self.kept.is_empty() {
            return;
        }
        self.kept.retain(|&(i, _)| i != ctrl.id);
        self.forget_nested(ctrl);
    }

    /// Forgets `ctrl`'s fragments nested anywhere in its branches.
    fn forget_nested(&mut self, ctrl: &ControlMeta) {
        for b in ctrl.branches {
            for d in b.dynamics {
                if let Dynamic::Block(c) = d {
                    if c.fragment {
                        self.kept.retain(|&(i, _)| i != c.id);
                    }
                    self.forget_nested(c);
                }
            }
        }
    }
}

/// The changes do not fit the tree (a bug in generated code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffError {
    /// What does not fit.
    pub message: String,
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inconsistent tree changes: {}", self.message)
    }
}

impl std::error::Error for DiffError {}

fn err(message: impl Into<String>) -> DiffError {
    DiffError {
        message: message.into(),
    }
}

/// For the bench report (feature `report`): how one fragment's change was
/// encoded, and what every applicable encoding would have cost.
#[cfg(feature = "report")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FragmentReport {
    /// The fragment id.
    pub id: String,
    /// Indices of the fragments emitted for it (several for granular).
    pub fragments: std::ops::Range<usize>,
    /// The strategy the rule chose.
    pub chosen: Strategy,
    /// JSON bytes of each applicable encoding of this fragment's change
    /// (the chosen one included). Replacement is always applicable and also
    /// covers the child fragments; static_dynamic when the change is
    /// text-only in a single block (its size with or without statics, as the
    /// cache is); markers when the structure is unchanged; granular when only
    /// items were added or removed.
    pub alternatives: Vec<(Strategy, usize)>,
}

/// The fragments that turn the client's page into the render of `tree`,
/// given the `changes` `update_tree` made to reach it. Updates `cache`.
pub fn diff(
    tree: &Block,
    changes: &[Change],
    cache: &mut ClientCache,
) -> Result<Vec<Fragment>, DiffError> {
    let mut d = Differ {
        cache,
        out: Vec::new(),
        #[cfg(feature = "report")]
        report: None,
    };
    d.root(tree, changes)?;
    d.cap_at_root(tree);
    Ok(d.out)
}

/// Like [`diff`], with a [`FragmentReport`] per changed fragment.
#[cfg(feature = "report")]
pub fn diff_with_report(
    tree: &Block,
    changes: &[Change],
    cache: &mut ClientCache,
) -> Result<(Vec<Fragment>, Vec<FragmentReport>), DiffError> {
    let mut d = Differ {
        cache,
        out: Vec::new(),
        report: Some(Vec::new()),
    };
    d.root(tree, changes)?;
    d.cap_at_root(tree);
    Ok((d.out, d.report.unwrap_or_default()))
}

// ---------------------------------------------------------------------------
// Lengths and HTML, exactly as `Block::write_html(true, …)` writes them.

use livetemplate_shared::{close_marker_len as close_len, open_marker_len as open_len};

use crate::reorder::{moves_for, reordering};

/// Length of `b.html(true)` (cached in the block).
pub(crate) fn block_len(b: &Block) -> usize {
    b.html_len()
}

/// The fragment control a dynamic is, if it is one.
fn fragment_ctrl(dm: Option<&'static Dynamic>) -> Option<&'static ControlMeta> {
    match dm {
        Some(Dynamic::Block(c)) if c.fragment => Some(c),
        _ => None,
    }
}

/// Length of dynamic `d` as its block writes it (markers included).
fn dyn_len_at(dm: Option<&Dynamic>, d: &Dyn) -> usize {
    match dm {
        Some(Dynamic::Block(c)) if c.fragment => {
            open_len(c.id) + dyn_len(d, true) + close_len(c.id)
        }
        _ => dyn_len(d, false),
    }
}

/// Length of `d.write_html(true, fragment)`.
fn dyn_len(d: &Dyn, fragment: bool) -> usize {
    d.html_len(fragment)
}

/// Appends dynamic `d` as its block writes it (markers included).
fn write_dyn_at(dm: Option<&Dynamic>, d: &Dyn, out: &mut String) {
    match dm {
        Some(Dynamic::Block(c)) if c.fragment => {
            crate::tree::open_marker(c.id, out);
            d.write_html(true, true, out);
            crate::tree::close_marker(c.id, out);
        }
        _ => d.write_html(true, false, out),
    }
}

// ---------------------------------------------------------------------------
// The content of a fragment region, old or new.

/// What is between a fragment's markers.
#[derive(Clone, Debug)]
enum Region<'a> {
    /// Nothing (an `if` that rendered no branch).
    Empty,
    /// One block: the branch of an `if`/`with`, a callee, a range's `else`.
    One(&'a Block),
    /// Range items (possibly none, with no `else`), each after `<!--i-->`,
    /// and how many bytes longer they were than the blocks listed (items
    /// of an old list updated in place since: the blocks are the new ones).
    Items(Vec<&'a Block>, isize),
    /// A value that does not fit the control (never from generated code).
    Other(&'a Dyn),
}

impl<'a> Region<'a> {
    fn of(d: &'a Dyn) -> Self {
        match d {
            Dyn::Cond(None) => Region::Empty,
            Dyn::Cond(Some(b)) | Dyn::Call(b) => Region::One(b),
            Dyn::List { items, else_block } => match (items.is_empty(), else_block) {
                (true, Some(b)) => Region::One(b),
                _ => Region::Items(items.iter().collect(), 0),
            },
            Dyn::Text(_) => Region::Other(d),
        }
    }

    /// The list `items` with else block `else_block`; `delta` as in
    /// [`Region::Items`].
    fn list(items: Vec<&'a Block>, else_block: Option<&'a Block>, delta: isize) -> Self {
        match (items.is_empty(), else_block) {
            (true, Some(b)) => Region::One(b),
            _ => Region::Items(items, delta),
        }
    }

    /// Length of the content as written inside the markers.
    fn len(&self, item_markers: bool) -> usize {
        match self {
            Region::Empty => 0,
            Region::One(b) => block_len(b),
            Region::Items(items, delta) => {
                let marker = if item_markers { ITEM_MARKER.len() } else { 0 };
                let len: usize = items.iter().map(|b| marker + block_len(b)).sum();
                len.saturating_add_signed(*delta)
            }
            Region::Other(d) => dyn_len(d, item_markers),
        }
    }
}

/// One edit of a range: at `at`, `removed` were taken out and `inserted`
/// put in their place.
#[derive(Clone, Debug)]
struct Edit<'a> {
    at: usize,
    removed: Vec<&'a Block>,
    inserted: Vec<&'a Block>,
    /// The item at `at` was updated in place with these changes (nothing
    /// removed or inserted).
    changes: Option<&'a [Change]>,
    /// That item, as it is now.
    item: Option<&'a Block>,
    /// The whole list was reordered in place ([`ListEdit::order`]).
    order: Option<&'a [usize]>,
}

/// The old list of `list`'s edits, read forward from the new `items` and
/// the plan: the old items (an old item is its new block, or the block an
/// edit removed), the edits with the blocks each inserted, and how many
/// bytes longer the old items were than the blocks listed (the items
/// updated in place are listed as they are now).
#[allow(clippy::type_complexity)]
fn old_list<'a>(
    items: &'a [Block],
    list: &'a ListEdits,
) -> Result<(Vec<&'a Block>, Vec<Edit<'a>>, isize), DiffError> {
    let missing = || err("list edits that do not match the list");
    let mut old: Vec<Option<&'a Block>> = Vec::with_capacity(list.old_len());
    for i in 0..list.old_len() {
        old.push(match list.kept(i) {
            Some(j) => Some(items.get(j).ok_or_else(missing)?),
            None => None,
        });
    }
    let mut out: Vec<Edit<'a>> = Vec::with_capacity(list.edits().len());
    let mut delta = 0isize;
    for e in list.edits() {
        if !e.order.is_empty() {
            out.push(Edit {
                at: 0,
                removed: Vec::new(),
                inserted: Vec::new(),
                changes: None,
                item: None,
                order: Some(&e.order),
            });
            continue;
        }
        if !e.changes.is_empty() {
            let item = items.get(e.at).ok_or_else(missing)?;
            delta += old_len_delta(item, &e.changes)?;
            out.push(Edit {
                at: e.at,
                removed: Vec::new(),
                inserted: Vec::new(),
                changes: Some(&e.changes),
                item: Some(item),
                order: None,
            });
            continue;
        }
        for (d, b) in e.removed.iter().enumerate() {
            match old.get_mut(e.old_at + d) {
                Some(slot @ None) => *slot = Some(b),
                _ => return Err(missing()),
            }
        }
        let inserted =
            e.at.checked_add(e.inserted)
                .and_then(|end| items.get(e.at..end))
                .ok_or_else(missing)?;
        out.push(Edit {
            at: e.at,
            removed: e.removed.iter().collect(),
            inserted: inserted.iter().collect(),
            changes: None,
            item: None,
            order: None,
        });
    }
    let old = old
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or_else(missing)?;
    Ok((old, out, delta))
}

/// How many bytes longer block `b` was before `changes` edited it in place.
fn old_len_delta(b: &Block, changes: &[Change]) -> Result<isize, DiffError> {
    let mut delta = 0isize;
    for (i, v) in old_vals(b, changes)?.into_iter().enumerate() {
        let dm = b.meta.dynamics.get(i);
        let new = &b.dyns[i];
        let old = match v {
            OldVal::Same => continue,
            OldVal::Dyn(od) => dyn_len_at(dm, od),
            OldVal::Edited(_) => {
                let inner = old_content(v, new)?.0.len(fragment_ctrl(dm).is_some());
                match fragment_ctrl(dm) {
                    Some(c) => open_len(c.id) + inner + close_len(c.id),
                    None => inner,
                }
            }
        };
        delta += old as isize - dyn_len_at(dm, new) as isize;
    }
    Ok(delta)
}

/// Edits that turn `old` into `new` (Myers, with replaces).
fn diff_items<'a>(old: &[&'a Block], new: &[&'a Block]) -> Vec<Edit<'a>> {
    use similar::algorithms::{myers, Capture, Replace};
    use similar::DiffOp;
    let mut hook = Replace::new(Capture::new());
    // A deadline keeps pathological lists cheap; the edits stay correct.
    let deadline = std::time::Instant::now().checked_add(std::time::Duration::from_millis(20));
    // The hook cannot fail (its error type is `Infallible`).
    let _ = myers::diff_deadline(&mut hook, old, 0..old.len(), new, 0..new.len(), deadline);
    let mut edits = Vec::new();
    for op in hook.into_inner().into_ops() {
        let (o, n) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        edits.push(Edit {
            at: n.start,
            removed: old.get(o).unwrap_or_default().to_vec(),
            inserted: new.get(n).unwrap_or_default().to_vec(),
            changes: None,
            item: None,
            order: None,
        });
    }
    edits
}

/// What a list of edits amounts to.
enum ListChange<'a> {
    None,
    /// Only items added or removed.
    AddRemove,
    /// Items changed in place, same block: (old index, new block), sorted.
    InPlace(Vec<Pair<'a>>),
    /// The items reordered in place, nothing else: the old index of each.
    Reordered(&'a [usize]),
    /// Anything else.
    Structural,
}

/// An item changed in place: its index, its new block, and the changes
/// that made it (`None`: the old block is the old list's item).
type Pair<'a> = (usize, &'a Block, Option<&'a [Change]>);

fn classify_edits<'a>(old: &[&'a Block], edits: &[Edit<'a>]) -> ListChange<'a> {
    if let [Edit {
        order: Some(order), ..
    }] = edits
    {
        return ListChange::Reordered(order);
    }
    let mut add_remove = false;
    let mut pairs: Vec<Pair<'a>> = Vec::new();
    for e in edits {
        if e.order.is_some() {
            return ListChange::Structural;
        }
        if let Some(changes) = e.changes {
            // Updated in place: the old list holds the (updated) block.
            match old.get(e.at) {
                Some(b) => pairs.push((e.at, b, Some(changes))),
                None => return ListChange::Structural,
            }
            continue;
        }
        match (e.removed.len(), e.inserted.len()) {
            (0, 0) => {}
            (0, _) | (_, 0) => add_remove = true,
            (r, i) if r == i => {
                for (j, (o, n)) in e.removed.iter().zip(&e.inserted).enumerate() {
                    if !o.meta.same_block(n.meta) {
                        return ListChange::Structural;
                    }
                    if o != n {
                        pairs.push((e.at + j, n, None));
                    }
                }
            }
            _ => return ListChange::Structural,
        }
    }
    match (add_remove, pairs.is_empty()) {
        (false, true) => ListChange::None,
        (true, true) if is_move(edits) => ListChange::Structural,
        (true, true) => ListChange::AddRemove,
        (false, false) => {
            pairs.sort_by_key(|p| p.0);
            let distinct = pairs.windows(2).all(|w| w[0].0 < w[1].0);
            let in_range = pairs.last().is_some_and(|p| p.0 < old.len());
            if distinct && in_range {
                ListChange::InPlace(pairs)
            } else {
                ListChange::Structural
            }
        }
        (true, false) => ListChange::Structural,
    }
}

/// True when an item removed by `edits` comes back elsewhere: a reorder,
/// which the rule sends as a replacement. Large mixes count as reorders
/// (a replacement is then about as small anyway).
fn is_move(edits: &[Edit<'_>]) -> bool {
    let removed = edits.iter().flat_map(|e| &e.removed);
    let inserted = || edits.iter().flat_map(|e| &e.inserted);
    let (r, i) = (removed.clone().count(), inserted().count());
    if r == 0 || i == 0 {
        return false;
    }
    if r.saturating_mul(i) > 4096 {
        return true;
    }
    removed
        .clone()
        .any(|old| inserted().any(|new| *old == *new))
}

// ---------------------------------------------------------------------------
// Walking a fragment's old and new content.

/// The old value of a root dynamic.
#[derive(Clone, Copy)]
enum OldVal<'a> {
    Same,
    Dyn(&'a Dyn),
    Edited(&'a ListEdits),
}

/// Where a walked block's old dynamics come from.
#[derive(Clone, Copy)]
enum OldSrc<'s, 'a> {
    /// The block was edited in place: the old value of each dynamic.
    Root(&'s [OldVal<'a>]),
    Block(&'a Block),
}

/// A child fragment whose content changed.
struct Child<'a> {
    ctrl: &'static ControlMeta,
    old: Region<'a>,
    new: Region<'a>,
    new_dyn: &'a Dyn,
    /// Item edits when known from `Change::List`.
    edits: Option<Vec<Edit<'a>>>,
}

/// One pass over a fragment's old content (what the client holds) beside
/// its new one: the markers patches of the changed values, made as they are
/// met, and the child fragments whose content changed. Lengths come from the
/// tree's cached lengths; only changed values are written.
#[derive(Default)]
struct Walk<'a> {
    /// Bytes of old content walked so far.
    offset: usize,
    /// Patches of the changed values so far, adjacent ones merged.
    patches: Vec<ValuePatch>,
    children: Vec<Child<'a>>,
}

impl<'a> Walk<'a> {
    /// `n` bytes of old content that stay.
    fn len(&mut self, n: usize) {
        self.offset += n;
    }

    /// A changed value: `old_len` bytes of old content replaced by what
    /// `write` appends (joined to the previous patch when adjacent).
    fn value(&mut self, old_len: usize, new_len: usize, write: impl FnOnce(&mut String)) {
        match self.patches.last_mut() {
            Some(last) if last.position + last.length == self.offset => {
                last.length += old_len;
                last.new_value.reserve(new_len);
                write(&mut last.new_value);
            }
            _ => {
                let mut new_value = String::with_capacity(new_len);
                write(&mut new_value);
                self.patches.push(ValuePatch {
                    position: self.offset,
                    length: old_len,
                    new_value,
                });
            }
        }
        self.offset += old_len;
    }

    /// Walks block `new` against its old version (same meta), recording
    /// changed values, and (when `top`) changed child fragments.
    fn block(&mut self, new: &'a Block, old: OldSrc<'_, 'a>, top: bool) -> Result<(), DiffError> {
        let meta: &'static BlockMeta = new.meta;
        for (i, nd) in new.dyns.iter().enumerate() {
            self.len(meta.statics.get(i).map_or(0, |s| s.len()));
            let dm = meta.dynamics.get(i);
            let ov = match old {
                OldSrc::Root(v) => v.get(i).copied().unwrap_or(OldVal::Same),
                OldSrc::Block(b) => match b.dyns.get(i) {
                    Some(od) if od == nd => OldVal::Same,
                    Some(od) => OldVal::Dyn(od),
                    None => return Err(err(format!("block {} lost dynamic {i}", meta.id))),
                },
            };
            let frag = fragment_ctrl(dm);
            if let (OldVal::Edited(edits), None, false) = (ov, frag, top) {
                if self.edited_list(nd, edits)? {
                    continue;
                }
            }
            match (ov, frag) {
                (OldVal::Same, _) => self.len(dyn_len_at(dm, nd)),
                (ov, Some(c)) if top => {
                    let (old, edits) = old_content(ov, nd)?;
                    self.len(open_len(c.id) + old.len(true) + close_len(c.id));
                    self.children.push(Child {
                        ctrl: c,
                        old,
                        new: Region::of(nd),
                        new_dyn: nd,
                        edits,
                    });
                }
                // Inside range items, a folded block that kept its shape is
                // walked into, so that one changed cell is one small patch.
                (OldVal::Dyn(od), None) if !top && same_shape(od, nd) => {
                    self.folded(od, nd)?;
                }
                (ov, _) => {
                    let old_len = match ov {
                        OldVal::Dyn(od) => dyn_len_at(dm, od),
                        OldVal::Edited(_) if frag.is_some() => {
                            return Err(err("edited fragment list inside an item"))
                        }
                        _ => old_content(ov, nd)?.0.len(false),
                    };
                    self.value(old_len, dyn_len_at(dm, nd), |out| write_dyn_at(dm, nd, out));
                }
            }
        }
        self.len(meta.statics.get(new.dyns.len()).map_or(0, |s| s.len()));
        Ok(())
    }

    /// Walks a folded block value `nd` against `od` (see [`same_shape`]).
    fn folded(&mut self, od: &'a Dyn, nd: &'a Dyn) -> Result<(), DiffError> {
        match (od, nd) {
            (Dyn::Cond(Some(a)), Dyn::Cond(Some(b))) | (Dyn::Call(a), Dyn::Call(b)) => {
                self.block(b, OldSrc::Block(a), false)
            }
            (
                Dyn::List {
                    items: oi,
                    else_block: oe,
                },
                Dyn::List {
                    items: ni,
                    else_block: ne,
                },
            ) => {
                if let (true, Some(a), Some(b)) = (oi.is_empty(), oe, ne) {
                    return self.block(b, OldSrc::Block(a), false);
                }
                for (o, n) in oi.iter().zip(ni) {
                    if o == n {
                        self.len(block_len(o));
                    } else {
                        self.block(n, OldSrc::Block(o), false)?;
                    }
                }
                Ok(())
            }
            _ => Err(err("folded values of different shapes")),
        }
    }

    /// Walks range items `old` with the items at `pairs` changed in place;
    /// `markers`: the items carry item markers (a fragment's list).
    fn items(
        &mut self,
        old: &[&'a Block],
        pairs: &[Pair<'a>],
        markers: bool,
    ) -> Result<(), DiffError> {
        let mut pairs = pairs.iter().peekable();
        for (k, ob) in old.iter().enumerate() {
            if markers {
                self.len(ITEM_MARKER.len());
            }
            match pairs.peek() {
                Some((at, nb, changes)) if *at == k => {
                    match changes {
                        Some(changes) => {
                            let vals = old_vals(nb, changes)?;
                            self.block(nb, OldSrc::Root(&vals), false)?;
                        }
                        None => self.block(nb, OldSrc::Block(ob), false)?,
                    }
                    pairs.next();
                }
                _ => self.len(block_len(ob)),
            }
        }
        Ok(())
    }

    /// Walks a folded list `nd` edited by `edits` when its items were only
    /// changed in place (same count, same blocks): one small patch per
    /// changed value. `false` (nothing walked) otherwise.
    fn edited_list(&mut self, nd: &'a Dyn, edits: &'a ListEdits) -> Result<bool, DiffError> {
        let Dyn::List {
            items,
            else_block: None,
        } = nd
        else {
            return Ok(false);
        };
        let (old, edits, _) = old_list(items, edits)?;
        if old.len() != items.len() {
            return Ok(false);
        }
        match classify_edits(&old, &edits) {
            ListChange::None => {
                self.len(dyn_len(nd, false));
                Ok(true)
            }
            ListChange::InPlace(pairs) => {
                self.items(&old, &pairs, false)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// True when folded value `new` has the same blocks as `old` (same branch,
/// or as many items with the same metas), so that only values differ.
fn same_shape(old: &Dyn, new: &Dyn) -> bool {
    match (old, new) {
        (Dyn::Cond(Some(a)), Dyn::Cond(Some(b))) | (Dyn::Call(a), Dyn::Call(b)) => {
            a.meta.same_block(b.meta)
        }
        (
            Dyn::List {
                items: oi,
                else_block: oe,
            },
            Dyn::List {
                items: ni,
                else_block: ne,
            },
        ) => {
            if oi.len() != ni.len() {
                false
            } else if oi.is_empty() {
                match (oe, ne) {
                    (Some(a), Some(b)) => a.meta.same_block(b.meta),
                    (None, None) => true,
                    _ => false,
                }
            } else {
                oi.iter().zip(ni).all(|(o, n)| o.meta.same_block(n.meta))
            }
        }
        _ => false,
    }
}

/// The old content of a fragment control, and its item edits if known.
#[allow(clippy::type_complexity)]
fn old_content<'a>(
    ov: OldVal<'a>,
    new: &'a Dyn,
) -> Result<(Region<'a>, Option<Vec<Edit<'a>>>), DiffError> {
    match ov {
        OldVal::Same => Ok((Region::of(new), None)),
        OldVal::Dyn(od) => Ok((Region::of(od), None)),
        OldVal::Edited(edits) => match new {
            Dyn::List { items, else_block } => {
                let (old, edits, delta) = old_list(items, edits)?;
                Ok((Region::list(old, else_block.as_deref(), delta), Some(edits)))
            }
            _ => Err(err("list edits on a dynamic that is not a list")),
        },
    }
}

// ---------------------------------------------------------------------------
// Emitting fragments.

/// The statics a block writes (one more than its dynamics).
fn statics_of(b: &Block) -> Vec<String> {
    let n = b.dyns.len() + 1;
    b.meta
        .statics
        .iter()
        .take(n)
        .map(|s| (*s).to_owned())
        .collect()
}

/// Item `b`'s dynamics as a tree (see [`DynamicValue`]); `meta` is the
/// list's item block, which every item must have.
fn item_tree(b: &Block, meta: &'static BlockMeta) -> Result<Vec<DynamicValue>, DiffError> {
    if !b.meta.same_block(meta) {
        return Err(err(format!(
            "range items of different blocks ({} and {})",
            meta.id, b.meta.id
        )));
    }
    b.dyns.iter().map(tree_value).collect()
}

/// A folded value inside range items as the client renders an added item
/// from: its HTML, or for a list of several items a tree when that is
/// smaller (the items' statics once).
fn tree_value(d: &Dyn) -> Result<DynamicValue, DiffError> {
    if let Dyn::List { items, .. } = d {
        if let [first, _, ..] = items.as_slice() {
            // the tree repeats no statics but writes brackets, quotes and
            // commas around every value
            let statics = first.meta.statics.iter().take(first.dyns.len() + 1);
            let (count, statics_len) = statics.fold((0, 0), |(n, l), s| (n + 1, l + s.len()));
            let syntax: usize = items.iter().map(|b| 2 + 3 * b.dyns.len()).sum();
            if syntax + 3 * count + 12 < statics_len * (items.len() - 1) {
                return Ok(DynamicValue::List {
                    statics: statics_of(first),
                    items: items
                        .iter()
                        .map(|b| item_tree(b, first.meta))
                        .collect::<Result<_, _>>()?,
                });
            }
        }
    }
    let mut html = String::with_capacity(d.html_len(false));
    d.write_html(true, false, &mut html);
    Ok(DynamicValue::Html(html))
}

/// The items that `edits` changed in place, as (the item now, its old
/// block or the changes that made it): updated in place by generated code,
/// or replaced one for one by an item of the same block.
#[allow(clippy::type_complexity)]
fn changed_in_place<'a>(
    edits: &[Edit<'a>],
) -> Vec<(&'a Block, Option<&'a Block>, Option<&'a [Change]>)> {
    let mut out = Vec::new();
    for e in edits {
        if let (Some(item), Some(changes)) = (e.item, e.changes) {
            out.push((item, None, Some(changes)));
        } else if replaced_in_place(e) {
            for (o, n) in e.removed.iter().zip(&e.inserted) {
                if o != n {
                    out.push((*n, Some(*o), None));
                }
            }
        }
    }
    out
}

/// True when edit `e` replaces items one for one by items of the same
/// blocks (values changed, structure kept).
fn replaced_in_place(e: &Edit<'_>) -> bool {
    !e.removed.is_empty()
        && e.removed.len() == e.inserted.len()
        && e.removed
            .iter()
            .zip(&e.inserted)
            .all(|(o, n)| o.meta.same_block(n.meta))
}

/// The replacement of region `id` (its new content `content_len` bytes
/// before escapes, written by `content`) when it is smaller on the wire than
/// `fragments`; `None` otherwise. Every string the fragments carry is a
/// distinct part of the new content (values, statics, items, regions), so
/// their escapes are at most the content's: comparing with the
/// replacement's length before escapes (`["<id>",6,"<content>"]`) settles
/// most updates without writing the content or reading a string.
fn smaller_replacement(
    fragments: &[Fragment],
    id: &'static str,
    content_len: usize,
    content: impl FnOnce() -> String,
) -> Option<Fragment> {
    let floor = content_len + livetemplate_shared::wire_id(id).len() + 8;
    if fragments
        .iter()
        .map(Fragment::wire_len_bound)
        .sum::<usize>()
        <= floor
    {
        return None;
    }
    let sent = fragments.iter().map(Fragment::wire_len).sum::<usize>() + fragments.len() - 1;
    if sent <= floor {
        return None;
    }
    let whole = Fragment::replacement(id, content());
    (whole.wire_len() < sent).then_some(whole)
}

/// Items of fragment `id` put in `order` (the old index of each): one
/// `move` fragment, or `reorder` when that is shorter (many moves); `None`
/// for the same order.
fn order_fragment(id: &'static str, order: &[usize]) -> Option<Fragment> {
    let moves = moves_for(order);
    if moves.is_empty() {
        return None;
    }
    let moves = Fragment::moves(id, moves);
    let whole = Fragment::reorder(id, order.to_vec());
    Some(match whole.wire_len() < moves.wire_len() {
        true => whole,
        false => moves,
    })
}

/// The fragment being encoded.
#[derive(Clone, Copy)]
enum Target<'a> {
    Root(&'a Block),
    Ctrl(&'static ControlMeta, &'a Dyn),
}

impl Target<'_> {
    fn id(&self) -> &'static str {
        match self {
            Target::Root(b) => b.meta.id,
            Target::Ctrl(c, _) => c.id,
        }
    }

    /// The whole new content.
    fn content(&self) -> String {
        match self {
            Target::Root(b) => b.html(true),
            Target::Ctrl(_, d) => {
                let mut out = String::new();
                d.write_html(true, true, &mut out);
                out
            }
        }
    }
}

fn json_len(fragments: &[Fragment]) -> usize {
    fragments.iter().map(Fragment::wire_len).sum()
}

/// Size of the replacement alternative.
fn replacement_len(target: Target<'_>) -> (Strategy, usize) {
    (
        Strategy::Replacement,
        json_len(&[Fragment::replacement(target.id(), target.content())]),
    )
}

struct Differ<'c> {
    cache: &'c mut ClientCache,
    out: Vec<Fragment>,
    /// The reports asked for (feature `report`).
    #[cfg(feature = "report")]
    report: Option<Vec<FragmentReport>>,
}

/// The old value of each dynamic of `block`, which `changes` edited in
/// place (the root, or a range item updated in place).
fn old_vals<'a>(block: &Block, changes: &'a [Change]) -> Result<Vec<OldVal<'a>>, DiffError> {
    let mut old = vec![OldVal::Same; block.dyns.len()];
    for c in changes {
        let (index, val) = match c {
            Change::Replaced { index, old } => (*index, OldVal::Dyn(old)),
            Change::List { index, edits } => (*index, OldVal::Edited(edits)),
        };
        let slot = old.get_mut(index).ok_or_else(|| {
            err(format!(
                "change at {index} of block {} with {} dynamics",
                block.meta.id,
                block.dyns.len()
            ))
        })?;
        *slot = match (*slot, val) {
            // An unchanged value, or a list with no edits.
            (OldVal::Same, OldVal::Dyn(d)) if *d == block.dyns[index] => OldVal::Same,
            (OldVal::Same, OldVal::Edited(e)) if e.is_empty() => OldVal::Same,
            (OldVal::Same, v) => v,
            // A second change of the same dynamic: the first one holds
            // the old value.
            (first @ OldVal::Dyn(_), OldVal::Dyn(_)) => first,
            _ => {
                return Err(err(format!(
                    "conflicting changes at dynamic {index} of block {}",
                    block.meta.id
                )))
            }
        };
    }
    Ok(old)
}

impl Differ<'_> {
    fn root(&mut self, tree: &Block, changes: &[Change]) -> Result<(), DiffError> {
        if changes.is_empty() {
            return Ok(());
        }
        let old = old_vals(tree, changes)?;
        let mut walk = Walk::default();
        walk.block(tree, OldSrc::Root(&old), true)?;
        self.values(Target::Root(tree), walk)
    }

    /// No update is larger than replacing the root (DESIGN.md, "Wire"):
    /// when the fragments' wire form outweighs one `replacement` of the
    /// root, that replacement is sent instead. The root's content is written
    /// only when the fragments outweigh its unescaped length.
    fn cap_at_root(&mut self, tree: &Block) {
        let id = tree.meta.id;
        match self.out.as_slice() {
            [] => return,
            [f] if f.id == id && f.strategy == Strategy::Replacement => return,
            _ => {}
        }
        let Some(root) = smaller_replacement(&self.out, id, tree.html_len(), || tree.html(true))
        else {
            return;
        };
        #[cfg(feature = "report")]
        let len = root.wire_len();
        self.out = vec![root];
        self.cache.clear();
        #[cfg(feature = "report")]
        if let Some(r) = &mut self.report {
            *r = vec![FragmentReport {
                id: id.to_owned(),
                fragments: 0..1,
                chosen: Strategy::Replacement,
                alternatives: vec![(Strategy::Replacement, len)],
            }];
        }
    }

    /// Emits a fragment's value changes (if any) as markers on the content
    /// the client holds, then its children.
    fn values(&mut self, target: Target<'_>, walk: Walk<'_>) -> Result<(), DiffError> {
        let id = target.id();
        if !walk.patches.is_empty() {
            let start = self.out.len();
            let f = Fragment::markers(id, walk.patches);
            let alternatives = self.reporting().then(|| {
                vec![
                    (Strategy::Markers, json_len(std::slice::from_ref(&f))),
                    replacement_len(target),
                ]
            });
            self.out.push(f);
            self.push_report(id, start, Strategy::Markers, alternatives);
        }
        for child in walk.children {
            self.child(child)?;
        }
        Ok(())
    }

    /// True when reports are asked for (never without feature `report`):
    /// the alternatives' sizes are computed only then.
    fn reporting(&self) -> bool {
        #[cfg(feature = "report")]
        return self.report.is_some();
        #[cfg(not(feature = "report"))]
        false
    }

    /// Records the report of the fragments emitted since `start`.
    #[cfg_attr(not(feature = "report"), allow(unused_variables))]
    fn push_report(
        &mut self,
        id: &str,
        start: usize,
        chosen: Strategy,
        alternatives: Option<Vec<(Strategy, usize)>>,
    ) {
        #[cfg(feature = "report")]
        if let (Some(r), Some(alternatives)) = (&mut self.report, alternatives) {
            r.push(FragmentReport {
                id: id.to_owned(),
                fragments: start..self.out.len(),
                chosen,
                alternatives,
            });
        }
    }

    fn replace(&mut self, target: Target<'_>, ctrl: &'static ControlMeta) {
        let id = target.id();
        let start = self.out.len();
        let f = Fragment::replacement(id, target.content());
        let alternatives = self
            .reporting()
            .then(|| vec![(Strategy::Replacement, json_len(std::slice::from_ref(&f)))]);
        self.out.push(f);
        self.push_report(id, start, Strategy::Replacement, alternatives);
        self.cache.forget_region(ctrl);
    }

    fn child(&mut self, child: Child<'_>) -> Result<(), DiffError> {
        let target = Target::Ctrl(child.ctrl, child.new_dyn);
        match (&child.old, &child.new) {
            (Region::Empty, Region::Empty) => Ok(()),
            (Region::One(o), Region::One(n)) if o.meta.same_block(n.meta) => {
                let mut walk = Walk::default();
                walk.block(n, OldSrc::Block(o), true)?;
                self.values(target, walk)
            }
            (Region::Items(old, _), Region::Items(new, _)) => {
                let new = new.as_slice();
                // A reordering is looked for first when the edits are not
                // known: Myers would spend O(n·d) on it to find no better than
                // a replacement. Known edits are classified first, and only a
                // structural change is searched for one.
                let searched = child.edits.is_none();
                let edits = match child.edits {
                    Some(e) => e,
                    None => match reordering(old, new, |b: &&Block| b.html_len()) {
                        Some(order) => {
                            self.reorder(target, &order);
                            return Ok(());
                        }
                        None => diff_items(old, new),
                    },
                };
                match classify_edits(old, &edits) {
                    ListChange::None => Ok(()),
                    ListChange::AddRemove => self.granular(target, old.len(), &edits, false),
                    ListChange::Reordered(order) => {
                        self.reorder(target, order);
                        Ok(())
                    }
                    ListChange::InPlace(pairs) => {
                        let mut walk = Walk::default();
                        walk.patches.reserve(pairs.len());
                        walk.items(old, &pairs, true)?;
                        self.values(target, walk)
                    }
                    ListChange::Structural => {
                        // Not when an item was updated in place: the old
                        // list holds it as it is now, so that a reordering
                        // by value would lose its change.
                        let in_place = edits.iter().any(|e| e.item.is_some());
                        let order = (!searched && !in_place)
                            .then(|| reordering(old, new, |b: &&Block| b.html_len()))
                            .flatten();
                        match order {
                            Some(order) => {
                                self.reorder(target, &order);
                                Ok(())
                            }
                            None => self.edited(target, child.ctrl, old.len(), &edits, new),
                        }
                    }
                }
            }
            _ => {
                self.replace(target, child.ctrl);
                Ok(())
            }
        }
    }

    /// Items added, removed, changed, reordered, in any mix: the edits as
    /// granular fragments in order, then markers for the items changed in
    /// place (the client's list is then the new one with those items' old
    /// content); or the list's replacement when that is smaller.
    fn edited<'a>(
        &mut self,
        target: Target<'_>,
        ctrl: &'static ControlMeta,
        old_len: usize,
        edits: &[Edit<'a>],
        new: &[&'a Block],
    ) -> Result<(), DiffError> {
        let start = self.out.len();
        #[cfg(feature = "report")]
        let reports = self.report.as_ref().map_or(0, Vec::len);
        let changed = changed_in_place(edits);
        // An item changed twice goes out and back in (its old content is
        // not at hand), and so do the others then.
        let keep = !changed.is_empty()
            && changed
                .iter()
                .enumerate()
                .all(|(k, c)| !changed[..k].iter().any(|d| std::ptr::eq(c.0, d.0)));
        self.granular(target, old_len, edits, keep)?;
        if keep {
            let mut list = new.to_vec();
            let mut pairs: Vec<Pair<'a>> = Vec::with_capacity(changed.len());
            for (nb, ob, changes) in changed {
                let Some(k) = new.iter().position(|b| std::ptr::eq(*b, nb)) else {
                    return Err(err("an item changed in place is not in the list"));
                };
                if let Some(ob) = ob {
                    list[k] = ob;
                }
                pairs.push((k, nb, changes));
            }
            pairs.sort_by_key(|p| p.0);
            let mut walk = Walk::default();
            walk.items(&list, &pairs, true)?;
            self.values(target, walk)?;
        }
        let Target::Ctrl(_, new) = target else {
            return Ok(());
        };
        let smaller =
            smaller_replacement(&self.out[start..], target.id(), new.html_len(true), || {
                target.content()
            });
        if smaller.is_some() {
            self.out.truncate(start);
            #[cfg(feature = "report")]
            if let Some(r) = &mut self.report {
                r.truncate(reports);
            }
            self.replace(target, ctrl);
        }
        Ok(())
    }

    /// Items reordered, none changed: one `move` fragment, or `reorder`
    /// when shorter (nothing for the same order).
    fn reorder(&mut self, target: Target<'_>, order: &[usize]) {
        let Some(f) = order_fragment(target.id(), order) else {
            return;
        };
        let start = self.out.len();
        self.out.push(f);
        self.granular_sent(target, start);
    }

    /// Granular fragments from `start` on were sent for `target`: its report,
    /// and the client's tree of the list is gone (its item statics stay).
    fn granular_sent(&mut self, target: Target<'_>, start: usize) {
        let id = target.id();
        let alternatives = self.reporting().then(|| {
            vec![
                (Strategy::Granular, json_len(&self.out[start..])),
                replacement_len(target),
            ]
        });
        self.push_report(id, start, Strategy::Granular, alternatives);
    }

    /// Items added or removed: one fragment per item operation. An added
    /// item is sent as its dynamics, with the item statics the first time
    /// (the client keeps them for the list).
    fn granular(
        &mut self,
        target: Target<'_>,
        old_len: usize,
        edits: &[Edit<'_>],
        keep_changed: bool,
    ) -> Result<(), DiffError> {
        let id = target.id();
        let start = self.out.len();
        let mut len = old_len;
        for e in edits {
            if let Some(order) = e.order {
                self.out.extend(order_fragment(id, order));
                continue;
            }
            // items changed in place stay (see `changed_in_place`)
            if keep_changed && (e.item.is_some() || replaced_in_place(e)) {
                continue;
            }
            // an item changed in place goes out and comes back as it is now
            let (removed, inserted) = match &e.item {
                Some(b) => (1, std::slice::from_ref(b)),
                None => (e.removed.len(), e.inserted.as_slice()),
            };
            for _ in 0..removed {
                self.out
                    .push(Fragment::granular(id, GranularOp::Remove, None, e.at));
                len = len.saturating_sub(1);
            }
            for (j, b) in inserted.iter().enumerate() {
                let position = e.at + j;
                let op = if position >= len {
                    GranularOp::Append
                } else if position == 0 {
                    GranularOp::Prepend
                } else {
                    GranularOp::Insert
                };
                let statics = (!self.cache.keeps(id, b.meta.id)).then(|| statics_of(b));
                let item = item_tree(b, b.meta)?;
                self.out
                    .push(Fragment::granular_item(id, op, item, statics, position));
                self.cache.keep(id, b.meta.id);
                len += 1;
            }
        }
        self.granular_sent(target, start);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fragment::FragmentData;
    use crate::reconstruct::Reconstructor;
    use crate::template::{BlockKind, SlotMeta};
    use crate::tree::{branch, ListEdit};

    macro_rules! slot {
        ($attr:expr) => {
            Dynamic::Slot(SlotMeta {
                action: "{{.x}}",
                line: 1,
                context: "",
                escapers: &[],
                attr: $attr,
            })
        };
    }
    macro_rules! blk {
        ($kind:ident, $id:expr, [$($s:expr),*], [$($d:expr),*]) => {
            BlockMeta {
                kind: BlockKind::$kind,
                id: $id,
                line: 1,
                statics: &[$($s),*],
                dynamics: &[$($d),*],
            }
        };
    }
    macro_rules! ctrl {
        ($id:expr, $kind:ident, $fragment:expr, $attr:expr, [$($b:expr),*]) => {
            Dynamic::Block(ControlMeta {
                id: $id,
                kind: BlockKind::$kind,
                fragment: $fragment,
                attr: $attr,
                line: 1,
                branches: &[$($b),*],
            })
        };
    }

    /// `<div class="{{0}}">{{1}}</div>{{2 if}}<ul>{{3 range}}</ul>{{4 with}}
    /// <span>{{5 folded if}}</span><input{{6 folded attr if}}><ol>{{7 range}}</ol>
    /// {{8 template}}<footer>{{9}}</footer>`
    static ROOT: BlockMeta = blk!(
        Root,
        "f-root",
        [
            "<div class=\"",
            "\">",
            "</div>",
            "<ul>",
            "</ul>",
            "<span>",
            "</span><input",
            "><ol>",
            "</ol>",
            "<footer>",
            "</footer>"
        ],
        [
            slot!(true),
            slot!(false),
            ctrl!(
                "f-cond",
                If,
                true,
                false,
                [
                    blk!(If, "f-conda", ["<p>", "</p>"], [slot!(false)]),
                    blk!(If, "f-condb", ["<b>", "</b>"], [slot!(false)])
                ]
            ),
            ctrl!(
                "f-list",
                Range,
                true,
                false,
                [
                    blk!(
                        Range,
                        "f-item",
                        ["<li class=\"", "\">", "", "", "</li>"],
                        [
                            slot!(true),
                            slot!(false),
                            ctrl!(
                                "f-subs",
                                Range,
                                false,
                                false,
                                [blk!(Range, "f-sub", ["<s>", "</s>"], [slot!(false)])]
                            ),
                            ctrl!(
                                "f-flag",
                                If,
                                false,
                                false,
                                [blk!(
                                    If,
                                    "f-flaga",
                                    ["<u title=\"", "\">!</u>"],
                                    [slot!(true)]
                                )]
                            )
                        ]
                    ),
                    blk!(RangeElse, "f-listelse", ["<li>none</li>"], [])
                ]
            ),
            ctrl!(
                "f-with",
                With,
                true,
                false,
                [
                    blk!(
                        With,
                        "f-witha",
                        ["<section>", "", "</section>"],
                        [
                            slot!(false),
                            ctrl!(
                                "f-inner",
                                If,
                                true,
                                false,
                                [blk!(If, "f-innera", ["<i>", "</i>"], [slot!(false)])]
                            )
                        ]
                    ),
                    blk!(With, "f-withelse", ["<p>anon</p>"], [])
                ]
            ),
            ctrl!(
                "f-fold",
                If,
                false,
                false,
                [blk!(If, "f-folda", ["x", ""], [slot!(false)])]
            ),
            ctrl!(
                "f-chk",
                If,
                false,
                true,
                [blk!(If, "f-chka", [" checked"], [])]
            ),
            ctrl!(
                "f-nums",
                Range,
                true,
                false,
                [blk!(Range, "f-num", ["<li>", "</li>"], [slot!(false)])]
            ),
            ctrl!(
                "f-call",
                Template,
                true,
                false,
                [blk!(
                    Template,
                    "f-calla",
                    ["<h2>", "</h2>", ""],
                    [
                        slot!(false),
                        ctrl!(
                            "f-tags",
                            Range,
                            true,
                            false,
                            [blk!(Range, "f-tag", ["<em>", "</em>"], [slot!(false)])]
                        )
                    ]
                )]
            ),
            slot!(false)
        ]
    );

    /// A list item: class, text, sub-items (a folded range), flag (a folded if).
    #[derive(Clone, Debug, PartialEq, Default)]
    struct It(String, String, Vec<String>, Option<String>);

    fn it(class: &str, text: &str) -> It {
        It(class.into(), text.into(), Vec::new(), None)
    }

    #[derive(Clone, Debug, PartialEq, Default)]
    struct S {
        class: String,
        title: String,
        cond: bool,
        cond_text: String,
        items: Vec<It>,
        with: Option<(String, Option<String>)>,
        folded: Option<String>,
        checked: bool,
        nums: Vec<String>,
        call_title: String,
        tags: Vec<String>,
        footer: String,
    }

    fn text(s: &str) -> Dyn {
        Dyn::Text(s.to_owned())
    }
    fn b(meta: &'static BlockMeta, dyns: Vec<Dyn>) -> Block {
        Block::new(meta, dyns)
    }
    fn bx(meta: &'static BlockMeta, dyns: Vec<Dyn>) -> Option<Box<Block>> {
        Some(Box::new(b(meta, dyns)))
    }

    fn build(s: &S) -> Block {
        let r: &'static BlockMeta = &ROOT;
        let witha = branch(r, 4, 0);
        let calla = branch(r, 8, 0);
        b(
            r,
            vec![
                text(&s.class),
                text(&s.title),
                Dyn::Cond(bx(
                    branch(r, 2, if s.cond { 0 } else { 1 }),
                    vec![text(&s.cond_text)],
                )),
                Dyn::List {
                    items: s
                        .items
                        .iter()
                        .map(|It(c, t, subs, flag)| {
                            let item = branch(r, 3, 0);
                            b(
                                item,
                                vec![
                                    text(c),
                                    text(t),
                                    Dyn::List {
                                        items: subs
                                            .iter()
                                            .map(|x| b(branch(item, 2, 0), vec![text(x)]))
                                            .collect(),
                                        else_block: None,
                                    },
                                    Dyn::Cond(
                                        flag.as_ref()
                                            .and_then(|x| bx(branch(item, 3, 0), vec![text(x)])),
                                    ),
                                ],
                            )
                        })
                        .collect(),
                    else_block: if s.items.is_empty() {
                        bx(branch(r, 3, 1), vec![])
                    } else {
                        None
                    },
                },
                Dyn::Cond(match &s.with {
                    Some((sec, inner)) => bx(
                        witha,
                        vec![
                            text(sec),
                            Dyn::Cond(
                                inner
                                    .as_ref()
                                    .and_then(|t| bx(branch(witha, 1, 0), vec![text(t)])),
                            ),
                        ],
                    ),
                    None => bx(branch(r, 4, 1), vec![]),
                }),
                Dyn::Cond(
                    s.folded
                        .as_ref()
                        .and_then(|t| bx(branch(r, 5, 0), vec![text(t)])),
                ),
                Dyn::Cond(if s.checked {
                    bx(branch(r, 6, 0), vec![])
                } else {
                    None
                }),
                Dyn::List {
                    items: s
                        .nums
                        .iter()
                        .map(|n| b(branch(r, 7, 0), vec![text(n)]))
                        .collect(),
                    else_block: None,
                },
                Dyn::Call(Box::new(b(
                    calla,
                    vec![
                        text(&s.call_title),
                        Dyn::List {
                            items: s
                                .tags
                                .iter()
                                .map(|t| b(branch(calla, 1, 0), vec![text(t)]))
                                .collect(),
                            else_block: None,
                        },
                    ],
                ))),
                text(&s.footer),
            ],
        )
    }

    fn page_html(tree: &Block) -> String {
        let mut out = String::new();
        crate::tree::open_marker(tree.meta.id, &mut out);
        tree.write_html(true, &mut out);
        crate::tree::close_marker(tree.meta.id, &mut out);
        out
    }

    /// How the emulated `update_tree` reports a changed root range.
    #[derive(Clone, Copy, Debug)]
    enum ListMode {
        /// Always `Change::Replaced`.
        Replace,
        /// Myers edits, as generated code does.
        Myers,
        /// Common prefix and suffix kept, one edit for the middle.
        Middle,
        /// Myers edits split into one edit per item.
        Single,
        /// A reordering in place when the items are one (as generated code
        /// does), else Myers.
        Reorder,
    }

    /// Emulates generated `update_tree`: moves `tree` from `old` to `new`.
    fn update(tree: &mut Block, new: &S, mode: ListMode, spurious: Option<usize>) -> Vec<Change> {
        let fresh = build(new);
        let mut changes = Vec::new();
        for (i, nd) in fresh.dyns.into_iter().enumerate() {
            if tree.dyns[i] == nd {
                if spurious == Some(i) {
                    // generated code recomputes a dynamic whose output is unchanged
                    changes.push(Change::Replaced {
                        index: i,
                        old: tree.dyns[i].clone(),
                    });
                }
                continue;
            }
            if let (
                Dyn::List {
                    items: old_items,
                    else_block: None,
                },
                Dyn::List {
                    items: new_items, ..
                },
            ) = (&mut tree.dyns[i], &nd)
            {
                if !new_items.is_empty() && !matches!(mode, ListMode::Replace) {
                    let old_len = old_items.len();
                    let edits = list_edits(old_items, new_items, mode);
                    for e in &edits {
                        if !e.order.is_empty() {
                            let old: Vec<Block> = std::mem::take(old_items);
                            old_items.extend(e.order.iter().map(|&o| old[o].clone()));
                            continue;
                        }
                        let fresh: Vec<Block> = new_items[e.at..e.at + e.inserted].to_vec();
                        let removed: Vec<Block> = old_items
                            .splice(e.at..e.at + e.removed.len(), fresh)
                            .collect();
                        assert_eq!(removed, e.removed);
                    }
                    assert_eq!(old_items, new_items);
                    let edits = ListEdits::new(old_len, edits).expect("edits that apply");
                    changes.push(Change::List { index: i, edits });
                    continue;
                }
            }
            let old = std::mem::replace(&mut tree.dyns[i], nd);
            changes.push(Change::Replaced { index: i, old });
        }
        changes
    }

    fn list_edits(old: &[Block], new: &[Block], mode: ListMode) -> Vec<ListEdit> {
        let o: Vec<&Block> = old.iter().collect();
        let n: Vec<&Block> = new.iter().collect();
        let edit = |at, removed: &[&Block], inserted| ListEdit {
            at,
            removed: removed.iter().map(|b| (*b).clone()).collect(),
            inserted,
            ..ListEdit::default()
        };
        if let (ListMode::Reorder, Some(order)) = (mode, reordering(&o, &n, |_| ())) {
            return vec![ListEdit {
                order,
                ..ListEdit::default()
            }];
        }
        match mode {
            ListMode::Replace | ListMode::Myers | ListMode::Reorder => diff_items(&o, &n)
                .iter()
                .map(|e| edit(e.at, &e.removed, e.inserted.len()))
                .collect(),
            ListMode::Single => {
                let mut out = Vec::new();
                for e in diff_items(&o, &n) {
                    for r in &e.removed {
                        out.push(edit(e.at, &[r], 0));
                    }
                    for j in 0..e.inserted.len() {
                        out.push(edit(e.at + j, &[], 1));
                    }
                }
                out
            }
            ListMode::Middle => {
                let pre = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
                let max_suf = o.len().min(n.len()) - pre;
                let suf = o
                    .iter()
                    .rev()
                    .zip(n.iter().rev())
                    .take(max_suf)
                    .take_while(|(a, b)| a == b)
                    .count();
                vec![edit(pre, &o[pre..o.len() - suf], n.len() - suf - pre)]
            }
        }
    }

    /// A server page and a client, checked after every step.
    struct Harness {
        tree: Block,
        cache: ClientCache,
        client: Reconstructor,
    }

    impl Harness {
        fn new(s: &S) -> Self {
            let tree = build(s);
            let html = page_html(&tree);
            assert_eq!(strip_markers(&html), tree.html(false));
            Harness {
                client: Reconstructor::new(html),
                tree,
                cache: ClientCache::new(),
            }
        }

        fn step(&mut self, new: &S, mode: ListMode) -> Vec<Fragment> {
            self.step_spurious(new, mode, None)
        }

        fn step_spurious(
            &mut self,
            new: &S,
            mode: ListMode,
            spurious: Option<usize>,
        ) -> Vec<Fragment> {
            let changes = update(&mut self.tree, new, mode, spurious);
            assert_eq!(self.tree, build(new));
            // diff and diff_with_report agree
            #[cfg(feature = "report")]
            let frags = {
                let mut cache2 = self.cache.clone();
                let plain = diff(&self.tree, &changes, &mut cache2).unwrap();
                let (frags, report) =
                    diff_with_report(&self.tree, &changes, &mut self.cache).unwrap();
                assert_eq!(plain, frags);
                assert_eq!(cache2.kept, self.cache.kept);
                check_report(&frags, &report);
                frags
            };
            #[cfg(not(feature = "report"))]
            let frags = diff(&self.tree, &changes, &mut self.cache).unwrap();
            // over the wire
            for f in &frags {
                let json = serde_json::to_string(f).unwrap();
                let escapes = 5 * json.matches('\\').count();
                assert!(f.wire_len_bound() + escapes >= f.wire_len(), "{json}");
            }
            let json = serde_json::to_string(&frags).unwrap();
            let back: Vec<Fragment> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, frags);
            self.client.apply(&back).unwrap_or_else(|e| {
                panic!("apply failed: {e}\nmode {mode:?}\nfragments: {frags:#?}")
            });
            let want = page_html(&self.tree);
            assert_eq!(
                self.client.html(),
                want,
                "mode {mode:?}\nfragments: {frags:#?}"
            );
            // the server never believes the client keeps statics it lacks
            for (id, _) in &self.cache.kept {
                assert!(
                    self.client.keeps_statics(id),
                    "{id}'s statics not kept by the client"
                );
            }
            frags
        }
    }

    #[cfg(feature = "report")]
    fn check_report(frags: &[Fragment], report: &[FragmentReport]) {
        let mut next = 0;
        for r in report {
            assert_eq!(r.fragments.start, next);
            assert!(r.fragments.end > r.fragments.start);
            next = r.fragments.end;
            let chosen = &frags[r.fragments.clone()];
            assert!(chosen
                .iter()
                .all(|f| f.id == r.id && f.strategy == r.chosen));
            let size = json_len(chosen);
            assert!(
                r.alternatives.contains(&(r.chosen, size)),
                "{r:?} lacks the chosen size {size}"
            );
            assert!(r
                .alternatives
                .iter()
                .any(|(s, _)| *s == Strategy::Replacement));
        }
        assert_eq!(next, frags.len());
    }

    fn strip_markers(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(i) = rest.find("<!--") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find("-->").unwrap() + i + 3;
            let c = &rest[i..end];
            assert!(c == ITEM_MARKER || c.starts_with("<!--f-") || c.starts_with("<!--/f-"));
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    fn base() -> S {
        S {
            class: "c".into(),
            title: "Title".into(),
            cond: true,
            cond_text: "yes".into(),
            items: vec![it("a", "one"), it("b", "two")],
            with: Some(("sec".into(), Some("in".into()))),
            folded: Some("f".into()),
            checked: false,
            nums: vec!["1".into(), "2".into()],
            call_title: "call".into(),
            tags: vec!["t1".into()],
            footer: "foot".into(),
        }
    }

    fn strategies(frags: &[Fragment]) -> Vec<(&str, Strategy, &str)> {
        frags
            .iter()
            .map(|f| (&*f.id, f.strategy, &*f.action))
            .collect()
    }

    #[test]
    fn lengths_match_rendering() {
        let s = base();
        let t = build(&s);
        assert_eq!(block_len(&t), t.html(true).len());
        for (i, d) in t.dyns.iter().enumerate() {
            let mut html = String::new();
            write_dyn_at(ROOT.dynamics.get(i), d, &mut html);
            assert_eq!(dyn_len_at(ROOT.dynamics.get(i), d), html.len());
        }
        let empty = build(&S::default());
        assert_eq!(block_len(&empty), empty.html(true).len());
    }

    #[test]
    fn no_change_no_fragments() {
        let s = base();
        let mut h = Harness::new(&s);
        assert!(h.step(&s, ListMode::Myers).is_empty());
        // a recomputed dynamic with the same output is no change either
        assert!(h.step_spurious(&s, ListMode::Myers, Some(4)).is_empty());
    }

    #[test]
    fn text_change_is_markers_on_the_held_html() {
        let mut s = base();
        let mut h = Harness::new(&s);
        // the first update after the render: no statics, no tree, one patch
        // of the HTML the client holds
        s.title = "New title é".into();
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(strategies(&f), [("f-root", Strategy::Markers, "patch")]);
        let FragmentData::Markers(m) = &f[0].data else {
            unreachable!()
        };
        assert_eq!(
            m.patches,
            [ValuePatch {
                position: "<div class=\"c\">".len(),
                length: "Title".len(),
                new_value: "New title é".into()
            }]
        );
        assert!(h.cache.is_empty());

        s.title = "again".into();
        s.footer = "F".into();
        let f = h.step(&s, ListMode::Myers);
        let FragmentData::Markers(m) = &f[0].data else {
            unreachable!()
        };
        let values: Vec<&str> = m.patches.iter().map(|p| &*p.new_value).collect();
        assert_eq!(values, ["again", "F"]);
        // a folded (non-attribute) control is a value like a slot's
        s.folded = None;
        let f = h.step(&s, ListMode::Myers);
        let FragmentData::Markers(m) = &f[0].data else {
            unreachable!()
        };
        assert_eq!((m.patches.len(), &*m.patches[0].new_value), (1, ""));
    }

    #[test]
    fn attribute_change_is_markers() {
        let mut s = base();
        let mut h = Harness::new(&s);
        s.class = "big".into();
        s.footer = "ff".into();
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(strategies(&f), [("f-root", Strategy::Markers, "patch")]);
        let FragmentData::Markers(m) = &f[0].data else {
            unreachable!()
        };
        assert_eq!(m.patches.len(), 2);
        assert_eq!(
            m.patches[0],
            ValuePatch {
                position: "<div class=\"".len(),
                length: 1,
                new_value: "big".into()
            }
        );
        // the folded attribute control
        s.checked = true;
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(strategies(&f), [("f-root", Strategy::Markers, "patch")]);
        // adjacent values are one patch
        s.class = "b".into();
        s.title = "T".into();
        let f = h.step(&s, ListMode::Myers);
        let FragmentData::Markers(m) = &f[0].data else {
            unreachable!()
        };
        assert_eq!(m.patches.len(), 2, "a static separates them: {m:?}");
    }

    #[test]
    fn parent_markers_count_the_child_old_content() {
        let mut s = base();
        let mut h = Harness::new(&s);
        // the child's region grows but the parent's positions are counted
        // with the child's old content
        s.class = "cls".into();
        s.cond_text = "a much longer text".into();
        s.footer = "new footer".into();
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            strategies(&f),
            [
                ("f-root", Strategy::Markers, "patch"),
                ("f-cond", Strategy::Markers, "patch")
            ]
        );
        s.cond_text = "b".into();
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"[["cond",1,3,18,"b"]]"#
        );
    }

    #[test]
    fn branch_switch_is_replacement() {
        let mut s = base();
        let mut h = Harness::new(&s);
        s.cond_text = "cached".into();
        h.step(&s, ListMode::Myers);
        s.cond = false;
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"[["cond",6,"<b>cached</b>"]]"#
        );
        // the other branch's text: a patch of the new branch
        s.cond_text = "z".into();
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"[["cond",1,3,6,"z"]]"#
        );
    }

    #[test]
    fn nested_fragments_parents_first() {
        let mut s = base();
        let mut h = Harness::new(&s);
        s.with = Some(("sec2".into(), Some("in2".into())));
        s.title = "t".into();
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            strategies(&f),
            [
                ("f-root", Strategy::Markers, "patch"),
                ("f-with", Strategy::Markers, "patch"),
                ("f-inner", Strategy::Markers, "patch"),
            ]
        );
        // inner disappears while the section text changes
        s.with = Some(("sec3".into(), None));
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            strategies(&f),
            [
                ("f-with", Strategy::Markers, "patch"),
                ("f-inner", Strategy::Replacement, "replace"),
            ]
        );
        // and comes back: replacement, then text changes are patches again
        s.with = Some(("sec3".into(), Some("x".into())));
        assert_eq!(
            strategies(&h.step(&s, ListMode::Myers)),
            [("f-inner", Strategy::Replacement, "replace")]
        );
        s.with = Some(("sec3".into(), Some("y".into())));
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(strategies(&f), [("f-inner", Strategy::Markers, "patch")]);
    }

    #[test]
    fn replaced_parent_covers_changed_children() {
        let mut s = base();
        let mut h = Harness::new(&s);
        s.with = Some(("a".into(), Some("b".into())));
        h.step(&s, ListMode::Myers);
        // the parent switches to its else branch while the child changed
        s.with = None;
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            strategies(&f),
            [("f-with", Strategy::Replacement, "replace")]
        );
        // and back, with a child
        s.with = Some(("c".into(), Some("d".into())));
        assert_eq!(
            strategies(&h.step(&s, ListMode::Myers)),
            [("f-with", Strategy::Replacement, "replace")]
        );
        s.with = Some(("c".into(), Some("e".into())));
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"[["inner",1,3,1,"e"]]"#
        );
    }

    #[test]
    fn granular_from_list_edits() {
        let mut s = base();
        let mut h = Harness::new(&s);
        s.items.push(it("c", "three"));
        let f = h.step(&s, ListMode::Myers);
        // the item's dynamics, with the item statics the first time
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"[["list",2,2,["c","three","",2],["<li class=\"","\">","","","</li>"]]]"#
        );
        assert!(h.cache.keeps("f-list", "f-item"));
        s.items.insert(0, it("z", "zero"));
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(strategies(&f), [("f-list", Strategy::Granular, "prepend")]);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"[["list",3,0,["z","zero","",2]]]"#
        );
        s.items.insert(2, it("m", "mid"));
        assert_eq!(
            strategies(&h.step(&s, ListMode::Myers)),
            [("f-list", Strategy::Granular, "insert")]
        );
        s.items.remove(1);
        s.items.remove(2);
        assert_eq!(
            strategies(&h.step(&s, ListMode::Myers)),
            [
                ("f-list", Strategy::Granular, "remove"),
                ("f-list", Strategy::Granular, "remove")
            ]
        );
        // several at once, every edit mode
        for mode in [ListMode::Myers, ListMode::Single, ListMode::Middle] {
            s.items.insert(1, it("p", "q"));
            s.items.insert(1, it("r", "s"));
            let f = h.step(&s, mode);
            assert!(
                f.iter().all(|f| f.strategy == Strategy::Granular),
                "{mode:?}"
            );
            s.items.drain(1..3);
            let f = h.step(&s, mode);
            assert!(
                f.iter().all(|f| f.strategy == Strategy::Granular),
                "{mode:?}"
            );
        }
        // a range without else: from empty and back to empty
        s.nums.clear();
        let f = h.step(&s, ListMode::Replace);
        assert_eq!(
            strategies(&f),
            [
                ("f-nums", Strategy::Granular, "remove"),
                ("f-nums", Strategy::Granular, "remove")
            ]
        );
        s.nums = vec!["7".into(), "8".into()];
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            strategies(&f),
            [
                ("f-nums", Strategy::Granular, "append"),
                ("f-nums", Strategy::Granular, "append")
            ]
        );
    }

    #[test]
    fn list_structure_changes() {
        let mut s = base();
        let mut h = Harness::new(&s);
        // becoming empty with an else
        let items = std::mem::take(&mut s.items);
        assert_eq!(
            strategies(&h.step(&s, ListMode::Myers)),
            [("f-list", Strategy::Replacement, "replace")]
        );
        s.items = items;
        assert_eq!(
            strategies(&h.step(&s, ListMode::Myers)),
            [("f-list", Strategy::Replacement, "replace")]
        );
        // a reorder is moves, whether generated code gave edits or not
        for mode in [ListMode::Myers, ListMode::Replace, ListMode::Reorder] {
            s.items.reverse();
            let f = h.step(&s, mode);
            assert_eq!(strategies(&f), [("f-list", Strategy::Granular, "move")]);
            let FragmentData::Granular(g) = &f[0].data else {
                unreachable!()
            };
            assert_eq!(g.moves.len(), s.items.len() - 1, "{mode:?}");
        }

        // insert and change at once: the new item is appended, then the
        // changed one patched
        s.items[0].1 = "changed".into();
        s.items.push(it("n", "new"));
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(
            strategies(&f),
            [
                ("f-list", Strategy::Granular, "append"),
                ("f-list", Strategy::Markers, "patch")
            ]
        );
        let FragmentData::Markers(m) = &f[1].data else {
            unreachable!()
        };
        assert_eq!(m.patches.len(), 1);
        assert_eq!(m.patches[0].new_value, "changed");
        // edits that rewrite the whole of a short list: its replacement is
        // the smaller
        s.items[0].1 = "changed again".into();
        s.items.pop();
        let f = h.step(&s, ListMode::Middle);
        assert_eq!(
            strategies(&f),
            [("f-list", Strategy::Replacement, "replace")]
        );
        // changed and moved: out and back in at its new place
        s.items.push(it("m", "more"));
        h.step(&s, ListMode::Myers);
        s.items.swap(0, 2);
        s.items[0].1 = "moved and changed".into();
        let f = h.step(&s, ListMode::Myers);
        assert!(
            f.iter().all(|f| f.strategy == Strategy::Granular),
            "{:?}",
            strategies(&f)
        );
    }

    #[test]
    fn items_changed_in_place() {
        let mut s = base();
        let mut h = Harness::new(&s);
        let patches = |f: &[Fragment]| -> Vec<ValuePatch> {
            match &f[0].data {
                FragmentData::Markers(m) => m.patches.clone(),
                d => panic!("not markers: {d:?}"),
            }
        };
        // a text inside an item: one patch, not the items' tree
        s.items[1].1 = "TWO é".into();
        let f = h.step(&s, ListMode::Myers);
        assert_eq!(strategies(&f), [("f-list", Strategy::Markers, "patch")]);
        let p = patches(&f);
        assert_eq!((p.len(), &*p[0].new_value), (1, "TWO é"));
        // an attribute and a text in two items, given as a Replaced list
        s.items[0].0 = "A".into();
        s.items[1].1 = "two".into();
        assert_eq!(patches(&h.step(&s, ListMode::Replace)).len(), 2);
        // a folded list inside an item changing length: one patch
        s.items[0].2 = vec!["p".into(), "q".into()];
        let p = patches(&h.step(&s, ListMode::Myers));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].new_value, "<s>p</s><s>q</s>");
        // a text inside it: that value alone
        s.items[0].2[1] = "Q".into();
        let p = patches(&h.step(&s, ListMode::Myers));
        assert_eq!((p.len(), p[0].length, &*p[0].new_value), (1, 1, "Q"));
        // a folded if appearing, then its attribute
        s.items[1].3 = Some("t".into());
        patches(&h.step(&s, ListMode::Myers));
        s.items[1].3 = Some("u".into());
        let p = patches(&h.step(&s, ListMode::Myers));
        assert_eq!((p[0].length, &*p[0].new_value), (1, "u"));
        // a nested range (inside the template call), through Replaced
        s.tags = vec!["t0".into(), "t1".into(), "t2".into()];
        assert_eq!(
            strategies(&h.step(&s, ListMode::Myers)),
            [
                ("f-tags", Strategy::Granular, "prepend"),
                ("f-tags", Strategy::Granular, "append")
            ]
        );
        s.tags[1] = "T".into();
        s.call_title = "ct".into();
        assert_eq!(
            strategies(&h.step(&s, ListMode::Myers)),
            [
                ("f-call", Strategy::Markers, "patch"),
                ("f-tags", Strategy::Markers, "patch")
            ]
        );
    }

    #[cfg(feature = "report")]
    #[test]
    fn report_lists_alternatives() {
        let mut s = base();
        let mut h = Harness::new(&s);
        s.title = "x".into();
        let changes = update(&mut h.tree, &s, ListMode::Myers, None);
        let (f, r) = diff_with_report(&h.tree, &changes, &mut h.cache).unwrap();
        assert_eq!(r.len(), 1);
        let kinds: Vec<Strategy> = r[0].alternatives.iter().map(|a| a.0).collect();
        assert_eq!(kinds, [Strategy::Markers, Strategy::Replacement]);
        assert_eq!(r[0].fragments, 0..1);
        h.client.apply(&f).unwrap();

        s.items.push(it("x", "y"));
        s.class = "k".into();
        let changes = update(&mut h.tree, &s, ListMode::Myers, None);
        let (f, r) = diff_with_report(&h.tree, &changes, &mut h.cache).unwrap();
        check_report(&f, &r);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].chosen, Strategy::Markers);
        assert_eq!(r[1].chosen, Strategy::Granular);
        assert_eq!(r[1].alternatives.len(), 2);
    }

    #[test]
    fn inconsistent_changes_are_errors() {
        let s = base();
        let tree = build(&s);
        let mut cache = ClientCache::new();
        let list = |old_len: usize, edits: Vec<ListEdit>| {
            ListEdits::new(old_len, edits).expect("edits that apply to some list")
        };
        let insert = |at, inserted| ListEdit {
            at,
            inserted,
            ..ListEdit::default()
        };
        let order = |order: Vec<usize>| ListEdit {
            order,
            ..ListEdit::default()
        };
        // edits that apply to no list of that length
        assert!(ListEdits::new(2, vec![order(vec![0, 0])]).is_none());
        assert!(ListEdits::new(1, vec![insert(2, 1)]).is_none());
        assert!(ListEdits::new(2, vec![insert(0, 1), order(vec![1, 0, 2])]).is_none());
        let removal = ListEdit {
            at: 0,
            removed: vec![b(branch(&ROOT, 3, 0), Vec::new())],
            ..ListEdit::default()
        };
        assert!(ListEdits::new(1, vec![insert(0, 1), removal]).is_none());
        let in_place = || ListEdit {
            at: 0,
            changes: vec![Change::Replaced {
                index: 0,
                old: text(""),
            }],
            ..ListEdit::default()
        };
        assert!(ListEdits::new(1, vec![in_place(), insert(0, 1)]).is_none());
        // edits that apply, but not to the tree's list
        let bad = [
            vec![Change::Replaced {
                index: 99,
                old: text(""),
            }],
            // not a list
            vec![Change::List {
                index: 0,
                edits: list(0, vec![insert(0, 1)]),
            }],
            vec![Change::List {
                index: 0,
                edits: list(8, vec![in_place()]),
            }],
            // the list has 2 items, not 6
            vec![Change::List {
                index: 3,
                edits: list(1, vec![insert(1, 5)]),
            }],
            // two changes of one dynamic
            vec![
                Change::List {
                    index: 3,
                    edits: list(1, vec![insert(0, 1)]),
                },
                Change::Replaced {
                    index: 3,
                    old: text(""),
                },
            ],
            // a reordering of 3 items
            vec![Change::List {
                index: 3,
                edits: list(3, vec![order(vec![1, 0, 2])]),
            }],
        ];
        for changes in bad {
            assert!(diff(&tree, &changes, &mut cache).is_err());
        }
        // a value of the wrong kind for a fragment control: replacement
        let f = diff(
            &tree,
            &[Change::Replaced {
                index: 2,
                old: text("?"),
            }],
            &mut cache,
        )
        .unwrap();
        assert_eq!(
            strategies(&f),
            [("f-cond", Strategy::Replacement, "replace")]
        );
    }

    #[test]
    fn tampered_update_is_rejected_whole() {
        let mut s = base();
        let mut h = Harness::new(&s);
        s.class = "q".into();
        s.items.push(it("n", "new"));
        let changes = update(&mut h.tree, &s, ListMode::Myers, None);
        let frags = diff(&h.tree, &changes, &mut h.cache).unwrap();
        assert_eq!(frags.len(), 2);
        let before = h.client.html().to_owned();
        let mut tampered = Vec::new();
        let mut f = frags.clone();
        if let FragmentData::Markers(m) = &mut f[0].data {
            m.patches[0].position = before.len();
        }
        tampered.push(f);
        let mut f = frags.clone();
        if let FragmentData::Granular(g) = &mut f[1].data {
            g.position = 99;
        }
        tampered.push(f);
        let mut f = frags.clone();
        f[1].id = "f-nothere".into();
        tampered.push(f);
        let mut f = frags.clone();
        f[1].action = "prepend".into();
        tampered.push(f);
        for t in tampered {
            assert!(h.client.apply(&t).is_err());
            assert_eq!(h.client.html(), before);
        }
        h.client.apply(&frags).unwrap();
        assert_eq!(h.client.html(), page_html(&h.tree));
    }

    /// xorshift64*: deterministic pseudo-random numbers for the sequences.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }
        fn text(&mut self) -> String {
            const PARTS: [&str; 6] = ["a", "b", "é", "&lt;", " ", "zz"];
            (0..self.below(3))
                .map(|_| PARTS[self.below(PARTS.len())])
                .collect()
        }
        fn list(&mut self, v: &mut Vec<String>) {
            match self.below(5) {
                0 if !v.is_empty() => {
                    let i = self.below(v.len());
                    v.remove(i);
                }
                1 => {
                    let i = self.below(v.len() + 1);
                    let t = self.text();
                    v.insert(i, t);
                }
                2 if !v.is_empty() => {
                    let i = self.below(v.len());
                    v[i] = self.text();
                }
                3 => v.reverse(),
                _ => {
                    let n = self.below(4);
                    *v = (0..n).map(|_| self.text()).collect();
                }
            }
        }
        fn mutate(&mut self, s: &mut S) {
            for _ in 0..1 + self.below(3) {
                match self.below(12) {
                    0 => s.class = self.text(),
                    1 => s.title = self.text(),
                    2 => s.cond = !s.cond,
                    3 => s.cond_text = self.text(),
                    4 => {
                        if !s.items.is_empty() && self.chance(50) {
                            // change one item in place
                            let i = self.below(s.items.len());
                            let item = &mut s.items[i];
                            match self.below(4) {
                                0 => item.0 = self.text(),
                                1 => item.1 = self.text(),
                                2 => self.list(&mut item.2),
                                _ => item.3 = self.chance(50).then(|| self.text()),
                            }
                        } else {
                            let mut v: Vec<String> = s.items.iter().map(|i| i.1.clone()).collect();
                            self.list(&mut v);
                            s.items = v
                                .into_iter()
                                .map(|t| {
                                    let class = if t.len() % 2 == 0 { "e" } else { "o" };
                                    It(class.into(), t.clone(), vec![t], None)
                                })
                                .collect();
                        }
                    }
                    5 => {
                        s.with = match self.below(3) {
                            0 => None,
                            1 => Some((self.text(), None)),
                            _ => Some((self.text(), Some(self.text()))),
                        }
                    }
                    6 => s.folded = self.chance(50).then(|| self.text()),
                    7 => s.checked = !s.checked,
                    8 => self.list(&mut s.nums),
                    9 => s.call_title = self.text(),
                    10 => self.list(&mut s.tags),
                    _ => s.footer = self.text(),
                }
            }
        }
    }

    #[test]
    fn random_sequences_reconstruct() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..400 {
            let mut s = S::default();
            rng.mutate(&mut s);
            let mut h = Harness::new(&s);
            for _ in 0..8 {
                let mode = [
                    ListMode::Replace,
                    ListMode::Myers,
                    ListMode::Middle,
                    ListMode::Single,
                    ListMode::Reorder,
                ][rng.below(5)];
                let prev = s.clone();
                rng.mutate(&mut s);
                let spurious = rng.chance(20).then(|| rng.below(ROOT.dynamics.len()));
                let f = h.step_spurious(&s, mode, spurious);
                if prev == s {
                    assert!(f.is_empty());
                }
                seen.extend(f.iter().map(|f| f.strategy));
            }
        }
        // every strategy the server sends (values go as markers on the
        // HTML the client holds, never as static_dynamic)
        assert_eq!(
            seen,
            [Strategy::Markers, Strategy::Granular, Strategy::Replacement].into(),
        );
    }
}
