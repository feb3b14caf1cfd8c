#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, unit, integration,
# compile-fail (trybuild), property, Go-parity and doc tests.
# Usage: ./test.sh        (CI runs exactly this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")"

# Property tests run this many cases per property (more in CI).
export PROPTEST_CASES="${PROPTEST_CASES:-$([ "${CI:-}" = true ] && echo 1000 || echo 256)}"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test (PROPTEST_CASES=$PROPTEST_CASES)"
cargo test --workspace --all-targets 2>&1 | tee -a "$log"
echo "== doc tests"
cargo test --workspace --doc 2>&1 | tee -a "$log"

# One closing line for the whole run.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "rust tests: %d passed, %d failed\n", p, f; exit (f > 0) }' "$log"
