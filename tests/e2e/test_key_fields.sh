#!/usr/bin/env bash
# Ids are free text: a key made of several of them must keep different tuples apart whatever
# bytes the ids hold. Joined with a separator byte (0x1f), two sales groups whose fields shift
# across it were one group (a buyer's revenue credited to another buyer), and a row of an
# enrolled seller was dropped as the duplicate of another recipient's row.
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -a "$FEEDS" "$feeds"
PYTHONPATH="$ROOT/tests/e2e" "$BA_PYTHON" - "$feeds/billing_event_v1/year=2026/month=10/data.csv" <<'PY'
import sys
from feed_headers import append_named_rows
def row(event_id, recipient, payer, product, amount, txn):
    return dict(billing_event_id=event_id, recipient_account_id=recipient, from_account_id=payer,
                to_account_id=recipient, end_user_account_id="acc-buyer-01", product_id=product,
                offer_id="offer-a1", action="INVOICED", transaction_type="SELLER_REV_SHARE",
                currency="USD", amount=amount, balance_impacting="1",
                invoice_date="2026-10-05T10:00:00Z", payment_due_date="2026-11-04T10:00:00Z",
                invoice_id="inv-key-" + event_id[-1], transaction_reference_id=txn)
append_named_rows(sys.argv[1], [
    # (seller, "txk\x1fprod-a1", "prod-a1", end user) and (seller, "txk", "prod-a1\x1fprod-a1", end user)
    row("be-key-1", "acc-seller-a", "acc-buyer-01", "prod-a1", "1.000000", "txk\x1fprod-a1"),
    row("be-key-2", "acc-seller-a", "acc-buyer-02", "prod-a1\x1fprod-a1", "2.000000", "txk"),
    # identities (recipient, id): ("acc-seller-a\x1fk", "z") read first, then ("acc-seller-a", "k\x1fz")
    row("z", "acc-seller-a\x1fk", "acc-buyer-01", "prod-a1", "8.000000", "txk-other"),
    row("k\x1fz", "acc-seller-a", "acc-buyer-01", "prod-a1", "4.000000", "txk-dup"),
])
PY
for ranks in 1 2 3; do
  rm -rf "$WORK/out"
  FEEDS=$feeds run_job "$ranks" "$WORK/out" monthly 2026-10 --chunk-size 1K
  "$BA_PYTHON" - "$WORK/out" "$ranks" <<'PY' || fail "at $ranks ranks (above)"
import csv, sys
out, ranks = sys.argv[1], sys.argv[2]
sales = out + "/deliveries/012345678901/sales_compensation_v1/year=2026/month=10/data.csv"
got = {(r["transaction_reference_id"], r["payer_reference_id"]): r["gross_revenue"]
       for r in csv.DictReader(open(sales, newline=""))}
want = {("txk\x1fprod-a1", "acc-buyer-01"): "1.000000", ("txk", "acc-buyer-02"): "2.000000",
        ("txk-dup", "acc-buyer-01"): "4.000000"}
problems = [f"{k!r}: {got.get(k)} instead of {v}" for k, v in want.items() if got.get(k) != v]
rejects = out + "/runs/monthly-2026-10/rejects.csv"
problems += [f"rejected: {r}" for r in csv.DictReader(open(rejects, newline="")) if "be-key" in r["text"] or
             "\x1f" in r["text"]]
for p in problems:
    print(f"FAIL ({ranks} ranks): {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
done
echo "1 passed, 0 failed"
