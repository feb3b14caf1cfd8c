#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, unit, integration,
# compile-fail (trybuild), property, Go-parity and doc tests, the API docs
# (warnings denied), the publishable crates built from their packages
# (`cargo package`, offline), then the JS client's unit tests and its
# browser tests in Chromium (smoke, page-script hooks, the reconstruction
# invariant on the fixtures the Rust tests wrote, the todos and board
# examples end to end, the board as two instances on one Redis).
# Usage: ./test.sh        (CI runs exactly this through .ci/run)
# Installs what the tests need when it is missing: Debian's redis-server and
# chromium (apt-get, as root) and client/node_modules (npm ci). Starts its
# own redis-server on a free loopback port for the scale-out tests
# ($LT_REDIS_URL) and stops it at the end, by its pid.
set -euo pipefail
cd "$(dirname "$0")"

# Property tests run this many cases per property (more in CI).
export PROPTEST_CASES="${PROPTEST_CASES:-$([ "${CI:-}" = true ] && echo 1000 || echo 256)}"
# Random state sequences per template in the browser fixtures (tests/browser_fixtures.rs).
export LT_BROWSER_SEQUENCES="${LT_BROWSER_SEQUENCES:-$([ "${CI:-}" = true ] && echo 100 || echo 40)}"
export LT_FIXTURES_DIR="${LT_FIXTURES_DIR:-$PWD/target/browser-fixtures}"
todos_bin="" # the examples' binaries, known once they are built
board_bin=""
redis_exe=""
redis_pid=""
redis_dir=""

log="$(mktemp)"
node_log="$(mktemp)"
# Servers the browser tests start write their pid here; whatever is still
# running at the end is killed (by pid, and only if it is that binary).
LT_TEST_PIDS="$(mktemp)"
export LT_TEST_PIDS
cleanup() {
  [ -z "$redis_pid" ] || echo "$redis_pid" >>"$LT_TEST_PIDS"
  while read -r pid; do
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
    if [ -n "$pid" ] && [ -n "$exe" ] && { [ "$exe" = "$todos_bin" ] || [ "$exe" = "$board_bin" ] || [ "$exe" = "$redis_exe" ]; }; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done <"$LT_TEST_PIDS"
  rm -f "$log" "$node_log" "$LT_TEST_PIDS"
  [ -z "$redis_dir" ] || rm -rf "$redis_dir"
}
trap cleanup EXIT

# apt-get update once, then install the Debian packages given.
apt_updated=0
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ "$apt_updated" -eq 0 ]; then
    $sudo apt-get update
    apt_updated=1
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

echo "== redis-server (for the scale-out tests)"
if ! command -v redis-server >/dev/null; then
  echo "installing Debian's redis-server (it is missing)"
  apt_install redis-server
fi
redis_bin="$(command -v redis-server)"
# (Debian's redis-server is a link to a multi-call binary: run it by this
# name; /proc/PID/exe shows the binary itself.)
redis_exe="$(readlink -f "$redis_bin")"
export LT_REDIS_SERVER="$redis_bin"
"$redis_bin" --version
# A free loopback port: nothing answers on it.
for _ in $(seq 1 50); do
  redis_port=$((20000 + RANDOM % 20000))
  (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null || break
done
redis_dir="$(mktemp -d)"
"$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" >"$redis_dir/log" 2>&1 &
redis_pid=$!
disown "$redis_pid" # killed by pid at the end, without a "Killed" line
for i in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$redis_port" && printf 'PING\r\n' >&3 && read -r -t 1 pong <&3 && [ "${pong%$'\r'}" = "+PONG" ]) 2>/dev/null; then
    break
  fi
  [ "$i" -lt 100 ] || { echo "redis-server did not start:"; cat "$redis_dir/log"; exit 1; }
  sleep 0.1
done
export LT_REDIS_URL="redis://127.0.0.1:$redis_port"
echo "redis-server pid $redis_pid on $LT_REDIS_URL"

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test (PROPTEST_CASES=$PROPTEST_CASES, LT_BROWSER_SEQUENCES=$LT_BROWSER_SEQUENCES)"
# the browser fixtures of this run only (browser_fixtures writes them)
rm -f "$LT_FIXTURES_DIR"/*.json
cargo test --workspace --all-targets 2>&1 | tee -a "$log"
echo "== doc tests"
cargo test --workspace --doc 2>&1 | tee -a "$log"
echo "== cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --quiet
echo "== cargo package (each publishable crate builds from its package; livetemplate-suite is publish = false)"
# Offline: the tests above fetched every dependency. --allow-dirty: package
# the tree under test, committed or not.
cargo package --workspace --exclude livetemplate-suite --all-features --offline --allow-dirty --quiet
echo "== cargo build --example todos --example board (for the end-to-end browser tests)"
cargo build --example todos --example board
todos_bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd -P)/debug/examples/todos"
board_bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd -P)/debug/examples/board"

echo "== browser test setup"
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium (/usr/bin/chromium is missing)"
  apt_install chromium
fi
/usr/bin/chromium --version 2>/dev/null
command -v node >/dev/null || { echo "node is missing (Node.js 20 or later)"; exit 1; }
node --version
(
  cd client
  # npm ci when node_modules is missing or was installed from another package-lock.json
  lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -d node_modules ] || [ "$(cat node_modules/.lt-package-lock.sha256 2>/dev/null)" != "$lock" ]; then
    npm ci --no-audit --no-fund
    echo "$lock" >node_modules/.lt-package-lock.sha256
  fi
)

# Readable output on the terminal, TAP in the log for the counts.
node_test() {
  node --test --test-timeout=900000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$node_log.tap" "$@" 2>&1 || node_failed=1
  cat "$node_log.tap" >>"$node_log"
  rm -f "$node_log.tap"
}
node_failed=0
echo "== node --test client/test/ (JS client unit tests)"
node_test client/test/
echo "== node --test client/test-browser/ (Chromium: smoke, hooks, invariant, todos and board e2e, board on two instances)"
LT_TODOS_BIN="$todos_bin" LT_BOARD_BIN="$board_bin" node_test client/test-browser/

# One closing line for the whole run.
read -r rust_pass rust_fail < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { print p + 0, f + 0 }' "$log")
# `# fail` and `# cancelled` (timeouts, failed hooks) count as failures
read -r node_pass node_fail < <(awk '/^# pass / { p += $3 } /^# (fail|cancelled) / { f += $3 } END { print p + 0, f + 0 }' "$node_log")
# a node run that failed without a failing test (a crash) still fails
[ "$node_failed" -eq 0 ] || [ "$node_fail" -gt 0 ] || node_fail=1
echo "rust tests: $rust_pass passed, $rust_fail failed"
echo "node tests: $node_pass passed, $node_fail failed"
echo "total: $((rust_pass + node_pass)) passed, $((rust_fail + node_fail)) failed"
[ "$((rust_fail + node_fail))" -eq 0 ]
