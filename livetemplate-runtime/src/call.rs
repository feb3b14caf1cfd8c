//! Calls from templates: the arguments a method or a registered function
//! (`#[live_template(…, funcs(…))]`) receives, and what it returns.
//!
//! Generated code passes each argument as `arg(&value, loc)?`; the
//! parameter's type chooses the conversion ([`FromArg`]), so rustc checks
//! every call against the Rust signature: a reference, a clone, `&str` from
//! a `String`, `&[T]` from a `Vec<T>`, `String` from a string literal, and
//! an integer of another width (out of range fails the render, as Go's
//! call of a function with an argument it cannot convert does). The result
//! goes through [`Ret`]: a `Result` that is an `Err` fails the render with
//! its message (Go's second `error` result), any other value is the value.

use crate::error::{Loc, RenderError};
use std::cell::Cell;
use std::fmt::Display;

/// A parameter type that a template value of type `V` converts to.
#[diagnostic::on_unimplemented(
    message = "a template value of type `{V}` cannot be passed as a `{Self}` argument",
    note = "a method or function called from a template takes its arguments by reference (`&T`, `&str`, `&[T]`), by value (`T: Clone`), or as an integer of another width"
)]
pub trait FromArg<'a, V: ?Sized>: Sized {
    /// The argument, or why the value does not convert.
    fn from_arg(v: &'a V) -> Result<Self, String>;
}

impl<'a, V: ?Sized> FromArg<'a, V> for &'a V {
    #[inline]
    fn from_arg(v: &'a V) -> Result<Self, String> {
        Ok(v)
    }
}

impl<V: Clone> FromArg<'_, V> for V {
    #[inline]
    fn from_arg(v: &V) -> Result<Self, String> {
        Ok(v.clone())
    }
}

impl<'a> FromArg<'a, String> for &'a str {
    #[inline]
    fn from_arg(v: &'a String) -> Result<Self, String> {
        Ok(v)
    }
}

impl FromArg<'_, &str> for String {
    #[inline]
    fn from_arg(v: &&str) -> Result<Self, String> {
        Ok((*v).to_owned())
    }
}

impl<'a, T> FromArg<'a, Vec<T>> for &'a [T] {
    #[inline]
    fn from_arg(v: &'a Vec<T>) -> Result<Self, String> {
        Ok(v)
    }
}

/// Integers of one width to every other (`TryFrom`; the generic clone
/// impl converts a type to itself), and to `f64`.
macro_rules! int_args {
    ($($t:ident)*) => { int_args!(@rows [$($t)*] [$($t)*]); };
    (@rows [$($from:ident)*] $all:tt) => { $( int_args!(@row $from $all); )* };
    (@row $from:ident [$($to:ident)*]) => {
        $( int_args!(@pair $from, $to); )*
        impl FromArg<'_, $from> for f64 {
            #[inline]
            fn from_arg(v: &$from) -> Result<Self, String> {
                Ok(*v as f64)
            }
        }
    };
    (@pair i8, i8) => {};
    (@pair i16, i16) => {};
    (@pair i32, i32) => {};
    (@pair i64, i64) => {};
    (@pair isize, isize) => {};
    (@pair u8, u8) => {};
    (@pair u16, u16) => {};
    (@pair u32, u32) => {};
    (@pair u64, u64) => {};
    (@pair usize, usize) => {};
    (@pair $from:ident, $to:ident) => {
        impl FromArg<'_, $from> for $to {
            #[inline]
            fn from_arg(v: &$from) -> Result<Self, String> {
                <$to>::try_from(*v)
                    .map_err(|_| format!("{} does not fit in a {} argument", v, stringify!($to)))
            }
        }
    };
}

int_args!(i8 i16 i32 i64 isize u8 u16 u32 u64 usize);

/// One argument of a call at `loc`: the value converted to the parameter's type.
#[inline]
pub fn arg<'a, V: ?Sized, P: FromArg<'a, V>>(v: &'a V, loc: &Loc) -> Result<P, RenderError> {
    P::from_arg(v).map_err(|m| RenderError::new(loc, m))
}

/// A call's result, read with `(&&Ret::new(r)).lt_ret(loc)?` (autoref
/// steps): an `Err` fails the render, anything else is the value.
#[doc(hidden)]
pub struct Ret<T>(Cell<Option<T>>);

impl<T> Ret<T> {
    #[inline]
    pub fn new(v: T) -> Self {
        Ret(Cell::new(Some(v)))
    }
}

/// Step 1 of [`Ret`]: a `Result`.
#[doc(hidden)]
pub trait RetResult {
    type Out;
    fn lt_ret(&self, loc: &Loc) -> Result<Self::Out, RenderError>;
}

/// Step 2 of [`Ret`]: any other value.
#[doc(hidden)]
pub trait RetValue {
    type Out;
    fn lt_ret(&self, loc: &Loc) -> Result<Self::Out, RenderError>;
}

impl<T, E: Display> RetResult for &Ret<Result<T, E>> {
    type Out = T;
    #[inline]
    fn lt_ret(&self, loc: &Loc) -> Result<T, RenderError> {
        match self.0.take() {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(RenderError::new(loc, e.to_string())),
            None => Err(RenderError::new(loc, "a call's result was read twice")),
        }
    }
}

impl<T> RetValue for Ret<T> {
    type Out = T;
    #[inline]
    fn lt_ret(&self, loc: &Loc) -> Result<T, RenderError> {
        self.0
            .take()
            .ok_or_else(|| RenderError::new(loc, "a call's result was read twice"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Loc {
        Loc {
            file: "t.html",
            line: 1,
            col: 1,
            action: "{{f .x}}",
        }
    }

    fn takes_str(s: &str) -> usize {
        s.len()
    }
    fn takes_u8(n: u8) -> u8 {
        n
    }
    fn takes_slice(v: &[i64]) -> i64 {
        v.iter().sum()
    }
    fn takes_string(s: String) -> String {
        s
    }

    #[test]
    fn arguments_convert_to_the_parameter_type() {
        let l = loc();
        let s = String::from("abc");
        assert_eq!(takes_str(arg(&s, &l).unwrap()), 3);
        let lit: &str = "xy";
        assert_eq!(takes_string(arg(&lit, &l).unwrap()), "xy");
        assert_eq!(takes_str(arg(&lit, &l).unwrap()), 2);
        assert_eq!(takes_u8(arg(&200i64, &l).unwrap()), 200);
        assert_eq!(takes_slice(arg(&vec![1i64, 2], &l).unwrap()), 3);
        let same: i64 = arg(&7i64, &l).unwrap();
        assert_eq!(same, 7);
    }

    #[test]
    fn an_integer_out_of_range_fails_the_render() {
        let l = loc();
        let e = arg::<i64, u8>(&300, &l).unwrap_err();
        assert!(e.to_string().contains("300 does not fit in a u8"), "{e}");
        assert!(e.to_string().contains("t.html:1:1"), "{e}");
    }

    #[test]
    fn results_fail_the_render_and_values_pass() {
        let l = loc();
        let ok: Result<u32, String> = Ok(4);
        assert_eq!((&&Ret::new(ok)).lt_ret(&l).unwrap(), 4);
        let err: Result<u32, String> = Err("no such user".into());
        let e = (&&Ret::new(err)).lt_ret(&l).unwrap_err();
        assert!(e.to_string().contains("no such user"), "{e}");
        // As generated code calls it: the autoref finds the value step.
        #[allow(clippy::needless_borrow)]
        let plain = (&&Ret::new("plain")).lt_ret(&l).unwrap();
        assert_eq!(plain, "plain");
    }
}
