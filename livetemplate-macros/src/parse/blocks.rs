//! Layer 3: blocks and variable scopes ([`BlockParser`]).

use super::*;

// Layer 3: blocks and variable scopes.
//
// Blocks are tracked on an explicit stack rather than by recursion, so deep
// nesting cannot overflow the (proc-macro) thread's stack.

/// The kind of an open block.
pub(super) enum OpenKind {
    If,
    With,
    Range(Pipeline),
    Define(String),
    Block(String, Pipeline),
}

impl OpenKind {
    pub(super) fn keyword(&self) -> &'static str {
        match self {
            OpenKind::If => "if",
            OpenKind::With => "with",
            OpenKind::Range(_) => "range",
            OpenKind::Define(_) => "define",
            OpenKind::Block(..) => "block",
        }
    }
}

/// A block whose `{{end}}` has not been reached yet.
pub(super) struct OpenBlock {
    pub(super) kind: OpenKind,
    /// The opening action.
    pub(super) span: Span,
    /// The list being read: the current branch, the range body, or the `{{else}}` part.
    pub(super) nodes: Vec<Node>,
    /// `if`/`with`: the finished branches, and the condition of the current one.
    pub(super) branches: Vec<Branch>,
    pub(super) cond: Option<Pipeline>,
    /// `range`: the body, once `{{else}}` has been reached.
    pub(super) range_body: Option<Vec<Node>>,
    pub(super) in_else: bool,
    /// Scope length before the block's own declarations; restored at `{{end}}`.
    pub(super) vars_mark: usize,
    /// Scope length at the start of the current branch; restored at `{{else}}`.
    pub(super) body_mark: usize,
    /// `define`/`block`: the enclosing scope, hidden from the body.
    pub(super) saved_vars: Option<Vec<String>>,
}

pub(super) struct BlockParser<'a> {
    pub(super) src: &'a str,
    /// The template body (the list being read when no block is open).
    pub(super) root: Vec<Node>,
    /// Open blocks, innermost last.
    pub(super) stack: Vec<OpenBlock>,
    /// Variables in scope, innermost last (`$` is always in scope).
    pub(super) vars: Vec<String>,
    pub(super) defines: Vec<Define>,
    /// Uses of variables not in scope, in template order (the parse goes
    /// on: see [`parse_all`]).
    pub(super) scope_errors: Vec<TemplateError>,
    /// Where each template name was defined, to report duplicates.
    pub(super) define_spans: HashMap<String, Span>,
}

impl BlockParser<'_> {
    /// The list that the next node belongs to.
    pub(super) fn nodes(&mut self) -> &mut Vec<Node> {
        match self.stack.last_mut() {
            Some(block) => &mut block.nodes,
            None => &mut self.root,
        }
    }

    pub(super) fn item(&mut self, item: Lexeme) -> Result<(), TemplateError> {
        let action = match item {
            Lexeme::Text(text) => {
                self.nodes().push(text);
                return Ok(());
            }
            Lexeme::Action(action) => action,
        };
        let span = action.span;
        let mut tokens = ActionParser {
            tokens: &action.tokens,
            pos: 0,
            span,
            depth: 0,
        };
        let node = match tokens.directive()? {
            Directive::Pipeline(pipe) => {
                self.declare(&pipe);
                Node::Action { pipe, span }
            }
            Directive::Template(name, pipe) => {
                if let Some(pipe) = &pipe {
                    self.check_pipe(pipe);
                }
                Node::Template { name, pipe, span }
            }
            Directive::If(cond) => return self.open_branching(OpenKind::If, cond, span),
            Directive::With(cond) => return self.open_branching(OpenKind::With, cond, span),
            Directive::Range(pipe) => {
                let mark = self.vars.len();
                self.declare(&pipe);
                return self.open(OpenKind::Range(pipe), span, None, mark);
            }
            Directive::Define(name) => {
                if !self.stack.is_empty() {
                    return Err(error(
                        span,
                        "`{{define}}` is only allowed at the top level of a template",
                    )
                    .with_help("move it out of the enclosing block"));
                }
                return self.open_template(name.clone(), OpenKind::Define(name), span);
            }
            Directive::Block(name, pipe) => {
                self.check_pipe(&pipe);
                return self.open_template(name.clone(), OpenKind::Block(name, pipe), span);
            }
            Directive::Else(kind) => return self.else_(kind, span),
            Directive::End => return self.end(span),
        };
        self.nodes().push(node);
        Ok(())
    }

    pub(super) fn open_branching(
        &mut self,
        kind: OpenKind,
        cond: Pipeline,
        span: Span,
    ) -> Result<(), TemplateError> {
        let mark = self.vars.len();
        self.declare(&cond);
        self.open(kind, span, Some(cond), mark)
    }

    /// `{{define}}` and `{{block}}`: a new template, which starts with only `$` in scope.
    pub(super) fn open_template(
        &mut self,
        name: String,
        kind: OpenKind,
        span: Span,
    ) -> Result<(), TemplateError> {
        if let Some(first) = self.define_spans.get(&name) {
            let (line, col) = line_col(self.src, first.start);
            return Err(error(
                span,
                format!(
                    "template `{}` is defined more than once",
                    name.escape_debug()
                ),
            )
            .with_help(format!(
                "the first definition is at line {line}, column {col}"
            )));
        }
        self.define_spans.insert(name, span);
        let outer = std::mem::take(&mut self.vars);
        self.open(kind, span, None, 0)?;
        if let Some(block) = self.stack.last_mut() {
            block.saved_vars = Some(outer);
        }
        Ok(())
    }

    pub(super) fn open(
        &mut self,
        kind: OpenKind,
        span: Span,
        cond: Option<Pipeline>,
        vars_mark: usize,
    ) -> Result<(), TemplateError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(error(
                span,
                format!("blocks are nested too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        self.stack.push(OpenBlock {
            kind,
            span,
            nodes: Vec::new(),
            branches: Vec::new(),
            cond,
            range_body: None,
            in_else: false,
            vars_mark,
            body_mark: self.vars.len(),
            saved_vars: None,
        });
        Ok(())
    }

    pub(super) fn else_(&mut self, kind: Else, span: Span) -> Result<(), TemplateError> {
        let Some(block) = self.stack.last_mut() else {
            return Err(error(
                span,
                format!(
                    "unexpected {} outside `{{{{if}}}}`, `{{{{with}}}}` or `{{{{range}}}}`",
                    kind.describe()
                ),
            ));
        };
        let keyword = block.kind.keyword();
        if block.in_else {
            return Err(error(
                span,
                match kind {
                    Else::Plain => {
                        format!("unexpected second `{{{{else}}}}` in `{{{{{keyword}}}}}`")
                    }
                    _ => format!("unexpected {} after `{{{{else}}}}`", kind.describe()),
                },
            ));
        }
        let next_cond = match (&block.kind, kind) {
            (OpenKind::If, Else::If(cond)) | (OpenKind::With, Else::With(cond)) => Some(cond),
            (OpenKind::If | OpenKind::With | OpenKind::Range(_), Else::Plain) => None,
            (OpenKind::Define(_) | OpenKind::Block(..), kind) => {
                return Err(error(
                    span,
                    format!("unexpected {} in `{{{{{keyword}}}}}`", kind.describe()),
                ))
            }
            (_, kind) => {
                return Err(error(
                    span,
                    format!("{} is not allowed in `{{{{{keyword}}}}}`", kind.describe()),
                ))
            }
        };
        // Close the current branch and its scope.
        let body = std::mem::take(&mut block.nodes);
        if let OpenKind::Range(_) = block.kind {
            // The range variables are not visible in `{{else}}`.
            block.range_body = Some(body);
            self.vars.truncate(block.vars_mark);
        } else {
            if let Some(cond) = block.cond.take() {
                block.branches.push(Branch { cond, body });
            }
            self.vars.truncate(block.body_mark);
        }
        match next_cond {
            None => {
                if let Some(block) = self.stack.last_mut() {
                    block.in_else = true;
                }
            }
            Some(cond) => {
                self.declare(&cond);
                let body_mark = self.vars.len();
                if let Some(block) = self.stack.last_mut() {
                    block.cond = Some(cond);
                    block.body_mark = body_mark;
                }
            }
        }
        Ok(())
    }

    pub(super) fn end(&mut self, span: Span) -> Result<(), TemplateError> {
        let Some(block) = self.stack.pop() else {
            return Err(error(span, "unexpected `{{end}}`").with_help(
                "there is no open `{{if}}`, `{{range}}`, `{{with}}`, `{{define}}` or `{{block}}` to close",
            ));
        };
        let OpenBlock {
            kind,
            span,
            nodes,
            mut branches,
            cond,
            range_body,
            in_else,
            vars_mark,
            saved_vars,
            ..
        } = block;
        match saved_vars {
            Some(outer) => self.vars = outer,
            None => self.vars.truncate(vars_mark),
        }
        // The list read last is the `{{else}}` part, or else the last branch / the body.
        let (mut last, else_body) = if in_else {
            (Vec::new(), Some(nodes))
        } else {
            (nodes, None)
        };
        if let Some(cond) = cond {
            let body = std::mem::take(&mut last);
            branches.push(Branch { cond, body });
        }
        let node = match kind {
            OpenKind::If => Node::If {
                branches,
                else_body,
                span,
            },
            OpenKind::With => Node::With {
                branches,
                else_body,
                span,
            },
            OpenKind::Range(pipe) => Node::Range {
                pipe,
                body: range_body.unwrap_or(last),
                else_body,
                span,
            },
            OpenKind::Define(name) => {
                let body = last;
                self.defines.push(Define { name, body, span });
                return Ok(());
            }
            OpenKind::Block(name, pipe) => {
                let body = last;
                self.defines.push(Define {
                    name: name.clone(),
                    body,
                    span,
                });
                Node::Template {
                    name,
                    pipe: Some(pipe),
                    span,
                }
            }
        };
        self.nodes().push(node);
        Ok(())
    }

    /// At the end of input: every block must be closed.
    pub(super) fn finish(self) -> Result<TemplateFile, TemplateError> {
        if let Some(block) = self.stack.last() {
            return Err(never_closed(block.kind.keyword(), block.span));
        }
        Ok(TemplateFile {
            body: self.root,
            defines: self.defines,
        })
    }

    /// Checks the variables a pipeline uses, then brings its declarations into scope.
    pub(super) fn declare(&mut self, pipe: &Pipeline) {
        self.check_pipe(pipe);
        for (name, span) in &pipe.decl {
            if pipe.is_assign {
                self.check_var(name, *span);
            } else {
                self.vars.push(name.clone());
            }
        }
    }

    pub(super) fn check_pipe(&mut self, pipe: &Pipeline) {
        for arg in pipe.cmds.iter().flat_map(|c| &c.args) {
            match arg {
                Expr::Var { name, span, .. } => {
                    self.check_var(name, Span::new(span.start, span.start + 1 + name.len()))
                }
                Expr::Paren { pipe, .. } => self.check_pipe(pipe),
                _ => {}
            }
        }
    }

    /// Records an error when `$name` is not in scope.
    pub(super) fn check_var(&mut self, name: &str, span: Span) {
        if !name.is_empty() && !self.vars.iter().any(|v| v == name) {
            self.scope_errors.push(undefined_variable(name, span));
        }
    }
}

/// `$name` used where it is not declared.
pub(crate) fn undefined_variable(name: &str, span: Span) -> TemplateError {
    error(span, format!("undefined variable `${name}`"))
        .with_help(format!("declare it first, e.g. `{{{{${name} := …}}}}`"))
}

pub(super) fn never_closed(keyword: &str, open: Span) -> TemplateError {
    error(
        open,
        format!("`{{{{{keyword}}}}}` is never closed: expected `{{{{end}}}}`"),
    )
}
