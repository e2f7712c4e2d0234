#!/usr/bin/env bash
# The dimension horizon (feeds.md: a run "reads every month up to the end of the period" of the
# historized feeds; semantics.md: product, offer and address use their "latest version among all
# rows read"). A September 2026 run must not see the October partitions: a September invoice,
# payout and usage row of seller A show the September-era product, offer, address and account,
# although each has a newer version (or, for the account, a correction) in month=10. The October
# run of the same feeds does show the October values, so the edits are real and would be seen.
# Also: every manifest carries the job version and the confidentiality notice (outputs.md).
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -a "$FEEDS" "$feeds"
"$BA_PYTHON" - "$feeds" <<'PY'
import sys
root = sys.argv[1]

def append(path, *lines):
    with open(f"{root}/{path}", "a", newline="") as f:
        for line in lines:
            f.write(line + "\n")

# September facts of seller A: txn-h-01 (acc-buyer-01, prod-a1, offer-a1, mailing address addr-01),
# txn-h-02 (acc-buyer-09, prod-a2, offer-a2), a payout on 09-25 settling txn-h-01, one usage row.
append("billing_event_v1/year=2026/month=09/data.csv",
       "be-h-01,acc-seller-a,acc-buyer-01,acc-seller-a,acc-buyer-01,prod-a1,offer-a1,INVOICED,SELLER_REV_SHARE,,,USD,100.000000,1,2026-09-15T10:00:00Z,,,,inv-h-01,,txn-h-01,,",
       "be-h-02,acc-seller-a,acc-seller-a,AWS,acc-buyer-01,prod-a1,offer-a1,INVOICED,AWS_REV_SHARE,,,USD,-20.000000,1,2026-09-15T10:00:00Z,,,,inv-h-01,,txn-h-01,,",
       "be-h-03,acc-seller-a,acc-buyer-09,acc-seller-a,acc-buyer-09,prod-a2,offer-a2,INVOICED,SELLER_REV_SHARE,,,USD,50.000000,1,2026-09-16T10:00:00Z,,,,inv-h-02,,txn-h-02,,",
       "be-h-04,acc-seller-a,acc-seller-a,AWS,acc-buyer-09,prod-a2,offer-a2,INVOICED,AWS_REV_SHARE,,,USD,-10.000000,1,2026-09-16T10:00:00Z,,,,inv-h-02,,txn-h-02,,",
       "be-h-10,acc-seller-a,AWS,acc-seller-a,,,,DISBURSED,DISBURSEMENT,,,USD,80.000000,1,2026-09-25T12:00:00Z,,,,,,txn-h-pay,TRC-H-0925,",
       "be-h-11,acc-seller-a,acc-buyer-01,acc-seller-a,acc-buyer-01,prod-a1,offer-a1,DISBURSED,SELLER_REV_SHARE,be-h-01,be-h-10,USD,-100.000000,1,2026-09-25T12:00:00Z,,,,,,txn-h-01,,",
       "be-h-12,acc-seller-a,acc-seller-a,AWS,acc-buyer-01,prod-a1,offer-a1,DISBURSED,AWS_REV_SHARE,be-h-02,be-h-10,USD,20.000000,1,2026-09-25T12:00:00Z,,,,,,txn-h-01,,")
append("daily_usage_v1/year=2026/month=09/data.csv",
       "uf-h-01,acc-seller-a,2026-09-15,prod-a1,offer-a1,agmt-a-01,acc-buyer-01,acc-buyer-01,us-east-1,users,Units,10,USD,1.5,15.000000,Widget users,2026-09-15T00:00:00Z,2026-09-16T02:00:00Z,2026-09-16T02:00:00Z,")
# October partitions: newer versions of prod-a1, offer-a1 and addr-01 (valid from 2026-10-05), and
# a correction of acc-buyer-09's 2019 version (same valid_from, update_date in October) that moves
# its mailing address to addr-09z. addr-09z itself is in the backfill, so only the account
# correction, if read, can bring it in.
append("product_v1/year=2026/month=10/data.csv",
       "prod-a1,acc-seller-a,a1-widget-oct,Widget Analytics OCTOBER,2026-10-05T00:00:00Z,2026-10-05T00:00:00Z,2026-10-05T00:00:00Z,")
append("offer_v1/year=2026/month=10/data.csv",
       "offer-a1,11,Widget annual,2027-06-01T00:00:00Z,Opp A1 OCTOBER,,acc-seller-a,opp-a1,2026-10-05T00:00:00Z,2026-10-05T00:00:00Z,2026-10-05T00:00:00Z,")
append("address_v1/year=2026/month=10/data.csv",
       "addr-01,000123456789,buyer01.example.com,Northwind OCTOBER,US,OR,Octoberville,97999,1 Pike St,,,2026-10-05T00:00:00Z,,2026-10-05T00:00:00Z,2026-10-05T00:00:00Z,")
append("account_v1/year=2026/month=10/data.csv",
       "acc-buyer-09,900000000009,enc-b09,addr-09z,addr-09z,,Coho Winery,2019-01-01T00:00:00Z,2026-10-05T00:00:00Z,2026-10-05T00:00:00Z,")
append("address_v1/year=2010/month=01/data.csv",
       "addr-09z,900000000009,coho.example,Coho Mailing OCTOBER,US,WA,Yakima,98901,1 Other St,,,2019-01-01T00:00:00Z,,2019-01-01T00:00:00Z,2019-01-01T00:00:00Z,")
PY

# The expectations: seller A's files written out here; B and D (enrolled for September, no rows)
# keep the header-only files of tests/expected/monthly-2026-09.
exp=$WORK/expected
mkdir -p "$exp"
for period in monthly-2026-09 daily-2026-09-15; do
  cp -a "$EXPECTED/monthly-2026-09" "$exp/$period"
done
sales1='000123456789,Northwind Traders,buyer01.example.com,US,WA,Seattle,98101,a1-widget,Widget Analytics,offer-a1,Opp A1 renewal,100.000000,-20.000000,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,80.000000,USD,2026-09,2026-09-15,txn-h-01,acc-buyer-01,000123456789'
sales2="900000000009,Coho Winery,coho.example,US,WA,Walla Walla,99362,a2-gizmo,\"Gizmo, Pro Edition\",offer-a2,'-10% launch promo,50.000000,-10.000000,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,40.000000,USD,2026-09,2026-09-16,txn-h-02,acc-buyer-09,900000000009"
disb1='000123456789,Northwind Traders,buyer01.example.com,US,WA,Seattle,98101,a1-widget,Widget Analytics,100.000000,-20.000000,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,80.000000,USD,txn-h-01,2026-09-25,TRC-H-0925,acc-buyer-01,000123456789'
usage1='000123456789,Northwind Traders,buyer01.example.com,US,WA,Seattle,98101,000123456789,a1-widget,Widget Analytics,offer-a1,us-east-1,users,Units,2026-09-15,10.000000,15.000000,USD'
buyers1='000123456789,Northwind Traders,buyer01.example.com,US,WA,Seattle,98101,acc-buyer-01,USD,2026-09-15,2026-09-25,80.000000,80.000000,15.000000,1,1'
buyers9='900000000009,Coho Winery,coho.example,US,WA,Walla Walla,99362,acc-buyer-09,USD,2026-09-16,2026-09-16,40.000000,0.000000,0.000000,1,1'
buyers1_day='000123456789,Northwind Traders,buyer01.example.com,US,WA,Seattle,98101,acc-buyer-01,USD,2026-09-15,2026-09-15,80.000000,0.000000,15.000000,1,1'
a=012345678901
m=$exp/monthly-2026-09/$a
printf '%s\n' "$sales1" "$sales2" >> "$m/sales_compensation.csv"
printf '%s\n' "$disb1" >> "$m/disbursements.csv"
printf '%s\n' "$usage1" >> "$m/usage.csv"
printf '%s\n' "$buyers1" "$buyers9" >> "$m/buyers.csv"
d=$exp/daily-2026-09-15/$a
printf '%s\n' "$sales1" >> "$d/sales_compensation.csv"
printf '%s\n' "$usage1" >> "$d/usage.csv"
printf '%s\n' "$buyers1_day" >> "$d/buyers.csv"

version=$("$BIN" --version | awk '{print $NF}')
[ -n "$version" ] || fail "buyer-attribution --version printed no version"
# check_manifests OUT CADENCE PERIOD: every delivered seller's manifest of the period names the
# job version and carries a confidentiality notice restricting the data to sales compensation.
check_manifests() {
  "$BA_PYTHON" - "$1/deliveries" "$2-$3" "$version" <<'PY' || fail "$2 $3: a manifest lacks the job version or the confidentiality notice"
import json, os, re, sys
root, name, version = sys.argv[1:4]
bad, seen = [], 0
for seller in sorted(os.listdir(root)):
    path = os.path.join(root, seller, "manifests", name + ".json")
    if not os.path.exists(path):
        continue
    seen += 1
    m = json.load(open(path))
    if m.get("job_version") != version:
        bad.append(f"{seller}: job_version {m.get('job_version')!r}, the executable says {version!r}")
    # outputs.md: "a confidentiality notice stating that the data is for sales compensation only"
    notice = " ".join(v for k, v in m.items() if "confiden" in k.lower() and isinstance(v, str))
    words = notice.lower()
    if not ("confidential" in words and "only" in words and "sales" in words and re.search(r"compensat", words)):
        bad.append(f"{seller}: no confidentiality notice restricting the data to sales compensation: {notice!r}")
if seen == 0:
    bad.append("no manifest found")
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

for ranks in 1 3; do
  rm -rf "$WORK/out"
  FEEDS=$feeds run_job $ranks "$WORK/out" monthly 2026-09 --chunk-size 64
  EXPECTED=$exp compare_with_expected "$WORK/out" monthly 2026-09
  check_manifests "$WORK/out" monthly 2026-09
  FEEDS=$feeds run_job $ranks "$WORK/out" daily 2026-09-15 --chunk-size 64
  EXPECTED=$exp compare_with_expected "$WORK/out" daily 2026-09-15
  check_manifests "$WORK/out" daily 2026-09-15
done

# Control: the October run reads the October partitions, so each edit shows there.
FEEDS=$feeds run_job 2 "$WORK/out" monthly 2026-10
check_manifests "$WORK/out" monthly 2026-10
oct=$WORK/out/deliveries/$a/sales_compensation_v1/year=2026/month=10/data.csv
line=$(grep ',txn-a-001,acc-buyer-01,' "$oct") || fail "October: txn-a-001 is not delivered"
[[ $line == 000123456789,Northwind\ OCTOBER,buyer01.example.com,US,OR,Octoberville,97999,a1-widget-oct,Widget\ Analytics\ OCTOBER,offer-a1,Opp\ A1\ OCTOBER,* ]] ||
  fail "October: txn-a-001 does not show the October address, product and offer versions: $line"
line=$(grep ',txn-a-008,acc-buyer-09,' "$oct") || fail "October: txn-a-008 is not delivered"
[[ $line == 900000000009,Coho\ Mailing\ OCTOBER,coho.example,US,WA,Yakima,98901,* ]] ||
  fail "October: txn-a-008 does not show the account correction's mailing address: $line"
# A daily run reads its month's partitions whole (docs/decisions.md): the run of 2026-10-03 shows
# the versions written on 2026-10-05, after its day, as a rerun of that day would.
FEEDS=$feeds run_job 2 "$WORK/out" daily 2026-10-03
day=$WORK/out/deliveries/$a/sales_compensation_v1/year=2026/month=10/day=03/data.csv
line=$(grep ',txn-a-001,acc-buyer-01,' "$day") || fail "2026-10-03: txn-a-001 is not delivered"
[[ $line == 000123456789,Northwind\ OCTOBER,buyer01.example.com,US,OR,Octoberville,97999,a1-widget-oct,Widget\ Analytics\ OCTOBER,offer-a1,Opp\ A1\ OCTOBER,* ]] ||
  fail "2026-10-03: txn-a-001 does not show the versions written later in its month: $line"
echo "1 passed, 0 failed"
