#!/usr/bin/env bash
# A failed run publishes nothing (outputs.md), also when a target folder cannot take a rename
# from the staging folder: the store's or the run record's folder, or a seller's folder, on
# another file system (a symlink to another disk: EXDEV) or not writable (an immutable folder).
# The deliveries move in first, so such a folder must fail the run before the first rename, not
# leave the new deliveries published beside the old store and run record.
source "$(dirname "$0")/lib.sh"
other=$(mktemp -d /dev/shm/ba-e2e.XXXXXX 2>/dev/null) || { echo "no /dev/shm: skipped"; exit 77; }
trap 'umount "$WORK/xbind/store" "$WORK/xbind-seller/deliveries/210987654321" 2>/dev/null || true; chattr -i "$WORK/ro/runs/monthly-2026-10" 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK" "$other"' EXIT
[ "$(stat -c %d "$WORK")" != "$(stat -c %d "$other")" ] || { echo "/dev/shm is the file system of $WORK: skipped"; exit 77; }

run_job 2 "$WORK/first" monthly 2026-10
# A different input, so that anything the failed run publishes shows.
cp -a "$FEEDS" "$WORK/feeds2"
sed -i 's/,100.000000,1,2026-10-03/,101.000000,1,2026-10-03/' "$WORK/feeds2/billing_event_v1/year=2026/month=10/data.csv"

# expect_nothing_published OUT WHAT: the failed run's exit code is 4, it names WHAT, and the
# deliveries, the store and the run record are those of the first run.
expect_nothing_published() {
  local out=$1 what=$2 rc=0
  FEEDS=$WORK/feeds2 run_job 3 "$out" monthly 2026-10 2>/dev/null || rc=$?
  [ "$rc" -eq 4 ] || fail "$what: exit $rc, expected 4"
  diff -r "$WORK/first/deliveries" "$out/deliveries" >/dev/null || fail "$what: the failed run published deliveries"
  cmp -s "$WORK/first/store/monthly-2026-10.h5" "$out/store/monthly-2026-10.h5" || fail "$what: the store changed"
  cmp -s "$WORK/first/runs/monthly-2026-10/report.json" "$out/runs/monthly-2026-10/report.json" ||
    fail "$what: the run record changed"
  grep -q "cannot publish into" "$WORK/last-run.log" || fail "$what: the message does not say so"
}

# The store's folder on another file system.
cp -a "$WORK/first" "$WORK/xstore"
mv "$WORK/xstore/store" "$other/store" && ln -s "$other/store" "$WORK/xstore/store"
expect_nothing_published "$WORK/xstore" "the store folder on another file system"

# The run record's folder on another file system.
cp -a "$WORK/first" "$WORK/xruns"
mv "$WORK/xruns/runs/monthly-2026-10" "$other/runs" && ln -s "$other/runs" "$WORK/xruns/runs/monthly-2026-10"
expect_nothing_published "$WORK/xruns" "the run record folder on another file system"

# One seller's folder on another file system: no rank renames anything.
cp -a "$WORK/first" "$WORK/xseller"
mv "$WORK/xseller/deliveries/210987654321" "$other/seller" &&
  ln -s "$other/seller" "$WORK/xseller/deliveries/210987654321"
expect_nothing_published "$WORK/xseller" "a seller folder on another file system"

# The store's folder a bind mount of a folder on the same file system: st_dev is the same, yet
# a rename cannot cross the mount.
cp -a "$WORK/first" "$WORK/xbind"
mv "$WORK/xbind/store" "$WORK/bound-store" && mkdir "$WORK/xbind/store"
if mount --bind "$WORK/bound-store" "$WORK/xbind/store" 2>/dev/null; then
  expect_nothing_published "$WORK/xbind" "the store folder a bind mount"
  umount "$WORK/xbind/store"
  # A seller's folder, whose delivery folders are looked at one by one, not the store's.
  cp -a "$WORK/first" "$WORK/xbind-seller"
  mv "$WORK/xbind-seller/deliveries/210987654321" "$WORK/bound-seller" &&
    mkdir "$WORK/xbind-seller/deliveries/210987654321"
  mount --bind "$WORK/bound-seller" "$WORK/xbind-seller/deliveries/210987654321"
  expect_nothing_published "$WORK/xbind-seller" "a seller folder a bind mount"
  umount "$WORK/xbind-seller/deliveries/210987654321"
else
  echo "mount --bind not permitted here: the bind mount case is not run"
fi

# The run record's folder cannot be written (immutable: even root cannot rename into it).
cp -a "$WORK/first" "$WORK/ro"
if chattr +i "$WORK/ro/runs/monthly-2026-10" 2>/dev/null; then
  expect_nothing_published "$WORK/ro" "an immutable run record folder"
  chattr -i "$WORK/ro/runs/monthly-2026-10"
else
  echo "chattr +i not available here: the immutable folder case is not run"
fi

# The same targets, usable again: the rerun publishes.
rm "$WORK/xstore/store" && mv "$other/store" "$WORK/xstore/store"
FEEDS=$WORK/feeds2 run_job 2 "$WORK/xstore" monthly 2026-10 || fail "the rerun with the store folder back failed"
"$BIN" verify --out "$WORK/xstore" --cadence monthly --period 2026-10 >/dev/null || fail "verify rejects the rerun"
echo "1 passed, 0 failed"
