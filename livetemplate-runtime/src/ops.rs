//! Helpers that generated code calls: emitting a slot through its escapers,
//! and the builtins that can fail (`index`, comparisons).

use crate::error::{Loc, RenderError};
use crate::escape::{apply, Content, Escaper};
use crate::tree::Dyn;
use crate::value::{IndexBy, Len, Scalar, Slot, ToScalar, Truthy};

/// Writes `v` into `out` through the escaper chain the build fixed for this slot.
#[inline]
pub fn emit<V: Slot + ?Sized>(v: &V, chain: &[Escaper], out: &mut String) {
    if let [step @ (Escaper::Html | Escaper::Attr | Escaper::Rcdata | Escaper::Nospace)] = chain {
        if v.is_inert() {
            return v.write_plain(out);
        }
        if let Some(s) = v.as_plain_str() {
            return apply(*step, s, v.content(), out);
        }
    }
    emit_chain(v, chain, out)
}

fn emit_chain<V: Slot + ?Sized>(v: &V, chain: &[Escaper], out: &mut String) {
    let Some((first, rest)) = chain.split_first() else {
        return v.write_plain(out);
    };
    let mut scratch = String::new();
    let input: &str = if *first == Escaper::JsVal {
        v.write_json(&mut scratch);
        &scratch
    } else if let Some(s) = v.as_plain_str() {
        s
    } else {
        v.write_plain(&mut scratch);
        &scratch
    };
    if rest.is_empty() {
        return apply(*first, input, v.content(), out);
    }
    let mut cur = String::with_capacity(input.len() + 8);
    apply(*first, input, v.content(), &mut cur);
    for (i, step) in rest.iter().enumerate() {
        if i + 1 == rest.len() {
            return apply(*step, &cur, Content::Plain, out);
        }
        let mut next = String::with_capacity(cur.len() + 8);
        apply(*step, &cur, Content::Plain, &mut next);
        cur = next;
    }
}

/// Declares one autoref step of [`Print`] or [`JsPrint`]: the step says how
/// its values are emitted; the tree's text is what that writes.
macro_rules! print_step {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[doc(hidden)]
        pub trait $name {
            fn lt_emit(&self, chain: &[Escaper], out: &mut String);
            /// The value in the tree, as [`Self::lt_emit`] writes it.
            #[inline]
            fn lt_text(&self, chain: &[Escaper]) -> Dyn {
                let mut s = String::new();
                self.lt_emit(chain, &mut s);
                Dyn::Text(s)
            }
        }
    };
}

/// A slot's value as generated code prints it, `(&&Print(v)).lt_emit(…)`
/// or `.lt_text(…)` (autoref steps): a [`Slot`] as itself; else a type with
/// `Display` (another crate's: `chrono::DateTime`, `uuid::Uuid`,
/// `std::net::IpAddr`) through its `Display` text, escaped as usual, as Go
/// prints a value with a `String` method.
#[doc(hidden)]
pub struct Print<'a, T: ?Sized>(pub &'a T);

print_step!(PrintSlot, "Step 1 of [`Print`]: a [`Slot`].");
print_step!(PrintDisplay, "Step 2 of [`Print`]: `Display`.");

impl<T: Slot + ?Sized> PrintSlot for &Print<'_, T> {
    #[inline]
    fn lt_emit(&self, chain: &[Escaper], out: &mut String) {
        emit(self.0, chain, out)
    }
}

impl<T: std::fmt::Display + ?Sized> PrintDisplay for Print<'_, T> {
    #[inline]
    fn lt_emit(&self, chain: &[Escaper], out: &mut String) {
        emit(&Shown(self.0), chain, out)
    }
}

/// A slot's value in a script (`<script>`, an `on*` attribute), printed as
/// `(&&&JsPrint(v)).lt_emit(…)` / `.lt_text(…)`: a [`Slot`] as itself (its
/// [`Slot::write_json`]); else a `serde::Serialize` type as its JSON, as
/// [`crate::Json`] embeds it (a `Vec` of the application's structs, a map);
/// else a `Display` type as a JSON string of its text. As Go's
/// `json.Marshal` of any value.
#[doc(hidden)]
pub struct JsPrint<'a, T: ?Sized>(pub &'a T);

print_step!(JsSlot, "Step 1 of [`JsPrint`]: a [`Slot`].");
print_step!(JsSerialize, "Step 2 of [`JsPrint`]: `serde::Serialize`.");
print_step!(JsDisplay, "Step 3 of [`JsPrint`]: `Display`.");

impl<T: Slot + ?Sized> JsSlot for &&JsPrint<'_, T> {
    #[inline]
    fn lt_emit(&self, chain: &[Escaper], out: &mut String) {
        emit(self.0, chain, out)
    }
}

impl<T: serde::Serialize + ?Sized> JsSerialize for &JsPrint<'_, T> {
    #[inline]
    fn lt_emit(&self, chain: &[Escaper], out: &mut String) {
        emit(&crate::Json(self.0), chain, out)
    }
}

impl<T: std::fmt::Display + ?Sized> JsDisplay for JsPrint<'_, T> {
    #[inline]
    fn lt_emit(&self, chain: &[Escaper], out: &mut String) {
        emit(&Shown(self.0), chain, out)
    }
}

/// A `Display` value as a [`Slot`]: its text (a JSON string in scripts).
struct Shown<'a, T: ?Sized>(&'a T);

impl<T: std::fmt::Display + ?Sized> Slot for Shown<'_, T> {
    fn write_plain(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{}", self.0);
    }
}

/// A step of a field chain (`.a` of `.a.b`): a `None` on the way fails the
/// render at `loc`. A function rather than a closure in each generated step,
/// which rustc would check as a body of its own.
#[inline]
pub fn step<'a, T: ?Sized>(
    r: Result<&'a T, &'static str>,
    loc: &Loc,
) -> Result<&'a T, RenderError> {
    r.map_err(|m| nil_step(loc, m))
}

/// Go truthiness of any value.
#[inline]
pub fn truthy<T: Truthy + ?Sized>(v: &T) -> bool {
    v.truthy()
}

/// The `len` builtin.
#[inline]
pub fn len<T: Len + ?Sized>(v: &T) -> usize {
    v.len()
}

/// The `index` builtin, one key at a time.
#[inline]
pub fn index<'a, C: IndexBy<K> + ?Sized, K: ?Sized>(
    coll: &'a C,
    key: &K,
    loc: &Loc,
) -> Result<&'a C::Output, RenderError> {
    coll.index_by(key)
        .map_err(|m| RenderError::new(loc, format!("error calling index: {m}")))
}

/// A field reached through `None`.
pub fn nil_step(loc: &Loc, message: &str) -> RenderError {
    RenderError::new(loc, message)
}

fn incompatible(loc: &Loc, a: &Scalar, b: &Scalar) -> RenderError {
    RenderError::new(
        loc,
        format!("incompatible types for comparison: {a:?} and {b:?}"),
    )
}

/// Go's `eq a b`: basic values of the same kind compare; integers compare
/// across widths; anything else is an error.
pub fn eq<A: ToScalar + ?Sized, B: ToScalar + ?Sized>(
    a: &A,
    b: &B,
    loc: &Loc,
) -> Result<bool, RenderError> {
    let (x, y) = (a.to_scalar(), b.to_scalar());
    match (x, y) {
        (Scalar::Bool(p), Scalar::Bool(q)) => Ok(p == q),
        (Scalar::Int(p), Scalar::Int(q)) => Ok(p == q),
        (Scalar::Float(p), Scalar::Float(q)) => Ok(p == q),
        (Scalar::Str(p), Scalar::Str(q)) => Ok(p == q),
        (Scalar::Nil, Scalar::Nil) => Ok(true),
        (Scalar::Nil, _) | (_, Scalar::Nil) => Ok(false),
        _ => Err(incompatible(loc, &x, &y)),
    }
}

/// Go's `lt a b` (and, through it, `le gt ge`): integers, floats and strings.
pub fn lt<A: ToScalar + ?Sized, B: ToScalar + ?Sized>(
    a: &A,
    b: &B,
    loc: &Loc,
) -> Result<bool, RenderError> {
    let (x, y) = (a.to_scalar(), b.to_scalar());
    match (x, y) {
        (Scalar::Int(p), Scalar::Int(q)) => Ok(p < q),
        (Scalar::Float(p), Scalar::Float(q)) => Ok(p < q),
        (Scalar::Str(p), Scalar::Str(q)) => Ok(p < q),
        (Scalar::Bool(_), Scalar::Bool(_)) | (Scalar::Nil, Scalar::Nil) => {
            Err(RenderError::new(loc, "invalid type for comparison"))
        }
        _ => Err(incompatible(loc, &x, &y)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const L: Loc = Loc {
        file: "t",
        line: 1,
        col: 1,
        action: "{{x}}",
    };

    #[test]
    fn comparisons_follow_go_kinds() {
        assert!(eq(&3u8, &3i64, &L).unwrap());
        assert!(!eq(&"a", &"b".to_string(), &L).unwrap());
        assert!(eq(&3, &3.0, &L).is_err());
        assert!(lt(&-1i32, &1u64, &L).unwrap());
        assert!(lt(&"abc", &"abd", &L).unwrap());
        assert!(lt(&true, &false, &L).is_err());
        assert!(eq(&None::<i32>, &None::<i32>, &L).unwrap());
        assert!(!eq(&Some(1), &None::<i32>, &L).unwrap());
    }

    #[test]
    fn index_reports_out_of_range() {
        let v = vec![1, 2];
        assert_eq!(*index(&v, &1i64, &L).unwrap(), 2);
        let e = index(&v, &2usize, &L).unwrap_err();
        assert_eq!(e.message, "error calling index: index out of range: 2");
        assert!(index(&v, &-1i64, &L).is_err());
        let m: std::collections::BTreeMap<String, i32> = [("a".to_string(), 1)].into();
        assert_eq!(*index(&m, &"a", &L).unwrap(), 1);
        assert!(index(&m, &"z", &L).is_err());
    }

    #[test]
    fn emit_fast_paths_match_general_path() {
        let mut a = String::new();
        emit(&42, &[Escaper::Html], &mut a);
        assert_eq!(a, "42");
        let mut b = String::new();
        emit(&"<a href='x'>", &[Escaper::Html], &mut b);
        assert_eq!(b, "&lt;a href=&#39;x&#39;&gt;");
        let mut c = String::new();
        emit(
            &"javascript:alert(1)",
            &[Escaper::UrlFilter, Escaper::UrlNormalizer, Escaper::Attr],
            &mut c,
        );
        assert_eq!(c, "#ZgotmplZ");
        let mut d = String::new();
        emit(&"</script>", &[Escaper::JsVal], &mut d);
        assert_eq!(d, "\"\\u003c/script\\u003e\"");
    }
}
