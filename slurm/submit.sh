#!/usr/bin/env bash
# Submits buyer-attribution runs to Slurm, with the settings of the site file.
#
#   slurm/submit.sh [OPTIONS] monthly [YYYY-MM]          one month (default: the previous month, UTC)
#   slurm/submit.sh [OPTIONS] daily [YYYY-MM-DD]         one day (default: the previous day, UTC)
#   slurm/submit.sh [OPTIONS] backfill monthly|daily FROM TO
#                                                       every period FROM..TO as one job array,
#                                                       at most BA_ARRAY_LIMIT at once
# Options:
#   --no-verify   submit the aggregation only
#   --dry-run     print the sbatch commands (on standard error) instead of running them
#   -h, --help    this text
#
# Each aggregation job is named <prefix>-<cadence>-<period> and submitted with
# --dependency=singleton, so a second run of one period waits for the first (a backfill array,
# <prefix>-<cadence>-<FROM>..<TO>, is limited by BA_ARRAY_LIMIT instead; where singleton does not
# hold, the period's lock makes the second run exit 6). The verify job,
# <prefix>-verify-<cadence>-<period>, follows with --dependency=afterok (aftercorr: task by task
# for a backfill) and is cancelled when the aggregation fails. A dependency in BA_SBATCH_OPTS is
# merged into the aggregation's (slurm/README.md, section 2). Prints `aggregate JOBID` and
# `verify JOBID` on standard output. Exits 2 on bad arguments or settings (site file,
# BA_SBATCH_OPTS), else with sbatch's status; when only the verify's sbatch fails, the
# aggregation stays submitted.
set -euo pipefail
BA_SLURM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BA_SLURM_DIR/lib.sh"

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

verify=1
dry_run=0
while [ $# -gt 0 ]; do
  case $1 in
    --no-verify) verify=0 ;;
    --dry-run) dry_run=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; ba_fail "$BA_EXIT_CONFIG" "unknown option $1" ;;
    *) break ;;
  esac
  shift
done
[ $# -gt 0 ] || { usage >&2; ba_fail "$BA_EXIT_CONFIG" "say monthly, daily or backfill"; }

mode=$1
shift
backfill=0
case $mode in
  monthly | daily)
    cadence=$mode
    [ $# -le 1 ] || ba_fail "$BA_EXIT_CONFIG" "$mode takes at most one period"
    ;;
  backfill)
    backfill=1
    [ $# -eq 3 ] || ba_fail "$BA_EXIT_CONFIG" "backfill takes a cadence and two periods: backfill monthly|daily FROM TO"
    cadence=$1
    ba_check_cadence "$cadence"
    ;;
  *) usage >&2; ba_fail "$BA_EXIT_CONFIG" "unknown mode '$mode': say monthly, daily or backfill" ;;
esac

ba_load_site

if [ $backfill = 1 ]; then
  from=$2 to=$3
  ba_check_period "$cadence" "$from"
  ba_check_period "$cadence" "$to"
  count=$(ba_period_count "$cadence" "$from" "$to")
  [ "$count" -ge 1 ] || ba_fail "$BA_EXIT_CONFIG" "backfill: $to comes before $from"
  label=$from..$to
  period_args=(--from "$from")
else
  period=${1:-$(ba_previous_period "$cadence")}
  ba_check_period "$cadence" "$period"
  label=$period
  period_args=("$period")
fi

# Sets site_opts to the words of BA_SBATCH_OPTS without a dependency option, and site_dependency
# to that option's value (empty when none). sbatch keeps only one of several --dependency options,
# so the site's is not passed as it stands but merged into the one option each job gets below.
# sbatch's spellings: --dependency=X, --dependency X, -d X, -dX, and any abbreviation of
# --dependency from --dep on (its getopt_long takes a prefix that fits one option only; --de also
# fits --deadline). Its getopt also takes -d at the end of a bundle of short flags: -Hd X, -HdX;
# the flags are kept as a word of their own (-H). Only flags that take no value in sbatch count:
# -h -H -O -Q -s -v -V -W (not -k: current sbatch gives --no-kill an optional value, --no-kill[=off],
# so -kd is --no-kill=d; in -Jd, d is the job name).
split_site_opts() {
  local words=() word given name value i
  ba_words words "$BA_SBATCH_OPTS"
  site_opts=() site_dependency=""
  for ((i = 0; i < ${#words[@]}; i++)); do
    word=${words[i]} given=${words[i]}
    if [[ $word =~ ^-([hHOQsvVW]+)(d.*)$ ]]; then
      site_opts+=("-${BASH_REMATCH[1]}")
      word=-${BASH_REMATCH[2]}
    fi
    name=${word%%=*}
    if [ "$word" = -d ] || { [ ${#name} -ge 5 ] && [[ --dependency == "$name"* ]]; }; then
      if [ "$word" = "$name" ]; then # the value is the next word
        [ $((i + 1)) -lt ${#words[@]} ] || ba_fail "$BA_EXIT_CONFIG" "BA_SBATCH_OPTS: $given without a value"
        i=$((i + 1))
        value=${words[i]}
      else
        value=${word#*=}
      fi
    elif [[ $word == -d?* ]]; then
      value=${word#-d}
    else
      site_opts+=("$word")
      continue
    fi
    [ -n "$value" ] || ba_fail "$BA_EXIT_CONFIG" "BA_SBATCH_OPTS: $given without a value"
    # Two would again be two options to sbatch, which keeps one of them: the site must merge them.
    [ -z "$site_dependency" ] || ba_fail "$BA_EXIT_CONFIG" "BA_SBATCH_OPTS has two dependencies," \
      "$site_dependency and $value: give one, its conditions joined by , (all of them) or ? (any of them)"
    site_dependency=$value
  done
}

# What every job of the site gets.
common=(--parsable --export=ALL)
[ -z "$BA_PARTITION" ] || common+=("--partition=$BA_PARTITION")
[ -z "$BA_ACCOUNT" ] || common+=("--account=$BA_ACCOUNT")
[ -z "$BA_QOS" ] || common+=("--qos=$BA_QOS")
split_site_opts
common+=(${site_opts[@]+"${site_opts[@]}"})
log_pattern=%x-%j.out
[ $backfill = 0 ] || log_pattern=%x-%A_%a.out
if [ -n "$BA_LOG_DIR" ]; then
  [ $dry_run = 1 ] || mkdir -p "$BA_LOG_DIR"
  common+=("--output=$BA_LOG_DIR/$log_pattern")
else
  common+=("--output=$log_pattern")
fi
# One period: singleton, so a second run of it waits for the first. Not for an array: its tasks
# share one job name, and by Slurm's definition of singleton they could run one at a time
# whatever BA_ARRAY_LIMIT says (Slurm 22.05 in the test still ran two at once; the behaviour is
# not relied on either way). The period lock keeps two runs of one period apart: the second
# exits 6.
# A dependency of the site's is merged with singleton into one option (a comma: all must hold).
# Slurm cannot mix , with ? (any of), so a site dependency with ? is kept alone instead, and the
# period lock is then all that keeps two runs of the period apart. An array gets the site's
# without singleton, which would make its tasks wait for one another (see above).
array=()
dependency=$site_dependency
if [ $backfill = 1 ]; then
  array=("--array=0-$((count - 1))%$BA_ARRAY_LIMIT")
  if [[ ,$site_dependency, == *,singleton,* ]]; then
    dependency=$(tr ',' '\n' <<<"$site_dependency" | grep -vx singleton | paste -sd, -) || true
    ba_say "BA_SBATCH_OPTS has the dependency $site_dependency: the backfill array gets it without" \
      "singleton${dependency:+ ($dependency)}, which would hold its tasks to one at a time"
  elif [[ $site_dependency == *singleton* ]]; then
    ba_fail "$BA_EXIT_CONFIG" "BA_SBATCH_OPTS has the dependency $site_dependency: singleton among ? (any of)" \
      "conditions cannot be taken out for a backfill array, whose tasks it would hold to one at a time"
  fi
elif [[ $site_dependency == *'?'* ]]; then
  ba_say "BA_SBATCH_OPTS has the dependency $site_dependency, whose ? (any of) cannot be combined with" \
    "singleton: $cadence $label gets the site's dependency alone, and a second run of it beside this" \
    "one would exit 6 on the period's lock instead of waiting"
elif ! [[ ,$site_dependency, == *,singleton,* ]]; then
  dependency=singleton${site_dependency:+,$site_dependency}
fi
dependency_opts=()
[ -z "$dependency" ] || dependency_opts=("--dependency=$dependency")

case $cadence in
  monthly) time_limit=$BA_TIME_MONTHLY ;;
  daily) time_limit=$BA_TIME_DAILY ;;
esac
aggregate=("${common[@]}" ${array[@]+"${array[@]}"} ${dependency_opts[@]+"${dependency_opts[@]}"}
  "--job-name=$BA_JOB_PREFIX-$cadence-$label"
  "--nodes=$BA_NODES" "--ntasks=$BA_NTASKS" "--cpus-per-task=$BA_CPUS_PER_TASK" "--time=$time_limit"
  "--signal=B:USR1@$BA_STOP_LEAD" --requeue --open-mode=append)
[ -z "$BA_MEM" ] || aggregate+=("--mem=$BA_MEM")

# sbatch_run ARGS...: prints the job id (a placeholder when dry).
sbatch_run() {
  if [ $dry_run = 1 ]; then
    printf '%q ' sbatch "$@" >&2
    printf '\n' >&2
    echo "DRYRUN"
    return 0
  fi
  local id
  id=$(sbatch "$@") || ba_fail $? "sbatch failed: sbatch $*"
  echo "${id%%;*}"
}

export BA_SLURM_DIR BA_SITE_FILE
agg_id=$(sbatch_run "${aggregate[@]}" "$BA_SLURM_DIR/$cadence.sbatch" "${period_args[@]}")
echo "aggregate $agg_id"
ba_say "submitted $cadence $label as job $agg_id${array:+ (${array[0]#--array=})}${dependency:+ ($dependency)}"

if [ $verify = 1 ]; then
  # Verify depends on its aggregation only, not on the site's dependency: the aggregation, which
  # it follows, started only once that held, and verify checks nothing but what the aggregation
  # published. Adding it could only hold verify back for another reason (a singleton of the
  # verify's own name) or cancel it (--kill-on-invalid-dep) while its aggregation still waits.
  dependency=afterok:$agg_id
  [ $backfill = 0 ] || dependency=aftercorr:$agg_id
  verify_opts=("${common[@]}" ${array[@]+"${array[@]}"}
    "--job-name=$BA_JOB_PREFIX-verify-$cadence-$label" "--dependency=$dependency" --kill-on-invalid-dep=yes
    --ntasks=1 "--time=$BA_TIME_VERIFY" --signal=B:USR1@60 --requeue --open-mode=append)
  verify_id=$(sbatch_run "${verify_opts[@]}" "$BA_SLURM_DIR/verify.sbatch" "$cadence" "${period_args[@]}")
  echo "verify $verify_id"
  ba_say "submitted verify of $cadence $label as job $verify_id ($dependency)"
fi
