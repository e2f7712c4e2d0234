"""The fact feeds' headers (feeds.md), shared by the scripts that write test feeds, and a helper
that appends rows to a feed file by column name."""

import csv

HIST = "valid_from,insert_date,update_date,delete_date"
BILLING_HEADER = ("billing_event_id,recipient_account_id,from_account_id,to_account_id,end_user_account_id,product_id,"
                  "offer_id,action,transaction_type,parent_billing_event_id,disbursement_billing_event_id,currency,amount,"
                  "balance_impacting,invoice_date,payment_due_date,usage_period_start_date,usage_period_end_date,invoice_id,"
                  "billing_address_id,transaction_reference_id,bank_trace_id,broker_id")
USAGE_HEADER = ("usage_feed_id,recipient_account_id,usage_date,product_id,offer_id,agreement_id,end_user_account_id,"
                "payer_account_id,region,dimension_key,usage_unit,usage_quantity,pricing_currency,"
                "usage_rate_per_unit_in_pricing_currency,estimated_revenue_in_pricing_currency,charge_item_description," + HIST)


def append_named_rows(path, named_rows):
    """Appends rows to the feed file at `path`, each a dict {column name: value}; the columns it
    does not name are empty. The file's own header gives the order."""
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    at = {name: i for i, name in enumerate(header)}
    with open(path, "a", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for values in named_rows:
            row = [""] * len(header)
            for name, value in values.items():
                row[at[name]] = value
            writer.writerow(row)
