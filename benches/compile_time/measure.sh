#!/usr/bin/env bash
# Compile time of a 200-line page (page200.html, 165 actions) with
# livetemplate against askama compiling the same page (page200.askama.html:
# the same markup and data in askama 0.16 syntax), in one run.
#
# What is measured, for each engine in a throwaway crate of its own (one
# workspace, one target dir, the repo's Cargo.lock):
# - the wall time of `cargo build` after editing ONE character of the
#   template file (`lang="en"` becomes `lang="eX"`, X a new letter each
#   time), the rebuild a user waits for while editing a page. The built
#   binary is run after each build and must print the new letter: the
#   derive really re-ran (both macros `include_bytes!` their template).
#   Runs are interleaved (livetemplate, askama, livetemplate, …) so a busy
#   machine slows both alike; debug always, release too with `--release`.
#   One untimed warm-up edit per engine and profile comes first.
# - the bytes of Rust the macro expands to: `-Zunpretty=expanded` of the
#   crate (RUSTC_BOOTSTRAP=1) minus that of the same crate without the
#   attribute (`--cfg ctime_bare`), so only the macro's output counts.
#
# Prints every run, then medians and the livetemplate/askama ratio.
#
# Usage: benches/compile_time/measure.sh [--release] [--runs N]
# CTIME_WORK=dir keeps the throwaway workspace (and its warm target dir)
# in `dir` between invocations instead of a fresh temporary one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
release=0
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release=1 ;;
    --runs) runs="$2"; shift ;;
    *) echo "usage: $0 [--release] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "${CTIME_WORK:-}" ]; then
  work="$CTIME_WORK"; mkdir -p "$work"
else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
fi
export CARGO_TARGET_DIR="$work/target"
unset RUSTFLAGS

engines="lt askama"
mkdir -p "$work/lt/src" "$work/lt/templates" "$work/askama/src" "$work/askama/templates"
cp "$here/page200.html" "$work/lt/templates/page.html"
cp "$here/page200.askama.html" "$work/askama/templates/page.html"
[ -f "$work/Cargo.lock" ] || cp "$repo/Cargo.lock" "$work/Cargo.lock"
cat > "$work/Cargo.toml" <<'TOML'
[workspace]
members = ["lt", "askama"]
resolver = "2"
TOML
lints='[lints.rust]
unexpected_cfgs = { level = "warn", check-cfg = ["cfg(ctime_bare)"] }'
cat > "$work/lt/Cargo.toml" <<TOML
[package]
name = "ctime-lt"
version = "0.1.0"
edition = "2021"
[dependencies]
livetemplate = { path = "$repo/livetemplate" }
$lints
TOML
cat > "$work/askama/Cargo.toml" <<TOML
[package]
name = "ctime-askama"
version = "0.1.0"
edition = "2021"
[dependencies]
askama = { version = "0.16", default-features = false, features = ["derive", "std"] }
$lints
TOML
# The same view-model and data for both; `main` prints the page.
data='
#[derive(Clone, PartialEq)]
pub struct Item { pub url: String, pub name: String, pub done: bool }
#[derive(Clone, PartialEq)]
pub struct User { pub name: String, pub email: String }
PAGE_ATTR
#[derive(Clone, PartialEq)]
#[allow(dead_code)]
pub struct Page { pub title: String, pub site: String, pub color: String, pub body: String,
  pub items: Vec<Item>, pub price: f64, pub user: Option<User>, pub count: i64,
  pub flag0: bool, pub flag1: bool, pub flag2: bool }
#[cfg(not(ctime_bare))]
fn main() {
    let item = |i: usize| Item { url: format!("/i/{i}"), name: format!("item {i}"), done: i % 2 == 0 };
    let p = Page { title: "t".into(), site: "s".into(), color: "red".into(), body: "b".into(),
        items: (0..3).map(item).collect(), price: 1.5, count: 0, flag0: true, flag1: false, flag2: true,
        user: Some(User { name: "n".into(), email: "e@x".into() }) };
    println!("{}", p.render().unwrap());
}
#[cfg(ctime_bare)]
fn main() {}'
{ echo "#![cfg_attr(ctime_bare, allow(unused_imports))]"
  echo "use livetemplate::{live_template, Template};"
  echo "${data/PAGE_ATTR/#[cfg_attr(not(ctime_bare), live_template(\"templates/page.html\"))]}"
} > "$work/lt/src/main.rs"
{ echo "#![cfg_attr(ctime_bare, allow(unused_imports))]"
  echo "use askama::Template;"
  echo "${data/PAGE_ATTR/#[cfg_attr(not(ctime_bare), derive(Template), template(path = \"page.html\"))]}"
} > "$work/askama/src/main.rs"

cd "$work"
profiles="debug"; [ "$release" = 1 ] && profiles="debug release"
flag() { [ "$1" = release ] && echo --release || true; }
bin() { echo "$CARGO_TARGET_DIR/$1/ctime-$2"; }
letters=abcdfghijkmopqrstuvwxyz
edit_no=0
# Edits one character of engine $1's template, builds with profile $2,
# checks the binary prints the edit, and sets `secs` to the build's seconds
# (not run in a subshell: every edit must get a new letter).
edit_build() {
  local c=${letters:$((edit_no % ${#letters})):1}
  edit_no=$((edit_no + 1))
  sed -i "2s/.*/<html lang=\"e$c\">/" "$1/templates/page.html"
  local start end
  start=$(date +%s.%N)
  cargo build -q -p "ctime-$1" $(flag "$2")
  end=$(date +%s.%N)
  local out
  out=$("$(bin "$2" "$1")")
  if [[ "$out" != *"lang=\"e$c\""* ]]; then
    echo "error: $1 $2 did not re-run its macro after the template edit" >&2; exit 1
  fi
  secs=$(echo "$end - $start" | bc)
}
median() { sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.2f", m}'; }

for p in $profiles; do
  for e in $engines; do
    cargo build -q -p "ctime-$e" $(flag "$p")   # dependencies
    edit_build "$e" "$p"                         # warm-up edit
  done
done
declare -A times
for run in $(seq 1 "$runs"); do
  for p in $profiles; do
    for e in $engines; do
      edit_build "$e" "$p"
      times[$e.$p]="${times[$e.$p]:-} $secs"
      echo "run $run $p $e: $secs s"
    done
  done
done

# In a target dir of its own: RUSTC_BOOTSTRAP would make cargo rebuild the
# dependencies of the timed builds.
expanded() {
  RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$work/target-expand" \
    cargo rustc -q -p "ctime-$1" --profile check -- -Zunpretty=expanded $2 | wc -c
}
declare -A bytes
for e in $engines; do
  bytes[$e]=$(( $(expanded "$e" "") - $(expanded "$e" "--cfg ctime_bare") ))
done

echo
echo "one-character template edit, then cargo build (median of $runs):"
for p in $profiles; do
  lt=$(echo "${times[lt.$p]}" | tr ' ' '\n' | grep . | median)
  ak=$(echo "${times[askama.$p]}" | tr ' ' '\n' | grep . | median)
  printf '  %-7s livetemplate %6.2f s   askama %6.2f s   ratio %.2f\n' \
    "$p" "$lt" "$ak" "$(echo "$lt / $ak" | bc -l)"
done
echo "bytes the macro expands to (-Zunpretty=expanded, minus the crate without it):"
printf '  livetemplate %d   askama %d   ratio %.1f\n' "${bytes[lt]}" "${bytes[askama]}" \
  "$(echo "${bytes[lt]} / ${bytes[askama]}" | bc -l)"
