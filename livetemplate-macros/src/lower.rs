//! Escaping pass: walks the syntax tree through the HTML state machine of
//! [`crate::context`], fixing the static text as it must be emitted and the
//! escaper chain of every slot, and inlining `{{template}}` calls in the
//! context of each call site (as Go's `html/template` does at parse time).

use crate::ast::{Branch, Node, Pipeline, Span, TemplateFile};
use crate::context::{self, Context, Escaper};
use crate::diag::TemplateError;

/// A block of the template after escaping.
#[derive(Debug)]
pub struct Block {
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub enum Item {
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
        branches: Vec<(Pipeline, Block)>,
        else_body: Option<Block>,
        span: Span,
        place: Place,
    },
    With {
        branches: Vec<(Pipeline, Block)>,
        else_body: Option<Block>,
        span: Span,
        place: Place,
    },
    Range {
        pipe: Pipeline,
        body: Block,
        else_body: Option<Block>,
        span: Span,
        place: Place,
    },
    /// `{{template "name" pipeline}}`, the callee inlined.
    Call {
        name: String,
        pipe: Option<Pipeline>,
        body: Block,
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

/// Lowers the whole file, starting in HTML text; the page must end in a text context.
pub fn lower(file: &TemplateFile) -> Result<Block, TemplateError> {
    let mut l = Lowerer {
        file,
        call_stack: Vec::new(),
        prev_text: String::new(),
    };
    let (block, end) = l.block(&file.body, Context::text())?;
    context::check_end(end).map_err(|m| {
        let at = file.body.last().map_or(Span::default(), |n| n.span());
        TemplateError::new(Span::new(at.end, at.end), m)
    })?;
    Ok(block)
}

struct Lowerer<'a> {
    file: &'a TemplateFile,
    call_stack: Vec<&'a str>,
    /// The template text right before the current node, as written.
    prev_text: String,
}

impl<'a> Lowerer<'a> {
    fn block(&mut self, nodes: &[Node], start: Context) -> Result<(Block, Context), TemplateError> {
        let mut items = Vec::new();
        let mut c = start;
        // Text separated only by a `{{/* comment */}}` is one run of text in
        // the output: escape it as one (`<scr{{/**/}}ipt>` is a script tag).
        let merged = merge_text(nodes);
        for node in merged.iter() {
            c = self.node(node, c, &mut items)?;
            self.prev_text = match node {
                Node::Text { text, .. } => text.clone(),
                _ => String::new(),
            };
        }
        Ok((Block { items }, c))
    }

    fn node(
        &mut self,
        node: &Node,
        c: Context,
        items: &mut Vec<Item>,
    ) -> Result<Context, TemplateError> {
        match node {
            Node::Text { text, span } => {
                let (out, c) =
                    context::escape_text(c, text).map_err(|m| TemplateError::new(*span, m))?;
                if !out.is_empty() {
                    match items.last_mut() {
                        Some(Item::Static(s)) => s.push_str(&out),
                        _ => items.push(Item::Static(out)),
                    }
                }
                Ok(c)
            }
            Node::Action { pipe, span } => {
                if !pipe.decl.is_empty() {
                    items.push(Item::Decl {
                        pipe: pipe.clone(),
                        span: *span,
                    });
                    return Ok(c);
                }
                check_not_tag_name(&self.prev_text, c, *span)?;
                let (escapers, after) =
                    context::escape_slot(c).map_err(|m| TemplateError::new(*span, m))?;
                items.push(Item::Slot {
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
                items.push(Item::If {
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
                items.push(Item::With {
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
                items.push(Item::Range {
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
                let def = self
                    .file
                    .defines
                    .iter()
                    .find(|d| d.name == *name)
                    .ok_or_else(|| {
                        let names: Vec<&str> =
                            self.file.defines.iter().map(|d| d.name.as_str()).collect();
                        let e = err(format!(
                            "no template named {name:?} is defined in this file"
                        ));
                        match crate::suggest::closest(name, names.iter().copied()) {
                            Some(s) => e.with_help(format!("did you mean {s:?}?")),
                            None => e,
                        }
                    })?;
                if self.call_stack.contains(&def.name.as_str()) {
                    return Err(err(format!(
                        "template {name:?} calls itself (through {}); recursive templates are not supported",
                        self.call_stack.join(" → ")
                    )));
                }
                self.call_stack.push(&def.name);
                let (body, end) = self.block(&def.body, c)?;
                self.call_stack.pop();
                items.push(Item::Call {
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
    ) -> Result<(Vec<(Pipeline, Block)>, Option<Block>, Context), TemplateError> {
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

/// Joins adjacent text nodes (the parser leaves one on each side of a comment).
fn merge_text(nodes: &[Node]) -> std::borrow::Cow<'_, [Node]> {
    let adjacent = nodes
        .windows(2)
        .any(|w| matches!(w, [Node::Text { .. }, Node::Text { .. }]));
    if !adjacent {
        return std::borrow::Cow::Borrowed(nodes);
    }
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len());
    for n in nodes {
        match (out.last_mut(), n) {
            (
                Some(Node::Text { text, span }),
                Node::Text {
                    text: more,
                    span: more_span,
                },
            ) => {
                text.push_str(more);
                span.end = more_span.end;
            }
            _ => out.push(n.clone()),
        }
    }
    std::borrow::Cow::Owned(out)
}
