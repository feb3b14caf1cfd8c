//! The template syntax tree produced by [`crate::parse`].
//!
//! Every node carries a [`Span`]: byte offsets into the template source, which
//! [`crate::diag`] turns into `file:line:col` for build errors.

/// Byte range `start..end` in the template source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A parsed template file: the main body plus every `{{define}}` (and every
/// `{{block}}`, which the parser turns into a define plus a call).
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateFile {
    pub body: Vec<Node>,
    pub defines: Vec<Define>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Define {
    pub name: String,
    pub body: Vec<Node>,
    /// Span of the `{{define "name"}}` (or `{{block "name" ...}}`) action.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Literal template text, with trim markers already applied.
    Text { text: String, span: Span },
    /// `{{pipeline}}`: prints the value, or only declares variables when
    /// the pipeline has a declaration (`{{$x := .a}}` prints nothing).
    Action { pipe: Pipeline, span: Span },
    /// `{{if p}}…{{else if q}}…{{else}}…{{end}}`; `else if` chains are flattened
    /// into `branches`.
    If {
        branches: Vec<Branch>,
        else_body: Option<Vec<Node>>,
        span: Span,
    },
    /// `{{with p}}…{{else with q}}…{{else}}…{{end}}`.
    With {
        branches: Vec<Branch>,
        else_body: Option<Vec<Node>>,
        span: Span,
    },
    /// `{{range p}}…{{else}}…{{end}}`, `{{range $v := p}}`, `{{range $i, $v := p}}`.
    /// The variables live in `pipe.decl`.
    Range {
        pipe: Pipeline,
        body: Vec<Node>,
        else_body: Option<Vec<Node>>,
        span: Span,
    },
    /// `{{template "name"}}` / `{{template "name" p}}`; `{{block}}` also becomes this.
    Template {
        name: String,
        pipe: Option<Pipeline>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub cond: Pipeline,
    pub body: Vec<Node>,
}

/// `$x, $y := cmd | cmd | ...`
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    /// Declared variables (without the `$`), e.g. `["i", "v"]`.
    pub decl: Vec<(String, Span)>,
    /// `true` for `$x = …` (assignment) rather than `$x := …` (declaration).
    pub is_assign: bool,
    /// Commands joined by `|`; each command's result is appended as the last
    /// argument of the next.
    pub cmds: Vec<Command>,
    pub span: Span,
}

/// One command: an operand, or a function followed by its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub args: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `.` (the current dot).
    Dot(Span),
    /// `.a.b.c`: a field chain starting at dot.
    Field {
        path: Vec<Ident>,
        span: Span,
    },
    /// `$`, `$x`, `$x.a.b`: a variable (empty name for `$`), optionally with fields.
    Var {
        name: String,
        path: Vec<Ident>,
        span: Span,
    },
    /// `(pipeline).a.b`: a parenthesised pipeline, optionally with fields.
    Paren {
        pipe: Box<Pipeline>,
        path: Vec<Ident>,
        span: Span,
    },
    /// A bare identifier: a function name such as `len`, `eq`, `printf`.
    Func {
        name: String,
        span: Span,
    },
    /// String literal, with escapes already decoded (`"…"` or raw `` `…` ``).
    Str {
        value: String,
        span: Span,
    },
    /// Integer literal (decimal, hex, octal, binary, or a character constant).
    Int {
        value: i128,
        span: Span,
    },
    /// Floating-point literal.
    Float {
        value: f64,
        span: Span,
    },
    Bool {
        value: bool,
        span: Span,
    },
    /// `nil`.
    Nil(Span),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Dot(s) | Expr::Nil(s) => *s,
            Expr::Field { span, .. }
            | Expr::Var { span, .. }
            | Expr::Paren { span, .. }
            | Expr::Func { span, .. }
            | Expr::Str { span, .. }
            | Expr::Int { span, .. }
            | Expr::Float { span, .. }
            | Expr::Bool { span, .. } => *span,
        }
    }
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Text { span, .. }
            | Node::Action { span, .. }
            | Node::If { span, .. }
            | Node::With { span, .. }
            | Node::Range { span, .. }
            | Node::Template { span, .. } => *span,
        }
    }
}
