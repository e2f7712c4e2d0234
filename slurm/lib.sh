# Shared by every script in slurm/ (sourced, bash, under set -euo pipefail). Needs BA_SLURM_DIR,
# the folder holding this file. Nothing here runs on its own.

BA_EXIT_CONFIG=2   # the same code the job uses for bad arguments or configuration
BA_EXIT_STOPPED=75 # stopped on request (time limit near, preemption, scancel); nothing published

ba_say() { printf '[ba-slurm] %s\n' "$*" >&2; }
ba_fail() {
  local code=$1
  shift
  printf 'ba-slurm: error: %s\n' "$*" >&2
  exit "$code"
}

# Reads the site file: BA_SITE_FILE, or site.env beside this file. Values already in the
# environment win over the file's defaults.
ba_load_site() {
  : "${BA_ROOT:=$(cd "$BA_SLURM_DIR/.." && pwd)}"
  BA_SITE_FILE=${BA_SITE_FILE:-$BA_SLURM_DIR/site.env}
  [ -r "$BA_SITE_FILE" ] || ba_fail "$BA_EXIT_CONFIG" "site file $BA_SITE_FILE not found (set BA_SITE_FILE)"
  # Absolute for the jobs, which read it again and may start in another folder (sbatch --chdir).
  [[ $BA_SITE_FILE == /* ]] || BA_SITE_FILE=$(cd "$(dirname "$BA_SITE_FILE")" && pwd)/$(basename "$BA_SITE_FILE")
  # shellcheck source=site.env
  source "$BA_SITE_FILE"
  export BA_SLURM_DIR BA_SITE_FILE
}

# ---- periods (UTC) -----------------------------------------------------------------------------

# The period a scheduled run processes when none is given: the previous month or day, in UTC.
# BA_NOW (any `date -d` text) stands in for the current time, for tests and reruns.
ba_previous_period() {
  local now
  now=$(date -u -d "${BA_NOW:-now}" +%F) || ba_fail "$BA_EXIT_CONFIG" "BA_NOW=$BA_NOW is not a date"
  case $1 in
    monthly) date -u -d "${now:0:7}-01 -1 month" +%Y-%m ;;
    daily) date -u -d "$now -1 day" +%F ;;
  esac
}

ba_check_cadence() {
  case ${1:-} in
    monthly | daily) ;;
    *) ba_fail "$BA_EXIT_CONFIG" "cadence must be monthly or daily, not '${1:-}'" ;;
  esac
}

ba_check_period() {
  local cadence=$1 period=$2 ok=0
  case $cadence in
    monthly) [[ $period =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ ]] && ok=1 ;;
    daily) [[ $period =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] &&
      [ "$(date -u -d "$period" +%F 2>/dev/null)" = "$period" ] && ok=1 ;;
  esac
  [ $ok = 1 ] || ba_fail "$BA_EXIT_CONFIG" "'$period' is not a $cadence period (YYYY-MM for monthly, YYYY-MM-DD for daily)"
}

# ba_period_add CADENCE START N: the period N months or days after START.
ba_period_add() {
  case $1 in
    monthly) date -u -d "$2-01 +$3 month" +%Y-%m ;;
    daily) date -u -d "$2 +$3 day" +%F ;;
  esac
}

# ba_period_count CADENCE FROM TO: how many periods FROM..TO holds (both included).
ba_period_count() {
  case $1 in
    monthly) echo $(((10#${3:0:4} * 12 + 10#${3:5:2}) - (10#${2:0:4} * 12 + 10#${2:5:2}) + 1)) ;;
    daily) echo $((($(date -u -d "$3" +%s) - $(date -u -d "$2" +%s)) / 86400 + 1)) ;;
  esac
}

# ba_job_period CADENCE [PERIOD | --from START]: sets BA_PERIOD inside a job. In order: the
# argument; START plus the array task id (backfill); the period in the job name (so a requeued
# job reruns the period it started with); else the previous period, which is then written into
# the job name for that reason.
ba_job_period() {
  local cadence=$1
  shift
  local name=${SLURM_JOB_NAME:-}
  if [ "${1:-}" = --from ]; then
    [ -n "${2:-}" ] || ba_fail "$BA_EXIT_CONFIG" "--from needs a first period"
    [ -n "${SLURM_ARRAY_TASK_ID:-}" ] || ba_fail "$BA_EXIT_CONFIG" "--from $2 is for job arrays (see submit.sh backfill)"
    ba_check_period "$cadence" "$2"
    BA_PERIOD=$(ba_period_add "$cadence" "$2" "$SLURM_ARRAY_TASK_ID")
  elif [ -n "${1:-}" ]; then
    BA_PERIOD=$1
  elif [[ $name =~ -$cadence-([0-9]{4}-[0-9]{2}(-[0-9]{2})?)$ ]]; then
    BA_PERIOD=${BASH_REMATCH[1]}
  else
    BA_PERIOD=$(ba_previous_period "$cadence")
    if [ -n "${SLURM_JOB_ID:-}" ] && [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
      # The cadence goes in too when the name lacks it (verify.sbatch is `ba-verify`), or a
      # requeue would not find the period in the name.
      [ -n "$name" ] || name=$BA_JOB_PREFIX-$cadence
      [[ $name == *-"$cadence" ]] || name=$name-$cadence
      scontrol update JobId="$SLURM_JOB_ID" JobName="$name-$BA_PERIOD" >/dev/null 2>&1 ||
        ba_say "could not put the period into the job name: a requeue would process the then previous period"
    fi
  fi
  ba_check_period "$cadence" "$BA_PERIOD"
}

# ---- configuration --------------------------------------------------------------------------------

ba_config_file() {
  case $1 in
    monthly) echo "$BA_CONFIG_MONTHLY" ;;
    daily) echo "$BA_CONFIG_DAILY" ;;
  esac
}

# ba_ini_value FILE KEY: the last `KEY = value` of an INI file (empty when absent). A `#` starts
# a comment anywhere on a line, as for the job's own parser (boost program_options).
ba_ini_value() {
  [ -r "$1" ] || return 0
  sed -e 's/#.*//' "$1" | sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" | sed 's/[[:space:]]*$//' | tail -n1
}

# ba_words ARRAY VALUE: sets the array named ARRAY to the words of VALUE, split at blanks and
# line ends (quotes are not removed). Every option variable (BA_SBATCH_OPTS, BA_EXTRA_OPTS,
# BA_SRUN_OPTS, BA_MPIRUN_OPTS) is split here: a plain `read -a` reads the first line only, and a
# site file may spread a value over several lines. read -d '' stops at the end of VALUE only,
# where it returns 1.
ba_words() {
  IFS=$' \t\n' read -r -d '' -a "$1" <<<"$2" || true
}

# ba_extra_words ARRAY: sets the array named ARRAY to the words of BA_EXTRA_OPTS. The one place
# that splits it, so that the words the job is launched with are the ones ba_extra_value reads
# (the run record is looked for under the job's --out).
ba_extra_words() {
  ba_words "$1" "$BA_EXTRA_OPTS"
}

# ba_extra_value NAME: the value of the last `--NAME VALUE` or `--NAME=VALUE` in BA_EXTRA_OPTS
# (empty when absent), which the job takes over the --config file as any command-line option.
ba_extra_value() {
  local extra=() value="" i
  ba_extra_words extra
  for ((i = 0; i < ${#extra[@]}; i++)); do
    case ${extra[i]} in
      "--$1") value=${extra[i + 1]:-} ;;
      "--$1="*) value=${extra[i]#--"$1"=} ;;
    esac
  done
  echo "$value"
}

# The output root of a cadence: BA_OUT or an --out in BA_EXTRA_OPTS (the job refuses both at
# once), else the `out` of its --config file, as the job takes them.
ba_out_dir() {
  local out=$BA_OUT
  [ -n "$out" ] || out=$(ba_extra_value out)
  [ -n "$out" ] || out=$(ba_ini_value "$(ba_config_file "$1")" out)
  [ -n "$out" ] || ba_fail "$BA_EXIT_CONFIG" "no output folder: set BA_OUT in the site file or out = in $(ba_config_file "$1")"
  echo "$out"
}

# ---- the job's environment and launch -------------------------------------------------------------

ba_load_modules() {
  [ -n "$BA_MODULES" ] || return 0
  if ! type module >/dev/null 2>&1; then
    local f
    for f in "$BA_MODULES_INIT" /etc/profile.d/lmod.sh /usr/share/lmod/lmod/init/bash \
      /etc/profile.d/modules.sh /usr/share/modules/init/bash; do
      if [ -n "$f" ] && [ -r "$f" ]; then
        set +u
        # shellcheck disable=SC1090
        source "$f"
        set -u
        break
      fi
    done
  fi
  type module >/dev/null 2>&1 || ba_fail "$BA_EXIT_CONFIG" "BA_MODULES is set but there is no module command (set BA_MODULES_INIT)"
  set +u
  # shellcheck disable=SC2086
  module load $BA_MODULES || { set -u; ba_fail "$BA_EXIT_CONFIG" "module load $BA_MODULES failed"; }
  set -u
}

ba_job_env() {
  ba_load_modules
  if declare -F ba_site_setup >/dev/null; then ba_site_setup; fi
  # OpenMPI's mpirun refuses root without this consent (containers, test machines).
  if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
  [ -x "$BA_BIN" ] || ba_fail "$BA_EXIT_CONFIG" "BA_BIN=$BA_BIN is not an executable (build it, or set BA_BIN in the site file)"
}

# Sets BA_LAUNCH: the MPI launcher and its options, from BA_LAUNCHER.
ba_launcher() {
  local extra=()
  case $BA_LAUNCHER in
    srun)
      BA_LAUNCH=(srun "--mpi=$BA_SRUN_MPI" --kill-on-bad-exit=1)
      ba_words extra "$BA_SRUN_OPTS"
      ;;
    mpirun)
      BA_LAUNCH=("$BA_MPIRUN")
      ba_words extra "$BA_MPIRUN_OPTS"
      ;;
    *) ba_fail "$BA_EXIT_CONFIG" "BA_LAUNCHER must be srun or mpirun, not '$BA_LAUNCHER'" ;;
  esac
  BA_LAUNCH+=(${extra[@]+"${extra[@]}"})
}

ba_exit_meaning() {
  if [ "${BA_VERIFYING:-0}" = 1 ]; then  # verify publishes nothing: its own words for 0 and 75
    case $1 in
      0) echo "success: the deliveries match their manifests (or the run delivered to no seller)"; return ;;
      "$BA_EXIT_STOPPED") echo "stopped on request before verify ended: run verify again"; return ;;
    esac
  fi
  case $1 in
    0) echo "success: published" ;;
    2) echo "bad arguments or configuration" ;;
    3) echo "bad input (missing feed or column, or too many rejects): nothing published" ;;
    4) echo "I/O failure: nothing published" ;;
    5) echo "internal error: nothing published" ;;
    6) echo "another run of the same period holds its lock" ;;
    7) echo "verify: the deliveries do not match their manifests" ;;
    "$BA_EXIT_STOPPED") echo "stopped on request before publishing: nothing published; rerun the period" ;;
    *) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "launcher failure"; fi ;;
  esac
}

# Graceful stop. Slurm sends SIGUSR1 to the batch shell BA_STOP_LEAD seconds before the time
# limit (sbatch --signal=B:USR1@N), SIGTERM on scancel, preemption or the limit itself. The job
# publishes by renames in its last phase, announced by the progress lines "record ... done" and
# "publish ...": stopped before them it has published nothing, so the step is ended; from them on
# it is publishing, which takes seconds, so it is left to finish. Either way nothing partial
# stays published, unless the launcher kills the ranks while they publish (srun itself sent
# SIGTERM, scancel --full --signal=TERM): ba_run_step then says to rerun the period.
ba_on_signal() {
  local sig=$1
  [ -z "$BA_STOP" ] || return 0
  BA_STOP=$sig
  if grep -qE '^\[buyer-attribution\] (record +done|publish)' "$BA_PROGRESS" 2>/dev/null; then
    BA_STOP_PUBLISHING=1
    ba_say "SIG$sig: the job is already publishing; letting it finish"
  else
    ba_say "SIG$sig: stopping the job before it publishes anything"
    kill -TERM "$BA_CHILD" 2>/dev/null || true
  fi
}

# Whether the step published its run record: BA_STEP_RECORD newer than BA_STEP_STARTED (both set
# by the aggregation job; verify has none). With mpirun, whose ranks outlive it, waits up to
# BA_PUBLISH_WAIT seconds (Slurm's SIGKILL, KillWait after SIGTERM, may end the wait first); a
# step srun has ended has no task left, so the record is there or never comes.
ba_record_published() {
  [ -n "${BA_STEP_RECORD:-}" ] && [ -n "${BA_STEP_STARTED:-}" ] || return 1
  local waited=0 patience=0
  [ "${BA_LAUNCHER:-srun}" != mpirun ] || patience=${BA_PUBLISH_WAIT:-20}
  until [ "$BA_STEP_RECORD" -nt "$BA_STEP_STARTED" ]; do
    [ "$waited" -lt "$patience" ] || return 1
    sleep 1
    waited=$((waited + 1))
  done
}

# ba_run_step COMMAND...: runs the job step in the background (so the traps run at once), keeps
# a copy of its progress lines, and sets BA_STEP_RC to its exit status (BA_EXIT_STOPPED when it
# was stopped on request and did not finish).
ba_run_step() {
  BA_PROGRESS=$(mktemp "${TMPDIR:-/tmp}/ba-progress.XXXXXX")
  BA_STOP=""
  BA_STOP_PUBLISHING=0
  trap 'ba_on_signal USR1' USR1
  trap 'ba_on_signal TERM' TERM
  trap 'ba_on_signal INT' INT
  # tee ignores SIGTERM so that the step's error output survives a job-wide SIGTERM.
  "$@" 2> >(trap '' TERM INT USR1; exec tee -a "$BA_PROGRESS" >&2) &
  BA_CHILD=$!
  local rc
  while :; do
    rc=0
    wait "$BA_CHILD" || rc=$?
    # A trapped signal ends `wait` early (status above 128) while the step still runs.
    kill -0 "$BA_CHILD" 2>/dev/null || break
  done
  # The step may end while the trap runs, after `wait` returned early: bash still knows its
  # status (127 when it does not), which is the step's, not the 128+signal of that `wait`.
  if [ -n "$BA_STOP" ] && [ "$rc" -gt 128 ]; then
    local again=0
    wait "$BA_CHILD" 2>/dev/null || again=$?
    [ "$again" -eq 127 ] || rc=$again
  fi
  trap - USR1 TERM INT
  rm -f "$BA_PROGRESS"
  if [ -n "$BA_STOP" ] && [ "$rc" -ne 0 ] && [ "$BA_STOP_PUBLISHING" = 1 ] && ba_record_published; then
    # mpirun, sent SIGTERM, exits 1 at once while its ranks go on publishing: the run record,
    # which the job publishes last, says that they finished.
    ba_say "SIG$BA_STOP came while the job was publishing and the launcher ended with status $rc, but the" \
      "ranks went on and published the period's run record, which comes last: the period is published whole"
    rc=0
  elif [ -n "$BA_STOP" ] && [ "$rc" -ne 0 ] && [ "$BA_STOP_PUBLISHING" = 1 ]; then
    # Not 75: that says nothing was published, and this step may have renamed part of the
    # period into place before it died (srun, itself sent SIGTERM, kills its tasks at once).
    ba_say "SIG$BA_STOP came while the job was publishing, and the step then failed (status $rc):" \
      "part of the period may be published; rerun the period to repair it"
  elif [ -n "$BA_STOP" ] && [ "$rc" -ne 0 ]; then
    ba_say "stopped by SIG$BA_STOP (step status $rc)"
    rc=$BA_EXIT_STOPPED
    if [ "$BA_STOP" = USR1 ] && [ "$BA_REQUEUE_ON_STOP" = 1 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
      if [ "${SLURM_RESTART_COUNT:-0}" -lt "$BA_MAX_REQUEUES" ]; then
        ba_say "requeueing job $SLURM_JOB_ID: it will rerun $BA_PERIOD from the start"
        scontrol requeue "$SLURM_JOB_ID" || ba_say "scontrol requeue failed"
      else
        ba_say "not requeueing: already requeued ${SLURM_RESTART_COUNT:-0} times (BA_MAX_REQUEUES=$BA_MAX_REQUEUES)"
      fi
    fi
  fi
  BA_STEP_RC=$rc
}

ba_header() {
  ba_say "job ${SLURM_JOB_ID:-none}${SLURM_ARRAY_TASK_ID:+ (array task $SLURM_ARRAY_TASK_ID)} on ${SLURM_JOB_NODELIST:-$(hostname -s)}," \
    "restart ${SLURM_RESTART_COUNT:-0}, $(date -u +%FT%TZ)"
  ba_say "$*"
}

ba_finish() {
  ba_say "exit $BA_STEP_RC: $(ba_exit_meaning "$BA_STEP_RC")"
  exit "$BA_STEP_RC"
}

# ---- the batch scripts' bodies ---------------------------------------------------------------------

# ba_run_period CADENCE [PERIOD | --from START]: the aggregation job.
ba_run_period() {
  local cadence=$1
  shift
  ba_load_site
  ba_job_period "$cadence" "$@"
  ba_job_env
  ba_launcher
  local args=(--cadence "$cadence" --period "$BA_PERIOD")
  local config extra=()
  config=$(ba_config_file "$cadence")
  if [ -n "$config" ]; then
    [ -r "$config" ] || ba_fail "$BA_EXIT_CONFIG" "the $cadence config file $config is missing"
    args=(--config "$config" "${args[@]}")
  fi
  [ -z "$BA_FEEDS" ] || args+=(--feeds "$BA_FEEDS")
  [ -z "$BA_OUT" ] || args+=(--out "$BA_OUT")
  ba_extra_words extra
  args+=(${extra[@]+"${extra[@]}"})
  ba_header "$cadence $BA_PERIOD: ${BA_LAUNCH[*]} $BA_BIN ${args[*]}"
  local started record
  started=$(mktemp "${TMPDIR:-/tmp}/ba-started.XXXXXX")
  touch -d "@$(($(date +%s) - 2))" "$started" # file systems with coarse time stamps
  record="$(ba_out_dir "$cadence")/runs/$cadence-$BA_PERIOD/report.json"
  BA_STEP_RECORD=$record BA_STEP_STARTED=$started
  ba_run_step "${BA_LAUNCH[@]}" "$BA_BIN" "${args[@]}"
  BA_STEP_RECORD="" BA_STEP_STARTED=""
  # A launcher may report success without having run the job (srun after "task launch failed"
  # exited 0 here): a run that succeeded has published its period's run record just now.
  if [ "$BA_STEP_RC" -eq 0 ] && ! [ "$record" -nt "$started" ]; then
    ba_say "the launcher reported success, but the job published no new run record ($record): it did not run"
    BA_STEP_RC=1
  fi
  rm -f "$started"
  ba_finish
}

# ba_run_verify CADENCE [PERIOD | --from START]: checks the published deliveries of a period
# against their manifests (one process, no MPI launcher).
ba_run_verify() {
  local cadence=${1:-}
  ba_check_cadence "$cadence"
  shift
  ba_load_site
  ba_job_period "$cadence" "$@"
  ba_job_env
  local out
  out=$(ba_out_dir "$cadence")
  local args=(verify --out "$out" --cadence "$cadence" --period "$BA_PERIOD")
  BA_VERIFYING=1
  ba_header "verify $cadence $BA_PERIOD: $BA_BIN ${args[*]}"
  ba_run_step "$BA_BIN" "${args[@]}"
  ba_finish
}
