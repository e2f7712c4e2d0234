#!/usr/bin/env bash
# The benchmark of issue 7: the monthly job at 1, 2 and 4 ranks and the DuckDB peer
# (../shared/peer, sales_compensation only) on the same generated month, same machine, same session.
#
# Usage: scripts/bench.sh [EVENTS (default 10000000)]
# Environment:
#   SEED=1                          generator seed
#   MONTH=2026-10                   the month generated and processed
#   BENCH_DATA=/tmp/ba-bench-data   cache of generated feeds: BENCH_DATA/<events>-<seed>/feeds, reused
#                                   when present (it only appears once the generator has finished)
#   BENCH_OUT=/tmp/ba-bench-runs    logs, per-rank peaks, report.json of each run (replaced each time)
#   RANKS="1 2 4"                   rank counts of the job (more ranks than cores run oversubscribed)
#   PEER_THREADS=2                  DuckDB threads
#   REPEAT=1                        runs of every configuration, in rounds (1, 2, 4 ranks, DuckDB);
#                                   the table shows each run, the ratios and phases use the medians
#   REST=60                         seconds between rounds, so that the next round does not create
#                                   its files among inodes deleted less than a minute before
#   SKIP_BUILD=1                    use build-release/ as it is
#   REPORT_ONLY=1                   print the table of the last runs in BENCH_OUT again, run nothing
#
# Disk: each run's output (about 5 GB at 10M events) is kept until the bench ends while the disk
# has room for another round (see "recently deleted" below): REPEAT=3 with RANKS="1 2 4" keeps
# about 46 GB; with less room, a round's outputs are deleted at its end (15 GB at least).
#
# Prints wall time, input MB/s per rank, peak RSS per rank (max over ranks) and the sum over ranks,
# the ratios of issue 7 against their targets, the disk's floor (the 2-rank job's output bytes
# written as one synced file, against DuckDB's wall), and the job's time per phase. It reports: it never
# fails on a target, and a failed run (non-zero exit, killed) is shown as such.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/env.sh"

events=${1:-10000000}
seed=${SEED:-1}
month=${MONTH:-2026-10}
data_root=${BENCH_DATA:-/tmp/ba-bench-data}
out=${BENCH_OUT:-/tmp/ba-bench-runs}
ranks_list=${RANKS:-1 2 4}
peer_threads=${PEER_THREADS:-2}
repeat=${REPEAT:-1}
rest=${REST:-60}
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "bench: REPEAT must be a positive integer, not '$repeat'" >&2; exit 2; }
build="$here/build-release"
peer_dir=$(cd "$here/../shared/peer" 2>/dev/null && pwd || echo /work/shared/peer)
python=${BA_PYTHON:-/usr/bin/python3}
export DUCKDB_DIR=${DUCKDB_DIR:-/tmp/duckdb-peer}
job="$build/buyer-attribution"
gen="$build/tools/generate/ba-generate"
data="$data_root/$events-$seed"
[ "$month" = 2026-10 ] || data="$data_root/$events-$seed-$month"
feeds="$data/feeds"
results="$out/results.tsv"

log() { printf '[bench] %s\n' "$*" >&2; }
# Seconds of "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.03" in a `time -v` file.
wall_of() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$1"; }
sum_sizes() { find "$@" -type f -name '*.csv' -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}'; }

if [ -z "${REPORT_ONLY:-}" ]; then
  # ---- tools ----------------------------------------------------------------------------------
  # What the build needs (only when this script builds: with SKIP_BUILD=1 the machine may have its
  # toolchain from elsewhere, modules on a cluster), then GNU time and the DuckDB peer's Node.js
  # and npm (its install.sh fetches the bindings with npm), when missing. For those the commands
  # are looked for, not the Debian packages: a Node.js from elsewhere (NodeSource's carries its
  # own npm) is used as it is.
  [ -n "${SKIP_BUILD:-}" ] || "$here/scripts/install-deps.sh" >/dev/null
  [ -x /usr/bin/time ] || "$here/scripts/install-deps.sh" time >/dev/null
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "installing Node.js and npm (Debian packages 'nodejs', 'npm') for the DuckDB peer"
    "$here/scripts/install-deps.sh" nodejs npm >/dev/null
  fi
  if [ -z "${SKIP_BUILD:-}" ]; then
    log "building Release into $build"
    BUILD_DIR="$build" BUILD_TYPE=Release "$here/scripts/build.sh" -DBA_BUILD_TOOLS=ON >/dev/null
    # What was built: the job changes quickly, so the report names the sources of this binary.
    echo "commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "+ $(git -C "$here" status --porcelain 2>/dev/null | wc -l) changed files, built $(date -u '+%Y-%m-%d %H:%M UTC')" \
      >"$build/bench-build-info.txt"
  fi
  [ -x "$job" ] || { echo "bench: $job is missing (build failed?)" >&2; exit 1; }
  [ -x "$gen" ] || { echo "bench: $gen is missing (build failed?)" >&2; exit 1; }
  if ! (cd "$DUCKDB_DIR" 2>/dev/null && node -e "require('@duckdb/node-api')" 2>/dev/null); then
    log "installing the DuckDB peer into $DUCKDB_DIR"
    "$peer_dir/install.sh" >&2
  fi

  # ---- data (generated once, reused) -----------------------------------------------------------
  # The cache belongs to the generator's source: data from an older generator is made again.
  generator_id=$(sha256sum "$here/tools/generate/generate.cpp" | cut -c1-16)
  if [ -d "$data" ] && [ "$(cat "$data/generator-id" 2>/dev/null)" != "$generator_id" ]; then
    log "the generator changed since $data was made: generating it again"
    rm -rf "$data"
  fi
  if [ ! -d "$feeds" ]; then
    log "generating $events billing events (seed $seed, $month) into $data"
    mkdir -p "$data_root"
    rm -rf "$data" "$data".tmp.*  # left by an interrupted generation or a folder without feeds
    tmp="$data.tmp.$$"
    mkdir -p "$tmp"
    if ! /usr/bin/time -f '%e s wall, %M KB peak' -o "$tmp/generate.time" \
      "$gen" --out "$tmp/feeds" --month "$month" --billing-events "$events" --seed "$seed" >"$tmp/generate.log" 2>&1; then
      cat "$tmp/generate.log" >&2
      rm -rf "$tmp"
      echo "bench: the generator failed" >&2
      exit 1
    fi
    echo "$generator_id" >"$tmp/generator-id"
    mv "$tmp" "$data"  # the folder appears only once complete
    cat "$data/generate.log" "$data/generate.time" >&2
  else
    log "reusing $data"
  fi
fi
[ -d "$feeds" ] || { echo "bench: no data in $feeds" >&2; exit 1; }
input_bytes=$(sum_sizes "$feeds")
# What the peer reads: the month's billing events, the registry and the account, address and
# product feeds (not usage, not offers).
peer_bytes=$(sum_sizes "$feeds/billing_event_v1" "$feeds/enrollment" "$feeds/account_v1" "$feeds/address_v1" "$feeds/product_v1")

if [ -z "${REPORT_ONLY:-}" ]; then
  log "warm-up read of $((input_bytes / 1000000)) MB"
  find "$feeds" -type f -name '*.csv' -exec cat {} + >/dev/null

  # ---- runs ------------------------------------------------------------------------------------
  # Deleted inodes stay "recently deleted" for 60 s (300 s while their inode-table block is dirty,
  # and a run's own new inodes dirty those blocks again) on an ext4 without a journal, and
  # creating a file then scans past each of them: a run after a mass deletion creates its 17,870
  # files and 50,000 folders seconds slower (publish at 2 ranks: 2.1 s against 1.0 s). A monthly
  # job never runs right after deleting 70,000 files, so the bench deletes nothing until its runs
  # are over: the last bench's results are moved aside, and every run's output is kept while the
  # disk has room for the next round (else a round's output goes at its end, as a fallback).
  trash=()
  if [ -e "$out" ]; then
    trash+=("$out.old.$$")
    mv "$out" "$out.old.$$"
  fi
  mkdir -p "$out"
  kept_outputs=()
  remove_kept() {  # after the runs, or on the way out
    [ ${#kept_outputs[@]} -eq 0 ] && [ ${#trash[@]} -eq 0 ] && return 0
    log "removing the runs' outputs"
    rm -rf "${kept_outputs[@]}" "${trash[@]}"
    kept_outputs=()
    trash=()
  }
  trap remove_kept EXIT
  cores=$(nproc)
  # Each rank runs under its own GNU time, which writes "PEAK_KB WALL_S" to a per-rank file.
  cat >"$out/rank-time.sh" <<'EOF'
#!/bin/sh
prefix=$1; shift
exec /usr/bin/time -f '%M %e' -o "$prefix.$OMPI_COMM_WORLD_RANK" "$@"
EOF
  chmod +x "$out/rank-time.sh"
  printf 'name\tranks\tround\tstatus\twall_s\tinput_bytes\tpeak_kb_max\tpeak_kb_sum\n' >"$results"
  status_of() {  # exit status -> ok / killed / exit-N (137 = SIGKILL: usually the out-of-memory killer)
    case "$1" in 0) echo ok ;; 137) echo killed ;; *) echo "exit-$1" ;; esac
  }

  for round in $(seq 1 "$repeat"); do
    if [ "$round" -gt 1 ]; then
      log "resting ${rest} s before round $round of $repeat"
      sleep "$rest"
    fi
    for n in $ranks_list; do
      run="$out/job-$n-$round"
      mkdir -p "$run"
      extra=()
      [ "$n" -gt "$cores" ] && extra=(--oversubscribe)
      log "job at $n rank(s), round $round of $repeat"
      status=0
      /usr/bin/time -v -o "$run/time.txt" \
        mpirun -np "$n" "${extra[@]}" "$out/rank-time.sh" "$run/rank" \
        "$job" --feeds "$feeds" --out "$run/out" --period "$month" >"$run/stdout.txt" 2>"$run/stderr.txt" || status=$?
      # A rank's file holds "PEAK_KB WALL_S", after a "Command terminated by signal N" line if killed.
      # (No rank file when mpirun never started a rank: the run shows as failed, the bench goes on.)
      max=$({ cat "$run"/rank.* 2>/dev/null || true; } | awk '$1 ~ /^[0-9]+$/ && $1 + 0 > m {m = $1 + 0} END {printf "%.0f\n", m}')
      sum=$({ cat "$run"/rank.* 2>/dev/null || true; } | awk '$1 ~ /^[0-9]+$/ {s += $1} END {printf "%.0f\n", s}')
      if [ "$status" -ne 0 ]; then
        log "job at $n ranks failed (exit $status), the end of its stderr:"
        grep -v '^\s*$' "$run/stderr.txt" | tail -4 >&2 || true
      fi
      if [ -f "$run/out/runs/monthly-$month/report.json" ]; then cp "$run/out/runs/monthly-$month/report.json" "$run/report.json"; fi
      printf 'job\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$round" "$(status_of "$status")" "$(wall_of "$run/time.txt")" "$input_bytes" "$max" "$sum" >>"$results"
    done

    # What the 2-rank job wrote (store, deliveries, run record), for the disk's floor below.
    [ -n "${floor_bytes:-}" ] || floor_bytes=$({ du -sb "$out/job-2-$round/out" 2>/dev/null || true; } | awk '{print $1}')

    # The bulk (deliveries, store; report.json is kept): kept while the disk holds another round
    # (after the last one, only DuckDB's CSV comes) and 4 GB to spare.
    round_kb=$({ du -sk "$out"/job-*-"$round"/out 2>/dev/null || true; } | awk '{s += $1} END {printf "%.0f\n", s}')
    free_kb=$(df -Pk "$out" | awk 'NR == 2 {print $4}')
    next_kb=$((round < repeat ? 2 * round_kb : 0))
    if [ "$free_kb" -gt $((next_kb + 4 * 1048576)) ]; then
      for n in $ranks_list; do kept_outputs+=("$out/job-$n-$round/out"); done
    else
      log "deleting round $round's outputs now: $((free_kb / 1048576)) GB free, a round takes $((round_kb / 1048576)) GB"
      for n in $ranks_list; do rm -rf "$out/job-$n-$round/out"; done
      sync
    fi

    run="$out/duckdb-$round"
    mkdir -p "$run"
    log "DuckDB peer, $peer_threads threads, round $round of $repeat"
    status=0
    /usr/bin/time -v -o "$run/time.txt" \
      node "$peer_dir/run-duckdb.mjs" "$feeds" "$month" "$run/sales_compensation.csv" --threads "$peer_threads" \
      >"$run/stdout.txt" 2>"$run/stderr.txt" || status=$?
    [ "$status" -eq 0 ] || log "DuckDB failed (exit $status): $(tail -3 "$run/stderr.txt")"
    peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$run/time.txt")
    printf 'duckdb\t1\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$(status_of "$status")" "$(wall_of "$run/time.txt")" "$peer_bytes" "$peak" "$peak" >>"$results"
    rm -f "$run/sales_compensation.csv"
  done

  # The disk's floor: the 2-rank job's output bytes written as one file and synced, as the job
  # must sync what it publishes. No run of the job can be faster than this on this disk.
  if [ -n "${floor_bytes:-}" ] && [ "$floor_bytes" -gt 0 ]; then
    log "disk floor: writing $((floor_bytes / 1000000)) MB in one file, synced"
    start=$(date +%s.%N)
    dd if=/dev/zero of="$out/disk-floor.bin" bs=1M count=$((floor_bytes / 1048576)) conv=fdatasync status=none
    end=$(date +%s.%N)
    rm -f "$out/disk-floor.bin"
    printf '%s\t%s\n' "$floor_bytes" "$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.2f", e - s}')" >"$out/disk-floor.tsv"
  fi
fi

# ---- report ----------------------------------------------------------------------------------
[ -f "$results" ] || { echo "bench: no results in $out" >&2; exit 1; }
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
{
  echo
  echo "machine: $(nproc) cores ($cpu), $mem RAM, $(uname -sr), $(mpirun --version 2>/dev/null | head -1)"
  echo "data:    $feeds: $events billing events (seed $seed), $((input_bytes / 1000000)) MB of feeds" \
       "(the peer reads $((peer_bytes / 1000000)) MB of them)"
  # The build info only when it is not older than the binary (SKIP_BUILD=1 after another build).
  build_info='sources unknown (built outside this script)'
  [ "$build/bench-build-info.txt" -nt "$job" ] && build_info=$(cat "$build/bench-build-info.txt")
  echo "job:     $("$job" --version 2>/dev/null | head -1), $build_info"
  echo "peer:    DuckDB node-api $(cd "$DUCKDB_DIR" && node -p "require('@duckdb/node-api/package.json').version" 2>/dev/null || echo '?'), node $(node --version)"
  "$python" - "$results" "$out" "$peer_threads" <<'EOF'
import json, os, re, sys
results, out, peer_threads = sys.argv[1], sys.argv[2], sys.argv[3]
rows = []
with open(results) as f:
    head = f.readline().rstrip('\n').split('\t')
    for line in f:
        rows.append(dict(zip(head, line.rstrip('\n').split('\t'))))

def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None

def col(v, w, p=1):
    return f"{v:>{w}.{p}f}" if v is not None else f"{'-':>{w}}"

def median(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2

rounds = sorted({int(r.get('round') or 1) for r in rows})
print()
print(f"{'run':<15}{'round':>6}{'status':>8}{'wall s':>10}{'MB/s/rank':>11}{'peak RSS/rank MiB':>18}{'sum of peaks MiB':>17}")
by = {}  # (name, ranks) -> the ok runs' figures
for r in rows:
    ranks, ok = int(r['ranks']), r['status'] == 'ok'
    name = f"job @{ranks}" if r['name'] == 'job' else f"duckdb ({peer_threads} thr)"
    wall = num(r['wall_s'])
    pk, sm = num(r['peak_kb_max']), num(r['peak_kb_sum'])
    pk = pk / 1024 if pk else None
    sm = sm / 1024 if sm else None
    mbps = num(r['input_bytes']) / 1e6 / wall / ranks if ok and wall else None
    # A failed run's wall time and peak are those at the failure: shown, never used in a ratio.
    runs = by.setdefault((r['name'], ranks), [])
    if ok:
        runs.append(dict(wall=wall, peak=pk, sum=sm, mbps=mbps))
    print(f"{name:<15}{int(r.get('round') or 1):>6}{r['status']:>8}{col(wall, 10, 2)}{col(mbps, 11)}{col(pk, 18, 0)}{col(sm, 17, 0)}")

# Each configuration's median over its ok runs (the run itself when there is one round).
med = {k: {f: median(x[f] for x in v) for f in ('wall', 'peak', 'sum', 'mbps')} if v else {} for k, v in by.items()}
if len(rounds) > 1:
    print()
    print(f"median of {len(rounds)} rounds (ok runs only); wall s min-max")
    for (n, ranks), m in sorted(med.items(), key=lambda kv: (kv[0][0] != 'job', kv[0][1])):
        name = f"job @{ranks}" if n == 'job' else f"duckdb ({peer_threads} thr)"
        walls = [x['wall'] for x in by[(n, ranks)] if x['wall'] is not None]
        spread = f"{min(walls):.2f}-{max(walls):.2f}" if walls else "-"
        print(f"{name:<15}{len(by[(n, ranks)]):>6}{'':>8}{col(m.get('wall'), 10, 2)}{col(m.get('mbps'), 11)}"
              f"{col(m.get('peak'), 18, 0)}{col(m.get('sum'), 17, 0)}   {spread}")

def ratio(a, b):
    return a / b if a is not None and b else None

j1, j2, j4, dd = (med.get(('job', 1), {}), med.get(('job', 2), {}), med.get(('job', 4), {}), med.get(('duckdb', 1), {}))
checks = [
    ("job@2 wall / duckdb wall", ratio(j2.get('wall'), dd.get('wall')), "<=", 0.25),
    ("job@1 wall / job@2 wall (speedup)", ratio(j1.get('wall'), j2.get('wall')), ">=", 1.7),
    ("peak per rank @4 / peak @1", ratio(j4.get('peak'), j1.get('peak')), "<=", 0.35),
    ("sum of peaks @2 / duckdb peak", ratio(j2.get('sum'), dd.get('peak')), "<=", 1.0),
]
print()
print(f"{'ratio (issue 7)' + (' of the medians' if len(rounds) > 1 else ''):<36}{'value':>8}  target")
for name, v, op, target in checks:
    if v is None:
        print(f"{name:<36}{'-':>8}  {op} {target}  (a run it needs failed or did not run)")
        continue
    ok = v <= target if op == "<=" else v >= target
    print(f"{name:<36}{v:>8.3f}  {op} {target}  {'meets' if ok else 'misses'}")
floor_file = os.path.join(out, "disk-floor.tsv")
if os.path.exists(floor_file):
    with open(floor_file) as f:
        floor_bytes, floor_s = (float(x) for x in f.read().split())
    print(f"{'disk floor / duckdb wall':<36}{col(ratio(floor_s, dd.get('wall')), 8, 3)}  "
          f"(the 2-rank job's {floor_bytes / 1e6:.0f} MB of outputs, one file written and synced: {floor_s:.2f} s)")
print("shuffles in bounded rounds: not a figure; the MPI tests force rounds of a few bytes and the")
print("end-to-end tests --round-size 97, and compare the outputs (README, Performance)")

# Where the job's time goes: report.json timings (max over ranks), or, for a run that failed before
# writing it, the rank-0 progress lines on stderr ("[buyer-attribution] read  done: ... in 12.3 s").
# With several rounds, each phase's median over the rounds.
phases, table, source = [], {}, {}
done = re.compile(r'^\[buyer-attribution\] (\S+)\s+done: .* in ([0-9.]+) s')
for (name, ranks) in sorted(k for k in {(r['name'], int(r['ranks'])) for r in rows} if k[0] == 'job'):
    per_round = []
    for rnd in rounds:
        run = os.path.join(out, f"job-{ranks}-{rnd}")
        t = {}
        if os.path.exists(os.path.join(run, "stderr.txt")):
            with open(os.path.join(run, "stderr.txt"), errors='replace') as f:
                for line in f:
                    m = done.match(line)
                    if m:
                        t[m.group(1)] = float(m.group(2))
            source.setdefault(ranks, "stderr")
        if os.path.exists(os.path.join(run, "report.json")):  # per rank: the slowest rank of each phase
            with open(os.path.join(run, "report.json")) as f:
                j = {}
                for rank in json.load(f).get('timings', []):
                    for ph, sec in rank.get('seconds', {}).items():
                        j[ph] = max(j.get(ph, 0.0), sec)
            t.update(j)  # phases report.json does not time (record, publish) stay from stderr
            source[ranks] = "report.json"
        for ph in t:
            if ph not in phases:
                phases.append(ph)
        if t:
            per_round.append(t)
    table[ranks] = {ph: median(t.get(ph) for t in per_round) for ph in phases if any(ph in t for t in per_round)}
if any(table.values()):
    print()
    print("job phases, seconds" + (f" (median of {len(rounds)} rounds)" if len(rounds) > 1 else "") +
          ": report.json (slowest rank), else rank 0's progress")
    print("lines on stderr (phases report.json does not time, and a failed run up to its failure)")
    print(f"{'phase':<12}" + "".join(f"{'@' + str(r):>10}" for r in sorted(table)))
    for ph in phases:
        print(f"{ph:<12}" + "".join(col(table[r].get(ph), 10, 2) for r in sorted(table)))
    print(f"{'sum':<12}" + "".join(col(sum(v for v in table[r].values() if v is not None), 10, 2) for r in sorted(table)))
    print(f"{'from':<12}" + "".join(f"{('json' if source.get(r) == 'report.json' else 'stderr'):>10}" for r in sorted(table)))
EOF
  echo
  echo "logs, per-rank peaks (rank.N: KB seconds), report.json and stderr of every run: $out"
} | tee "$out/summary.txt"
