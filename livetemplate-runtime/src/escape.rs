//! Contextual escapers, after Go's `html/template`.
