//! The wire format of live updates: [`Fragment`]s, serialised as JSON.
//!
//! Every fragment names a region of the page by its id (the page carries
//! `<!--ID-->` … `<!--/ID-->` around it) and says how to rewrite the region's
//! content — the text between the two markers — with one of four strategies:
//!
//! | strategy | action | `data` |
//! |---|---|---|
//! | `static_dynamic` | `update` | `{"statics": ["<p>", "</p>"], "dynamics": {"0": "text", "1": {"f": "f-…"}}}` (`statics` only when the client lacks them) |
//! | `markers` | `patch` | `{"patches": [{"position": 3, "length": 2, "new_value": "on"}]}` |
//! | `granular` | `append` / `prepend` / `insert` / `remove` | `{"operation": "insert", "content": "<li>x</li>", "position": 2}` (no `content` for `remove`) |
//! | `replacement` | `replace` | `{"content": "<p>new</p>"}` |
//!
//! Deserialisation validates the whole fragment (known strategy, `action`
//! and `data` that match it, a well-formed id) and never panics:
//! fragments may come from anywhere. See [`crate::reconstruct`] for how a
//! client applies them.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// One update of one region of the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fragment {
    /// The region's id: `f-` followed by letters and digits.
    pub id: String,
    /// How `data` rewrites the region.
    pub strategy: Strategy,
    /// The strategy's action: `update`, `patch`, the granular operation, or
    /// `replace` (see [`Fragment::validate`]).
    pub action: String,
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
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
/// ([`DynamicValue::Changes`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticDynamicData {
    /// The block's static text, `dynamics count + 1` pieces (the item
    /// block's for the list form); omitted when the client already holds
    /// them (it then merges `dynamics` into the ones it holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statics: Option<Vec<String>>,
    /// With `statics`: every dynamic (block form) or every item (list
    /// form). Without: the changed ones.
    pub dynamics: BTreeMap<usize, DynamicValue>,
}

impl StaticDynamicData {
    /// True for the list form with statics: `statics` given and every
    /// dynamic an [`DynamicValue::Item`] (at least one).
    pub fn is_list_form(&self) -> bool {
        self.statics.is_some()
            && !self.dynamics.is_empty()
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
                m.serialize_entry("f", id)?;
                m.end()
            }
            DynamicValue::Item(values) => values.serialize(s),
            DynamicValue::Block { statics, dynamics } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("s", statics)?;
                m.serialize_entry("d", dynamics)?;
                m.end()
            }
            DynamicValue::List { statics, items } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("s", statics)?;
                m.serialize_entry("l", items)?;
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
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<DynamicValue, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = a.next_element()? {
                    values.push(v);
                }
                Ok(DynamicValue::Item(values))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<DynamicValue, A::Error> {
                const FIELDS: &[&str] = &["f", "s", "d", "l"];
                let mut id: Option<String> = None;
                let mut statics: Option<Vec<String>> = None;
                let mut dynamics: Option<Vec<DynamicValue>> = None;
                let mut items: Option<Vec<Vec<DynamicValue>>> = None;
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
                    (Some(id), None, None, None) => {
                        if !is_valid_id(&id) {
                            return Err(de::Error::custom(format!("invalid fragment id {id:?}")));
                        }
                        Ok(DynamicValue::Fragment(id))
                    }
                    (None, Some(statics), Some(dynamics), None) => {
                        Ok(DynamicValue::Block { statics, dynamics })
                    }
                    (None, Some(statics), None, Some(items)) => {
                        Ok(DynamicValue::List { statics, items })
                    }
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkersData {
    /// Sorted by position, non-overlapping, all relative to the content
    /// before any patch.
    pub patches: Vec<ValuePatch>,
}

/// Replace `length` bytes at byte offset `position` of the region's content
/// with `new_value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuePatch {
    /// Byte offset in the region's content (between its markers).
    pub position: usize,
    /// Bytes replaced.
    pub length: usize,
    /// Replacement text.
    pub new_value: String,
}

/// `granular` data: one range-item operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GranularData {
    /// What to do; also the fragment's `action`.
    pub operation: GranularOp,
    /// The item's HTML, without the item marker; absent for `remove`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Item index at the time the operation applies: the new item's index
    /// (`append`: the item count, `prepend`: 0) or the removed item's.
    pub position: usize,
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
}

impl GranularOp {
    /// The wire name, also the fragment's action.
    pub fn as_str(self) -> &'static str {
        match self {
            GranularOp::Append => "append",
            GranularOp::Prepend => "prepend",
            GranularOp::Insert => "insert",
            GranularOp::Remove => "remove",
        }
    }
}

/// `replacement` data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    pub fn static_dynamic(id: impl Into<String>, data: StaticDynamicData) -> Self {
        Fragment {
            id: id.into(),
            strategy: Strategy::StaticDynamic,
            action: "update".into(),
            data: FragmentData::StaticDynamic(data),
        }
    }

    /// A `markers` fragment (action `patch`).
    pub fn markers(id: impl Into<String>, patches: Vec<ValuePatch>) -> Self {
        Fragment {
            id: id.into(),
            strategy: Strategy::Markers,
            action: "patch".into(),
            data: FragmentData::Markers(MarkersData { patches }),
        }
    }

    /// A `granular` fragment (action = the operation). `content` is ignored
    /// for [`GranularOp::Remove`].
    pub fn granular(
        id: impl Into<String>,
        operation: GranularOp,
        content: Option<String>,
        position: usize,
    ) -> Self {
        let content = if operation == GranularOp::Remove {
            None
        } else {
            Some(content.unwrap_or_default())
        };
        Fragment {
            id: id.into(),
            strategy: Strategy::Granular,
            action: operation.as_str().into(),
            data: FragmentData::Granular(GranularData {
                operation,
                content,
                position,
            }),
        }
    }

    /// A `replacement` fragment (action `replace`).
    pub fn replacement(id: impl Into<String>, content: impl Into<String>) -> Self {
        Fragment {
            id: id.into(),
            strategy: Strategy::Replacement,
            action: "replace".into(),
            data: FragmentData::Replacement(ReplacementData {
                content: content.into(),
            }),
        }
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
                let adds = g.operation != GranularOp::Remove;
                if adds != g.content.is_some() {
                    return Err(invalid(if adds {
                        "granular add without content"
                    } else {
                        "granular remove with content"
                    }));
                }
            }
            FragmentData::StaticDynamic(sd) => validate_static_dynamic(sd)?,
            FragmentData::Markers(_) | FragmentData::Replacement(_) => {}
        }
        Ok(())
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
    /// A node of a list form's tree: HTML, a block or a list.
    fn tree(v: &DynamicValue) -> Result<(), FragmentError> {
        match v {
            DynamicValue::Html(_) => Ok(()),
            DynamicValue::Block { dynamics, .. } => dynamics.iter().try_for_each(tree),
            DynamicValue::List { items, .. } => items.iter().flatten().try_for_each(tree),
            _ => Err(invalid("a tree holds HTML, blocks and lists only")),
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
            .try_for_each(tree),
        Some(_) => values.try_for_each(|v| match v {
            DynamicValue::Html(_) => Ok(()),
            DynamicValue::Fragment(id) => child_id(id),
            _ => Err(invalid(
                "with statics, dynamics are all HTML or child fragments (block form) or all items (list form)",
            )),
        }),
        None => values.try_for_each(|v| match v {
            DynamicValue::Fragment(id) => child_id(id),
            v => change(v),
        }),
    }
}

/// The JSON shape before `data` is read according to `strategy`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFragment {
    id: String,
    strategy: Strategy,
    action: String,
    data: serde_json::Value,
}

impl<'de> Deserialize<'de> for Fragment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawFragment::deserialize(d)?;
        let data = match raw.strategy {
            Strategy::StaticDynamic => {
                serde_json::from_value(raw.data).map(FragmentData::StaticDynamic)
            }
            Strategy::Markers => serde_json::from_value(raw.data).map(FragmentData::Markers),
            Strategy::Granular => serde_json::from_value(raw.data).map(FragmentData::Granular),
            Strategy::Replacement => {
                serde_json::from_value(raw.data).map(FragmentData::Replacement)
            }
        }
        .map_err(|e| de::Error::custom(format!("{} data: {e}", raw.strategy)))?;
        let f = Fragment {
            id: raw.id,
            strategy: raw.strategy,
            action: raw.action,
            data,
        };
        f.validate().map_err(de::Error::custom)?;
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(f: &Fragment, json: &str) {
        assert_eq!(serde_json::to_string(f).unwrap(), json);
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
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["<p>","</p>"],"dynamics":{"0":"a &amp; b","1":{"f":"f-00ff"},"10":""}}}"#,
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
        round_trip(
            &f,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"2":"x"}}}"#,
        );
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
        round_trip(
            &f,
            r#"{"id":"f-ab","strategy":"markers","action":"patch","data":{"patches":[{"position":3,"length":2,"new_value":"on"},{"position":9,"length":0,"new_value":"é"}]}}"#,
        );
    }

    #[test]
    fn granular_every_operation() {
        for (op, name) in [
            (GranularOp::Append, "append"),
            (GranularOp::Prepend, "prepend"),
            (GranularOp::Insert, "insert"),
        ] {
            let f = Fragment::granular("f-9", op, Some("<li>x</li>".into()), 2);
            round_trip(
                &f,
                &format!(
                    r#"{{"id":"f-9","strategy":"granular","action":"{name}","data":{{"operation":"{name}","content":"<li>x</li>","position":2}}}}"#
                ),
            );
        }
        let f = Fragment::granular("f-9", GranularOp::Remove, Some("ignored".into()), 0);
        round_trip(
            &f,
            r#"{"id":"f-9","strategy":"granular","action":"remove","data":{"operation":"remove","position":0}}"#,
        );
    }

    #[test]
    fn replacement() {
        let f = Fragment::replacement("f-0", "<b>\"hi\"</b>\n");
        round_trip(
            &f,
            r#"{"id":"f-0","strategy":"replacement","action":"replace","data":{"content":"<b>\"hi\"</b>\n"}}"#,
        );
    }

    #[test]
    fn rejects_malformed() {
        let bad = [
            // unknown strategy
            r#"{"id":"f-1","strategy":"magic","action":"update","data":{"dynamics":{}}}"#,
            // data of another strategy
            r#"{"id":"f-1","strategy":"markers","action":"patch","data":{"content":"x"}}"#,
            r#"{"id":"f-1","strategy":"replacement","action":"replace","data":{"patches":[]}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"content":"x"}}"#,
            // extra data fields
            r#"{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":"x","y":1}}"#,
            // wrong action
            r#"{"id":"f-1","strategy":"replacement","action":"patch","data":{"content":"x"}}"#,
            r#"{"id":"f-1","strategy":"granular","action":"append","data":{"operation":"insert","content":"x","position":0}}"#,
            // granular content rules
            r#"{"id":"f-1","strategy":"granular","action":"append","data":{"operation":"append","position":0}}"#,
            r#"{"id":"f-1","strategy":"granular","action":"remove","data":{"operation":"remove","content":"x","position":0}}"#,
            r#"{"id":"f-1","strategy":"granular","action":"explode","data":{"operation":"explode","position":0}}"#,
            // negative / non-integer numbers
            r#"{"id":"f-1","strategy":"markers","action":"patch","data":{"patches":[{"position":-1,"length":0,"new_value":""}]}}"#,
            r#"{"id":"f-1","strategy":"markers","action":"patch","data":{"patches":[{"position":1.5,"length":0,"new_value":""}]}}"#,
            // bad ids
            r#"{"id":"x","strategy":"replacement","action":"replace","data":{"content":""}}"#,
            r#"{"id":"f-a-->","strategy":"replacement","action":"replace","data":{"content":""}}"#,
            r#"{"id":"f-","strategy":"replacement","action":"replace","data":{"content":""}}"#,
            // bad dynamics
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"x":"a"}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"g":"f-2"}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"f":"nope"}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":1}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":[],"dynamics":{}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{}}"#,
            // nested values in the wrong shape or place, or too deep
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":"a","s":["x"]}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"s":["x"]}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"s":["x"],"d":[],"l":[]}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"d":[]}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"f":"f-2","s":["x"],"d":[]}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"s":["a","b"],"d":["x"]}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"s":["a"],"l":[]}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"01":"x"}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":["x"]}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":{"f":"f-2"}}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":{"s":["a"],"d":[]}}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":null}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":["x"],"1":"y"}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"f":"f-2"}]}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[["x"]]}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"0":"x"}]}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"s":["a"],"l":["x"]}]}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"s":"ab","d":[]}]}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"s":[1],"d":[]}]}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"s":["a"],"d":[{"s":["b"],"d":[1]}]}]}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":{}}}}"#,
            r#"{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":"x"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"#,
            // missing / extra top-level fields, wrong types
            r#"{"id":"f-1","strategy":"replacement","data":{"content":""}}"#,
            r#"{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":""},"z":0}"#,
            r#"{"id":1,"strategy":"replacement","action":"replace","data":{"content":""}}"#,
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
            r#"{"id":"f-l","strategy":"static_dynamic","action":"update","data":{"statics":["<li>","","</li>"],"dynamics":{"0":[{"s":["<b>","</b>"],"d":["1"]},{"s":["<u>","</u>"],"l":[["x"],[{"s":["<b>","</b>"],"d":["1"]}]]}]}}}"#,
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
        round_trip(
            &delta,
            r#"{"id":"f-l","strategy":"static_dynamic","action":"update","data":{"dynamics":{"3":{"0":"a","10":{"2":"b"}}}}}"#,
        );
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
