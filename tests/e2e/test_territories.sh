#!/usr/bin/env bash
# Territory attribution end to end: a seller with valid rules gets rep_attribution and
# rep_statements (in the store, the deliveries and the manifest) whose totals equal its buyers'
# totals per currency; a seller with bad rules gets its four tables but no representative tables,
# and the report names the bad line; identical bytes at any rank count and after re-export.
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -a "$FEEDS" "$feeds"
cat > "$feeds/enrollment/territories.csv" <<'CSV'
seller_account_id,rule_id,match_type,aws_account_id,email_domain,country_code,state_or_region,postal_code_prefix,effective_from,effective_until,rep_id,rep_name,split_percent
acc-seller-a,key-northwind,account,000123456789,,,,,2026-01-01,,rep-ann,Ann Archer,100
acc-seller-a,acme,domain,,acme.example,,,,2026-01-01,,rep-bob,Bob Baker,33.333334
acc-seller-a,acme,domain,,acme.example,,,,2026-01-01,,rep-cy,Cy Cole,33.333333
acc-seller-a,acme,domain,,acme.example,,,,2026-01-01,,rep-dee,Dee Dunn,33.333333
acc-seller-a,west,geography,,,US,WA,,2026-01-01,,rep-eve,Eve Evans,100
acc-seller-a,us,geography,,,US,,,2026-01-01,,rep-fay,Fay Ford,100
acc-seller-b,all-de,geography,,,DE,,,2026-01-01,,rep-gus,Gus Grant,60
acc-seller-b,all-de,geography,,,DE,,,2026-01-01,,rep-hal,Hal Hart,30
acc-seller-zz,all,geography,,,US,,,2026-01-01,,rep-zed,Zed Zane,100
CSV
A=012345678901
B=210987654321
sub=year=2026/month=10
FEEDS=$feeds run_job 3 "$WORK/out" monthly 2026-10
# A rule error is a warning, printed under --quiet too (run_job passes it).
grep -q 'territory rules of acc-seller-b not used: .*territories.csv: line 8' "$WORK/last-run.log" ||
  fail "the bad rule's line is not on standard error"
grep -q 'territory rules of acc-seller-zz not used: not enrolled for monthly-2026-10' "$WORK/last-run.log" ||
  fail "the rules of a seller not enrolled are dropped without a word"
for t in rep_attribution rep_statements; do
  [ -s "$WORK/out/deliveries/$A/${t}_v1/$sub/data.csv" ] || fail "seller A has no $t delivery"
  [ ! -e "$WORK/out/deliveries/$B/${t}_v1" ] || fail "seller B has bad rules but got a $t delivery"
done
compare_with_expected "$WORK/out" monthly 2026-10  # the four tables are unchanged for everyone
grep -q 'territories.csv: line 8' "$WORK/out/runs/monthly-2026-10/report.json" || fail "the report does not name the bad rule's line"
"$BIN" verify --out "$WORK/out" >/dev/null || fail "verify rejects a delivery with representative tables"
"$BIN" verify --out "$WORK/out" --cadence monthly --period 2026-10 >/dev/null ||
  fail "verify of the period rejects a delivery with representative tables"
grep -q '"rep_statements"' "$WORK/out/deliveries/$A/manifests/monthly-2026-10.json" || fail "the manifest omits rep_statements"
# The rules are read once, when the run plans its inputs: an edit while the run reads its feeds
# (the file cut to its header while rank 0 stalls at the start of the read phase) is not in this
# run, and its input_digest names the rules it used, as a run without the edit.
cp -p "$feeds/enrollment/territories.csv" "$WORK/rules.orig"
"$MPIEXEC" -n 2 --oversubscribe "$BIN" --feeds "$feeds" --out "$WORK/edited" --period 2026-10 --quiet \
  --max-reject-fraction 0.05 --inject-failure "stall:read@0" > "$WORK/edited.log" 2>&1 &
launcher=$!
pid=$(stalled_pid "$WORK/edited.log" $launcher "rank 0 of the run with edited rules") || exit 1
head -n 1 "$WORK/rules.orig" > "$feeds/enrollment/territories.csv"
kill -USR2 "$pid"
rc=0; wait $launcher || rc=$?
[ "$rc" -eq 0 ] || { cat "$WORK/edited.log" >&2; fail "the run whose rules were edited while it read: exit $rc"; }
diff -r "$WORK/out/deliveries" "$WORK/edited/deliveries" >&2 || fail "rules edited after the plan changed the deliveries"
digest() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["input_digest"])' "$1/runs/monthly-2026-10/report.json"; }
[ "$(digest "$WORK/out")" = "$(digest "$WORK/edited")" ] || fail "the input_digest does not name the rules the run used"
cp -p "$WORK/rules.orig" "$feeds/enrollment/territories.csv"

# The job delivers both representative tables or neither: one without the other is a problem.
cp -a "$WORK/out" "$WORK/one-rep"
"$BA_PYTHON" - "$WORK/one-rep/deliveries/$A/manifests/monthly-2026-10.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["files"] = [f for f in m["files"] if f["table"] != "rep_statements"]
json.dump(m, open(sys.argv[1], "w"), indent=2)
PY
rm "$WORK/one-rep/deliveries/$A/rep_statements_v1/$sub/data.csv"
rc=0; "$BIN" verify --out "$WORK/one-rep" --cadence monthly --period 2026-10 > /dev/null 2> "$WORK/v.err" || rc=$?
[ "$rc" -eq 7 ] && grep -q "lists rep_attribution without rep_statements" "$WORK/v.err" ||
  { cat "$WORK/v.err" >&2; fail "verify accepts rep_attribution without rep_statements (exit $rc)"; }
rm -rf "$WORK/one-rep"

"$BA_PYTHON" - "$WORK/out/deliveries/$A" "$sub" <<'PY' || fail "representative statements do not add up to the buyers' totals"
import csv, sys
from collections import defaultdict
from decimal import Decimal
base, sub = sys.argv[1:3]
read = lambda t: list(csv.DictReader(open(f"{base}/{t}_v1/{sub}/data.csv", newline="")))
cols = ("billed_net_revenue", "disbursed_net_amount", "estimated_usage_revenue")
def totals(rows):
    out = defaultdict(lambda: [Decimal(0)] * 3)
    for r in rows:
        for i, c in enumerate(cols):
            out[r["currency"]][i] += Decimal(r[c])
    return dict(out)
buyers, attribution, statements = read("buyers"), read("rep_attribution"), read("rep_statements")
assert totals(buyers) == totals(statements) == totals(attribution), (totals(buyers), totals(statements))
by_payer = {r["payer_reference_id"]: r for r in attribution}
# Northwind (account rule), Acme (3-way domain split), Contoso in WA (geography, state), Fabrikam NY (country)
assert by_payer["acc-buyer-01"]["rep_id"] == "rep-ann" and by_payer["acc-buyer-01"]["match_type"] == "account"
acme = [r for r in attribution if r["payer_reference_id"] == "acc-buyer-02"]
assert sorted(r["rep_id"] for r in acme) == ["rep-bob", "rep-cy", "rep-dee"], acme
assert sum(Decimal(r["billed_net_revenue"]) for r in acme) == Decimal("220.625000")
assert by_payer["acc-buyer-04"]["rep_id"] == "rep-fay", by_payer["acc-buyer-04"]
assert any(r["rep_id"] == "" and r["match_type"] == "unassigned" for r in attribution)  # e.g. GB buyer
PY

# Same bytes at 1 rank, and from the store alone.
FEEDS=$feeds run_job 1 "$WORK/one" monthly 2026-10
diff -r "$WORK/out/deliveries" "$WORK/one/deliveries" >&2 || fail "representative tables differ between 3 ranks and 1"
"$MPIEXEC" -n 2 --oversubscribe "$BIN" --quiet --stage export --store "$WORK/out/store/monthly-2026-10.h5" \
  --out "$WORK/again" >/dev/null || fail "re-export failed"
diff -r "$WORK/out/deliveries" "$WORK/again/deliveries" >&2 || fail "re-export of representative tables differs"

# The rules are an input: the digest changes with them.
run_job 1 "$WORK/plain" monthly 2026-10
digest() { "$BA_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["input_digest"])' "$1/runs/monthly-2026-10/report.json"; }
[ "$(digest "$WORK/out")" != "$(digest "$WORK/plain")" ] || fail "the input digest ignores the territory rules"

# Seller A's rules broken, rerun into the same output: A keeps its four tables and loses the
# representative tables of the period the first run delivered (a rerun replaces it whole).
sed -i 's/,rep-ann,Ann Archer,100$/,rep-ann,Ann Archer,90/' "$feeds/enrollment/territories.csv"
FEEDS=$feeds run_job 2 "$WORK/out" monthly 2026-10
for t in rep_attribution rep_statements; do
  [ ! -e "$WORK/out/deliveries/$A/${t}_v1/$sub/data.csv" ] || fail "the rerun left seller A's withheld $t"
done
compare_with_expected "$WORK/out" monthly 2026-10
"$BIN" verify --out "$WORK/out" >/dev/null || fail "verify rejects the rerun's delivery"

# A rules path that is not a file is a fatal input error, not "no rules".
rm "$feeds/enrollment/territories.csv" && mkdir "$feeds/enrollment/territories.csv"
rc=0; FEEDS=$feeds run_job 2 "$WORK/bad" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] && grep -q 'territories.csv .* is not a file' "$WORK/last-run.log" || fail "a folder as rules file: exit $rc"
echo "1 passed, 0 failed"
