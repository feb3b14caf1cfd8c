//! The wire format of live updates: [`Fragment`]s, serialised as JSON.
//!
//! Every fragment names a region of the page by its id (the page carries
//! `<!--ID-->` … `<!--/ID-->` around it) and says how to rewrite the region's
//! content — the text between the two markers — with one of four strategies.
//!
//! # The wire form (protocol 2)
//!
//! A fragment is one JSON array: its id without the `f-` prefix (a
//! generated id cut to its first 4 digits, which are unique within its
//! template: `livetemplate_shared::wire_id`), a code for the strategy and
//! action, then the payload, positionally. Bytes on
//! the socket are the measure (DESIGN.md, "Wire"), so nothing is named that
//! the code already says.
//!
//! | strategy | action | wire | Rust data |
//! |---|---|---|---|
//! | `static_dynamic` | `update` | `[id, 0, dynamics]` or `[id, 0, dynamics, statics]` | `dynamics` an object by index (`{"3": "42"}`, see [`DynamicValue`]); `statics` only when the client lacks them |
//! | `markers` | `patch` | `[id, 1, position, length, new_value, …]` (one triple per patch) | [`MarkersData`] |
//! | `granular` | `append` / `prepend` / `insert` / `remove` / `move` | `[id, 2, position, content]` (content the item's HTML, or its dynamics `[…]` then maybe the item statics `[…]`), code 3 prepend, 4 insert, `[id, 5, position]` remove, `[id, 7, from, to, from, to, …]` move, `[id, 8, old index, …]` reorder (one per item) | [`GranularData`] |
//! | `replacement` | `replace` | `[id, 6, content]` | [`ReplacementData`] |
//!
//! A child fragment inside dynamics is `{"f": id}`, also without the prefix.
//! `serde_json::to_string(&fragments)` of an update is the list of these
//! arrays; the server's update message puts the page version in front of
//! them (`livetemplate::serve::ServerMessage`).
//!
//! Deserialisation validates the whole fragment (a known code, a payload
//! that matches it, nothing more, a well-formed id) and never panics:
//! fragments may come from anywhere. See [`crate::reconstruct`] for how a
//! client applies them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use livetemplate_shared::wire_id;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// One update of one region of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// The region's id: `f-` followed by letters and digits (borrowed
    /// from the template's description when the server made the fragment).
    pub id: Cow<'static, str>,
    /// How `data` rewrites the region.
    pub strategy: Strategy,
    /// The strategy's action: `update`, `patch`, the granular operation, or
    /// `replace` (see [`Fragment::validate`]).
    pub action: Cow<'static, str>,
    /// The strategy's payload.
    pub data: FragmentData,
}

/// The four update strategies, serialised as `"static_dynamic"`,
/// `"markers"`, `"granular"` and `"replacement"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Statics (once) and the changed dynamics of the region's block.
    StaticDynamic,
    /// Byte-range patches of the region's content.
    Markers,
    /// One range item added or removed.
    Granular,
    /// The region's whole new content.
    Replacement,
}

impl Strategy {
    /// All strategies, in order of preference of the selection rule.
    pub const ALL: [Strategy; 4] = [
        Strategy::StaticDynamic,
        Strategy::Markers,
        Strategy::Granular,
        Strategy::Replacement,
    ];

    /// The wire name, e.g. `"static_dynamic"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::StaticDynamic => "static_dynamic",
            Strategy::Markers => "markers",
            Strategy::Granular => "granular",
            Strategy::Replacement => "replacement",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The payload of a fragment; the variant must match [`Fragment::strategy`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FragmentData {
    /// `static_dynamic`.
    StaticDynamic(StaticDynamicData),
    /// `markers`.
    Markers(MarkersData),
    /// `granular`.
    Granular(GranularData),
    /// `replacement`.
    Replacement(ReplacementData),
}

impl FragmentData {
    /// The strategy this payload belongs to.
    pub fn strategy(&self) -> Strategy {
        match self {
            FragmentData::StaticDynamic(_) => Strategy::StaticDynamic,
            FragmentData::Markers(_) => Strategy::Markers,
            FragmentData::Granular(_) => Strategy::Granular,
            FragmentData::Replacement(_) => Strategy::Replacement,
        }
    }
}

/// `static_dynamic` data, in one of two forms.
///
/// **Block form** (the root, an `if`/`with`/`template` region, a range's
/// `else`): the region's content is `statics[0] + d0 + statics[1] + … +
/// statics[n]`, each `dK` an [`DynamicValue::Html`] string or a child
/// region [`DynamicValue::Fragment`].
///
/// **List form** (a range region's items, when only text inside them
/// changed): `statics` are the item block's statics and `dynamics` holds
/// every item `k` as [`DynamicValue::Item`], the array of its dynamics as
/// trees; the content is `<!--i-->` + item 0 + `<!--i-->` + item 1 + ….
///
/// Without `statics`, the client already holds the tree of that form: the
/// dynamics are the changes to merge into it, by index, nested for blocks
/// ([`DynamicValue::Changes`]). Or it holds only the statics (after a
/// `markers` or `granular` update of the region, or from a granular item):
/// the dynamics are then all of them, as with statics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaticDynamicData {
    /// The block's static text, `dynamics count + 1` pieces (the item
    /// block's for the list form); omitted when the client already holds
    /// them (it then merges `dynamics` into the ones it holds).
    pub statics: Option<Vec<String>>,
    /// With `statics`: every dynamic (block form) or every item (list
    /// form). Without: the changed ones.
    pub dynamics: BTreeMap<usize, DynamicValue>,
}

impl StaticDynamicData {
    /// True for the list form with statics: `statics` given and every
    /// dynamic an [`DynamicValue::Item`] (at least one).
    pub fn is_list_form(&self) -> bool {
        self.statics.is_some() && self.is_every_item()
    }

    /// True when every dynamic is an [`DynamicValue::Item`] (at least
    /// one): the list form, with statics or with the ones the client keeps.
    pub fn is_every_item(&self) -> bool {
        !self.dynamics.is_empty()
            && self
                .dynamics
                .values()
                .all(|v| matches!(v, DynamicValue::Item(_)))
    }
}

/// The value of one dynamic in `static_dynamic` data, or a node of a list
/// form's tree.
///
/// | variant | JSON | where |
/// |---|---|---|
/// | `Html` | `"<b>x</b>"` | anywhere: a slot's escaped value, a folded block's HTML, a changed leaf |
/// | `Fragment` | `{"f": "f-…"}` | block form: a child region, kept from the page |
/// | `Item` | `["a", {"s": …}]` | list form with statics: one item's dynamics |
/// | `Block` | `{"s": ["<i>", "</i>"], "d": ["x"]}` | in a tree: a folded `if`/`with`/`template` or a range's `else` |
/// | `List` | `{"s": ["<td>", "</td>"], "l": [["1"], ["2"]]}` | in a tree: a folded range's items |
/// | `Changes` | `{"3": "x", "5": {"0": "y"}}` | without statics: changes to merge into a node the client holds |
///
/// A tree node is rendered like a block: `s[0] + d0 + s[1] + … + s[n]`,
/// once per item for a `List`. `Changes` into a `Block` or an item are by
/// dynamic index; into a `List`, by item index, each an item's `Changes`.
/// An `Html` change replaces the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DynamicValue {
    /// HTML to insert as is (a slot's escaped value or a folded block's HTML);
    /// serialised as a JSON string.
    Html(String),
    /// A child fragment, `{"f": "<id>"}`: its whole current region
    /// (markers included) is kept from the page.
    Fragment(String),
    /// A range item's dynamics (list form), a JSON array.
    Item(Vec<DynamicValue>),
    /// A folded block: its statics and dynamics, `{"s": [...], "d": [...]}`.
    Block {
        /// `dynamics.len() + 1` pieces.
        statics: Vec<String>,
        /// Tree values.
        dynamics: Vec<DynamicValue>,
    },
    /// A folded range's items, `{"s": [...], "l": [[...], ...]}`.
    List {
        /// The item block's statics, `item length + 1` pieces.
        statics: Vec<String>,
        /// Each item's dynamics (tree values).
        items: Vec<Vec<DynamicValue>>,
    },
    /// Changes by index, `{"3": ...}`, sorted by index, each index once
    /// (a short vector rather than a map: it is built on every update).
    Changes(Vec<(usize, DynamicValue)>),
}

impl Serialize for DynamicValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DynamicValue::Html(h) => s.serialize_str(h),
            DynamicValue::Fragment(id) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("f", wire_id(id))?;
                m.end()
            }
            DynamicValue::Item(values) => Values(values).serialize(s),
            DynamicValue::Block { statics, dynamics } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("s", statics)?;
                m.serialize_entry("d", &Values(dynamics))?;
                m.end()
            }
            DynamicValue::List { statics, items } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("s", statics)?;
                m.serialize_entry("l", &Rows(items))?;
                m.end()
            }
            DynamicValue::Changes(changes) => {
                let mut m = s.serialize_map(Some(changes.len()))?;
                for (k, v) in changes {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    }
}

/// A list of values (an item's, a block's) on the wire: a string equal to
/// an earlier string of the list is written as that one's index when
/// shorter (an item repeating its id in several attributes sends it once).
/// Only the first [`MAX_REFERRED`] values are referred to.
struct Values<'a>(&'a [DynamicValue]);

/// How many values of a list [`Values`] compares a string with.
const MAX_REFERRED: usize = 32;

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut a = s.serialize_seq(Some(self.0.len()))?;
        for (i, v) in self.0.iter().enumerate() {
            let earlier = match v {
                DynamicValue::Html(h) => self.0[..i.min(MAX_REFERRED)]
                    .iter()
                    .position(|e| matches!(e, DynamicValue::Html(x) if x == h))
                    // a reference is its digits, the string at least its quotes
                    .filter(|j| decimal_len(*j) < h.len() + 2),
                _ => None,
            };
            match earlier {
                Some(j) => a.serialize_element(&j)?,
                None => a.serialize_element(v)?,
            }
        }
        a.end()
    }
}

/// Rows of values (a list's items), each as [`Values`].
struct Rows<'a>(&'a [Vec<DynamicValue>]);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|r| Values(r)))
    }
}

fn decimal_len(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// A list of values read from the wire, references resolved (see
/// [`Values`]).
struct ValueList(Vec<DynamicValue>);

impl<'de> Deserialize<'de> for ValueList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of values")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, a: A) -> Result<ValueList, A::Error> {
                read_values(a).map(ValueList)
            }
        }
        d.deserialize_seq(V)
    }
}

/// The values of a list, each a value or the index of an earlier string.
fn read_values<'de, A: de::SeqAccess<'de>>(mut a: A) -> Result<Vec<DynamicValue>, A::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Element {
        Earlier(u64),
        Value(DynamicValue),
    }
    let mut values = Vec::new();
    while let Some(e) = a.next_element::<Element>()? {
        values.push(match e {
            Element::Value(v) => v,
            Element::Earlier(j) => match usize::try_from(j).ok().and_then(|j| values.get(j)) {
                Some(DynamicValue::Html(h)) => DynamicValue::Html(h.clone()),
                _ => {
                    return Err(de::Error::custom(format!(
                        "value {}: {j} is not the index of an earlier string",
                        values.len()
                    )))
                }
            },
        });
    }
    Ok(values)
}

/// An index key as serde_json reads a `usize` map key: decimal digits, no
/// leading zero, below 2^64.
fn index_key(k: &str) -> Option<usize> {
    let digits = !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit());
    if !digits || (k.len() > 1 && k.starts_with('0')) {
        return None;
    }
    k.parse::<u64>().ok().and_then(|n| usize::try_from(n).ok())
}

impl<'de> Deserialize<'de> for DynamicValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DynamicValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an HTML string, {\"f\": id}, an item array, {\"s\", \"d\"}, {\"s\", \"l\"} or changes by index",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DynamicValue, E> {
                Ok(DynamicValue::Html(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<DynamicValue, E> {
                Ok(DynamicValue::Html(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, a: A) -> Result<DynamicValue, A::Error> {
                Ok(DynamicValue::Item(read_values(a)?))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<DynamicValue, A::Error> {
                const FIELDS: &[&str] = &["f", "s", "d", "l"];
                let mut id: Option<String> = None;
                let mut statics: Option<Vec<String>> = None;
                let mut dynamics: Option<ValueList> = None;
                let mut items: Option<Vec<ValueList>> = None;
                let mut changes = BTreeMap::new();
                fn once<T, E: de::Error>(
                    slot: &mut Option<T>,
                    v: T,
                    name: &'static str,
                ) -> Result<(), E> {
                    match slot.replace(v) {
                        Some(_) => Err(E::duplicate_field(name)),
                        None => Ok(()),
                    }
                }
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "f" => once(&mut id, m.next_value()?, "f")?,
                        "s" => once(&mut statics, m.next_value()?, "s")?,
                        "d" => once(&mut dynamics, m.next_value()?, "d")?,
                        "l" => once(&mut items, m.next_value()?, "l")?,
                        k => match index_key(k) {
                            Some(i) => {
                                changes.insert(i, m.next_value()?);
                            }
                            None => return Err(de::Error::unknown_field(k, FIELDS)),
                        },
                    }
                }
                let named = usize::from(id.is_some())
                    + usize::from(statics.is_some())
                    + usize::from(dynamics.is_some())
                    + usize::from(items.is_some());
                if named > 0 && !changes.is_empty() {
                    return Err(de::Error::custom("a dynamic mixes fields and indices"));
                }
                match (id, statics, dynamics, items) {
                    (None, None, None, None) => {
                        Ok(DynamicValue::Changes(changes.into_iter().collect()))
                    }
                    (Some(id), None, None, None) => Ok(DynamicValue::Fragment(read_id(&id)?)),
                    (None, Some(statics), Some(dynamics), None) => Ok(DynamicValue::Block {
                        statics,
                        dynamics: dynamics.0,
                    }),
                    (None, Some(statics), None, Some(items)) => Ok(DynamicValue::List {
                        statics,
                        items: items.into_iter().map(|i| i.0).collect(),
                    }),
                    _ => Err(de::Error::custom(
                        "a dynamic object is {\"f\"}, {\"s\", \"d\"}, {\"s\", \"l\"} or changes by index",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `markers` data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MarkersData {
    /// Sorted by position, non-overlapping, all relative to the content
    /// before any patch.
    pub patches: Vec<ValuePatch>,
}

/// Replace `length` bytes at byte offset `position` of the region's content
/// with `new_value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuePatch {
    /// Byte offset in the region's content (between its markers).
    pub position: usize,
    /// Bytes replaced.
    pub length: usize,
    /// Replacement text.
    pub new_value: String,
}

/// `granular` data: one range-item operation, a list of moves, or a new
/// order of the items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GranularData {
    /// What to do; also the fragment's `action`.
    pub operation: GranularOp,
    /// The item's HTML, without the item marker (or [`GranularData::item`]
    /// instead); absent for `remove`, `move` and `reorder`.
    pub content: Option<String>,
    /// Instead of `content`: the item's dynamics as a tree, as in the list
    /// form of [`StaticDynamicData`], rendered with the list's item
    /// statics. Those come with it in `statics` the first time, and the
    /// client keeps them for the region (until the region is replaced).
    pub item: Option<Vec<DynamicValue>>,
    /// With `item`, when the client lacks them: the statics of the list's
    /// item block (`item.len() + 1` pieces).
    pub statics: Option<Vec<String>>,
    /// Item index at the time the operation applies: the new item's index
    /// (`append`: the item count, `prepend`: 0) or the removed item's; 0
    /// for `move`.
    pub position: usize,
    /// `move` only (and at least one): `(from, to)` pairs applied in
    /// order, each taking item `from` out and putting it back at index `to`
    /// of the list without it (so both are below the item count).
    pub moves: Vec<(usize, usize)>,
    /// `reorder` only: for each place of the new list, the old index of
    /// the item now there (a permutation of `0..n`, `n` the item count).
    pub order: Vec<usize>,
}

impl GranularData {
    /// `operation` with nothing else: no content, position 0, no moves.
    fn of(operation: GranularOp) -> Self {
        GranularData {
            operation,
            content: None,
            position: 0,
            moves: Vec::new(),
            order: Vec::new(),
            item: None,
            statics: None,
        }
    }
}

/// A granular operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GranularOp {
    /// Add an item at the end (`position` = item count).
    Append,
    /// Add an item at the start (`position` = 0).
    Prepend,
    /// Add an item before item `position` (or at the end).
    Insert,
    /// Remove item `position`.
    Remove,
    /// Reorder items: [`GranularData::moves`].
    Move,
    /// Reorder items: [`GranularData::order`].
    Reorder,
}

impl GranularOp {
    /// The operations, in the order of their wire codes.
    pub const ALL: [GranularOp; 6] = [
        GranularOp::Append,
        GranularOp::Prepend,
        GranularOp::Insert,
        GranularOp::Remove,
        GranularOp::Move,
        GranularOp::Reorder,
    ];

    /// True for the operations that add an item (with its content).
    pub fn adds(self) -> bool {
        matches!(
            self,
            GranularOp::Append | GranularOp::Prepend | GranularOp::Insert
        )
    }

    /// The operation's code on the wire (`[id, code, position, …]`).
    fn code(self) -> u8 {
        match self {
            GranularOp::Move => code::MOVE,
            GranularOp::Reorder => code::REORDER,
            op => code::APPEND + op as u8,
        }
    }

    /// The name, also the fragment's action.
    pub fn as_str(self) -> &'static str {
        match self {
            GranularOp::Append => "append",
            GranularOp::Prepend => "prepend",
            GranularOp::Insert => "insert",
            GranularOp::Remove => "remove",
            GranularOp::Move => "move",
            GranularOp::Reorder => "reorder",
        }
    }
}

/// `replacement` data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplacementData {
    /// The region's whole new content (between its markers).
    pub content: String,
}

/// A fragment that does not hold together (see [`Fragment::validate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FragmentError {
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FragmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid fragment: {}", self.message)
    }
}

impl std::error::Error for FragmentError {}

fn invalid(message: impl Into<String>) -> FragmentError {
    FragmentError {
        message: message.into(),
    }
}

/// True for a well-formed fragment id: `f-` then 1 to 64 ASCII letters or
/// digits (so that `<!--ID-->` can be searched for unambiguously).
pub fn is_valid_id(id: &str) -> bool {
    match id.strip_prefix("f-") {
        Some(rest) => {
            !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    }
}

impl Fragment {
    /// A `static_dynamic` fragment (action `update`).
    pub fn static_dynamic(id: impl Into<Cow<'static, str>>, data: StaticDynamicData) -> Self {
        Fragment {
            id: id.into(),
            strategy: Strategy::StaticDynamic,
            action: Cow::Borrowed("update"),
            data: FragmentData::StaticDynamic(data),
        }
    }

    /// A `markers` fragment (action `patch`).
    pub fn markers(id: impl Into<Cow<'static, str>>, patches: Vec<ValuePatch>) -> Self {
        Fragment {
            id: id.into(),
            strategy: Strategy::Markers,
            action: Cow::Borrowed("patch"),
            data: FragmentData::Markers(MarkersData { patches }),
        }
    }

    /// A `granular` fragment (action = the operation). `content` is ignored
    /// for [`GranularOp::Remove`], [`GranularOp::Move`] and
    /// [`GranularOp::Reorder`].
    pub fn granular(
        id: impl Into<Cow<'static, str>>,
        operation: GranularOp,
        content: Option<String>,
        position: usize,
    ) -> Self {
        Fragment::granular_data(
            id,
            GranularData {
                content: operation.adds().then(|| content.unwrap_or_default()),
                position,
                ..GranularData::of(operation)
            },
        )
    }

    /// A `granular` fragment of action `move`: `(from, to)` pairs applied
    /// in order (see [`GranularData::moves`]).
    pub fn moves(id: impl Into<Cow<'static, str>>, moves: Vec<(usize, usize)>) -> Self {
        Fragment::granular_data(
            id,
            GranularData {
                moves,
                ..GranularData::of(GranularOp::Move)
            },
        )
    }

    /// A `granular` fragment of action `reorder`: the old index of the item
    /// at each place of the new list (see [`GranularData::order`]).
    pub fn reorder(id: impl Into<Cow<'static, str>>, order: Vec<usize>) -> Self {
        Fragment::granular_data(
            id,
            GranularData {
                order,
                ..GranularData::of(GranularOp::Reorder)
            },
        )
    }

    /// A `granular` fragment that adds an item given as its dynamics (see
    /// [`GranularData::item`]), with the item statics when the client lacks
    /// them. `operation` is `append`, `prepend` or `insert`.
    pub fn granular_item(
        id: impl Into<Cow<'static, str>>,
        operation: GranularOp,
        item: Vec<DynamicValue>,
        statics: Option<Vec<String>>,
        position: usize,
    ) -> Self {
        Fragment::granular_data(
            id,
            GranularData {
                position,
                item: Some(item),
                statics,
                ..GranularData::of(operation)
            },
        )
    }

    fn granular_data(id: impl Into<Cow<'static, str>>, data: GranularData) -> Self {
        Fragment {
            id: id.into(),
            strategy: Strategy::Granular,
            action: Cow::Borrowed(data.operation.as_str()),
            data: FragmentData::Granular(data),
        }
    }

    /// A `replacement` fragment (action `replace`).
    pub fn replacement(id: impl Into<Cow<'static, str>>, content: impl Into<String>) -> Self {
        Fragment {
            id: id.into(),
            strategy: Strategy::Replacement,
            action: Cow::Borrowed("replace"),
            data: FragmentData::Replacement(ReplacementData {
                content: content.into(),
            }),
        }
    }

    /// Bytes of the fragment's wire form (`serde_json`), counted without
    /// allocating. An update's list of `n` fragments is their sum plus
    /// `n + 1` (brackets and commas).
    pub fn wire_len(&self) -> usize {
        struct Count(usize);
        impl std::io::Write for Count {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0 += buf.len();
                Ok(buf.len())
            }
            fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
                self.0 += buf.len();
                Ok(())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut count = Count(0);
        // Cannot fail: the writer does not, and every map key is a string
        // or an integer.
        let _ = serde_json::to_writer(&mut count, self);
        count.0
    }

    /// At least [`Fragment::wire_len`] less the bytes that escaping adds to
    /// its strings: their lengths plus a generous allowance for everything
    /// else, found without reading a byte of them.
    pub(crate) fn wire_len_bound(&self) -> usize {
        /// `s` as a JSON string before escapes, quotes and a separator included.
        fn text(s: &str) -> usize {
            s.len() + 3
        }
        /// A number and its separator, at most (u64::MAX has 20 digits).
        const NUMBER: usize = 21;
        fn value(v: &DynamicValue) -> usize {
            // brackets, a key of up to 20 digits, quotes, colon, comma
            const ENTRY: usize = 26;
            ENTRY
                + match v {
                    DynamicValue::Html(h) => text(h),
                    DynamicValue::Fragment(id) => text(wire_id(id)) + 6,
                    DynamicValue::Item(vs) => vs.iter().map(value).sum(),
                    DynamicValue::Block { statics, dynamics } => {
                        statics.iter().map(|s| text(s)).sum::<usize>()
                            + dynamics.iter().map(value).sum::<usize>()
                            + 12
                    }
                    DynamicValue::List { statics, items } => {
                        statics.iter().map(|s| text(s)).sum::<usize>()
                            + items.iter().flatten().map(value).sum::<usize>()
                            + 3 * items.len()
                            + 12
                    }
                    DynamicValue::Changes(c) => c.iter().map(|(_, v)| value(v)).sum(),
                }
        }
        let payload = match &self.data {
            FragmentData::StaticDynamic(sd) => {
                sd.dynamics.values().map(value).sum::<usize>()
                    + sd.statics.iter().flatten().map(|s| text(s)).sum::<usize>()
            }
            FragmentData::Markers(m) => m
                .patches
                .iter()
                .map(|p| 2 * NUMBER + text(&p.new_value))
                .sum(),
            FragmentData::Granular(g) => {
                NUMBER
                    + g.content.as_deref().map_or(0, text)
                    + g.item.iter().flatten().map(value).sum::<usize>()
                    + g.statics.iter().flatten().map(|s| text(s)).sum::<usize>()
                    + 2 * NUMBER * g.moves.len()
                    + NUMBER * g.order.len()
            }
            FragmentData::Replacement(r) => text(&r.content),
        };
        // brackets, the id, the code, and the containers of the payload
        text(wire_id(&self.id)) + payload + 16
    }

    /// The action a fragment with this data must carry.
    pub fn expected_action(data: &FragmentData) -> &'static str {
        match data {
            FragmentData::StaticDynamic(_) => "update",
            FragmentData::Markers(_) => "patch",
            FragmentData::Granular(g) => g.operation.as_str(),
            FragmentData::Replacement(_) => "replace",
        }
    }

    /// Checks that the fragment holds together: a well-formed id, `data`
    /// of the declared strategy, the matching action, `content` present
    /// exactly when the granular operation adds an item, and `{"f": id}`
    /// values with well-formed ids. (Whether it fits a page is the
    /// reconstructor's business.)
    pub fn validate(&self) -> Result<(), FragmentError> {
        if !is_valid_id(&self.id) {
            return Err(invalid(format!("invalid fragment id {:?}", self.id)));
        }
        if self.data.strategy() != self.strategy {
            return Err(invalid(format!(
                "strategy {} with {} data",
                self.strategy,
                self.data.strategy()
            )));
        }
        let action = Fragment::expected_action(&self.data);
        if self.action != action {
            return Err(invalid(format!(
                "action {:?} for strategy {} (expected {action:?})",
                self.action, self.strategy
            )));
        }
        match &self.data {
            FragmentData::Granular(g) => {
                let adds = g.operation.adds();
                if adds != (g.content.is_some() || g.item.is_some()) {
                    return Err(invalid(if adds {
                        "granular add without content"
                    } else {
                        "granular remove, move or reorder with content"
                    }));
                }
                if g.content.is_some() && g.item.is_some() {
                    return Err(invalid("granular add with both content and an item"));
                }
                match (&g.item, &g.statics) {
                    (None, Some(_)) => return Err(invalid("granular statics without an item")),
                    (Some(_), Some(statics)) if statics.is_empty() => {
                        return Err(invalid("empty statics"))
                    }
                    (Some(item), _) => item.iter().try_for_each(tree_node)?,
                    (None, None) => {}
                }
                let moves = g.operation == GranularOp::Move;
                if moves == g.moves.is_empty() || (moves && g.position != 0) {
                    return Err(invalid(if moves {
                        "granular move without moves, or with a position"
                    } else {
                        "moves in a granular operation other than move"
                    }));
                }
                let reorders = g.operation == GranularOp::Reorder;
                if reorders
                    && (g.position != 0
                        || g.order.is_empty()
                        || !crate::reorder::is_permutation(&g.order))
                {
                    return Err(invalid(
                        "granular reorder without an order that is a permutation, or with a position",
                    ));
                }
                if !reorders && !g.order.is_empty() {
                    return Err(invalid(
                        "an order in a granular operation other than reorder",
                    ));
                }
            }
            FragmentData::StaticDynamic(sd) => validate_static_dynamic(sd)?,
            FragmentData::Markers(_) | FragmentData::Replacement(_) => {}
        }
        Ok(())
    }
}

/// A node of a list form's tree: HTML, a block or a list.
fn tree_node(v: &DynamicValue) -> Result<(), FragmentError> {
    match v {
        DynamicValue::Html(_) => Ok(()),
        DynamicValue::Block { dynamics, .. } => dynamics.iter().try_for_each(tree_node),
        DynamicValue::List { items, .. } => items.iter().flatten().try_for_each(tree_node),
        _ => Err(invalid("a tree holds HTML, blocks and lists only")),
    }
}

/// Which [`DynamicValue`]s may stand where (see [`StaticDynamicData`]).
/// Whether counts fit (statics against dynamics, items against the page)
/// is the reconstructor's business.
fn validate_static_dynamic(sd: &StaticDynamicData) -> Result<(), FragmentError> {
    fn child_id(id: &str) -> Result<(), FragmentError> {
        match is_valid_id(id) {
            true => Ok(()),
            false => Err(invalid(format!("invalid child fragment id {id:?}"))),
        }
    }
    /// A change to merge: HTML or changes by index.
    fn change(v: &DynamicValue) -> Result<(), FragmentError> {
        match v {
            DynamicValue::Html(_) => Ok(()),
            DynamicValue::Changes(c) => {
                if c.windows(2).any(|w| w[0].0 >= w[1].0) {
                    return Err(invalid("changes not sorted by index, or an index twice"));
                }
                c.iter().try_for_each(|(_, v)| change(v))
            }
            _ => Err(invalid("changes hold HTML and changes by index only")),
        }
    }
    let mut values = sd.dynamics.values();
    match &sd.statics {
        Some(statics) if statics.is_empty() => Err(invalid("empty statics")),
        Some(_) if sd.is_list_form() => values
            .flat_map(|v| match v {
                DynamicValue::Item(item) => item.as_slice(),
                _ => &[],
            })
            .try_for_each(tree_node),
        Some(_) => values.try_for_each(|v| match v {
            DynamicValue::Html(_) => Ok(()),
            DynamicValue::Fragment(id) => child_id(id),
            _ => Err(invalid(
                "with statics, dynamics are all HTML or child fragments (block form) or all items (list form)",
            )),
        }),
        // every item, with the item statics the client keeps
        None if sd.is_every_item() => {
            values
                .flat_map(|v| match v {
                    DynamicValue::Item(item) => item.as_slice(),
                    _ => &[],
                })
                .try_for_each(tree_node)
        }
        None => values.try_for_each(|v| match v {
            DynamicValue::Fragment(id) => child_id(id),
            v => change(v),
        }),
    }
}

// ---------------------------------------------------------------------------
// The wire form (see the module docs): one JSON array per fragment.

/// Wire codes of the strategies and actions (`[id, code, …]`).
mod code {
    pub const UPDATE: u8 = 0;
    pub const PATCH: u8 = 1;
    pub const APPEND: u8 = 2;
    pub const PREPEND: u8 = 3;
    pub const INSERT: u8 = 4;
    pub const REMOVE: u8 = 5;
    pub const REPLACE: u8 = 6;
    pub const MOVE: u8 = 7;
    pub const REORDER: u8 = 8;
}

/// A fragment id read from the wire: the prefix put back, then checked.
fn read_id<E: de::Error>(wire: &str) -> Result<String, E> {
    let id = format!("f-{wire}");
    match is_valid_id(&id) {
        true => Ok(id),
        false => Err(E::custom(format!("invalid fragment id {wire:?}"))),
    }
}

impl Serialize for Fragment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut a = s.serialize_seq(None)?;
        a.serialize_element(wire_id(&self.id))?;
        match &self.data {
            FragmentData::StaticDynamic(sd) => {
                a.serialize_element(&code::UPDATE)?;
                a.serialize_element(&sd.dynamics)?;
                if let Some(statics) = &sd.statics {
                    a.serialize_element(statics)?;
                }
            }
            FragmentData::Markers(m) => {
                a.serialize_element(&code::PATCH)?;
                for (k, p) in m.patches.iter().enumerate() {
                    a.serialize_element(&p.position)?;
                    a.serialize_element(&p.length)?;
                    // a value an earlier patch has goes as that patch's
                    // index (`<title>` and `<h1>` of one field), as in
                    // lists of values (see `Values`)
                    let earlier = m.patches[..k.min(MAX_REFERRED)]
                        .iter()
                        .position(|e| e.new_value == p.new_value)
                        .filter(|j| decimal_len(*j) < p.new_value.len() + 2);
                    match earlier {
                        Some(j) => a.serialize_element(&j)?,
                        None => a.serialize_element(&p.new_value)?,
                    }
                }
            }
            FragmentData::Granular(g) if g.operation == GranularOp::Reorder => {
                a.serialize_element(&code::REORDER)?;
                for o in &g.order {
                    a.serialize_element(o)?;
                }
            }
            FragmentData::Granular(g) if g.operation == GranularOp::Move => {
                a.serialize_element(&code::MOVE)?;
                for (from, to) in &g.moves {
                    a.serialize_element(from)?;
                    a.serialize_element(to)?;
                }
            }
            FragmentData::Granular(g) => {
                a.serialize_element(&g.operation.code())?;
                a.serialize_element(&g.position)?;
                if let Some(content) = &g.content {
                    a.serialize_element(content)?;
                }
                if let Some(item) = &g.item {
                    a.serialize_element(&Values(item))?;
                    if let Some(statics) = &g.statics {
                        a.serialize_element(statics)?;
                    }
                }
            }
            FragmentData::Replacement(r) => {
                a.serialize_element(&code::REPLACE)?;
                a.serialize_element(&r.content)?;
            }
        }
        a.end()
    }
}

impl<'de> Deserialize<'de> for Fragment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fragment;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fragment: [id, code, ...]")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Fragment, A::Error> {
                fn next<'de, T: Deserialize<'de>, A: de::SeqAccess<'de>>(
                    a: &mut A,
                    what: &str,
                ) -> Result<T, A::Error> {
                    a.next_element()?
                        .ok_or_else(|| de::Error::custom(format!("fragment without {what}")))
                }
                let id: String = next(&mut a, "an id")?;
                let id = read_id(&id)?;
                let code: u8 = next(&mut a, "a code")?;
                let data = match code {
                    code::UPDATE => FragmentData::StaticDynamic(StaticDynamicData {
                        dynamics: next(&mut a, "dynamics")?,
                        statics: a.next_element()?,
                    }),
                    code::PATCH => {
                        let mut patches: Vec<ValuePatch> = Vec::new();
                        while let Some(position) = a.next_element()? {
                            /// A patch's value, or the index of an earlier patch's.
                            #[derive(Deserialize)]
                            #[serde(untagged)]
                            enum Value {
                                Text(String),
                                Earlier(usize),
                            }
                            let length = next(&mut a, "a patch's length")?;
                            let new_value = match next(&mut a, "a patch's value")? {
                                Value::Text(t) => t,
                                Value::Earlier(j) => match patches.get(j) {
                                    Some(e) => e.new_value.clone(),
                                    None => {
                                        return Err(de::Error::custom(format!(
                                            "patch {}: {j} is not the index of an earlier patch",
                                            patches.len()
                                        )))
                                    }
                                },
                            };
                            patches.push(ValuePatch {
                                position,
                                length,
                                new_value,
                            });
                        }
                        FragmentData::Markers(MarkersData { patches })
                    }
                    code::APPEND | code::PREPEND | code::INSERT | code::REMOVE => {
                        let operation = GranularOp::ALL[usize::from(code - code::APPEND)];
                        let position = next(&mut a, "a position")?;
                        // the item as HTML, or as dynamics (then its statics, maybe)
                        #[derive(Deserialize)]
                        #[serde(untagged)]
                        enum Added {
                            Html(String),
                            Item(ValueList),
                        }
                        let (content, item, statics) = match operation {
                            GranularOp::Remove => (None, None, None),
                            _ => match next(&mut a, "content")? {
                                Added::Html(h) => (Some(h), None, None),
                                Added::Item(item) => (None, Some(item.0), a.next_element()?),
                            },
                        };
                        FragmentData::Granular(GranularData {
                            content,
                            position,
                            item,
                            statics,
                            ..GranularData::of(operation)
                        })
                    }
                    code::MOVE => {
                        let mut moves = Vec::new();
                        while let Some(from) = a.next_element()? {
                            moves.push((from, next(&mut a, "a move's target")?));
                        }
                        FragmentData::Granular(GranularData {
                            moves,
                            ..GranularData::of(GranularOp::Move)
                        })
                    }
                    code::REORDER => {
                        let mut order = Vec::new();
                        while let Some(o) = a.next_element()? {
                            order.push(o);
                        }
                        FragmentData::Granular(GranularData {
                            order,
                            ..GranularData::of(GranularOp::Reorder)
                        })
                    }
                    code::REPLACE => FragmentData::Replacement(ReplacementData {
                        content: next(&mut a, "content")?,
                    }),
                    c => return Err(de::Error::custom(format!("unknown fragment code {c}"))),
                };
                if a.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("a fragment with extra elements"));
                }
                let f = Fragment {
                    id: id.into(),
                    strategy: data.strategy(),
                    action: Cow::Borrowed(Fragment::expected_action(&data)),
                    data,
                };
                f.validate().map_err(de::Error::custom)?;
                Ok(f)
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(f: &Fragment, json: &str) {
        assert_eq!(serde_json::to_string(f).unwrap(), json);
        assert_eq!(f.wire_len(), json.len());
        // each escape is a backslash and adds at most 5 bytes
        assert!(
            f.wire_len_bound() + 5 * json.matches('\\').count() >= json.len(),
            "{json}"
        );
        let back: Fragment = serde_json::from_str(json).unwrap();
        assert_eq!(&back, f);
    }

    #[test]
    fn static_dynamic_with_statics() {
        let mut dynamics = BTreeMap::new();
        dynamics.insert(0, DynamicValue::Html("a &amp; b".into()));
        dynamics.insert(1, DynamicValue::Fragment("f-00ff".into()));
        dynamics.insert(10, DynamicValue::Html(String::new()));
        let f = Fragment::static_dynamic(
            "f-1",
            StaticDynamicData {
                statics: Some(vec!["<p>".into(), "</p>".into()]),
                dynamics,
            },
        );
        round_trip(
            &f,
            r#"["1",0,{"0":"a &amp; b","1":{"f":"00ff"},"10":""},["<p>","</p>"]]"#,
        );
    }

    #[test]
    fn static_dynamic_without_statics() {
        let mut dynamics = BTreeMap::new();
        dynamics.insert(2, DynamicValue::Html("x".into()));
        let f = Fragment::static_dynamic(
            "f-1",
            StaticDynamicData {
                statics: None,
                dynamics,
            },
        );
        round_trip(&f, r#"["1",0,{"2":"x"}]"#);
    }

    #[test]
    fn every_item_without_statics() {
        let item = |x: &str| DynamicValue::Item(vec![DynamicValue::Html(x.into())]);
        let f = Fragment::static_dynamic(
            "f-l",
            StaticDynamicData {
                statics: None,
                dynamics: [(0, item("a")), (1, item("b"))].into(),
            },
        );
        round_trip(&f, r#"["l",0,{"0":["a"],"1":["b"]}]"#);
        // items and changes do not mix
        assert!(serde_json::from_str::<Fragment>(r#"["l",0,{"0":["a"],"1":"b"}]"#).is_err());
    }

    #[test]
    fn markers() {
        let f = Fragment::markers(
            "f-ab",
            vec![
                ValuePatch {
                    position: 3,
                    length: 2,
                    new_value: "on".into(),
                },
                ValuePatch {
                    position: 9,
                    length: 0,
                    new_value: "é".into(),
                },
            ],
        );
        round_trip(&f, r#"["ab",1,3,2,"on",9,0,"é"]"#);
    }

    #[test]
    fn granular_every_operation() {
        for (op, code, name) in [
            (GranularOp::Append, 2, "append"),
            (GranularOp::Prepend, 3, "prepend"),
            (GranularOp::Insert, 4, "insert"),
        ] {
            let f = Fragment::granular("f-9", op, Some("<li>x</li>".into()), 2);
            assert_eq!(f.action, name);
            round_trip(&f, &format!(r#"["9",{code},2,"<li>x</li>"]"#));
        }
        let item = vec![
            DynamicValue::Html("1".into()),
            DynamicValue::Block {
                statics: vec![" on".into()],
                dynamics: vec![],
            },
        ];
        let statics = Some(vec!["<li>".into(), "".into(), "</li>".into()]);
        let f = Fragment::granular_item("f-9", GranularOp::Insert, item.clone(), statics, 1);
        round_trip(
            &f,
            r#"["9",4,1,["1",{"s":[" on"],"d":[]}],["<li>","","</li>"]]"#,
        );
        let f = Fragment::granular_item("f-9", GranularOp::Append, item, None, 3);
        round_trip(&f, r#"["9",2,3,["1",{"s":[" on"],"d":[]}]]"#);
        let f = Fragment::moves("f-9", vec![(0, 3), (12, 0)]);
        assert_eq!(f.action, "move");
        round_trip(&f, r#"["9",7,0,3,12,0]"#);
        let f = Fragment::reorder("f-9", vec![2, 0, 1]);
        assert_eq!(f.action, "reorder");
        round_trip(&f, r#"["9",8,2,0,1]"#);
        let f = Fragment::granular("f-9", GranularOp::Remove, Some("ignored".into()), 0);
        round_trip(&f, r#"["9",5,0]"#);
    }

    #[test]
    fn replacement() {
        let f = Fragment::replacement("f-0", "<b>\"hi\"</b>\n");
        round_trip(&f, r#"["0",6,"<b>\"hi\"</b>\n"]"#);
    }

    #[test]
    fn rejects_malformed() {
        let bad = [
            // unknown code
            r#"["1",7,{}]"#,
            r#"["1",255,{}]"#,
            r#"["1",-1,{}]"#,
            r#"["1","update",{}]"#,
            // payload of another strategy
            r#"["1",1,"x"]"#,
            r#"["1",6,[]]"#,
            r#"["1",6]"#,
            r#"["1",0,"x"]"#,
            // extra elements
            r#"["1",6,"x",1]"#,
            r#"["1",0,{},["a"],1]"#,
            r#"["1",5,0,"x"]"#,
            // too few elements
            r#"["1",1,0,0]"#,
            r#"["1",1,0]"#,
            r#"["1",4,"x",0]"#,
            // granular content rules
            r#"["1",2,0]"#,
            r#"["1",3,0]"#,
            r#"["1",4,0]"#,
            r#"["1",5]"#,
            r#"["1",7]"#,
            r#"["1",7,0]"#,
            r#"["1",7,0,1,2]"#,
            r#"["1",7,0,-1]"#,
            r#"["1",7,"0",1]"#,
            r#"["1",2,0,["x"],[]]"#,
            r#"["1",2,0,["x"],["a"],1]"#,
            r#"["1",2,0,[["x"]]]"#,
            r#"["1",2,0,[{"f":"2"}]]"#,
            r#"["1",2,0,[{"0":"x"}]]"#,
            r#"["1",2,0,"x",["a"]]"#,
            r#"["1",2,0,["x"],"a"]"#,
            r#"["1",2,0,{"s":["a"],"d":[]}]"#,
            r#"["1",8]"#,
            r#"["1",8,1]"#,
            r#"["1",8,0,0]"#,
            r#"["1",8,0,2]"#,
            r#"["1",8,-1]"#,
            r#"["1",2,"0","x"]"#,
            // negative / non-integer numbers
            r#"["1",1,-1,0,""]"#,
            r#"["1",1,0,-1,""]"#,
            r#"["1",1,1.5,0,""]"#,
            r#"["1",1,0,0,1]"#,
            r#"["1",2,1.5,"x"]"#,
            r#"["1",1,18446744073709551616,0,""]"#,
            // bad ids
            r#"["",6,""]"#,
            r#"["f-1",6,""]"#,
            r#"["a-->",6,""]"#,
            r#"[1,6,""]"#,
            r#"[null,6,""]"#,
            r#"["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",6,""]"#,
            // bad dynamics
            r#"["1",0,{"x":"a"}]"#,
            r#"["1",0,{"0":{"g":"f-2"}}]"#,
            r#"["1",0,{"0":{"f":"no-pe"}}]"#,
            r#"["1",0,{"0":1}]"#,
            r#"["1",0,{},[]]"#,
            r#"["1",0]"#,
            r#"["1",0,{},"x"]"#,
            // nested values in the wrong shape or place, or too deep
            r#"["1",0,{"0":{"0":"a","s":["x"]}}]"#,
            r#"["1",0,{"0":{"s":["x"]}}]"#,
            r#"["1",0,{"0":{"s":["x"],"d":[],"l":[]}}]"#,
            r#"["1",0,{"0":{"d":[]}}]"#,
            r#"["1",0,{"0":{"f":"2","s":["x"],"d":[]}}]"#,
            r#"["1",0,{"0":{"s":["a","b"],"d":["x"]}}]"#,
            r#"["1",0,{"0":{"s":["a"],"l":[]}}]"#,
            r#"["1",0,{"0":{"01":"x"}}]"#,
            r#"["1",0,{"0":{"0":["x"]}}]"#,
            r#"["1",0,{"0":{"0":{"f":"2"}}}]"#,
            r#"["1",0,{"0":{"0":{"s":["a"],"d":[]}}}]"#,
            r#"["1",0,{"0":{"0":null}}]"#,
            r#"["1",0,{"0":["x"],"1":"y"},["a","b"]]"#,
            r#"["1",0,{"0":[{"f":"2"}]},["a","b"]]"#,
            r#"["1",0,{"0":[["x"]]},["a","b"]]"#,
            r#"["1",0,{"0":[{"0":"x"}]},["a","b"]]"#,
            r#"["1",0,{"0":[{"s":["a"],"l":["x"]}]},["a","b"]]"#,
            r#"["1",0,{"0":[{"s":"ab","d":[]}]},["a","b"]]"#,
            r#"["1",0,{"0":[{"s":[1],"d":[]}]},["a","b"]]"#,
            r#"["1",0,{"0":[{"s":["a"],"d":[{"s":["b"],"d":[1]}]}]},["a","b"]]"#,
            r#"["1",0,{"0":{}},["a","b"]]"#,
            r#"["1",0,{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":"x"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}]"#,
            // the v1 form, wrong types
            r#"["1"]"#,
            r#"{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":""}}"#,
            r#""1""#,
            r#"6"#,
            r#"[]"#,
            r#"null"#,
        ];
        for json in bad {
            assert!(
                serde_json::from_str::<Fragment>(json).is_err(),
                "accepted {json}"
            );
        }
    }

    #[test]
    fn validate_catches_hand_built_mismatches() {
        let mut f = Fragment::replacement("f-1", "x");
        f.strategy = Strategy::Markers;
        assert!(f.validate().is_err());
        let mut f = Fragment::replacement("f-1", "x");
        f.action = "update".into();
        assert!(f.validate().is_err());
        assert!(Fragment::replacement("f-1", "x").validate().is_ok());
        assert!(Fragment::replacement("f-1 ", "x").validate().is_err());
        // changes must be sorted by index, each index once
        let changes = |c: Vec<(usize, DynamicValue)>| {
            Fragment::static_dynamic(
                "f-1",
                StaticDynamicData {
                    statics: None,
                    dynamics: [(0, DynamicValue::Changes(c))].into(),
                },
            )
        };
        let x = || DynamicValue::Html("x".into());
        assert!(changes(vec![(0, x()), (2, x())]).validate().is_ok());
        assert!(changes(vec![(2, x()), (0, x())]).validate().is_err());
        assert!(changes(vec![(1, x()), (1, x())]).validate().is_err());
    }

    #[test]
    fn repeated_strings_go_as_references() {
        let h = |x: &str| DynamicValue::Html(x.into());
        let item = vec![h(""), h("15"), h("15"), h(""), h("a"), h("15"), h("a")];
        let f = Fragment::granular_item("f-l", GranularOp::Append, item, None, 3);
        round_trip(&f, r#"["l",2,3,["","15",1,0,"a",1,4]]"#);
        // not when the index is no shorter than the string
        let mut item: Vec<DynamicValue> = (0..10).map(|i| h(&format!("{i}{i}"))).collect();
        item.extend([h(""), h(""), h("00")]);
        let f = Fragment::granular_item("f-l", GranularOp::Append, item, None, 0);
        round_trip(
            &f,
            r#"["l",2,0,["00","11","22","33","44","55","66","77","88","99","","",0]]"#,
        );
        // in every list of values: items, blocks' and lists' dynamics
        let block = DynamicValue::Block {
            statics: vec!["".into(), "".into(), "".into()],
            dynamics: vec![h("xy"), h("xy")],
        };
        let list = DynamicValue::List {
            statics: vec!["".into(), "".into()],
            items: vec![vec![h("zz"), h("zz")]],
        };
        let f = Fragment::static_dynamic(
            "f-1",
            StaticDynamicData {
                statics: None,
                dynamics: [(0, DynamicValue::Item(vec![h("q1"), h("q1"), block, list]))].into(),
            },
        );
        round_trip(
            &f,
            r#"["1",0,{"0":["q1",0,{"s":["","",""],"d":["xy",0]},{"s":["",""],"l":[["zz",0]]}]}]"#,
        );
        // a reference to nothing earlier, or to what is not a string
        for bad in [
            r#"["l",2,3,[0]]"#,
            r#"["l",2,3,["a",1]]"#,
            r#"["l",2,3,["a",-1]]"#,
            r#"["l",2,3,["a",1.5]]"#,
            r#"["1",0,{"0":[{"s":["",""],"d":["x"]},0]}]"#,
            r#"["l",2,3,["a",18446744073709551616]]"#,
        ] {
            assert!(serde_json::from_str::<Fragment>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn repeated_patch_values_go_as_references() {
        let p = |position, new_value: &str| ValuePatch {
            position,
            length: 4,
            new_value: new_value.into(),
        };
        let f = Fragment::markers(
            "f-r",
            vec![p(7, "2016"), p(52, "2016"), p(60, "x"), p(70, "x")],
        );
        round_trip(&f, r#"["r",1,7,4,"2016",52,4,0,60,4,"x",70,4,2]"#);
        for bad in [
            r#"["r",1,7,4,0]"#,
            r#"["r",1,7,4,"a",9,4,1]"#,
            r#"["r",1,7,4,"a",9,4,-1]"#,
            r#"["r",1,7,4,"a",9,4,0.5]"#,
            r#"["r",1,7,4,"a",9,4,{}]"#,
        ] {
            assert!(serde_json::from_str::<Fragment>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nested_values_round_trip() {
        let block = DynamicValue::Block {
            statics: vec!["<b>".into(), "</b>".into()],
            dynamics: vec![DynamicValue::Html("1".into())],
        };
        let list = DynamicValue::List {
            statics: vec!["<u>".into(), "</u>".into()],
            items: vec![vec![DynamicValue::Html("x".into())], vec![block.clone()]],
        };
        let full = Fragment::static_dynamic(
            "f-l",
            StaticDynamicData {
                statics: Some(vec!["<li>".into(), "".into(), "</li>".into()]),
                dynamics: [(0, DynamicValue::Item(vec![block, list]))].into(),
            },
        );
        round_trip(
            &full,
            r#"["l",0,{"0":[{"s":["<b>","</b>"],"d":["1"]},{"s":["<u>","</u>"],"l":[["x"],[{"s":["<b>","</b>"],"d":["1"]}]]}]},["<li>","","</li>"]]"#,
        );
        let delta = Fragment::static_dynamic(
            "f-l",
            StaticDynamicData {
                statics: None,
                dynamics: [(
                    3,
                    DynamicValue::Changes(vec![
                        (0, DynamicValue::Html("a".into())),
                        (
                            10,
                            DynamicValue::Changes(vec![(2, DynamicValue::Html("b".into()))]),
                        ),
                    ]),
                )]
                .into(),
            },
        );
        round_trip(&delta, r#"["l",0,{"3":{"0":"a","10":{"2":"b"}}}]"#);
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("f-0123456789abcdef"));
        assert!(!is_valid_id("f-"));
        assert!(!is_valid_id("g-12"));
        assert!(!is_valid_id("f-1-2"));
        assert!(!is_valid_id(&format!("f-{}", "a".repeat(65))));
    }
}
