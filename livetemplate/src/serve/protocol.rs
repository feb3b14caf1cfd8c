//! The wire protocol between the browser client and [`LiveServer`](super::LiveServer),
//! typed on both sides. Version 1; every message is a JSON object with
//! `"v": 1` and a `"type"`.
//!
//! | direction | type | fields | when |
//! |---|---|---|---|
//! | client → server | `join` | `version` (updates the client applied) | first message of every connection |
//! | client → server | `event` | `action`, `values` (object), `ref` (optional number) | an `lt-*` attribute fired |
//! | server → client | `joined` | `version` | the client is up to date: it keeps its page |
//! | server → client | `render` | `html`, `version` | the client was behind (a reconnect that missed updates): its new first render |
//! | server → client | `update` | `fragments`, `version` | after a change |
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
pub const PROTOCOL_VERSION: u16 = 1;

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
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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
        v: u16,
        fragments: &'a [Fragment],
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
            serde_json::from_str(r#"{"v":1,"type":"join","version":3}"#).unwrap();
        assert_eq!(join, ClientMessage::Join { v: 1, version: 3 });
        let ev: ClientMessage = serde_json::from_str(
            r#"{"v":1,"type":"event","action":"add","values":{"text":"x"},"ref":7}"#,
        )
        .unwrap();
        assert_eq!(ev.version(), 1);
        assert!(matches!(
            ev,
            ClientMessage::Event {
                reference: Some(7),
                ..
            }
        ));
        for bad in [
            r#"{"type":"join"}"#,
            r#"{"v":1,"type":"nope"}"#,
            r#"{"v":1,"type":"event"}"#,
            r#"{"v":1,"type":"join","extra":1}"#,
            r#"[1,2]"#,
            "not json",
        ] {
            assert!(serde_json::from_str::<ClientMessage>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn server_messages_encode() {
        let m = ServerMessage::Error {
            v: 1,
            code: ErrorCode::UnknownAction,
            message: "unknown action \"x\"",
            reference: None,
        };
        assert_eq!(
            m.to_json(),
            r#"{"type":"error","v":1,"code":"unknown_action","message":"unknown action \"x\""}"#
        );
        let m = ServerMessage::Update {
            v: 1,
            fragments: &[],
            version: 2,
        };
        assert_eq!(
            m.to_json(),
            r#"{"type":"update","v":1,"fragments":[],"version":2}"#
        );
    }
}
