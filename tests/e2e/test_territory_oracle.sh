#!/usr/bin/env bash
# The representative tables (rep_attribution, rep_statements) against an independent reference,
# oracle_territories.py, written from issue 9 and docs/territories.md without reading src/.
# Random months (random_feeds.py + oracle_mutate.py) get varied buyer addresses, odd micro amounts
# and random rules (territory_feeds.py); the job runs at 1 and 3 ranks and every rep_* data.csv
# must equal the oracle's byte for byte, with the same set of files. The oracle reads the job's
# delivered buyers table (checked against oracle.py here too, and by test_oracle.sh).
# Then: a header error withholds every ruled seller's representative tables; and a self-check
# that the comparison does catch a changed cell.
# TERR_SEEDS and TERR_PERIODS (cadence:period ...) widen the comparison by hand.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SEEDS=${TERR_SEEDS:-"1 2 3 4 5"}
PERIODS=${TERR_PERIODS:-"monthly:2026-10 daily:2026-10-06 daily:2026-10-20"}

# compare_reps ORACLE_OUT JOB_OUT WHAT: the same rep_* data.csv files, byte for byte. Returns 1
# (after saying why) rather than exiting, so that the self-check can expect a failure.
compare_reps() {
  local want=$1 got=$2 what=$3 lw lg f
  lw=$(cd "$want/deliveries" 2>/dev/null && find . -path '*/rep_*_v1/*' -name data.csv | sort)
  lg=$(cd "$got/deliveries" 2>/dev/null && find . -path '*/rep_*_v1/*' -name data.csv | sort)
  if [ "$lw" != "$lg" ]; then
    diff <(echo "$lw") <(echo "$lg") >&2 || true
    echo "$what: the job delivered other representative tables than the oracle (< oracle, > job)" >&2
    return 1
  fi
  for f in $lw; do
    if ! cmp -s "$want/deliveries/$f" "$got/deliveries/$f"; then
      first_difference "$want/deliveries/$f" "$got/deliveries/$f" >&2
      echo "$what: deliveries/${f#./} differs between the oracle and the job" >&2
      return 1
    fi
  done
}

# same_buyers ORACLE_PY_OUT JOB_OUT WHAT: the buyers tables the territory oracle reads are right.
same_buyers() {
  local want=$1 got=$2 what=$3 f
  for f in $(cd "$want/deliveries" && find . -path '*/buyers_v1/*' -name data.csv | sort); do
    cmp -s "$want/deliveries/$f" "$got/deliveries/$f" || {
      first_difference "$want/deliveries/$f" "$got/deliveries/$f" >&2
      fail "$what: the job's buyers table ${f#./} differs from oracle.py's (the territory oracle's input)"
    }
  done
}

compared=0
for seed in $SEEDS; do
  feeds=$WORK/feeds-$seed
  "$BA_PYTHON" "$HERE/random_feeds.py" "$feeds" "$seed"
  "$BA_PYTHON" "$HERE/oracle_mutate.py" "$feeds" "$seed"
  "$BA_PYTHON" "$HERE/territory_feeds.py" "$feeds" "$seed" 2>/dev/null
  for cp in $PERIODS; do
    cadence=${cp%%:*}
    period=${cp#*:}
    base=$WORK/base-$seed-$cadence-$period
    "$BA_PYTHON" "$HERE/oracle.py" "$feeds" "$base" "$cadence" "$period" || fail "oracle.py failed, seed $seed $cp"
    for ranks in 1 3; do
      got=$WORK/job-$seed-$cadence-$period-$ranks
      want=$WORK/want-$seed-$cadence-$period-$ranks
      FEEDS=$feeds run_job $ranks "$got" "$cadence" "$period" --chunk-size 1K ||
        fail "the job failed on seed $seed, $cp, $ranks ranks (feeds kept with KEEP_WORK=1)"
      same_buyers "$base" "$got" "seed $seed, $cp, $ranks ranks"
      "$BA_PYTHON" "$HERE/oracle_territories.py" "$feeds" "$cadence" "$period" "$got/deliveries" "$want" 2>/dev/null ||
        fail "oracle_territories.py failed, seed $seed $cp"
      compare_reps "$want" "$got" "seed $seed, $cp, $ranks ranks" || fail "seed $seed, $cp, $ranks ranks (KEEP_WORK=1 keeps it)"
      [ ! -d "$want/deliveries" ] || compared=$((compared + $(cd "$want/deliveries" && find . -name data.csv | wc -l)))
    done
  done
  echo "seed $seed: job = oracle ($PERIODS; 1 and 3 ranks)"
done
[ "$compared" -gt 20 ] || fail "only $compared representative tables compared: the random rules reach too few sellers"

# The corners random rules seldom reach (territory_edge.py: one seller per case): inclusive and
# one-day ranges, remainder ties by raw rep_id, 128-bit products, ASCII-only case folding,
# specificity, percentages, formula cells, a seller without buyers, documented rule errors; then
# the same file with optional columns left out, and with two header errors.
for header in full minimal dup missing; do
  feeds=$WORK/edge-$header
  "$BA_PYTHON" "$HERE/territory_edge.py" "$feeds" "$header"
  ranks_list="1 3"
  [ "$header" = full ] || ranks_list=2
  for ranks in $ranks_list; do
    got=$WORK/edge-job-$header-$ranks
    want=$WORK/edge-want-$header-$ranks
    FEEDS=$feeds run_job $ranks "$got" monthly 2026-10 ||
      fail "the job failed on the hand-made month, header $header, $ranks ranks"
    "$BA_PYTHON" "$HERE/oracle_territories.py" "$feeds" monthly 2026-10 "$got/deliveries" "$want" 2>/dev/null ||
      fail "oracle_territories.py failed on the hand-made month, header $header"
    compare_reps "$want" "$got" "hand-made month, header $header, $ranks ranks" || fail "hand-made month, header $header"
  done
  n=0  # no deliveries folder at all when no seller gets representative tables
  [ ! -d "$want/deliveries" ] || n=$(cd "$want/deliveries" && find . -path '*/rep_attribution_v1/*' -name data.csv | wc -l)
  case $header in
    full|minimal) [ "$n" -ge 8 ] || fail "hand-made month, header $header: only $n sellers with representative tables" ;;
    *) [ "$n" -eq 0 ] || fail "hand-made month, header $header: a header error must withhold every seller's tables" ;;
  esac
done
echo "hand-made month: job = oracle (full, minimal, duplicate and missing column headers)"

# The store keeps text in fixed-width strings: the representative tables exported again from it
# alone (trailing spaces in a name, tabs, CR, line feeds, non-ASCII) still equal the oracle's.
"$MPIEXEC" -n 2 --oversubscribe "$BIN" --quiet --stage export --store "$WORK/edge-job-full-3/store/monthly-2026-10.h5" \
  --out "$WORK/edge-again" > /dev/null || fail "re-export of the hand-made month failed"
compare_reps "$WORK/edge-want-full-3" "$WORK/edge-again" "hand-made month re-exported from the store" ||
  fail "the representative tables re-exported from the store differ from the oracle's"

# Fatal rules files (territories.md "Fatal errors"): the job exits 3 and publishes nothing, and
# the oracle calls them fatal too; one case each, on the hand-made month.
H=seller_account_id,rule_id,match_type,aws_account_id,email_domain,country_code,state_or_region,postal_code_prefix,effective_from,effective_until,rep_id,rep_name,split_percent
R=edge-dates,r,account,100000000000,,,,,,,a,A,100
fatal_cases=(
  "byte order mark|\xef\xbb\xbf$H\n$R\n"
  "empty file|"
  "a field too many|$H\n$R,\n"
  "a quote inside an unquoted field|$H\n${R/,A,/,A\"li\"ce,}\n"
  "text after a closing quote|$H\n${R/,A,/,\"A\" ,}\n"
  "an unterminated quote|$H\n${R/,A,/,\"A,}\n"
  "an empty seller_account_id|$H\n${R#edge-dates}\n"
  "a seller_account_id with a space|$H\n $R\n"
  "a quoted empty record, not a blank line|$H\n\"\"\n$R\n"
  "no seller_account_id column|${H#seller_account_id,}\n${R#edge-dates,}\n"
  "seller_account_id twice|$H,seller_account_id\n$R,edge-dates\n"
)
for case in "${fatal_cases[@]}"; do
  what=${case%%|*}
  feeds=$WORK/fatal
  rm -rf "$feeds" "$WORK/fatal-out" "$WORK/fatal-want"
  cp -a "$WORK/edge-full" "$feeds"
  printf "${case#*|}" > "$feeds/enrollment/territories.csv"
  # One process without mpiexec (an MPI singleton): mpiexec takes 2 s to end a failed job.
  rc=0; "$BIN" --feeds "$feeds" --out "$WORK/fatal-out" --cadence monthly --period 2026-10 --quiet \
    > "$WORK/last-run.log" 2>&1 || rc=$?
  [ "$rc" -eq 3 ] || fail "rules file with $what: the job exits $rc, not 3 (bad_input)"
  [ ! -e "$WORK/fatal-out/deliveries" ] || fail "rules file with $what: the job published deliveries"
  rc=0; "$BA_PYTHON" "$HERE/oracle_territories.py" "$feeds" monthly 2026-10 "$WORK/edge-job-full-1/deliveries" \
    "$WORK/fatal-want" 2>/dev/null || rc=$?
  [ "$rc" -eq 3 ] || fail "rules file with $what: the oracle does not call it fatal (exit $rc)"
done
echo "fatal rules files: job and oracle agree (${#fatal_cases[@]} cases)"

# A header error (an unknown column, territories.md "Errors of the header") concerns every seller
# with rows in the file: none gets representative tables, all keep their four tables.
seed=${SEEDS%% *}
feeds=$WORK/feeds-$seed
"$BA_PYTHON" - "$feeds/enrollment/territories.csv" <<'EOF'
# One more column, postal_prefix (a misspelt postal_code_prefix), empty on every row.
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    records = [r for r in csv.reader(f) if r]
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(records[0] + ["postal_prefix"])
    w.writerows(r + [""] for r in records[1:])
EOF
got=$WORK/job-header
want=$WORK/want-header
FEEDS=$feeds run_job 1 "$got" monthly 2026-10 --chunk-size 1K || fail "the job failed on a rules file with a header error"
grep -q 'territories.csv: line 1: ' "$WORK/last-run.log" || fail "the header error is not reported on line 1"
"$BA_PYTHON" "$HERE/oracle_territories.py" "$feeds" monthly 2026-10 "$got/deliveries" "$want" 2>/dev/null ||
  fail "oracle_territories.py failed on the header error"
[ ! -d "$want/deliveries" ] || fail "the oracle delivers representative tables despite a header error"
compare_reps "$want" "$got" "header error" || fail "header error: the job and the oracle disagree"
[ "$(cd "$got/deliveries" && find . -path '*/buyers_v1/*' -name data.csv | wc -l)" -gt 0 ] ||
  fail "header error: the four tables were withheld too"

# Self-check: the comparison sees one changed cell (an amount's last digit) and a missing file.
cp=${PERIODS%% *}
want=$WORK/want-$seed-${cp%%:*}-${cp#*:}-3
got=$WORK/job-$seed-${cp%%:*}-${cp#*:}-3
f=""
for g in $(cd "$want/deliveries" && find . -path '*/rep_attribution_v1/*' -name data.csv | sort); do
  [ "$(wc -l < "$want/deliveries/$g")" -gt 1 ] && { f=$g; break; }
done
[ -n "$f" ] || fail "self-check: no representative table to mutate"
cp "$want/deliveries/$f" "$WORK/saved.csv"
sed -i '2s/\([0-9]\)$/\1\1/' "$want/deliveries/$f"
! compare_reps "$want" "$got" "self-check (expected to fail)" 2>/dev/null || fail "self-check: a changed cell goes unnoticed"
cp "$WORK/saved.csv" "$want/deliveries/$f"
compare_reps "$want" "$got" "self-check, restored" || fail "self-check: the restored file differs"
rm "$want/deliveries/$f"
! compare_reps "$want" "$got" "self-check (expected to fail)" 2>/dev/null || fail "self-check: a missing file goes unnoticed"
cp "$WORK/saved.csv" "$want/deliveries/$f"
echo "self-check: the comparison catches a changed cell and a missing file"
echo "1 passed, 0 failed"
