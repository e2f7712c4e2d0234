#!/usr/bin/env bash
# A payout or a failure needs no transaction_reference_id: semantics.md finds payouts by type
# and action, and the payout a failure cancels by its parent_billing_event_id. An empty one is
# null (feeds.md), not a reason to reject the row. Rejected, a failure with none let its failed
# payout's lines be delivered as disbursed, and a payout with none lost all of its lines.
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -a "$FEEDS" "$feeds"
PYTHONPATH="$ROOT/tests/e2e" "$BA_PYTHON" - "$feeds/billing_event_v1/year=2026/month=10/data.csv" <<'PY'
import sys
from feed_headers import append_named_rows
def row(event_id, payer, typ, amount, when, txn, **extra):
    return dict(billing_event_id=event_id, recipient_account_id="acc-seller-a", from_account_id=payer,
                to_account_id="acc-seller-a", action="DISBURSED", transaction_type=typ, currency="USD",
                amount=amount, balance_impacting="1", invoice_date=when, transaction_reference_id=txn, **extra)
line = dict(end_user_account_id="acc-buyer-09", product_id="prod-a1", offer_id="offer-a1")
append_named_rows(sys.argv[1], [
    # payout of 10-16, failed the same day by a failure without transaction_reference_id
    row("be-nr-p1", "AWS", "DISBURSEMENT", "60", "2026-10-16T12:00:00Z", "txn-nr-pay1", bank_trace_id="TRC-NR-1"),
    row("be-nr-l1", "acc-buyer-09", "SELLER_REV_SHARE", "-60", "2026-10-16T12:00:00Z", "txn-nr-failed",
        disbursement_billing_event_id="be-nr-p1", **line),
    row("be-nr-f1", "AWS", "DISBURSEMENT_FAILURE", "-60", "2026-10-16T14:00:00Z", "",
        parent_billing_event_id="be-nr-p1"),
    # payout of 10-17 without transaction_reference_id, kept
    row("be-nr-p2", "AWS", "DISBURSEMENT", "70", "2026-10-17T12:00:00Z", "", bank_trace_id="TRC-NR-2"),
    row("be-nr-l2", "acc-buyer-09", "SELLER_REV_SHARE", "-70", "2026-10-17T12:00:00Z", "txn-nr-kept",
        disbursement_billing_event_id="be-nr-p2", **line),
])
PY
FEEDS=$feeds run_job 2 "$WORK/out" monthly 2026-10
"$BA_PYTHON" - "$WORK/out" <<'PY' || fail "payout rows without transaction_reference_id (above)"
import csv, sys
out = sys.argv[1]
disb = out + "/deliveries/012345678901/disbursements_v1/year=2026/month=10/data.csv"
got = {r["transaction_reference_id"]: (r["net_amount"], r["disbursement_date"], r["bank_trace_id"])
       for r in csv.DictReader(open(disb, newline=""))}
problems = []
if "txn-nr-failed" in got:
    problems.append(f"the line of the failed payout is delivered: {got['txn-nr-failed']}")
if got.get("txn-nr-kept") != ("70.000000", "2026-10-17", "TRC-NR-2"):
    problems.append(f"the line of the kept payout: {got.get('txn-nr-kept')} instead of 70.000000 on 2026-10-17")
rejects = out + "/runs/monthly-2026-10/rejects.csv"
problems += [f"rejected: {r['reason']} {r['text']}" for r in csv.DictReader(open(rejects, newline=""))
             if "be-nr-" in r["text"]]
for p in problems:
    print("FAIL:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
echo "1 passed, 0 failed"
