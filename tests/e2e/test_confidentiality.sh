#!/usr/bin/env bash
# Property test: on randomized multi-seller data (enrollment windows inside the period, buyers
# shared by sellers), no delivered row belongs to another seller or lies outside the period, and
# only sellers enrolled for the whole period get a folder. Several seeds, rank counts, cadences.
source "$(dirname "$0")/lib.sh"
for seed in 1 2 3; do
  feeds=$WORK/feeds-$seed
  "$BA_PYTHON" "$(dirname "$0")/random_feeds.py" "$feeds" "$seed"
  ranks=$(( seed + 1 ))
  FEEDS=$feeds run_job "$ranks" "$WORK/out-$seed" monthly 2026-10
  "$BA_PYTHON" "$(dirname "$0")/check_confidential.py" "$feeds" "$WORK/out-$seed" monthly 2026-10 ||
    fail "seed $seed monthly: a delivered row breaks confidentiality"
  for day in 2026-10-0$seed 2026-10-1$seed 2026-10-2$seed; do
    FEEDS=$feeds run_job "$ranks" "$WORK/out-$seed" daily "$day"
    "$BA_PYTHON" "$(dirname "$0")/check_confidential.py" "$feeds" "$WORK/out-$seed" daily "$day" ||
      fail "seed $seed daily $day: a delivered row breaks confidentiality"
  done
done
echo "1 passed, 0 failed"
