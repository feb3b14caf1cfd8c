//! The live runtime: an [`Application`] holds pages of any view-model type,
//! each reached by a signed token (skeleton: being written).

pub mod clock;
pub mod config;
pub(crate) mod metrics;
pub(crate) mod token;
