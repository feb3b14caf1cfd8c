//! Application metrics: lock-free counters updated on every page event, and
//! [`ApplicationMetrics`], the seed's snapshot of them (serde JSON and
//! Prometheus text).
//!
//! The definitions of every figure, and the exposition format, are in
//! [`ApplicationMetrics`]'s docs (this module is private).

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::config::MetricsConfig;
use crate::fragment::{Fragment, Strategy};

/// Finite latency buckets; bucket `i` holds latencies in
/// `(BUCKET_1_NS · 2^(i-1), BUCKET_1_NS · 2^i]` (the first from 0).
const FINITE_BUCKETS: usize = 27;

/// Upper bound of the first bucket: 1 µs.
const BUCKET_1_NS: u64 = 1_000;

/// Lowest savings of one update, in basis points (−10 000 %), so that a
/// pathological update cannot overflow the sum.
const MIN_SAVINGS_BP: i128 = -1_000_000;

/// Why a page left the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Removal {
    Closed,
    Expired,
}

/// The live counters of one application (see the module docs).
pub(crate) struct Metrics {
    enabled: bool,
    bandwidth: bool,
    pages_created: AtomicU64,
    pages_closed: AtomicU64,
    pages_expired: AtomicU64,
    pages_degraded: AtomicU64,
    /// Updates per latency bucket (not cumulative); the last is the
    /// overflow bucket. Their sum is the number of updates.
    latency: [AtomicU64; FINITE_BUCKETS + 1],
    latency_sum_ns: AtomicU64,
    /// Fragments per strategy, indexed by [`strategy_index`].
    strategy: [AtomicU64; 4],
    bytes_sent: AtomicU64,
    bytes_full: AtomicU64,
    /// Per dominant strategy: the sum of the updates' savings in basis
    /// points, and the number of updates summed.
    savings_bp: [AtomicI64; 4],
    savings_updates: [AtomicU64; 4],
    token_fails: AtomicU64,
    errors: AtomicU64,
}

fn strategy_index(s: Strategy) -> usize {
    match s {
        Strategy::StaticDynamic => 0,
        Strategy::Markers => 1,
        Strategy::Granular => 2,
        Strategy::Replacement => 3,
    }
}

/// The bucket of a latency of `ns` nanoseconds: the smallest `i` with
/// `ns <= BUCKET_1_NS · 2^i`, or `FINITE_BUCKETS` (overflow).
fn bucket_index(ns: u64) -> usize {
    let q = ns.saturating_sub(1) / BUCKET_1_NS;
    let i = (u64::BITS - q.leading_zeros()) as usize;
    i.min(FINITE_BUCKETS)
}

/// Upper bound of finite bucket `i`, in nanoseconds.
fn bucket_bound_ns(i: usize) -> u64 {
    BUCKET_1_NS << i
}

/// Bytes of the fragment's JSON.
fn json_len(f: &Fragment) -> u64 {
    f.wire_len() as u64
}

/// `round(a / b)`, halves away from zero; `b > 0`.
fn round_div(a: i128, b: i128) -> i128 {
    if a >= 0 {
        (2 * a + b) / (2 * b)
    } else {
        -((-2 * a + b) / (2 * b))
    }
}

/// `100 · (1 − sent / full)` in basis points, rounded; `full > 0`.
fn savings_bp(sent: u64, full: u64) -> i64 {
    let full = i128::from(full);
    let bp = round_div(10_000 * (full - i128::from(sent)), full);
    bp.clamp(MIN_SAVINGS_BP, 10_000) as i64
}

impl Metrics {
    pub(crate) fn new(config: &MetricsConfig) -> Self {
        Metrics {
            enabled: config.enabled,
            bandwidth: config.enabled && config.bandwidth,
            pages_created: AtomicU64::new(0),
            pages_closed: AtomicU64::new(0),
            pages_expired: AtomicU64::new(0),
            pages_degraded: AtomicU64::new(0),
            latency: std::array::from_fn(|_| AtomicU64::new(0)),
            latency_sum_ns: AtomicU64::new(0),
            strategy: std::array::from_fn(|_| AtomicU64::new(0)),
            bytes_sent: AtomicU64::new(0),
            bytes_full: AtomicU64::new(0),
            savings_bp: std::array::from_fn(|_| AtomicI64::new(0)),
            savings_updates: std::array::from_fn(|_| AtomicU64::new(0)),
            token_fails: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }

    fn bump(&self, counter: &AtomicU64) {
        if self.enabled {
            counter.fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn page_created(&self) {
        self.bump(&self.pages_created);
    }

    pub(crate) fn page_removed(&self, why: Removal) {
        self.bump(match why {
            Removal::Closed => &self.pages_closed,
            Removal::Expired => &self.pages_expired,
        });
    }

    /// One `page.update` that took `latency` and returned `fragments`;
    /// `full_html_len` is the length of the page's whole new HTML.
    pub(crate) fn update(&self, latency: Duration, fragments: &[Fragment], full_html_len: usize) {
        if !self.enabled {
            return;
        }
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency[bucket_index(ns)].fetch_add(1, Relaxed);
        self.latency_sum_ns.fetch_add(ns, Relaxed);

        let mut count = [0u64; 4];
        let mut bytes = [0u64; 4];
        for f in fragments {
            let i = strategy_index(f.strategy);
            count[i] += 1;
            if self.bandwidth {
                bytes[i] += json_len(f);
            }
        }
        for (atomic, n) in self.strategy.iter().zip(count) {
            if n > 0 {
                atomic.fetch_add(n, Relaxed);
            }
        }

        if !self.bandwidth {
            return;
        }
        let sent: u64 = bytes.iter().sum();
        let full = full_html_len as u64;
        self.bytes_sent.fetch_add(sent, Relaxed);
        self.bytes_full.fetch_add(full, Relaxed);
        if fragments.is_empty() || full == 0 {
            return;
        }
        // The first strategy with the most bytes.
        let dominant = (1..4).fold(0, |d, i| if bytes[i] > bytes[d] { i } else { d });
        self.savings_bp[dominant].fetch_add(savings_bp(sent, full), Relaxed);
        self.savings_updates[dominant].fetch_add(1, Relaxed);
    }

    pub(crate) fn token_refused(&self) {
        self.bump(&self.token_fails);
    }

    pub(crate) fn error(&self) {
        self.bump(&self.errors);
    }

    /// A page dropped its caches to fit its memory budget.
    pub(crate) fn degraded(&self) {
        self.bump(&self.pages_degraded);
    }

    /// The counters now, with the gauges the registry knows: pages held,
    /// bytes they use, and the time of the snapshot (unix ms).
    pub(crate) fn snapshot(
        &self,
        app_id: &str,
        pages_active: u64,
        memory_bytes: u64,
        now_ms: u64,
    ) -> ApplicationMetrics {
        let per_bucket: [u64; FINITE_BUCKETS + 1] =
            std::array::from_fn(|i| self.latency[i].load(Relaxed));
        let count: u64 = per_bucket.iter().sum();
        let mut cumulative = 0;
        let buckets = per_bucket[..FINITE_BUCKETS]
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                cumulative += n;
                LatencyBucket {
                    le_seconds: bucket_bound_ns(i) as f64 / 1e9,
                    count: cumulative,
                }
            })
            .collect();
        let strategy: [u64; 4] = std::array::from_fn(|i| self.strategy[i].load(Relaxed));
        let savings = |i: usize| {
            let n = self.savings_updates[i].load(Relaxed);
            if n == 0 {
                return 0.0;
            }
            let bp = self.savings_bp[i].load(Relaxed);
            // Percent to 1e-4, so that it prints and parses back exactly.
            round_div(i128::from(bp) * 100, i128::from(n)) as f64 / 1e4
        };
        ApplicationMetrics {
            application_id: app_id.to_owned(),
            pages_created_total: self.pages_created.load(Relaxed),
            pages_active,
            pages_closed_total: self.pages_closed.load(Relaxed),
            pages_expired_total: self.pages_expired.load(Relaxed),
            pages_degraded_total: self.pages_degraded.load(Relaxed),
            updates_generated_total: count,
            fragments_generated_total: strategy.iter().sum(),
            update_latency_p50_ms: quantile_ms(&per_bucket, 0.50),
            update_latency_p95_ms: quantile_ms(&per_bucket, 0.95),
            update_latency_seconds_bucket: buckets,
            update_latency_seconds_sum: self.latency_sum_ns.load(Relaxed) as f64 / 1e9,
            update_latency_seconds_count: count,
            strategy_static_dynamic_used_total: strategy[0],
            strategy_marker_used_total: strategy[1],
            strategy_granular_used_total: strategy[2],
            strategy_replacement_used_total: strategy[3],
            bytes_sent_total: self.bytes_sent.load(Relaxed),
            bytes_full_total: self.bytes_full.load(Relaxed),
            bandwidth_savings_strategy1_avg_percent: savings(0),
            bandwidth_savings_strategy2_avg_percent: savings(1),
            bandwidth_savings_strategy3_avg_percent: savings(2),
            bandwidth_savings_strategy4_avg_percent: savings(3),
            memory_usage_bytes: memory_bytes,
            token_validation_fails_total: self.token_fails.load(Relaxed),
            errors_total: self.errors.load(Relaxed),
            last_updated: now_ms,
        }
    }
}

/// The `q` quantile of the histogram (non-cumulative counts, the last the
/// overflow bucket) in milliseconds, rounded to the nanosecond; 0 when empty.
fn quantile_ms(per_bucket: &[u64; FINITE_BUCKETS + 1], q: f64) -> f64 {
    let total: u64 = per_bucket.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let rank = q * total as f64;
    let mut below = 0u64;
    for (i, &n) in per_bucket.iter().enumerate() {
        if n == 0 || ((below + n) as f64) < rank {
            below += n;
            continue;
        }
        if i == FINITE_BUCKETS {
            break;
        }
        let upper = bucket_bound_ns(i) as f64;
        let lower = if i == 0 { 0.0 } else { upper / 2.0 };
        let ns = lower + (upper - lower) * (rank - below as f64) / n as f64;
        return ns.round() / 1e6;
    }
    // In the overflow bucket: the highest finite bound.
    bucket_bound_ns(FINITE_BUCKETS - 1) as f64 / 1e6
}

/// One bucket of the update latency histogram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyBucket {
    /// Upper bound (inclusive), in seconds: `0.000001 · 2^i`.
    pub le_seconds: f64,
    /// Updates that took at most `le_seconds` (cumulative).
    pub count: u64,
}

/// A snapshot of an application's counters (see
/// [`Application::metrics`](crate::Application)). The field names are the
/// JSON names; the Prometheus names are `livetemplate_` + the JSON name
/// (see [`prometheus`](Self::prometheus)).
///
/// # What is measured
///
/// Every counter is an atomic updated with `Relaxed` ordering; the update
/// path takes no lock and allocates nothing. A snapshot reads the counters
/// one by one, so under concurrent updates it may mix values from just
/// before and just after one update (each value is itself exact).
///
/// - **Latency.** `update` files the latency of one `page.update` in a fixed
///   log-scale histogram: 27 buckets with upper bounds `1 µs · 2^i`
///   (1 µs, 2 µs, 4 µs, … 67.108864 s) plus an overflow bucket. The
///   quantiles `update_latency_p50_ms` and `update_latency_p95_ms` are
///   estimated as Prometheus' `histogram_quantile` does: find the bucket
///   holding rank `q · count` and interpolate linearly between its lower and
///   upper bound (the first bucket starts at 0; a rank in the overflow
///   bucket gives the highest finite bound). They are 0 without updates and
///   rounded to the nanosecond.
/// - **Strategies.** Fragments are counted by [`Strategy`].
/// - **Bandwidth** (only with [`MetricsConfig::bandwidth`]). For every
///   update, *sent* is the sum over its fragments of the bytes of
///   `serde_json::to_writer(fragment)` (measured by a byte-counting writer,
///   no allocation; the separators of an enclosing array are not counted),
///   and *full* is the length of the page's whole new HTML. Both are summed
///   (`bytes_sent_total`, `bytes_full_total`; an update without fragments
///   adds its *full* too). An update with fragments and a non-empty page is
///   attributed to its *dominant* strategy — the one whose fragments sent
///   the most bytes in it (a tie goes to the first in [`Strategy::ALL`]) —
///   and `bandwidth_savings_strategyN_avg_percent` is the mean, over the
///   updates attributed to strategy N (1 `static_dynamic`, 2 `markers`,
///   3 `granular`, 4 `replacement`), of `100 · (1 − sent / full)`, each
///   update's value rounded to a basis point and floored at −10 000 %; 0
///   when no update was attributed to N. It is negative when the fragments
///   were larger than the page.
/// - When [`MetricsConfig::enabled`] is false every recorder returns at once
///   and a snapshot holds zeros (but the gauges passed to it).
///
/// # Prometheus exposition
///
/// [`prometheus`](Self::prometheus) prints the text format (version
/// 0.0.4). Every metric is named `livetemplate_` + its JSON field name, has
/// a `# HELP` and a `# TYPE` line (`counter` for the `_total` names, `gauge`
/// otherwise) and one sample labelled `application="<id>"` (the id escaped:
/// `\` → `\\`, `"` → `\"`, newline → `\n`). Integers are printed as
/// integers and floats in Rust's shortest round-trip form (never an
/// exponent, never NaN). The latency is also a real histogram,
/// `livetemplate_update_latency_seconds`: `_bucket{application=…,le=…}`
/// cumulative for every finite bound and `le="+Inf"`, then `_sum` and
/// `_count` (the JSON fields `update_latency_seconds_bucket`, `…_sum` and
/// `…_count`). The JSON `last_updated` (unix milliseconds) is exported as
/// the gauge `livetemplate_last_updated_seconds` (unix seconds), the one
/// name that differs from its JSON name. The text ends with a newline.
///
/// ```text
/// # HELP livetemplate_pages_created_total Pages created.
/// # TYPE livetemplate_pages_created_total counter
/// livetemplate_pages_created_total{application="shop"} 12
/// …
/// # HELP livetemplate_update_latency_seconds Latency of page updates.
/// # TYPE livetemplate_update_latency_seconds histogram
/// livetemplate_update_latency_seconds_bucket{application="shop",le="0.000001"} 0
/// …
/// livetemplate_update_latency_seconds_bucket{application="shop",le="+Inf"} 40
/// livetemplate_update_latency_seconds_sum{application="shop"} 0.000812
/// livetemplate_update_latency_seconds_count{application="shop"} 40
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplicationMetrics {
    /// The application's id (in Prometheus, the `application` label).
    pub application_id: String,
    /// Pages created since start.
    pub pages_created_total: u64,
    /// Pages held now (gauge).
    pub pages_active: u64,
    /// Pages closed by their owner.
    pub pages_closed_total: u64,
    /// Pages removed for being idle past the page TTL.
    pub pages_expired_total: u64,
    /// Times a page dropped its caches to fit its memory budget.
    pub pages_degraded_total: u64,
    /// Calls of `page.update`.
    pub updates_generated_total: u64,
    /// Fragments those updates returned.
    pub fragments_generated_total: u64,
    /// Median update latency, in milliseconds, estimated from the histogram
    /// (linear inside the bucket); 0 without updates (gauge).
    pub update_latency_p50_ms: f64,
    /// 95th percentile of the update latency, in milliseconds, as
    /// `update_latency_p50_ms` (gauge).
    pub update_latency_p95_ms: f64,
    /// The latency histogram's finite buckets, cumulative (the `+Inf`
    /// bucket is `update_latency_seconds_count`).
    pub update_latency_seconds_bucket: Vec<LatencyBucket>,
    /// Sum of the update latencies, in seconds.
    pub update_latency_seconds_sum: f64,
    /// Updates in the histogram (= `updates_generated_total`).
    pub update_latency_seconds_count: u64,
    /// Fragments sent with the `static_dynamic` strategy.
    pub strategy_static_dynamic_used_total: u64,
    /// Fragments sent with the `markers` strategy.
    pub strategy_marker_used_total: u64,
    /// Fragments sent with the `granular` strategy.
    pub strategy_granular_used_total: u64,
    /// Fragments sent with the `replacement` strategy.
    pub strategy_replacement_used_total: u64,
    /// JSON bytes of the fragments of all updates (0 unless bandwidth is
    /// measured).
    pub bytes_sent_total: u64,
    /// Bytes of the whole new page HTML of the same updates.
    pub bytes_full_total: u64,
    /// Mean savings `100 · (1 − sent / full)` of the updates dominated by
    /// `static_dynamic` (gauge, percent).
    pub bandwidth_savings_strategy1_avg_percent: f64,
    /// The same for `markers`.
    pub bandwidth_savings_strategy2_avg_percent: f64,
    /// The same for `granular`.
    pub bandwidth_savings_strategy3_avg_percent: f64,
    /// The same for `replacement`.
    pub bandwidth_savings_strategy4_avg_percent: f64,
    /// Bytes the pages hold (gauge).
    pub memory_usage_bytes: u64,
    /// Tokens refused (bad signature, expired, wrong application, …).
    pub token_validation_fails_total: u64,
    /// Errors returned by the runtime.
    pub errors_total: u64,
    /// Time of the snapshot, unix milliseconds (in Prometheus:
    /// `livetemplate_last_updated_seconds`, unix seconds).
    pub last_updated: u64,
}

/// A sample value: integers print as integers.
#[derive(Clone, Copy)]
enum Num {
    U(u64),
    F(f64),
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::U(n) => write!(f, "{n}"),
            Num::F(x) if x.is_finite() => write!(f, "{x}"),
            Num::F(x) if x.is_nan() => f.write_str("NaN"),
            Num::F(x) if *x > 0.0 => f.write_str("+Inf"),
            Num::F(_) => f.write_str("-Inf"),
        }
    }
}

/// A label value escaped per the text format.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '"' => f.write_str("\\\"")?,
                '\n' => f.write_str("\\n")?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// One metric with one sample: `counter` for a `_total` name, else `gauge`.
fn write_scalar(out: &mut String, app: &str, name: &str, help: &str, value: Num) -> fmt::Result {
    let kind = if name.ends_with("_total") {
        "counter"
    } else {
        "gauge"
    };
    writeln!(out, "# HELP livetemplate_{name} {help}")?;
    writeln!(out, "# TYPE livetemplate_{name} {kind}")?;
    writeln!(
        out,
        "livetemplate_{name}{{application=\"{}\"}} {value}",
        Escaped(app)
    )
}

impl ApplicationMetrics {
    /// Prometheus text exposition (format 0.0.4; see the
    /// [type's docs](ApplicationMetrics) for the names, types and the histogram).
    pub fn prometheus(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        // Writing to a String cannot fail.
        let _ = self.write_prometheus(&mut out);
        out
    }

    fn write_prometheus(&self, out: &mut String) -> fmt::Result {
        use Num::{F, U};
        let app = &self.application_id;
        let before_histogram = [
            ("pages_created_total", "Pages created.", U(self.pages_created_total)),
            ("pages_active", "Pages held now.", U(self.pages_active)),
            (
                "pages_closed_total",
                "Pages closed by their owner.",
                U(self.pages_closed_total),
            ),
            (
                "pages_expired_total",
                "Pages removed for being idle past the page TTL.",
                U(self.pages_expired_total),
            ),
            (
                "pages_degraded_total",
                "Times a page dropped its caches to fit its memory budget.",
                U(self.pages_degraded_total),
            ),
            (
                "updates_generated_total",
                "Page updates.",
                U(self.updates_generated_total),
            ),
            (
                "fragments_generated_total",
                "Fragments returned by page updates.",
                U(self.fragments_generated_total),
            ),
            (
                "update_latency_p50_ms",
                "Median page update latency in milliseconds, estimated from the histogram.",
                F(self.update_latency_p50_ms),
            ),
            (
                "update_latency_p95_ms",
                "95th percentile of the page update latency in milliseconds, estimated from the histogram.",
                F(self.update_latency_p95_ms),
            ),
        ];
        let after_histogram = [
            (
                "strategy_static_dynamic_used_total",
                "Fragments sent with the static_dynamic strategy.",
                U(self.strategy_static_dynamic_used_total),
            ),
            (
                "strategy_marker_used_total",
                "Fragments sent with the markers strategy.",
                U(self.strategy_marker_used_total),
            ),
            (
                "strategy_granular_used_total",
                "Fragments sent with the granular strategy.",
                U(self.strategy_granular_used_total),
            ),
            (
                "strategy_replacement_used_total",
                "Fragments sent with the replacement strategy.",
                U(self.strategy_replacement_used_total),
            ),
            (
                "bytes_sent_total",
                "JSON bytes of the fragments of page updates.",
                U(self.bytes_sent_total),
            ),
            (
                "bytes_full_total",
                "Bytes of the whole new page HTML of the same updates.",
                U(self.bytes_full_total),
            ),
            (
                "bandwidth_savings_strategy1_avg_percent",
                "Mean bandwidth savings in percent of the updates whose bytes were mostly static_dynamic fragments.",
                F(self.bandwidth_savings_strategy1_avg_percent),
            ),
            (
                "bandwidth_savings_strategy2_avg_percent",
                "Mean bandwidth savings in percent of the updates whose bytes were mostly markers fragments.",
                F(self.bandwidth_savings_strategy2_avg_percent),
            ),
            (
                "bandwidth_savings_strategy3_avg_percent",
                "Mean bandwidth savings in percent of the updates whose bytes were mostly granular fragments.",
                F(self.bandwidth_savings_strategy3_avg_percent),
            ),
            (
                "bandwidth_savings_strategy4_avg_percent",
                "Mean bandwidth savings in percent of the updates whose bytes were mostly replacement fragments.",
                F(self.bandwidth_savings_strategy4_avg_percent),
            ),
            (
                "memory_usage_bytes",
                "Bytes the pages hold.",
                U(self.memory_usage_bytes),
            ),
            (
                "token_validation_fails_total",
                "Tokens refused.",
                U(self.token_validation_fails_total),
            ),
            ("errors_total", "Errors returned by the runtime.", U(self.errors_total)),
            (
                "last_updated_seconds",
                "Time of this snapshot, unix seconds.",
                F(self.last_updated as f64 / 1e3),
            ),
        ];
        for (name, help, value) in before_histogram {
            write_scalar(out, app, name, help, value)?;
        }
        self.write_histogram(out)?;
        for (name, help, value) in after_histogram {
            write_scalar(out, app, name, help, value)?;
        }
        Ok(())
    }

    fn write_histogram(&self, out: &mut String) -> fmt::Result {
        let app = Escaped(&self.application_id);
        let name = "livetemplate_update_latency_seconds";
        writeln!(out, "# HELP {name} Page update latency in seconds.")?;
        writeln!(out, "# TYPE {name} histogram")?;
        for b in &self.update_latency_seconds_bucket {
            writeln!(
                out,
                "{name}_bucket{{application=\"{app}\",le=\"{}\"}} {}",
                Num::F(b.le_seconds),
                b.count
            )?;
        }
        let count = self.update_latency_seconds_count;
        writeln!(
            out,
            "{name}_bucket{{application=\"{app}\",le=\"+Inf\"}} {count}"
        )?;
        writeln!(
            out,
            "{name}_sum{{application=\"{app}\"}} {}",
            Num::F(self.update_latency_seconds_sum)
        )?;
        writeln!(out, "{name}_count{{application=\"{app}\"}} {count}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fragment::{DynamicValue, GranularOp, StaticDynamicData, ValuePatch};
    use openmetrics_parser::prometheus::parse_prometheus;
    use openmetrics_parser::{PrometheusType, PrometheusValue};

    fn metrics(enabled: bool, bandwidth: bool) -> Metrics {
        Metrics::new(&MetricsConfig { enabled, bandwidth })
    }

    fn sd(text: &str) -> Fragment {
        Fragment::static_dynamic(
            "f-1",
            StaticDynamicData {
                statics: None,
                dynamics: [(0, DynamicValue::Html(text.into()))].into(),
            },
        )
    }

    fn markers(text: &str) -> Fragment {
        Fragment::markers(
            "f-2",
            vec![ValuePatch {
                position: 3,
                length: 1,
                new_value: text.into(),
            }],
        )
    }

    fn granular(text: &str) -> Fragment {
        Fragment::granular("f-3", GranularOp::Append, Some(text.into()), 4)
    }

    fn replacement(text: &str) -> Fragment {
        Fragment::replacement("f-4", text)
    }

    fn len(f: &Fragment) -> usize {
        serde_json::to_string(f).unwrap().len()
    }

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    fn snap(m: &Metrics) -> ApplicationMetrics {
        m.snapshot("app", 0, 0, 0)
    }

    #[test]
    fn json_len_is_the_serialised_length() {
        for f in [
            sd("a \"quoted\" <b>é</b>"),
            markers("x\ny"),
            granular("<li>z</li>"),
            Fragment::granular("f-3", GranularOp::Remove, None, 0),
            replacement("<p>new</p>"),
        ] {
            assert_eq!(json_len(&f), len(&f) as u64);
        }
    }

    #[test]
    fn counts_pages_tokens_errors() {
        let m = metrics(true, true);
        for _ in 0..3 {
            m.page_created();
        }
        m.page_removed(Removal::Closed);
        m.page_removed(Removal::Expired);
        m.page_removed(Removal::Expired);
        m.degraded();
        m.token_refused();
        m.token_refused();
        m.error();
        let s = m.snapshot("app-1", 7, 4096, 1_700_000_000_123);
        assert_eq!(s.application_id, "app-1");
        assert_eq!(s.pages_created_total, 3);
        assert_eq!(s.pages_active, 7);
        assert_eq!(s.pages_closed_total, 1);
        assert_eq!(s.pages_expired_total, 2);
        assert_eq!(s.pages_degraded_total, 1);
        assert_eq!(s.token_validation_fails_total, 2);
        assert_eq!(s.errors_total, 1);
        assert_eq!(s.memory_usage_bytes, 4096);
        assert_eq!(s.last_updated, 1_700_000_000_123);
        assert_eq!(s.updates_generated_total, 0);
        assert_eq!(s.update_latency_p50_ms, 0.0);
        assert_eq!(s.update_latency_p95_ms, 0.0);
    }

    #[test]
    fn counts_strategies_and_bytes() {
        let m = metrics(true, true);
        let frags = [
            sd("x"),
            markers("on"),
            markers("off"),
            granular("<li>z</li>"),
            replacement("<p>new</p>"),
        ];
        m.update(us(5), &frags, 1000);
        m.update(us(5), &frags[..1], 200);
        m.update(us(5), &[], 300);
        let s = snap(&m);
        assert_eq!(s.updates_generated_total, 3);
        assert_eq!(s.fragments_generated_total, 6);
        assert_eq!(s.strategy_static_dynamic_used_total, 2);
        assert_eq!(s.strategy_marker_used_total, 2);
        assert_eq!(s.strategy_granular_used_total, 1);
        assert_eq!(s.strategy_replacement_used_total, 1);
        let sent: usize = frags.iter().map(len).sum::<usize>() + len(&frags[0]);
        assert_eq!(s.bytes_sent_total, sent as u64);
        assert_eq!(s.bytes_full_total, 1500);
    }

    #[test]
    fn savings_means_by_dominant_strategy() {
        let m = metrics(true, true);
        // replacement alone: 75 % and 50 % → mean 62.5 %.
        let r = replacement("<p>new content</p>");
        m.update(us(1), std::slice::from_ref(&r), 4 * len(&r));
        m.update(us(1), std::slice::from_ref(&r), 2 * len(&r));
        // A big markers fragment with a small replacement: attributed to
        // markers (90 %) although the replacement came first.
        let big = markers(&"m".repeat(200));
        let small = replacement("");
        assert!(len(&big) > len(&small));
        let both = [small.clone(), big.clone()];
        let sent = len(&small) + len(&big);
        m.update(us(1), &both, 10 * sent);
        // static_dynamic: 0 % and 50 % → 25 %.
        let s1 = sd("hello");
        m.update(us(1), std::slice::from_ref(&s1), len(&s1));
        m.update(us(1), std::slice::from_ref(&s1), 2 * len(&s1));
        // Not attributed: no fragments, or an empty page.
        m.update(us(1), &[], 100);
        m.update(us(1), &[granular("x")], 0);
        let s = snap(&m);
        assert_eq!(s.bandwidth_savings_strategy1_avg_percent, 25.0);
        assert_eq!(s.bandwidth_savings_strategy2_avg_percent, 90.0);
        assert_eq!(s.bandwidth_savings_strategy3_avg_percent, 0.0);
        assert_eq!(s.bandwidth_savings_strategy4_avg_percent, 62.5);
        assert_eq!(s.strategy_replacement_used_total, 3);
        assert_eq!(s.strategy_granular_used_total, 1);

        // Granular larger than the page: negative; and a tie goes to the
        // first strategy (static_dynamic before granular).
        let m = metrics(true, true);
        let g = granular("<li>item</li>");
        m.update(us(1), std::slice::from_ref(&g), len(&g) / 2 + len(&g) % 2);
        let s = snap(&m);
        let full = (len(&g) / 2 + len(&g) % 2) as f64;
        let expected = (10_000.0 * (1.0 - len(&g) as f64 / full)).round() / 100.0;
        assert_eq!(s.bandwidth_savings_strategy3_avg_percent, expected);
        assert!(expected < 0.0);
        // Floored at −10 000 %.
        let m2 = metrics(true, true);
        let g = granular(&"<li>item</li>".repeat(20));
        m2.update(us(1), std::slice::from_ref(&g), 1);
        assert_eq!(snap(&m2).bandwidth_savings_strategy3_avg_percent, -10_000.0);
    }

    #[test]
    fn tie_goes_to_the_first_strategy() {
        let m_frag = markers("m");
        let pad = len(&m_frag) - len(&replacement(""));
        let r_frag = replacement(&"r".repeat(pad));
        assert_eq!(len(&m_frag), len(&r_frag));
        let m = metrics(true, true);
        m.update(us(1), &[r_frag, m_frag], 100);
        let s = snap(&m);
        assert_ne!(s.bandwidth_savings_strategy2_avg_percent, 0.0);
        assert_eq!(s.bandwidth_savings_strategy4_avg_percent, 0.0);
    }

    #[test]
    fn bucket_edges() {
        assert_eq!(bucket_index(0), 0);
        assert_eq!(bucket_index(1), 0);
        assert_eq!(bucket_index(1_000), 0);
        assert_eq!(bucket_index(1_001), 1);
        assert_eq!(bucket_index(2_000), 1);
        assert_eq!(bucket_index(2_001), 2);
        assert_eq!(bucket_index(10_000), 4); // (8 µs, 16 µs]
        assert_eq!(bucket_index(10_000_000), 14); // (8.192 ms, 16.384 ms]
        assert_eq!(bucket_index(67_108_864_000), 26);
        assert_eq!(bucket_index(67_108_864_001), FINITE_BUCKETS);
        assert_eq!(bucket_index(u64::MAX), FINITE_BUCKETS);
        assert_eq!(bucket_bound_ns(4), 16_000);
        assert_eq!(bucket_bound_ns(26), 67_108_864_000);
    }

    #[test]
    fn quantiles_from_known_latencies() {
        let m = metrics(true, false);
        for _ in 0..100 {
            m.update(us(10), &[], 0);
        }
        for _ in 0..5 {
            m.update(Duration::from_millis(10), &[], 0);
        }
        let s = snap(&m);
        // p50: rank 52.5 of the 100 in (8 µs, 16 µs] → 8 + 8 · 0.525 µs.
        assert_eq!(s.update_latency_p50_ms, 0.0122);
        // p95: rank 99.75 is still in that bucket (5 / 105 < 5 %).
        assert!(s.update_latency_p95_ms > 0.008 && s.update_latency_p95_ms <= 0.016);
        assert_eq!(s.update_latency_p95_ms, 0.01598);
        assert_eq!(s.update_latency_seconds_count, 105);
        assert_eq!(s.update_latency_seconds_sum, 0.051);

        // 10 slow ones out of 110: p95 (rank 104.5) in (8.192 ms, 16.384 ms].
        for _ in 0..5 {
            m.update(Duration::from_millis(10), &[], 0);
        }
        let s = snap(&m);
        assert_eq!(s.update_latency_p50_ms, 0.0124);
        assert!(s.update_latency_p95_ms > 8.192 && s.update_latency_p95_ms <= 16.384);
        assert_eq!(s.update_latency_p95_ms, 11.8784); // 8.192 + 8.192 · 4.5 / 10

        // Beyond the last finite bound: that bound.
        let m = metrics(true, false);
        m.update(Duration::from_secs(100), &[], 0);
        let s = snap(&m);
        assert_eq!(s.update_latency_p50_ms, 67_108.864);
        assert_eq!(s.update_latency_seconds_bucket.last().unwrap().count, 0);
        assert_eq!(s.update_latency_seconds_count, 1);

        // In the first bucket, from 0.
        let m = metrics(true, false);
        m.update(Duration::from_nanos(500), &[], 0);
        assert_eq!(snap(&m).update_latency_p50_ms, 0.0005);
    }

    #[test]
    fn buckets_are_cumulative() {
        let m = metrics(true, false);
        for ns in [500, 1_500, 1_600, 3_000, 1_000_000, 5_000_000_000] {
            m.update(Duration::from_nanos(ns), &[], 0);
        }
        let s = snap(&m);
        let b = &s.update_latency_seconds_bucket;
        assert_eq!(b.len(), FINITE_BUCKETS);
        assert_eq!(b[0].le_seconds, 0.000001);
        assert_eq!(b[26].le_seconds, 67.108864);
        assert_eq!(
            b.iter().map(|b| b.count).take(3).collect::<Vec<_>>(),
            [1, 3, 4]
        );
        assert!(b.windows(2).all(|w| w[0].count <= w[1].count));
        assert!(b
            .windows(2)
            .all(|w| w[1].le_seconds == 2.0 * w[0].le_seconds));
        assert_eq!(b[26].count, 6);
    }

    #[test]
    fn disabled_records_nothing() {
        let m = metrics(false, true);
        m.page_created();
        m.page_removed(Removal::Closed);
        m.page_removed(Removal::Expired);
        m.degraded();
        m.token_refused();
        m.error();
        m.update(us(10), &[sd("x"), replacement("y")], 100);
        let fresh = metrics(true, true).snapshot("a", 2, 3, 4);
        assert_eq!(m.snapshot("a", 2, 3, 4), fresh);
        assert_eq!(fresh.updates_generated_total, 0);
        assert_eq!(fresh.pages_active, 2);
        assert_eq!(fresh.update_latency_seconds_bucket.len(), FINITE_BUCKETS);

        // Bandwidth off: counts, but no bytes.
        let m = metrics(true, false);
        m.update(us(10), &[sd("x"), replacement("y")], 100);
        let s = snap(&m);
        assert_eq!(s.updates_generated_total, 1);
        assert_eq!(s.fragments_generated_total, 2);
        assert_eq!(s.bytes_sent_total, 0);
        assert_eq!(s.bytes_full_total, 0);
        assert_eq!(s.bandwidth_savings_strategy1_avg_percent, 0.0);
        assert_eq!(s.bandwidth_savings_strategy4_avg_percent, 0.0);
    }

    #[test]
    fn concurrent_updates_are_exact() {
        const THREADS: u64 = 8;
        const PER_THREAD: u64 = 10_000;
        let m = metrics(true, true);
        let frags = [
            sd("x"),
            replacement(&format!("<p>{}</p>", "new ".repeat(30))),
        ];
        assert!(len(&frags[1]) > len(&frags[0]));
        let full = 4 * (len(&frags[0]) + len(&frags[1]));
        std::thread::scope(|scope| {
            for t in 0..THREADS {
                let (m, frags) = (&m, &frags);
                scope.spawn(move || {
                    for i in 0..PER_THREAD {
                        m.update(Duration::from_nanos(t * 1_000 + i), frags, full);
                        m.page_created();
                        if i % 10 == 0 {
                            m.token_refused();
                        }
                    }
                });
            }
        });
        let s = snap(&m);
        let n = THREADS * PER_THREAD;
        assert_eq!(s.updates_generated_total, n);
        assert_eq!(s.update_latency_seconds_count, n);
        assert_eq!(s.fragments_generated_total, 2 * n);
        assert_eq!(s.strategy_static_dynamic_used_total, n);
        assert_eq!(s.strategy_replacement_used_total, n);
        assert_eq!(s.pages_created_total, n);
        assert_eq!(s.token_validation_fails_total, n / 10);
        assert_eq!(
            s.bytes_sent_total,
            n * (len(&frags[0]) + len(&frags[1])) as u64
        );
        assert_eq!(s.bytes_full_total, n * full as u64);
        assert_eq!(s.bandwidth_savings_strategy4_avg_percent, 75.0);
        assert_eq!(s.bandwidth_savings_strategy1_avg_percent, 0.0);
        let sum_ns: u64 = (0..THREADS)
            .map(|t| (0..PER_THREAD).map(|i| t * 1_000 + i).sum::<u64>())
            .sum();
        assert_eq!(s.update_latency_seconds_sum, sum_ns as f64 / 1e9);
        assert_eq!(s.update_latency_seconds_bucket[26].count, n);
    }

    /// A snapshot with every field non-trivial.
    fn busy(app_id: &str) -> ApplicationMetrics {
        let m = metrics(true, true);
        for _ in 0..5 {
            m.page_created();
        }
        m.page_removed(Removal::Closed);
        m.page_removed(Removal::Expired);
        m.degraded();
        m.token_refused();
        m.error();
        m.error();
        let frags = [
            sd("x"),
            markers(&"m".repeat(40)),
            granular("<li>z</li>"),
            replacement("<p>new</p>"),
        ];
        for (i, f) in frags.iter().enumerate() {
            for k in 0..=i as u64 {
                m.update(
                    Duration::from_nanos(1_234 * (k + 1) * 7u64.pow(i as u32)),
                    std::slice::from_ref(f),
                    3 * len(f) + 7,
                );
            }
        }
        m.update(Duration::from_millis(3), &frags, 1234);
        m.snapshot(app_id, 3, 98_765, 1_700_000_000_123)
    }

    #[test]
    fn json_names_and_round_trip() {
        let s = busy("app");
        let json = serde_json::to_string(&s).unwrap();
        let back: ApplicationMetrics = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut expected = vec![
            "application_id",
            "pages_created_total",
            "pages_active",
            "pages_closed_total",
            "pages_expired_total",
            "pages_degraded_total",
            "updates_generated_total",
            "fragments_generated_total",
            "update_latency_p50_ms",
            "update_latency_p95_ms",
            "update_latency_seconds_bucket",
            "update_latency_seconds_sum",
            "update_latency_seconds_count",
            "strategy_static_dynamic_used_total",
            "strategy_marker_used_total",
            "strategy_granular_used_total",
            "strategy_replacement_used_total",
            "bytes_sent_total",
            "bytes_full_total",
            "bandwidth_savings_strategy1_avg_percent",
            "bandwidth_savings_strategy2_avg_percent",
            "bandwidth_savings_strategy3_avg_percent",
            "bandwidth_savings_strategy4_avg_percent",
            "memory_usage_bytes",
            "token_validation_fails_total",
            "errors_total",
            "last_updated",
        ];
        let mut keys = keys;
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(
            value["update_latency_seconds_bucket"][0],
            serde_json::json!({"le_seconds": 0.000001, "count": 0})
        );
        // Every numeric field is non-zero in this snapshot, so that the
        // Prometheus test below compares real values.
        for (k, v) in value.as_object().unwrap() {
            if let Some(x) = v.as_f64() {
                assert_ne!(x, 0.0, "{k} is 0");
            }
        }
    }

    fn label(sample: &openmetrics_parser::Sample<PrometheusValue>, name: &str) -> String {
        sample
            .get_labelset()
            .unwrap()
            .get_label_value(name)
            .unwrap_or_else(|| panic!("no label {name}"))
            .to_owned()
    }

    #[test]
    fn prometheus_reads_back() {
        let id = "shop \"eu\" \\ west\nline 2, {x=1}";
        let s = busy(id);
        let text = s.prometheus();
        assert!(text.ends_with('\n'));
        assert!(text.contains(r#"{application="shop \"eu\" \\ west\nline 2, {x=1}"}"#));
        let exposition = parse_prometheus(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let families = &exposition.families;

        let json = serde_json::to_value(&s).unwrap();
        let mut seen = 0;
        for (key, value) in json.as_object().unwrap() {
            let Some(expected) = value.as_f64() else {
                continue;
            };
            if key.starts_with("update_latency_seconds_") {
                continue; // the histogram, below
            }
            let (name, expected) = if key == "last_updated" {
                (
                    "livetemplate_last_updated_seconds".to_owned(),
                    expected / 1e3,
                )
            } else {
                (format!("livetemplate_{key}"), expected)
            };
            let family = families
                .get(&name)
                .unwrap_or_else(|| panic!("{name} missing"));
            seen += 1;
            assert!(!family.help.is_empty(), "{name} has no HELP");
            let samples: Vec<_> = family.iter_samples().collect();
            assert_eq!(samples.len(), 1, "{name}");
            assert_eq!(label(samples[0], "application"), id, "{name}");
            let got = match (&family.family_type, &samples[0].value) {
                (PrometheusType::Counter, PrometheusValue::Counter(c)) => {
                    assert!(key.ends_with("_total"), "{name} is a counter");
                    c.value.as_f64()
                }
                (PrometheusType::Gauge, PrometheusValue::Gauge(g)) => {
                    assert!(!key.ends_with("_total"), "{name} is a gauge");
                    g.as_f64()
                }
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!(got, expected, "{name}");
        }

        let name = "livetemplate_update_latency_seconds";
        let family = &families[name];
        assert_eq!(family.family_type, PrometheusType::Histogram);
        assert!(!family.help.is_empty());
        let samples: Vec<_> = family.iter_samples().collect();
        assert_eq!(samples.len(), 1);
        assert_eq!(label(samples[0], "application"), id);
        let PrometheusValue::Histogram(h) = &samples[0].value else {
            panic!("{name} is not a histogram");
        };
        assert_eq!(h.count, Some(s.updates_generated_total));
        assert_eq!(h.sum.unwrap().as_f64(), s.update_latency_seconds_sum);
        assert_eq!(h.buckets.len(), FINITE_BUCKETS + 1);
        for (parsed, b) in h.buckets.iter().zip(&s.update_latency_seconds_bucket) {
            assert_eq!(parsed.upper_bound, b.le_seconds);
            assert_eq!(parsed.count.as_f64(), b.count as f64);
        }
        let inf = h.buckets.last().unwrap();
        assert_eq!(inf.upper_bound, f64::INFINITY);
        assert_eq!(inf.count.as_f64(), s.updates_generated_total as f64);
        assert!(h
            .buckets
            .windows(2)
            .all(|w| w[0].count.as_f64() <= w[1].count.as_f64()));
        // Some updates in more than one bucket, so cumulation is tested.
        assert!(h.buckets.iter().filter(|b| b.count.as_f64() > 0.0).count() > 3);

        // Nothing else was exported.
        assert_eq!(families.len(), seen + 1);
    }

    #[test]
    fn prometheus_of_an_empty_snapshot_parses() {
        let s = metrics(false, false).snapshot("", 0, 0, 0);
        let text = s.prometheus();
        let exposition = parse_prometheus(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        // 23 numeric fields besides the histogram's, and the histogram.
        assert_eq!(exposition.families.len(), 24);
    }
}
