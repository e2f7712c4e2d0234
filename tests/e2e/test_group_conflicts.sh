#!/usr/bin/env bash
# semantics.md: "Where a group has several values of a column that should be one (payer, billing
# address, offer), take the greatest in byte order." The sample has no such group. Here seller A
# gets two sales groups (txn-a-cf1, txn-a-cf2) whose rows disagree on the payer (acc-buyer-12 /
# acc-buyer-13), the billing address (addr-13a Denver / addr-13b Boulder) and the offer
# (offer-a1 / offer-a2), and one disbursement group whose lines disagree on payer and address.
# The greatest values sit on different rows, one at the top of the file and one at its end, in
# both orders, so with small chunks they are read by different ranks. Every rank count and chunk
# size must deliver acc-buyer-13, Boulder and offer-a2 (a wrong payer would also lose the address:
# addr-13b belongs to acc-buyer-13's aws account).
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -a "$FEEDS" "$feeds"
"$BA_PYTHON" - "$feeds/billing_event_v1/year=2026/month=10/data.csv" <<'PY'
import sys
path = sys.argv[1]
lines = open(path, newline="").read().split("\n")
assert lines[-1] == ""
header, body = lines[0], lines[1:-1]
def row(id, frm, to, typ, offer, amount, billing, trx="", action="INVOICED", parent="", payout="",
        ts="2026-10-05T10:00:00Z", trace=""):
    end_user, prod = ("", "") if typ == "DISBURSEMENT" else ("acc-buyer-13", "prod-a1")
    offer = "" if typ == "DISBURSEMENT" else offer
    return (f"{id},acc-seller-a,{frm},{to},{end_user},{prod},{offer},{action},{typ},{parent},{payout},USD,{amount},1,"
            f"{ts},,,,,{billing},{trx},{trace},")
top = [
    # txn-a-cf1: the greatest payer and address first, the greatest offer last.
    row("be-cf-01", "acc-buyer-13", "acc-seller-a", "SELLER_REV_SHARE", "offer-a1", "100.000000", "addr-13b", "txn-a-cf1"),
    # txn-a-cf2: the other way round.
    row("be-cf-11", "acc-buyer-12", "acc-seller-a", "SELLER_REV_SHARE", "offer-a2", "100.000000", "addr-13a", "txn-a-cf2"),
    # payout line of txn-a-cf1: the greatest payer, the lesser address.
    row("be-cf-21", "acc-buyer-13", "acc-seller-a", "SELLER_REV_SHARE", "offer-a1", "-100.000000", "addr-13a", "txn-a-cf1",
        "DISBURSED", "be-cf-01", "be-cf-20", "2026-10-07T12:00:00Z"),
]
middle = [
    row("be-cf-03", "acc-seller-a", "AWS", "AWS_REV_SHARE", "offer-a1", "-20.000000", "", "txn-a-cf1"),
    row("be-cf-13", "acc-seller-a", "AWS", "AWS_REV_SHARE", "offer-a1", "-20.000000", "", "txn-a-cf2"),
    row("be-cf-20", "AWS", "acc-seller-a", "DISBURSEMENT", "", "90.000000", "", "txn-a-cfpay", "DISBURSED",
        ts="2026-10-07T12:00:00Z", trace="TRC-CF-1007"),
    row("be-cf-23", "acc-seller-a", "AWS", "AWS_REV_SHARE", "offer-a1", "20.000000", "", "txn-a-cf1",
        "DISBURSED", "be-cf-03", "be-cf-20", "2026-10-07T12:00:00Z"),
]
end = [
    row("be-cf-02", "acc-buyer-12", "acc-seller-a", "SELLER_TAX_SHARE", "offer-a2", "10.000000", "addr-13a", "txn-a-cf1"),
    row("be-cf-12", "acc-buyer-13", "acc-seller-a", "SELLER_TAX_SHARE", "offer-a1", "10.000000", "addr-13b", "txn-a-cf2"),
    row("be-cf-22", "acc-buyer-12", "acc-seller-a", "SELLER_TAX_SHARE", "offer-a2", "-10.000000", "addr-13b", "txn-a-cf1",
        "DISBURSED", "be-cf-02", "be-cf-20", "2026-10-07T12:00:00Z"),
]
half = len(body) // 2
open(path, "w", newline="").write("\n".join([header] + top + body[:half] + middle + body[half:] + end) + "\n")
PY

# The expectation: the sample's, with seller A's two new sales rows (they sort last), its new
# disbursements row (10-07 sorts first) and acc-buyer-13's buyers row grown by them.
exp=$WORK/expected/monthly-2026-10
mkdir -p "$WORK/expected"
cp -a "$EXPECTED/monthly-2026-10" "$exp"
a=$exp/012345678901
boulder='130000000013,Lucerne Publishing,lucerne.example,US,CO,Boulder,80302'
for txn in txn-a-cf1 txn-a-cf2; do
  echo "$boulder,a1-widget,Widget Analytics,offer-a2,'-10% launch promo,100.000000,-20.000000,0.000000,0.000000,0.000000,0.000000,10.000000,0.000000,90.000000,USD,2026-10,2026-10-05,$txn,acc-buyer-13,130000000013" \
    >> "$a/sales_compensation.csv"
done
sed -i "1a $boulder,a1-widget,Widget Analytics,100.000000,-20.000000,0.000000,0.000000,0.000000,0.000000,10.000000,0.000000,90.000000,USD,txn-a-cf1,2026-10-07,TRC-CF-1007,acc-buyer-13,130000000013" \
  "$a/disbursements.csv"
old="$boulder,acc-buyer-13,USD,2026-10-28,2026-10-28,44.440000,0.000000,0.000000,1,1"
grep -qxF "$old" "$a/buyers.csv" || fail "the sample's acc-buyer-13 buyers row changed; update this test"
sed -i "s/^$old\$/$boulder,acc-buyer-13,USD,2026-10-05,2026-10-28,224.440000,90.000000,0.000000,3,2/" "$a/buyers.csv"

for variant in "1 8M" "1 64" "2 64" "2 1K" "3 64" "3 1K"; do
  set -- $variant
  rm -rf "$WORK/out"
  FEEDS=$feeds run_job "$1" "$WORK/out" monthly 2026-10 --chunk-size "$2" --round-size 97
  EXPECTED=$WORK/expected compare_with_expected "$WORK/out" monthly 2026-10 ||
    fail "$1 ranks, chunk $2: a group with several payers, addresses or offers"
  if grep -rq 'acc-buyer-12' "$WORK/out/deliveries/012345678901"; then
    fail "$1 ranks, chunk $2: acc-buyer-12 (the lesser payer) was delivered"
  fi
done
echo "1 passed, 0 failed"
