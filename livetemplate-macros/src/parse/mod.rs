//! Template parser: pest grammar for actions, hand-written block structure.
//!
//! The syntax is Go's `text/template` (see `text/template/parse`), in three layers:
//!
//! 1. [`Lexer`] splits the source into text and actions, applies the trim
//!    markers `{{- ` / ` -}}` and drops comments. The inside of each action is
//!    cut into tokens by the pest grammar in `template.pest`, which never fails:
//!    malformed input becomes error tokens that are reported here, precisely.
//! 2. [`ActionParser`] turns the tokens of one action into a [`Directive`]:
//!    `if P`, `else`, `end`, `define "x"`, a plain pipeline, …
//! 3. [`BlockParser`] nests directives into the tree of [`Node`]s, collects
//!    `{{define}}`s and checks that every variable is declared before use.
//!
//! [`parse`] never panics. Blocks are nested with an explicit stack, capped at
//! [`MAX_DEPTH`] levels, and parentheses at [`MAX_PAREN_DEPTH`], so that later
//! passes, which recurse over the tree, are safe too.

use std::collections::HashMap;

use pest::Parser as _;

use crate::ast::{Branch, Command, Define, Expr, Ident, Node, Pipeline, Span, TemplateFile};
use crate::diag::{line_col, TemplateError};

mod action;
mod blocks;
mod lex;
mod literal;

use self::action::*;
use self::blocks::*;
use self::lex::*;
use self::literal::*;

pub(crate) use self::blocks::undefined_variable;

#[derive(pest_derive::Parser)]
#[grammar = "template.pest"]
struct ActionGrammar;

/// Deepest allowed nesting of blocks (`if`, `range`, `with`, `define`, `block`).
pub const MAX_DEPTH: usize = 200;

/// Deepest allowed nesting of parentheses inside one action. Parentheses are
/// parsed (and later lowered) recursively, so this is kept well below what a
/// small thread stack can take even in debug builds; real templates nest a
/// handful at most.
pub const MAX_PAREN_DEPTH: usize = 50;

/// The space characters of Go templates (trim markers and argument separators).
const SPACE_CHARS: [char; 4] = [' ', '\t', '\r', '\n'];

/// Words that start a control action and cannot be used as operands.
const KEYWORDS: [&str; 10] = [
    "block", "break", "continue", "define", "else", "end", "if", "range", "template", "with",
];

/// Parses a template source into its syntax tree; the first mistake in
/// template order otherwise ([`parse_all`] for the macro, which reports
/// every mistake).
#[cfg(test)]
pub fn parse(src: &str) -> Result<TemplateFile, TemplateError> {
    let first = |mut errors: Vec<TemplateError>| {
        errors.sort_by_key(|e| e.span.start);
        errors.into_iter().next()
    };
    match parse_all(src) {
        Ok((file, errors)) => first(errors).map_or(Ok(file), Err),
        Err(errors) => Err(first(errors).expect("a failed parse has an error")),
    }
}

/// Parses a template source into its syntax tree and the uses of variables
/// not in scope, each an error that leaves the tree whole (so that later
/// passes still run and report their own mistakes). When the text cannot
/// be parsed, the error that stopped it and the scope errors before it.
pub fn parse_all(src: &str) -> Result<(TemplateFile, Vec<TemplateError>), Vec<TemplateError>> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        trim_leading: false,
    };
    let mut parser = BlockParser {
        src,
        root: Vec::new(),
        stack: Vec::new(),
        vars: Vec::new(),
        defines: Vec::new(),
        define_spans: HashMap::new(),
        scope_errors: Vec::new(),
    };
    let parsed = (|| {
        while let Some(item) = lexer.next_item()? {
            parser.item(item)?;
        }
        Ok(())
    })();
    let mut errors = std::mem::take(&mut parser.scope_errors);
    match parsed.and_then(|()| parser.finish()) {
        Ok(file) => Ok((file, errors)),
        Err(e) => {
            errors.push(e);
            Err(errors)
        }
    }
}

fn error(span: Span, message: impl Into<String>) -> TemplateError {
    TemplateError::new(span, message)
}

#[cfg(test)]
mod tests;
