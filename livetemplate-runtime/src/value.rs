//! The traits that let a Rust value appear in a template.
//!
//! | template use | trait |
//! |---|---|
//! | `{{.x}}` (printed) | [`Slot`] |
//! | `{{if .x}}`, `not`, `and`, `or` | [`Truthy`] |
//! | `{{range .x}}` | [`Range`] |
//! | `len .x` | [`Len`] |
//! | `index .x k` | [`IndexBy`] |
//! | `eq lt …` | [`ToScalar`] |
//!
//! They are implemented for strings, integers, floats, `bool`, `char`,
//! `Option`, `Vec`, slices, arrays, `BTreeMap`, `HashMap`, smart pointers and
//! [`Html`]. Implement them for your own types to use those in templates.

use crate::escape::{json_string, Content};
use crate::printf::{write_go_float, write_json_float};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

/// A value that can be printed into a template slot.
///
/// Only [`write_plain`](Slot::write_plain) is required: the value's text as Go's
/// `fmt.Sprint` would print it, before any escaping. The generated code picks
/// the escaping from the slot's context.
///
/// ```
/// use livetemplate::Slot;
/// enum Filter { All, Active }
/// impl Slot for Filter {
///     fn write_plain(&self, out: &mut String) {
///         out.push_str(match self { Filter::All => "all", Filter::Active => "active" });
///     }
/// }
/// let mut s = String::new();
/// Filter::Active.write_plain(&mut s);
/// assert_eq!(s, "active");
/// ```
pub trait Slot {
    /// Appends the unescaped text of the value.
    fn write_plain(&self, out: &mut String);

    /// The unescaped text when the value already holds it as a string (saves a copy).
    fn as_plain_str(&self) -> Option<&str> {
        None
    }

    /// True when the text never contains a character that any HTML or
    /// attribute escaper changes (numbers and booleans), so it can be written
    /// as is in text and attribute contexts.
    fn is_inert(&self) -> bool {
        false
    }

    /// Appends the value as a JSON literal, for `<script>` and `on*` contexts
    /// (Go: `json.Marshal`). Defaults to a JSON string of the text.
    fn write_json(&self, out: &mut String) {
        match self.as_plain_str() {
            Some(s) => json_string(s, out),
            None => {
                let mut s = String::new();
                self.write_plain(&mut s);
                json_string(&s, out)
            }
        }
    }

    /// Whether the text is trusted HTML ([`Html`]) or ordinary data.
    fn content(&self) -> Content {
        Content::Plain
    }

    /// The value as a basic Go value, for `printf` verbs and `print` spacing.
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        None
    }
}

/// HTML that the application vouches for: printed without escaping in HTML
/// text. In attributes its tags are stripped, and in RCDATA, URL, JS and CSS
/// contexts it is escaped like any string.
///
/// Only wrap HTML you produced or sanitised yourself: this is the one way to
/// bypass escaping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Html(pub String);

impl Html {
    /// Marks `html` as trusted.
    pub fn new(html: impl Into<String>) -> Self {
        Html(html.into())
    }
}

impl Slot for Html {
    fn write_plain(&self, out: &mut String) {
        out.push_str(&self.0)
    }
    fn as_plain_str(&self) -> Option<&str> {
        Some(&self.0)
    }
    fn content(&self) -> Content {
        Content::Html
    }
}

/// A value embedded as JSON, through `serde::Serialize`: a struct, a map,
/// a list of structs. In `<script>` (also `type="application/json"`) and
/// `on*` attributes it is written as its JSON, escaped so that it stays one
/// JS value whatever it holds (`<`, `>` and `&` as `\u003c`, …: data cannot
/// end the script); in text and attributes, its JSON text, escaped as text.
/// A value that cannot be serialised (a map with keys that are not
/// strings, a serializer error) is written as `null`.
///
/// ```
/// use livetemplate::{live_template, Json, Template};
/// #[derive(serde::Serialize, PartialEq, Clone)]
/// struct Job { name: String, done: bool }
///
/// #[live_template(source = "<script>const jobs = {{.jobs}};</script>")]
/// struct Page { jobs: Json<Vec<Job>> }
///
/// let page = Page { jobs: Json(vec![Job { name: "</script>".into(), done: false }]) };
/// assert_eq!(
///     page.render().unwrap(),
///     r#"<script>const jobs = [{"name":"\u003c/script\u003e","done":false}];</script>"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> Slot for Json<T> {
    fn write_plain(&self, out: &mut String) {
        self.write_json(out)
    }
    fn write_json(&self, out: &mut String) {
        match serde_json::to_string(&self.0) {
            Ok(json) => out.push_str(&json),
            Err(_) => out.push_str("null"),
        }
    }
}

/// JSON data as it is (`serde_json::Value`): printed as Go prints the value
/// it holds (a string as its text, anything else as its JSON), and embedded
/// in scripts as its JSON (see [`Json`]).
impl Slot for serde_json::Value {
    fn write_plain(&self, out: &mut String) {
        match self {
            serde_json::Value::String(s) => out.push_str(s),
            v => out.push_str(&v.to_string()),
        }
    }
    fn as_plain_str(&self) -> Option<&str> {
        self.as_str()
    }
    fn write_json(&self, out: &mut String) {
        out.push_str(&self.to_string())
    }
}

impl Slot for str {
    fn write_plain(&self, out: &mut String) {
        out.push_str(self)
    }
    fn as_plain_str(&self) -> Option<&str> {
        Some(self)
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Str(self))
    }
}

impl Slot for char {
    fn write_plain(&self, out: &mut String) {
        out.push(*self)
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Int(*self as i128))
    }
}

impl Slot for bool {
    fn write_plain(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" })
    }
    fn is_inert(&self) -> bool {
        true
    }
    fn write_json(&self, out: &mut String) {
        self.write_plain(out)
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Bool(*self))
    }
}

macro_rules! int_slot {
    ($($t:ty)*) => {$(
        impl Slot for $t {
            #[inline]
            #[allow(clippy::cast_sign_loss, clippy::unnecessary_cast, unused_comparisons)]
            fn write_plain(&self, out: &mut String) {
                if std::mem::size_of::<$t>() <= 2 && *self >= 0 {
                    // `u8`/`u16`: the call-free writer, which inlines at
                    // every call site. (Wider types keep `write_uint`: the
                    // Big-table loop measured 53 µs with it, 88 with this.)
                    crate::printf::write_u16(*self as u16, out)
                } else if *self >= 0 && (*self as u128) <= u64::MAX as u128 {
                    crate::printf::write_uint(*self as u64, out)
                } else {
                    out.push_str(itoa::Buffer::new().format(*self))
                }
            }
            #[inline]
            fn is_inert(&self) -> bool {
                true
            }
            fn write_json(&self, out: &mut String) {
                self.write_plain(out)
            }
            #[inline]
            #[allow(clippy::cast_possible_wrap, clippy::unnecessary_cast)]
            fn as_scalar(&self) -> Option<Scalar<'_>> {
                Some(Scalar::Int(*self as i128))
            }
        }
        impl Truthy for $t {
            fn truthy(&self) -> bool {
                *self != 0
            }
        }
        impl ToScalar for $t {
            #[allow(clippy::cast_possible_wrap, clippy::unnecessary_cast)]
            fn to_scalar(&self) -> Scalar<'_> {
                Scalar::Int(*self as i128)
            }
        }
    )*};
}
int_slot!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

macro_rules! float_slot {
    ($($t:ty)*) => {$(
        impl Slot for $t {
            fn write_plain(&self, out: &mut String) {
                write_go_float(*self as f64, out)
            }
            fn is_inert(&self) -> bool {
                true
            }
            fn write_json(&self, out: &mut String) {
                write_json_float(*self as f64, out)
            }
            fn as_scalar(&self) -> Option<Scalar<'_>> {
                Some(Scalar::Float(*self as f64))
            }
        }
        impl Truthy for $t {
            fn truthy(&self) -> bool {
                *self != 0.0
            }
        }
        impl ToScalar for $t {
            fn to_scalar(&self) -> Scalar<'_> {
                Scalar::Float(*self as f64)
            }
        }
    )*};
}
float_slot!(f32 f64);

/// `None` prints nothing (Go would print `<nil>`), and is `null` in JSON.
impl<T: Slot> Slot for Option<T> {
    fn write_plain(&self, out: &mut String) {
        if let Some(v) = self {
            v.write_plain(out)
        }
    }
    fn as_plain_str(&self) -> Option<&str> {
        match self {
            Some(v) => v.as_plain_str(),
            None => Some(""),
        }
    }
    fn is_inert(&self) -> bool {
        self.as_ref().is_none_or(Slot::is_inert)
    }
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
    fn content(&self) -> Content {
        self.as_ref().map_or(Content::Plain, Slot::content)
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        match self {
            Some(v) => v.as_scalar(),
            None => Some(Scalar::Nil),
        }
    }
}

/// Lists print as Go prints slices, `[a b c]`, and as JSON arrays in scripts.
impl<T: Slot> Slot for [T] {
    fn write_plain(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            v.write_plain(out);
        }
        out.push(']');
    }
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

impl<T: Slot> Slot for Vec<T> {
    fn write_plain(&self, out: &mut String) {
        self.as_slice().write_plain(out)
    }
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out)
    }
}

macro_rules! deref_impls {
    ($($ptr:ident)*) => {$(
        impl<T: Slot + ?Sized> Slot for $ptr<T> {
            #[inline]
            fn write_plain(&self, out: &mut String) { (**self).write_plain(out) }
            #[inline]
            fn as_plain_str(&self) -> Option<&str> { (**self).as_plain_str() }
            #[inline]
            fn is_inert(&self) -> bool { (**self).is_inert() }
            fn write_json(&self, out: &mut String) { (**self).write_json(out) }
            fn content(&self) -> Content { (**self).content() }
            fn as_scalar(&self) -> Option<Scalar<'_>> { (**self).as_scalar() }
        }
        impl<T: Truthy + ?Sized> Truthy for $ptr<T> {
            #[inline]
            fn truthy(&self) -> bool { (**self).truthy() }
        }
        impl<T: ToScalar + ?Sized> ToScalar for $ptr<T> {
            fn to_scalar(&self) -> Scalar<'_> { (**self).to_scalar() }
        }
        impl<T: Len + ?Sized> Len for $ptr<T> {
            fn len(&self) -> usize { (**self).len() }
        }
    )*};
}
deref_impls!(Box Rc Arc);

impl<T: Slot + ?Sized> Slot for &T {
    #[inline]
    fn write_plain(&self, out: &mut String) {
        (**self).write_plain(out)
    }
    #[inline]
    fn as_plain_str(&self) -> Option<&str> {
        (**self).as_plain_str()
    }
    #[inline]
    fn is_inert(&self) -> bool {
        (**self).is_inert()
    }
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out)
    }
    fn content(&self) -> Content {
        (**self).content()
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        (**self).as_scalar()
    }
}

/// Go's truthiness: `false`, `0`, `""`, an empty collection and `None` are false.
pub trait Truthy {
    fn truthy(&self) -> bool;
}

impl<T: Truthy + ?Sized> Truthy for &T {
    #[inline]
    fn truthy(&self) -> bool {
        (**self).truthy()
    }
}
impl Truthy for bool {
    fn truthy(&self) -> bool {
        *self
    }
}
impl Truthy for str {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}
impl Truthy for char {
    fn truthy(&self) -> bool {
        *self != '\0'
    }
}
impl Truthy for Html {
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
}
/// `Some` is true whatever it holds, like a non-nil pointer in Go.
impl<T> Truthy for Option<T> {
    fn truthy(&self) -> bool {
        self.is_some()
    }
}
impl<T> Truthy for [T] {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}
impl<T> Truthy for Vec<T> {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}
impl<T, const N: usize> Truthy for [T; N] {
    fn truthy(&self) -> bool {
        N != 0
    }
}
impl<K, V> Truthy for BTreeMap<K, V> {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}
impl<K, V, S> Truthy for HashMap<K, V, S> {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}

/// `len`: bytes of a string, items of a collection.
#[allow(clippy::len_without_is_empty)]
pub trait Len {
    fn len(&self) -> usize;
}
impl<T: Len + ?Sized> Len for &T {
    fn len(&self) -> usize {
        (**self).len()
    }
}
impl Len for str {
    fn len(&self) -> usize {
        str::len(self)
    }
}
impl<T> Len for [T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
}
impl<T> Len for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
}
impl<T, const N: usize> Len for [T; N] {
    fn len(&self) -> usize {
        N
    }
}
impl<K, V> Len for BTreeMap<K, V> {
    fn len(&self) -> usize {
        BTreeMap::len(self)
    }
}
impl<K, V, S> Len for HashMap<K, V, S> {
    fn len(&self) -> usize {
        HashMap::len(self)
    }
}

/// The identity of a range item beyond its value, so that an item that
/// moved *and* changed is sent as a move and a patch of its values rather
/// than removed and added again. Without it, items are told apart by value
/// (`PartialEq`): a reorder of equal values is still a move, but an item
/// whose value changed is another item.
///
/// ```
/// use livetemplate::Keyed;
///
/// #[derive(Clone, PartialEq)]
/// struct Todo { id: u32, text: String, done: bool }
///
/// impl Keyed for Todo {
///     type Key = u32;
///     fn key(&self) -> u32 { self.id }
/// }
/// ```
///
/// Keys must be unique within a list; a list whose keys repeat is diffed
/// by value, as if the type had none.
pub trait Keyed {
    /// What identifies an item (an id, a slug).
    type Key: std::hash::Hash + Eq;
    /// This item's key.
    fn key(&self) -> Self::Key;
}

impl<T: Keyed + ?Sized> Keyed for &T {
    type Key = T::Key;
    fn key(&self) -> T::Key {
        (**self).key()
    }
}

/// `{{range}}`: the items of a collection with their keys (index for lists,
/// key for maps). Maps are visited in key order, as Go does.
pub trait Range {
    type Key<'a>
    where
        Self: 'a;
    type Item: ?Sized;
    /// The (key, item) pairs in template order.
    fn range_items(&self) -> impl Iterator<Item = (Self::Key<'_>, &Self::Item)>;
}

impl<T: Range + ?Sized> Range for &T {
    type Key<'a>
        = T::Key<'a>
    where
        Self: 'a;
    type Item = T::Item;
    fn range_items(&self) -> impl Iterator<Item = (Self::Key<'_>, &Self::Item)> {
        (**self).range_items()
    }
}
impl<T> Range for [T] {
    type Key<'a>
        = usize
    where
        T: 'a;
    type Item = T;
    fn range_items(&self) -> impl Iterator<Item = (usize, &T)> {
        self.iter().enumerate()
    }
}
impl<T> Range for Vec<T> {
    type Key<'a>
        = usize
    where
        T: 'a;
    type Item = T;
    fn range_items(&self) -> impl Iterator<Item = (usize, &T)> {
        self.iter().enumerate()
    }
}
impl<T, const N: usize> Range for [T; N] {
    type Key<'a>
        = usize
    where
        T: 'a;
    type Item = T;
    fn range_items(&self) -> impl Iterator<Item = (usize, &T)> {
        self.iter().enumerate()
    }
}
impl<K, V> Range for BTreeMap<K, V> {
    type Key<'a>
        = &'a K
    where
        Self: 'a;
    type Item = V;
    fn range_items(&self) -> impl Iterator<Item = (&K, &V)> {
        self.iter()
    }
}
impl<K: Ord, V, S> Range for HashMap<K, V, S> {
    type Key<'a>
        = &'a K
    where
        Self: 'a;
    type Item = V;
    fn range_items(&self) -> impl Iterator<Item = (&K, &V)> {
        let mut items: Vec<(&K, &V)> = self.iter().collect();
        items.sort_by(|a, b| a.0.cmp(b.0));
        items.into_iter()
    }
}

/// A basic value for the comparison builtins (`eq ne lt le gt ge`).
/// Like Go, integers of any width and signedness compare with each other;
/// an integer never equals a float or a string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar<'a> {
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'a str),
    Nil,
}

/// Converts a value to a [`Scalar`] for comparisons. Implement it for your
/// own enums to compare them with string literals:
///
/// ```
/// use livetemplate::{Scalar, ToScalar};
/// enum Filter { All, Done }
/// impl ToScalar for Filter {
///     fn to_scalar(&self) -> Scalar<'_> {
///         Scalar::Str(match self { Filter::All => "all", Filter::Done => "done" })
///     }
/// }
/// ```
pub trait ToScalar {
    fn to_scalar(&self) -> Scalar<'_>;
}
impl<T: ToScalar + ?Sized> ToScalar for &T {
    fn to_scalar(&self) -> Scalar<'_> {
        (**self).to_scalar()
    }
}
impl ToScalar for bool {
    fn to_scalar(&self) -> Scalar<'_> {
        Scalar::Bool(*self)
    }
}
impl ToScalar for str {
    fn to_scalar(&self) -> Scalar<'_> {
        Scalar::Str(self)
    }
}

/// Owned strings are their `str` to every value trait.
macro_rules! str_like {
    ($($t:ty),*) => {$(
        impl Slot for $t {
            fn write_plain(&self, out: &mut String) {
                out.push_str(self)
            }
            fn as_plain_str(&self) -> Option<&str> {
                Some(self)
            }
            fn as_scalar(&self) -> Option<Scalar<'_>> {
                Some(Scalar::Str(self))
            }
        }
        impl Truthy for $t {
            fn truthy(&self) -> bool {
                !self.is_empty()
            }
        }
        impl Len for $t {
            fn len(&self) -> usize {
                str::len(self)
            }
        }
        impl ToScalar for $t {
            fn to_scalar(&self) -> Scalar<'_> {
                Scalar::Str(self)
            }
        }
    )*};
}
str_like!(String, Cow<'_, str>);
impl ToScalar for char {
    fn to_scalar(&self) -> Scalar<'_> {
        Scalar::Int(*self as i128)
    }
}
impl<T: ToScalar> ToScalar for Option<T> {
    fn to_scalar(&self) -> Scalar<'_> {
        self.as_ref().map_or(Scalar::Nil, ToScalar::to_scalar)
    }
}

/// `index coll key`: an item of a list by position or of a map by key.
pub trait IndexBy<K: ?Sized> {
    type Output: ?Sized;
    /// `Err` carries a message such as "index out of range: 5".
    fn index_by(&self, key: &K) -> Result<&Self::Output, String>;
}

impl<C: IndexBy<K> + ?Sized, K: ?Sized> IndexBy<K> for &C {
    type Output = C::Output;
    fn index_by(&self, key: &K) -> Result<&Self::Output, String> {
        (**self).index_by(key)
    }
}

macro_rules! int_index {
    ($($k:ty)*) => {$(
        impl<T> IndexBy<$k> for [T] {
            type Output = T;
            #[allow(unused_comparisons, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            fn index_by(&self, key: &$k) -> Result<&T, String> {
                let k = *key;
                if k < 0 || (k as u128) >= self.len() as u128 {
                    return Err(format!("index out of range: {k}"));
                }
                Ok(&self[k as usize])
            }
        }
        impl<T> IndexBy<$k> for Vec<T> {
            type Output = T;
            fn index_by(&self, key: &$k) -> Result<&T, String> {
                self.as_slice().index_by(key)
            }
        }
        impl<T, const N: usize> IndexBy<$k> for [T; N] {
            type Output = T;
            fn index_by(&self, key: &$k) -> Result<&T, String> {
                self.as_slice().index_by(key)
            }
        }
    )*};
}
int_index!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

fn missing_key<K: Slot + ?Sized>(key: &K) -> String {
    let mut s = String::from("map has no key ");
    key.write_plain(&mut s);
    s
}

impl<K: Ord + std::borrow::Borrow<str>, V> IndexBy<str> for BTreeMap<K, V> {
    type Output = V;
    fn index_by(&self, key: &str) -> Result<&V, String> {
        self.get(key).ok_or_else(|| missing_key(key))
    }
}
impl<K: Ord + std::borrow::Borrow<str>, V> IndexBy<&str> for BTreeMap<K, V> {
    type Output = V;
    fn index_by(&self, key: &&str) -> Result<&V, String> {
        self.index_by(*key)
    }
}
impl<K: Ord + std::borrow::Borrow<str>, V> IndexBy<String> for BTreeMap<K, V> {
    type Output = V;
    fn index_by(&self, key: &String) -> Result<&V, String> {
        self.index_by(key.as_str())
    }
}
impl<K: Eq + std::hash::Hash + std::borrow::Borrow<str>, V, S: std::hash::BuildHasher> IndexBy<str>
    for HashMap<K, V, S>
{
    type Output = V;
    fn index_by(&self, key: &str) -> Result<&V, String> {
        self.get(key).ok_or_else(|| missing_key(key))
    }
}
impl<K: Eq + std::hash::Hash + std::borrow::Borrow<str>, V, S: std::hash::BuildHasher> IndexBy<&str>
    for HashMap<K, V, S>
{
    type Output = V;
    fn index_by(&self, key: &&str) -> Result<&V, String> {
        self.index_by(*key)
    }
}
impl<K: Eq + std::hash::Hash + std::borrow::Borrow<str>, V, S: std::hash::BuildHasher>
    IndexBy<String> for HashMap<K, V, S>
{
    type Output = V;
    fn index_by(&self, key: &String) -> Result<&V, String> {
        self.index_by(key.as_str())
    }
}

/// The result of `and` / `or`: Go returns one of the arguments themselves,
/// so the value keeps its type and prints as that argument would.
#[derive(Clone, Copy, Debug, PartialEq)]
#[doc(hidden)]
pub enum Either<L, R> {
    L(L),
    R(R),
}

impl<L: Slot, R: Slot> Slot for Either<L, R> {
    fn write_plain(&self, out: &mut String) {
        match self {
            Either::L(v) => v.write_plain(out),
            Either::R(v) => v.write_plain(out),
        }
    }
    fn as_plain_str(&self) -> Option<&str> {
        match self {
            Either::L(v) => v.as_plain_str(),
            Either::R(v) => v.as_plain_str(),
        }
    }
    fn is_inert(&self) -> bool {
        match self {
            Either::L(v) => v.is_inert(),
            Either::R(v) => v.is_inert(),
        }
    }
    fn write_json(&self, out: &mut String) {
        match self {
            Either::L(v) => v.write_json(out),
            Either::R(v) => v.write_json(out),
        }
    }
    fn content(&self) -> Content {
        match self {
            Either::L(v) => v.content(),
            Either::R(v) => v.content(),
        }
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        match self {
            Either::L(v) => v.as_scalar(),
            Either::R(v) => v.as_scalar(),
        }
    }
}
impl<L: Truthy, R: Truthy> Truthy for Either<L, R> {
    fn truthy(&self) -> bool {
        match self {
            Either::L(v) => v.truthy(),
            Either::R(v) => v.truthy(),
        }
    }
}
impl<L: ToScalar, R: ToScalar> ToScalar for Either<L, R> {
    fn to_scalar(&self) -> Scalar<'_> {
        match self {
            Either::L(v) => v.to_scalar(),
            Either::R(v) => v.to_scalar(),
        }
    }
}

/// Wrapper the generated code uses to give each type its Go behaviour in
/// `if`/`with`/field steps without the user implementing anything (autoref
/// specialisation, tried in this order):
///
/// 1. `Option<T>`: `with` unwraps `Some`; a field step through `None` fails
///    the render (as a nil pointer does in Go); truthy when `Some`.
/// 2. a [`Truthy`] type: its own truthiness.
/// 3. anything else (your structs): always truthy, as a Go struct is.
///
/// Generated code calls `(&&&W(x)).lt_with()`, `.lt_step()`, `.lt_truthy()`.
#[doc(hidden)]
pub struct W<'a, T: ?Sized>(pub &'a T);

macro_rules! via {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        pub trait $name<'a> {
            type Target: ?Sized;
            /// `with`: the value to bind as dot, or `None` to skip the block.
            fn lt_with(&self) -> Option<&'a Self::Target>;
            /// A step in a field chain (`.a` of `.a.b`).
            fn lt_step(&self) -> Result<&'a Self::Target, &'static str>;
            /// `if` truthiness.
            fn lt_truthy(&self) -> bool;
        }
    };
}
via!(ViaOption, "Step 1 of [`W`]: `Option`.");
via!(ViaTruthy, "Step 2 of [`W`]: types with Go truthiness.");
via!(ViaAny, "Step 3 of [`W`]: any other type, always truthy.");

impl<'a, T> ViaOption<'a> for &&W<'a, Option<T>> {
    type Target = T;
    #[inline]
    fn lt_with(&self) -> Option<&'a T> {
        self.0.as_ref()
    }
    #[inline]
    fn lt_step(&self) -> Result<&'a T, &'static str> {
        self.0
            .as_ref()
            .ok_or("nil pointer evaluating field (the value is None)")
    }
    #[inline]
    fn lt_truthy(&self) -> bool {
        self.0.is_some()
    }
}

impl<'a, T: Truthy + ?Sized> ViaTruthy<'a> for &W<'a, T> {
    type Target = T;
    #[inline]
    fn lt_with(&self) -> Option<&'a T> {
        self.0.truthy().then_some(self.0)
    }
    #[inline]
    fn lt_step(&self) -> Result<&'a T, &'static str> {
        Ok(self.0)
    }
    #[inline]
    fn lt_truthy(&self) -> bool {
        self.0.truthy()
    }
}

impl<'a, T: ?Sized> ViaAny<'a> for W<'a, T> {
    type Target = T;
    #[inline]
    fn lt_with(&self) -> Option<&'a T> {
        Some(self.0)
    }
    #[inline]
    fn lt_step(&self) -> Result<&'a T, &'static str> {
        Ok(self.0)
    }
    #[inline]
    fn lt_truthy(&self) -> bool {
        true
    }
}

/// `nil` in a template compares as [`Scalar::Nil`].
impl ToScalar for Scalar<'_> {
    fn to_scalar(&self) -> Scalar<'_> {
        *self
    }
}

/// Generated update code compares a field of the old and the new state with
/// `(&&Cmp(&old.f, &new.f)).lt_changed()`: `!=` when the type is
/// `PartialEq`, otherwise "changed" (autoref specialisation), so templates
/// over types without `PartialEq` still compile and just re-render.
#[doc(hidden)]
pub struct Cmp<'a, T: ?Sized>(pub &'a T, pub &'a T);

/// Step 1 of [`Cmp`]: `PartialEq` types.
#[doc(hidden)]
pub trait CmpEq {
    fn lt_changed(&self) -> bool;
}
impl<T: PartialEq + ?Sized> CmpEq for &Cmp<'_, T> {
    #[inline]
    fn lt_changed(&self) -> bool {
        self.0 != self.1
    }
}

/// Step 2 of [`Cmp`]: any other type counts as changed.
#[doc(hidden)]
pub trait CmpAny {
    fn lt_changed(&self) -> bool;
}
impl<T: ?Sized> CmpAny for Cmp<'_, T> {
    #[inline]
    fn lt_changed(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `str`, `String` and `Cow<str>` answer every value trait alike.
    #[test]
    fn owned_strings_are_their_str() {
        fn check<T: Slot + Truthy + Len + ToScalar + ?Sized>(v: &T, text: &str) {
            let mut out = String::new();
            v.write_plain(&mut out);
            assert_eq!(out, text);
            assert_eq!(v.as_plain_str(), Some(text));
            assert_eq!(v.as_scalar(), Some(Scalar::Str(text)));
            assert_eq!(v.to_scalar(), Scalar::Str(text));
            assert_eq!(v.truthy(), !text.is_empty());
            assert_eq!(Len::len(v), text.len());
        }
        for text in ["", "héllo <b>"] {
            check(text, text);
            check(&text.to_owned(), text);
            check(&Cow::Borrowed(text), text);
            check(&Cow::<str>::Owned(text.to_owned()), text);
        }
    }
}
