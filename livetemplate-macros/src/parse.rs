//! Template parser: pest grammar for actions, hand-written block structure.
