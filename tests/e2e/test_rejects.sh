#!/usr/bin/env bash
# Every kind of bad row is rejected with its reason, file and physical line, the good rows around
# it still count (the deliveries equal the clean expectation), and the reject limit fails the run
# and publishes nothing.
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -a "$FEEDS" "$feeds"
billing=$feeds/billing_event_v1/year=2026/month=10/data.csv
good='be-9%02d,acc-seller-a,acc-buyer-01,acc-seller-a,acc-buyer-01,prod-a1,offer-a1,INVOICED,SELLER_REV_SHARE,,,USD,%s,1,%s,2026-11-03T00:00:00Z,,,inv-x,,txn-bad-%02d,,'
row() { printf "$good\n" "$1" "$2" "$3" "$1"; }
{
  # line 82: wrong column count
  echo 'be-901,acc-seller-a,acc-buyer-01'
  # line 83: unknown action; 84: unknown transaction type
  row 2 1.000000 2026-10-05T00:00:00Z | sed 's/INVOICED/BILLED/'
  row 3 1.000000 2026-10-05T00:00:00Z | sed 's/SELLER_REV_SHARE/SELLER_SHARE/'
  # line 85: seven non-zero fraction digits; 86: thousands separator; 87: bad date
  row 4 10.1234567 2026-10-05T00:00:00Z
  row 5 '"1,000.00"' 2026-10-05T00:00:00Z
  row 6 1.000000 2026-10-32T00:00:00Z
  # line 88: empty key (no billing_event_id)
  row 7 1.000000 2026-10-05T00:00:00Z | sed 's/^be-907//'
  # line 89: a NUL byte; 90: invalid UTF-8
  row 8 1.000000 2026-10-05T00:00:00Z | sed 's/inv-x/inv-\x00/'
  row 9 1.000000 2026-10-05T00:00:00Z | sed 's/inv-x/inv-\xff/'
  # line 91: quotes inside a bare field (balanced, so the record still ends on its line)
  row 10 1.000000 2026-10-05T00:00:00Z | sed 's/inv-x/in"v"x/'
  # line 92: no currency; 93: a balance_impacting flag that is neither 0 nor 1
  row 13 1.000000 2026-10-05T00:00:00Z | sed 's/,USD,/,,/'
  row 14 1.000000 2026-10-05T00:00:00Z | sed 's/,1,2026-10-05T/,yes,2026-10-05T/'
  # line 94: unterminated quote: the rest of the file is one bad record (lines 94-95)
  row 11 1.000000 2026-10-05T00:00:00Z | sed 's/inv-x/"inv/'
  row 12 1.000000 2026-10-05T00:00:00Z
} >> "$billing"
offer=$feeds/offer_v1/year=2026/month=10/data.csv
# line 4 (the record before spans lines 2-3): an offer_revision that is not a number
echo 'offer-zz,2b,Bad,,Opp Z,desc,acc-seller-b,opp-z,2026-10-02T00:00:00Z,2026-10-02T00:00:00Z,,' >> "$offer"
usage=$feeds/daily_usage_v1/year=2026/month=10/data.csv
# line 16: a usage row without a currency, its revenue null too (still an amount with no currency)
echo 'uf-c-nc,acc-seller-c,2026-10-28,prod-c1,offer-c1,agmt-c-24,acc-buyer-24,acc-buyer-24,us-west-2,requests,Requests,4,,,,Platform requests,2026-10-28T00:00:00Z,2026-10-29T02:00:00Z,2026-10-29T02:00:00Z,' >> "$usage"
[ "$(wc -l < "$usage")" -eq 16 ] || fail "the sample usage file changed: line numbers below are off"
account=$feeds/account_v1/year=2026/month=10/data.csv
# line 7: an aws_account_id that is not 12 digits (a path separator inside)
echo 'acc-bad-1,12345/789012,enc,addr-x,addr-x,,Bad Corp,2026-10-01T00:00:00Z,,,' >> "$account"
# line 8: a blank line at the end of the file is a record with too few fields (decisions.md)
echo >> "$account"

FEEDS=$feeds REJECT_LIMIT=0.5 run_job 3 "$WORK/out" monthly 2026-10
rejects=$WORK/out/runs/monthly-2026-10/rejects.csv
expect() {  # feed line reason
  grep -q "^$1,[^,]*,$2,$3," "$rejects" || { cat "$rejects" >&2; fail "no reject $3 for $1 line $2"; }
}
expect billing_event 82 column_count
expect billing_event 83 unknown_action
expect billing_event 84 unknown_transaction_type
expect billing_event 85 bad_amount
expect billing_event 86 bad_amount
expect billing_event 87 bad_date
expect billing_event 88 empty_key
expect billing_event 89 nul_byte
expect billing_event 90 invalid_utf8
expect billing_event 91 bad_quoting
expect billing_event 92 empty_currency
expect billing_event 93 bad_flag
expect billing_event 94 unterminated_quote
expect offer 4 bad_number
expect billing_event 49 duplicate
expect billing_event 73 mixed_currency
expect account 7 bad_aws_account_id
expect account 8 column_count
expect daily_usage 16 empty_currency
n=$("$BA_PYTHON" -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline=''))))" "$rejects")
[ "$n" -eq 20 ] || { cat "$rejects" >&2; fail "expected 20 rejects, got $n"; }
# The raw text of the unterminated record holds both physical lines.
grep -q 'be-912' "$rejects" || fail "the unterminated record does not include the rest of the file"
# The report balances and counts the rejects by reason.
"$BA_PYTHON" - "$WORK/out/runs/monthly-2026-10/report.json" <<'PY' || fail "report.json does not balance or count"
import json, sys
r = json.load(open(sys.argv[1]))
b = r["feeds"]["billing_event"]
assert r["balanced"] is True
assert b["read"] == 80 + 13, b
assert b["rejected"] == 16 and b["rejected_by_reason"]["bad_amount"] == 2, b
assert b["rejected_by_reason"]["empty_currency"] == 1 and b["rejected_by_reason"]["bad_flag"] == 1, b
assert r["feeds"]["offer"]["rejected_by_reason"] == {"bad_number": 1}, r["feeds"]["offer"]
assert b["read"] == b["used"] + b["rejected"] + b["outside_period"] + b["not_enrolled"] + b["superseded"], b
PY
# Good rows around the bad ones still count: the deliveries equal the clean expectation.
compare_with_expected "$WORK/out" monthly 2026-10

# Above the reject limit: exit 3, nothing published.
rc=0
FEEDS=$feeds REJECT_LIMIT=0.01 run_job 2 "$WORK/out2" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "a run above the reject limit exited $rc, expected 3"
[ ! -e "$WORK/out2/deliveries" ] || [ -z "$(ls -A "$WORK/out2/deliveries")" ] || fail "a run above the reject limit published deliveries"
[ ! -e "$WORK/out2/store/monthly-2026-10.h5" ] || fail "a run above the reject limit published its store"

# A missing required column is fatal and names the file and the column.
sed -i '1s/,amount,/,amt,/' "$billing"
rc=0
FEEDS=$feeds run_job 2 "$WORK/out3" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "a missing column exited $rc, expected 3"
grep -q "billing_event_v1/year=2026/month=10/data.csv.*'amount'" "$WORK/last-run.log" || fail "the error does not name file and column"
# A column that also has an older name: the error names both.
sed -i '1s/,amt,/,amount,/' "$billing"
address=$feeds/address_v1/year=2026/month=10/data.csv
sed -i '1s/,country_code,/,ctry,/' "$address"
rc=0
FEEDS=$feeds run_job 2 "$WORK/out3" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "a missing address country column exited $rc, expected 3"
grep -q "address_v1/year=2026/month=10/data.csv: line 1: required column 'country_code' (or its older name 'country') is missing" \
  "$WORK/last-run.log" || { cat "$WORK/last-run.log" >&2; fail "the error does not name the column's older name"; }
sed -i '1s/,ctry,/,country_code,/' "$address"
# A missing fact file is fatal too.
rm "$billing"
rc=0
FEEDS=$feeds run_job 2 "$WORK/out3" monthly 2026-10 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "a missing feed file exited $rc, expected 3"
grep -q "missing input: feed billing_event" "$WORK/last-run.log" || fail "the error does not name the missing feed"
echo "1 passed, 0 failed"
