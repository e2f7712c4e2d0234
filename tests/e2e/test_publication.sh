#!/usr/bin/env bash
# Atomic publication: a run that fails in any phase, on one rank or all, publishes nothing and
# leaves the previous delivery intact; a rerun gives byte-identical files; two runs of one period
# at once: the second refuses; files 0640, folders 0750.
source "$(dirname "$0")/lib.sh"
out=$WORK/out
run_job 2 "$out" monthly 2026-10
cp -a "$out/deliveries" "$WORK/first"
cp -a "$out/store" "$WORK/first-store"

# Modes: files readable by owner and group only, folders 0750.
bad=$(find "$out/deliveries" "$out/store" "$out/runs" -type f ! -name '.*.lock' ! -perm 640 | head -n 3)
[ -z "$bad" ] || fail "files not 0640: $bad"
bad=$(find "$out/deliveries" -type d ! -perm 750 | head -n 3)
[ -z "$bad" ] || fail "folders not 0750: $bad"
# A folder that exists already (a seller's folder an operator made 0755) keeps its mode; the
# job's files in it are still 0640.
mkdir -p "$WORK/premade/deliveries/012345678901" && chmod 0755 "$WORK/premade/deliveries/012345678901"
run_job 1 "$WORK/premade" monthly 2026-10
[ "$(stat -c %a "$WORK/premade/deliveries/012345678901")" = 755 ] || fail "the job changed the mode of an existing folder"
bad=$(find "$WORK/premade/deliveries/012345678901" -type f ! -perm 640 | head -n 3)
[ -z "$bad" ] || fail "files in an existing folder are not 0640: $bad"

# Make the input different, so that a publication that leaks would be visible.
cp -a "$FEEDS" "$WORK/feeds2"
sed -i 's/,100.000000,1,2026-10-03/,101.000000,1,2026-10-03/' "$WORK/feeds2/billing_event_v1/year=2026/month=10/data.csv"
for phase in plan read fold aggregate by-seller store export record publish; do
  for where in "@1" ""; do
    start=$(date +%s)
    rc=0
    FEEDS=$WORK/feeds2 run_job 3 "$out" monthly 2026-10 --inject-failure "$phase$where" 2>/dev/null || rc=$?
    took=$(( $(date +%s) - start ))
    [ "$rc" -eq 4 ] || fail "injected failure in $phase$where: exit code $rc, expected 4"
    [ "$took" -le 30 ] || fail "injected failure in $phase$where took $took s to end the job"
    diff -r "$WORK/first" "$out/deliveries" >/dev/null || fail "failure in $phase$where changed the published delivery"
    diff -r "$WORK/first-store" "$out/store" >/dev/null || fail "failure in $phase$where changed the published store"
  done
done

# A row lost between aggregation and export: the amount balance catches it (exit 5), nothing published.
rc=0
FEEDS=$WORK/feeds2 run_job 3 "$out" monthly 2026-10 --inject-failure lose-row 2>/dev/null || rc=$?
[ "$rc" -eq 5 ] || fail "a lost row was not caught by the balance check (exit $rc, expected 5)"
grep -q "does not balance" "$WORK/last-run.log" || fail "the balance failure does not say so"
diff -r "$WORK/first" "$out/deliveries" >/dev/null || fail "the unbalanced run changed the published delivery"

# A rerun after failures: byte-identical to the first run.
run_job 4 "$out" monthly 2026-10
diff -r "$WORK/first" "$out/deliveries" >&2 || fail "rerun differs from the first run"

# A rerun replaces the period's delivery whole. Seller C, no longer enrolled for October, loses
# its files of the period (a verify would not notice them: no manifest names them) and keeps
# those of another period (a daily run's); enrolled again, the delivery is the first run's.
run_job 2 "$out" daily 2026-10-03
c=$out/deliveries/000987000987
[ -f "$c/manifests/daily-2026-10-03.json" ] || fail "seller C has no daily delivery to keep"
cp -a "$FEEDS" "$WORK/feeds3"
sed -i 's/^acc-seller-c,000987000987,2026-10-01,/acc-seller-c,000987000987,2026-11-01,/' "$WORK/feeds3/enrollment/enrollment.csv"
FEEDS=$WORK/feeds3 run_job 3 "$out" monthly 2026-10
[ ! -e "$c/manifests/monthly-2026-10.json" ] || fail "the rerun left seller C's manifest of the period"
left=$(find "$c" -path '*/month=10/data.csv' | head -n 3)
[ -z "$left" ] || fail "the rerun left seller C's files of the period: $left"
[ -f "$c/manifests/daily-2026-10-03.json" ] && [ -n "$(find "$c" -path '*/month=10/day=03/data.csv')" ] ||
  fail "the rerun removed seller C's daily delivery"
for seller in 012345678901 210987654321; do
  diff -r "$WORK/first/$seller" "$out/deliveries/$seller" -x 'day=*' -x 'daily-*' >&2 || fail "the rerun changed seller $seller"
done
"$BIN" verify --out "$out" --cadence monthly --period 2026-10 >/dev/null || fail "verify rejects the rerun's delivery"
run_job 2 "$out" monthly 2026-10
diff -r "$WORK/first" "$out/deliveries" -x 'day=*' -x 'daily-*' >&2 || fail "enrolled again, seller C's delivery differs"

# sigterm_stalled_run STALL NAME WHAT: runs the job at 2 ranks into $WORK/NAME with rank 0 stalled
# at STALL, sends that rank SIGTERM, and fails naming WHAT unless the job exits 0 with the whole
# delivery published.
sigterm_stalled_run() {
  local stall=$1 name=$2 what=$3 launcher pid rc=0
  "$MPIEXEC" -n 2 --oversubscribe "$BIN" --feeds "$FEEDS" --out "$WORK/$name" --period 2026-10 --quiet \
    --max-reject-fraction 0.05 --inject-failure "stall:$stall@0" > "$WORK/$name.log" 2>&1 &
  launcher=$!
  pid=$(stalled_pid "$WORK/$name.log" $launcher "rank 0 $what") || exit 1
  kill -TERM "$pid"
  wait $launcher || rc=$?
  [ "$rc" -eq 0 ] || { cat "$WORK/$name.log" >&2; fail "SIGTERM $what: exit $rc, expected 0 (published)"; }
  [ -f "$WORK/$name/runs/monthly-2026-10/report.json" ] || fail "SIGTERM $what: no run record"
  diff -r "$WORK/first" "$WORK/$name/deliveries" >&2 || fail "SIGTERM $what: the delivery differs"
}

# A stop signal during publication (a scheduler's SIGTERM) waits for its end: rank 0, signalled
# while it publishes, finishes every rename and the job ends with its own exit code, 0, saying
# so (slurm/README.md). MPI's own threads keep the signal unblocked, so blocking it in the main
# thread alone would let it end the rank at once.
sigterm_stalled_run publishing term "while publishing"
grep -q 'SIGTERM arrived while publishing: publication was finished first' "$WORK/term.log" ||
  fail "SIGTERM during publication is not reported"
# One stop reaches a rank more than once (at a Slurm time limit, slurmstepd's SIGTERM and the one
# srun forwards): a second one after the last rename, before the rank ends, must not end a rank
# that has published everything (it did, with 143, once in the Slurm test).
sigterm_stalled_run exit term2 "after publishing, before the end"

# A month's file grows during the month (feeds.md: each day's delivery is appended to it), also
# while a run reads it. run_while_appending NAME BEFORE DURING [rewrite]: copies the feeds, appends
# BEFORE to the billing file, runs the job at 2 ranks into $WORK/NAME with rank 0 stalled before
# the first rename, appends DURING meanwhile (with `rewrite`: writes the file anew, its first row
# changed, with DURING at its end) and lets it go on; its exit status goes to $appended_rc.
run_while_appending() {
  local name=$1 before=$2 during=$3 mode=${4:-append} launcher pid
  local file=$WORK/$name-feeds/billing_event_v1/year=2026/month=10/data.csv
  rm -rf "$WORK/$name-feeds" && cp -a "$FEEDS" "$WORK/$name-feeds"
  [ "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" = '\n' ] || fail "the sample billing file does not end with a line feed"
  printf '%b' "$before" >> "$file"
  "$MPIEXEC" -n 2 --oversubscribe "$BIN" --feeds "$WORK/$name-feeds" --out "$WORK/$name" --period 2026-10 --quiet \
    --max-reject-fraction 0.05 --inject-failure "stall:publishing@0" > "$WORK/$name.log" 2>&1 &
  launcher=$!
  pid=$(stalled_pid "$WORK/$name.log" $launcher "rank 0 of the run of $name") || exit 1
  if [ "$mode" = rewrite ]; then
    { sed '2s/^./X/' "$file"; printf '%b' "$during"; } > "$file.new" && mv "$file.new" "$file"
  else
    printf '%b' "$during" >> "$file"
  fi
  kill -TERM "$pid"
  appended_rc=0
  wait $launcher || appended_rc=$?
}
# Rows appended after a record's end are not in the run (it read the bytes it planned), which
# publishes what it read and says so.
run_while_appending grew "" "evt-late,acc-seller-a,acc-buyer-01,AWS,acc-buyer-01,prod-a1,offer-a1\n"
[ "$appended_rc" -eq 0 ] || { cat "$WORK/grew.log" >&2; fail "rows appended during a run: exit $appended_rc, expected 0"; }
diff -r "$WORK/first" "$WORK/grew/deliveries" >&2 || fail "rows appended during a run changed what it delivered"
grep -q 'billing_event_v1/year=2026/month=10/data.csv changed while the run read it.*the 69 bytes appended since are not in this run' \
  "$WORK/grew.log" || { cat "$WORK/grew.log" >&2; fail "rows appended during a run are not reported"; }
# A delivery being appended when the run planned: its last row was cut at the planned size. The
# run read half a row, so it fails before publishing anything (exit 4) and says why.
run_while_appending cut "evt-cut,acc-sel" "ler-a,acc-buyer-01\n"
[ "$appended_rc" -eq 4 ] || { cat "$WORK/cut.log" >&2; fail "a row cut at the planned size: exit $appended_rc, expected 4"; }
left=$({ find "$WORK/cut" -type f ! -name '.*.lock' ! -path '*/.staging/*' || true; } | head -n 3)
[ -z "$left" ] || fail "a run that read a cut row published: $left"
grep -q 'data.csv changed while the run read it (.*bytes): the run may have read a half-written or changing file, so nothing was published' \
  "$WORK/cut.log" || { cat "$WORK/cut.log" >&2; fail "a row cut at the planned size is not reported"; }
# A file written anew with more rows while the run read it (a month regenerated upstream): its
# planned bytes end with a line feed, as an append would leave them, but their first row changed.
# The run read the old version on some ranks and maybe the new on others: exit 4, nothing out.
run_while_appending rewritten "" "evt-late,acc-seller-a,acc-buyer-01,AWS,acc-buyer-01,prod-a1,offer-a1\n" rewrite
[ "$appended_rc" -eq 4 ] || { cat "$WORK/rewritten.log" >&2; fail "a file rewritten larger: exit $appended_rc, expected 4"; }
left=$({ find "$WORK/rewritten" -type f ! -name '.*.lock' ! -path '*/.staging/*' || true; } | head -n 3)
[ -z "$left" ] || fail "a run that read a rewritten file published: $left"
grep -q 'data.csv changed while the run read it (.*bytes, rewritten: the first or last of the bytes planned differ)' \
  "$WORK/rewritten.log" || { cat "$WORK/rewritten.log" >&2; fail "a file rewritten larger is not reported"; }

# A folder that cannot be made (a file in its place) fails the run before any rank renames
# anything: no seller's files are published, at any rank count.
for ranks in 1 3; do
  rm -rf "$WORK/blocked" && mkdir -p "$WORK/blocked/deliveries" && : > "$WORK/blocked/deliveries/000987000987"
  rc=0; run_job $ranks "$WORK/blocked" monthly 2026-10 2>/dev/null || rc=$?
  [ "$rc" -eq 4 ] || fail "a file in place of a seller's folder at $ranks ranks: exit $rc, expected 4"
  left=$(find "$WORK/blocked/deliveries" -mindepth 2 -type f | head -n 3)
  [ -z "$left" ] || fail "a failed publication at $ranks ranks published: $left"
done
# The same when the store, the run record or a delivered file cannot move in (a file in place of
# the store folder, a folder in place of the store file, report.json, a manifest or a data file):
# found before the first rename.
for block in "file store" "folder store/monthly-2026-10.h5" "folder runs/monthly-2026-10/report.json" \
  "folder deliveries/000987000987/manifests/monthly-2026-10.json" \
  "folder deliveries/012345678901/usage_v1/year=2026/month=10/data.csv"; do
  set -- $block
  rm -rf "$WORK/blocked" && mkdir -p "$(dirname "$WORK/blocked/$2")"
  if [ "$1" = file ]; then : > "$WORK/blocked/$2"; else mkdir "$WORK/blocked/$2"; fi
  rc=0; run_job 2 "$WORK/blocked" monthly 2026-10 2>/dev/null || rc=$?
  [ "$rc" -eq 4 ] || fail "a $1 in place of $2: exit $rc, expected 4"
  grep -q "$2" "$WORK/last-run.log" || fail "a $1 in place of $2: the message does not name it"
  left=$(find "$WORK/blocked" -path "$WORK/blocked/.staging" -prune -o -type f -print |
    grep -v "^$WORK/blocked/$2$\|/runs/\.monthly-2026-10\.lock$" | head -n 3 || true)
  [ -z "$left" ] || fail "a $1 in place of $2: the failed run published $left"
done

# The run record's input_digest tells inputs apart that differ only in content: here a name in
# the registry changed with the same size and modification time.
cp -a "$FEEDS" "$WORK/feeds3"
FEEDS=$WORK/feeds3 run_job 1 "$WORK/digest1" daily 2026-10-03
registry=$WORK/feeds3/enrollment/enrollment.csv
cp -p "$registry" "$WORK/registry.orig"
sed '2s/Ltd"/Ltc"/' "$WORK/registry.orig" > "$registry"
cmp -s "$registry" "$WORK/registry.orig" && fail "the registry was not changed for the digest check"
[ "$(stat -c %s "$registry")" = "$(stat -c %s "$WORK/registry.orig")" ] || fail "the changed registry has another size"
touch -r "$WORK/registry.orig" "$registry"
FEEDS=$WORK/feeds3 run_job 1 "$WORK/digest2" daily 2026-10-03
digest() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["input_digest"])' "$1/runs/daily-2026-10-03/report.json"; }
[ "$(digest "$WORK/digest1")" != "$(digest "$WORK/digest2")" ] ||
  fail "inputs that differ in content have the same input_digest"

# Two runs at once: while the lock is held, a run of the same period refuses with code 6 ...
exec 9>"$out/runs/.monthly-2026-10.lock"
flock -n 9 || fail "could not take the period lock for the test"
rc=0
run_job 2 "$out" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 6 ] || fail "a concurrent run of the same period exited $rc, expected 6"
grep -q "another run of this period" "$WORK/last-run.log" || fail "the refusal does not say why"
# ... and a run of another period is not disturbed.
run_job 2 "$out" daily 2026-10-03
exec 9>&-
diff -r "$WORK/first" "$out/deliveries" -x 'day=*' -x 'daily-*' >&2 || fail "the refused run changed the delivery"
echo "1 passed, 0 failed"
