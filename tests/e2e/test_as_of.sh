#!/usr/bin/env bash
# The "as of" instant (decisions.md): a billing group resolves its payer at its latest
# invoice_date timestamp, a usage row at 00:00:00Z of its usage_date. A buyer whose new mailing
# address takes effect at 05:00 on 2026-10-03 shows it on txn-a-001 (invoiced 09:30 that day) and
# not on that day's usage. The sample itself has no version boundary inside an event's day.
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -a "$FEEDS" "$feeds"
echo 'acc-buyer-01,000123456789,enc-b01,addr-01n,addr-01n,,Northwind Traders,2026-10-03T05:00:00Z,2026-10-03T05:00:00Z,2026-10-03T05:00:00Z,' \
  >> "$feeds/account_v1/year=2026/month=10/data.csv"
echo 'addr-01n,000123456789,buyer01.example.com,Northwind Traders,US,OR,NewCity,97000,x,,,2026-10-03T05:00:00Z,,2026-10-03T05:00:00Z,2026-10-03T05:00:00Z,' \
  >> "$feeds/address_v1/year=2026/month=10/data.csv"
for ranks in 1 3; do
  out=$WORK/out-$ranks
  FEEDS=$feeds run_job $ranks "$out" monthly 2026-10
  seller=$out/deliveries/012345678901
  sales=$(grep ',2026-10-03,txn-a-001,acc-buyer-01,' "$seller/sales_compensation_v1/year=2026/month=10/data.csv") ||
    fail "txn-a-001 is not delivered"
  [[ $sales == 000123456789,Northwind\ Traders,buyer01.example.com,US,OR,NewCity,97000,* ]] ||
    fail "$ranks ranks: txn-a-001 (invoiced 09:30) is not resolved after the 05:00 version: $sales"
  usage=$(grep -c ',2026-10-03,' "$seller/usage_v1/year=2026/month=10/data.csv") || true
  [ "$usage" -gt 0 ] || fail "no usage of 2026-10-03 is delivered"
  grep ',2026-10-03,' "$seller/usage_v1/year=2026/month=10/data.csv" | grep '^000123456789,' | grep -q ',NewCity,' &&
    fail "$ranks ranks: usage of 2026-10-03 (as of 00:00) shows the version of 05:00"
  grep ',2026-10-03,' "$seller/usage_v1/year=2026/month=10/data.csv" | grep -q '^000123456789,.*,WA,Seattle,98101,' ||
    fail "$ranks ranks: usage of 2026-10-03 does not show the version holding at 00:00"
done
echo "1 passed, 0 failed"
