//! The bench report's section "Bytes on the socket, side by side with
//! Phoenix LiveView and Dioxus LiveView" (issue 13), and its targets.
//! Included by `examples/bench_report.rs` only: it runs the changes of
//! `scenarios::peers` through the report's own `Report::bandwidth` (which
//! checks every update through JSON and the `Reconstructor`, and fills in
//! each update's socket bytes with [`socket_bytes`]), and times
//! `page.update` and one render of the same changes.
//!
//! Everything is measured through the public API (`ServerMessage`,
//! `Fragment`), so that a new wire format is picked up as it is.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use livetemplate::serve::{ServerMessage, PROTOCOL_VERSION};
use livetemplate::{Fragment, Page, Template};

use super::scenarios::{self, Scenario, Visitor};
use super::{mean, pass, percentile, us, Report, ScenarioResult, Update};

/// Bytes one update costs on the socket: the server's `update` message as
/// JSON, plus the header of the WebSocket frame a server sends it in
/// (unmasked: 2 bytes for a payload up to 125 bytes, 4 up to 65,535, 10
/// above). `version` is the page's version after the update (its ordinal,
/// from 1). The one place that knows the message's shape.
pub fn socket_bytes(version: u64, fragments: &[Fragment]) -> usize {
    let payload = ServerMessage::Update {
        v: PROTOCOL_VERSION,
        fragments,
        version,
    }
    .to_json()
    .len();
    payload + frame_header(payload)
}

fn frame_header(payload: usize) -> usize {
    match payload {
        0..=125 => 2,
        126..=65_535 => 4,
        _ => 10,
    }
}

/// [`socket_bytes`] of one `replacement` fragment of the root carrying the
/// page's whole new content: `marked` (`page.render()` after the update)
/// without the root's own markers. `None` if the markers are not there.
pub fn root_replacement_bytes<T: Template>(marked: &str, version: u64) -> Option<usize> {
    let id = T::META.root.id;
    let content = marked
        .strip_prefix(&format!("<!--{id}-->"))?
        .strip_suffix(&format!("<!--/{id}-->"))?;
    Some(socket_bytes(
        version,
        &[Fragment::replacement(id, content.to_owned())],
    ))
}

/// The peers' figures for one change, as issue 13 gives them (measured on
/// the same changes): Phoenix LiveView's diff payload and whole frame, and
/// Dioxus LiveView 0.7's whole frame, in bytes.
struct Peer {
    /// The scenario of `scenarios::peers` that makes the change.
    scenario: &'static str,
    change: &'static str,
    liveview: Option<(usize, usize)>,
    dioxus: usize,
}

impl Peer {
    /// The smaller of the peers' whole frames.
    fn target(&self) -> usize {
        self.liveview
            .map_or(self.dioxus, |(_, frame)| frame.min(self.dioxus))
    }
}

const SOURCE: &str = "issue 13";

const PEERS: [Peer; 5] = [
    Peer {
        scenario: "counter tick",
        change: "counter tick on the todo page",
        liveview: Some((10, 54)),
        dioxus: 50,
    },
    Peer {
        scenario: "todo append",
        change: "todo append",
        liveview: Some((117, 161)),
        dioxus: 138,
    },
    Peer {
        scenario: "todo move",
        change: "one todo moved in a keyed list",
        liveview: Some((91, 135)),
        dioxus: 49,
    },
    Peer {
        scenario: "rows: swap",
        change: "two rows of a 100-row table swapped",
        liveview: None,
        dioxus: 61,
    },
    Peer {
        scenario: "rows: re-sort",
        change: "the 100 rows re-sorted",
        liveview: None,
        dioxus: 569,
    },
];

/// One change of the comparison, measured.
struct Row {
    peer: &'static Peer,
    what: &'static str,
    /// The measured updates (the warm-up left out).
    updates: Vec<Update>,
    /// Sorted samples of `page.update` and of `T::render()` of the new state.
    update: Vec<Duration>,
    render: Vec<Duration>,
}

impl Row {
    fn mean(&self) -> f64 {
        mean(self.updates.iter().map(|u| u.socket))
    }

    fn max(&self) -> usize {
        self.updates.iter().map(|u| u.socket).max().unwrap_or(0)
    }

    fn pass(&self) -> bool {
        !self.updates.is_empty() && self.max() <= self.peer.target()
    }

    fn above_root(&self) -> usize {
        self.updates
            .iter()
            .filter(|u| u.socket > u.root_socket)
            .count()
    }
}

/// The section's measurements.
pub struct Section {
    rows: Vec<Row>,
    /// Samples of each timing per change.
    samples: usize,
}

struct Run<'r> {
    report: &'r mut Report,
    samples: usize,
    rows: Vec<Row>,
}

impl Visitor for Run<'_> {
    fn visit<T: Template + Clone + PartialEq>(&mut self, s: Scenario<T>) {
        eprintln!("    {} ({} measured updates)", s.name, s.weight());
        let Some(peer) = PEERS.iter().find(|p| p.scenario == s.name) else {
            self.report
                .problems
                .0
                .push(format!("{}: no peer figures for this scenario", s.name));
            return;
        };
        let updates = self
            .report
            .bandwidth(&s)
            .into_iter()
            .filter(|u| u.step > 0)
            .collect();
        let (update, render) = timing(&s, self.samples);
        self.rows.push(Row {
            peer,
            what: s.what,
            updates,
            update,
            render,
        });
    }
}

/// `page.update` and `T::render()` of the new state, timed in one loop
/// (the same machine state for both): each round builds a page, applies
/// the warm-up (untimed), then times each measured update and one render
/// of its state; rounds repeat until `samples` of each.
fn timing<T: Template + Clone + PartialEq>(
    s: &Scenario<T>,
    samples: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let rounds = samples.div_ceil(s.weight().max(1));
    let (mut update, mut render) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let mut page = Page::new(s.initial.clone()).expect("page");
        let _ = page.update(s.steps[0].clone());
        for next in &s.steps[1..] {
            let state = next.clone();
            let t = Instant::now();
            let f = page.update(state);
            update.push(t.elapsed());
            drop(f);
            let t = Instant::now();
            let html = next.render();
            render.push(t.elapsed());
            drop(html);
        }
    }
    update.sort_unstable();
    render.sort_unstable();
    (update, render)
}

/// Runs the changes of `scenarios::peers`.
pub fn run(report: &mut Report) -> Section {
    let samples = if report.quick { 1_000 } else { 10_000 };
    let mut run = Run {
        report,
        samples,
        rows: Vec::new(),
    };
    scenarios::peers(&mut run);
    Section {
        rows: run.rows,
        samples,
    }
}

impl Section {
    /// The section; `session` is the report's interleaved todo session.
    pub fn write(&self, session: Option<&ScenarioResult>, w: &mut String) {
        let _ = writeln!(
            w,
            "## Bytes on the socket, side by side with Phoenix LiveView and Dioxus LiveView\n"
        );
        let _ = writeln!(
            w,
            "What one update costs on the WebSocket: the server's `update` message \
             (`ServerMessage::Update {{ v, fragments, version }}` as JSON, `version` = the \
             update's ordinal, 1 for the warm-up) plus the header of the frame a server sends \
             (2 bytes up to 125 bytes of payload, 4 up to 65,535, 10 above). The peers' \
             figures are those of {SOURCE}, measured on the same changes: Phoenix LiveView's \
             diff payload and its whole frame, Dioxus LiveView 0.7's whole frame; the target is \
             the smaller whole frame. *Ours*: mean (max) over the measured updates, after a \
             warm-up update that is not counted; **pass** when the max is at or below the \
             target. *Root replacement*: the same message carrying one `replacement` fragment \
             of the root with the page's whole new content, mean (max); an update that costs \
             more is flagged. *Times*: `page.update` and one `T::render()` of the new state, \
             P50 of {} samples each, interleaved in one loop. Scenarios: \
             `scenarios::peers` (the counter tick and the todo append are the corpus's).\n",
            self.samples
        );
        let _ = writeln!(
            w,
            "| change | ours mean (max) (B) | LiveView payload / frame (B) | Dioxus (B) | target (B) | result | root replacement (B) | page.update P50 / one render P50 |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|---|---:|---:|");
        for r in &self.rows {
            let above = r.above_root();
            let _ = writeln!(
                w,
                "| {} | {:.0} ({}) | {} | {} | {} | {} | {:.0} ({}){} | {} / {} µs |",
                r.peer.change,
                r.mean(),
                r.max(),
                r.peer
                    .liveview
                    .map_or("—".into(), |(p, f)| format!("{p} / {f}")),
                r.peer.dioxus,
                r.peer.target(),
                pass(r.pass()),
                mean(r.updates.iter().map(|u| u.root_socket)),
                r.updates.iter().map(|u| u.root_socket).max().unwrap_or(0),
                if above > 0 {
                    format!(" **{above} of {} updates above**", r.updates.len())
                } else {
                    String::new()
                },
                us(percentile(&r.update, 50)),
                us(percentile(&r.render, 50)),
            );
        }
        let _ = writeln!(
            w,
            "\nThe changes, with the socket bytes of each measured update (a value repeated by the next updates shown once): {}.\n",
            self.rows
                .iter()
                .map(|r| {
                    let mut bytes: Vec<String> =
                        r.updates.iter().map(|u| u.socket.to_string()).collect();
                    bytes.dedup();
                    format!("*{}*: {} ({})", r.peer.scenario, r.what, bytes.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; ")
        );
        if let Some(s) = session {
            let total: usize = s.updates.iter().map(|u| u.socket).sum();
            let root: usize = s.updates.iter().map(|u| u.root_socket).sum();
            let above: Vec<String> = s
                .updates
                .iter()
                .filter(|u| u.socket > u.root_socket)
                .map(|u| format!("#{}", u.step))
                .collect();
            let _ = writeln!(
                w,
                "Interleaved session (`todo_session`, the table in \"Interleaved session\" \
                 below; every update from the first, warm-up included): **{total} bytes** on \
                 the socket for {} updates (mean {:.0}), against {root} bytes had each been a \
                 root replacement; above the root replacement: {}. Per update (#: bytes): {}.\n",
                s.updates.len(),
                mean(s.updates.iter().map(|u| u.socket)),
                if above.is_empty() {
                    "none".into()
                } else {
                    above.join(", ")
                },
                s.updates
                    .iter()
                    .map(|u| format!("{}: {}", u.step, u.socket))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }

    /// The targets of issue 13, and the root-replacement bound of
    /// DESIGN.md ("Wire").
    pub fn write_targets(&self, session: Option<&ScenarioResult>, w: &mut String) {
        let _ = writeln!(w, "## Targets ({SOURCE})\n");
        let _ = writeln!(
            w,
            "Socket bytes of each measured update (message + frame header) at or below the \
             smaller of the peers' whole frames, judged on the largest.\n"
        );
        let _ = writeln!(w, "| target | measured | result |");
        let _ = writeln!(w, "|---|---|---|");
        for r in &self.rows {
            let _ = writeln!(
                w,
                "| {} ≤ {} B ({}) | max {} B, mean {:.0} B | {} |",
                r.peer.change,
                r.peer.target(),
                match r.peer.liveview {
                    Some((_, f)) => format!("LiveView frame {f} B, Dioxus {} B", r.peer.dioxus),
                    None => format!("Dioxus {} B", r.peer.dioxus),
                },
                r.max(),
                r.mean(),
                pass(r.pass())
            );
        }
        let mut all: Vec<&Update> = self.rows.iter().flat_map(|r| &r.updates).collect();
        all.extend(session.iter().flat_map(|s| &s.updates));
        let above = all.iter().filter(|u| u.socket > u.root_socket).count();
        let _ = writeln!(
            w,
            "| never more than replacing the root (DESIGN.md, \"Wire\"): the updates above and the interleaved session's | {above} of {} updates above their root replacement | {} |",
            all.len(),
            pass(above == 0)
        );
        let _ = writeln!(w);
    }
}
