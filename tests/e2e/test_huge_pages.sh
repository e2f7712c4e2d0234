#!/usr/bin/env bash
# The job starts again with glibc's huge-page heap where the kernel offers transparent huge pages
# (src/common/memory.hpp), keeps the user's own tunables, and leaves a user's choice alone.
source "$(dirname "$0")/lib.sh" "$@"

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)

# heap_of_stalled_job [VAR=value...]: "huge" when the heap of the job's rank 0 is marked for huge
# pages (VmFlags "hg": glibc's madvise), else "small"; then the first item of its GLIBC_TUNABLES.
# (glibc splits the variable at ':' in place when it reads it, so /proc/PID/environ shows only
# the first tunable.)
heap_of_stalled_job() {
  rm -rf "$WORK/out"
  env -u GLIBC_TUNABLES "$@" "$MPIEXEC" -n 1 "$BIN" --feeds "$FEEDS" --out "$WORK/out" --period 2026-10 --quiet \
    --inject-failure "stall:read@0" > "$WORK/stall.log" 2>&1 &
  local launcher=$! pid
  pid=$(stalled_pid "$WORK/stall.log" $launcher "the job's rank 0") || exit 1  # no errexit in $(...)
  local flags tunables
  flags=$(awk '/\[heap\]$/ {h = 1; next} /^[0-9a-f]+-[0-9a-f]+ / {h = 0} h && /^VmFlags:/ {print}' "/proc/$pid/smaps")
  tunables=$(tr '\0' '\n' < "/proc/$pid/environ" | sed -n 's/^GLIBC_TUNABLES=//p')
  kill -9 "$pid"
  wait $launcher 2>/dev/null || true
  [ -n "$flags" ] || fail "no [heap] mapping in /proc/$pid/smaps"
  if [[ " $flags " == *" hg "* ]]; then echo "huge ${tunables:-unset}"; else echo "small ${tunables:-unset}"; fi
}

if [[ "$thp" == *"[madvise]"* || "$thp" == *"[always]"* ]]; then
  got=$(heap_of_stalled_job)
  [ "$got" = "huge glibc.malloc.hugetlb=1" ] || fail "THP '$thp', no tunables: the job runs with '$got'"
  got=$(heap_of_stalled_job GLIBC_TUNABLES=glibc.malloc.arena_max=4)
  [ "$got" = "huge glibc.malloc.arena_max=4" ] || fail "THP '$thp', the user's tunables: the job runs with '$got'"
else
  got=$(heap_of_stalled_job)
  [ "$got" = "small unset" ] || fail "no THP ('$thp'): the job runs with '$got'"
fi
got=$(heap_of_stalled_job GLIBC_TUNABLES=glibc.malloc.hugetlb=0)
[ "$got" = "small glibc.malloc.hugetlb=0" ] || fail "the user's choice hugetlb=0: the job runs with '$got'"

# And the job started again does its work.
run_job 2 "$WORK/full" monthly 2026-10
[ -f "$WORK/full/runs/monthly-2026-10/report.json" ] || fail "no run record"
echo "PASS: huge-page heap"
