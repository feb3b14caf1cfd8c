//! Layer 2: the tokens of one action ([`ActionParser`] → [`Directive`]).

use super::*;

// Layer 2: the tokens of one action.

/// What one action says.
pub(super) enum Directive {
    Pipeline(Pipeline),
    If(Pipeline),
    With(Pipeline),
    Range(Pipeline),
    Else(Else),
    End,
    Define(String),
    Template(String, Option<Pipeline>),
    Block(String, Pipeline),
}

/// The three forms of `{{else}}`.
pub(super) enum Else {
    Plain,
    If(Pipeline),
    With(Pipeline),
}

impl Else {
    pub(super) fn describe(&self) -> &'static str {
        match self {
            Else::Plain => "`{{else}}`",
            Else::If(_) => "`{{else if}}`",
            Else::With(_) => "`{{else with}}`",
        }
    }
}

/// Where a pipeline appears: decides what it may declare and how errors read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    Action,
    If,
    ElseIf,
    With,
    ElseWith,
    Range,
    Template,
    Block,
    Paren,
}

impl Ctx {
    pub(super) fn describe(self) -> &'static str {
        match self {
            Ctx::Action => "command",
            Ctx::If => "`{{if}}`",
            Ctx::ElseIf => "`{{else if}}`",
            Ctx::With => "`{{with}}`",
            Ctx::ElseWith => "`{{else with}}`",
            Ctx::Range => "`{{range}}`",
            Ctx::Template => "`{{template}}`",
            Ctx::Block => "`{{block}}`",
            Ctx::Paren => "`( )`",
        }
    }
}

pub(super) struct ActionParser<'t, 'a> {
    pub(super) tokens: &'t [Token<'a>],
    pub(super) pos: usize,
    /// The whole action, for errors about something missing.
    pub(super) span: Span,
    /// Depth of parentheses.
    pub(super) depth: usize,
}

impl<'a> ActionParser<'_, 'a> {
    pub(super) fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.pos).copied()
    }

    pub(super) fn peek_is(&self, rule: Rule) -> bool {
        self.peek().is_some_and(|t| t.is(rule))
    }

    pub(super) fn bump(&mut self) {
        self.pos += 1;
    }

    pub(super) fn skip_spaces(&mut self) {
        while self.peek_is(Rule::space) {
            self.bump();
        }
    }

    pub(super) fn peek_non_space(&mut self) -> Option<Token<'a>> {
        self.skip_spaces();
        self.peek()
    }

    pub(super) fn directive(&mut self) -> Result<Directive, TemplateError> {
        let Some(first) = self.peek_non_space().filter(|t| t.is(Rule::word)) else {
            return Ok(Directive::Pipeline(self.pipeline(Ctx::Action)?));
        };
        let keyword = first.text;
        if !KEYWORDS.contains(&keyword) {
            return Ok(Directive::Pipeline(self.pipeline(Ctx::Action)?));
        }
        self.bump();
        Ok(match keyword {
            "if" => Directive::If(self.pipeline(Ctx::If)?),
            "with" => Directive::With(self.pipeline(Ctx::With)?),
            "range" => Directive::Range(self.pipeline(Ctx::Range)?),
            "else" => match self.peek_non_space() {
                Some(t) if t.is(Rule::word) && t.text == "if" => {
                    self.bump();
                    Directive::Else(Else::If(self.pipeline(Ctx::ElseIf)?))
                }
                Some(t) if t.is(Rule::word) && t.text == "with" => {
                    self.bump();
                    Directive::Else(Else::With(self.pipeline(Ctx::ElseWith)?))
                }
                _ => {
                    self.expect_end("`{{else}}`")?;
                    Directive::Else(Else::Plain)
                }
            },
            "end" => {
                self.expect_end("`{{end}}`")?;
                Directive::End
            }
            "define" => {
                let name = self.template_name("define")?;
                self.expect_end("`{{define}}`")?;
                Directive::Define(name)
            }
            "template" => {
                let name = self.template_name("template")?;
                if self.peek_non_space().is_none() {
                    Directive::Template(name, None)
                } else {
                    Directive::Template(name, Some(self.pipeline(Ctx::Template)?))
                }
            }
            "block" => {
                let name = self.template_name("block")?;
                Directive::Block(name, self.pipeline(Ctx::Block)?)
            }
            _ => {
                return Err(error(
                    self.span,
                    format!("`{{{{{keyword}}}}}` is not supported"),
                ))
            }
        })
    }

    /// Fails unless only spaces are left.
    pub(super) fn expect_end(&mut self, what: &str) -> Result<(), TemplateError> {
        match self.peek_non_space() {
            None => Ok(()),
            Some(t) => Err(error(
                t.span,
                format!("unexpected {} in {what}", t.describe()),
            )),
        }
    }

    /// The string literal naming a template after `define`, `template` or `block`.
    pub(super) fn template_name(&mut self, keyword: &str) -> Result<String, TemplateError> {
        let help = format!("write the name as a string, e.g. `{{{{{keyword} \"name\"}}}}`");
        match self.peek_non_space() {
            Some(t) if t.is(Rule::string) || t.is(Rule::raw_string) => {
                self.bump();
                string_value(t)
            }
            Some(t) => Err(error(
                t.span,
                format!(
                    "expected a template name after `{keyword}`, found {}",
                    t.describe()
                ),
            )
            .with_help(help)),
            None => Err(error(
                self.span,
                format!("missing template name in `{{{{{keyword}}}}}`"),
            )
            .with_help(help)),
        }
    }

    /// `decl? command ('|' command)*`, up to the end of the action, or up to
    /// (not including) the `)` when `ctx` is [`Ctx::Paren`].
    pub(super) fn pipeline(&mut self, ctx: Ctx) -> Result<Pipeline, TemplateError> {
        self.skip_spaces();
        let start = self.peek().map_or(self.span.end, |t| t.span.start);
        let (decl, is_assign, decl_op) = self.declarations(ctx)?;
        let mut cmds: Vec<Command> = Vec::new();
        let mut last_pipe: Option<Span> = None;
        loop {
            self.skip_spaces();
            match self.command()? {
                Some(cmd) => cmds.push(cmd),
                None => return Err(self.missing_command(ctx, last_pipe, decl_op)),
            }
            self.skip_spaces();
            match self.peek() {
                Some(t) if t.is(Rule::pipe) => {
                    last_pipe = Some(t.span);
                    self.bump();
                }
                Some(t) if t.is(Rule::rparen) && ctx != Ctx::Paren => return Err(stray_paren(t)),
                _ => break,
            }
        }
        check_stages(&cmds)?;
        let end = cmds.last().map_or(start, |c| c.span.end);
        Ok(Pipeline {
            decl,
            is_assign,
            cmds,
            span: Span::new(start, end),
        })
    }

    /// The error for a command with no operand.
    pub(super) fn missing_command(
        &self,
        ctx: Ctx,
        last_pipe: Option<Span>,
        decl_op: Option<Token>,
    ) -> TemplateError {
        if let Some(pipe) = last_pipe {
            return error(pipe, "empty pipeline stage: expected a command after `|`");
        }
        if let Some(t) = self.peek().filter(|t| t.is(Rule::pipe)) {
            return error(
                t.span,
                "empty pipeline stage: expected a command before `|`",
            );
        }
        if let Some(op) = decl_op {
            return error(op.span, format!("missing value after `{}`", op.text));
        }
        match ctx {
            Ctx::Action => error(self.span, "missing value for command"),
            Ctx::Paren => {
                let end = self.peek().map_or(self.span.end, |t| t.span.end);
                let start = self.tokens[..self.pos]
                    .iter()
                    .rev()
                    .find(|t| t.is(Rule::lparen))
                    .map_or(self.span.start, |t| t.span.start);
                error(Span::new(start, end), "missing value in `( )`")
            }
            _ => error(self.span, format!("missing value for {}", ctx.describe())),
        }
    }

    /// `$x :=`, `$x =`, `$i, $v :=` at the start of a pipeline, if present.
    #[allow(clippy::type_complexity)]
    pub(super) fn declarations(
        &mut self,
        ctx: Ctx,
    ) -> Result<(Vec<(String, Span)>, bool, Option<Token<'a>>), TemplateError> {
        let is_decl = |t: &Token| t.is(Rule::declare) || t.is(Rule::assign) || t.is(Rule::comma);
        let after_var = self.tokens[self.pos..]
            .iter()
            .skip(1)
            .find(|t| !t.is(Rule::space));
        if !self.peek_is(Rule::variable) || !after_var.is_some_and(is_decl) {
            return Ok((Vec::new(), false, None));
        }
        if matches!(ctx, Ctx::Paren | Ctx::Template | Ctx::Block) {
            let var = self.peek().map_or(self.span, |t| t.span);
            return Err(error(
                var,
                format!("variables cannot be declared in {}", ctx.describe()),
            ));
        }
        let mut decl = Vec::new();
        loop {
            let var = match self.peek_non_space() {
                Some(t) if t.is(Rule::variable) => t,
                Some(t) => {
                    return Err(error(
                        t.span,
                        format!("expected a variable after `,`, found {}", t.describe()),
                    ))
                }
                None => return Err(error(self.span, "expected a variable after `,`")),
            };
            if decl.len() == 2 {
                return Err(error(
                    var.span,
                    "too many variables in `{{range}}`: at most two (`$index, $element`) can be declared",
                ));
            }
            self.bump();
            decl.push((var.text[1..].to_string(), var.span));
            match self.peek_non_space() {
                Some(op) if op.is(Rule::declare) || op.is(Rule::assign) => {
                    self.bump();
                    return Ok((decl, op.is(Rule::assign), Some(op)));
                }
                Some(comma) if comma.is(Rule::comma) => {
                    if ctx != Ctx::Range {
                        return Err(error(
                            comma.span,
                            format!(
                                "too many variables in {}: only `{{{{range}}}}` can declare two",
                                ctx.describe()
                            ),
                        ));
                    }
                    self.bump();
                }
                Some(t) => {
                    return Err(error(
                        t.span,
                        format!(
                            "expected `:=` or `=` after the variables, found {}",
                            t.describe()
                        ),
                    ))
                }
                None => return Err(error(self.span, "expected `:=` or `=` after the variables")),
            }
        }
    }

    /// `operand (space operand)*`, stopping before `|`, `)` or the end.
    /// `None` when there is no operand at all.
    pub(super) fn command(&mut self) -> Result<Option<Command>, TemplateError> {
        let mut args: Vec<Expr> = Vec::new();
        while let Some(t) = self.peek() {
            if t.is(Rule::pipe) || t.is(Rule::rparen) {
                break;
            }
            let arg = self.operand()?;
            match self.peek() {
                Some(next) if next.is(Rule::space) => self.skip_spaces(),
                Some(next) if !next.is(Rule::pipe) && !next.is(Rule::rparen) => {
                    return Err(unexpected_after(self.tokens[self.pos - 1], next));
                }
                _ => {}
            }
            args.push(arg);
        }
        let (Some(first), Some(last)) = (args.first(), args.last()) else {
            return Ok(None);
        };
        let span = Span::new(first.span().start, last.span().end);
        Ok(Some(Command { args, span }))
    }

    /// `term .field*`
    pub(super) fn operand(&mut self) -> Result<Expr, TemplateError> {
        let Some(t) = self.peek() else {
            return Err(error(self.span, "expected an operand"));
        };
        self.bump();
        let expr = if t.is(Rule::lparen) {
            self.paren(t)?
        } else {
            term(t)?
        };
        self.field_chain(expr, t)
    }

    /// The `.field`s right after the term `expr`, which started with token `t`.
    pub(super) fn field_chain(&mut self, mut expr: Expr, t: Token) -> Result<Expr, TemplateError> {
        while let Some(f) = self.peek().filter(|t| t.is(Rule::field)) {
            self.bump();
            match &mut expr {
                Expr::Field { path, span }
                | Expr::Var { path, span, .. }
                | Expr::Paren { path, span, .. } => {
                    path.push(ident(f));
                    span.end = f.span.end;
                }
                Expr::Func { name, .. } => {
                    return Err(error(
                        f.span,
                        format!("cannot access field `{}` of function `{name}`", f.text),
                    )
                    .with_help(format!(
                        "call the function in parentheses: `({name} …){}`",
                        f.text
                    )))
                }
                Expr::Dot(_) => {
                    return Err(error(f.span, format!("unexpected `{}` after `.`", f.text))
                        .with_help(format!("a field of dot is written `{}`", f.text)))
                }
                _ => {
                    return Err(error(
                        f.span,
                        format!(
                            "cannot access field `{}` of literal {}",
                            f.text,
                            t.describe()
                        ),
                    ))
                }
            }
        }
        Ok(expr)
    }

    /// `( pipeline )`; the `(` has been consumed.
    pub(super) fn paren(&mut self, open: Token) -> Result<Expr, TemplateError> {
        self.depth += 1;
        if self.depth > MAX_PAREN_DEPTH {
            return Err(error(
                open.span,
                format!("parentheses are nested too deeply (more than {MAX_PAREN_DEPTH} levels)"),
            ));
        }
        let pipe = self.pipeline(Ctx::Paren)?;
        self.depth -= 1;
        match self.peek() {
            Some(close) if close.is(Rule::rparen) => {
                self.bump();
                Ok(Expr::Paren {
                    pipe: Box::new(pipe),
                    path: Vec::new(),
                    span: Span::new(open.span.start, close.span.end),
                })
            }
            _ => Err(unclosed_paren(open)),
        }
    }
}

// The functions below are kept out of the recursive descent
// (pipeline → command → operand → paren) so that its stack frames stay small.

pub(super) fn unexpected_after(prev: Token, next: Token) -> TemplateError {
    error(
        next.span,
        format!("unexpected {} after {}", next.describe(), prev.describe()),
    )
    .with_help("separate arguments with spaces")
}

pub(super) fn unclosed_paren(open: Token) -> TemplateError {
    error(open.span, "unclosed `(`: expected `)`")
}

pub(super) fn stray_paren(t: Token) -> TemplateError {
    error(t.span, "unexpected `)` without a matching `(`")
}

/// Only the first command of a pipeline may be a literal (as in Go).
pub(super) fn check_stages(cmds: &[Command]) -> Result<(), TemplateError> {
    for (i, cmd) in cmds.iter().enumerate().skip(1) {
        let Some(first) = cmd.args.first() else {
            continue;
        };
        if matches!(
            first,
            Expr::Dot(_)
                | Expr::Str { .. }
                | Expr::Int { .. }
                | Expr::Float { .. }
                | Expr::Bool { .. }
                | Expr::Nil(_)
        ) {
            return Err(error(
                first.span(),
                format!(
                    "non-executable command in pipeline stage {}: only a function, field or variable can receive the piped value",
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

/// An operand other than `( … )`.
pub(super) fn term(t: Token) -> Result<Expr, TemplateError> {
    let span = t.span;
    Ok(match t.rule {
        Rule::dot => Expr::Dot(span),
        Rule::field => Expr::Field {
            path: vec![ident(t)],
            span,
        },
        Rule::variable => Expr::Var {
            name: t.text[1..].to_string(),
            path: Vec::new(),
            span,
        },
        Rule::word => match t.text {
            "true" | "false" => Expr::Bool {
                value: t.text == "true",
                span,
            },
            "nil" => Expr::Nil(span),
            w if KEYWORDS.contains(&w) => {
                return Err(
                    error(span, format!("unexpected keyword `{w}` in pipeline")).with_help(
                        format!("`{w}` can only start an action, as in `{{{{{w} …}}}}`"),
                    ),
                )
            }
            name => Expr::Func {
                name: name.to_string(),
                span,
            },
        },
        Rule::string | Rule::raw_string => Expr::Str {
            value: string_value(t)?,
            span,
        },
        Rule::char_lit => Expr::Int {
            value: char_value(t)?,
            span,
        },
        Rule::number => number_value(t)?,
        Rule::bad_char if t.text == ":" => return Err(error(span, "expected `:=`, found `:`")),
        Rule::bad_char => {
            return Err(error(
                span,
                format!("unexpected {} in action", t.describe()),
            ))
        }
        Rule::declare | Rule::assign => {
            return Err(
                error(span, format!("unexpected `{}`", t.text)).with_help(format!(
                    "only variables can be declared, as in `{{{{$x {} …}}}}`",
                    t.text
                )),
            )
        }
        _ => return Err(error(span, format!("unexpected {}", t.describe()))),
    })
}

pub(super) fn ident(field: Token) -> Ident {
    Ident {
        name: field.text[1..].to_string(),
        span: field.span,
    }
}
