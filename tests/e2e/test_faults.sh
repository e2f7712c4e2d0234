#!/usr/bin/env bash
# Faults: a rank killed from outside (kill -9), a full disk, and hostile input. In each case the
# job ends on every rank within seconds, exits non-zero (or rejects the row), and publishes nothing
# it should not; the previous delivery stays intact and a rerun gives the same bytes.
source "$(dirname "$0")/lib.sh"
out=$WORK/out
run_job 2 "$out" monthly 2026-10
cp -a "$out/deliveries" "$WORK/first"

# --- kill -9 of one rank in the middle of the run ------------------------------------------
for phase in read aggregate export; do
  "$MPIEXEC" -n 3 --oversubscribe "$BIN" --feeds "$FEEDS" --out "$out" --period 2026-10 --quiet \
    --max-reject-fraction 0.05 --inject-failure "stall:$phase@1" > "$WORK/kill.log" 2>&1 &
  launcher=$!
  pid=$(stalled_pid "$WORK/kill.log" $launcher "rank 1 in phase $phase")
  start=$(date +%s)
  kill -9 "$pid"
  rc=0
  wait $launcher || rc=$?
  took=$(( $(date +%s) - start ))
  [ "$rc" -ne 0 ] || fail "killing rank 1 in $phase: the job exited 0"
  [ "$took" -le 20 ] || fail "killing rank 1 in $phase: the other ranks took $took s to end"
  diff -r "$WORK/first" "$out/deliveries" >/dev/null || fail "killing rank 1 in $phase changed the delivery"
done
run_job 3 "$out" monthly 2026-10
diff -r "$WORK/first" "$out/deliveries" >&2 || fail "the rerun after kill -9 differs"

# --- a full disk: output on a small tmpfs --------------------------------------------------
small=$WORK/small
mkdir -p "$small"
if mount -t tmpfs -o size=48k tmpfs "$small" 2>/dev/null; then
  trap 'umount "$small" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  rc=0
  run_job 2 "$small/out" monthly 2026-10 2>/dev/null || rc=$?
  df_used=$( (ls -A "$small/out/deliveries" 2>/dev/null || true) | wc -l)
  umount "$small"
  [ "$rc" -eq 4 ] || fail "a full disk exited $rc, expected 4 (I/O failure)"
  grep -q "$small/out" "$WORK/last-run.log" || fail "the full-disk error does not name the path"
  [ "$df_used" -eq 0 ] || fail "a run on a full disk published deliveries"
  # Too small for the store itself: a parallel HDF5 write that fails on one rank can leave the
  # ranks waiting in different barriers for ever, so the room is checked before the first write.
  for size in 8k 24k; do
    mount -t tmpfs -o size=$size tmpfs "$small"
    rc=0
    timeout 120 "$MPIEXEC" -n 2 --oversubscribe "$BIN" --feeds "$FEEDS" --out "$small/out" --cadence daily \
      --period 2026-10-03 --quiet --max-reject-fraction 0.05 > "$WORK/tiny.log" 2>&1 || rc=$?
    published=$( (ls -A "$small/out/deliveries" 2>/dev/null || true) | wc -l)
    umount "$small"
    [ "$rc" -ne 124 ] || fail "a $size file system hung the store write"
    [ "$rc" -eq 4 ] && grep -q "no room for the store.*widest text column, [a-z_]*\.[a-z_]*, takes [0-9]* bytes in every row" "$WORK/tiny.log" || { cat "$WORK/tiny.log" >&2; fail "a $size file system: exit $rc"; }
    [ "$published" -eq 0 ] || fail "a run on a $size file system published deliveries"
  done
else
  echo "note: cannot mount a tmpfs here (not root?); the full-disk case is skipped" >&2
  skipped_full_disk=1
fi

# --- hostile input ---------------------------------------------------------------------------
feeds=$WORK/hostile
cp -a "$FEEDS" "$feeds"
billing=$feeds/billing_event_v1/year=2026/month=10/data.csv
base='be-8%02d,acc-seller-a,acc-buyer-01,acc-seller-a,acc-buyer-01,prod-a1,offer-a1,INVOICED,SELLER_REV_SHARE,,,USD,%s,1,%s,,,,%s,,txn-h-%02d,,'
long=$(head -c 2000000 /dev/zero | tr '\0' 'x')
{
  printf "$base\n" 1 1.000000 9999-12-31T23:59:59Z inv 1            # year 9999: outside the period
  printf "$base\n" 2 99999999999999999999.000000 2026-10-05T00:00:00Z inv 2   # enormous: bad_amount
  printf "$base\n" 3 1.000000 2026-10-05T00:00:00Z "$long" 3       # a 2 MB field: accepted
} >> "$billing"
# An enrollment row whose folder name would leave the deliveries folder.
echo 'acc-seller-z,../../../etc,2020-01-01,,Z' >> "$feeds/enrollment/enrollment.csv"
echo 'acc-seller-y,12345/789012,2020-01-01,,Y' >> "$feeds/enrollment/enrollment.csv"
# The output root sits five levels below $WORK, so that a folder escaping it through the
# registry's `../../../etc` (OUT/deliveries/../../../etc = $WORK/a/b/c/etc) would land inside
# $WORK, where the check below can see it.
h=$WORK/a/b/c/d/h
mkdir -p "$WORK/a/b/c/d"
tmp_etc_before=no; [ -e /tmp/etc ] && tmp_etc_before=yes
FEEDS=$feeds run_job 3 "$h" monthly 2026-10
rejects=$h/runs/monthly-2026-10/rejects.csv
grep -q '^billing_event,[^,]*,83,bad_amount,' "$rejects" || fail "an enormous amount is not rejected as bad_amount"
grep -q '^enrollment,[^,]*,7,bad_aws_account_id,' "$rejects" || fail "a path in aws_account_id is not rejected"
grep -q '^enrollment,[^,]*,8,bad_aws_account_id,' "$rejects" || fail "a 12-character id with a slash is not rejected"
"$BA_PYTHON" - "$h/runs/monthly-2026-10/report.json" <<'PY' || fail "year 9999 not counted outside the period"
import json, sys
b = json.load(open(sys.argv[1]))["feeds"]["billing_event"]
assert b["outside_period"] == 3, b  # the two September rows of the sample and the year-9999 row
PY
# Nothing named after the registry's path anywhere under $WORK (inside the output root too: its
# staging or deliveries folder must not hold an `etc` either), nothing beside the output root in
# the folders above it, and no /tmp/etc made by this run.
escaped=$(find "$WORK" -name 'etc*')
[ -z "$escaped" ] || fail "a folder escaped the output root: $escaped"
beside=$(find "$WORK/a" -mindepth 1 -path "$h" -prune -o -print | grep -vxF -e "$WORK/a/b" -e "$WORK/a/b/c" -e "$WORK/a/b/c/d" || true)
[ -z "$beside" ] || fail "the run created something outside its output root: $beside"
[ "$tmp_etc_before" = yes ] || [ ! -e /tmp/etc ] || fail "the run created /tmp/etc"
ls "$h/deliveries" | grep -qvE '^[0-9]{12}$' && fail "a delivery folder is not a 12-digit account"
grep -q 'txn-h-03' "$h/deliveries/012345678901/sales_compensation_v1/year=2026/month=10/data.csv" ||
  fail "the row with a 2 MB field was not delivered"

# An empty feed folder and a missing registry are fatal input errors that name what is missing.
cp -a "$FEEDS" "$WORK/empty" && rm -rf "$WORK/empty/product_v1"/* 
rc=0; FEEDS=$WORK/empty run_job 2 "$WORK/e" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] && grep -q "product" "$WORK/last-run.log" || fail "an empty product_v1 folder: exit $rc"
cp -a "$FEEDS" "$WORK/noreg" && rm "$WORK/noreg/enrollment/enrollment.csv"
rc=0; FEEDS=$WORK/noreg run_job 2 "$WORK/e" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] && grep -q "enrollment registry" "$WORK/last-run.log" || fail "a missing registry: exit $rc"
[ ! -e "$WORK/e/deliveries" ] || [ -z "$(ls -A "$WORK/e/deliveries")" ] || fail "a fatal input error published deliveries"
# A 0-byte file has lost its header: fatal, naming it, and the delivery published earlier stays.
# (Read as "no rows", an empty registry would withdraw every delivery of the period.)
for f in enrollment/enrollment.csv account_v1/year=2026/month=10/data.csv billing_event_v1/year=2026/month=10/data.csv; do
  rm -rf "$WORK/zero" && cp -a "$FEEDS" "$WORK/zero" && : > "$WORK/zero/$f"
  rc=0; FEEDS=$WORK/zero run_job 2 "$out" monthly 2026-10 2>/dev/null || rc=$?
  [ "$rc" -eq 3 ] && grep -q "input file $f: empty, expected a header row on line 1" "$WORK/last-run.log" ||
    fail "a 0-byte $f: exit $rc"
  diff -r "$WORK/first" "$out/deliveries" >/dev/null || fail "a 0-byte $f changed the published delivery"
done
# The historization columns that decide corrections and deletions are required, as every column
# the computation uses: without delete_date a deleted version would silently come back.
for f in daily_usage_v1/year=2026/month=10/data.csv account_v1/year=2026/month=10/data.csv; do
  rm -rf "$WORK/nocol" && cp -a "$FEEDS" "$WORK/nocol"
  "$BA_PYTHON" - "$WORK/nocol/$f" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
at = rows[0].index("delete_date")
with open(sys.argv[1], "w", newline="") as out:
    csv.writer(out, lineterminator="\n").writerows([r[:at] + r[at + 1:] for r in rows])
PY
  rc=0; FEEDS=$WORK/nocol run_job 2 "$WORK/nc" monthly 2026-10 2>/dev/null || rc=$?
  [ "$rc" -eq 3 ] && grep -q "delete_date" "$WORK/last-run.log" && grep -q "$f" "$WORK/last-run.log" ||
    fail "$f without delete_date: exit $rc"
done
# A file system error while listing the feeds (here a symlink loop inside a feed folder) is an
# I/O failure (exit 4), not an internal error.
rm -rf "$WORK/loop" && cp -a "$FEEDS" "$WORK/loop" && ln -s year=2027 "$WORK/loop/account_v1/year=2027"
rc=0; FEEDS=$WORK/loop run_job 2 "$WORK/lp" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 4 ] && grep -q 'account_v1/year=2027' "$WORK/last-run.log" || fail "a symlink loop among the feeds: exit $rc"
# Two sellers enrolled with one aws_account_id would share a folder (each reading the other's
# buyers, their staged files overwriting each other): a fatal registry error naming both lines.
cp -a "$FEEDS" "$WORK/shared" && sed -i 's/^acc-seller-c,000987000987,/acc-seller-c,012345678901,/' "$WORK/shared/enrollment/enrollment.csv"
grep -q '^acc-seller-c,012345678901,' "$WORK/shared/enrollment/enrollment.csv" || fail "the shared-folder registry was not made"
for ranks in 1 2; do
  rc=0; FEEDS=$WORK/shared run_job $ranks "$WORK/s" monthly 2026-10 2>/dev/null || rc=$?
  [ "$rc" -eq 3 ] || fail "two sellers with one aws_account_id at $ranks ranks: exit $rc, expected 3"
  grep -q "line 4: sellers acc-seller-a (line 2) and acc-seller-c are registered with one aws_account_id, 012345678901" \
    "$WORK/last-run.log" || fail "the shared-folder error does not name the seller, lines and folder"
  [ ! -e "$WORK/s/deliveries" ] || [ -z "$(ls -A "$WORK/s/deliveries")" ] || fail "a registry with a shared folder published deliveries"
done
# The same when the two sellers' rows cover different periods: C (from October) is given D's
# folder (D enrolled until September). Each period alone has one seller in the folder, but the
# folder would hold D's September files and C's October files. Both periods refuse.
cp -a "$FEEDS" "$WORK/shared2" && sed -i 's/^acc-seller-c,000987000987,/acc-seller-c,444455556666,/' "$WORK/shared2/enrollment/enrollment.csv"
grep -q '^acc-seller-c,444455556666,' "$WORK/shared2/enrollment/enrollment.csv" || fail "the second shared-folder registry was not made"
for period in 2026-09 2026-10; do
  rc=0; FEEDS=$WORK/shared2 run_job 2 "$WORK/s2" monthly $period 2>/dev/null || rc=$?
  [ "$rc" -eq 3 ] || fail "a folder given to two sellers in different periods, $period: exit $rc, expected 3"
  grep -q "line 5: sellers acc-seller-c (line 4) and acc-seller-d are registered with one aws_account_id, 444455556666" \
    "$WORK/last-run.log" || { cat "$WORK/last-run.log" >&2; fail "the shared-folder error ($period) does not name the sellers"; }
done
# A header-only month (September) is a valid, empty period.
run_job 2 "$WORK/sep" monthly 2026-09
compare_with_expected "$WORK/sep" monthly 2026-09
# Everything else passed; a case not run shows as a skipped test (ctest's SKIP_RETURN_CODE), not a pass.
[ -z "${skipped_full_disk:-}" ] || exit 77
echo "1 passed, 0 failed"
