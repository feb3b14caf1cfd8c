#!/usr/bin/env bash
# Measures what a 200-line template (page200.html, 165 actions) adds to
# `cargo build` of a crate: the same struct compiled with a one-line inline
# template and with the 200-line file, three times each, after warming up.
# Usage: benches/compile_time/measure.sh [--release]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/templates"
cp "$here/page200.html" "$work/templates/big.html"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "ctime"
version = "0.1.0"
edition = "2021"
[dependencies]
livetemplate = { path = "$repo/livetemplate" }
[workspace]
TOML
cat > "$work/src/main.rs" <<'RS'
use livetemplate::{live_template, Template};
#[derive(Clone, PartialEq)]
pub struct Item { pub url: String, pub name: String, pub done: bool }
#[derive(Clone, PartialEq)]
pub struct User { pub name: String, pub email: String }
#[cfg_attr(big, live_template("templates/big.html"))]
#[cfg_attr(not(big), live_template(source = "<p>{{.title}}</p>"))]
#[derive(Clone, PartialEq)]
#[allow(dead_code)]
pub struct Page { pub title: String, pub site: String, pub color: String, pub body: String,
  pub items: Vec<Item>, pub price: f64, pub user: Option<User>, pub count: i64,
  pub flag0: bool, pub flag1: bool, pub flag2: bool }
fn main() {
    let p = Page { title: "t".into(), site: "s".into(), color: "red".into(), body: "b".into(),
        items: vec![], price: 1.0, user: None, count: 0, flag0: true, flag1: false, flag2: true };
    println!("{}", p.render().unwrap().len());
}
RS
cd "$work"
export CARGO_TARGET_DIR="$work/target"
build() { RUSTFLAGS="$1 --check-cfg=cfg(big)" cargo build -q ${2:-}; }
build "" "${1:-}"; build "--cfg big" "${1:-}"   # dependencies, both flag sets
for run in 1 2 3; do
  for cfg in small big; do
    flags=""; [ "$cfg" = big ] && flags="--cfg big"
    touch src/main.rs
    start=$(date +%s.%N); build "$flags" "${1:-}"; end=$(date +%s.%N)
    echo "$cfg run $run: $(echo "$end - $start" | bc) s"
  done
done
