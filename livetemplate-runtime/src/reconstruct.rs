//! Applies fragments to a page's HTML exactly as the browser client does:
//! the executable specification of the client.
//!
//! # The page
//!
//! The first render ([`Page::render`](crate::Page::render)) carries every
//! fragment's region as `<!--ID-->content<!--/ID-->`; the whole page is the
//! root fragment's region. Each item of a range fragment starts with
//! `<!--i-->` ([`ITEM_MARKER`]). Fragment ids are unique in a page.
//!
//! # Applying a list of fragments
//!
//! A list (the result of one update) is applied all or nothing, fragment by
//! fragment in order (parents come before their children). For each
//! fragment:
//!
//! 1. Check it holds together ([`Fragment::validate`]).
//! 2. Find its region: the first `<!--ID-->` in the page, then the first
//!    `<!--/ID-->` after it. The *content* is the text between the two.
//! 3. Compute the new content by strategy:
//!    - `replacement`: `data.content`. Forget the cache of this fragment
//!      and of every fragment whose `<!--ID-->` appears in the old content.
//!    - `markers`: the patches are sorted, non-overlapping
//!      (`position + length <= next position`), inside the content and on
//!      UTF-8 character boundaries; all positions refer to the old content.
//!      Replace each `content[position .. position + length]` with
//!      `new_value` (from last to first, or by one left-to-right copy).
//!      Forget this fragment's cache.
//!    - `granular`: the content is empty or starts with `<!--i-->`; item `k`
//!      starts at the `k`-th `<!--i-->` and runs to the next one (or the
//!      end). With `n` items: `append` needs `position == n` and adds
//!      `<!--i-->` + `content` at the end; `prepend` needs `position == 0` and
//!      adds it at the start; `insert` needs `position <= n` and adds it
//!      before item `position`; `remove` needs `position < n` and deletes
//!      item `position` with its marker. Forget this fragment's cache.
//!    - `static_dynamic`, **block form** (with `statics`, not the list
//!      form): `dynamics` must give exactly the indices `0 ..
//!      statics.len() - 1`; cache both for this fragment id. The new
//!      content is `statics[0] + d0 + statics[1] + … + statics[n]` where a
//!      string dynamic is inserted as is and `{"f": C}` is fragment C's
//!      whole region (from `<!--C-->` to the end of `<!--/C-->`) as it is
//!      now in this fragment's old content.
//!    - `static_dynamic`, **list form** (with `statics`, and every dynamic
//!      an item array, at least one): `dynamics` must give exactly the
//!      indices `0 .. n` of the `n` items; cache the statics and items. The
//!      new content is, for each item, `<!--i-->` + the item written as a
//!      block: `statics[0] + v0 + statics[1] + …`, which needs exactly
//!      `statics.len() - 1` values per item. A tree value is written as:
//!      a string as is; `{"s": S, "d": D}` as a block of statics `S` and
//!      values `D`; `{"s": S, "l": L}` as a block of statics `S` per item
//!      of `L`.
//!    - `static_dynamic` without `statics`: the cache for this id must
//!      exist. Merge each dynamic into it by index: into a block form's
//!      dynamics, or into the list form's item of that index (the change
//!      must then be `{index: change}`). Merging a change into a value: a
//!      string (or `{"f": C}`) replaces it; `{index: change, …}` merges
//!      into a `{"s", "d"}` value's `d` by index, or into a `{"s", "l"}`
//!      value's items by item index (each item change `{index: change}`).
//!      Any index out of range, or changes into a string, fail. Then write
//!      the new content from the merged cache as above.
//! 4. Replace the content between the markers with the new content.
//!
//! Any failure (unknown id, missing statics, bad patch, bad position, a
//! child region not found) rejects the whole list and leaves the page as it
//! was.

use std::collections::HashMap;
use std::fmt;

use crate::fragment::{
    is_valid_id, DynamicValue, Fragment, FragmentData, FragmentError, GranularData, GranularOp,
    StaticDynamicData, ValuePatch,
};
use crate::tree::ITEM_MARKER;

/// A client's view of one page: its HTML and its `static_dynamic` cache.
#[derive(Clone, Debug, Default)]
pub struct Reconstructor {
    html: String,
    cache: HashMap<String, Cached>,
    /// Per region: the statics the client keeps when it may not hold the
    /// dynamics — its block's (block form) or its item block's (list form),
    /// from a `static_dynamic` with statics or a granular item. Kept across
    /// markers and granular updates (which drop the tree in `cache`),
    /// forgotten when the region or an enclosing one is replaced.
    held: HashMap<String, Vec<String>>,
}

/// What the client holds for a `static_dynamic` fragment.
#[derive(Clone, Debug)]
enum Cached {
    /// Block form: statics, and each dynamic (HTML or a child region).
    Block {
        statics: Vec<String>,
        dynamics: Vec<DynamicValue>,
    },
    /// List form: the item block's statics and each item's dynamics (trees).
    List {
        statics: Vec<String>,
        items: Vec<Vec<DynamicValue>>,
    },
}

/// Why a list of fragments could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReconstructError {
    /// The fragment does not hold together.
    Invalid(FragmentError),
    /// No `<!--ID-->` … `<!--/ID-->` region in the page.
    UnknownFragment(String),
    /// `static_dynamic` without statics for a fragment the client holds none for.
    MissingStatics(String),
    /// `static_dynamic` dynamics that do not fit the statics.
    BadDynamics {
        /// Fragment id.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// A `{"f": child}` whose region is not in the fragment's content.
    ChildNotFound {
        /// Fragment id.
        id: String,
        /// The child's id.
        child: String,
    },
    /// A markers patch out of range, overlapping, unsorted or cutting a
    /// UTF-8 character.
    BadPatch {
        /// Fragment id.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// A granular operation that does not fit the range's items.
    BadGranular {
        /// Fragment id.
        id: String,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for ReconstructError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReconstructError::Invalid(e) => write!(f, "{e}"),
            ReconstructError::UnknownFragment(id) => {
                write!(f, "fragment {id}: no such region in the page")
            }
            ReconstructError::MissingStatics(id) => write!(
                f,
                "fragment {id}: static_dynamic update without statics, none cached"
            ),
            ReconstructError::BadDynamics { id, reason } => {
                write!(f, "fragment {id}: bad dynamics: {reason}")
            }
            ReconstructError::ChildNotFound { id, child } => {
                write!(f, "fragment {id}: child region {child} not found")
            }
            ReconstructError::BadPatch { id, reason } => {
                write!(f, "fragment {id}: bad patch: {reason}")
            }
            ReconstructError::BadGranular { id, reason } => {
                write!(f, "fragment {id}: bad granular operation: {reason}")
            }
        }
    }
}

impl std::error::Error for ReconstructError {}

impl Reconstructor {
    /// A client that received `html` (a first render, with markers).
    pub fn new(html: impl Into<String>) -> Self {
        Reconstructor {
            html: html.into(),
            cache: HashMap::new(),
            held: HashMap::new(),
        }
    }

    /// The page's current HTML.
    pub fn html(&self) -> &str {
        &self.html
    }

    /// True when the client holds `static_dynamic` statics for fragment `id`.
    pub fn has_statics(&self, id: &str) -> bool {
        self.cache.contains_key(id)
    }

    /// True when the client keeps statics for region `id` (its block's, or
    /// its items' for a range), with or without the dynamics: updates of the
    /// region then come without statics (a `static_dynamic` with every
    /// dynamic when the tree is not held, granular items as dynamics).
    pub fn keeps_statics(&self, id: &str) -> bool {
        self.held.contains_key(id)
    }

    /// Ids of the fragments the client holds statics for, sorted.
    pub fn cached_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.cache.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// Applies the fragments of one update, in order, all or nothing.
    pub fn apply(&mut self, fragments: &[Fragment]) -> Result<(), ReconstructError> {
        if fragments.is_empty() {
            return Ok(());
        }
        let mut html = self.html.clone();
        let mut cache = self.cache.clone();
        let mut held = self.held.clone();
        for f in fragments {
            apply_one(&mut html, &mut cache, &mut held, f)?;
        }
        self.html = html;
        self.cache = cache;
        self.held = held;
        Ok(())
    }
}

/// Region `id` in `html`: its whole id, where its open marker starts, its
/// content's range (between the markers), and where its close marker ends.
/// `id` is a whole id (`<!--ID-->`), or the wire's cut of a generated one:
/// then the first open marker of a generated id that starts so (the wire
/// cut is unique within a template; `livetemplate_shared::wire_id`).
fn find_region<'h>(html: &'h str, id: &str) -> Option<(&'h str, usize, usize, usize, usize)> {
    let mut open = String::new();
    crate::tree::open_marker(id, &mut open);
    let (full, start) = match html.find(&open) {
        Some(start) => (html.get(start + 4..start + 4 + id.len())?, start),
        None => find_cut(html, id)?,
    };
    let content_start = start + full.len() + 7;
    let mut close = String::new();
    crate::tree::close_marker(full, &mut close);
    let content_end = content_start + html.get(content_start..)?.find(&close)?;
    Some((
        full,
        start,
        content_start,
        content_end,
        content_end + close.len(),
    ))
}

/// The open marker of the generated id that wire id `id` is the cut of.
fn find_cut<'h>(html: &'h str, id: &str) -> Option<(&'h str, usize)> {
    let cut = id.strip_prefix("f-")?;
    if cut.len() != livetemplate_shared::WIRE_ID_LEN {
        return None;
    }
    let prefix = format!("<!--{id}");
    html.match_indices(&prefix).find_map(|(start, _)| {
        let full = html.get(start + 4..start + 22)?;
        let generated = livetemplate_shared::is_generated(&full[2..]);
        (generated && html.get(start + 22..)?.starts_with("-->")).then_some((full, start))
    })
}

/// Ids of every `<!--f-…-->` open marker in `text`.
fn marker_ids(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("<!--f-").filter_map(move |(i, _)| {
        let rest = text.get(i + 4..)?;
        let end = rest.find("-->")?;
        let id = rest.get(..end)?;
        is_valid_id(id).then_some(id)
    })
}

fn apply_one(
    html: &mut String,
    cache: &mut HashMap<String, Cached>,
    held: &mut HashMap<String, Vec<String>>,
    f: &Fragment,
) -> Result<(), ReconstructError> {
    f.validate().map_err(ReconstructError::Invalid)?;
    let (id, _, start, end, _) = find_region(html, &f.id)
        .ok_or_else(|| ReconstructError::UnknownFragment(f.id.to_string()))?;
    // the cache is by whole id, whichever form the fragment names it by
    let id = &id.to_owned();
    let content = &html[start..end];
    let new_content = match &f.data {
        FragmentData::Replacement(r) => {
            for nested in marker_ids(content) {
                cache.remove(nested);
                held.remove(nested);
            }
            held.remove(id);
            cache.remove(id);
            r.content.clone()
        }
        FragmentData::Markers(m) => {
            let out = patch(id, content, &m.patches)?;
            cache.remove(id);
            out
        }
        FragmentData::Granular(g) => {
            let out = granular(id, content, g, held)?;
            cache.remove(id);
            out
        }
        FragmentData::StaticDynamic(sd) => static_dynamic(id, content, sd, cache, held)?,
    };
    html.replace_range(start..end, &new_content);
    Ok(())
}

fn patch(id: &str, content: &str, patches: &[ValuePatch]) -> Result<String, ReconstructError> {
    let bad = |reason: String| ReconstructError::BadPatch {
        id: id.to_owned(),
        reason,
    };
    let mut out = String::with_capacity(content.len());
    let mut done = 0; // bytes of `content` copied or replaced so far
    for p in patches {
        let end = p
            .position
            .checked_add(p.length)
            .ok_or_else(|| bad("position + length overflows".into()))?;
        if p.position < done {
            return Err(bad(format!(
                "patch at {} overlaps or precedes the previous one (ending at {done})",
                p.position
            )));
        }
        if end > content.len() {
            return Err(bad(format!(
                "{}..{end} is outside the content ({} bytes)",
                p.position,
                content.len()
            )));
        }
        let (Some(keep), true) = (content.get(done..p.position), content.is_char_boundary(end))
        else {
            return Err(bad(format!("{}..{end} cuts a UTF-8 character", p.position)));
        };
        out.push_str(keep);
        out.push_str(&p.new_value);
        done = end;
    }
    out.push_str(&content[done..]);
    Ok(out)
}

fn granular(
    id: &str,
    content: &str,
    g: &GranularData,
    held: &mut HashMap<String, Vec<String>>,
) -> Result<String, ReconstructError> {
    let bad = |reason: String| ReconstructError::BadGranular {
        id: id.to_owned(),
        reason,
    };
    if !content.is_empty() && !content.starts_with(ITEM_MARKER) {
        return Err(bad("the region is not a list of items".into()));
    }
    let starts: Vec<usize> = content.match_indices(ITEM_MARKER).map(|(i, _)| i).collect();
    let n = starts.len();
    let boundary = |k: usize| starts.get(k).copied().unwrap_or(content.len());
    let p = g.position;
    if g.operation == GranularOp::Move {
        let mut items: Vec<&str> = (0..n)
            .map(|k| &content[starts[k]..boundary(k + 1)])
            .collect();
        for &(from, to) in &g.moves {
            if from >= n || to >= n {
                return Err(bad(format!("move {from} to {to} in a list of {n} items")));
            }
            let item = items.remove(from);
            items.insert(to, item);
        }
        return Ok(items.concat());
    }
    if g.operation == GranularOp::Reorder {
        if g.order.len() != n {
            return Err(bad(format!(
                "an order of {} items for a list of {n} items",
                g.order.len()
            )));
        }
        // a permutation (Fragment::validate), so every index is below n
        return Ok(g
            .order
            .iter()
            .map(|&o| &content[starts[o]..boundary(o + 1)])
            .collect());
    }
    let (at, remove_to) = match g.operation {
        GranularOp::Append if p == n => (content.len(), None),
        GranularOp::Prepend if p == 0 => (0, None),
        GranularOp::Insert if p <= n => (boundary(p), None),
        GranularOp::Remove if p < n => (boundary(p), Some(boundary(p + 1))),
        op => {
            return Err(bad(format!(
                "{} at position {p} of a list of {n} items",
                op.as_str()
            )))
        }
    };
    // The added item's HTML: as sent, or rendered from its dynamics.
    let mut added = String::new();
    match (&g.content, &g.item) {
        (Some(html), _) => added.push_str(html),
        (None, Some(item)) => {
            let statics = match (&g.statics, held.get(id)) {
                (Some(s), _) | (None, Some(s)) => s,
                (None, None) => {
                    return Err(bad("an item without statics, none held for the list".into()))
                }
            };
            write_block(statics, item, &mut added).map_err(bad)?;
        }
        (None, None) => {}
    }
    if let Some(statics) = &g.statics {
        held.insert(id.to_owned(), statics.clone());
    }
    let mut out = String::with_capacity(content.len() + added.len() + 8);
    out.push_str(&content[..at]);
    match remove_to {
        Some(to) => out.push_str(&content[to..]),
        None => {
            out.push_str(ITEM_MARKER);
            out.push_str(&added);
            out.push_str(&content[at..]);
        }
    }
    Ok(out)
}

fn static_dynamic(
    id: &str,
    content: &str,
    sd: &StaticDynamicData,
    cache: &mut HashMap<String, Cached>,
    held: &mut HashMap<String, Vec<String>>,
) -> Result<String, ReconstructError> {
    let bad = |reason: String| ReconstructError::BadDynamics {
        id: id.to_owned(),
        reason,
    };
    // Without statics and without the tree, the statics kept for the
    // region: the dynamics are then all of them, as with statics.
    let statics = match (&sd.statics, cache.contains_key(id)) {
        (Some(s), _) => Some(s),
        (None, false) => held.get(id),
        (None, true) => None,
    };
    let entry = match statics {
        Some(statics) if sd.is_every_item() => {
            let n = sd.dynamics.len();
            if sd.dynamics.keys().any(|&k| k >= n) {
                return Err(bad(format!("{n} items need exactly the indices 0..{n}")));
            }
            let items = sd.dynamics.values().map(|v| match v {
                DynamicValue::Item(item) => item.clone(),
                _ => Vec::new(), // not in the list form
            });
            Cached::List {
                statics: statics.clone(),
                items: items.collect(),
            }
        }
        Some(statics) => {
            let n = statics.len().saturating_sub(1);
            if sd.dynamics.len() != n || sd.dynamics.keys().any(|&k| k >= n) {
                return Err(bad(format!(
                    "{} statics need exactly the dynamics 0..{n}",
                    statics.len()
                )));
            }
            Cached::Block {
                statics: statics.clone(),
                dynamics: sd.dynamics.values().cloned().collect(),
            }
        }
        None => {
            let mut c = cache
                .get(id)
                .cloned()
                .ok_or_else(|| ReconstructError::MissingStatics(id.to_owned()))?;
            match &mut c {
                Cached::Block { dynamics, .. } => merge_values(dynamics, &sd.dynamics),
                Cached::List { items, .. } => merge_items(items, &sd.dynamics),
            }
            .map_err(bad)?;
            c
        }
    };
    let mut out = String::new();
    match &entry {
        Cached::Block { statics, dynamics } => {
            let mut children: Vec<&str> = Vec::new();
            for (i, s) in statics.iter().enumerate() {
                out.push_str(s);
                match dynamics.get(i) {
                    Some(DynamicValue::Html(h)) => out.push_str(h),
                    Some(DynamicValue::Fragment(child)) => {
                        // A region is in the page once: so is its reference.
                        if children.contains(&child.as_str()) {
                            return Err(bad(format!("child {child} referenced twice")));
                        }
                        children.push(child);
                        let (_, start, _, _, end) =
                            find_region(content, child).ok_or_else(|| {
                                ReconstructError::ChildNotFound {
                                    id: id.to_owned(),
                                    child: child.clone(),
                                }
                            })?;
                        out.push_str(&content[start..end]);
                    }
                    Some(_) => return Err(bad(format!("dynamic {i} is not HTML"))),
                    None => {}
                }
            }
        }
        Cached::List { statics, items } => {
            for item in items {
                out.push_str(ITEM_MARKER);
                write_block(statics, item, &mut out).map_err(bad)?;
            }
        }
    }
    // Statics from the cache or the kept ones are kept already (whatever
    // is cached is kept).
    if let Some(statics) = &sd.statics {
        held.insert(id.to_owned(), statics.clone());
    }
    cache.insert(id.to_owned(), entry);
    Ok(out)
}

/// Merges `changes` (index, change) into `values` (a block's or an item's
/// dynamics).
fn merge_values<'c>(
    values: &mut [DynamicValue],
    changes: impl IntoIterator<Item = (&'c usize, &'c DynamicValue)>,
) -> Result<(), String> {
    for (&k, change) in changes {
        let n = values.len();
        let v = values
            .get_mut(k)
            .ok_or_else(|| format!("index {k} of {n} dynamics"))?;
        match (v, change) {
            (v, DynamicValue::Html(_) | DynamicValue::Fragment(_)) => *v = change.clone(),
            (DynamicValue::Block { dynamics, .. }, DynamicValue::Changes(c)) => {
                merge_values(dynamics, pairs(c))?
            }
            (DynamicValue::List { items, .. }, DynamicValue::Changes(c)) => {
                merge_items(items, pairs(c))?
            }
            _ => return Err(format!("change at index {k} does not fit its value")),
        }
    }
    Ok(())
}

/// The (index, change) pairs of a [`DynamicValue::Changes`].
fn pairs(c: &[(usize, DynamicValue)]) -> impl Iterator<Item = (&usize, &DynamicValue)> {
    c.iter().map(|(k, v)| (k, v))
}

/// Merges `changes` (by item index, each the item's changes) into `items`.
fn merge_items<'c>(
    items: &mut [Vec<DynamicValue>],
    changes: impl IntoIterator<Item = (&'c usize, &'c DynamicValue)>,
) -> Result<(), String> {
    for (&k, change) in changes {
        let n = items.len();
        let item = items
            .get_mut(k)
            .ok_or_else(|| format!("item {k} of {n} items"))?;
        match change {
            DynamicValue::Changes(c) => merge_values(item, pairs(c))?,
            _ => return Err(format!("item {k}: an item's changes are by index")),
        }
    }
    Ok(())
}

/// Writes `statics[0] + d0 + statics[1] + … + statics[n]` for tree values.
fn write_block(
    statics: &[String],
    dynamics: &[DynamicValue],
    out: &mut String,
) -> Result<(), String> {
    if statics.len() != dynamics.len() + 1 {
        return Err(format!(
            "{} statics for {} dynamics",
            statics.len(),
            dynamics.len()
        ));
    }
    for (s, d) in statics.iter().zip(dynamics) {
        out.push_str(s);
        match d {
            DynamicValue::Html(h) => out.push_str(h),
            DynamicValue::Block { statics, dynamics } => write_block(statics, dynamics, out)?,
            DynamicValue::List { statics, items } => {
                for item in items {
                    write_block(statics, item, out)?;
                }
            }
            _ => return Err("a tree holds HTML, blocks and lists only".into()),
        }
    }
    out.push_str(&statics[dynamics.len()]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sd(statics: Option<&[&str]>, dynamics: &[(usize, DynamicValue)]) -> Fragment {
        Fragment::static_dynamic(
            "f-p",
            StaticDynamicData {
                statics: statics.map(|s| s.iter().map(|x| x.to_string()).collect()),
                dynamics: dynamics.iter().cloned().collect::<BTreeMap<_, _>>(),
            },
        )
    }
    fn html(s: &str) -> DynamicValue {
        DynamicValue::Html(s.into())
    }

    const PAGE: &str = "<!--f-r-->a<!--f-p--><p>x<!--f-c-->c<!--/f-c--></p><!--/f-p-->b<!--f-l--><!--i--><li>1</li><!--i--><li>2</li><!--/f-l--><!--/f-r-->";

    #[test]
    fn static_dynamic_then_delta() {
        let mut r = Reconstructor::new(PAGE);
        let f = sd(
            Some(&["<p>", "", "</p>"]),
            &[(0, html("y")), (1, DynamicValue::Fragment("f-c".into()))],
        );
        r.apply(&[f]).unwrap();
        assert!(r
            .html()
            .contains("<!--f-p--><p>y<!--f-c-->c<!--/f-c--></p><!--/f-p-->"));
        assert!(r.has_statics("f-p"));
        r.apply(&[sd(None, &[(0, html("zz"))])]).unwrap();
        assert!(r
            .html()
            .contains("<!--f-p--><p>zz<!--f-c-->c<!--/f-c--></p><!--/f-p-->"));
        // markers on the fragment drops its cache: a delta is then refused
        r.apply(&[Fragment::markers(
            "f-p",
            vec![ValuePatch {
                position: 3,
                length: 2,
                new_value: "q".into(),
            }],
        )])
        .unwrap();
        assert!(r.html().contains("<!--f-p--><p>q<!--f-c-->"));
        assert!(!r.has_statics("f-p"));
        // the statics are kept: every dynamic without them is applied, a
        // delta is refused
        assert!(r.keeps_statics("f-p"));
        let before = r.html().to_owned();
        assert!(matches!(
            r.apply(&[sd(None, &[(0, html("w"))])]),
            Err(ReconstructError::BadDynamics { .. })
        ));
        assert_eq!(r.html(), before);
        r.apply(&[sd(
            None,
            &[(0, html("w")), (1, DynamicValue::Fragment("f-c".into()))],
        )])
        .unwrap();
        assert!(r
            .html()
            .contains("<!--f-p--><p>w<!--f-c-->c<!--/f-c--></p><!--/f-p-->"));
        assert!(r.has_statics("f-p"));
        // a region never sent with statics: refused
        let mut fresh = Reconstructor::new(PAGE);
        assert_eq!(
            fresh.apply(&[sd(None, &[(0, html("w"))])]),
            Err(ReconstructError::MissingStatics("f-p".into()))
        );
    }

    #[test]
    fn generated_ids_go_on_the_wire_cut() {
        let page = "<!--f-0123456789abcdef--><b>1</b><!--f-0124aaaaaaaaaaaa-->x<!--/f-0124aaaaaaaaaaaa--><!--/f-0123456789abcdef-->";
        let patch = |id: &'static str, position, new_value: &str| {
            let patches = vec![ValuePatch {
                position,
                length: 1,
                new_value: new_value.into(),
            }];
            // through the wire form, as a client gets it
            let json = serde_json::to_string(&Fragment::markers(id, patches)).unwrap();
            serde_json::from_str::<Fragment>(&json).unwrap()
        };
        let root = patch("f-0123456789abcdef", 3, "2");
        assert_eq!(root.id, "f-0123");
        let mut r = Reconstructor::new(page);
        r.apply(&[root, patch("f-0124aaaaaaaaaaaa", 0, "y")])
            .unwrap();
        assert_eq!(
            r.html(),
            page.replace("<b>1</b>", "<b>2</b>")
                .replace("-->x<", "-->y<")
        );
        // the cache is by whole id, whichever form names the fragment
        let mut f = sd(Some(&["[", "]"]), &[(0, html("z"))]);
        f.id = "f-0124".into();
        r.apply(&[f]).unwrap();
        assert!(r.has_statics("f-0124aaaaaaaaaaaa"));
        // a cut names generated ids only, and a whole id comes first
        assert_eq!(
            r.apply(&[patch("f-0125", 0, "")]),
            Err(ReconstructError::UnknownFragment("f-0125".into()))
        );
        let mut other =
            Reconstructor::new("<!--f-abcd-->1<!--/f-abcd--><!--f-abcdXYZ-->2<!--/f-abcdXYZ-->");
        other.apply(&[patch("f-abcd", 0, "9")]).unwrap();
        assert!(other.html().starts_with("<!--f-abcd-->9<"));
        let mut only = Reconstructor::new("<!--f-abcdXYZ-->2<!--/f-abcdXYZ-->");
        assert!(only.apply(&[patch("f-abcd", 0, "9")]).is_err());
    }

    #[test]
    fn granular_ops() {
        let mut r = Reconstructor::new(PAGE);
        r.apply(&[
            Fragment::granular("f-l", GranularOp::Append, Some("<li>3</li>".into()), 2),
            Fragment::granular("f-l", GranularOp::Prepend, Some("<li>0</li>".into()), 0),
            Fragment::granular("f-l", GranularOp::Insert, Some("<li>h</li>".into()), 2),
            Fragment::granular("f-l", GranularOp::Remove, None, 1),
        ])
        .unwrap();
        assert!(r.html().contains(
            "<!--f-l--><!--i--><li>0</li><!--i--><li>h</li><!--i--><li>2</li><!--i--><li>3</li><!--/f-l-->"
        ));
        for bad in [
            Fragment::granular("f-l", GranularOp::Append, Some("x".into()), 3),
            Fragment::granular("f-l", GranularOp::Prepend, Some("x".into()), 1),
            Fragment::granular("f-l", GranularOp::Insert, Some("x".into()), 5),
            Fragment::granular("f-l", GranularOp::Remove, None, 4),
            // not a list
            Fragment::granular("f-p", GranularOp::Remove, None, 0),
        ] {
            let before = r.html().to_owned();
            assert!(r.apply(std::slice::from_ref(&bad)).is_err(), "{bad:?}");
            assert_eq!(r.html(), before);
        }
    }

    #[test]
    fn granular_items_as_dynamics() {
        let mut r = Reconstructor::new(PAGE);
        let item = |x: &str| vec![DynamicValue::Html(x.into())];
        let statics = || Some(vec!["<li>".to_string(), "</li>".into()]);
        // without statics, none held: refused
        let lone = Fragment::granular_item("f-l", GranularOp::Append, item("3"), None, 2);
        assert_eq!(
            r.apply(std::slice::from_ref(&lone))
                .unwrap_err()
                .to_string(),
            "fragment f-l: bad granular operation: an item without statics, none held for the list"
        );
        assert!(!r.keeps_statics("f-l"));
        r.apply(&[
            Fragment::granular_item("f-l", GranularOp::Append, item("3"), statics(), 2),
            Fragment::granular_item("f-l", GranularOp::Prepend, item("0"), None, 0),
        ])
        .unwrap();
        assert!(r.keeps_statics("f-l"));
        assert!(r.html().contains(
            "<!--f-l--><!--i--><li>0</li><!--i--><li>1</li><!--i--><li>2</li><!--i--><li>3</li><!--/f-l-->"
        ));
        // statics that do not fit the item: refused, nothing kept
        let bad = Fragment::granular_item(
            "f-l",
            GranularOp::Append,
            item("x"),
            Some(vec!["a".into(), "b".into(), "c".into()]),
            4,
        );
        let before = r.html().to_owned();
        assert!(r.apply(&[bad]).is_err());
        assert_eq!(r.html(), before);
        r.apply(&[Fragment::granular_item(
            "f-l",
            GranularOp::Append,
            item("4"),
            None,
            4,
        )])
        .unwrap();
        assert!(r.html().contains("<!--i--><li>4</li><!--/f-l-->"));
        // replacing an enclosing region forgets them
        r.apply(&[Fragment::replacement("f-r", "<!--f-l--><!--/f-l-->")])
            .unwrap();
        assert!(!r.keeps_statics("f-l"));
    }

    #[test]
    fn moves_reorder_items() {
        let mut r = Reconstructor::new(PAGE);
        r.apply(&[Fragment::granular(
            "f-l",
            GranularOp::Append,
            Some("<li>3</li>".into()),
            2,
        )])
        .unwrap();
        // [1, 2, 3] → 3 to the front → [3, 1, 2] → 1 to the end → [3, 2, 1]
        r.apply(&[Fragment::moves("f-l", vec![(2, 0), (1, 2)])])
            .unwrap();
        assert!(r.html().contains(
            "<!--f-l--><!--i--><li>3</li><!--i--><li>2</li><!--i--><li>1</li><!--/f-l-->"
        ));
        for bad in [
            Fragment::moves("f-l", vec![(3, 0)]),
            Fragment::moves("f-l", vec![(0, 3)]),
            Fragment::moves("f-l", vec![(0, 1), (9, 0)]),
            Fragment::moves("f-l", vec![]),
            Fragment::moves("f-p", vec![(0, 0)]),
            Fragment::reorder("f-l", vec![1, 0]),
            Fragment::reorder("f-l", vec![0, 1, 3]),
        ] {
            let before = r.html().to_owned();
            assert!(r.apply(std::slice::from_ref(&bad)).is_err(), "{bad:?}");
            assert_eq!(r.html(), before);
        }
        assert_eq!(
            r.apply(&[Fragment::moves("f-l", vec![(0, 3)])])
                .unwrap_err()
                .to_string(),
            "fragment f-l: bad granular operation: move 0 to 3 in a list of 3 items"
        );
    }

    #[test]
    fn replacement_forgets_nested_caches() {
        let mut r = Reconstructor::new(PAGE);
        r.apply(&[sd(
            Some(&["<p>", "", "</p>"]),
            &[(0, html("y")), (1, DynamicValue::Fragment("f-c".into()))],
        )])
        .unwrap();
        assert!(r.has_statics("f-p"));
        r.apply(&[Fragment::replacement("f-r", "new")]).unwrap();
        assert_eq!(r.html(), "<!--f-r-->new<!--/f-r-->");
        assert!(r.cached_ids().is_empty());
    }

    #[test]
    fn rejects_bad_input_atomically() {
        let mut r = Reconstructor::new(PAGE);
        let ok = Fragment::replacement("f-c", "C");
        let p = |position, length| ValuePatch {
            position,
            length,
            new_value: "v".into(),
        };
        let mut wrong_action = Fragment::replacement("f-c", "x");
        wrong_action.action = "patch".into();
        let bad = vec![
            Fragment::replacement("f-nope", "x"),
            wrong_action,
            // static_dynamic without cache
            sd(None, &[(0, html("y"))]),
            // too few / too many / out-of-range dynamics
            sd(Some(&["<p>", "", "</p>"]), &[(0, html("y"))]),
            sd(Some(&["<p>", "</p>"]), &[(0, html("y")), (1, html("z"))]),
            sd(Some(&["<p>", "</p>"]), &[(1, html("y"))]),
            // the same child twice
            sd(
                Some(&["<p>", "", "</p>"]),
                &[
                    (0, DynamicValue::Fragment("f-c".into())),
                    (1, DynamicValue::Fragment("f-c".into())),
                ],
            ),
            // child not inside the fragment
            sd(
                Some(&["<p>", "</p>"]),
                &[(0, DynamicValue::Fragment("f-l".into()))],
            ),
            // patches: out of range, overlapping, unsorted, overflow, utf-8
            Fragment::markers("f-c", vec![p(0, 2)]),
            Fragment::markers("f-p", vec![p(0, 2), p(1, 1)]),
            Fragment::markers("f-p", vec![p(3, 0), p(1, 1)]),
            Fragment::markers("f-p", vec![p(usize::MAX, 2)]),
        ];
        for b in bad {
            let before = r.html().to_owned();
            let res = r.apply(&[ok.clone(), b.clone()]);
            assert!(res.is_err(), "{b:?}");
            assert_eq!(r.html(), before, "{b:?}");
        }
        let mut r = Reconstructor::new("<!--f-a-->é<!--/f-a-->");
        assert!(r.apply(&[Fragment::markers("f-a", vec![p(1, 0)])]).is_err());
        assert!(r.apply(&[Fragment::markers("f-a", vec![p(0, 1)])]).is_err());
        r.apply(&[Fragment::markers("f-a", vec![p(0, 2), p(2, 0)])])
            .unwrap();
        assert_eq!(r.html(), "<!--f-a-->vv<!--/f-a-->");
        // a page without the closing marker
        let mut r = Reconstructor::new("<!--f-a-->x");
        assert!(r.apply(&[Fragment::replacement("f-a", "y")]).is_err());
        assert_eq!(r.html(), "<!--f-a-->x");
    }

    #[test]
    fn adjacent_zero_length_patches_keep_order() {
        let mut r = Reconstructor::new("<!--f-a-->ab<!--/f-a-->");
        let p = |position, length, v: &str| ValuePatch {
            position,
            length,
            new_value: v.into(),
        };
        r.apply(&[Fragment::markers(
            "f-a",
            vec![p(1, 0, "x"), p(1, 0, "y"), p(1, 1, "B")],
        )])
        .unwrap();
        assert_eq!(r.html(), "<!--f-a-->axyB<!--/f-a-->");
    }

    /// Random (mostly wrong) fragments never panic, and a rejected list
    /// leaves the page untouched.
    #[test]
    fn random_fragments_never_panic() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let ids = ["f-r", "f-p", "f-c", "f-l", "f-zz"];
        let texts = ["", "é", "<!--i-->", "<!--f-c-->", "<!--/f-c-->", "x"];
        let mut r = Reconstructor::new(PAGE);
        let mut applied = 0;
        for _ in 0..20_000 {
            let id = ids[next(ids.len())];
            let text = texts[next(texts.len())];
            let f = match next(4) {
                0 => Fragment::replacement(id, text),
                1 => Fragment::markers(
                    id,
                    (0..next(3))
                        .map(|_| ValuePatch {
                            position: next(40),
                            length: next(4),
                            new_value: text.into(),
                        })
                        .collect(),
                ),
                2 => {
                    let op = [
                        GranularOp::Append,
                        GranularOp::Prepend,
                        GranularOp::Insert,
                        GranularOp::Remove,
                    ][next(4)];
                    Fragment::granular(id, op, Some(text.into()), next(4))
                }
                _ => {
                    let n = next(3);
                    let statics: Vec<&str> = (0..=n).map(|_| texts[next(texts.len())]).collect();
                    let dyns: Vec<(usize, DynamicValue)> = (0..n + next(2))
                        .map(|i| {
                            let v = if next(3) == 0 {
                                DynamicValue::Fragment(ids[next(ids.len())].into())
                            } else {
                                html(text)
                            };
                            (i, v)
                        })
                        .collect();
                    let with_statics = next(2) == 0;
                    let mut f = sd(with_statics.then_some(&statics[..]), &dyns);
                    f.id = id.into();
                    f
                }
            };
            let before = r.html().to_owned();
            match r.apply(std::slice::from_ref(&f)) {
                Ok(()) => applied += 1,
                Err(_) => assert_eq!(r.html(), before),
            }
            if r.html().len() > 4096 || next(50) == 0 {
                r = Reconstructor::new(PAGE);
            }
        }
        assert!(applied > 100);
    }
}
