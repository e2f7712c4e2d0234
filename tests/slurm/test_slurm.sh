#!/usr/bin/env bash
# The slurm/ scripts on a real single-node Slurm: tests/slurm/test_slurm.sh BIN ROOT
#
# Installs slurm-wlm, slurm-client, munge and procps (pkill) when missing, starts a private
# munged, slurmctld and slurmd (own key, socket, ports, state and logs under a temporary folder;
# SLURM_CONF points at its own slurm.conf, /etc/slurm is not touched), submits through
# slurm/submit.sh with a test site file, and checks:
#   - monthly on data-samples/ with 2 ranks (period from the default: the month before BA_NOW),
#     chained to verify: both succeed, the deliveries equal tests/expected/, the job name carries
#     the period;
#   - the same over bad input (a missing billing file): the job fails with exit code 3, publishes
#     nothing, and its verify job is cancelled;
#   - a backfill of two months as a job array limited to one task at a time, each task verified;
#   - the same with BA_ARRAY_LIMIT=2: a throttle of 2, both tasks run at once (each waits
#     until it sees the other started), both complete and are verified;
#   - the mpirun launcher as well as srun --mpi=pmix; a launcher that exits 0 without running the
#     job is a failure, not a success;
#   - daily.sbatch given to sbatch by hand without a period: the previous day, put in the job name;
#   - two runs of one period: singleton keeps them apart, also merged with a dependency from
#     BA_SBATCH_OPTS;
#   - graceful stop: SIGUSR1 (the time-limit warning) stops a running job with exit code 75 and
#     nothing published, but lets a job that is already publishing finish; a requeued job reruns
#     its period from the start and publishes it;
#   - the real job stalled inside publication (--inject-failure stall:publishing@0) and then told to
#     stop by scancel --full --signal=TERM, by scancel --full --signal=USR1, and by its time limit
#     (the USR1 warning, then SIGTERM to everything): each finishes publishing, exits 0 and is
#     reported as published (the time-limited one ends in state TIMEOUT with exit code 0).
# Slurm gets three attempts to come up (fresh ports each time), every wait is bounded, and the test
# ends itself before ctest's timeout (BA_TEST_TIME_LIMIT seconds, 570 less the install by default)
# so that a hang shows the daemons' and jobs' logs. Stops every daemon it started, whatever
# happens. BA_TEST_KEEP=1 keeps the temporary folder.
set -euo pipefail
BIN=$(readlink -f "$1")
ROOT=$(cd "$2" && pwd)
EXPECTED=$ROOT/tests/expected
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable" >&2; exit 1; }

T=$(mktemp -d /tmp/ba-slurm-test.XXXXXX)
chmod 711 "$T" # munged wants every folder above its socket searchable
DAEMON_PIDFILES=()

stop_daemons() { # [slurm]: all daemons, or only slurmctld and slurmd
  local i pidfile pid n
  # Reverse order: slurmd, slurmctld, munged.
  for ((i = ${#DAEMON_PIDFILES[@]} - 1; i >= 0; i--)); do
    pidfile=${DAEMON_PIDFILES[$i]}
    [ "${1:-}" != slurm ] || [[ $pidfile == */slurm/* ]] || continue
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || continue
    for n in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$?
  set +e
  trap '' INT TERM # the daemons are stopped whatever arrives meanwhile
  if [ -n "${WATCHDOG:-}" ]; then
    pkill -P "$WATCHDOG" 2>/dev/null
    kill "$WATCHDOG" 2>/dev/null
  fi
  if [ $rc -ne 0 ] && [ -d "$T/slurm/log" ]; then
    echo "---- logs (test failed with status $rc) ----" >&2
    tail -n 30 "$T"/slurm/log/*.log >&2 2>/dev/null
    for f in "$T"/logs/*; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 40 "$f" >&2; }; done
  fi
  # Jobs still running (a failure part way) end before their daemons do.
  if [ -s "$T/slurm/run/slurmctld.pid" ] && kill -0 "$(cat "$T/slurm/run/slurmctld.pid")" 2>/dev/null; then
    timeout 15 scancel --quiet --user=root 2>/dev/null
    for _ in $(seq 40); do
      [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.25
    done
  fi
  stop_daemons
  if [ "${BA_TEST_KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
  exit $rc
}
trap cleanup EXIT
trap 'echo "FAIL: stopped by a signal (or by the test'"'"'s own time limit)" >&2; exit 130' INT TERM

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }

# The jobs run a copy, so a rebuild of the build tree while the test runs does not disturb them.
mkdir -p "$T/bin"
cp "$BIN" "$T/bin/buyer-attribution"
BIN=$T/bin/buyer-attribution

# ---- Slurm and munge: installed when missing -------------------------------------------------
"$ROOT/scripts/install-deps.sh" slurm-wlm slurm-client munge procps >/dev/null
[ "$(id -u)" -eq 0 ] || fail "this test runs Slurm daemons as root; run it as root"

# The test's own time limit, within ctest's 600 s whatever the install took: a test that ends
# itself shows its daemons' and jobs' logs; one that ctest kills shows nothing.
TEST_TIME_LIMIT=${BA_TEST_TIME_LIMIT:-$((570 - SECONDS))}
[ "$TEST_TIME_LIMIT" -gt 0 ] || fail "installing Slurm took the test's whole time"
(sleep "$TEST_TIME_LIMIT" && kill -TERM $$) </dev/null >/dev/null 2>&1 &
WATCHDOG=$!

# ---- munged: own key and socket ----------------------------------------------------------------
mkdir -p "$T/munge/run" "$T/slurm"/{state,spool,log,run} "$T/logs"
chmod 711 "$T/munge"
chmod 755 "$T/munge/run"
head -c 1024 /dev/urandom >"$T/munge/munge.key"
chmod 600 "$T/munge/munge.key"
MUNGE_SOCKET=$T/munge/run/munge.sock
DAEMON_PIDFILES+=("$T/munge/munged.pid")
munged --socket="$MUNGE_SOCKET" --key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pid" \
  --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" ||
  { cat "$T/munge/munged.log" >&2; fail "munged did not start"; }
munge -n -S "$MUNGE_SOCKET" | unmunge -S "$MUNGE_SOCKET" >/dev/null || fail "munge does not work"

# ---- slurm.conf: one node, this host, free ports -----------------------------------------------
# Ports below the kernel's ephemeral range, so no outgoing connection can hold one between the
# check and slurmctld's bind.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$EPHEMERAL_LOW" -gt 12000 ] || EPHEMERAL_LOW=32768
pick_ports() {
  CTLD_PORT=""
  local p
  for _ in $(seq 50); do
    p=$((10000 + RANDOM % (EPHEMERAL_LOW - 10002)))
    if port_free "$p" && port_free $((p + 1)); then
      CTLD_PORT=$p
      return 0
    fi
  done
  fail "no free port pair for slurmctld/slurmd"
}
HOST=$(hostname -s)
NODE=$(slurmd -C | head -n1)
CPUS=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$NODE")
MEM=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$NODE")
export SLURM_CONF=$T/slurm/slurm.conf
write_slurm_conf() {
  cat >"$SLURM_CONF" <<EOF
ClusterName=batest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$((CTLD_PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmUser=root
SlurmdUser=root
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
KillWait=5
MinJobAge=600
StateSaveLocation=$T/slurm/state
SlurmdSpoolDir=$T/slurm/spool
SlurmctldPidFile=$T/slurm/run/slurmctld.pid
SlurmdPidFile=$T/slurm/run/slurmd.pid
SlurmctldLogFile=$T/slurm/log/slurmctld.log
SlurmdLogFile=$T/slurm/log/slurmd.log
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=${CPUS:-1} RealMemory=${MEM:-1000} State=UNKNOWN
PartitionName=batest Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
}

# gone PIDFILE SINCE: the daemon's process has ended, or it wrote no pid file in the 10 s after SINCE
# (the daemon writes it after the command that starts it has returned).
gone() {
  if [ -s "$1" ]; then
    ! kill -0 "$(cat "$1")" 2>/dev/null
  else
    [ $SECONDS -ge $(($2 + 10)) ]
  fi
}

# start_slurm: starts slurmctld and slurmd and waits, at most 60 s, until the node is idle.
# Returns 1 (daemons stopped, logs shown) when they do not come up. Every client call is bounded:
# a client retries a controller that does not answer for MessageTimeout (10 s) before it gives up,
# so an unbounded loop of them outlasts any test timeout without saying why.
start_slurm() {
  local state="" started=$SECONDS deadline=$((SECONDS + 60))
  # (each forks its daemon and returns at once; the bound is for a start that blocks)
  if ! timeout 60 slurmctld -i; then
    echo "slurmctld did not start" >&2
  elif ! timeout 60 slurmd; then
    echo "slurmd did not start" >&2
  else
    while [ $SECONDS -lt $deadline ]; do
      if gone "$T/slurm/run/slurmctld.pid" $started; then
        echo "slurmctld is not running" >&2
        break
      fi
      state=$(timeout 15 sinfo -h -o %t 2>/dev/null | head -n1 || true)
      [ "$state" = idle ] && return 0
      sleep 0.3
    done
    echo "the node is '$state', not idle" >&2
  fi
  echo "slurmctld and slurmd logs:" >&2
  tail -n 20 "$T"/slurm/log/*.log >&2 2>/dev/null || true
  stop_daemons slurm
  return 1
}

DAEMON_PIDFILES+=("$T/slurm/run/slurmctld.pid" "$T/slurm/run/slurmd.pid")
started=0
for attempt in 1 2 3; do
  pick_ports
  write_slurm_conf
  step "starting slurmctld and slurmd ($HOST, ports $CTLD_PORT-$((CTLD_PORT + 1)), attempt $attempt)"
  if start_slurm; then
    started=1
    break
  fi
  rm -rf "$T/slurm/state"/* "$T/slurm/spool"/* "$T/slurm/run"/*
  for f in "$T"/slurm/log/*.log; do [ -f "$f" ] && mv "$f" "$f.attempt$attempt"; done
done
[ $started = 1 ] || fail "Slurm did not come up in 3 attempts"

# ---- the test's site file: the project's, with this machine's paths ------------------------------
SITE=$T/site.env
cat >"$SITE" <<EOF
BA_ROOT='$ROOT'
: "\${BA_BIN:=$BIN}"
: "\${BA_FEEDS:=$ROOT/data-samples/feeds}"
: "\${BA_OUT:=$T/out}"
: "\${BA_EXTRA_OPTS:=--max-reject-fraction 0.05}"
: "\${BA_PARTITION:=batest}"
: "\${BA_NTASKS:=2}"
: "\${BA_TIME_MONTHLY:=00:10:00}"
: "\${BA_TIME_VERIFY:=00:05:00}"
: "\${BA_ARRAY_LIMIT:=1}"
: "\${BA_LOG_DIR:=$T/logs}"
source '$ROOT/slurm/site.env'
EOF
export BA_SITE_FILE=$SITE
SUBMIT=$ROOT/slurm/submit.sh

# submit VAR=VALUE... -- SUBMIT_ARGS...: runs submit.sh with those settings; sets AGG and VER.
submit() {
  local envs=()
  while [ "$1" != -- ]; do
    envs+=("$1")
    shift
  done
  shift
  local out
  out=$(env ${envs[@]+"${envs[@]}"} "$SUBMIT" "$@") || fail "submit.sh $* exited $?"
  AGG=$(sed -n 's/^aggregate //p' <<<"$out")
  VER=$(sed -n 's/^verify //p' <<<"$out")
  [ -n "$AGG" ] || fail "submit.sh $* printed no aggregate job id"
}

# job_field ID FIELD: the field of every job (or array task) of ID, one line each.
job_field() {
  scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# wait_jobs ID...: until every job (and array task) has ended, at most 150 s in all. Ended means
# a final state: anything else (PENDING, RUNNING, COMPLETING, SIGNALING, REQUEUED, ...) is waited for.
WAIT_END=$((SECONDS + 150))
wait_jobs() {
  local id st s ended
  for id in "$@"; do
    while :; do
      st=$(job_field "$id" JobState | sort -u | tr '\n' ' ')
      ended=0
      if [ -n "${st// /}" ]; then
        ended=1
        for s in $st; do
          case $s in
            COMPLETED | FAILED | CANCELLED | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL | BOOT_FAIL | DEADLINE | PREEMPTED) ;;
            *) ended=0 ;;
          esac
        done
      fi
      [ $ended = 0 ] || break
      [ $SECONDS -lt $WAIT_END ] || { scontrol show job >&2; fail "job $id still '$st' after the test's time"; }
      sleep 0.5
    done
  done
}

# expect_job ID STATE EXITCODE: every job or array task of ID ended so.
expect_job() {
  local states codes
  states=$(job_field "$1" JobState | sort -u | tr '\n' ' ')
  codes=$(job_field "$1" ExitCode | sort -u | tr '\n' ' ')
  [ "$states" = "$2 " ] && [ "$codes" = "$3:0 " ] ||
    fail "job $1 ($(job_field "$1" JobName | head -n1)) ended '$states' with exit codes '$codes'; expected $2 with $3"
}

# expect_deliveries OUT CADENCE PERIOD: the published deliveries equal the hand-written ones.
expect_deliveries() {
  local out=$1 cadence=$2 period=$3 exp=$EXPECTED/$2-$3 seller table got n=0
  local sub="year=${period:0:4}/month=${period:5:2}"
  [ "$cadence" = daily ] && sub="$sub/day=${period:8:2}"
  [ -d "$exp" ] || fail "no expectation $exp"
  for seller in "$exp"/*/; do
    seller=$(basename "$seller")
    for table in sales_compensation disbursements usage buyers; do
      got=$out/deliveries/$seller/${table}_v1/$sub/data.csv
      [ -f "$got" ] || fail "$cadence $period: seller $seller has no $table delivery ($got)"
      diff -u "$exp/$seller/$table.csv" "$got" >&2 || fail "$cadence $period: $seller $table differs from $exp"
      n=$((n + 1))
    done
  done
  [ -f "$out/store/$cadence-$period.h5" ] || fail "$cadence $period: no store"
  [ -f "$out/runs/$cadence-$period/report.json" ] || fail "$cadence $period: no run record"
  [ $n -gt 0 ] || fail "$cadence $period: the expectation lists no seller"
}

expect_nothing_published() { # OUT WHAT: no file under OUT but staging and the period's lock
  local found=""
  [ ! -d "$1" ] || found=$(find "$1" -path "$1/.staging" -prune -o -path "$1/runs/.*.lock" -o -type f -print | head -n5)
  [ -z "$found" ] || fail "$2: files were published: $found"
}

expect_log() { # JOBID TEXT: the job's log holds the text
  grep -qF -- "$2" "$T"/logs/*-"$1".out || fail "job $1: its log lacks '$2'"
}

# A slow stand-in for the job: an aggregation in its job's first run waits until told to stop;
# then (and always for verify) it runs the real executable.
SLOW=$T/slow-buyer-attribution
cat >"$SLOW" <<EOF
#!/bin/bash
if [ "\${SLURM_RESTART_COUNT:-0}" = 0 ] && [ "\$1" != verify ]; then
  touch "$T/slow-started.\${SLURM_JOB_ID}"
  for i in \$(seq 900); do sleep 0.2; done
fi
exec '$BIN' "\$@"
EOF
chmod +x "$SLOW"
# A stand-in that is already publishing (its progress line says so) when told to stop: the stop
# must let it finish.
PUBLISHING=$T/publishing-buyer-attribution
cat >"$PUBLISHING" <<EOF
#!/bin/bash
echo "[buyer-attribution] publish    ..." >&2
for i in \$(seq 15); do sleep 0.2; done
exec '$BIN' "\$@"
EOF
chmod +x "$PUBLISHING"

# A stand-in for a backfill whose tasks may run two at once: each aggregation task notes its start
# and waits (at most 20 s) until the other task of its array has started too, noting that it saw
# it; then it runs the real executable. Tasks that are kept apart never see each other.
TOGETHER=$T/together-buyer-attribution
cat >"$TOGETHER" <<EOF
#!/bin/bash
if [ "\$1" != verify ]; then
  touch "$T/together.\${SLURM_ARRAY_JOB_ID}.\${SLURM_ARRAY_TASK_ID}"
  for i in \$(seq 100); do
    if [ "\$(ls "$T"/together.\${SLURM_ARRAY_JOB_ID}.* 2>/dev/null | wc -l)" -ge 2 ]; then
      touch "$T/together-saw.\${SLURM_ARRAY_JOB_ID}.\${SLURM_ARRAY_TASK_ID}"
      break
    fi
    sleep 0.2
  done
fi
exec '$BIN' "\$@"
EOF
chmod +x "$TOGETHER"

# The real job, stalled by its rank 0 inside publication (its stop signals already held back)
# until a signal reaches it: a stop that arrives then must let it finish.
STALL_OPTS="--max-reject-fraction 0.05 --inject-failure stall:publishing@0"

# ---- submit everything, then wait ----------------------------------------------------------------
step "submitting: monthly (default period), bad input, backfill, mpirun, singleton, stop, requeue, daily"
# BA_NOW in the middle of November: the default period is the previous month, 2026-10.
submit BA_NOW=2026-11-17T03:00:00 BA_OUT="$T/out-monthly" -- monthly
MONTHLY=$AGG MONTHLY_VERIFY=$VER

BAD_FEEDS=$T/feeds-bad
cp -a "$ROOT/data-samples/feeds" "$BAD_FEEDS"
rm "$BAD_FEEDS/billing_event_v1/year=2026/month=10/data.csv"
submit BA_FEEDS="$BAD_FEEDS" BA_OUT="$T/out-bad" -- monthly 2026-10
BAD=$AGG BAD_VERIFY=$VER

submit BA_OUT="$T/out-backfill" -- backfill monthly 2026-09 2026-10
BACKFILL=$AGG BACKFILL_VERIFY=$VER

submit BA_LAUNCHER=mpirun BA_OUT="$T/out-mpirun" -- monthly 2026-10
MPIRUN=$AGG MPIRUN_VERIFY=$VER

# A launcher that says success without running anything (srun did, after "task launch failed").
submit BA_LAUNCHER=mpirun BA_MPIRUN=true BA_OUT="$T/out-nolaunch" BA_JOB_PREFIX=nolaunch -- --no-verify monthly 2026-10
NOLAUNCH=$AGG

submit BA_OUT="$T/out-singleton" BA_JOB_PREFIX=single -- --no-verify monthly 2026-10
SINGLE1=$AGG
# The second one also with a dependency of the site's own: submit.sh merges the two into one
# --dependency (sbatch keeps only one of several), and Slurm takes the merged form.
submit BA_OUT="$T/out-singleton" BA_JOB_PREFIX=single BA_SBATCH_OPTS="--dependency=afterany:$SINGLE1" -- \
  --no-verify monthly 2026-10
SINGLE2=$AGG
SINGLE2_DEPENDENCY=$(job_field "$SINGLE2" Dependency)
SINGLE1_THEN=$(job_field "$SINGLE1" JobState)
# A third with no site dependency: singleton alone keeps it apart from both.
submit BA_OUT="$T/out-singleton" BA_JOB_PREFIX=single -- --no-verify monthly 2026-10
SINGLE3=$AGG

submit BA_BIN="$SLOW" BA_OUT="$T/out-stop" BA_JOB_PREFIX=stop -- monthly 2026-10
STOP=$AGG STOP_VERIFY=$VER
submit BA_BIN="$SLOW" BA_OUT="$T/out-requeue" BA_JOB_PREFIX=requeue -- monthly 2026-10
REQUEUE=$AGG REQUEUE_VERIFY=$VER
submit BA_BIN="$PUBLISHING" BA_OUT="$T/out-publishing" BA_JOB_PREFIX=publishing -- --no-verify monthly 2026-10
PUBLISH=$AGG

submit BA_BIN="$TOGETHER" BA_ARRAY_LIMIT=2 BA_OUT="$T/out-backfill2" BA_JOB_PREFIX=backfill2 -- backfill monthly 2026-09 2026-10
BACKFILL2=$AGG BACKFILL2_VERIFY=$VER

# Publishing when stopped: by scancel --full --signal=TERM (batch shell, launcher and ranks), by
# scancel --full --signal=USR1, and by the time limit itself (the USR1 warning BA_STOP_LEAD before
# it, then SIGTERM to everything, KillWait seconds before SIGKILL).
submit BA_EXTRA_OPTS="$STALL_OPTS" BA_OUT="$T/out-pubterm" BA_JOB_PREFIX=pubterm -- --no-verify monthly 2026-10
PUBTERM=$AGG
submit BA_EXTRA_OPTS="$STALL_OPTS" BA_OUT="$T/out-pubusr1" BA_JOB_PREFIX=pubusr1 -- --no-verify monthly 2026-10
PUBUSR1=$AGG
submit BA_EXTRA_OPTS="$STALL_OPTS" BA_OUT="$T/out-pubcancel" BA_JOB_PREFIX=pubcancel -- --no-verify monthly 2026-10
PUBCANCEL=$AGG
submit BA_EXTRA_OPTS="$STALL_OPTS" BA_OUT="$T/out-pubtime" BA_JOB_PREFIX=pubtime BA_TIME_MONTHLY=00:01:00 \
  BA_STOP_LEAD=20 -- --no-verify monthly 2026-10
PUBTIME=$AGG

# The daily script given to sbatch by hand, without a period: it finds slurm/ and the site file by
# itself, takes the day before BA_NOW and writes it into the job name.
DAILY=$(env BA_NOW=2026-10-15T00:30:00 BA_OUT="$T/out-daily" sbatch --parsable --ntasks=2 \
  --output="$T/logs/%x-%j.out" "$ROOT/slurm/daily.sbatch") || fail "sbatch slurm/daily.sbatch"
DAILY=${DAILY%%;*}

# Stop one slow job as the time-limit warning would (sbatch --signal=B:USR1@N); requeue the other.
for _ in $(seq 200); do
  [ -e "$T/slow-started.$STOP" ] && [ -e "$T/slow-started.$REQUEUE" ] && break
  [ $SECONDS -lt $WAIT_END ] || fail "the slow jobs did not start"
  sleep 0.3
done
[ -e "$T/slow-started.$STOP" ] && [ -e "$T/slow-started.$REQUEUE" ] || fail "the slow jobs did not start"
scancel --batch --signal=USR1 "$STOP" || fail "scancel --signal=USR1 $STOP"
# (its progress line must have reached the batch script, which copies it into the job's log)
for _ in $(seq 200); do
  grep -qs 'publish    \.\.\.' "$T"/logs/*-"$PUBLISH".out && break
  sleep 0.1
done
grep -qs 'publish    \.\.\.' "$T"/logs/*-"$PUBLISH".out || fail "the publishing stand-in did not start"
sleep 0.3
scancel --batch --signal=USR1 "$PUBLISH" || fail "scancel --signal=USR1 $PUBLISH"
scontrol requeue "$REQUEUE" || fail "scontrol requeue $REQUEUE"
# A requeued job is held for two minutes before it may start again; not here.
for _ in $(seq 40); do
  [ "$(job_field "$REQUEUE" JobState)" = PENDING ] && break
  sleep 0.25
done
scontrol update JobId="$REQUEUE" StartTime=now || fail "could not release requeued job $REQUEUE"
# The real jobs once their rank 0 stands still inside publication.
for job in "$PUBTERM" "$PUBUSR1" "$PUBCANCEL"; do
  for _ in $(seq 300); do
    grep -qs 'rank 0 stalls in phase publishing' "$T"/logs/*-"$job".out && break
    [ $SECONDS -lt $WAIT_END ] || break
    sleep 0.2
  done
  grep -qs 'rank 0 stalls in phase publishing' "$T"/logs/*-"$job".out || fail "job $job did not reach its stall in publication"
done
scancel --full --signal=TERM "$PUBTERM" || fail "scancel --full --signal=TERM $PUBTERM"
scancel --full --signal=USR1 "$PUBUSR1" || fail "scancel --full --signal=USR1 $PUBUSR1"
scancel "$PUBCANCEL" || fail "scancel $PUBCANCEL"

wait_jobs "$MONTHLY" "$MONTHLY_VERIFY" "$BAD" "$BAD_VERIFY" "$BACKFILL" "$BACKFILL_VERIFY" \
  "$MPIRUN" "$MPIRUN_VERIFY" "$SINGLE1" "$SINGLE2" "$SINGLE3" "$STOP" "$STOP_VERIFY" "$REQUEUE" "$REQUEUE_VERIFY" "$PUBLISH" "$DAILY" \
  "$BACKFILL2" "$BACKFILL2_VERIFY" "$PUBTERM" "$PUBUSR1" "$PUBCANCEL" "$PUBTIME" "$NOLAUNCH"

# ---- checks -----------------------------------------------------------------------------------------
# The verify subcommand is written in parallel with these scripts: assert the verify jobs only
# when the executable has it (it passes on a good delivery, or its help mentions it).
HAS_VERIFY=0
if "$BIN" verify --out "$T/out-monthly" --cadence monthly --period 2026-10 >/dev/null 2>&1 ||
  "$BIN" --help 2>&1 | grep -qi verify; then
  HAS_VERIFY=1
fi

step "monthly (srun --mpi=pmix, 2 ranks, period by default) and its verify"
[ "$(job_field "$MONTHLY" JobName)" = ba-monthly-2026-10 ] || fail "job name $(job_field "$MONTHLY" JobName) lacks the period 2026-10"
[ "$(job_field "$MONTHLY" NumTasks)" = 2 ] || fail "monthly ran $(job_field "$MONTHLY" NumTasks) tasks, not 2"
expect_job "$MONTHLY" COMPLETED 0
expect_log "$MONTHLY" "srun --mpi=pmix --kill-on-bad-exit=1"
expect_log "$MONTHLY" "exit 0: success"
expect_deliveries "$T/out-monthly" monthly 2026-10
[ "$(grep -o '"ranks": *[0-9]*' "$T/out-monthly/runs/monthly-2026-10/report.json" | grep -o '[0-9]*$')" = 2 ] ||
  fail "the run record does not say 2 ranks"
expect_log "$MONTHLY_VERIFY" "verify --out $T/out-monthly --cadence monthly --period 2026-10"
if [ $HAS_VERIFY = 1 ]; then
  expect_job "$MONTHLY_VERIFY" COMPLETED 0
else
  echo "   (skipped: the executable has no verify subcommand yet; its job ended $(job_field "$MONTHLY_VERIFY" JobState))"
fi

step "bad input: exit code 3, nothing published, verify cancelled"
expect_job "$BAD" FAILED 3
expect_log "$BAD" "exit 3: bad input"
expect_nothing_published "$T/out-bad" "bad input"
expect_job "$BAD_VERIFY" CANCELLED 0

step "backfill 2026-09..2026-10: a job array, one task at a time, each verified"
[ "$(job_field "$BACKFILL" JobName | sort -u)" = "ba-monthly-2026-09..2026-10" ] || fail "backfill job name"
[ "$(job_field "$BACKFILL" ArrayTaskId | sort | tr '\n' ' ')" = "0 1 " ] || fail "backfill array tasks: $(job_field "$BACKFILL" ArrayTaskId)"
job_field "$BACKFILL" ArrayTaskThrottle | grep -qx 1 || fail "backfill array has no concurrency limit of 1"
expect_job "$BACKFILL" COMPLETED 0
expect_deliveries "$T/out-backfill" monthly 2026-09
expect_deliveries "$T/out-backfill" monthly 2026-10
mapfile -t starts < <(job_field "$BACKFILL" StartTime | sort)
mapfile -t ends < <(job_field "$BACKFILL" EndTime | sort)
[[ ! ${starts[1]} < ${ends[0]} ]] || fail "backfill tasks overlapped despite the limit of 1 (${starts[*]} / ${ends[*]})"
if [ $HAS_VERIFY = 1 ]; then expect_job "$BACKFILL_VERIFY" COMPLETED 0; fi
[ "$(job_field "$BACKFILL_VERIFY" ArrayTaskId | sort | tr '\n' ' ')" = "0 1 " ] || fail "backfill verify array"

step "backfill 2026-09..2026-10 with BA_ARRAY_LIMIT=2: both tasks run at once, each verified"
[ "$(job_field "$BACKFILL2" ArrayTaskId | sort | tr '\n' ' ')" = "0 1 " ] || fail "backfill2 array tasks: $(job_field "$BACKFILL2" ArrayTaskId)"
job_field "$BACKFILL2" ArrayTaskThrottle | grep -qx 2 || fail "backfill2 array has no concurrency limit of 2: $(job_field "$BACKFILL2" ArrayTaskThrottle)"
expect_job "$BACKFILL2" COMPLETED 0
expect_deliveries "$T/out-backfill2" monthly 2026-09
expect_deliveries "$T/out-backfill2" monthly 2026-10
for task in 0 1; do
  [ -e "$T/together-saw.$BACKFILL2.$task" ] || fail "backfill2 task $task never ran while the other task had started (ran one at a time)"
done
mapfile -t starts < <(job_field "$BACKFILL2" StartTime | sort)
mapfile -t ends < <(job_field "$BACKFILL2" EndTime | sort)
# (Slurm's times have whole seconds: the second task may start in the second the first ends. The
# files above are the evidence of overlap; this only rules out a second task starting later.)
[[ ! ${ends[0]} < ${starts[1]} ]] || fail "backfill2 tasks did not overlap (${starts[*]} / ${ends[*]})"
if [ $HAS_VERIFY = 1 ]; then expect_job "$BACKFILL2_VERIFY" COMPLETED 0; fi
[ "$(job_field "$BACKFILL2_VERIFY" ArrayTaskId | sort | tr '\n' ' ')" = "0 1 " ] || fail "backfill2 verify array"

step "daily.sbatch by hand, no period: the previous day, named in the job"
expect_job "$DAILY" COMPLETED 0
[ "$(job_field "$DAILY" JobName)" = ba-daily-2026-10-14 ] || fail "daily job name is $(job_field "$DAILY" JobName)"
expect_deliveries "$T/out-daily" daily 2026-10-14

step "mpirun launcher"
expect_job "$MPIRUN" COMPLETED 0
expect_log "$MPIRUN" "mpirun $BIN"
expect_deliveries "$T/out-mpirun" monthly 2026-10
if [ $HAS_VERIFY = 1 ]; then expect_job "$MPIRUN_VERIFY" COMPLETED 0; fi

step "a launcher that reports success without running the job: a failure"
expect_job "$NOLAUNCH" FAILED 1
expect_log "$NOLAUNCH" "the launcher reported success, but the job published no new run record"
[ ! -e "$T/out-nolaunch/runs/monthly-2026-10/report.json" ] || fail "the job behind 'true' ran"

step "singleton: two runs of one period do not overlap"
expect_job "$SINGLE1" COMPLETED 0
expect_job "$SINGLE2" COMPLETED 0
expect_job "$SINGLE3" COMPLETED 0
[[ ! $(job_field "$SINGLE2" StartTime) < $(job_field "$SINGLE1" EndTime) ]] ||
  fail "the second run of the period started before the first ended"
# The third waited on nothing but singleton: it ran after the first, and not alongside the second
# (which of the two ran first is Slurm's choice).
[[ ! $(job_field "$SINGLE3" StartTime) < $(job_field "$SINGLE1" EndTime) ]] ||
  fail "the third run of the period (singleton only) started before the first ended"
[[ ! $(job_field "$SINGLE3" StartTime) < $(job_field "$SINGLE2" EndTime) ||
   ! $(job_field "$SINGLE2" StartTime) < $(job_field "$SINGLE3" EndTime) ]] ||
  fail "the second and third runs of the period (singleton only) overlapped"
# Both conditions, while the first run had not ended (Slurm drops a dependency once it holds).
case $SINGLE1_THEN in
  PENDING | RUNNING)
    [[ $SINGLE2_DEPENDENCY == *singleton* && $SINGLE2_DEPENDENCY == *afterany:$SINGLE1* ]] ||
      fail "the run with a site dependency has Dependency='$SINGLE2_DEPENDENCY', expected singleton and afterany:$SINGLE1"
    ;;
  *) echo "note: the first run was $SINGLE1_THEN when the second was submitted: the merged dependency is not checked" ;;
esac
expect_deliveries "$T/out-singleton" monthly 2026-10

step "graceful stop: SIGUSR1 ends the job with exit 75, nothing published"
expect_job "$STOP" FAILED 75
expect_log "$STOP" "SIGUSR1: stopping the job before it publishes anything"
expect_log "$STOP" "exit 75: stopped on request"
expect_nothing_published "$T/out-stop" "stopped job"
expect_job "$STOP_VERIFY" CANCELLED 0

step "graceful stop while publishing: the job finishes and publishes everything"
expect_job "$PUBLISH" COMPLETED 0
expect_log "$PUBLISH" "SIGUSR1: the job is already publishing; letting it finish"
expect_deliveries "$T/out-publishing" monthly 2026-10

step "the real job stopped while publishing (scancel --full TERM, USR1; the time limit): it finishes, exit 0"
# srun sent SIGTERM itself kills its tasks at once (SIGKILL), publishing or not, unless the job is
# already ending (time limit, scancel): the job may finish or die part way, and the script must
# then say so with the step's status, never 75 (which says nothing was published).
expect_log "$PUBTERM" "SIGTERM: the job is already publishing; letting it finish"
! grep -qF "exit 75" "$T"/logs/*-"$PUBTERM".out || fail "job $PUBTERM, stopped while publishing, reports exit 75 (nothing published)"
if [ "$(job_field "$PUBTERM" ExitCode)" = 0:0 ]; then
  expect_job "$PUBTERM" COMPLETED 0
  expect_log "$PUBTERM" "exit 0: success: published"
  expect_deliveries "$T/out-pubterm" monthly 2026-10
else
  code=$(job_field "$PUBTERM" ExitCode)
  [ "${code%%:*}" -gt 128 ] || fail "job $PUBTERM, stopped while publishing, ended with exit code $code"
  expect_log "$PUBTERM" "SIGTERM came while the job was publishing, and the step then failed"
  echo "   (srun killed the publishing job: exit code $code, reported as such)"
fi
expect_job "$PUBUSR1" COMPLETED 0
expect_log "$PUBUSR1" "SIGUSR1: the job is already publishing; letting it finish"
expect_log "$PUBUSR1" "SIGUSR1 arrived while publishing: publication was finished first"
expect_log "$PUBUSR1" "exit 0: success: published"
expect_deliveries "$T/out-pubusr1" monthly 2026-10
# scancel proper: SIGTERM to everything, SIGKILL KillWait seconds later; the job is CANCELLED.
expect_job "$PUBCANCEL" CANCELLED 0
expect_log "$PUBCANCEL" "SIGTERM: the job is already publishing; letting it finish"
expect_log "$PUBCANCEL" "SIGTERM arrived while publishing: publication was finished first"
expect_log "$PUBCANCEL" "exit 0: success: published"
expect_deliveries "$T/out-pubcancel" monthly 2026-10
# Slurm calls a job that reached its limit TIMEOUT whatever it exits with; the exit code is its own.
expect_job "$PUBTIME" TIMEOUT 0
# (slurmctld checks limits every 30 s or so: the warning may come with the limit, or not before it)
grep -qE 'SIG(USR1|TERM): the job is already publishing; letting it finish' "$T"/logs/*-"$PUBTIME".out ||
  fail "job $PUBTIME: its log does not say the stop let it finish publishing"
expect_log "$PUBTIME" "SIGTERM arrived while publishing: publication was finished first"
expect_log "$PUBTIME" "exit 0: success: published"
expect_deliveries "$T/out-pubtime" monthly 2026-10

step "requeue: the job reruns its period from the start"
[ "$(job_field "$REQUEUE" Restarts)" = 1 ] || fail "job $REQUEUE was restarted $(job_field "$REQUEUE" Restarts) times, not once"
expect_job "$REQUEUE" COMPLETED 0
expect_log "$REQUEUE" "restart 1"
[ "$(grep -c 'monthly 2026-10: ' "$T"/logs/*-"$REQUEUE".out)" = 2 ] || fail "job $REQUEUE did not start 2026-10 twice"
expect_deliveries "$T/out-requeue" monthly 2026-10
if [ $HAS_VERIFY = 1 ]; then expect_job "$REQUEUE_VERIFY" COMPLETED 0; fi

echo "1 passed, 0 failed"
