#!/usr/bin/env bash
# Same input, any rank count and chunk size: byte-identical delivery files and manifests.
source "$(dirname "$0")/lib.sh"
# The month and every day with a hand-written expectation (days differ: header-only sellers on
# 03 and 14, a seller enrolled from 10-15, payouts on 14/21/28, a failed payout on 14, a refund on
# 21). The reference run at 1 rank must also equal the expectation, so "the same bytes" is anchored.
days=$(expected_days)
[ "$(echo "$days" | wc -w)" -ge 4 ] || fail "expected_days lists only: $days"
periods=("monthly 2026-10")
for day in $days; do periods+=("daily $day"); done
for cadence_period in "${periods[@]}"; do
  set -- $cadence_period
  cadence=$1 period=$2
  rm -rf "$WORK/ref"
  run_job 1 "$WORK/ref" "$cadence" "$period" --chunk-size 8M
  compare_with_expected "$WORK/ref" "$cadence" "$period"
  for ranks in 2 3 4; do
    for chunk in 1K 64; do
      rm -rf "$WORK/cmp"
      run_job "$ranks" "$WORK/cmp" "$cadence" "$period" --chunk-size "$chunk" --round-size 97
      diff -r "$WORK/ref/deliveries" "$WORK/cmp/deliveries" >&2 ||
        fail "$cadence $period: deliveries at $ranks ranks, chunk $chunk differ from 1 rank"
    done
  done
  rm -rf "$WORK/ref"
done
# Dimension feeds with a quoted line feed (and doubled quotes, \r\n) on every row: the same
# deliveries at every rank count and chunk size, equal to the hand-written expectation (street
# lines and legal names are never delivered).
quoted=$WORK/quoted
cp -a "$FEEDS" "$quoted"
"$BA_PYTHON" - "$quoted" <<'PY'
import csv, glob, io, sys
for path in glob.glob(sys.argv[1] + "/address_v1/*/*/data.csv") + glob.glob(sys.argv[1] + "/account_v1/*/*/data.csv"):
    rows = list(csv.reader(open(path, newline="")))
    col = rows[0].index("address_line_1" if "address_v1" in path else "tax_legal_name")
    for i, r in enumerate(rows[1:], 1):
        r[col] = f'Line {i}\nsecond, "quoted" part'
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if "account" in path else "\n").writerows(rows)
    open(path, "w", newline="").write(out.getvalue())
PY
for ranks in 1 2 3 4; do
  for chunk in 7 64 8M; do
    rm -rf "$WORK/q"
    FEEDS=$quoted run_job "$ranks" "$WORK/q" monthly 2026-10 --chunk-size "$chunk"
    compare_with_expected "$WORK/q" monthly 2026-10
  done
done
echo "1 passed, 0 failed"
