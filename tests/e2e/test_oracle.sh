#!/usr/bin/env bash
# The job against an independent reference (oracle.py, written from the spec and decisions.md
# without reading src/). First the oracle itself is checked against the hand-written expectations
# (tests/expected); then random months (random_feeds.py, with the cases of oracle_mutate.py added)
# are run through the job at 1 and 3 ranks with small chunks, and every delivered data.csv must be
# byte-identical to the oracle's, with the same set of files.
# ORACLE_SEEDS and ORACLE_PERIODS (cadence:period ...) widen the comparison by hand.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SEEDS=${ORACLE_SEEDS:-"1 2 3 4"}
RANDOM_PERIODS=${ORACLE_PERIODS:-"monthly:2026-10 daily:2026-10-12 daily:2026-10-20 monthly:2026-11"}

# compare_trees ORACLE_OUT JOB_OUT WHAT: the same data.csv files, byte for byte.
compare_trees() {
  local want=$1 got=$2 what=$3
  local lw lg
  lw=$(cd "$want/deliveries" 2>/dev/null && find . -name data.csv | sort)
  lg=$(cd "$got/deliveries" 2>/dev/null && find . -name data.csv | sort)
  if [ "$lw" != "$lg" ]; then
    diff <(echo "$lw") <(echo "$lg") >&2 || true
    fail "$what: the job delivered other data.csv files than the oracle (< oracle, > job)"
  fi
  local f
  for f in $lw; do
    if ! cmp -s "$want/deliveries/$f" "$got/deliveries/$f"; then
      first_difference "$want/deliveries/$f" "$got/deliveries/$f" >&2
      fail "$what: deliveries/${f#./} differs between the oracle and the job"
    fi
  done
}

# 1. The oracle reproduces every hand-written expectation (this validates the oracle, not the job).
for dir in "$EXPECTED"/*/; do
  name=$(basename "$dir")
  cadence=${name%%-*}
  period=${name#*-}
  out=$WORK/oracle-sample/$name
  "$BA_PYTHON" "$HERE/oracle.py" "$FEEDS" "$out" "$cadence" "$period" || fail "oracle.py failed on the sample, $name"
  compare_with_expected "$out" "$cadence" "$period"
done
echo "oracle matches tests/expected ($(ls "$EXPECTED" | wc -l) periods)"

# 2. Random months: the job and the oracle deliver the same bytes.
for seed in $SEEDS; do
  feeds=$WORK/feeds-$seed
  "$BA_PYTHON" "$HERE/random_feeds.py" "$feeds" "$seed"
  "$BA_PYTHON" "$HERE/oracle_mutate.py" "$feeds" "$seed"
  for cp in $RANDOM_PERIODS; do
    cadence=${cp%%:*}
    period=${cp#*:}
    want=$WORK/oracle-$seed-$cadence-$period
    "$BA_PYTHON" "$HERE/oracle.py" "$feeds" "$want" "$cadence" "$period" || fail "oracle.py failed, seed $seed $cp"
    for ranks in 1 3; do
      got=$WORK/job-$seed-$ranks
      rm -rf "$got"
      FEEDS=$feeds run_job $ranks "$got" "$cadence" "$period" --chunk-size 1K --allow-open-period ||
        fail "the job failed on seed $seed, $cadence $period, $ranks ranks (feeds kept with KEEP_WORK=1)"
      compare_trees "$want" "$got" "seed $seed, $cadence $period, $ranks ranks"
    done
  done
  echo "seed $seed: job = oracle ($RANDOM_PERIODS; 1 and 3 ranks)"
done
echo "1 passed, 0 failed"
