//! Errors: [`RenderError`] (rendering) and [`Error`] (the live runtime).

use std::fmt;

/// Where in a template an expression sits; generated code passes these as statics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    /// Template path as given to `#[live_template]` (or `"<inline>"`).
    pub file: &'static str,
    pub line: u32,
    pub col: u32,
    /// The action's source text, e.g. `{{index .items 3}}`.
    pub action: &'static str,
}

/// A template could not be rendered with this data, e.g. `index` out of range
/// or a field reached through a `None`. Go's `html/template` fails the same cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderError {
    pub loc: Loc,
    pub message: String,
}

impl RenderError {
    pub fn new(loc: &Loc, message: impl Into<String>) -> Self {
        RenderError {
            loc: *loc,
            message: message.into(),
        }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: executing `{}`: {}",
            self.loc.file, self.loc.line, self.loc.col, self.loc.action, self.message
        )
    }
}

impl std::error::Error for RenderError {}

/// What went wrong with a presented token. Carried by [`Error::TokenInvalid`];
/// never contains the token or a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenProblem {
    /// Longer than the 4 KiB a page token may have.
    TooLong,
    /// Not three base64url parts of JSON (header, claims, signature).
    Malformed,
    /// The header's `alg` is not exactly `HS256` (`none`, `HS384`, `RS256`, …).
    Algorithm,
    /// The header has no `kid`.
    MissingKeyId,
    /// The `kid` is too long or has characters a key id never has.
    BadKeyId,
    /// No key of this application's keyring has this `kid`.
    UnknownKey,
    /// The `kid` names a key that was rotated out and has been dropped.
    RetiredKey,
    /// The signature does not verify with the key the `kid` names.
    Signature,
    /// A claim is missing or has the wrong type (e.g. `exp` as a string).
    Claims,
    /// `nbf` (or `iat`) lies in the future beyond the leeway.
    NotYetValid,
    /// The page was given a newer token and this one's grace period
    /// (`token.nonce_window`) is over.
    Replaced,
}

impl TokenProblem {
    /// A short, stable description (also used in logs).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenProblem::TooLong => "token longer than 4096 bytes",
            TokenProblem::Malformed => "malformed token",
            TokenProblem::Algorithm => "algorithm is not HS256",
            TokenProblem::MissingKeyId => "no key id (kid) in the header",
            TokenProblem::BadKeyId => "key id (kid) is not a valid key id",
            TokenProblem::UnknownKey => "unknown key id (kid)",
            TokenProblem::RetiredKey => "the key was retired",
            TokenProblem::Signature => "signature does not verify",
            TokenProblem::Claims => "missing or mistyped claim",
            TokenProblem::NotYetValid => "token not valid yet (nbf/iat in the future)",
            TokenProblem::Replaced => "token was replaced by a newer one",
        }
    }
}

impl fmt::Display for TokenProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for TokenProblem {}

/// The error of the live runtime ([`Application`](crate::Application),
/// [`PageHandle`](crate::PageHandle), [`Config`](crate::Config)).
///
/// Every variant carries `op`, the operation that failed (`"new_page"`,
/// `"page"`, `"update"`, `"load_config"`, …), and the context that
/// explains it. Messages never contain a token or a key. Match on the
/// variant, or on [`kind`](Error::kind) for a plain tag (metrics, logs).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No live page has this id (never created, closed, or expired).
    PageNotFound { op: &'static str, page_id: String },
    /// The token was issued by another application.
    InvalidApplication { op: &'static str },
    /// The token's `exp` is past (beyond the leeway).
    TokenExpired { op: &'static str, expired_at: u64 },
    /// The token was refused; `problem` says why.
    TokenInvalid {
        op: &'static str,
        problem: TokenProblem,
    },
    /// The page exists but holds another view-model type.
    WrongPageType {
        op: &'static str,
        page_id: String,
        expected: &'static str,
        actual: &'static str,
    },
    /// The application's memory budget (`memory.max_total_bytes`) is used up.
    MemoryBudgetExceeded {
        op: &'static str,
        used: usize,
        budget: usize,
    },
    /// The application holds `application.max_pages` pages already.
    PageLimitExceeded { op: &'static str, max_pages: usize },
    /// The template could not be rendered with this state.
    TemplateInvalid {
        op: &'static str,
        page_id: Option<String>,
        source: RenderError,
    },
    /// Data given to the runtime is unusable (e.g. an empty application id).
    DataInvalid { op: &'static str, message: String },
    /// A configuration value is refused; `field` is its dotted path
    /// (`application.cleanup_interval`).
    ConfigInvalid {
        op: &'static str,
        field: String,
        message: String,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A newer attachment took the page over (see
    /// [`PageHandle::attach`](crate::PageHandle::attach)).
    Detached { op: &'static str, page_id: String },
    /// The application was closed.
    Closed { op: &'static str },
}

/// The variant of an [`Error`], without its context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    PageNotFound,
    InvalidApplication,
    TokenExpired,
    TokenInvalid,
    WrongPageType,
    MemoryBudgetExceeded,
    PageLimitExceeded,
    TemplateInvalid,
    DataInvalid,
    ConfigInvalid,
    Detached,
    Closed,
}

impl ErrorKind {
    /// Snake-case name (`page_not_found`), as in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::PageNotFound => "page_not_found",
            ErrorKind::InvalidApplication => "invalid_application",
            ErrorKind::TokenExpired => "token_expired",
            ErrorKind::TokenInvalid => "token_invalid",
            ErrorKind::WrongPageType => "wrong_page_type",
            ErrorKind::MemoryBudgetExceeded => "memory_budget_exceeded",
            ErrorKind::PageLimitExceeded => "page_limit_exceeded",
            ErrorKind::TemplateInvalid => "template_invalid",
            ErrorKind::DataInvalid => "data_invalid",
            ErrorKind::ConfigInvalid => "config_invalid",
            ErrorKind::Detached => "detached",
            ErrorKind::Closed => "closed",
        }
    }
}

impl Error {
    /// The variant, without context.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::PageNotFound { .. } => ErrorKind::PageNotFound,
            Error::InvalidApplication { .. } => ErrorKind::InvalidApplication,
            Error::TokenExpired { .. } => ErrorKind::TokenExpired,
            Error::TokenInvalid { .. } => ErrorKind::TokenInvalid,
            Error::WrongPageType { .. } => ErrorKind::WrongPageType,
            Error::MemoryBudgetExceeded { .. } => ErrorKind::MemoryBudgetExceeded,
            Error::PageLimitExceeded { .. } => ErrorKind::PageLimitExceeded,
            Error::TemplateInvalid { .. } => ErrorKind::TemplateInvalid,
            Error::DataInvalid { .. } => ErrorKind::DataInvalid,
            Error::ConfigInvalid { .. } => ErrorKind::ConfigInvalid,
            Error::Detached { .. } => ErrorKind::Detached,
            Error::Closed { .. } => ErrorKind::Closed,
        }
    }

    /// The operation that failed.
    pub fn op(&self) -> &'static str {
        match self {
            Error::PageNotFound { op, .. }
            | Error::InvalidApplication { op }
            | Error::TokenExpired { op, .. }
            | Error::TokenInvalid { op, .. }
            | Error::WrongPageType { op, .. }
            | Error::MemoryBudgetExceeded { op, .. }
            | Error::PageLimitExceeded { op, .. }
            | Error::TemplateInvalid { op, .. }
            | Error::DataInvalid { op, .. }
            | Error::ConfigInvalid { op, .. }
            | Error::Detached { op, .. }
            | Error::Closed { op } => op,
        }
    }

    /// The same error, reported for operation `op` (the outer call).
    pub fn with_op(mut self, new: &'static str) -> Self {
        match &mut self {
            Error::PageNotFound { op, .. }
            | Error::InvalidApplication { op }
            | Error::TokenExpired { op, .. }
            | Error::TokenInvalid { op, .. }
            | Error::WrongPageType { op, .. }
            | Error::MemoryBudgetExceeded { op, .. }
            | Error::PageLimitExceeded { op, .. }
            | Error::TemplateInvalid { op, .. }
            | Error::DataInvalid { op, .. }
            | Error::ConfigInvalid { op, .. }
            | Error::Detached { op, .. }
            | Error::Closed { op } => *op = new,
        }
        self
    }

    /// True for the refusals of a presented token (expired, invalid, or
    /// another application's): what `token_validation_fails_total` counts.
    pub fn is_token_refusal(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::TokenExpired | ErrorKind::TokenInvalid | ErrorKind::InvalidApplication
        )
    }

    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::ConfigInvalid {
            op: "validate_config",
            field: field.into(),
            message: message.into(),
            source: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "livetemplate: {}: ", self.op())?;
        match self {
            Error::PageNotFound { page_id, .. } => write!(f, "page not found (page {page_id})"),
            Error::InvalidApplication { .. } => {
                f.write_str("invalid application: the token belongs to another application")
            }
            Error::TokenExpired { expired_at, .. } => {
                write!(f, "token expired (exp {expired_at})")
            }
            Error::TokenInvalid { problem, .. } => write!(f, "token invalid: {problem}"),
            Error::WrongPageType {
                page_id,
                expected,
                actual,
                ..
            } => write!(
                f,
                "page {page_id} holds a `{actual}`, not a `{expected}`"
            ),
            Error::MemoryBudgetExceeded { used, budget, .. } => write!(
                f,
                "memory budget exceeded ({used} bytes held, budget {budget} bytes: memory.max_total_bytes)"
            ),
            Error::PageLimitExceeded { max_pages, .. } => write!(
                f,
                "page limit exceeded ({max_pages} pages: application.max_pages)"
            ),
            Error::TemplateInvalid {
                page_id, source, ..
            } => match page_id {
                Some(id) => write!(f, "template invalid for page {id}: {source}"),
                None => write!(f, "template invalid: {source}"),
            },
            Error::DataInvalid { message, .. } => write!(f, "data invalid: {message}"),
            Error::ConfigInvalid { field, message, .. } => {
                write!(f, "invalid configuration: `{field}`: {message}")
            }
            Error::Detached { page_id, .. } => write!(
                f,
                "page {page_id} was attached again elsewhere; this attachment is detached"
            ),
            Error::Closed { .. } => f.write_str("the application is closed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::TokenInvalid { problem, .. } => Some(problem),
            Error::TemplateInvalid { source, .. } => Some(source),
            Error::ConfigInvalid {
                source: Some(s), ..
            } => Some(s.as_ref()),
            _ => None,
        }
    }
}
