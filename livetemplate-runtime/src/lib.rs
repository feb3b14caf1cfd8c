//! Runtime support for [`livetemplate`](https://docs.rs/livetemplate).
//!
//! The `#[live_template]` macro generates code against this crate: the value
//! traits that let any field type appear in a template ([`Slot`], [`Truthy`],
//! [`Range`], …), the contextual escapers ([`escape`]), the compile-time
//! description of a template ([`TemplateMeta`]), and the event types whose
//! actions the template's `lt-*` attributes are checked against
//! ([`LiveEvent`]).

mod app;
mod call;
pub mod client;
pub mod decode;
pub mod diff;
mod error;
pub mod escape;
pub mod event;
pub mod fragment;
#[doc(hidden)]
pub mod ops;
mod page;
#[doc(hidden)]
pub mod printf;
pub mod reconstruct;
mod reorder;
mod template;
pub mod tree;
mod value;

pub use app::clock::{Clock, ManualClock, SystemClock};
pub use app::config::{
    ApplicationConfig, Config, KeyConfig, MemoryConfig, MetricsConfig, PageConfig, StoreConfig,
    TokenConfig,
};
pub use app::metrics::{ApplicationMetrics, LatencyBucket};
pub use app::{Application, Attachment, Health, HealthStatus, PageHandle};
pub use call::FromArg;
pub use client::CLIENT_JS;
pub use decode::{decode_event, EventError};
pub use diff::ClientCache;
#[cfg(feature = "report")]
pub use diff::FragmentReport;
pub use error::{Error, ErrorKind, Loc, RenderError, TokenProblem};
pub use escape::{Content, Escaper};
pub use event::{has_action, LiveEvent};
pub use fragment::{
    DynamicValue, Fragment, FragmentData, FragmentError, GranularData, GranularOp, MarkersData,
    ReplacementData, StaticDynamicData, Strategy, ValuePatch,
};
pub use page::Page;
pub use reconstruct::{ReconstructError, Reconstructor};
pub use template::{BlockKind, BlockMeta, ControlMeta, Dynamic, SlotMeta, Template, TemplateMeta};
pub use tree::{Block, Change, Dyn, ListEdit, ListEdits};
pub use value::{Html, IndexBy, Json, Keyed, Len, Range, Scalar, Slot, ToScalar, Truthy};

/// What generated code uses and nothing else: the autoref-specialisation
/// wrappers and their traits, the operators and builtins, the splicing of
/// range items. Not a public API: it changes with the macro.
#[doc(hidden)]
pub mod __private {
    pub use crate::call::{arg, Ret, RetResult, RetValue};
    pub use crate::ops;
    pub use crate::ops::{JsDisplay, JsSerialize, JsSlot, PrintDisplay, PrintSlot};
    pub use crate::printf;
    pub use crate::tree::{
        branch, replace_dyn, replace_dyn_if_changed, splice_items, ItemOps, ItemUpdate, ItemsDiff,
        ItemsDiffAny, ItemsDiffEq, ItemsDiffKeyed,
    };
    pub use crate::value::{Cmp, CmpAny, CmpEq, Either, ViaAny, ViaOption, ViaTruthy, W};
}
