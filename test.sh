#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, unit, integration,
# compile-fail (trybuild), property and doc tests.
# Usage: ./test.sh        (CI runs exactly this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")"

# Property tests run this many cases per property (more in CI).
export PROPTEST_CASES="${PROPTEST_CASES:-$([ "${CI:-}" = true ] && echo 1000 || echo 256)}"

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --workspace --all-targets
echo "== doc tests"
cargo test --workspace --doc
