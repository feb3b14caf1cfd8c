//! Application metrics (STUB: being written).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::config::MetricsConfig;
use crate::fragment::Fragment;

/// Why a page left the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Removal {
    Closed,
    Expired,
}

pub(crate) struct Metrics {}

impl Metrics {
    pub(crate) fn new(_config: &MetricsConfig) -> Self {
        Metrics {}
    }
    pub(crate) fn page_created(&self) {}
    pub(crate) fn page_removed(&self, _why: Removal) {}
    pub(crate) fn update(
        &self,
        _latency: Duration,
        _fragments: &[Fragment],
        _full_html_len: usize,
    ) {
    }
    pub(crate) fn token_refused(&self) {}
    pub(crate) fn error(&self) {}
    pub(crate) fn degraded(&self) {}
    pub(crate) fn snapshot(
        &self,
        _pages_active: u64,
        _memory_bytes: u64,
        _now_ms: u64,
    ) -> ApplicationMetrics {
        ApplicationMetrics::default()
    }
}

/// A snapshot of an application's counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplicationMetrics {}

impl ApplicationMetrics {
    /// Prometheus text exposition.
    pub fn prometheus(&self) -> String {
        String::new()
    }
}
