//! The wire protocol between the browser client and [`LiveServer`](super::LiveServer),
//! typed on both sides. Version 2; every message is a JSON object with
//! `"v": 2` and a `"type"`, except `update`, a JSON array (it is most of the
//! traffic, and the join settled the version).
//!
//! | direction | type | fields | when |
//! |---|---|---|---|
//! | client → server | `join` | `version` (updates the client applied) | first message of every connection |
//! | client → server | `event` | `action`, `values` (object), `ref` (optional number) | an `lt-*` attribute fired |
//! | server → client | `joined` | `version` | the client is up to date: it keeps its page |
//! | server → client | `render` | `html`, `version` | the client was behind (a reconnect that missed updates): its new first render |
//! | server → client | update | `[version, fragment, …]` | after a change (fragments in their wire form, see `Fragment`) |
//! | server → client | `error` | `code`, `message`, `ref` | an event was refused; the state is unchanged |
//! | server → client | `gone` | `reason` | the page no longer exists (expired, closed): load the page again |
//!
//! `version` counts the updates that sent fragments; a client that reports
//! the server's version holds exactly the page's current render, so a
//! reconnect after a drop that lost nothing costs one small message.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Fragment;

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u16 = 2;

/// A message from the client.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// The first message of a connection: the version of the page the
    /// client holds (0 for the first render).
    Join {
        v: u16,
        #[serde(default)]
        version: u64,
    },
    /// An event from an `lt-*` attribute.
    Event {
        v: u16,
        action: String,
        #[serde(default)]
        values: Value,
        /// Echoed in an `error` answering this event.
        #[serde(default, rename = "ref")]
        reference: Option<u64>,
    },
}

impl ClientMessage {
    /// The message's protocol version.
    pub fn version(&self) -> u16 {
        match self {
            ClientMessage::Join { v, .. } | ClientMessage::Event { v, .. } => *v,
        }
    }
}

/// A message to the client.
///
/// `update`, by far the most frequent, is a JSON array: the page version,
/// then the fragments in their wire form (`[7, ["0f3a…", 0, {"3": "42"}]]`,
/// see [`Fragment`]). The others are objects with `"v"` and `"type"`.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerMessage<'a> {
    Joined {
        v: u16,
        version: u64,
    },
    Render {
        v: u16,
        html: &'a str,
        version: u64,
    },
    Update {
        /// Not written: the join settled the protocol version.
        v: u16,
        fragments: &'a [Fragment],
        version: u64,
    },
    Error {
        v: u16,
        code: ErrorCode,
        message: &'a str,
        reference: Option<u64>,
    },
    Gone {
        v: u16,
        reason: &'a str,
    },
}

/// The object form of every message but `update`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Tagged<'a> {
    Joined {
        v: u16,
        version: u64,
    },
    Render {
        v: u16,
        html: &'a str,
        version: u64,
    },
    Error {
        v: u16,
        code: ErrorCode,
        message: &'a str,
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<u64>,
    },
    Gone {
        v: u16,
        reason: &'a str,
    },
}

impl Serialize for ServerMessage<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let tagged = match *self {
            ServerMessage::Update {
                fragments, version, ..
            } => {
                let mut a = s.serialize_seq(Some(fragments.len() + 1))?;
                a.serialize_element(&version)?;
                for f in fragments {
                    a.serialize_element(f)?;
                }
                return a.end();
            }
            ServerMessage::Joined { v, version } => Tagged::Joined { v, version },
            ServerMessage::Render { v, html, version } => Tagged::Render { v, html, version },
            ServerMessage::Error {
                v,
                code,
                message,
                reference,
            } => Tagged::Error {
                v,
                code,
                message,
                reference,
            },
            ServerMessage::Gone { v, reason } => Tagged::Gone { v, reason },
        };
        tagged.serialize(s)
    }
}

impl ServerMessage<'_> {
    /// The message as JSON text.
    pub fn to_json(&self) -> String {
        // Serialising these types cannot fail (string keys, no maps of
        // non-string keys, no floats).
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why an event (or message) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, or not a message of this protocol.
    Malformed,
    /// A `v` other than [`PROTOCOL_VERSION`].
    UnsupportedVersion,
    /// The event type has no such action.
    UnknownAction,
    /// The action exists but its values do not decode.
    BadValues,
    /// More events per second than the connection may send.
    RateLimited,
    /// The update failed (the template could not render the new state).
    UpdateFailed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_decode_strictly() {
        let join: ClientMessage =
            serde_json::from_str(r#"{"v":2,"type":"join","version":3}"#).unwrap();
        assert_eq!(join, ClientMessage::Join { v: 2, version: 3 });
        let ev: ClientMessage = serde_json::from_str(
            r#"{"v":2,"type":"event","action":"add","values":{"text":"x"},"ref":7}"#,
        )
        .unwrap();
        assert_eq!(ev.version(), 2);
        assert!(matches!(
            ev,
            ClientMessage::Event {
                reference: Some(7),
                ..
            }
        ));
        for bad in [
            r#"{"type":"join"}"#,
            r#"{"v":2,"type":"nope"}"#,
            r#"{"v":2,"type":"event"}"#,
            r#"{"v":2,"type":"join","extra":1}"#,
            r#"[1,2]"#,
            "not json",
        ] {
            assert!(serde_json::from_str::<ClientMessage>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn server_messages_encode() {
        let m = ServerMessage::Error {
            v: 2,
            code: ErrorCode::UnknownAction,
            message: "unknown action \"x\"",
            reference: None,
        };
        assert_eq!(
            m.to_json(),
            r#"{"type":"error","v":2,"code":"unknown_action","message":"unknown action \"x\""}"#
        );
        let m = ServerMessage::Update {
            v: 2,
            fragments: &[],
            version: 2,
        };
        assert_eq!(m.to_json(), "[2]");
        let frags = [Fragment::replacement("f-ab", "<b>x</b>")];
        let m = ServerMessage::Update {
            v: 2,
            fragments: &frags,
            version: 9,
        };
        assert_eq!(m.to_json(), r#"[9,["ab",6,"<b>x</b>"]]"#);
        let m = ServerMessage::Joined { v: 2, version: 4 };
        assert_eq!(m.to_json(), r#"{"type":"joined","v":2,"version":4}"#);
    }
}
