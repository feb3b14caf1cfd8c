//! Event types: the actions a template's `lt-*` attributes may name.
//!
//! `#[derive(LiveEvent)]` (from the `livetemplate` crate) implements
//! [`LiveEvent`] on the enum the client's `{action, values}` messages decode
//! into; `#[live_template(…, events = E)]` then checks, while `cargo build`
//! evaluates constants, that every static `lt-click`, `lt-submit`,
//! `lt-change` and `lt-input` action of the template is one of
//! `E::ACTIONS`. The functions here are what that generated check calls.

/// An event type of live pages: one action per variant.
///
/// The action names are the ones the type accepts from the client, as they
/// appear in `lt-*` attributes (`lt-click="toggle"`). Derive it with
/// `#[derive(livetemplate::LiveEvent)]`, which names each variant as serde
/// does (`rename`, `rename_all`, `alias`, `skip`), and name the type in the
/// view's `#[live_template(…, events = E)]` to have every static action of
/// the template checked at build time.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event type: it does not implement `LiveEvent`",
    label = "named by `events = …` in `#[live_template]`",
    note = "derive it on the enum of the page's events: `#[derive(livetemplate::LiveEvent)]`"
)]
pub trait LiveEvent {
    /// The action names the type accepts, as they appear in `lt-*`
    /// attributes (`lt-click="toggle"`): each variant's name as serde
    /// decodes it, then its aliases, in declaration order.
    const ACTIONS: &'static [&'static str];
}

/// Whether `name` is one of `actions` (byte for byte). A `const fn`, so
/// that the check `#[live_template]` generates runs during the build.
pub const fn has_action(actions: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < actions.len() {
        if bytes_eq(actions[i].as_bytes(), name.as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn bytes_eq_ignore_ascii_case(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !a[i].eq_ignore_ascii_case(&b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// Longest name (in bytes) [`closest`] compares.
const MAX_SUGGEST: usize = 64;

const fn min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

/// Edit distance by bytes, counting a swap of two neighbours as one edit
/// (optimal string alignment, as the macro's "did you mean" for fields).
/// Both must be at most [`MAX_SUGGEST`] bytes.
const fn distance(a: &[u8], b: &[u8]) -> usize {
    let mut prev2 = [0usize; MAX_SUGGEST + 1];
    let mut prev = [0usize; MAX_SUGGEST + 1];
    let mut cur = [0usize; MAX_SUGGEST + 1];
    let mut j = 0;
    while j <= b.len() {
        prev[j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= a.len() {
        cur[0] = i;
        let mut j = 1;
        while j <= b.len() {
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            let mut v = min(min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = min(v, prev2[j - 2] + 1);
            }
            cur[j] = v;
            j += 1;
        }
        prev2 = prev;
        prev = cur;
        i += 1;
    }
    prev[b.len()]
}

/// The action closest to `name`, if close enough to be a likely typo: at
/// most a third of its length away (at least 1), or equal ignoring ASCII
/// case. Ties go to the first.
const fn closest<'a>(actions: &[&'a str], name: &str) -> Option<&'a str> {
    let n = name.as_bytes();
    if n.len() > MAX_SUGGEST {
        return None;
    }
    let mut chars = 0;
    let mut k = 0;
    while k < n.len() {
        if n[k] & 0xC0 != 0x80 {
            chars += 1;
        }
        k += 1;
    }
    let limit = if chars / 3 > 1 { chars / 3 } else { 1 };
    let mut best: Option<&'a str> = None;
    let mut best_d = usize::MAX;
    let mut i = 0;
    while i < actions.len() {
        let a = actions[i].as_bytes();
        if a.len() <= MAX_SUGGEST {
            let d = if bytes_eq_ignore_ascii_case(a, n) {
                0
            } else {
                distance(n, a)
            };
            if d <= limit && d < best_d {
                best = Some(actions[i]);
                best_d = d;
            }
        }
        i += 1;
    }
    best
}

/// The text of a build error, built during constant evaluation: at most
/// `N` bytes are kept, [`len`](Message::len) counts them all (build it
/// once with `N = 0` for the length). Used by generated code only.
#[doc(hidden)]
pub struct Message<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Message<N> {
    const fn new() -> Self {
        Message {
            bytes: [0; N],
            len: 0,
        }
    }

    const fn push(mut self, s: &str) -> Self {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if self.len < N {
                self.bytes[self.len] = b[i];
            }
            self.len += 1;
            i += 1;
        }
        self
    }

    /// Bytes of the whole message (also those beyond `N`).
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the message is empty.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The message (its first `N` bytes, if it is longer).
    pub const fn as_str(&self) -> &str {
        let (kept, _) = self.bytes.split_at(min(self.len, N));
        match core::str::from_utf8(kept) {
            Ok(s) => s,
            Err(_) => "",
        }
    }
}

/// The error for an action `name` that `ty` (whose actions are
/// `actions`) does not have: `head` (the located first line and the
/// template line with a caret, built by the macro), then a note listing
/// the actions and, when one is close, a "did you mean". `pad` is the
/// gutter of `head`'s snippet. Used by generated code only.
#[doc(hidden)]
pub const fn unknown_action<const N: usize>(
    head: &str,
    pad: &str,
    ty: &str,
    actions: &[&str],
    name: &str,
) -> Message<N> {
    let mut m = Message::<N>::new().push(head).push("\n").push(pad);
    if actions.is_empty() {
        m = m.push(" = note: `").push(ty).push("` has no actions");
    } else {
        m = m.push(" = note: the actions of `").push(ty).push("`: ");
        let mut i = 0;
        while i < actions.len() {
            if i > 0 {
                m = m.push(", ");
            }
            m = m.push(actions[i]);
            i += 1;
        }
    }
    if let Some(s) = closest(actions, name) {
        m = m
            .push("\n")
            .push(pad)
            .push(" = help: did you mean `")
            .push(s)
            .push("`?");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: &[&str] = &[
        "add",
        "toggle",
        "edit",
        "remove",
        "clear_completed",
        "filter",
    ];

    #[test]
    fn has_action_is_exact() {
        assert!(has_action(ACTIONS, "toggle"));
        assert!(has_action(ACTIONS, "clear_completed"));
        assert!(!has_action(ACTIONS, "Toggle"));
        assert!(!has_action(ACTIONS, "toggl"));
        assert!(!has_action(ACTIONS, ""));
        assert!(!has_action(&[], "add"));
        // Evaluated in a constant, as the generated check is.
        const { assert!(has_action(ACTIONS, "edit") && !has_action(ACTIONS, "edits")) };
    }

    #[test]
    fn closest_suggests_typos_only() {
        assert_eq!(closest(ACTIONS, "tgl"), None);
        assert_eq!(closest(ACTIONS, "togle"), Some("toggle"));
        assert_eq!(closest(ACTIONS, "toggel"), Some("toggle"));
        assert_eq!(closest(ACTIONS, "TOGGLE"), Some("toggle"));
        assert_eq!(closest(ACTIONS, "ad"), Some("add"));
        assert_eq!(closest(ACTIONS, "clear_complete"), Some("clear_completed"));
        assert_eq!(closest(ACTIONS, "zzzzzz"), None);
        assert_eq!(closest(&[], "add"), None);
        let long = "x".repeat(MAX_SUGGEST + 1);
        assert_eq!(closest(&[long.as_str()], &long), None);
    }

    fn message(head: &str, actions: &[&str], name: &str) -> String {
        let len = unknown_action::<0>(head, "  ", "E", actions, name).len();
        let m = unknown_action::<256>(head, "  ", "E", actions, name);
        assert_eq!(m.len(), len);
        m.as_str().to_string()
    }

    #[test]
    fn message_lists_actions_and_suggests() {
        assert_eq!(
            message("t.html:1:2: x", &["add", "toggle"], "togle"),
            "t.html:1:2: x\n   = note: the actions of `E`: add, toggle\n   = help: did you mean `toggle`?"
        );
        assert_eq!(
            message("h", &["add"], "zzz"),
            "h\n   = note: the actions of `E`: add"
        );
        assert_eq!(message("h", &[], "a"), "h\n   = note: `E` has no actions");
    }

    #[test]
    fn message_is_built_in_a_constant() {
        const HEAD: &str = "t.html:3:9: lt-click=\"tgl\": é";
        const LEN: usize = unknown_action::<0>(HEAD, " ", "E", ACTIONS, "tgl").len();
        const MSG: Message<LEN> = unknown_action::<LEN>(HEAD, " ", "E", ACTIONS, "tgl");
        assert_eq!(
            MSG.as_str(),
            "t.html:3:9: lt-click=\"tgl\": é\n  = note: the actions of `E`: add, toggle, edit, remove, clear_completed, filter"
        );
        // Too small a buffer keeps a prefix, never invalid UTF-8.
        assert_eq!(
            unknown_action::<4>(HEAD, " ", "E", ACTIONS, "x").as_str(),
            "t.ht"
        );
        assert_eq!(
            unknown_action::<0>(HEAD, " ", "E", ACTIONS, "x").as_str(),
            ""
        );
    }
}
