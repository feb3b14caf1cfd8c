//! # livetemplate
//!
//! Server-rendered live HTML for Rust. A view-model struct is tied to an HTML
//! template written in Go's `html/template` syntax; `cargo build` parses the
//! template, checks every field it names, fixes the escaping of every slot for
//! its HTML context, and generates the rendering code.
//!
//! ```
//! use livetemplate::{live_template, Template};
//!
//! #[live_template(source = r#"<h1 class="{{.class}}">{{.title}}</h1>
//! {{range .items}}<li>{{.}}</li>{{else}}<p>empty</p>{{end}}"#)]
//! struct Page {
//!     title: String,
//!     class: String,
//!     items: Vec<String>,
//! }
//!
//! let page = Page { title: "<Hi>".into(), class: "big".into(), items: vec!["a".into()] };
//! assert_eq!(
//!     page.render().unwrap(),
//!     "<h1 class=\"big\">&lt;Hi&gt;</h1>\n<li>a</li>"
//! );
//! ```
//!
//! ## The template language
//!
//! Go `text/template` actions, with Rust field names:
//!
//! - `{{.field}}`, `{{.a.b.c}}`, `{{.}}`, `{{$}}`, `{{$x := .y}}`, `{{$x}}`
//! - `{{if P}}…{{else if Q}}…{{else}}…{{end}}` with Go truthiness
//!   (`false`, `0`, `""`, an empty collection and `None` are false)
//! - `{{range .items}}…{{else}}…{{end}}`, `{{range $i, $it := .items}}`
//! - `{{with P}}…{{else}}…{{end}}` (`with` on an `Option` unwraps `Some`)
//! - `{{define "name"}}…{{end}}`, `{{template "name" P}}`, `{{block "name" P}}…{{end}}`
//! - comments `{{/* … */}}`, trim markers `{{- ` and ` -}}`
//! - pipelines `P | f a` and the builtins `and or not len index eq ne lt le gt ge print printf`
//! - string, number and boolean literals
//!
//! Anything else is a build error that names the template file, line and column.
//!
//! ## Escaping
//!
//! As in Go's `html/template`, each value is escaped for where it lands: HTML
//! text, quoted or unquoted attribute values, URL attributes (unsafe schemes
//! such as `javascript:` become `#ZgotmplZ`), `<script>` and `on*` attributes
//! (values become JS literals), `<style>` and `style=""`, `<title>` and
//! `<textarea>`. The context is fixed at build time. [`Html`] marks trusted HTML.
//!
//! ## Types
//!
//! Fields of any type implementing [`Slot`] can be printed; [`Truthy`],
//! [`Range`], [`Len`], [`IndexBy`] and [`ToScalar`] give `if`, `range`,
//! `len`, `index` and comparisons. They are implemented for strings,
//! numbers, `bool`, `char`, `Option`, `Vec`, slices, arrays and maps.

pub use livetemplate_macros::live_template;
pub use livetemplate_runtime::{
    Html, IndexBy, Len, Range, RenderError, Scalar, Slot, Template, TemplateMeta, ToScalar, Truthy,
};

/// Items the generated code refers to. Not a public API.
#[doc(hidden)]
pub use livetemplate_runtime as __rt;
