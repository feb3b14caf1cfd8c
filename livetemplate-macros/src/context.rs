//! HTML escaping contexts, decided at build time (a port of the state machine of Go's `html/template`).
