//! Escaping pass: walks the syntax tree through the HTML state machine of
//! [`crate::context`], fixing the static text as it must be emitted and the
//! escaper chain of every slot, and inlining `{{template}}` calls in the
//! context of each call site (as Go's `html/template` does at parse time).
//! On the way it collects the attribute values written as static text
//! ([`AttrValue`]), for the checks of `lt-*` event actions.
//!
//! A mistake that leaves the escaping on track (a call of an unknown or
//! recursive template, which then prints nothing; a value where a tag
//! name should be) is recorded and the pass goes on, so that it and the
//! analysis after it report every such mistake; one that leaves the
//! context unknown (static text that cannot be escaped, a value where
//! none can go, branches ending in different contexts) stops it.

use crate::ast::{Branch, Node, Pipeline, Span, TemplateFile};
use crate::context::{self, Context, Escaper, StaticAttr};
use crate::diag::TemplateError;
use std::borrow::Cow;

/// A block of the template after escaping.
#[derive(Debug)]
pub struct Body {
    pub items: Vec<Part>,
}

#[derive(Debug)]
pub enum Part {
    /// Text to emit as is (already rewritten by the escaper).
    Static(String),
    /// `{{pipeline}}` printing a value through `escapers`.
    Slot {
        pipe: Pipeline,
        escapers: Vec<Escaper>,
        context: String,
        /// Inside a tag (an attribute value).
        attr: bool,
        span: Span,
    },
    /// `{{$x := pipeline}}`: declares variables, prints nothing.
    Decl { pipe: Pipeline, span: Span },
    If {
        branches: Vec<(Pipeline, Body)>,
        else_body: Option<Body>,
        span: Span,
        place: Place,
    },
    With {
        branches: Vec<(Pipeline, Body)>,
        else_body: Option<Body>,
        span: Span,
        place: Place,
    },
    Range {
        pipe: Pipeline,
        body: Body,
        else_body: Option<Body>,
        span: Span,
        place: Place,
    },
    /// `{{template "name" pipeline}}`, the callee inlined.
    Call {
        name: String,
        pipe: Option<Pipeline>,
        body: Body,
        span: Span,
        place: Place,
    },
}

/// Where a control structure sits in the page.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    /// Starts and ends in HTML text, so comment markers can delimit it.
    pub markable: bool,
    /// Inside a tag (an attribute value).
    pub attr: bool,
}

impl Place {
    fn new(start: Context, end: Context) -> Self {
        Place {
            markable: start.is_html_text() && end.is_html_text(),
            attr: start.in_tag(),
        }
    }
}

/// The escaped template and what the pass saw on the way.
#[derive(Debug)]
pub struct Lowered {
    pub block: Body,
    /// Every attribute value written whole in static text (no `{{…}}`
    /// inside), in template order, each once (a `{{range}}` body or a
    /// `{{define}}` called twice is escaped more than once). Values inside
    /// HTML comments or scripts are not attributes and are not here; a
    /// `{{define}}` never called is not escaped, so not here either.
    pub attrs: Vec<AttrValue>,
    /// The mistakes the pass went on after (see the module header), in
    /// the order found.
    pub errors: Vec<TemplateError>,
}

/// An attribute value written as static text in the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrValue {
    /// The attribute name, lower-cased.
    pub name: String,
    /// The value as a browser reads it (character references decoded).
    pub value: String,
    /// Where the value is written in the template source (inside the
    /// quotes, if any).
    pub span: Span,
}

/// Lowers the whole file (whose source is `src`), starting in HTML text;
/// the page must end in a text context. When a mistake stops the pass,
/// it and those found before it.
pub fn lower(file: &TemplateFile, src: &str) -> Result<Lowered, Vec<TemplateError>> {
    let mut l = Lowerer {
        file,
        src,
        call_stack: Vec::new(),
        prev_text: String::new(),
        attrs: Vec::new(),
        errors: Vec::new(),
    };
    let lowered = l
        .block(&file.body, Context::text())
        .and_then(|(block, end)| {
            context::check_end(end).map_err(|m| {
                let at = file.body.last().map_or(Span::default(), |n| n.span());
                TemplateError::new(Span::new(at.end, at.end), m)
            })?;
            Ok(block)
        });
    let mut errors = l.errors;
    let block = match lowered {
        Ok(block) => block,
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };
    let mut attrs = l.attrs;
    attrs.sort_by_key(|a| (a.span.start, a.span.end));
    attrs.dedup();
    Ok(Lowered {
        block,
        attrs,
        errors,
    })
}

struct Lowerer<'a> {
    file: &'a TemplateFile,
    src: &'a str,
    call_stack: Vec<&'a str>,
    /// The template text right before the current node, as written.
    prev_text: String,
    attrs: Vec<AttrValue>,
    /// Mistakes the pass went on after.
    errors: Vec<TemplateError>,
}

impl<'a> Lowerer<'a> {
    fn block(&mut self, nodes: &[Node], start: Context) -> Result<(Body, Context), TemplateError> {
        let mut items = Vec::new();
        let mut c = start;
        // Text separated only by a `{{/* comment */}}` is one run of text in
        // the output: escape it as one (`<scr{{/**/}}ipt>` is a script tag).
        for run in merge_text(nodes) {
            match run {
                Run::Text { text, pieces } => {
                    c = self.text(&text, &pieces, c, &mut items)?;
                    self.prev_text = text.into_owned();
                }
                Run::Node(node) => {
                    c = self.node(node, c, &mut items)?;
                    self.prev_text = String::new();
                }
            }
        }
        Ok((Body { items }, c))
    }

    /// Static text (one or more text nodes, see [`Run::Text`]).
    fn text(
        &mut self,
        text: &str,
        pieces: &[TextPart<'_>],
        c: Context,
        items: &mut Vec<Part>,
    ) -> Result<Context, TemplateError> {
        let span = Span::new(
            pieces.first().map_or(0, |p| p.span.start),
            pieces.last().map_or(0, |p| p.span.end),
        );
        let mut found = Vec::new();
        let (out, c) = context::escape_text_attrs(c, text, &mut found)
            .map_err(|m| TemplateError::new(span, m))?;
        for StaticAttr {
            name,
            value,
            start,
            end,
        } in found
        {
            let from = self.source_offset(pieces, start);
            // The end is one past the value's last byte (itself if empty).
            let to = match end.checked_sub(1) {
                Some(last) if end > start => self.source_offset(pieces, last) + 1,
                _ => from,
            };
            self.attrs.push(AttrValue {
                name,
                value,
                span: Span::new(from, to),
            });
        }
        if !out.is_empty() {
            match items.last_mut() {
                Some(Part::Static(s)) => s.push_str(&out),
                _ => items.push(Part::Static(out)),
            }
        }
        Ok(c)
    }

    /// Where byte `at` of a run of text is in the template source.
    fn source_offset(&self, pieces: &[TextPart<'_>], at: usize) -> usize {
        let Some(p) = pieces.iter().rev().find(|p| p.at <= at) else {
            return 0;
        };
        // A text node's span covers what trim markers removed: the kept text
        // starts at its first occurrence (after only spaces were trimmed).
        let lead = self
            .src
            .get(p.span.start..p.span.end)
            .and_then(|raw| raw.find(p.text))
            .unwrap_or(0);
        p.span.start + lead + (at - p.at)
    }

    fn node(
        &mut self,
        node: &Node,
        c: Context,
        items: &mut Vec<Part>,
    ) -> Result<Context, TemplateError> {
        match node {
            Node::Text { text, span } => {
                let pieces = [TextPart {
                    at: 0,
                    span: *span,
                    text,
                }];
                self.text(text, &pieces, c, items)
            }
            Node::Action { pipe, span } => {
                if !pipe.decl.is_empty() {
                    items.push(Part::Decl {
                        pipe: pipe.clone(),
                        span: *span,
                    });
                    return Ok(c);
                }
                if let Err(e) = check_not_tag_name(&self.prev_text, c, *span) {
                    self.errors.push(e);
                }
                // Not gone on after: the text after such a slot is read
                // for what the slot should have been (`<a {{.x}}="y">`
                // would report the `=` next).
                let (escapers, after) =
                    context::escape_slot(c).map_err(|m| TemplateError::new(*span, m))?;
                items.push(Part::Slot {
                    pipe: pipe.clone(),
                    escapers,
                    context: c.describe(),
                    attr: c.in_tag(),
                    span: *span,
                });
                Ok(after)
            }
            Node::If {
                branches,
                else_body,
                span,
            } => {
                let (branches, else_body, end) =
                    self.branches(branches, else_body, c, *span, "if")?;
                items.push(Part::If {
                    branches,
                    else_body,
                    span: *span,
                    place: Place::new(c, end),
                });
                Ok(end)
            }
            Node::With {
                branches,
                else_body,
                span,
            } => {
                let (branches, else_body, end) =
                    self.branches(branches, else_body, c, *span, "with")?;
                items.push(Part::With {
                    branches,
                    else_body,
                    span: *span,
                    place: Place::new(c, end),
                });
                Ok(end)
            }
            Node::Range {
                pipe,
                body: body_nodes,
                else_body,
                span,
            } => {
                let err = |m: String| TemplateError::new(*span, m);
                let (body, c0) = self.block(body_nodes, c)?;
                // The body may run many times: running it again from where it
                // ends must end in the same context.
                let (_, c1) = self.block(body_nodes, c0)?;
                let c0 = context::join(c0, c1)
                    .map_err(|m| err(format!("on `{{{{range}}}}` loop re-entry: {m}")))?;
                let (else_body, c_else) = match else_body {
                    Some(nodes) => {
                        let (b, ce) = self.block(nodes, c)?;
                        (Some(b), ce)
                    }
                    None => (None, c),
                };
                let end =
                    context::join(c0, c_else).map_err(|m| err(format!("`{{{{range}}}}` {m}")))?;
                items.push(Part::Range {
                    pipe: pipe.clone(),
                    body,
                    else_body,
                    span: *span,
                    place: Place::new(c, end),
                });
                Ok(end)
            }
            Node::Template { name, pipe, span } => {
                let err = |m: String| TemplateError::new(*span, m);
                // An unknown or recursive template: go on as if the call
                // printed nothing.
                let Some(def) = self.file.defines.iter().find(|d| d.name == *name) else {
                    let names: Vec<&str> =
                        self.file.defines.iter().map(|d| d.name.as_str()).collect();
                    let e = err(format!(
                        "no template named {name:?} is defined in this file"
                    ));
                    self.errors
                        .push(match crate::suggest::closest(name, names.iter().copied()) {
                            Some(s) => e.with_help(format!("did you mean {s:?}?")),
                            None => e,
                        });
                    return Ok(c);
                };
                if self.call_stack.contains(&def.name.as_str()) {
                    self.errors.push(err(format!(
                        "template {name:?} calls itself (through {}); recursive templates are not supported",
                        self.call_stack.join(" → ")
                    )));
                    return Ok(c);
                }
                self.call_stack.push(&def.name);
                let (body, end) = self.block(&def.body, c)?;
                self.call_stack.pop();
                items.push(Part::Call {
                    name: name.clone(),
                    pipe: pipe.clone(),
                    body,
                    span: *span,
                    place: Place::new(c, end),
                });
                Ok(end)
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn branches(
        &mut self,
        branches: &[Branch],
        else_body: &Option<Vec<Node>>,
        c: Context,
        span: Span,
        what: &str,
    ) -> Result<(Vec<(Pipeline, Body)>, Option<Body>, Context), TemplateError> {
        let mut out = Vec::new();
        let mut end: Option<Context> = None;
        let join = |end: &mut Option<Context>, next: Context| -> Result<(), TemplateError> {
            *end = Some(match *end {
                None => next,
                Some(prev) => context::join(prev, next)
                    .map_err(|m| TemplateError::new(span, format!("`{{{{{what}}}}}` {m}")))?,
            });
            Ok(())
        };
        for b in branches {
            let (block, e) = self.block(&b.body, c)?;
            join(&mut end, e)?;
            out.push((b.cond.clone(), block));
        }
        let else_block = match else_body {
            Some(nodes) => {
                let (block, e) = self.block(nodes, c)?;
                join(&mut end, e)?;
                Some(block)
            }
            None => {
                join(&mut end, c)?;
                None
            }
        };
        Ok((out, else_block, end.unwrap_or(c)))
    }
}

/// `<{{.tag}}>`: Go would escape the `<` and print text; a value can never
/// name a tag, so say so at build time.
fn check_not_tag_name(prev_text: &str, c: Context, span: Span) -> Result<(), TemplateError> {
    if c.is_html_text() && (prev_text.ends_with('<') || prev_text.ends_with("</")) {
        return Err(TemplateError::new(
            span,
            "a template value cannot be a tag name (the element must be written in the template)",
        ));
    }
    Ok(())
}

/// A node of a block, with adjacent text nodes joined.
enum Run<'n> {
    /// Text nodes next to each other (the parser leaves one on each side of
    /// a comment), joined: one run of text in the output.
    Text {
        text: Cow<'n, str>,
        /// The text nodes, in order.
        pieces: Vec<TextPart<'n>>,
    },
    /// Any other node.
    Node(&'n Node),
}

/// One text node of a [`Run::Text`].
struct TextPart<'n> {
    /// Where its text starts in the run's text.
    at: usize,
    /// Its span (which covers text removed by trim markers).
    span: Span,
    /// Its text.
    text: &'n str,
}

/// Joins adjacent text nodes.
fn merge_text(nodes: &[Node]) -> Vec<Run<'_>> {
    let mut out: Vec<Run<'_>> = Vec::with_capacity(nodes.len());
    for n in nodes {
        match (out.last_mut(), n) {
            (Some(Run::Text { text, pieces }), Node::Text { text: more, span }) => {
                pieces.push(TextPart {
                    at: text.len(),
                    span: *span,
                    text: more,
                });
                text.to_mut().push_str(more);
            }
            (_, Node::Text { text, span }) => out.push(Run::Text {
                text: Cow::Borrowed(text),
                pieces: vec![TextPart {
                    at: 0,
                    span: *span,
                    text,
                }],
            }),
            _ => out.push(Run::Node(n)),
        }
    }
    out
}
