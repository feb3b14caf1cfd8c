//! Decoding the browser's events into the application's event type.
//!
//! The client sends `{"type": "event", "action": "toggle", "values": {"id": "3"}}`
//! (see `client/README.md`, "Event attributes"). [`decode_event`] turns the
//! `action` and `values` into the user's event type, a serde enum in serde's
//! default (externally tagged) representation:
//!
//! ```
//! # use livetemplate_runtime::decode_event;
//! #[derive(serde::Deserialize, Debug, PartialEq)]
//! #[serde(rename_all = "snake_case")]
//! enum TodoEvent {
//!     Add { text: String },
//!     Toggle { id: u64 },
//!     ClearCompleted,
//!     Rate(u8),
//! }
//!
//! let values = serde_json::json!({"id": "3"});
//! assert_eq!(decode_event::<TodoEvent>("toggle", &values), Ok(TodoEvent::Toggle { id: 3 }));
//! let values = serde_json::json!({"value": "4"});
//! assert_eq!(decode_event::<TodoEvent>("rate", &values), Ok(TodoEvent::Rate(4)));
//! ```
//!
//! # The variant
//!
//! `action` names the variant (after the enum's serde renames); a name the
//! enum does not know is [`EventError::UnknownAction`] — told apart from an
//! unknown variant of an enum *inside* the values, which is
//! [`EventError::BadValues`]. What `values` must be depends on the variant:
//!
//! | variant | `values` |
//! |---|---|
//! | unit (`ClearCompleted`) | anything: ignored (the client sends `{}`; a button's `lt-value-*` or a form's fields do no harm) |
//! | struct (`Toggle { id: u64 }`) | an object of the fields; `null` counts as `{}` (so a missing field is reported as such) |
//! | newtype (`Rate(u8)`) | `{"value": v}` (one field named `value`, what the client sends for a lone control without a `name`), or `v` itself (a bare scalar or array); a struct or map inside (`Search(SearchForm)`) gets the whole object; `Option` inside is `None` for `{}`, `null`, `""`, `{"value": null}` and `{"value": ""}` |
//! | tuple (`Move(u32, u32)`) | an array |
//!
//! # Lenient values
//!
//! The browser sends strings: an `lt-value-id="3"` or an `<input>` arrives as
//! `"3"`, never as `3`. So inside `values` (at any depth: nested structs,
//! sequences, maps, enums and `Option`s alike) a field's Rust type decides how
//! a string is read, in addition to what JSON would give it:
//!
//! | Rust type | also accepted (besides its JSON form) |
//! |---|---|
//! | integers (`u8`…`u128`, `i8`…`i128`) | a string that Rust's `str::parse` reads as that type, after trimming surrounding ASCII whitespace (`" 3 "`, `"+3"`, `"-2"`); `"1.5"`, `"1e3"`, `"abc"`, `""` and out-of-range (`"300"` for `u8`) are refused |
//! | `f32`, `f64` | a string `str::parse` reads as a finite number after trimming (`"1.5"`, `"1e3"`, `".5"`); `"inf"`, `"NaN"` and overflow are refused |
//! | `bool` | `"true"`, `"on"` (a checkbox's default value) and `"false"`, after trimming; the client sends checkboxes as JSON `true`/`false` anyway |
//! | `String`, `char` | a number or a boolean, as its JSON text (`3` → `"3"`) |
//! | `Option<T>` | `null` and `""` are `None` (an empty input, a `<select>`'s empty option); a missing field is `None` as serde always does |
//! | `Vec<T>`, tuples, arrays | a lone scalar as a one-element sequence (a form's repeated name that occurred once, a `<select multiple>` with one option) |
//! | enums | a unit variant from its name (`"active"`), other variants from `{"name": content}` |
//! | map keys | as the key type says (`HashMap<u32, String>` from `{"1": "a"}`) |
//!
//! A bad value is [`EventError::BadValues`] with the path of the field
//! (`` field `id`: invalid digit in "x" ``, `` field `tags[2]`: … ``). A boolean never
//! comes from a number, nor `()` from a string.
//!
//! Unknown fields follow the user's serde attributes: ignored by default,
//! refused under `#[serde(deny_unknown_fields)]`. A missing `bool` (an
//! unchecked checkbox is left out of a form's fields) is an error unless the
//! field has `#[serde(default)]`.
//!
//! Where serde buffers the input before looking at the Rust types —
//! `#[serde(flatten)]`, `#[serde(untagged)]` and internally or adjacently
//! tagged enums — the values are seen as they are: strings stay strings
//! there, so `"3"` is not a number inside a flattened struct.
//!
//! # Limits
//!
//! [`decode_event`] never panics. Values nested deeper than [`MAX_DEPTH`]
//! arrays and objects are [`EventError::Malformed`] (values parsed by
//! `serde_json::from_str` cannot get there: its parser stops at 128 levels for
//! the whole message), so the recursion stays bounded for any `Value` built
//! by hand. Input quoted in error messages is shortened (a string to 40
//! characters, a message to 300, an action to 64 in `Display`).

use std::fmt;
use std::num::{IntErrorKind, ParseIntError};
use std::str::FromStr;
use std::sync::LazyLock;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value};

/// How many arrays and objects may enclose a value inside `values`.
pub const MAX_DEPTH: usize = 128;

/// Why a client event could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventError {
    /// The event type has no variant of that name.
    UnknownAction {
        /// The action as the client sent it.
        action: String,
    },
    /// The variant exists, but the values do not fit it.
    BadValues {
        /// The action as the client sent it.
        action: String,
        /// What does not fit, starting with the field's path when there is
        /// one (`` field `tags[2]`: invalid digit in "x" ``).
        message: String,
    },
    /// The event itself is not one the client could have sent (values nested
    /// deeper than [`MAX_DEPTH`]).
    Malformed {
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::UnknownAction { action } => {
                write!(f, "unknown action {}", quoted(action, 64))
            }
            EventError::BadValues { action, message } => {
                write!(f, "action {}: {message}", quoted(action, 64))
            }
            EventError::Malformed { message } => write!(f, "malformed event: {message}"),
        }
    }
}

impl std::error::Error for EventError {}

/// Decodes one client event into the user's event type `E`.
///
/// `action` picks the variant of `E` (an externally tagged serde enum, serde's
/// default), `values` fills it; see the [module docs](crate::decode) for what is
/// accepted. An `E` that is not an enum sees `{action: values}`.
///
/// # Errors
///
/// [`EventError::UnknownAction`] when `E` has no variant named `action`,
/// [`EventError::BadValues`] when the values do not fit the variant, and
/// [`EventError::Malformed`] for values nested deeper than [`MAX_DEPTH`].
pub fn decode_event<E: DeserializeOwned>(action: &str, values: &Value) -> Result<E, EventError> {
    E::deserialize(Top { action, values }).map_err(|e| match e.kind {
        Kind::UnknownAction => EventError::UnknownAction {
            action: action.to_owned(),
        },
        Kind::TooDeep => EventError::Malformed { message: e.msg },
        Kind::Values => EventError::BadValues {
            action: action.to_owned(),
            message: e.to_string(),
        },
    })
}

// ---------------------------------------------------------------------------
// The error inside the deserializer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Values,
    UnknownAction,
    TooDeep,
}

#[derive(Debug)]
enum Seg {
    Field(String),
    Index(usize),
}

#[derive(Debug)]
struct DeError {
    msg: String,
    /// Innermost segment first (pushed while the error travels outwards).
    path: Vec<Seg>,
    kind: Kind,
}

impl DeError {
    fn at(mut self, seg: Seg) -> Self {
        if self.kind == Kind::Values {
            self.path.push(seg);
        }
        self
    }

    fn at_field(self, name: &str) -> Self {
        if self.kind == Kind::Values {
            self.at(Seg::Field(name.to_owned()))
        } else {
            self
        }
    }

    fn too_deep() -> Self {
        DeError {
            msg: format!("values nested deeper than {MAX_DEPTH} levels"),
            path: Vec::new(),
            kind: Kind::TooDeep,
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            f.write_str("field `")?;
            for (i, seg) in self.path.iter().rev().enumerate() {
                match seg {
                    Seg::Field(name) if i == 0 => f.write_str(name)?,
                    Seg::Field(name) => write!(f, ".{name}")?,
                    Seg::Index(n) => write!(f, "[{n}]")?,
                }
            }
            f.write_str("`: ")?;
        }
        f.write_str(&self.msg)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            msg: shorten(&msg.to_string(), 300),
            path: Vec::new(),
            kind: Kind::Values,
        }
    }
}

/// `s` cut to `max` characters, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

/// `s` in double quotes, escaped as Rust's `Debug` does, cut to `max`
/// characters.
fn quoted(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{:?}…", &s[..at]),
        None => format!("{s:?}"),
    }
}

// ---------------------------------------------------------------------------
// Lenient scalars

fn parse_int<T>(s: &str, ty: &str, signed: bool) -> Result<T, DeError>
where
    T: FromStr<Err = ParseIntError>,
{
    let t = s.trim_ascii();
    t.parse::<T>().map_err(|e| {
        let msg = match e.kind() {
            IntErrorKind::Empty => format!("expected {ty}, found an empty string"),
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                format!("{} is out of range for {ty}", quoted(s, 40))
            }
            _ if !signed && is_integer_syntax(t) => {
                format!("{} is out of range for {ty}", quoted(s, 40))
            }
            _ if t.parse::<f64>().is_ok_and(f64::is_finite) => {
                format!("{} is not an integer ({ty})", quoted(s, 40))
            }
            _ => format!("invalid digit in {}", quoted(s, 40)),
        };
        de::Error::custom(msg)
    })
}

/// An optional sign and at least one ASCII digit.
fn is_integer_syntax(t: &str) -> bool {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn parse_float<T: FromStr + Copy>(
    s: &str,
    ty: &str,
    finite: impl Fn(T) -> bool,
) -> Result<T, DeError> {
    let t = s.trim_ascii();
    match t.parse::<T>() {
        Ok(v) if finite(v) => Ok(v),
        Ok(_) => Err(de::Error::custom(format!(
            "{} is not a finite {ty}",
            quoted(s, 40)
        ))),
        Err(_) if t.is_empty() => Err(de::Error::custom(format!(
            "expected {ty}, found an empty string"
        ))),
        Err(_) => Err(de::Error::custom(format!(
            "expected {ty}, found {}",
            quoted(s, 40)
        ))),
    }
}

fn parse_bool(s: &str) -> Result<bool, DeError> {
    match s.trim_ascii() {
        "true" | "on" => Ok(true),
        "false" => Ok(false),
        _ => Err(de::Error::custom(format!(
            "expected true, false or on, found {}",
            quoted(s, 40)
        ))),
    }
}

// ---------------------------------------------------------------------------
// The lenient deserializer

/// A JSON value, or a map key (a string without a `Value`).
#[derive(Clone, Copy)]
enum View<'a> {
    Null,
    Bool(bool),
    Num(&'a Number),
    Str(&'a str),
    Arr(&'a [Value]),
    Obj(&'a Map<String, Value>),
}

impl<'a> From<&'a Value> for View<'a> {
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Null => View::Null,
            Value::Bool(b) => View::Bool(*b),
            Value::Number(n) => View::Num(n),
            Value::String(s) => View::Str(s),
            Value::Array(a) => View::Arr(a),
            Value::Object(o) => View::Obj(o),
        }
    }
}

impl View<'_> {
    fn unexpected(&self) -> Unexpected<'_> {
        match *self {
            View::Null => Unexpected::Other("null"),
            View::Bool(b) => Unexpected::Bool(b),
            View::Num(n) => {
                if let Some(u) = n.as_u64() {
                    Unexpected::Unsigned(u)
                } else if let Some(i) = n.as_i64() {
                    Unexpected::Signed(i)
                } else {
                    Unexpected::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            View::Str(s) => Unexpected::Str(s),
            View::Arr(_) => Unexpected::Seq,
            View::Obj(_) => Unexpected::Map,
        }
    }
}

/// The deserializer over one value of `values`, `depth` arrays and objects
/// deep.
#[derive(Clone, Copy)]
struct Lenient<'a> {
    v: View<'a>,
    depth: usize,
}

impl<'a> Lenient<'a> {
    fn new(v: &'a Value, depth: usize) -> Self {
        Lenient { v: v.into(), depth }
    }

    /// The depth of this value's elements.
    fn inner(&self) -> Result<usize, DeError> {
        if self.depth >= MAX_DEPTH {
            Err(DeError::too_deep())
        } else {
            Ok(self.depth + 1)
        }
    }

    /// The value as JSON has it (`deserialize_any`).
    fn natural<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            View::Null => visitor.visit_unit(),
            View::Bool(b) => visitor.visit_bool(b),
            View::Num(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(f) = n.as_f64() {
                    visitor.visit_f64(f)
                } else {
                    visitor.visit_string(n.to_string())
                }
            }
            View::Str(s) => visitor.visit_borrowed_str(s),
            View::Arr(a) => visitor.visit_seq(Seq::new(Items::Slice(a.iter()), self.inner()?)),
            View::Obj(o) => visitor.visit_map(Fields::new(o, self.inner()?)),
        }
    }

    /// A string, or a number or boolean as its JSON text.
    fn text<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            View::Str(s) => visitor.visit_borrowed_str(s),
            View::Num(n) => visitor.visit_string(n.to_string()),
            View::Bool(b) => visitor.visit_borrowed_str(if b { "true" } else { "false" }),
            _ => self.natural(visitor),
        }
    }

    /// An array, or a lone scalar as a one-element sequence.
    fn seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            View::Arr(a) => visitor.visit_seq(Seq::new(Items::Slice(a.iter()), self.inner()?)),
            View::Str(_) | View::Num(_) | View::Bool(_) => {
                visitor.visit_seq(Seq::new(Items::One(Some(self.v)), self.inner()?))
            }
            _ => self.natural(visitor),
        }
    }
}

macro_rules! lenient_ints {
    ($($method:ident $ty:ident $visit:ident $signed:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.v {
                View::Str(s) => visitor.$visit(parse_int::<$ty>(s, stringify!($ty), $signed)?),
                _ => self.natural(visitor),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for Lenient<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.natural(visitor)
    }

    lenient_ints! {
        deserialize_u8 u8 visit_u8 false;
        deserialize_u16 u16 visit_u16 false;
        deserialize_u32 u32 visit_u32 false;
        deserialize_u64 u64 visit_u64 false;
        deserialize_u128 u128 visit_u128 false;
        deserialize_i8 i8 visit_i8 true;
        deserialize_i16 i16 visit_i16 true;
        deserialize_i32 i32 visit_i32 true;
        deserialize_i64 i64 visit_i64 true;
        deserialize_i128 i128 visit_i128 true;
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            View::Str(s) => visitor.visit_f32(parse_float(s, "f32", f32::is_finite)?),
            _ => self.natural(visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            View::Str(s) => visitor.visit_f64(parse_float(s, "f64", f64::is_finite)?),
            _ => self.natural(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            View::Str(s) => visitor.visit_bool(parse_bool(s)?),
            _ => self.natural(visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.natural(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.natural(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            View::Null | View::Str("") => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.natural(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.natural(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.natural(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.natural(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.v {
            View::Str(s) => visitor.visit_enum(Variant {
                name: s,
                content: None,
            }),
            View::Obj(o) if o.len() == 1 => {
                let depth = self.inner()?;
                match o.iter().next() {
                    Some((name, content)) => visitor.visit_enum(Variant {
                        name,
                        content: Some(Lenient::new(content, depth)),
                    }),
                    None => self.natural(visitor),
                }
            }
            _ => Err(de::Error::invalid_type(
                self.v.unexpected(),
                &"a variant name or {\"variant\": content}",
            )),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.natural(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

enum Items<'a> {
    Slice(std::slice::Iter<'a, Value>),
    One(Option<View<'a>>),
}

struct Seq<'a> {
    items: Items<'a>,
    index: usize,
    depth: usize,
}

impl<'a> Seq<'a> {
    fn new(items: Items<'a>, depth: usize) -> Self {
        Seq {
            items,
            index: 0,
            depth,
        }
    }
}

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let v = match &mut self.items {
            Items::Slice(it) => it.next().map(View::from),
            Items::One(one) => one.take(),
        };
        let Some(v) = v else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        let de = Lenient {
            v,
            depth: self.depth,
        };
        seed.deserialize(de)
            .map(Some)
            .map_err(|e| e.at(Seg::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(match &self.items {
            Items::Slice(it) => it.len(),
            Items::One(one) => usize::from(one.is_some()),
        })
    }
}

struct Fields<'a> {
    iter: serde_json::map::Iter<'a>,
    /// The key whose value comes next.
    pending: Option<(&'a str, &'a Value)>,
    depth: usize,
}

impl<'a> Fields<'a> {
    fn new(map: &'a Map<String, Value>, depth: usize) -> Self {
        Fields {
            iter: map.iter(),
            pending: None,
            depth,
        }
    }
}

impl<'de> MapAccess<'de> for Fields<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        self.pending = Some((k, v));
        let de = Lenient {
            v: View::Str(k),
            depth: self.depth,
        };
        // A bad key is reported at the map's path: the message quotes it.
        seed.deserialize(de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((k, v)) = self.pending.take() else {
            return Err(de::Error::custom("a map value without its key"));
        };
        seed.deserialize(Lenient::new(v, self.depth))
            .map_err(|e| e.at_field(k))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// An enum inside the values: a bare variant name (`content: None`) or
/// `{"name": content}`.
struct Variant<'a> {
    name: &'a str,
    content: Option<Lenient<'a>>,
}

impl<'de> EnumAccess<'de> for Variant<'de> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let v = seed.deserialize(BorrowedStrDeserializer::<DeError>::new(self.name))?;
        Ok((v, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.content {
            None => Ok(()),
            Some(Lenient { v: View::Null, .. }) => Ok(()),
            Some(c) => Err(de::Error::invalid_type(c.v.unexpected(), &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        match self.content {
            Some(c) => seed.deserialize(c).map_err(|e| e.at_field(self.name)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.content {
            Some(c) => c
                .deserialize_tuple(len, visitor)
                .map_err(|e| e.at_field(self.name)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.content {
            Some(c) => c
                .deserialize_struct("", fields, visitor)
                .map_err(|e| e.at_field(self.name)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

// ---------------------------------------------------------------------------
// The top level: the action picks the variant

static EMPTY: LazyLock<Value> = LazyLock::new(|| Value::Object(Map::new()));

/// `values`, with `null` read as `{}`.
fn or_empty(values: &Value) -> &Value {
    if values.is_null() {
        &EMPTY
    } else {
        values
    }
}

struct Top<'a> {
    action: &'a str,
    values: &'a Value,
}

impl<'de> Deserializer<'de> for Top<'de> {
    type Error = DeError;

    /// Not an enum: `{action: values}`.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(OneEntry {
            entry: Some((self.action, self.values)),
            value: None,
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// `{action: values}` for an event type that is not an enum.
struct OneEntry<'a> {
    entry: Option<(&'a str, &'a Value)>,
    value: Option<&'a Value>,
}

impl<'de> MapAccess<'de> for OneEntry<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.entry.take() else {
            return Ok(None);
        };
        self.value = Some(v);
        seed.deserialize(BorrowedStrDeserializer::<DeError>::new(k))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(v) => seed.deserialize(Lenient::new(v, 0)),
            None => Err(de::Error::custom("a map value without its key")),
        }
    }
}

impl<'de> EnumAccess<'de> for Top<'de> {
    type Error = DeError;
    type Variant = TopContent<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, TopContent<'de>), DeError> {
        // The seed reads the variant's name and nothing else: its only error
        // is an unknown name.
        match seed.deserialize(BorrowedStrDeserializer::<DeError>::new(self.action)) {
            Ok(v) => Ok((
                v,
                TopContent {
                    values: self.values,
                },
            )),
            Err(mut e) => {
                e.kind = Kind::UnknownAction;
                Err(e)
            }
        }
    }
}

struct TopContent<'a> {
    values: &'a Value,
}

impl<'de> VariantAccess<'de> for TopContent<'de> {
    type Error = DeError;

    /// Whatever the values, they are ignored.
    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(Lone {
            values: self.values,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        Lenient::new(self.values, 0).deserialize_tuple(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        Lenient::new(or_empty(self.values), 0).deserialize_struct("", fields, visitor)
    }
}

/// The content of a newtype variant: `{"value": v}` or `v` itself, except
/// that a struct or map gets the whole values.
struct Lone<'a> {
    values: &'a Value,
}

impl<'a> Lone<'a> {
    /// `v` of `{"value": v}` (`true` for unwrapped), else the values.
    fn inner(&self) -> Result<(Lenient<'a>, bool), DeError> {
        match self.values {
            Value::Object(o) if o.len() == 1 => match o.get("value") {
                Some(v) => Ok((Lenient::new(v, 1), true)),
                None => Ok((Lenient::new(self.values, 0), false)),
            },
            Value::Null => Err(de::Error::missing_field("value")),
            Value::Object(o) if o.is_empty() => Err(de::Error::missing_field("value")),
            _ => Ok((Lenient::new(self.values, 0), false)),
        }
    }

    fn whole(&self) -> Lenient<'a> {
        Lenient::new(or_empty(self.values), 0)
    }
}

macro_rules! lone_forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, DeError> {
            let (de, unwrapped) = self.inner()?;
            let r = de.$method($($arg,)* visitor);
            if unwrapped { r.map_err(|e| e.at_field("value")) } else { r }
        }
    )*};
}

impl<'de> Deserializer<'de> for Lone<'de> {
    type Error = DeError;

    /// A type that reads any shape (`serde_json::Value`, untagged enums) gets
    /// the values as they are.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        Lenient::new(self.values, 0).natural(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.whole().deserialize_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.whole().deserialize_struct(name, fields, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let none = match self.values {
            Value::Null => true,
            Value::Object(o) => {
                o.is_empty()
                    || (o.len() == 1 && matches!(o.get("value"), Some(Value::Null)))
                    || (o.len() == 1 && o.get("value").and_then(Value::as_str) == Some(""))
            }
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if none {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    lone_forward! {
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Filter {
        All,
        Active,
        Completed,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum TodoEvent {
        Add { text: String },
        Toggle { id: u64 },
        Edit { id: u64, text: String },
        ClearCompleted,
        Filter { filter: Filter },
        Tags { tags: Vec<String> },
        Rate(u8),
        Done { done: bool },
    }

    fn todo(action: &str, values: Value) -> Result<TodoEvent, EventError> {
        decode_event(action, &values)
    }

    fn bad(r: Result<impl fmt::Debug, EventError>) -> String {
        match r {
            Err(EventError::BadValues { message, .. }) => message,
            other => panic!("expected BadValues, got {other:?}"),
        }
    }

    #[test]
    fn client_shapes() {
        assert_eq!(
            todo("toggle", json!({"id": "3"})),
            Ok(TodoEvent::Toggle { id: 3 })
        );
        assert_eq!(
            todo("add", json!({"text": "Buy milk"})),
            Ok(TodoEvent::Add {
                text: "Buy milk".into()
            })
        );
        assert_eq!(
            todo("edit", json!({"id": "7", "text": "x"})),
            Ok(TodoEvent::Edit {
                id: 7,
                text: "x".into()
            })
        );
        assert_eq!(
            todo("done", json!({"done": true})),
            Ok(TodoEvent::Done { done: true })
        );
        assert_eq!(
            todo("done", json!({"done": "on"})),
            Ok(TodoEvent::Done { done: true })
        );
        assert_eq!(
            todo("done", json!({"done": "false"})),
            Ok(TodoEvent::Done { done: false })
        );
        assert_eq!(
            todo("tags", json!({"tags": ["a", "b"]})),
            Ok(TodoEvent::Tags {
                tags: vec!["a".into(), "b".into()]
            })
        );
        assert_eq!(
            todo("tags", json!({"tags": "a"})),
            Ok(TodoEvent::Tags {
                tags: vec!["a".into()]
            })
        );
        assert_eq!(
            todo("filter", json!({"filter": "active"})),
            Ok(TodoEvent::Filter {
                filter: Filter::Active
            })
        );
        assert_eq!(
            todo("clear_completed", json!({})),
            Ok(TodoEvent::ClearCompleted)
        );
        assert_eq!(todo("rate", json!({"value": "4"})), Ok(TodoEvent::Rate(4)));
    }

    #[test]
    fn a_whole_client_message() {
        let msg: Value =
            serde_json::from_str(r#"{"type":"event","action":"toggle","values":{"id":"3"}}"#)
                .unwrap();
        let action = msg["action"].as_str().unwrap();
        assert_eq!(
            decode_event::<TodoEvent>(action, &msg["values"]),
            Ok(TodoEvent::Toggle { id: 3 })
        );
    }

    #[test]
    fn json_types_still_work() {
        assert_eq!(
            todo("toggle", json!({"id": 3})),
            Ok(TodoEvent::Toggle { id: 3 })
        );
        assert_eq!(todo("rate", json!({"value": 4})), Ok(TodoEvent::Rate(4)));
        assert_eq!(todo("rate", json!(5)), Ok(TodoEvent::Rate(5)));
        assert_eq!(todo("rate", json!("6")), Ok(TodoEvent::Rate(6)));
        // Numbers and booleans into strings, as their JSON text.
        assert_eq!(
            todo("add", json!({"text": 12})),
            Ok(TodoEvent::Add { text: "12".into() })
        );
        assert_eq!(
            todo("tags", json!({"tags": [1, true, "x"]})),
            Ok(TodoEvent::Tags {
                tags: vec!["1".into(), "true".into(), "x".into()]
            })
        );
    }

    #[test]
    fn unit_variants_ignore_values() {
        assert_eq!(
            todo("clear_completed", Value::Null),
            Ok(TodoEvent::ClearCompleted)
        );
        assert_eq!(
            todo("clear_completed", json!({"confirm": "yes"})),
            Ok(TodoEvent::ClearCompleted)
        );
    }

    #[test]
    fn scalars_are_trimmed_and_parsed() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum E {
            S {
                a: i32,
                b: f64,
                c: u128,
                d: i8,
                e: f32,
                f: bool,
                g: char,
            },
        }
        let r = decode_event::<E>(
            "S",
            &json!({"a": " -12 ", "b": "1.5", "c": "340282366920938463463374607431768211455",
                     "d": "+7", "e": "2", "f": " true\t", "g": 5}),
        );
        assert_eq!(
            r,
            Ok(E::S {
                a: -12,
                b: 1.5,
                c: u128::MAX,
                d: 7,
                e: 2.0,
                f: true,
                g: '5'
            })
        );
    }

    #[test]
    fn options_from_empty_strings() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum E {
            S { n: Option<u32>, s: Option<String> },
            N(Option<u32>),
        }
        let d = |a, v: Value| decode_event::<E>(a, &v);
        assert_eq!(
            d("S", json!({"n": "", "s": ""})),
            Ok(E::S { n: None, s: None })
        );
        assert_eq!(d("S", json!({"n": null})), Ok(E::S { n: None, s: None }));
        assert_eq!(
            d("S", json!({"n": " 9", "s": " "})),
            Ok(E::S {
                n: Some(9),
                s: Some(" ".into())
            })
        );
        assert_eq!(d("N", json!({})), Ok(E::N(None)));
        assert_eq!(d("N", json!({"value": ""})), Ok(E::N(None)));
        assert_eq!(d("N", json!({"value": "8"})), Ok(E::N(Some(8))));
        assert!(bad(d("S", json!({"n": "x"}))).starts_with("field `n`:"));
    }

    #[test]
    fn unknown_action() {
        let e = todo("tgl", json!({"id": "3"})).unwrap_err();
        assert_eq!(
            e,
            EventError::UnknownAction {
                action: "tgl".into()
            }
        );
        assert_eq!(e.to_string(), r#"unknown action "tgl""#);
        // The Rust name is not the wire name.
        assert!(matches!(
            todo("Toggle", json!({})),
            Err(EventError::UnknownAction { .. })
        ));
    }

    #[test]
    fn unknown_nested_variant_is_bad_values_not_unknown_action() {
        let m = bad(todo("filter", json!({"filter": "activ"})));
        assert!(
            m.starts_with("field `filter`: unknown variant `activ`"),
            "{m}"
        );
    }

    #[test]
    fn bad_numbers_name_the_field() {
        let e = todo("toggle", json!({"id": "x"})).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"action "toggle": field `id`: invalid digit in "x""#
        );
        assert_eq!(
            bad(todo("toggle", json!({"id": "1.5"}))),
            r#"field `id`: "1.5" is not an integer (u64)"#
        );
        assert_eq!(
            bad(todo("toggle", json!({"id": "-1"}))),
            r#"field `id`: "-1" is out of range for u64"#
        );
        assert_eq!(
            bad(todo("toggle", json!({"id": ""}))),
            "field `id`: expected u64, found an empty string"
        );
        assert_eq!(
            bad(todo("rate", json!({"value": "300"}))),
            r#"field `value`: "300" is out of range for u8"#
        );
        assert_eq!(
            bad(todo("rate", json!("300"))),
            r#""300" is out of range for u8"#
        );
        assert!(bad(todo("rate", json!({"value": 300}))).contains("300"));
        assert_eq!(
            bad(todo("done", json!({"done": "yes"}))),
            r#"field `done`: expected true, false or on, found "yes""#
        );
    }

    #[test]
    fn bad_sequence_element_names_its_index() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        enum E {
            Ids { ids: Vec<u16> },
        }
        let m = bad(decode_event::<E>("Ids", &json!({"ids": ["1", "2", "z"]})));
        assert_eq!(m, r#"field `ids[2]`: invalid digit in "z""#);
    }

    #[test]
    fn missing_field_is_named() {
        let m = bad(todo("edit", json!({"id": "1"})));
        assert_eq!(m, "missing field `text`");
        let m = bad(todo("toggle", Value::Null));
        assert_eq!(m, "missing field `id`");
        let m = bad(todo("rate", json!({})));
        assert_eq!(m, "missing field `value`");
    }

    #[test]
    fn unknown_fields_follow_serde_attributes() {
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(deny_unknown_fields)]
        enum Strict {
            S { id: u32 },
        }
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct Form {
            id: u32,
        }
        #[derive(Deserialize, Debug, PartialEq)]
        enum WithForm {
            F(Form),
        }
        // Ignored by default.
        assert_eq!(
            todo("toggle", json!({"id": "2", "extra": "x"})),
            Ok(TodoEvent::Toggle { id: 2 })
        );
        let m = bad(decode_event::<Strict>(
            "S",
            &json!({"id": "2", "extra": "x"}),
        ));
        assert!(m.starts_with("unknown field `extra`"), "{m}");
        assert_eq!(
            decode_event::<Strict>("S", &json!({"id": "2"})),
            Ok(Strict::S { id: 2 })
        );
        let m = bad(decode_event::<WithForm>(
            "F",
            &json!({"id": "2", "extra": "x"}),
        ));
        assert!(m.starts_with("unknown field `extra`"), "{m}");
        // A newtype of a struct gets the whole object.
        assert_eq!(
            decode_event::<WithForm>("F", &json!({"id": "5"})),
            Ok(WithForm::F(Form { id: 5 }))
        );
    }

    #[test]
    fn renamed_variants() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum E {
            #[serde(rename = "x")]
            Renamed { n: u8 },
            #[serde(rename = "go-away", alias = "leave")]
            Leave,
        }
        assert_eq!(
            decode_event::<E>("x", &json!({"n": "1"})),
            Ok(E::Renamed { n: 1 })
        );
        assert_eq!(decode_event::<E>("go-away", &json!({})), Ok(E::Leave));
        assert_eq!(decode_event::<E>("leave", &json!({})), Ok(E::Leave));
        assert!(matches!(
            decode_event::<E>("Renamed", &json!({"n": "1"})),
            Err(EventError::UnknownAction { .. })
        ));
    }

    #[test]
    fn nested_structs_are_lenient_too() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Address {
            zip: u32,
            primary: bool,
        }
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(rename_all = "snake_case")]
        enum Shape {
            Circle { r: f64 },
        }
        #[derive(Deserialize, Debug, PartialEq)]
        enum E {
            Save {
                address: Address,
                scores: std::collections::BTreeMap<u8, i32>,
                shape: Shape,
                pairs: Vec<(u8, String)>,
            },
        }
        let v = json!({
            "address": {"zip": "12345", "primary": "on"},
            "scores": {"1": "-5", "2": 7},
            "shape": {"circle": {"r": "2.5"}},
            "pairs": [["1", "a"]],
        });
        assert_eq!(
            decode_event::<E>("Save", &v),
            Ok(E::Save {
                address: Address {
                    zip: 12345,
                    primary: true
                },
                scores: [(1, -5), (2, 7)].into_iter().collect(),
                shape: Shape::Circle { r: 2.5 },
                pairs: vec![(1, "a".into())],
            })
        );
        let v = json!({
            "address": {"zip": "1", "primary": true},
            "scores": {},
            "shape": {"circle": {"r": "big"}},
            "pairs": [],
        });
        assert_eq!(
            bad(decode_event::<E>("Save", &v)),
            r#"field `shape.circle.r`: expected f64, found "big""#
        );
        let v = json!({
            "address": {"zip": "99999999999", "primary": true},
            "scores": {"x": 1}, "shape": "circle", "pairs": []
        });
        let m = bad(decode_event::<E>("Save", &v));
        assert!(m.starts_with("field `address.zip`: "), "{m}");
        let v = json!({
            "address": {"zip": "1", "primary": true},
            "scores": {"x": 1}, "shape": {"circle": {"r": 1}}, "pairs": []
        });
        assert_eq!(
            bad(decode_event::<E>("Save", &v)),
            r#"field `scores`: invalid digit in "x""#
        );
    }

    #[test]
    fn floats_must_be_finite() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum E {
            F(f64),
            G(f32),
        }
        assert_eq!(
            decode_event::<E>("F", &json!({"value": "1e3"})),
            Ok(E::F(1000.0))
        );
        assert!(bad(decode_event::<E>("F", &json!("NaN"))).contains("not a finite f64"));
        assert!(bad(decode_event::<E>("F", &json!("inf"))).contains("not a finite f64"));
        assert!(bad(decode_event::<E>("G", &json!("1e40"))).contains("not a finite f32"));
    }

    #[test]
    fn non_enum_event_type_sees_action_and_values() {
        let v: Value = decode_event("toggle", &json!({"id": "3"})).unwrap();
        assert_eq!(v, json!({"toggle": {"id": "3"}}));
    }

    #[test]
    fn long_input_is_shortened_in_messages() {
        let long = "9".repeat(10_000);
        let m = bad(todo("toggle", json!({ "id": long })));
        assert!(m.len() < 200, "{m}");
        let e = todo(&"a".repeat(10_000), json!({})).unwrap_err();
        assert!(e.to_string().len() < 100);
        let m = bad(todo("filter", json!({ "filter": "x".repeat(10_000) })));
        assert!(m.chars().count() < 400, "{m}");
    }

    /// `levels` arrays, one inside the other, around `null`.
    fn nested(levels: usize) -> Value {
        let mut v = Value::Null;
        for _ in 0..levels {
            v = Value::Array(vec![v]);
        }
        v
    }

    /// Drops without the recursion of `Value`'s own drop.
    fn dismantle(mut v: Value) {
        while let Value::Array(mut a) = v {
            v = a.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn nesting_is_capped() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum E {
            Any(Value),
            Field { x: Value },
        }
        // The values object plus 127 arrays: as deep as allowed.
        let ok = json!({ "x": nested(MAX_DEPTH - 1) });
        assert!(decode_event::<E>("Field", &ok).is_ok());
        let deep = json!({ "x": nested(MAX_DEPTH) });
        assert!(matches!(
            decode_event::<E>("Field", &deep),
            Err(EventError::Malformed { .. })
        ));
        // Far deeper than the stack would take without the cap.
        let v = nested(100_000);
        let r = decode_event::<E>("Any", &v);
        let Err(e @ EventError::Malformed { .. }) = r else {
            panic!("expected Malformed, got {r:?}")
        };
        assert_eq!(
            e.to_string(),
            "malformed event: values nested deeper than 128 levels"
        );
        dismantle(v);
        if let Value::Object(mut o) = deep {
            dismantle(o.remove("x").unwrap_or(Value::Null));
        }
        if let Value::Object(mut o) = ok {
            dismantle(o.remove("x").unwrap_or(Value::Null));
        }
    }

    #[test]
    fn recursive_types_as_deep_as_allowed_fit_a_test_thread_stack() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Node {
            n: Option<u8>,
            child: Option<Box<Node>>,
            list: Vec<Node>,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        enum E {
            Tree(Node),
        }
        // {"child": {"child": … {"n": "1", "list": []}}}: 127 objects, one
        // inside the other (the outermost is the values), and the innermost
        // one's empty array: 128 levels.
        let mut v = json!({"n": "1", "list": []});
        for _ in 0..MAX_DEPTH - 2 {
            v = json!({"n": "2", "list": [], "child": v});
        }
        assert!(decode_event::<E>("Tree", &v).is_ok());
        let v = json!({"n": "1", "list": [], "child": v});
        assert!(matches!(
            decode_event::<E>("Tree", &v),
            Err(EventError::Malformed { .. })
        ));
    }

    #[test]
    fn values_from_serde_json_never_reach_the_cap() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        enum E {
            Any(Value),
        }
        let message = |levels: usize| {
            format!(
                r#"{{"type":"event","action":"Any","values":{}null{}}}"#,
                "[".repeat(levels),
                "]".repeat(levels)
            )
        };
        // The deepest values serde_json's parser lets through decode fine.
        let levels = (0..=MAX_DEPTH)
            .rev()
            .find(|&n| serde_json::from_str::<Value>(&message(n)).is_ok())
            .unwrap();
        assert!(levels < MAX_DEPTH);
        let msg: Value = serde_json::from_str(&message(levels)).unwrap();
        assert!(decode_event::<E>("Any", &msg["values"]).is_ok());
    }

    mod proptests {
        use super::*;
        use proptest::prelude::*;

        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "snake_case")]
        #[allow(dead_code)]
        enum Any {
            Unit,
            Toggle {
                id: u64,
            },
            Form {
                text: String,
                n: Option<i32>,
                f: f32,
                b: bool,
                tags: Vec<String>,
                filter: Filter,
                nested: Option<Box<Any>>,
                map: std::collections::HashMap<u16, Vec<Option<u8>>>,
            },
            Strict(Strict),
            Rate(u8),
            Opt(Option<String>),
            Wrapped(Box<Any>),
            Json(Value),
            Pair(u32, String),
            #[serde(rename = "x-y")]
            Renamed {
                v: Vec<Value>,
            },
        }

        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            c: char,
            t: (u8, i128),
        }

        const NAMES: &[&str] = &[
            "unit", "toggle", "form", "strict", "rate", "opt", "wrapped", "json", "pair", "x-y",
        ];
        const KEYS: &[&str] = &[
            "id", "text", "n", "f", "b", "tags", "filter", "nested", "map", "c", "t", "value", "v",
            "toggle", "form", "active", "1",
        ];

        fn scalar_text() -> impl Strategy<Value = String> {
            prop_oneof![
                "\\PC{0,6}",
                "[ +-]?[0-9]{0,40}(\\.[0-9]{0,3})?(e[0-9]{1,3})? ?",
                prop::sample::select(vec![
                    "", "true", "false", "on", "active", "all", "NaN", "inf", "-0", "x",
                ])
                .prop_map(String::from),
                prop::sample::select(KEYS).prop_map(String::from),
            ]
        }

        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                scalar_text().prop_map(Value::String),
            ];
            leaf.prop_recursive(5, 48, 6, |inner| {
                let key = prop_oneof![
                    prop::sample::select(KEYS).prop_map(String::from),
                    "\\PC{0,4}",
                ];
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::vec((key, inner), 0..6)
                        .prop_map(|kv| Value::Object(kv.into_iter().collect())),
                ]
            })
        }

        fn action() -> impl Strategy<Value = String> {
            prop_oneof![
                3 => prop::sample::select(NAMES).prop_map(String::from),
                1 => "\\PC{0,8}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 2048,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            #[test]
            fn never_panics(action in action(), values in json()) {
                let r = decode_event::<Any>(&action, &values);
                if !NAMES.contains(&action.as_str()) {
                    prop_assert!(
                        matches!(r, Err(EventError::UnknownAction { .. })),
                        "{action:?}: {r:?}"
                    );
                } else {
                    prop_assert!(
                        !matches!(r, Err(EventError::UnknownAction { .. })),
                        "{action:?}: {r:?}"
                    );
                }
                if let Err(e) = &r {
                    let _ = e.to_string();
                }
                if action == "unit" {
                    prop_assert!(r.is_ok());
                }
                if action == "json" {
                    prop_assert!(r.is_ok());
                }
            }
        }
    }
}
