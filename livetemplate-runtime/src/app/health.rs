//! [`Health`]: ok, degraded or unhealthy, with the reasons (the seed's
//! `HealthChecker`).

use std::fmt;

use serde::Serialize;

use super::Inner;

/// The overall state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Everything works.
    Ok,
    /// Existing pages work, but something is near or at a limit (new pages
    /// may be refused, pages send whole renders).
    Degraded,
    /// The application cannot serve: closed, over its memory budget, or
    /// its cleanup task stopped.
    Unhealthy,
}

impl HealthStatus {
    /// `ok`, `degraded` or `unhealthy`.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Ok => "ok",
            HealthStatus::Degraded => "degraded",
            HealthStatus::Unhealthy => "unhealthy",
        }
    }
}

/// The result of [`Application::health`](crate::Application::health).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Health {
    pub status: HealthStatus,
    /// Why it is not ok, one line each (empty when ok).
    pub reasons: Vec<String>,
}

impl Health {
    /// True when the status is [`HealthStatus::Ok`].
    pub fn is_ok(&self) -> bool {
        self.status == HealthStatus::Ok
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.status.as_str())?;
        for (i, r) in self.reasons.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            f.write_str(r)?;
        }
        Ok(())
    }
}

/// Degraded from this share of a limit on.
const NEAR: f64 = 0.8;

pub(crate) fn check(inner: &Inner, closed: bool, cleaner_alive: bool) -> Health {
    let mut status = HealthStatus::Ok;
    let mut reasons = Vec::new();
    let mut say = |s: HealthStatus, why: String| {
        status = status.max(s);
        reasons.push(why);
    };
    if closed {
        say(HealthStatus::Unhealthy, "the application is closed".into());
    } else if !cleaner_alive {
        say(
            HealthStatus::Unhealthy,
            "the cleanup task is not running: expired pages are not removed".into(),
        );
    }
    // (used, limit, what, status at the limit)
    let limits = [
        (
            inner.registry.len(),
            inner.config.application.max_pages,
            "pages (application.max_pages)",
            HealthStatus::Degraded,
        ),
        (
            inner.registry.memory(),
            inner.config.memory.max_total_bytes,
            "bytes of the memory budget (memory.max_total_bytes)",
            HealthStatus::Unhealthy,
        ),
    ];
    for (used, limit, what, at_limit) in limits {
        if used >= limit {
            say(
                at_limit,
                format!("{used} of {limit} {what} in use: new pages are refused"),
            );
        } else if used as f64 >= NEAR * limit as f64 {
            say(
                HealthStatus::Degraded,
                format!("{used} of {limit} {what} in use"),
            );
        }
    }
    let lean = inner.registry.lean();
    if lean > 0 {
        say(
            HealthStatus::Degraded,
            format!("{lean} pages over their memory budget send whole renders"),
        );
    }
    Health { status, reasons }
}
