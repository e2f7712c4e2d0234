#!/usr/bin/env bash
# Property test: on randomized multi-seller data (three months of fact files holding rows of the
# neighbouring months, payouts with lines and failures, enrollment windows inside the period,
# buyers shared by sellers), no delivered row belongs to another seller or lies outside the
# period, only sellers enrolled for the whole period get any file of it, each of them gets all
# four tables, and no row is missing. Several seeds, rank counts, cadences.
source "$(dirname "$0")/lib.sh"
check() {  # check FEEDS OUT CADENCE PERIOD
  "$BA_PYTHON" "$(dirname "$0")/check_confidential.py" "$@"
}
for seed in 1 2 3; do
  feeds=$WORK/feeds-$seed
  "$BA_PYTHON" "$(dirname "$0")/random_feeds.py" "$feeds" "$seed"
  ranks=$(( seed + 1 ))
  FEEDS=$feeds run_job "$ranks" "$WORK/out-$seed" monthly 2026-10
  check "$feeds" "$WORK/out-$seed" monthly 2026-10 || fail "seed $seed monthly: a delivered row breaks confidentiality"
  for day in 2026-10-0$seed 2026-10-1$seed 2026-10-2$seed; do
    FEEDS=$feeds run_job "$ranks" "$WORK/out-$seed" daily "$day"
    check "$feeds" "$WORK/out-$seed" daily "$day" || fail "seed $seed daily $day: a delivered row breaks confidentiality"
  done
done
# The neighbouring months (other sellers are enrolled for them: one ends mid-October, one starts
# on November 1st), into the same output root as seed 1's October.
for period in 2026-09 2026-11; do
  FEEDS=$WORK/feeds-1 run_job 2 "$WORK/out-1" monthly $period --allow-open-period
  check "$WORK/feeds-1" "$WORK/out-1" monthly $period || fail "seed 1 monthly $period: a delivered row breaks confidentiality"
done

# The checker itself must fail on a broken delivery: each case breaks a copy of seed 1's October.
"$BA_PYTHON" - "$WORK/feeds-1" "$WORK/out-1" "$WORK/broken" "$(dirname "$0")/check_confidential.py" <<'PY' || fail "a broken delivery passes check_confidential.py"
import csv, os, shutil, subprocess, sys
feeds, good, broken, checker = sys.argv[1:5]
sub = "year=2026/month=10/data.csv"
enroll = list(csv.DictReader(open(os.path.join(feeds, "enrollment/enrollment.csv"))))
def count(folder, table):
    p = os.path.join(good, "deliveries", folder, f"{table}_v1", sub)
    return len(list(csv.reader(open(p, newline="")))) - 1 if os.path.exists(p) else 0

# x has rows in every table, y has sales and disbursements rows too.
full = sorted(f for f in os.listdir(os.path.join(good, "deliveries"))
              if all(count(f, t) for t in ("sales_compensation", "disbursements", "usage")))
assert len(full) >= 2, full
x, y = full[0], full[1]
never = [r["aws_account_id"] for r in enroll if r["enrolled_from"] == "2026-11-01"][0]  # enrolled from November

def path(folder, table):
    return os.path.join(broken, "deliveries", folder, f"{table}_v1", sub)

def edit(folder, table, fn):
    rows = list(csv.reader(open(path(folder, table), newline="")))
    rows = fn(rows[0], rows[1:])
    with open(path(folder, table), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)

def copy_row(h, rows):  # a row of seller x in y's file
    other = list(csv.reader(open(path(x, "sales_compensation"), newline="")))[1]
    return [h] + rows + [other]

def redate(h, rows):
    rows[0][h.index("usage_date")] = "2026-09-30"
    return [h] + rows

def plant(folder, table):
    os.makedirs(os.path.dirname(path(folder, table)), exist_ok=True)
    shutil.copy(os.path.join(good, "deliveries", x, f"{table}_v1", sub), path(folder, table))

cases = {
    "a row of another seller": lambda: edit(y, "sales_compensation", copy_row),
    "a usage row dated in September": lambda: edit(x, "usage", redate),
    "a buyers file in a folder of a seller not enrolled": lambda: plant(never, "buyers"),
    "an enrolled seller without disbursements": lambda: os.remove(path(x, "disbursements")),
    "an enrolled seller without its manifest": lambda: os.remove(os.path.join(broken, "deliveries", x, "manifests", "monthly-2026-10.json")),
    "a sales row left out": lambda: edit(x, "sales_compensation", lambda h, rows: [h] + rows[1:]),
    "a disbursements row left out": lambda: edit(y, "disbursements", lambda h, rows: [h] + rows[1:]),
}
passed = []
for name, breakit in cases.items():
    shutil.rmtree(broken, ignore_errors=True)
    shutil.copytree(good, broken)
    breakit()
    if subprocess.run([sys.executable, checker, feeds, broken, "monthly", "2026-10"], capture_output=True).returncode == 0:
        passed.append(name)
for name in passed:
    print(f"FAIL: check_confidential.py accepts a delivery with {name}", file=sys.stderr)
sys.exit(1 if passed else 0)
PY
echo "1 passed, 0 failed"
