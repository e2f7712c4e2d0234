#!/usr/bin/env bash
# The command line and the --config file: options from the file (the command line wins), and
# every mistake in them exits 2 with a message naming the file, the line and the reason.
source "$(dirname "$0")/lib.sh"

# expect_bad_arguments WHAT PATTERN ARGS...: the job exits 2 and says PATTERN.
expect_bad_arguments() {
  local what=$1 pattern=$2 rc=0
  shift 2
  "$MPIEXEC" -n 1 "$BIN" "$@" > "$WORK/cli.log" 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || { cat "$WORK/cli.log" >&2; fail "$what: exit $rc, expected 2"; }
  grep -q -- "$pattern" "$WORK/cli.log" || { cat "$WORK/cli.log" >&2; fail "$what: the message does not say '$pattern'"; }
}

"$MPIEXEC" -n 1 "$BIN" --help > "$WORK/help.txt" || fail "--help failed"
for word in --feeds --out --cadence --period --config --chunk-size "Exit status" verify; do
  grep -q -- "$word" "$WORK/help.txt" || fail "--help does not mention $word"
done
# --help prints the help and exits 0 whatever else is on the command line; the --config file is
# then not read, so a broken or missing one cannot keep the help away, nor can a bad option.
helps() {  # helps HELP-FILE ARGS...: the job prints the help of HELP-FILE and exits 0
  local expected=$1 rc=0
  shift
  "$MPIEXEC" -n 1 "$BIN" "$@" > "$WORK/help-again.txt" 2> "$WORK/cli.log" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$WORK/cli.log" >&2; fail "$*: exit $rc, expected the help and 0"; }
  cmp -s "$expected" "$WORK/help-again.txt" || fail "$* does not print the help"
}
printf 'feeds = /data\nnonsense\n' > "$WORK/broken.ini"
helps "$WORK/help.txt" --config "$WORK/broken.ini" --help
helps "$WORK/help.txt" --help --config "$WORK/broken.ini" --period 2026-10
helps "$WORK/help.txt" --config "$WORK/none.ini" -h
helps "$WORK/help.txt" --chunk-size 0 --no-such-option --out --help
# A word boost cannot split even as an unknown option: `--out=` (an empty variable after the =).
helps "$WORK/help.txt" --out= --help
helps "$WORK/help.txt" -h --feeds= --period 2026-10
# Every option that takes a value names it (no bare "arg"); --version answers like --help.
! grep -E -- '--[a-z-]+ arg' "$WORK/help.txt" || fail "--help shows an option's value as 'arg'"
"$MPIEXEC" -n 1 "$BIN" --config "$WORK/broken.ini" --version > "$WORK/version.txt" 2> "$WORK/cli.log" ||
  fail "--version with a broken --config failed"
grep -q '^buyer-attribution [0-9]' "$WORK/version.txt" || fail "--version does not print the version"
"$MPIEXEC" -n 1 "$BIN" --out= --version > "$WORK/version.txt" 2> "$WORK/cli.log" || fail "--out= --version failed"
grep -q '^buyer-attribution [0-9]' "$WORK/version.txt" || fail "--out= --version does not print the version"
# A word that is no option's value is an error naming it, not dropped (here a second period).
expect_bad_arguments "a stray word" "unexpected '2026-11' on the command line" --feeds "$FEEDS" --out "$WORK/x" \
  --period 2026-10 2026-11
expect_bad_arguments "a stray word for verify" "unexpected 'stray' on the command line" verify --out "$WORK/x" stray
expect_bad_arguments "the stray words' own name, typed" "unrecognised option '--unexpected-words'" \
  --feeds "$FEEDS" --out "$WORK/x" --period 2026-10 --unexpected-words 2026-11
# Long options are spelt in full: an abbreviation boost would guess is refused (slurm/lib.sh reads
# --out from BA_EXTRA_OPTS by its full name).
expect_bad_arguments "an abbreviated option" "unrecognised option '--ou'" --feeds "$FEEDS" --ou "$WORK/x" --period 2026-10
expect_bad_arguments "an abbreviated option for verify" "unrecognised option '--ou'" verify --ou "$WORK/x"
[ ! -e "$WORK/x" ] || fail "a refused command line made its output folder"
"$MPIEXEC" -n 1 "$BIN" verify --version > "$WORK/version.txt" 2> "$WORK/cli.log" || fail "verify --version failed"
grep -q '^buyer-attribution [0-9]' "$WORK/version.txt" || fail "verify --version does not print the version"

# The shipped monthly job file, pointed at the sample; --out on the command line wins over the file's.
config=$WORK/monthly.ini
sed -e "s|^feeds = .*|feeds = $FEEDS|" -e "s|^out = .*|out = $WORK/from-file|" -e 's/^max-reject-fraction = .*/max-reject-fraction = 0.05/' \
  "$ROOT/jobs/monthly.ini" > "$config"
"$MPIEXEC" -n 2 --oversubscribe "$BIN" --config "$config" --period 2026-10 --quiet --out "$WORK/from-cli" ||
  fail "a run from the monthly job file failed"
[ ! -e "$WORK/from-file" ] || fail "the file's out won over the command line's"
compare_with_expected "$WORK/from-cli" monthly 2026-10

# Mistakes in the file, each on a known line (line 1 is the original first line).
bad() {  # bad WHAT LINE-TEXT PATTERN: LINE-TEXT appended to a copy of the job file is rejected
  cp "$config" "$WORK/bad.ini"
  echo "$2" >> "$WORK/bad.ini"
  local line
  line=$(wc -l < "$WORK/bad.ini")
  expect_bad_arguments "$1" "--config $WORK/bad.ini: line $line: .*$3" --config "$WORK/bad.ini" --period 2026-10
}
bad "an unknown option" "chunksize = 8M" "unrecognised option 'chunksize'"
bad "a line without =" "feeds /data" "invalid line"
bad "a value of the wrong type" "max-reject-fraction = 1%" "max-reject-fraction"
bad "an option set twice" "chunk-size = 4M" "chunk-size is set again (first on line 6)"
bad "a section" "[monthly]" "sections are not used"
# An empty value is a mistake for a switch as for any option: boost would take `quiet =` for true.
bad "an empty switch" "quiet =" "quiet has no value: write quiet = true or quiet = false"
bad "an empty switch with a comment" "allow-open-period = # for previews" "allow-open-period has no value"
bad "a switch neither true nor false" "quiet = maybe" "the argument ('maybe') for option 'quiet' is invalid"
# A switch given a value: true, 1, yes turn it on; false, 0, no leave it off. Seen on the
# progress lines of a run that stops in its first phase (no feeds folder: exit 3).
for value in true 1 yes false 0 no; do
  printf 'quiet = %s\n' "$value" > "$WORK/quiet.ini"
  rc=0; "$MPIEXEC" -n 1 "$BIN" --config "$WORK/quiet.ini" --feeds "$WORK/no-feeds" --out "$WORK/never" --period 2026-10 \
    > "$WORK/cli.log" 2>&1 || rc=$?
  [ "$rc" -eq 3 ] || { cat "$WORK/cli.log" >&2; fail "quiet = $value: exit $rc, expected 3 (no feeds folder)"; }
  progress=shown
  grep -q '^\[buyer-attribution\] plan ' "$WORK/cli.log" || progress=none
  case $value in true | 1 | yes) want=none ;; *) want=shown ;; esac
  [ "$progress" = "$want" ] || { cat "$WORK/cli.log" >&2; fail "quiet = $value: progress lines $progress, expected $want"; }
done
expect_bad_arguments "a missing config file" "--config $WORK/none.ini: cannot open" --config "$WORK/none.ini"
# A folder opens as a file but cannot be read: it must not pass for a file with no options.
mkdir -p "$WORK/folder.ini"
expect_bad_arguments "a folder as the config file" "--config $WORK/folder.ini: cannot read the file" \
  --config "$WORK/folder.ini" --feeds "$FEEDS" --out "$WORK/x" --period 2026-10

# Mistakes on the command line.
# A period that has not ended (a day of the next year, computed from the clock, so the test
# never goes stale) is refused before anything is made under --out; --allow-open-period runs it
# (here it then finds no feed files for that month: exit 3, not 2).
future_day=$(( $(date -u +%Y) + 1 ))-01-15
expect_bad_arguments "a period that has not ended" "--period $future_day has not ended yet (it ends at $(( $(date -u +%Y) + 1 ))-01-16T00:00:00Z)" \
  --feeds "$FEEDS" --out "$WORK/open" --cadence daily --period "$future_day"
[ ! -e "$WORK/open" ] || fail "a refused open period made $WORK/open"
rc=0; "$MPIEXEC" -n 1 "$BIN" --feeds "$FEEDS" --out "$WORK/open" --cadence daily --period "$future_day" --allow-open-period \
  > "$WORK/cli.log" 2>&1 || rc=$?
[ "$rc" -eq 3 ] && grep -q "missing input" "$WORK/cli.log" || { cat "$WORK/cli.log" >&2; fail "--allow-open-period: exit $rc, expected 3 (no feeds for that month)"; }
expect_bad_arguments "an overflowing size" "larger than 1G, the most it may be" --feeds "$FEEDS" --out "$WORK/x" --period 2026-10 \
  --chunk-size 99999999999G
expect_bad_arguments "a reject fraction above 1" "--max-reject-fraction 2 is not between 0 and 1" --feeds "$FEEDS" \
  --out "$WORK/x" --period 2026-10 --max-reject-fraction 2
expect_bad_arguments "a size without digits" "not a positive size" --feeds "$FEEDS" --out "$WORK/x" --period 2026-10 \
  --round-size M
expect_bad_arguments "a period that is not a month" "not a month YYYY-MM" --feeds "$FEEDS" --out "$WORK/x" --period 2026-1
# The most common slip: a day without --cadence daily (monthly is the default), and the reverse.
expect_bad_arguments "a day with the default cadence" "not a month YYYY-MM .*a day needs --cadence daily" \
  --feeds "$FEEDS" --out "$WORK/x" --period 2026-10-14
expect_bad_arguments "a month with --cadence daily" "not a day YYYY-MM-DD .*a month needs --cadence monthly" \
  --feeds "$FEEDS" --out "$WORK/x" --cadence daily --period 2026-10
# A mistyped --feeds fails (bad input, 3) before anything is made under --out: not even OUT itself.
rc=0; "$MPIEXEC" -n 1 "$BIN" --feeds "$WORK/no-feeds" --out "$WORK/never/out" --period 2026-10 > "$WORK/cli.log" 2>&1 || rc=$?
[ "$rc" -eq 3 ] && grep -q -- "--feeds $WORK/no-feeds is not a folder" "$WORK/cli.log" ||
  { cat "$WORK/cli.log" >&2; fail "a missing feeds folder: exit $rc"; }
[ ! -e "$WORK/never" ] || fail "a run with a missing feeds folder made its output folder"
expect_bad_arguments "a misspelt injected phase" "inject-failure 'dedupe@1' is not PHASE" --feeds "$FEEDS" --out "$WORK/x" \
  --period 2026-10 --inject-failure dedupe@1
expect_bad_arguments "verify with a misspelt cadence" "not one of: monthly, daily" verify --out "$WORK/from-cli" \
  --cadence weekly --period 2026-10
expect_bad_arguments "verify with a misspelt period" "not a month YYYY-MM" verify --out "$WORK/from-cli" \
  --cadence monthly --period 2026-13
"$BIN" verify --out "$WORK/from-cli" --cadence monthly --period 2026-10 > /dev/null || fail "verify of a good delivery failed"
# A re-export given a --period exports that period's store or nothing (the store's own period
# would otherwise be published instead, silently); the matching period is taken.
expect_bad_arguments "a re-export of a store of another period" \
  "--store $WORK/from-cli/store/monthly-2026-10.h5 holds monthly 2026-10, not the --cadence monthly --period 2026-09" \
  --stage export --store "$WORK/from-cli/store/monthly-2026-10.h5" --out "$WORK/reexport" --period 2026-09
[ ! -e "$WORK/reexport" ] || fail "a refused re-export made its output folder"
"$MPIEXEC" -n 1 "$BIN" --stage export --store "$WORK/from-cli/store/monthly-2026-10.h5" --out "$WORK/reexport" \
  --period 2026-10 > "$WORK/reexport.out" 2> "$WORK/reexport.err" || fail "a re-export with the store's own --period failed"
# Its progress lines name every phase, publish too (stop signals are held from there on), and
# standard output where the deliveries went.
for phase in read-store by-seller export publish; do
  grep -q "^\[buyer-attribution\] $phase  *done: " "$WORK/reexport.err" ||
    { cat "$WORK/reexport.err" >&2; fail "a re-export prints no progress line for $phase"; }
done
grep -qx "deliveries: $WORK/reexport/deliveries (3 sellers, from $WORK/from-cli/store/monthly-2026-10.h5)" "$WORK/reexport.out" ||
  { cat "$WORK/reexport.out" >&2; fail "a re-export does not say where its deliveries went"; }
# --inject-failure reaches a re-export's phases: each fails it (exit 4) before anything of it is
# published. A phase of the other stage is refused, not silently ignored.
for phase in read-store by-seller@0 export publish; do
  rc=0
  "$MPIEXEC" -n 1 "$BIN" --stage export --store "$WORK/from-cli/store/monthly-2026-10.h5" --out "$WORK/reexport-failed" \
    --inject-failure "$phase" > "$WORK/reexport-failed.log" 2>&1 || rc=$?
  [ "$rc" -eq 4 ] || { cat "$WORK/reexport-failed.log" >&2; fail "a re-export with --inject-failure $phase: exit $rc, expected 4"; }
  grep -q "injected failure in phase ${phase%@*}" "$WORK/reexport-failed.log" ||
    { cat "$WORK/reexport-failed.log" >&2; fail "a re-export with --inject-failure $phase does not say it failed there"; }
  [ ! -e "$WORK/reexport-failed/deliveries" ] || fail "a re-export failed in $phase published deliveries"
done
# A re-export stalled where it starts publishing has published nothing yet; a stop signal then is
# held until its deliveries are in place, as for a run from the feeds.
"$MPIEXEC" -n 2 --oversubscribe "$BIN" --stage export --store "$WORK/from-cli/store/monthly-2026-10.h5" \
  --out "$WORK/reexport-stalled" --inject-failure stall:publishing@0 > "$WORK/reexport-stalled.log" 2>&1 &
launcher=$!
pid=$(stalled_pid "$WORK/reexport-stalled.log" $launcher "a re-export stalled in publishing") || exit 1
# (Rank 1 goes on to make the seller folders, as in a run from the feeds; no file moves before
# every rank has checked its targets.)
[ -z "$(find "$WORK/reexport-stalled/deliveries" -type f 2>/dev/null | head -n 1)" ] ||
  fail "a re-export stalled before publishing had published files"
kill -TERM "$pid"
rc=0
wait $launcher || rc=$?
[ "$rc" -eq 0 ] || { cat "$WORK/reexport-stalled.log" >&2; fail "a re-export stopped while publishing: exit $rc, expected 0"; }
diff -r "$WORK/reexport/deliveries" "$WORK/reexport-stalled/deliveries" >&2 ||
  fail "a re-export stopped while publishing did not publish its deliveries whole"
for injected in read:read stall:aggregate@0:aggregate lose-row:lose-row; do
  expect_bad_arguments "--inject-failure ${injected%:*} of a re-export" "--stage export has no ${injected##*:} to fail" \
    --stage export --store "$WORK/from-cli/store/monthly-2026-10.h5" --out "$WORK/reexport-failed" \
    --inject-failure "${injected%:*}"
done
expect_bad_arguments "--inject-failure read-store of a run from the feeds" "--stage all has no read-store to fail" \
  --feeds "$FEEDS" --out "$WORK/x" --period 2026-10 --inject-failure read-store
# A run that delivers to one seller says "1 seller" (only seller A enrolled for the month).
cp -a "$FEEDS" "$WORK/feeds-one-seller"
sed -i '/^acc-seller-[b-e],/d' "$WORK/feeds-one-seller/enrollment/enrollment.csv"
FEEDS=$WORK/feeds-one-seller run_job 1 "$WORK/one-seller" monthly 2026-10 || fail "the run with one seller enrolled failed"
grep -qx "deliveries: $WORK/one-seller/deliveries (1 seller)" "$WORK/last-run.log" ||
  { cat "$WORK/last-run.log" >&2; fail "a run that delivers to one seller does not say '(1 seller)'"; }
"$BIN" verify --help > "$WORK/verify-help.txt" || fail "verify --help failed"
helps "$WORK/verify-help.txt" verify --no-such-option --cadence weekly --help
helps "$WORK/verify-help.txt" verify --out= --help
grep -q '^  7  the deliveries do not match' "$WORK/verify-help.txt" && ! grep -q 'store and run record published' "$WORK/verify-help.txt" ||
  fail "verify --help does not give verify's own exit codes"
# Every verify option that takes a value names it, as the job's options do, and the job's --help
# shows verify's usage as verify --help does.
for option in "--out DIR" "--cadence monthly|daily" "--period YYYY-MM|YYYY-MM-DD"; do
  grep -qF -- "  $option " "$WORK/verify-help.txt" || fail "verify --help does not show '$option'"
done
! grep -E '^ +-.* arg( |$)' "$WORK/verify-help.txt" || fail "verify --help shows an option's value as 'arg'"
usage=$(sed -n 's/^Usage: //p' "$WORK/verify-help.txt")
grep -qF -- "       $usage" "$WORK/help.txt" || fail "--help does not show verify's usage as verify --help does ($usage)"

# The Slurm scripts read `out` from a job file as the job does: a `#` starts a comment anywhere.
printf 'out = %s # the root\n# out = /elsewhere\n' "$WORK/o" > "$WORK/c.ini"
got=$(bash -c 'source "$1/slurm/lib.sh" && ba_ini_value "$2" out' _ "$ROOT" "$WORK/c.ini")
[ "$got" = "$WORK/o" ] || fail "slurm/lib.sh reads out = as '$got', not '$WORK/o'"
# The wrapper looks for the new run record where the job writes it: BA_OUT, else an --out in
# BA_EXTRA_OPTS (either spelling), else the config file's out.
got=$(BA_OUT= BA_EXTRA_OPTS="--max-reject-fraction 0.05 --out $WORK/x" BA_CONFIG_MONTHLY="$WORK/c.ini" \
  bash -c 'source "$1/slurm/lib.sh" && ba_out_dir monthly' _ "$ROOT")
[ "$got" = "$WORK/x" ] || fail "slurm/lib.sh takes the output root as '$got', not the --out in BA_EXTRA_OPTS"
got=$(BA_OUT= BA_EXTRA_OPTS="--out=$WORK/y --quiet" BA_CONFIG_MONTHLY="$WORK/c.ini" \
  bash -c 'source "$1/slurm/lib.sh" && ba_out_dir monthly' _ "$ROOT")
[ "$got" = "$WORK/y" ] || fail "slurm/lib.sh takes the output root as '$got', not the --out= in BA_EXTRA_OPTS"
got=$(BA_OUT= BA_EXTRA_OPTS="--quiet" BA_CONFIG_MONTHLY="$WORK/c.ini" \
  bash -c 'source "$1/slurm/lib.sh" && ba_out_dir monthly' _ "$ROOT")
[ "$got" = "$WORK/o" ] || fail "slurm/lib.sh takes the output root as '$got', not the config file's out"
# A site file may spread an option variable over several lines: all of them count, not the first.
got=$(BA_OUT='' BA_EXTRA_OPTS=$'--max-reject-fraction 0.05\n  --out '"$WORK/z" BA_CONFIG_MONTHLY="$WORK/c.ini" \
  bash -c 'source "$1/slurm/lib.sh" && ba_out_dir monthly' _ "$ROOT")
[ "$got" = "$WORK/z" ] || fail "slurm/lib.sh takes the output root as '$got', not the --out on BA_EXTRA_OPTS's second line"
# BA_EXTRA_OPTS is split into words in one place, ba_extra_words, so the job is launched with
# the words in which the wrapper looks for --out (the run record it then requires). Here that
# function is replaced: both the launch (a fake mpirun that records its arguments) and the
# run-record path must show the replacement's words, not BA_EXTRA_OPTS's.
cat > "$WORK/extra.sh" <<'EOF'
source "$1/slurm/lib.sh"
set -euo pipefail
work=$2
ba_extra_words() { read -ra "$1" <<<"--out $work/seen --max-reject-fraction 0.5"; }
ba_run_period monthly 2026-10
EOF
cat > "$WORK/fake-mpirun" <<EOF
#!/bin/sh
printf '%s\n' "\$@" > "$WORK/launch.args"
EOF
chmod +x "$WORK/fake-mpirun"
rc=0
BA_SLURM_DIR=$ROOT/slurm BA_LAUNCHER=mpirun BA_MPIRUN=$WORK/fake-mpirun BA_MPIRUN_OPTS='' BA_BIN=/bin/true BA_OUT='' \
  BA_MODULES='' BA_EXTRA_OPTS="--out $WORK/unseen" bash "$WORK/extra.sh" "$ROOT" "$WORK" > /dev/null 2> "$WORK/extra.log" || rc=$?
launched=$(tr '\n' ' ' < "$WORK/launch.args" 2>/dev/null) || true
[[ $launched == *" --out $WORK/seen --max-reject-fraction 0.5 " ]] ||
  { cat "$WORK/extra.log" >&2; fail "the job is not launched with the words of ba_extra_words but with: $launched"; }
# The fake launcher publishes nothing: exit 1, naming the record it looked for under that --out.
if [ "$rc" -ne 1 ] || ! grep -qF "no new run record ($WORK/seen/runs/monthly-2026-10/report.json)" "$WORK/extra.log"; then
  cat "$WORK/extra.log" >&2
  fail "the wrapper does not look for the run record under the --out of ba_extra_words (exit $rc)"
fi
# The launch has the words of every line of BA_MPIRUN_OPTS and BA_EXTRA_OPTS (as does srun, of
# BA_SRUN_OPTS), and the run record is looked for under an --out on a second line.
rm -f "$WORK/launch.args"
rc=0
BA_SLURM_DIR=$ROOT/slurm BA_LAUNCHER=mpirun BA_MPIRUN=$WORK/fake-mpirun BA_MPIRUN_OPTS=$'--mca btl ^openib\n  --bind-to core' \
  BA_BIN=/bin/true BA_OUT='' BA_MODULES='' BA_EXTRA_OPTS=$'--max-reject-fraction 0.5\n  --out '"$WORK/lines" \
  bash -c 'source "$1/slurm/lib.sh" && set -euo pipefail && ba_run_period monthly 2026-10' _ "$ROOT" \
  > /dev/null 2> "$WORK/lines.log" || rc=$?
launched=$(tr '\n' ' ' < "$WORK/launch.args" 2>/dev/null) || true
[[ $launched == "--mca btl ^openib --bind-to core /bin/true "*" --max-reject-fraction 0.5 --out $WORK/lines " ]] ||
  { cat "$WORK/lines.log" >&2; fail "options over two lines: the job is launched with: $launched"; }
if [ "$rc" -ne 1 ] || ! grep -qF "no new run record ($WORK/lines/runs/monthly-2026-10/report.json)" "$WORK/lines.log"; then
  cat "$WORK/lines.log" >&2
  fail "the wrapper does not look for the run record under the --out on BA_EXTRA_OPTS's second line (exit $rc)"
fi
got=$(BA_LAUNCHER=srun BA_SRUN_MPI=pmix BA_SRUN_OPTS=$'--cpu-bind=cores\n--overlap' \
  bash -c 'source "$1/slurm/lib.sh" && set -euo pipefail && ba_launcher && echo "${BA_LAUNCH[*]}"' _ "$ROOT")
[ "$got" = "srun --mpi=pmix --kill-on-bad-exit=1 --cpu-bind=cores --overlap" ] ||
  fail "BA_SRUN_OPTS over two lines: the launcher is '$got'"
# A job submitted without a period puts the period into its name, with the cadence, so that a
# requeue reruns that period: also verify.sbatch, named ba-verify, not ba-<cadence>.
cat > "$WORK/name.sh" <<'EOF'
source "$1/slurm/lib.sh"
args_file=$2/scontrol.args
scontrol() { echo "$@" > "$args_file"; }
SLURM_JOB_ID=7 SLURM_JOB_NAME=$3
ba_job_period monthly
echo "$BA_PERIOD"
EOF
previous=$(bash -c 'source "$1/slurm/lib.sh" && ba_previous_period monthly' _ "$ROOT")
for name in ba-verify ba-monthly; do
  rm -f "$WORK/scontrol.args"
  got=$(bash "$WORK/name.sh" "$ROOT" "$WORK" "$name")
  want=$name-monthly-$previous
  [ $name = ba-monthly ] && want=$name-$previous
  [ "$got" = "$previous" ] && grep -q "JobName=$want\$" "$WORK/scontrol.args" ||
    fail "a job named $name without a period is renamed '$(cat "$WORK/scontrol.args" 2>/dev/null)', not $want"
  # Another "now" (the requeue may come days later): the period must come from the name.
  got=$(BA_NOW=2020-06-15 bash "$WORK/name.sh" "$ROOT" "$WORK" "$want")
  [ "$got" = "$previous" ] || fail "a requeued job named $want processes '$got', not $previous"
done
got=$(bash "$WORK/name.sh" "$ROOT" "$WORK" ba-verify-monthly-2025-03)
[ "$got" = 2025-03 ] || fail "a requeued job named ba-verify-monthly-2025-03 processes '$got'"
# The batch scripts' step status: a stop signal that comes as the step ends (here: while the
# trap's grep is slow) must not turn the step's own status into 128+signal.
cat > "$WORK/step.sh" <<'EOF'
source "$1/slurm/lib.sh"
set -euo pipefail
grep() { sleep 1; command grep "$@"; }
BA_REQUEUE_ON_STOP=0 BA_MAX_REQUEUES=0 BA_PERIOD=2026-10
( sleep 0.3; kill -USR1 $$ ) &
ba_run_step bash -c 'echo "[buyer-attribution] publish    ..." >&2; sleep 0.6; exit 0'
echo "$BA_STEP_RC"
EOF
got=$(bash "$WORK/step.sh" "$ROOT" 2> "$WORK/step.log")
[ "$got" = 0 ] || { cat "$WORK/step.log" >&2; fail "a step that published and exited 0 during a stop signal ends with $got"; }
# mpirun, sent SIGTERM while the job publishes, exits 1 at once while its ranks finish: the run
# record, published last, tells the wrapper that the period is whole (exit 0, not 1). Without a
# new record the step's failure stands.
cat > "$WORK/launcher.sh" <<'EOF'
source "$1/slurm/lib.sh"
set -euo pipefail
BA_REQUEUE_ON_STOP=0 BA_MAX_REQUEUES=0 BA_PERIOD=2026-10 BA_PUBLISH_WAIT=10 BA_LAUNCHER=mpirun
BA_STEP_RECORD=$2/report.json BA_STEP_STARTED=$(mktemp "$2/started.XXXXXX")
touch -d "@$(($(date +%s) - 2))" "$BA_STEP_STARTED"
publishes=$3 wrapper=$$
# The fake launcher: says it publishes, leaves a "rank" behind that publishes the record 2 s
# later (or never), passes SIGTERM to the wrapper as Slurm would, and exits 1 as mpirun does.
ba_run_step bash -c '
  echo "[buyer-attribution] publish    ..." >&2
  [ "$3" = 1 ] && (sleep 2; touch "$1") &
  sleep 0.5; kill -TERM "$2"; sleep 0.3; exit 1' _ "$BA_STEP_RECORD" "$wrapper" "$publishes"
echo "$BA_STEP_RC"
EOF
mkdir "$WORK/launch1" "$WORK/launch0"
got=$(bash "$WORK/launcher.sh" "$ROOT" "$WORK/launch1" 1 2> "$WORK/launch1.log")
[ "$got" = 0 ] && grep -q 'the period is published whole' "$WORK/launch1.log" ||
  { cat "$WORK/launch1.log" >&2; fail "a launcher that exits 1 on SIGTERM while its ranks publish ends with $got"; }
got=$(bash "$WORK/launcher.sh" "$ROOT" "$WORK/launch0" 0 2> "$WORK/launch0.log")
[ "$got" = 1 ] && grep -q 'part of the period may be published' "$WORK/launch0.log" ||
  { cat "$WORK/launch0.log" >&2; fail "a step that failed while publishing, with no new run record, ends with $got"; }
# slurm/submit.sh: one period is a singleton (a second run of it waits); a backfill array is
# not, or its tasks, which share one job name, would run one at a time whatever the limit.
"$ROOT/slurm/submit.sh" --dry-run monthly 2025-03 > /dev/null 2> "$WORK/one.txt" || fail "submit --dry-run monthly failed"
grep -q '^sbatch .*--dependency=singleton .*monthly.sbatch 2025-03' "$WORK/one.txt" || fail "one period is not a singleton"
BA_ARRAY_LIMIT=2 "$ROOT/slurm/submit.sh" --dry-run backfill monthly 2025-01 2025-03 > /dev/null 2> "$WORK/array.txt" ||
  fail "submit --dry-run backfill failed"
grep -q '^sbatch .*--array=0-2%2 .*monthly.sbatch --from 2025-01' "$WORK/array.txt" || fail "the backfill is not an array of 3, 2 at once"
grep -q singleton "$WORK/array.txt" && fail "the backfill array is a singleton: its tasks would run one at a time"
# ... nor through a directive of the batch script, which applies when the command line has none.
grep -n '^#SBATCH --dependency' "$ROOT"/slurm/*.sbatch && fail "a batch script sets its own dependency, also for arrays"
# A dependency of the site's (BA_SBATCH_OPTS), in any of sbatch's spellings, is merged with
# singleton into one option: sbatch keeps only one of several. One with ? (any of) cannot be, and
# is kept alone, with a warning; a backfill array gets it unchanged. Verify depends on its
# aggregation only (slurm/README.md). sbatch_dependency FILE N: the dependency words of the
# Nth sbatch line in FILE, with printf %q's backslashes removed.
sbatch_dependency() {
  grep '^sbatch ' "$1" | sed -n "$2p" | sed 's/[\]//g' | tr ' ' '\n' | grep -E -- '^(-d|--dep|afterok:1)' | tr '\n' ' '
}
for site in "--dependency=afterok:11" "--dependency afterok:11" "-d afterok:11" "-dafterok:11" "--depend=afterok:11"; do
  BA_SBATCH_OPTS="--exclusive $site --constraint=ib" "$ROOT/slurm/submit.sh" --dry-run monthly 2025-03 > /dev/null \
    2> "$WORK/dep.txt" || fail "submit --dry-run with BA_SBATCH_OPTS='$site' failed"
  got=$(sbatch_dependency "$WORK/dep.txt" 1)
  [ "$got" = "--dependency=singleton,afterok:11 " ] || fail "BA_SBATCH_OPTS='$site': the aggregation gets '$got'"
  got=$(sbatch_dependency "$WORK/dep.txt" 2)
  [ "$got" = "--dependency=afterok:DRYRUN " ] || fail "BA_SBATCH_OPTS='$site': verify gets '$got'"
  [ "$(grep -c '^sbatch .*--exclusive --constraint=ib ' "$WORK/dep.txt")" = 2 ] ||
    fail "BA_SBATCH_OPTS='$site': the site's other options are lost"
done
# sbatch's getopt also takes -d at the end of a bundle of flags without a value (-H: --hold): the
# flags stay, as a word of their own. A bundle without d, or whose d is another option's value
# (-J: --job-name), is no dependency.
for site in "-Hd afterok:11" "-Hdafterok:11" "-HQd afterok:11"; do
  BA_SBATCH_OPTS="--exclusive $site --constraint=ib" "$ROOT/slurm/submit.sh" --dry-run monthly 2025-03 > /dev/null \
    2> "$WORK/dep.txt" || fail "submit --dry-run with BA_SBATCH_OPTS='$site' failed"
  got=$(sbatch_dependency "$WORK/dep.txt" 1)
  [ "$got" = "--dependency=singleton,afterok:11 " ] || fail "BA_SBATCH_OPTS='$site': the aggregation gets '$got'"
  flags=${site%%d*}
  [ "$(grep -c -- "^sbatch .*--exclusive $flags --constraint=ib " "$WORK/dep.txt")" = 2 ] ||
    { cat "$WORK/dep.txt" >&2; fail "BA_SBATCH_OPTS='$site': the site's other options or $flags are lost"; }
done
BA_SBATCH_OPTS="-Hx -Jdaily -d afterok:11" "$ROOT/slurm/submit.sh" --dry-run monthly 2025-03 > /dev/null \
  2> "$WORK/dep.txt" || fail "submit --dry-run with BA_SBATCH_OPTS='-Hx -Jdaily -d afterok:11' failed"
got=$(sbatch_dependency "$WORK/dep.txt" 1)
if [ "$got" != "--dependency=singleton,afterok:11 " ] || ! grep -q -- '^sbatch .* -Hx -Jdaily ' "$WORK/dep.txt"; then
  cat "$WORK/dep.txt" >&2
  fail "BA_SBATCH_OPTS='-Hx -Jdaily -d afterok:11': the aggregation gets '$got'"
fi
# Over several lines (a quoted value in the site file): the options and the dependency of the
# later lines count too.
BA_SBATCH_OPTS=$'--exclusive\n  --constraint=ib\n  -d afterok:11' "$ROOT/slurm/submit.sh" --dry-run monthly 2025-03 \
  > /dev/null 2> "$WORK/dep.txt" || fail "submit --dry-run with BA_SBATCH_OPTS over three lines failed"
got=$(sbatch_dependency "$WORK/dep.txt" 1)
[ "$got" = "--dependency=singleton,afterok:11 " ] || fail "BA_SBATCH_OPTS over three lines: the aggregation gets '$got'"
[ "$(grep -c '^sbatch .*--exclusive --constraint=ib ' "$WORK/dep.txt")" = 2 ] ||
  { cat "$WORK/dep.txt" >&2; fail "BA_SBATCH_OPTS over three lines: the options after the first line are lost"; }
BA_SBATCH_OPTS="--dependency=afterok:11?afterok:12" "$ROOT/slurm/submit.sh" --dry-run monthly 2025-03 > /dev/null \
  2> "$WORK/dep.txt" || fail "submit --dry-run with a dependency with ? failed"
got=$(sbatch_dependency "$WORK/dep.txt" 1)
[ "$got" = "--dependency=afterok:11?afterok:12 " ] || fail "a site dependency with ?: the aggregation gets '$got'"
grep -q 'cannot be combined with singleton' "$WORK/dep.txt" || fail "a site dependency with ? drops singleton silently"
got=$(sbatch_dependency "$WORK/dep.txt" 2)
[ "$got" = "--dependency=afterok:DRYRUN " ] || fail "a site dependency with ?: verify gets '$got'"
BA_SBATCH_OPTS="-d afterok:11" "$ROOT/slurm/submit.sh" --dry-run backfill monthly 2025-01 2025-03 > /dev/null \
  2> "$WORK/dep.txt" || fail "submit --dry-run backfill with a site dependency failed"
got=$(sbatch_dependency "$WORK/dep.txt" 1)
[ "$got" = "--dependency=afterok:11 " ] || fail "a site dependency: the backfill array gets '$got'"
got=$(sbatch_dependency "$WORK/dep.txt" 2)
[ "$got" = "--dependency=aftercorr:DRYRUN " ] || fail "a site dependency: the backfill's verify gets '$got'"
# A site singleton does not reach a backfill array (its tasks would run one at a time); the rest
# of the site's dependency does.
BA_SBATCH_OPTS="--dependency=singleton,afterok:11" "$ROOT/slurm/submit.sh" --dry-run backfill monthly 2025-01 2025-03 \
  > /dev/null 2> "$WORK/dep.txt" || fail "submit --dry-run backfill with a site singleton failed"
got=$(sbatch_dependency "$WORK/dep.txt" 1)
[ "$got" = "--dependency=afterok:11 " ] || fail "a site singleton: the backfill array gets '$got'"
BA_SBATCH_OPTS="--dependency=singleton" "$ROOT/slurm/submit.sh" --dry-run backfill monthly 2025-01 2025-03 \
  > /dev/null 2> "$WORK/dep.txt" || fail "submit --dry-run backfill with a site singleton alone failed"
got=$(sbatch_dependency "$WORK/dep.txt" 1 || true)  # grep finds no dependency word: the expected case
[ -z "$got" ] || fail "a site singleton alone: the backfill array gets '$got'"
rc=0; BA_SBATCH_OPTS="--dependency=singleton?afterok:11" "$ROOT/slurm/submit.sh" --dry-run backfill monthly 2025-01 \
  2025-03 > /dev/null 2> "$WORK/dep.txt" || rc=$?
[ "$rc" -eq 2 ] || { cat "$WORK/dep.txt" >&2; fail "a site singleton among ? conditions, backfill: exit $rc, expected 2"; }
# A relative site file is made absolute for the jobs, which may start in another folder.
mkdir -p "$WORK/site-rel" && echo ': "${BA_PARTITION:=rel}"' > "$WORK/site-rel/site.env"
got=$(cd "$WORK" && BA_SLURM_DIR="$ROOT/slurm" BA_SITE_FILE=site-rel/site.env bash -c "source '$ROOT/slurm/lib.sh'; ba_load_site; echo \$BA_SITE_FILE")
[ "$got" = "$WORK/site-rel/site.env" ] || fail "a relative BA_SITE_FILE is passed to the jobs as '$got'"
# Two dependencies of the site's: which one sbatch would keep is not known, so neither is chosen.
rc=0; BA_SBATCH_OPTS="-d afterok:11 --dependency=afterok:12" "$ROOT/slurm/submit.sh" --dry-run monthly 2025-03 \
  > /dev/null 2> "$WORK/dep.txt" || rc=$?
if [ "$rc" -ne 2 ] || ! grep -q 'BA_SBATCH_OPTS has two dependencies' "$WORK/dep.txt"; then
  cat "$WORK/dep.txt" >&2
  fail "two site dependencies: exit $rc, expected 2"
fi
# sbatch runs a copy of a batch script: one that cannot find slurm/lib.sh says so and exits 2.
cp "$ROOT/slurm/monthly.sbatch" "$WORK/copy.sbatch"
rc=0; (cd "$WORK" && env -u BA_SLURM_DIR SLURM_SUBMIT_DIR="$WORK/nowhere" bash "$WORK/copy.sbatch" 2026-10) 2> "$WORK/sbatch.log" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'cannot find slurm/lib.sh' "$WORK/sbatch.log" || fail "a batch script without its lib.sh: exit $rc"
echo "1 passed, 0 failed"
