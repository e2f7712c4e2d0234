# Shared by the end-to-end tests: sourced with $1 = the job executable, $2 = the project root.
set -euo pipefail
BIN=$1
ROOT=$2
FEEDS=$ROOT/data-samples/feeds
EXPECTED=$ROOT/tests/expected
MPIEXEC=${MPIEXEC:-mpiexec}
source "$ROOT/scripts/env.sh"
WORK=$(mktemp -d /tmp/ba-e2e.XXXXXX)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

# run_job RANKS OUT CADENCE PERIOD [extra options...]
run_job() {
  local ranks=$1 out=$2 cadence=$3 period=$4
  shift 4
  "$MPIEXEC" -n "$ranks" --oversubscribe "$BIN" --feeds "$FEEDS" --out "$out" --cadence "$cadence" \
    --period "$period" --quiet --max-reject-fraction "${REJECT_LIMIT:-0.05}" "$@" > "$WORK/last-run.log" 2>&1 || {
    local rc=$?
    cat "$WORK/last-run.log" >&2
    return $rc
  }
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# stalled_pid LOG LAUNCHER WHAT: the pid of the rank stalled by --inject-failure stall:PHASE@RANK,
# read from its line in LOG. Waits up to 30 s (the ctests run two at a time on two cores); if it
# never comes, kills LAUNCHER, shows LOG and fails naming WHAT.
stalled_pid() {
  local log=$1 launcher=$2 what=$3 pid=""
  for _ in $(seq 1 300); do
    pid=$(sed -n 's/.*stalls in phase .* (pid \([0-9]*\)).*/\1/p' "$log" | head -n 1)
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || { kill -9 "$launcher" 2>/dev/null; cat "$log" >&2; fail "$what never reached its stall"; }
  echo "$pid"
}

# The days of October 2026 that have hand-written daily expectations.
expected_days() {
  ls "$EXPECTED" | sed -n 's/^daily-\(2026-10-[0-9][0-9]\)$/\1/p'
}

# compare_with_expected OUT CADENCE PERIOD: every expected file equals the delivered one, and no
# seller folder is delivered that the expectation does not list.
compare_with_expected() {
  local out=$1 cadence=$2 period=$3
  local exp=$EXPECTED/$cadence-$period
  local year=${period:0:4} month=${period:5:2} day=${period:8:2}
  local sub="year=$year/month=$month"
  [ "$cadence" = daily ] && sub="$sub/day=$day"
  for seller_dir in "$exp"/*/; do
    local seller
    seller=$(basename "$seller_dir")
    for table in sales_compensation disbursements usage buyers; do
      local got=$out/deliveries/$seller/${table}_v1/$sub/data.csv
      [ -f "$got" ] || fail "$cadence $period: seller $seller has no $table delivery ($got)"
      diff -u "$exp/$seller/$table.csv" "$got" >&2 || fail "$cadence $period: seller $seller $table differs from the hand-written expectation"
    done
  done
  for delivered in "$out"/deliveries/*/; do
    local seller
    seller=$(basename "$delivered")
    [ -d "$exp/$seller" ] || [ ! -e "$delivered/sales_compensation_v1/$sub/data.csv" ] ||
      fail "$cadence $period: seller folder $seller was delivered but is not expected (not enrolled?)"
  done
}

# first_difference ORACLE JOB: names the first differing line of two files (the oracle tests).
first_difference() {
  "$BA_PYTHON" - "$1" "$2" <<'EOF'
import sys
a = open(sys.argv[1], "rb").read().split(b"\n")
b = open(sys.argv[2], "rb").read().split(b"\n")
for i in range(max(len(a), len(b))):
    x = a[i] if i < len(a) else b"<end of file>"
    y = b[i] if i < len(b) else b"<end of file>"
    if x != y:
        print(f"first difference at line {i + 1}:\n  oracle: {x!r}\n  job:    {y!r}")
        break
EOF
}

# refused_store STORE WHAT PATTERN PYTHON: a copy of STORE changed by PYTHON (run with the copy's
# path as argument) is bad input to a re-export: exit 3, the log says PATTERN, nothing published.
refused_store() {
  local store=$1 what=$2 pattern=$3 change=$4 rc=0
  cp "$store" "$WORK/t.h5"
  "$BA_PYTHON" -c "$change" "$WORK/t.h5" || fail "could not change the store copy ($what)"
  "$MPIEXEC" -n 2 --oversubscribe "$BIN" --quiet --stage export --store "$WORK/t.h5" --out "$WORK/t-out" > "$WORK/t.log" 2>&1 || rc=$?
  [ "$rc" -eq 3 ] && grep -q "$pattern" "$WORK/t.log" || { cat "$WORK/t.log" >&2; fail "re-export of a store with $what: exit $rc"; }
  [ -z "$(ls -A "$WORK/t-out/deliveries" 2>/dev/null)" ] || fail "re-export of a store with $what published deliveries"
}
