#!/usr/bin/env bash
# verify checks what a manifest says about itself, not only the files it lists: its seller,
# cadence and period must be those of its folder and file name, its job version and
# confidentiality notice must be there, and it must list the four tables each where the job
# delivers it. A data file that no manifest lists is reported too, without taking a daily file
# of the month for a monthly one or the other way round. Each case edits a copy of a good
# delivery and expects exit 7 with the manifest or file and the reason on standard error.
# A period whose run succeeded with no enrolled seller has nothing to check (its run record says
# so), which is success, not a missing delivery.
source "$(dirname "$0")/lib.sh"
good=$WORK/good
t=$WORK/t
A=012345678901
C=000987000987
sub=year=2026/month=10
run_job 2 "$good" monthly 2026-10
run_job 2 "$good" daily 2026-10-03  # the same month's folders, one level down (day=03/)
passes() {  # passes OUT SUMMARY [VERIFY OPTIONS]: verify exits 0 and prints SUMMARY
  local out=$1 summary=$2
  shift 2
  "$BIN" verify --out "$out" "$@" > "$WORK/v.out" 2>&1 || { cat "$WORK/v.out" >&2; fail "verify $* rejects a good delivery"; }
  grep -qxF "verify: $summary" "$WORK/v.out" || fail "verify $* of a good delivery says: $(cat "$WORK/v.out")"
}
passes "$good" "3 manifests, 12 files, 0 problems" --cadence monthly --period 2026-10
passes "$good" "3 manifests, 12 files, 0 problems" --cadence daily --period 2026-10-03
passes "$good" "6 manifests, 24 files, 0 problems"

fresh() {  # a new copy of the good output in $t
  rm -rf "$t" && cp -a "$good" "$t"
}
manifest=$t/deliveries/$A/manifests/monthly-2026-10.json
edit() {  # edit PYTHON: runs PYTHON on seller A's manifest as `m` (a dict), and writes it back
  "$BA_PYTHON" - "$manifest" "$1" <<'PY' || fail "could not edit the manifest copy"
import json, sys
path, code = sys.argv[1:3]
m = json.load(open(path))
exec(code)
json.dump(m, open(path, "w"), indent=2)
PY
}
# caught WHAT MESSAGE... [-- VERIFY OPTIONS]: verify of $t exits 7 and says every MESSAGE on
# standard error (fixed strings). Without `--` it checks monthly 2026-10; `--` alone, every manifest.
caught() {
  local what=$1 messages=() rc=0
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do messages+=("$1"); shift; done
  if [ $# -gt 0 ]; then shift; else set -- --cadence monthly --period 2026-10; fi
  "$BIN" verify --out "$t" "$@" > "$WORK/v.out" 2> "$WORK/v.err" || rc=$?
  [ "$rc" -eq 7 ] || { cat "$WORK/v.out" "$WORK/v.err" >&2; fail "verify $* did not catch $what (exit $rc)"; }
  for message in "${messages[@]}"; do
    grep -qF -- "$message" "$WORK/v.err" || { cat "$WORK/v.err" >&2; fail "verify $* caught $what without saying: $message"; }
  done
}

# ---- the manifest against its folder and file name ------------------------------------------
fresh; edit 'm["seller_aws_account_id"] = "999999999999"'
caught "another seller's id" "$manifest: seller_aws_account_id is '999999999999', not its folder's $A"
fresh; edit 'm["period"] = "2026-11"'
caught "another period" "$manifest: period is '2026-11', not 2026-10 (its file name)"
fresh; edit 'm["cadence"] = "daily"'
caught "another cadence" "$manifest: cadence is 'daily', not monthly (its file name)"
fresh; edit 'del m["job_version"]'
caught "no job version" "$manifest: no job_version"
fresh; edit 'm["confidentiality"] = ""'
caught "an empty confidentiality notice" "$manifest: no confidentiality notice"

# ---- the four tables, each where the job delivers it ----------------------------------------
fresh; edit 'm["files"] = [f for f in m["files"] if f["table"] != "buyers"]'
rm "$t/deliveries/$A/buyers_v1/$sub/data.csv"
caught "a table taken out with its file" \
  "$manifest: lists no buyers file (the job delivers it at buyers_v1/$sub/data.csv)"
fresh
mkdir -p "$t/deliveries/$A/usage_v1/year=2026/month=11"
mv "$t/deliveries/$A/usage_v1/$sub/data.csv" "$t/deliveries/$A/usage_v1/year=2026/month=11/data.csv"
edit '[f for f in m["files"] if f["table"] == "usage"][0]["path"] = "usage_v1/year=2026/month=11/data.csv"'
caught "a table listed at another period's path" \
  "$manifest: lists table usage at usage_v1/year=2026/month=11/data.csv, not at usage_v1/$sub/data.csv where the job delivers it"
fresh
mkdir -p "$t/deliveries/$A/notes_v1/$sub"
cp "$t/deliveries/$A/usage_v1/$sub/data.csv" "$t/deliveries/$A/notes_v1/$sub/data.csv"
edit 'm["files"].append(dict([f for f in m["files"] if f["table"] == "usage"][0], table="notes", path="notes_v1/year=2026/month=10/data.csv"))'
caught "a table the job does not deliver" "$manifest: lists a file of table 'notes', which the job does not deliver"
fresh; edit 'm["files"].append(m["files"][0])'
caught "a table listed twice" "$manifest: lists table sales_compensation twice"

# Every amount column of the table is checked, not only those the manifest still lists.
fresh; edit 'for f in m["files"]:
    for sums in f["control_totals"].values(): sums.pop("net_revenue", None)'
caught "a control total dropped from the manifest" \
  "$t/deliveries/$A/sales_compensation_v1/$sub/data.csv: control totals per currency differ from the manifest"
# A folder where a manifest belongs is a problem, not an internal error.
fresh; rm "$t/deliveries/$C/manifests/monthly-2026-10.json" && mkdir "$t/deliveries/$C/manifests/monthly-2026-10.json"
caught "a folder in place of a manifest" "$t/deliveries/$C/manifests/monthly-2026-10.json: not a file, where a manifest belongs"

# ---- data files that no manifest lists ------------------------------------------------------
fresh; edit 'm["files"] = [f for f in m["files"] if f["table"] != "buyers"]'
caught "a table taken out, its file left" "$manifest: lists no buyers file" \
  "$t/deliveries/$A/buyers_v1/$sub/data.csv: a data file of monthly-2026-10 that no manifest lists"
# Seller A has no territory rules: a representative table dropped in is not the job's.
fresh
mkdir -p "$t/deliveries/$A/rep_attribution_v1/$sub"
cp "$t/deliveries/$A/buyers_v1/$sub/data.csv" "$t/deliveries/$A/rep_attribution_v1/$sub/data.csv"
caught "a representative table no manifest lists" \
  "$t/deliveries/$A/rep_attribution_v1/$sub/data.csv: a data file of monthly-2026-10 that no manifest lists"
fresh; rm "$t/deliveries/$C/manifests/monthly-2026-10.json"
left=()
for table in sales_compensation disbursements usage buyers; do
  left+=("$t/deliveries/$C/${table}_v1/$sub/data.csv: a data file of monthly-2026-10 that no manifest lists")
done
missing="$t/deliveries/$C: no manifest monthly-2026-10.json, though the store $t/store/monthly-2026-10.h5 lists this seller: its delivery of monthly-2026-10 is missing"
caught "a seller's manifest removed, its files left" "${left[@]}" "$missing"
grep -qxF "verify: 2 manifests, 8 files, 5 problems" "$WORK/v.out" || fail "verify says $(cat "$WORK/v.out")"

# ---- sellers against the store of the run -----------------------------------------------------
# A seller's delivery removed whole (manifest and files): nothing is left to see in the
# deliveries, but the store of the run lists the seller. With and without --period.
fresh; rm -r "$t/deliveries/$C"
caught "a seller's delivery removed whole" "$missing"
grep -qxF "verify: 2 manifests, 8 files, 1 problem" "$WORK/v.out" || fail "verify says $(cat "$WORK/v.out")"
caught "a seller's delivery removed whole, every period checked" "$missing" --
# The daily run's store lists C too: only its monthly delivery is gone.
fresh; rm -r "$t/deliveries/$C/manifests/monthly-2026-10.json" "$t/deliveries/$C/"*"_v1/$sub/data.csv"
passes "$t" "3 manifests, 12 files, 0 problems" --cadence daily --period 2026-10-03
# A whole delivery of a seller the run did not deliver to, manifest and all (left by another
# run, or copied in): a problem of the manifest.
fresh
cp -a "$t/deliveries/$A" "$t/deliveries/111111111111"
"$BA_PYTHON" - "$t/deliveries/111111111111/manifests/monthly-2026-10.json" <<'PY' || fail "could not edit the copy"
import json, sys
m = json.load(open(sys.argv[1]))
m["seller_aws_account_id"] = "111111111111"
json.dump(m, open(sys.argv[1], "w"), indent=2)
PY
rm "$t/deliveries/111111111111/manifests/daily-2026-10-03.json" "$t/deliveries/111111111111/"*"_v1/$sub/day=03/data.csv"
caught "a delivery of a seller the store does not list" \
  "$t/deliveries/111111111111/manifests/monthly-2026-10.json: a manifest for a seller the store $t/store/monthly-2026-10.h5 does not list (left by another run)"
grep -qxF "verify: 4 manifests, 16 files, 1 problem" "$WORK/v.out" || fail "verify says $(cat "$WORK/v.out")"
# A store verify cannot read is a problem named after it, not a crash.
fresh; echo "not HDF5" > "$t/store/monthly-2026-10.h5"
caught "an unreadable store" "$t/store/monthly-2026-10.h5" "(verify reads the sellers of the store)"
# A daily file of a day without a delivery is not the monthly delivery's problem, nor another
# day's; and a file of another month is not October's.
fresh
mkdir -p "$t/deliveries/$A/usage_v1/$sub/day=05" "$t/deliveries/$A/usage_v1/year=2026/month=11"
cp "$t/deliveries/$A/usage_v1/$sub/data.csv" "$t/deliveries/$A/usage_v1/$sub/day=05/data.csv"
cp "$t/deliveries/$A/usage_v1/$sub/data.csv" "$t/deliveries/$A/usage_v1/year=2026/month=11/data.csv"
passes "$t" "3 manifests, 12 files, 0 problems" --cadence monthly --period 2026-10
passes "$t" "3 manifests, 12 files, 0 problems" --cadence daily --period 2026-10-03
caught "a daily file of a day without a delivery" \
  "$t/deliveries/$A/usage_v1/$sub/day=05/data.csv: a data file of daily-2026-10-05 that no manifest lists" \
  -- --cadence daily --period 2026-10-05
caught "a monthly file of a month without a delivery" \
  "$t/deliveries/$A/usage_v1/year=2026/month=11/data.csv: a data file of monthly-2026-11 that no manifest lists" \
  -- --cadence monthly --period 2026-11
caught "files of periods without a delivery" \
  "$t/deliveries/$A/usage_v1/$sub/day=05/data.csv: a data file that no manifest lists" \
  "$t/deliveries/$A/usage_v1/year=2026/month=11/data.csv: a data file that no manifest lists" --

# A manifest whose name gives no period (checking every manifest): its fields cannot be checked.
fresh; cp "$manifest" "$t/deliveries/$A/manifests/latest.json"
caught "a manifest named without its period" \
  "$t/deliveries/$A/manifests/latest.json: its name is not <cadence>-<period>.json, so its period is unknown" --

# The review's case: all of it at once, checking one period and every manifest.
fresh
edit 'm["files"] = [f for f in m["files"] if f["table"] != "buyers"]
m["seller_aws_account_id"] = "999999999999"; m["period"] = "2026-11"
del m["confidentiality"]; del m["job_version"]'
rm "$t/deliveries/$A/buyers_v1/$sub/data.csv"
mkdir -p "$t/deliveries/$A/usage_v1/year=2026/month=11"
cp "$t/deliveries/$A/usage_v1/$sub/data.csv" "$t/deliveries/$A/usage_v1/year=2026/month=11/data.csv"
caught "the review's stray file" "$t/deliveries/$A/usage_v1/year=2026/month=11/data.csv: a data file that no manifest lists" --
for args in "--cadence monthly --period 2026-10" ""; do
  # shellcheck disable=SC2086  # $args is split on purpose
  caught "the review's edits" "$manifest: seller_aws_account_id is '999999999999'" "$manifest: period is '2026-11'" \
    "$manifest: no job_version" "$manifest: no confidentiality notice" "$manifest: lists no buyers file" -- $args
done

# ---- a run with no enrolled seller ----------------------------------------------------------
cp -a "$FEEDS" "$WORK/feeds-none"
sed -i '2,$d' "$WORK/feeds-none/enrollment/enrollment.csv"  # the registry's header only
none=$WORK/none
FEEDS=$WORK/feeds-none run_job 2 "$none" monthly 2026-10
[ ! -e "$none/deliveries" ] || fail "a run with no seller published a deliveries folder (the cases below assume none)"
grep -qx "deliveries: none (no seller enrolled for the whole period)" "$WORK/last-run.log" ||
  { cat "$WORK/last-run.log" >&2; fail "a run with no seller does not say it delivered nothing"; }
nothing="nothing to check: $none/runs/monthly-2026-10/report.json says the run of monthly-2026-10 succeeded and delivered to no seller"
passes "$none" "$nothing" --cadence monthly --period 2026-10
# The same in an output root that has a deliveries folder: a rerun of October with no seller
# left removes the period's files, and the daily delivery stays and still verifies.
fresh
FEEDS=$WORK/feeds-none run_job 2 "$t" monthly 2026-10
nothing_t="nothing to check: $t/runs/monthly-2026-10/report.json says the run of monthly-2026-10 succeeded and delivered to no seller"
passes "$t" "$nothing_t" --cadence monthly --period 2026-10
passes "$t" "3 manifests, 12 files, 0 problems" --cadence daily --period 2026-10-03
# Nothing due is not a licence for files: a data file of the period is still one no manifest lists.
mkdir -p "$t/deliveries/$A/usage_v1/$sub"
cp "$t/deliveries/$A/usage_v1/$sub/day=03/data.csv" "$t/deliveries/$A/usage_v1/$sub/data.csv"
caught "a data file of a period with no seller" \
  "$t/deliveries/$A/usage_v1/$sub/data.csv: a data file of monthly-2026-10 that no manifest lists"
rm "$t/deliveries/$A/usage_v1/$sub/data.csv"

# Without the period's run record, as before: no manifest is a problem, no folder a bad argument.
rm -r "$t/runs/monthly-2026-10"
caught "a period without a manifest or run record" "no manifest monthly-2026-10.json under $t/deliveries"
no_folder() {  # no_folder OUT WHAT [VERIFY OPTIONS]: verify exits 2 saying there is no deliveries folder
  local out=$1 what=$2 rc=0
  shift 2
  "$BIN" verify --out "$out" "$@" > "$WORK/v.out" 2> "$WORK/v.err" || rc=$?
  [ "$rc" -eq 2 ] && grep -qF "no delivery folder $out/deliveries" "$WORK/v.err" ||
    { cat "$WORK/v.out" "$WORK/v.err" >&2; fail "verify $* of $what: exit $rc"; }
}
no_folder "$none" "another period than the run record's" --cadence daily --period 2026-10-03
no_folder "$none" "every manifest (no period, so no run record)"
# A run record saying sellers were delivered, and no folder: the delivery is gone (a mismatch).
cp "$good/runs/monthly-2026-10/report.json" "$none/runs/monthly-2026-10/report.json"
t=$none caught "a delivery gone whole" \
  "no delivery folder $none/deliveries, though the run record of monthly-2026-10 says 3 sellers were delivered"
rm -r "$none/runs/monthly-2026-10"
no_folder "$none" "no run record" --cadence monthly --period 2026-10
echo "1 passed, 0 failed"
