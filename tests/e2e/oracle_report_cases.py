"""Adds to a feed root made by random_feeds.py and oracle_mutate.py the rows whose only trace is the
run record (report.json): a reject of every kind in every feed, rows that are both outside the
period or not enrolled and something else (a duplicate, an older usage version), lines of a
payout that was not read, and groups whose currency brings no bucketed amount. test_report_oracle.sh
compares the job's report.json on such a root with oracle_report.py's prediction.

Everything lands in the October 2026 files (the November dimension file for one row that an
October run must not read). Rows of the billing and usage files are dated 2026-10-12, a day the
test also runs. Must run after oracle_mutate.py: the unterminated quote that ends the usage file
swallows whatever would be appended after it. Usage: oracle_report_cases.py FEEDS_ROOT"""
import os
import sys

root = sys.argv[1]
E = "seller-00"  # enrolled for all of October (random_feeds.py: index % 5 == 0)
N = "seller-03"  # enrolled from 2026-11-01 only: not enrolled in October
DAY = "2026-10-12"


def header(rel):
    with open(os.path.join(root, rel), newline="") as f:
        return f.readline().rstrip("\n").split(",")


def line(cols, r):
    cells = [str(r.get(h, "")) for h in cols]
    return ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c for c in cells)


def append(rel, rows):
    """rows: dicts (rendered by column name) or bytes (written as they are, a line of their own)."""
    path = os.path.join(root, rel)
    cols = header(rel)
    with open(path, "ab") as f:
        for r in rows:
            f.write(r if isinstance(r, bytes) else (line(cols, r) + "\n").encode())


def ev(seller, be_id, typ, amount, action="INVOICED", cur="USD", when=f"{DAY}T10:00:00Z", **kw):
    r = dict(billing_event_id=be_id, recipient_account_id=seller, from_account_id="buyer-001",
             to_account_id=seller, end_user_account_id="buyer-001", product_id="prod-00-2", offer_id="offer-00",
             action=action, transaction_type=typ, currency=cur, amount=amount, balance_impacting="1",
             invoice_date=when, transaction_reference_id=f"rc-{be_id}")
    r.update(kw)
    return r


def payout(be_id, when, action="DISBURSED", **kw):
    """A DISBURSEMENT row of seller E: a payout from AWS, of no product or offer."""
    return ev(E, be_id, "DISBURSEMENT", "1", action=action, when=when, from_account_id="AWS", product_id="",
              offer_id="", **kw)


BILL = "billing_event_v1/year=2026/month=10/data.csv"
bcols = header(BILL)
ok = ev(E, "rc-x", "SELLER_REV_SHARE", "1")
bill = [
    # Rejects of the row's content, one reason each (the names test_rejects.sh expects).
    ev(E, "rc-r1", "SELLER_REV_SHARE", "1", action="BILLED"),  # unknown_action
    ev(E, "rc-r2", "SELLER_SHARE", "1"),  # unknown_transaction_type
    ev(E, "rc-r3", "SELLER_REV_SHARE", "1", cur=""),  # empty_currency
    ev(E, "rc-r4", "SELLER_REV_SHARE", "1", balance_impacting="2"),  # bad_flag
    ev(E, "rc-r5", "SELLER_REV_SHARE", "1", when="2026-10-12T25:00:00Z"),  # bad_date
    ev(E, "", "SELLER_REV_SHARE", "1"),  # empty_key
    ev(E, "rc-r6", "SELLER_REV_SHARE", "+1"),  # bad_amount
    # Rejects of the record itself.
    (line(bcols, dict(ok, billing_event_id="rc-r7")) + ",extra\n").encode(),  # column_count
    (line(bcols, dict(ok, billing_event_id="rc-r8", invoice_id="a\x00b")) + "\n").encode(),  # nul_byte
    (line(bcols, dict(ok, billing_event_id="rc-r9")) + "\n").encode().replace(b"rc-r9", b"rc-r9\xff", 1),
    (line(bcols, dict(ok, billing_event_id="rc-r10")) + "\n").encode().replace(b"rc-r10", b'rc"r10"', 2),
    # A duplicate of a seller not enrolled, of a row of the period: a duplicate, or not enrolled?
    ev(N, "rc-d1", "SELLER_REV_SHARE", "5"),
    ev(N, "rc-d1", "SELLER_REV_SHARE", "6"),
    # A duplicate whose first occurrence is outside the period and of a seller not enrolled.
    ev(N, "rc-d2", "SELLER_REV_SHARE", "5", when="2026-09-30T10:00:00Z"),
    ev(N, "rc-d2", "SELLER_REV_SHARE", "6"),
    # A row of a seller not enrolled dated outside the period: outside, or not enrolled?
    ev(N, "rc-o1", "SELLER_REV_SHARE", "7", when="2026-09-15T10:00:00Z"),
    # Lines naming a payout that is not among the rows read (no such row in any file).
    ev(E, "rc-l1", "SELLER_REV_SHARE", "-10", action="DISBURSED", disbursement_billing_event_id="rc-nopay",
       transaction_reference_id="rc-lines-nopay"),
    ev(E, "rc-l2", "AWS_REV_SHARE", "2", action="DISBURSED", disbursement_billing_event_id="rc-nopay",
       transaction_reference_id="rc-lines-nopay"),
    # Lines of a payout that is not read, in two currencies: rejected even so (decisions.md).
    ev(E, "rc-l8", "SELLER_REV_SHARE", "-10", action="DISBURSED", disbursement_billing_event_id="rc-nopay3",
       transaction_reference_id="rc-lines-nopay-mixed"),
    ev(E, "rc-l9", "AWS_REV_SHARE", "2", action="DISBURSED", cur="EUR", disbursement_billing_event_id="rc-nopay3",
       transaction_reference_id="rc-lines-nopay-mixed"),
    # A DISBURSED line naming no payout at all.
    ev(E, "rc-l10", "SELLER_REV_SHARE", "-11", action="DISBURSED", transaction_reference_id="rc-lines-nopayid"),
    ev(E, "rc-l11", "AWS_REV_SHARE", "2", action="DISBURSED", cur="EUR", transaction_reference_id="rc-lines-nopayid"),
    # Lines whose payout is in the file but dated outside the period (September).
    payout("rc-p1", "2026-09-30T18:00:00Z"),
    ev(E, "rc-l3", "SELLER_REV_SHARE", "-30", action="DISBURSED", disbursement_billing_event_id="rc-p1",
       transaction_reference_id="rc-lines-seppay"),
    # A failed payout whose lines are in two currencies (mixed_currency and not kept at once).
    payout("rc-p2", f"{DAY}T18:00:00Z"),
    ev(E, "rc-l4", "SELLER_REV_SHARE", "-40", action="DISBURSED", disbursement_billing_event_id="rc-p2",
       transaction_reference_id="rc-lines-failmixed"),
    ev(E, "rc-l5", "AWS_REV_SHARE", "8", action="DISBURSED", cur="EUR", disbursement_billing_event_id="rc-p2",
       transaction_reference_id="rc-lines-failmixed"),
    ev(E, "rc-f2", "DISBURSEMENT_FAILURE", "-1", action="DISBURSED", when=f"{DAY}T23:00:00Z",
       parent_billing_event_id="rc-p2", product_id="", offer_id=""),
    # A kept payout: a line with balance_impacting 0 (no filter for lines), and a line of a type
    # that adds to no bucket, alone in its currency (SEK).
    payout("rc-p3", f"{DAY}T19:00:00Z", bank_trace_id="rc-trace"),
    ev(E, "rc-l6", "SELLER_REV_SHARE", "-50", action="DISBURSED", balance_impacting="0",
       disbursement_billing_event_id="rc-p3", transaction_reference_id="rc-lines-bi0"),
    ev(E, "rc-l7", "AWS_TAX_SHARE", "-3", action="DISBURSED", cur="SEK", disbursement_billing_event_id="rc-p3",
       transaction_reference_id="rc-lines-sek"),
    # A failure naming a payout that is not read: feeds no table, used.
    ev(E, "rc-f3", "DISBURSEMENT_FAILURE", "-1", action="DISBURSED", parent_billing_event_id="rc-nopay2"),
    # Sales inputs that add to no bucket, each alone in its currency: a failure naming no payout
    # (decisions.md: a sales input that adds to no bucket), a tax the marketplace remits flagged
    # balance-impacting; and a forgiven invoice in a currency of its own (nets to 0).
    ev(E, "rc-s1", "DISBURSEMENT_FAILURE", "-1", cur="GBP"),
    ev(E, "rc-s2", "AWS_TAX_SHARE", "4", cur="JPY"),
    ev(E, "rc-s3", "SELLER_REV_SHARE", "9", cur="CHF", transaction_reference_id="rc-forgiven-chf"),
    ev(E, "rc-s4", "SELLER_REV_SHARE", "-9", cur="CHF", action="FORGIVEN", transaction_reference_id="rc-forgiven-chf"),
    # The edges of the periods (ends inclusive to the second, decisions.md), a date-only
    # invoice_date (00:00:00Z of that day), a record over two physical lines (one row read).
    ev(E, "rc-b1", "SELLER_REV_SHARE", "1", when="2026-10-31T23:59:59Z"),
    ev(E, "rc-b2", "SELLER_REV_SHARE", "2", when="2026-11-01T00:00:00Z"),
    ev(E, "rc-b3", "SELLER_REV_SHARE", "3", when=f"{DAY}T23:59:59Z"),
    ev(E, "rc-b4", "SELLER_REV_SHARE", "4", when="2026-10-13T00:00:00Z"),
    ev(E, "rc-b5", "SELLER_REV_SHARE", "5", when="2026-10-13"),
    ev(E, "rc-b6", "SELLER_REV_SHARE", "6", invoice_id="two\nlines"),
    # A payout whose failure comes the next day: kept by the daily run of its day (the failure
    # is outside that period), not kept by the monthly run.
    payout("rc-p5", f"{DAY}T18:00:00Z"),
    ev(E, "rc-l13", "SELLER_REV_SHARE", "-17", action="DISBURSED", when=f"{DAY}T18:00:00Z",
       disbursement_billing_event_id="rc-p5", transaction_reference_id="rc-lines-failnextday"),
    ev(E, "rc-f5", "DISBURSEMENT_FAILURE", "-1", action="DISBURSED", when="2026-10-13T01:00:00Z",
       parent_billing_event_id="rc-p5", product_id="", offer_id=""),
    # Grammar edges (feeds.md): second precision, UTC written "Z", ASCII digits only, days that
    # exist; leading zeros and zeros beyond the sixth fraction digit are fine; a quote after a
    # closing quote, and a quoted empty flag.
    ev(E, "rc-g1", "SELLER_REV_SHARE", "1", when=f"{DAY}T10:00:00.5Z"),  # bad_date
    ev(E, "rc-g2", "SELLER_REV_SHARE", "1", when=f"{DAY}T10:00:00+00:00"),  # bad_date
    ev(E, "rc-g3", "SELLER_REV_SHARE", "1", when=f"{DAY}t10:00:00z"),  # bad_date
    ev(E, "rc-g4", "SELLER_REV_SHARE", "1", when="2026-02-30T10:00:00Z"),  # bad_date
    ev(E, "rc-g5", "SELLER_REV_SHARE", "\uff11"),  # a fullwidth 1: bad_amount
    ev(E, "rc-g6", "SELLER_REV_SHARE", "\u0663"),  # an Arabic-Indic 3: bad_amount
    ev(E, "rc-g7", "SELLER_REV_SHARE", "-"),  # bad_amount
    ev(E, "rc-g8", "SELLER_REV_SHARE", "1\n"),  # a quoted line feed after the digits: bad_amount
    ev(E, "rc-g9", "SELLER_REV_SHARE", "00012"),  # used
    ev(E, "rc-g10", "SELLER_REV_SHARE", "-0.0000000"),  # used
    (line(bcols, dict(ok, billing_event_id="rc-g11")) + "\n").encode().replace(b",USD,", b',"USD" ,', 1),
    (line(bcols, dict(ok, billing_event_id="rc-g12")) + "\n").encode().replace(b",1,2026", b',"",2026', 1),
    # A seller the registry does not list; date columns the computation does not use (not
    # checked); the largest amount 64-bit micro-units hold, alone in its currency, and one more.
    ev("seller-99", "rc-g13", "SELLER_REV_SHARE", "1"),
    ev(E, "rc-g14", "SELLER_REV_SHARE", "1", payment_due_date="never", usage_period_start_date="x"),
    ev(E, "rc-g15", "SELLER_REV_SHARE", "9223372036854.775807", cur="XAU"),
    ev(E, "rc-g16", "SELLER_REV_SHARE", "9223372036854.775808", cur="XAU"),  # bad_amount
    ev(E, "rc-g17", "SELLER_REV_SHARE", "-9223372036854.775808", cur="XAU"),  # bad_amount
    # Group membership across currencies: a sales input of a type that adds to no bucket still
    # makes its group mixed (AWS_TAX_SHARE with balance_impacting 1, a DISBURSEMENT row invoiced);
    # so does any line but a payout or failure (decisions.md), a BALANCE_ADJUSTMENT line too.
    ev(E, "rc-m1", "SELLER_REV_SHARE", "5", transaction_reference_id="rc-mix-tax"),
    ev(E, "rc-m2", "AWS_TAX_SHARE", "1", cur="JPY", transaction_reference_id="rc-mix-tax"),
    ev(E, "rc-m3", "SELLER_REV_SHARE", "5", transaction_reference_id="rc-mix-disb"),
    ev(E, "rc-m4", "DISBURSEMENT", "1", cur="JPY", transaction_reference_id="rc-mix-disb"),
    payout("rc-p7", f"{DAY}T18:00:00Z"),
    ev(E, "rc-m5", "SELLER_REV_SHARE", "-5", action="DISBURSED", disbursement_billing_event_id="rc-p7",
       transaction_reference_id="rc-mix-lines"),
    ev(E, "rc-m6", "BALANCE_ADJUSTMENT", "-1", action="DISBURSED", cur="JPY", disbursement_billing_event_id="rc-p7",
       transaction_reference_id="rc-mix-lines"),
    # An invoiced DISBURSEMENT row is no payout: lines naming it are left out. A failure cancels
    # the payout it names whatever its action (decisions.md), INVOICED too.
    payout("rc-p8", f"{DAY}T18:00:00Z", action="INVOICED"),
    ev(E, "rc-m7", "SELLER_REV_SHARE", "-6", action="DISBURSED", disbursement_billing_event_id="rc-p8",
       transaction_reference_id="rc-lines-invoicedpayout"),
    payout("rc-p9", f"{DAY}T18:00:00Z"),
    ev(E, "rc-m8", "SELLER_REV_SHARE", "-7", action="DISBURSED", disbursement_billing_event_id="rc-p9",
       transaction_reference_id="rc-lines-invoicedfailure"),
    ev(E, "rc-m9", "DISBURSEMENT_FAILURE", "-1", parent_billing_event_id="rc-p9", product_id="", offer_id=""),
    # A blank line is a record of one empty field: column_count, not skipped (feeds.md: a row
    # that cannot be used is rejected, never silently skipped).
    b"\n",
]
# Duplicates that would change a group if the losing row were folded into it (decisions.md: the
# job folds rows as it reads them and undoes the losers afterwards). Each first occurrence is
# here; the repeats come at the end of the file, read by another rank in a 3-rank run.
bill += [
    ev(E, "rc-k1", "SELLER_REV_SHARE", "12", transaction_reference_id="rc-dupcur"),
    ev(E, "rc-k2", "SELLER_REV_SHARE", "13", transaction_reference_id="rc-dupgroup-a"),
    ev(E, "rc-k3", "SELLER_REV_SHARE", "14", transaction_reference_id="rc-dupalone"),
    payout("rc-k4", f"{DAY}T20:00:00Z"),
    ev(E, "rc-l12", "SELLER_REV_SHARE", "-15", action="DISBURSED", disbursement_billing_event_id="rc-k4",
       transaction_reference_id="rc-lines-duppay"),
    ev(E, "rc-k5", "SELLER_REV_SHARE", "16", transaction_reference_id="rc-dupeur-a"),
    ev(E, "rc-k6", "AWS_REV_SHARE", "-2", cur="EUR", transaction_reference_id="rc-dupeur-b"),
    ev(E, "rc-k7", "SELLER_REV_SHARE", "18", transaction_reference_id="rc-dupfail"),
    payout("rc-p6", f"{DAY}T21:00:00Z"),
    ev(E, "rc-l14", "SELLER_REV_SHARE", "-19", action="DISBURSED", disbursement_billing_event_id="rc-p6",
       transaction_reference_id="rc-lines-notfailed"),
    ev(E, "rc-k8", "SELLER_REV_SHARE", "20", transaction_reference_id="rc-duppayout"),
    ev(E, "rc-k9", "SELLER_REV_SHARE", "5", transaction_reference_id="rc-dupmixed"),
    ev(E, "rc-k10", "AWS_REV_SHARE", "-1", cur="EUR", transaction_reference_id="rc-dupmixed"),
    ev(E, "rc-l15", "SELLER_REV_SHARE", "-21", action="DISBURSED", disbursement_billing_event_id="rc-k8",
       transaction_reference_id="rc-lines-payoutlost"),
]
append(BILL, bill)
append(BILL, [
    # The same id in another currency, same group: must not make the group mixed.
    ev(E, "rc-k1", "SELLER_REV_SHARE", "99", cur="EUR", transaction_reference_id="rc-dupcur"),
    # The same id in another group: that group must not get the row.
    ev(E, "rc-k2", "SELLER_REV_SHARE", "98", transaction_reference_id="rc-dupgroup-b"),
    # The same id in a currency of its own (NZD): no control total for NZD (decisions.md).
    ev(E, "rc-k3", "SELLER_REV_SHARE", "97", cur="NZD", transaction_reference_id="rc-dupalone"),
    # The payout's id again, as a failure of itself: the first occurrence (the payout) wins, so
    # the payout is kept.
    ev(E, "rc-k4", "DISBURSEMENT_FAILURE", "-1", action="DISBURSED", parent_billing_event_id="rc-k4",
       product_id="", offer_id=""),
    # The same id in a group of another currency (EUR): that group must not become mixed.
    ev(E, "rc-k5", "SELLER_REV_SHARE", "10", transaction_reference_id="rc-dupeur-b"),
    # The same id as a failure of a kept payout: the losing row must not cancel the payout.
    ev(E, "rc-k7", "DISBURSEMENT_FAILURE", "-1", action="DISBURSED", parent_billing_event_id="rc-p6",
       product_id="", offer_id=""),
    # The same id as the payout its lines name: the payout row loses, so the lines' payout is
    # not read and they are left out.
    payout("rc-k8", f"{DAY}T22:00:00Z"),
    # Repeats of rows of a mixed-currency group: mixed_currency rejects a group, not a row's
    # content, so the first occurrences still hold their ids and these are duplicates (and the
    # EUR one, were it folded, would not unmix the group).
    ev(E, "rc-k9", "SELLER_REV_SHARE", "7", transaction_reference_id="rc-dupgroup-a"),
    ev(E, "rc-k10", "AWS_REV_SHARE", "-1", transaction_reference_id="rc-dupmixed"),
])

USE = "daily_usage_v1/year=2026/month=10/data.csv"
ucols = header(USE)


def use(seller, fid, day=DAY, update=f"{DAY}T01:00:00Z", **kw):
    r = dict(usage_feed_id=fid, recipient_account_id=seller, usage_date=day, product_id="prod-00-2",
             offer_id="offer-00", end_user_account_id="buyer-002", payer_account_id="buyer-002", region="r",
             dimension_key="d", usage_unit="u", usage_quantity="1", pricing_currency="USD",
             estimated_revenue_in_pricing_currency="2.5", valid_from=f"{day}T00:00:00Z", update_date=update)
    r.update(kw)
    return r


append(USE, [
    # An older version in a currency of its own (AUD): superseded, so no control total for AUD.
    use(E, "rc-u9", pricing_currency="AUD"), use(E, "rc-u9", update=f"{DAY}T02:00:00Z"),
    # A seller not enrolled: an older version (superseded, or not enrolled?) and the latest.
    use(N, "rc-u1"), use(N, "rc-u1", update=f"{DAY}T02:00:00Z", usage_quantity="2"),
    # A seller not enrolled, deleted record: all its versions superseded (decisions.md).
    use(N, "rc-u2"), use(N, "rc-u2", update=f"{DAY}T02:00:00Z", delete_date=f"{DAY}T02:00:00Z"),
    # The latest version moves the record to September: the older is superseded, the latest outside.
    use(E, "rc-u3"), use(E, "rc-u3", day="2026-09-30", update=f"{DAY}T02:00:00Z"),
    # Rejects: a timestamp for a date, no currency, an amount with a comma, no key.
    use(E, "rc-u4", usage_date=f"{DAY}T00:00:00Z"),
    use(E, "rc-u5", pricing_currency=""),
    use(E, "rc-u6", usage_quantity="1,5"),
    use(E, ""),
    # A deletion, then a later live version: the record lives (only the latest version counts).
    use(E, "rc-u11", delete_date=f"{DAY}T01:00:00Z"), use(E, "rc-u11", update=f"{DAY}T02:00:00Z"),
    # A delete_date that is no timestamp: bad_date, not a deletion; an update_date that is none.
    use(E, "rc-u12", delete_date="soon"), use(E, "rc-u13", update="x"),
    # No update_date nor insert_date: the usage_date stands in (decisions.md).
    use(E, "rc-u14", update=""),
    # A seller the registry does not list: not enrolled.
    use("seller-99", "rc-u15"),
    # A later version rejected for its content claims nothing: the older one is used.
    use(E, "rc-u10"), use(E, "rc-u10", update=f"{DAY}T02:00:00Z", usage_quantity="1.5e1"),
    b"\n",
    # Last: an unterminated quote, the rest of the file (two physical lines) one bad record.
    (line(ucols, use(E, "rc-u7")).replace("rc-u7", '"rc-u7', 1) + "\n").encode(),
    (line(ucols, use(E, "rc-u8")) + "\n").encode(),
])

HIST = dict(valid_from="2026-10-02T00:00:00Z", update_date="2026-10-02T00:00:00Z")
append("account_v1/year=2026/month=10/data.csv", [
    dict(HIST, account_id="rc-acc-1", aws_account_id="12345", mailing_address_id="x"),  # bad_aws_account_id
    dict(HIST, account_id="", aws_account_id="123456789012"),  # empty_key
    dict(HIST, account_id="rc-acc-2", aws_account_id="123456789012", valid_from="yesterday"),  # bad_date
    dict(HIST, account_id="rc-acc-3", aws_account_id="\uff11" + "2" * 11),  # bad_aws_account_id
    dict(HIST, account_id="rc-acc-4", aws_account_id=""),  # null: used
    # No update_date: insert_date stands in, and then valid_from (decisions.md); a date-only
    # valid_from is 00:00:00Z. Two corrections of one version: one superseded.
    dict(account_id="rc-acc-5", aws_account_id="123456789012", valid_from="2026-10-02"),
    dict(account_id="rc-acc-5", aws_account_id="123456789012", valid_from="2026-10-02",
         insert_date="2026-10-03T00:00:00Z"),
])
append("address_v1/year=2026/month=10/data.csv", [
    dict(HIST, address_id="rc-addr-1", aws_account_id="123456789012", company_name="Nul\x00Co"),  # nul_byte
    dict(HIST, address_id="rc-addr-3", aws_account_id="12345"),  # bad_aws_account_id
    dict(HIST, address_id="rc-addr-4", aws_account_id=""),  # null: used
    dict(HIST, address_id="rc-addr-2", aws_account_id="123456789012", update_date="2026-10-02"),  # a date: used
    # A later correction with a delete_date that is no date: rejected, so it deletes nothing.
    dict(address_id="addr-001", aws_account_id="100000000001", company_name="Bad delete", update_date="2026-10-05",
         valid_from="2020-01-01T00:00:00Z", delete_date="soon"),
    b"\n",
])
append("offer_v1/year=2026/month=10/data.csv", [
    dict(HIST, offer_id="rc-offer", offer_revision="2b"),  # bad_number
    dict(HIST, offer_id="rc-offer-2", offer_revision="-1"),  # bad_number
    dict(HIST, offer_id="rc-offer-3", offer_revision="\u0663"),  # bad_number (not an ASCII digit)
    # An empty revision is null, not a bad number: the row is used (the job's reading too; the
    # docs do not say how it compares with a number, and no test puts the two side by side).
    dict(HIST, offer_id="rc-offer-4", offer_revision=""),
])
append("product_v1/year=2026/month=10/data.csv", [
    (line(header("product_v1/year=2026/month=10/data.csv"), dict(HIST, product_id="rc-prod")) + ",x\n").encode(),
])
append("enrollment/enrollment.csv", [
    dict(seller_account_id="seller-09", aws_account_id="900000000009", enrolled_from="2020-13-01"),  # bad_date
    dict(seller_account_id="seller-09", aws_account_id="900000000009", enrolled_from="2021-01-01"),  # twice: used
    dict(seller_account_id="", aws_account_id="900000000099", enrolled_from="2020-01-01"),  # empty_key
    dict(seller_account_id="seller-10", aws_account_id="900000000010", enrolled_from="20201-01-01"),  # bad_date
    # A window that ends before it starts enrolls nobody; not a reject.
    dict(seller_account_id="seller-10", aws_account_id="900000000010", enrolled_from="2026-10-05",
         enrolled_until="2026-10-01"),
])
