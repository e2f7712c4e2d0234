#!/usr/bin/env bash
# feeds.md: "The literal AWS stands for the marketplace itself ... It is not a buyer". A usage row
# whose payer_account_id is AWS has no payer: in buyers it joins the seller's rows without a payer
# (empty buyer columns, empty payer_reference_id), as a billing row whose from_account_id is AWS
# does. It used to make a buyers row with payer_reference_id AWS, the marketplace as a buyer.
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -a "$FEEDS" "$feeds"
echo 'uf-aws-1,acc-seller-c,2026-10-28,prod-c1,offer-c1,agmt-c-24,AWS,AWS,us-west-2,requests,Requests,5,USD,0.00001,2.000000,Platform requests,2026-10-28T00:00:00Z,2026-10-29T02:00:00Z,2026-10-29T02:00:00Z,' \
  >> "$feeds/daily_usage_v1/year=2026/month=10/data.csv"
for ranks in 1 2; do
  rm -rf "$WORK/out"
  FEEDS=$feeds run_job "$ranks" "$WORK/out" monthly 2026-10
  buyers=$WORK/out/deliveries/000987000987/buyers_v1/year=2026/month=10/data.csv
  usage=$WORK/out/deliveries/000987000987/usage_v1/year=2026/month=10/data.csv
  grep -qxF ',,,,,,,,C1-platform,Platform Enterprise,offer-c1,us-west-2,requests,Requests,2026-10-28,5.000000,2.000000,USD' "$usage" ||
    { cat "$usage" >&2; fail "$ranks ranks: the usage row with the payer AWS is not delivered with empty buyer columns"; }
  grep -q ',AWS,' "$buyers" && { cat "$buyers" >&2; fail "$ranks ranks: AWS delivered as a buyer (payer_reference_id)"; }
  grep -qxF ',,,,,,,,USD,2026-10-28,2026-10-28,0.000000,0.000000,2.000000,0,1' "$buyers" ||
    { cat "$buyers" >&2; fail "$ranks ranks: no buyers row without a payer for the usage of payer AWS"; }
done
echo "1 passed, 0 failed"
