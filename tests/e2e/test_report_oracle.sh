#!/usr/bin/env bash
# The job's run record (report.json) against an independent prediction (oracle_report.py, from
# oracle.py, written from the spec and decisions.md without reading src/): per feed the rows read,
# used, rejected by reason, outside the period, not enrolled and superseded; the sellers
# delivered; per (table, seller, currency) the amounts in, left out and delivered. The job checks
# that its record balances; a row counted in the wrong bucket, or an amount in the wrong
# seller's or currency's total, still balances, and only a prediction made apart finds it.
# rejects.csv is compared too (feed, file, physical line and reason of every reject; not the text).
# Timings, ranks, input_digest, job_version and territories are not predicted.
# REPORT_ORACLE_SEEDS and REPORT_ORACLE_PERIODS (cadence:period ...) widen the comparison by hand.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SEEDS=${REPORT_ORACLE_SEEDS:-"1 2 3"}
RANDOM_PERIODS=${REPORT_ORACLE_PERIODS:-"monthly:2026-10 daily:2026-10-12 daily:2026-10-13 daily:2026-10-31 monthly:2026-09 monthly:2026-11"}

# 1. The prediction reproduces the sample month's hand-derived accounting (data-samples/README.md,
# "Row accounting of the monthly run", as test_sample_expected.sh states it) and its control
# totals ("Control totals"): this validates the oracle, not the job.
"$BA_PYTHON" "$HERE/oracle_report.py" predict "$FEEDS" "$WORK/oracle-sample" monthly 2026-10 ||
  fail "oracle_report.py failed on the sample"
"$BA_PYTHON" - "$WORK/oracle-sample/runs/monthly-2026-10/report.json" "$HERE" <<'PY' || fail "the oracle's accounting of the sample is not the hand derivation (above)"
import json, sys
r = json.load(open(sys.argv[1]))
sys.path.insert(0, sys.argv[2])
from sample_accounting import differences
bad = differences(r["feeds"], "the oracle")
if r["sellers_delivered"] != 3:
    bad.append(f"sellers_delivered {r['sellers_delivered']}, 3 by hand (A, B, C)")
# The delivered totals by hand (seller A, B, C); the oracle's "out".
totals = {("sales_compensation", "acc-seller-a", "USD"): "758.941542",
          ("sales_compensation", "acc-seller-a", "EUR"): "64.400000",
          ("sales_compensation", "acc-seller-b", "EUR"): "556.083333",
          ("sales_compensation", "acc-seller-b", "USD"): "16.990000",
          ("sales_compensation", "acc-seller-c", "USD"): "869.125000",
          ("disbursements", "acc-seller-a", "USD"): "372.625000",
          ("disbursements", "acc-seller-b", "EUR"): "425.000000",
          ("usage", "acc-seller-a", "USD"): "46.067808", ("usage", "acc-seller-b", "EUR"): "40.000000",
          ("usage", "acc-seller-c", "USD"): "12.345675"}
got = {(a["table"], a["seller"], a["currency"]): a["out"] for a in r["amounts"]}
if got != totals:
    bad.append(f"control totals out: by hand {totals}, the oracle {got}")
# Left out on purpose, by hand: the mixed-currency txn-a-014 (USD 40, EUR -8) and the lines of
# B's failed payout (B:44-47).
excluded = {k: a["excluded"] for a in r["amounts"] for k in [(a["table"], a["seller"], a["currency"])]
            if a["excluded"] != "0.000000"}
if set(excluded) != {("sales_compensation", "acc-seller-a", "USD"), ("sales_compensation", "acc-seller-a", "EUR"),
                     ("disbursements", "acc-seller-b", "EUR")}:
    bad.append(f"amounts left out: {excluded}")
# The rejects by hand: B:49 duplicate, B:73-74 mixed_currency (README, "Nothing in the monthly
# run is rejected but B:49, B:73 and B:74").
import csv, os
with open(os.path.join(os.path.dirname(sys.argv[1]), "rejects.csv"), newline="") as f:
    rejects = sorted((r["feed"], r["file"], r["line"], r["reason"]) for r in csv.DictReader(f))
b = "billing_event_v1/year=2026/month=10/data.csv"
if rejects != [("billing_event", b, "49", "duplicate"), ("billing_event", b, "73", "mixed_currency"),
               ("billing_event", b, "74", "mixed_currency")]:
    bad.append(f"rejects: {rejects}")
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
run_job 1 "$WORK/job-sample" monthly 2026-10
"$BA_PYTHON" "$HERE/oracle_report.py" compare "$WORK/oracle-sample/runs/monthly-2026-10/report.json" \
  "$WORK/job-sample/runs/monthly-2026-10/report.json" || fail "sample month: the job's report.json differs from the oracle's (above)"
echo "oracle's record = hand derivation = job's record (sample month)"

# 2. The comparison catches a changed counter, a changed amount and a reject on another line,
# each still balanced (as the job's own check would pass them): a row moved from used to
# outside_period, 1.000000 moved from one currency's delivered total to another's, and a reject
# named one line down. Each must fail the comparison with its own message (not, say, because a
# file is missing).
job_run=$WORK/job-sample/runs/monthly-2026-10
"$BA_PYTHON" - "$job_run" "$WORK/mutated" <<'PY'
import json, os, shutil, sys
run, out = sys.argv[1], sys.argv[2]
def write(what, record, rejects_text):
    os.makedirs(os.path.join(out, what))
    json.dump(record, open(os.path.join(out, what, "report.json"), "w"))
    open(os.path.join(out, what, "rejects.csv"), "w").write(rejects_text)
r = json.load(open(os.path.join(run, "report.json")))
rejects = open(os.path.join(run, "rejects.csv")).read()
counter = json.loads(json.dumps(r))
counter["feeds"]["billing_event"]["used"] -= 1
counter["feeds"]["billing_event"]["outside_period"] += 1
write("counter", counter, rejects)
amount = json.loads(json.dumps(r))
a = [x for x in amount["amounts"] if x["seller"] == "acc-seller-a" and x["table"] == "sales_compensation"]
for x, d in zip(a, (1, -1)):  # EUR and USD: the seller's sum over currencies is unchanged
    for k in ("in", "out"):
        x[k] = "%.6f" % (float(x[k]) + d)
write("amount", amount, rejects)
assert ",49,duplicate," in rejects
write("reject", r, rejects.replace(",49,duplicate,", ",50,duplicate,"))
PY
for what in counter:feeds.billing_event.used amount:amounts reject:rejects.csv; do
  name=${what%%:*}
  if "$BA_PYTHON" "$HERE/oracle_report.py" compare "$WORK/oracle-sample/runs/monthly-2026-10/report.json" \
    "$WORK/mutated/$name/report.json" 2> "$WORK/mutated/$name.err"; then
    fail "self-check: a changed $name in the job's run record was not caught"
  fi
  grep -q "^${what#*:}" "$WORK/mutated/$name.err" || { cat "$WORK/mutated/$name.err" >&2; fail "self-check: a changed $name was caught for another reason"; }
done
echo "self-check: a changed counter, amount and reject line are caught"

# 3. Random months (random_feeds.py, oracle_mutate.py, and oracle_report_cases.py's rows that
# only the run record shows), at 1 and 3 ranks with small chunks.
for seed in $SEEDS; do
  feeds=$WORK/feeds-$seed
  "$BA_PYTHON" "$HERE/random_feeds.py" "$feeds" "$seed"
  "$BA_PYTHON" "$HERE/oracle_mutate.py" "$feeds" "$seed"
  "$BA_PYTHON" "$HERE/oracle_report_cases.py" "$feeds"
  for cp in $RANDOM_PERIODS; do
    cadence=${cp%%:*}
    period=${cp#*:}
    want=$WORK/oracle-$seed-$cadence-$period
    "$BA_PYTHON" "$HERE/oracle_report.py" predict "$feeds" "$want" "$cadence" "$period" ||
      fail "oracle_report.py failed, seed $seed $cp"
    for ranks in 1 3; do
      got=$WORK/job-$seed-$ranks
      rm -rf "$got"
      FEEDS=$feeds run_job $ranks "$got" "$cadence" "$period" --chunk-size 1K --allow-open-period ||
        fail "the job failed on seed $seed, $cadence $period, $ranks ranks (feeds kept with KEEP_WORK=1)"
      "$BA_PYTHON" "$HERE/oracle_report.py" compare "$want/runs/$cadence-$period/report.json" \
        "$got/runs/$cadence-$period/report.json" ||
        fail "seed $seed, $cadence $period, $ranks ranks: the job's report.json differs from the oracle's (above)"
    done
  done
  echo "seed $seed: job's report.json and rejects.csv = oracle's ($RANDOM_PERIODS; 1 and 3 ranks)"
done
echo "1 passed, 0 failed"
