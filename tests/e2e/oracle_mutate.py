"""Adds the cases random_feeds.py does not make to one of its feed roots, so that the oracle
comparison (test_oracle.sh) reaches them: dimension versions, corrections, deletions and the 24-hour
grace; billing addresses; duplicates; mixed currencies; refunds, forgiven invoices, credits, taxes,
balance adjustments; payouts without a bank trace; usage corrections and deletions; formula
prefixes, quoting and odd amounts. Everything lands in October 2026 (the month the test runs), on
the sellers random_feeds.py enrolls for the whole month (index % 5 in 0, 4), on random days.
Usage: oracle_mutate.py FEEDS_ROOT SEED"""
import csv
import os
import random
import sys

root, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed * 7919 + 1)
SELLERS = [s for s in range(14) if s % 5 in (0, 4)]
BUYERS = 60
DAYS = ["2026-10-%02d" % d for d in (1, 5, 12, 12, 20, 20, 31)]


def aws(b):
    return f"1{b:011d}"


def append(rel, rows):
    """Appends dict rows to a feed file (creating it with the header of the backfill file)."""
    path = os.path.join(root, rel)
    if os.path.exists(path):
        with open(path, newline="") as f:
            header = next(csv.reader(f))
    else:
        feed = rel.split("/")[0]
        with open(os.path.join(root, feed, "year=2010/month=01/data.csv"), newline="") as f:
            header = next(csv.reader(f))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerow(header)
    with open(path, "a", newline="", encoding="utf-8") as f:
        for r in rows:  # RFC 4180, quoted where needed (csv.writer would leave a lone \r unquoted)
            cells = [str(r.get(h, "")) for h in header]
            f.write(",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c
                             for c in cells) + "\n")


def ts(day, hour=10):
    return f"{day}T{hour:02d}:00:00Z"


# ---- dimensions (October files; a November file must not be read by an October run) ----
acc, addr, prod, offer = [], [], [], []
for b in rng.sample(range(BUYERS), 8):
    # A new mailing address from the middle of a day in October.
    day = rng.choice(DAYS[1:6])
    acc.append(dict(account_id=f"buyer-{b:03d}", aws_account_id=aws(b), mailing_address_id=f"addr-{b:03d}-n",
                    valid_from=ts(day, rng.choice([0, 5, 13])), update_date=ts(day, 1)))
    company = rng.choice(["=Formula Co", "+Plus, Inc", "-Minus \"Ltd\"", "@At Corp", "Multi\nLine AG", "Ünïcode Straße"])
    addr.append(dict(address_id=f"addr-{b:03d}-n", aws_account_id=aws(b), email_domain=f"Sales@Sub.Buyer{b}.EXAMPLE",
                     company_name=company, country_code="DE", state_or_region="BE", city="Berlin",
                     postal_code=f"{10000 + b}", valid_from=ts("2026-10-01", 0), update_date=ts("2026-10-01", 0)))
for b in rng.sample(range(BUYERS), 4):
    # A version of the account deleted by its latest correction (the old one goes on holding).
    day = rng.choice(DAYS[1:6])
    vf = ts(day, 3)
    acc.append(dict(account_id=f"buyer-{b:03d}", aws_account_id=aws(b), mailing_address_id="addr-gone",
                    valid_from=vf, update_date=ts(day, 4)))
    acc.append(dict(account_id=f"buyer-{b:03d}", aws_account_id=aws(b), mailing_address_id="addr-gone",
                    valid_from=vf, update_date=ts(day, 5), delete_date=ts(day, 5)))
for b in rng.sample(range(BUYERS), 6):
    # Address corrections: same valid_from, later update_date; some delete, some delete then restore.
    kind = rng.randrange(3)
    base = dict(address_id=f"addr-{b:03d}", aws_account_id=aws(b), email_domain=f"x@Buyer{b}.example",
                company_name=f"Buyer {b} corrected", country_code="US", state_or_region="WA", city="Tacoma",
                postal_code="98402", valid_from="2020-01-01T00:00:00Z")
    addr.append(dict(base, update_date=ts("2026-10-02", 1), delete_date=ts("2026-10-02", 1) if kind else ""))
    if kind == 2:
        addr.append(dict(base, update_date=ts("2026-10-03", 1), city="Olympia"))
for s in SELLERS:
    # A later product version, a deleted newest version, an offer revision compared as a number.
    prod.append(dict(product_id=f"prod-{s:02d}-0", manufacturer_account_id=f"seller-{s:02d}",
                     product_code=f"=code-{s:02d}-0", title=f"Title {s}, v2", valid_from=ts("2026-10-07"),
                     update_date=ts("2026-10-07")))
    for up, dele in ((ts("2026-10-08"), ""), (ts("2026-10-09"), ts("2026-10-09"))):
        prod.append(dict(product_id=f"prod-{s:02d}-1", manufacturer_account_id=f"seller-{s:02d}",
                         product_code="deleted", title="deleted", valid_from=ts("2026-10-08"), update_date=up,
                         delete_date=dele))
    for rev in (9, 10):
        offer.append(dict(offer_id=f"offer-{s:02d}", offer_revision=str(rev), name="n",
                          opportunity_name=f"{'-' if rev == 10 else ''}opp rev {rev}", seller_account_id=f"seller-{s:02d}",
                          valid_from=ts("2026-10-04"), update_date=ts("2026-10-04")))
# Two buyers that only exist from the middle of October: the 24-hour grace and unresolved payers.
for b, day, hour in ((200, "2026-10-12", 15), (201, "2026-10-20", 12)):
    acc.append(dict(account_id=f"buyer-{b:03d}", aws_account_id=aws(b), mailing_address_id=f"addr-{b:03d}",
                    valid_from=ts(day, hour), update_date=ts(day, hour)))
    addr.append(dict(address_id=f"addr-{b:03d}", aws_account_id=aws(b), email_domain=f"NEW{b}.example",
                     company_name=f"New buyer {b}", country_code="GB", city="London", postal_code="EC1A 1BB",
                     valid_from=ts(day, hour), update_date=ts(day, hour)))
append("account_v1/year=2026/month=10/data.csv", acc)
append("address_v1/year=2026/month=10/data.csv", addr)
append("product_v1/year=2026/month=10/data.csv", prod)
append("offer_v1/year=2026/month=10/data.csv", offer)
# November: must not show in an October run.
append("product_v1/year=2026/month=11/data.csv",
       [dict(product_id=f"prod-{s:02d}-2", product_code="november", title="november", valid_from=ts("2026-11-02"),
             update_date=ts("2026-11-02")) for s in SELLERS])

# ---- billing events of October ----
bill = []
n = [0]


def ev(s, trx, typ, amount, day, hour=10, frm=None, to=None, action="INVOICED", bi="1", cur="USD", eu=None,
       prod_id=None, offer_id=None, bad=None, **kw):
    n[0] += 1
    r = dict(billing_event_id=f"mx-{n[0]}", recipient_account_id=f"seller-{s:02d}", from_account_id=frm or "",
             to_account_id=to or "", end_user_account_id=eu or "", product_id=prod_id or f"prod-{s:02d}-0",
             offer_id=offer_id or f"offer-{s:02d}", action=action, transaction_type=typ, currency=cur, amount=amount,
             balance_impacting=bi, invoice_date=day if hour is None else ts(day, hour), transaction_reference_id=trx)
    r.update(kw)
    bill.append(r)
    return r


def invoice(s, trx, b, gross, fee, day, hour=10, cur="USD", eu=None, action="INVOICED", **kw):
    buyer = f"buyer-{b:03d}"
    eu = eu or buyer
    rows = [ev(s, trx, "SELLER_REV_SHARE", gross, day, hour, buyer, f"seller-{s:02d}", action, cur=cur, eu=eu, **kw),
            ev(s, trx, "AWS_REV_SHARE", fee, day, hour, f"seller-{s:02d}", "AWS", action, cur=cur, eu=eu, **kw)]
    return rows


def neg(a):
    return a[1:] if a.startswith("-") else "-" + a


for i, s in enumerate(SELLERS):
    b = lambda: rng.randrange(BUYERS)
    d = lambda: rng.choice(DAYS)
    k = f"{s:02d}-{i}"
    # EUR sale; the same buyer in USD too (two buyers rows).
    bb = b()
    invoice(s, f"mx-eur-{k}", bb, "80.50", "-16.100000000", d(), cur="EUR")
    invoice(s, f"mx-usd-{k}", bb, "12.345678", "-2.469136", d())
    # Mixed currency group: rejected whole.
    r = invoice(s, f"mx-mixed-{k}", b(), "40", "-8", d())
    r[1]["currency"] = "EUR"
    # Forgiven invoice: nets to zero in the month.
    bb = b()
    invoice(s, f"mx-forgiven-{k}", bb, "50", "-10", "2026-10-05")
    invoice(s, f"mx-forgiven-{k}", bb, "-50", "10", "2026-10-12", action="FORGIVEN")
    # Refund on a later day, taxes, a balance adjustment, a non-impacting tax.
    bb = b()
    invoice(s, f"mx-refund-{k}", bb, "200", "-40", "2026-10-05")
    ev(s, f"mx-refund-{k}", "SELLER_TAX_SHARE", "20.625", "2026-10-05", frm=f"buyer-{bb:03d}", eu=f"buyer-{bb:03d}")
    ev(s, f"mx-refund-{k}", "AWS_TAX_SHARE", "15", "2026-10-05", frm=f"buyer-{bb:03d}", eu=f"buyer-{bb:03d}", bi="0")
    ev(s, f"mx-refund-{k}", "SELLER_REV_SHARE_REFUND", "-50", "2026-10-20", frm=f"buyer-{bb:03d}", eu=f"buyer-{bb:03d}")
    ev(s, f"mx-refund-{k}", "AWS_REV_SHARE_REFUND", "10", "2026-10-20", frm=f"buyer-{bb:03d}", eu=f"buyer-{bb:03d}")
    ev(s, f"mx-refund-{k}", "SELLER_TAX_SHARE_REFUND", "-5.000000000", "2026-10-20", frm=f"buyer-{bb:03d}",
       eu=f"buyer-{bb:03d}")
    ev(s, f"mx-refund-{k}", "BALANCE_ADJUSTMENT", "3", "2026-10-31", frm=f"buyer-{bb:03d}", eu=f"buyer-{bb:03d}")
    # A group whose two currencies are on different days: mixed in the month, one currency a day.
    r = invoice(s, f"mx-mixdays-{k}", b(), "60", "-12", "2026-10-12")
    r = invoice(s, f"mx-mixdays-{k}", int(r[0]["from_account_id"][6:]), "70", "-14", "2026-10-20", cur="EUR")
    # An end customer not yet known (buyer-201 starts 2026-10-20T12) under a known payer.
    invoice(s, f"mx-eu-unknown-{k}", b(), "19", "-3.8", "2026-10-12", eu="buyer-201")
    # Credits; a group with no payer (only a marketplace credit).
    invoice(s, f"mx-credit-{k}", b(), "30", "-6", d())
    ev(s, f"mx-credit-{k}", "SELLER_REV_SHARE_CREDIT", "-3", "2026-10-20", frm="AWS", eu=f"buyer-{b():03d}")
    ev(s, f"mx-nopayer-{k}", "AWS_REV_SHARE_CREDIT", "5", d(), frm="AWS", to=f"seller-{s:02d}", eu=f"buyer-{b():03d}")
    # Payer differs from the end user; billing address of the payer and of another account.
    b1, b2 = rng.sample(range(BUYERS), 2)
    invoice(s, f"mx-enduser-{k}", b1, "11", "-2.2", d(), eu=f"buyer-{b2:03d}")
    invoice(s, f"mx-billaddr-{k}", b1, "13", "-2.6", d(), billing_address_id=f"addr-{b1:03d}")
    invoice(s, f"mx-otheraddr-{k}", b1, "17", "-3.4", d(), billing_address_id=f"addr-{b2:03d}")
    # Grace window and an unresolved payer (buyer-200 starts 2026-10-12T15, buyer-201 2026-10-20T12).
    invoice(s, f"mx-grace-{k}", 200, "21", "-4.2", "2026-10-12", hour=9)
    invoice(s, f"mx-unresolved-{k}", 201, "23", "-4.6", "2026-10-05")
    invoice(s, f"mx-resolved-{k}", 201, "29", "-5.8", "2026-10-20", hour=13)
    # Unknown product and offer; deleted newest product version; date-only invoice_date.
    invoice(s, f"mx-unknown-{k}", b(), "7", "-1.4", d(), prod_id=f"prod-zz-{s}", offer_id=f"offer-zz-{s}")
    invoice(s, f"mx-deleted-{k}", b(), "9", "-1.8", d(), prod_id=f"prod-{s:02d}-1")
    invoice(s, f"mx-dateonly-{k}", b(), "31", "-6.2", "2026-10-12", hour=None)
    # Ids that need the formula prefix or quoting in the output.
    invoice(s, f"=mx-formula-{k}", b(), "37", "-7.4", d())
    invoice(s, f"-mx,quoted \"{k}\"", b(), "41", "-8.2", d())
    # Duplicates: a later row with the same billing_event_id and seller is a reject; the first wins.
    bb = b()
    first = invoice(s, f"mx-dup-{k}", bb, "75", "-15", d())
    dup = dict(first[0], amount="999", invoice_date=ts("2026-10-20", 8), _late=1)  # another day: daily runs too
    # A row rejected for its content claims no id (decisions.md): a valid row with the same id is used.
    badrow = ev(s, f"mx-badfirst-{k}", "SELLER_REV_SHARE", "1.5e3", d(), frm=f"buyer-{bb:03d}", eu=f"buyer-{bb:03d}")
    good = dict(badrow, amount="43", _late=1)
    bill.append(good)
    ev(s, f"mx-badfirst-{k}", "AWS_REV_SHARE", "-8.6", badrow["invoice_date"][:10], frm=f"seller-{s:02d}", to="AWS",
       eu=f"buyer-{bb:03d}")
    bill.append(dup)
    # Payouts: one without a bank trace (the lines' greatest one is used), one failed, one kept with a
    # line settling a refund, and one settling a EUR line and a USD line of the same transaction.
    for j, (day, trace, fail) in enumerate((("2026-10-12", "", False), ("2026-10-20", f"tr-{k}-b", True),
                                            ("2026-10-31", f"tr-{k}-c", False))):
        pay = ev(s, f"mx-paytrx-{k}-{j}", "DISBURSEMENT", "1.00", day, 18, "AWS", f"seller-{s:02d}", "DISBURSED",
                 prod_id="", offer_id="", bank_trace_id=trace)
        for _ in range(3):
            bb = b()
            trx = f"mx-paid-{k}-{j}-{rng.randrange(3)}"
            for typ, frm, to, amt in (("SELLER_REV_SHARE", f"buyer-{bb:03d}", f"seller-{s:02d}", "-100"),
                                      ("AWS_REV_SHARE", f"seller-{s:02d}", "AWS", "20"),
                                      ("SELLER_REV_SHARE_REFUND", f"buyer-{bb:03d}", f"seller-{s:02d}", "10")):
                ev(s, trx, typ, amt, day, 18, frm, to, "DISBURSED", eu=f"buyer-{bb:03d}",
                   parent_billing_event_id="x", disbursement_billing_event_id=pay["billing_event_id"],
                   bank_trace_id=f"line-trace-{rng.randrange(5)}", billing_address_id=f"addr-{bb:03d}")
        if j == 2:  # a disbursement group with lines in two currencies: rejected whole
            for typ, frm, to, amt, cur in (("SELLER_REV_SHARE", "buyer-003", f"seller-{s:02d}", "-50", "USD"),
                                           ("AWS_REV_SHARE", f"seller-{s:02d}", "AWS", "10", "EUR")):
                ev(s, f"mx-paidmixed-{k}", typ, amt, day, 18, frm, to, "DISBURSED", cur=cur, eu="buyer-003",
                   disbursement_billing_event_id=pay["billing_event_id"])
        if fail:
            ev(s, f"mx-paytrx-{k}-{j}", "DISBURSEMENT_FAILURE", "-1.00", day, 23, f"seller-{s:02d}", "AWS",
               "DISBURSED", prod_id="", offer_id="", parent_billing_event_id=pay["billing_event_id"])
rng.shuffle(bill)
bill = [r for r in bill if "_late" not in r] + [r for r in bill if "_late" in r]  # after the rows they repeat
append("billing_event_v1/year=2026/month=10/data.csv", bill)

# ---- usage of October: corrections (later update_date), deletions, payer != end user ----
use = []
for i, s in enumerate(SELLERS):
    for j in range(6):
        b1, b2 = rng.sample(range(BUYERS), 2)
        day = rng.choice(DAYS)
        r = dict(usage_feed_id=f"mu-{s}-{j}", recipient_account_id=f"seller-{s:02d}", usage_date=day,
                 product_id=f"prod-{s:02d}-{j % 3}", offer_id=f"offer-{s:02d}", agreement_id="agr",
                 end_user_account_id=f"buyer-{b2 if j % 2 else b1:03d}", payer_account_id=f"buyer-{b1:03d}",
                 region="eu-west-1", dimension_key="=dim" if j == 5 else "seats", usage_unit="Seats",
                 usage_quantity="1234567.5", pricing_currency="EUR" if j == 4 else "USD",
                 usage_rate_per_unit_in_pricing_currency="0.00001", estimated_revenue_in_pricing_currency="12.345675",
                 charge_item_description="d", valid_from=f"{day}T00:00:00Z", update_date=ts("2026-10-01", 1))
        use.append(r)
        if j in (1, 2):  # a correction
            use.append(dict(r, usage_quantity="3", estimated_revenue_in_pricing_currency="0.3",
                            update_date=ts("2026-10-02", 1)))
        if j == 3:  # a deletion: the record goes, no fallback
            use.append(dict(r, update_date=ts("2026-10-02", 1), delete_date=ts("2026-10-02", 1)))
        if j == 0:  # payer only valid from mid-month
            use.append(dict(r, usage_feed_id=f"mu-{s}-late", payer_account_id="buyer-201", usage_date="2026-10-20",
                            valid_from="2026-10-20T00:00:00Z"))
rng.shuffle(use)
append("daily_usage_v1/year=2026/month=10/data.csv", use)

# Deliberately NOT generated: amounts or sums of 2^63 micro-units (about 9.2e12) and more, which
# the job rejects (bad_amount) or fails the run on (exit 3): decisions.md, "Amounts are held as
# 64-bit integers of micro-units".

# ---- edge cases of the spec's wording, one seller each time (random among the enrolled) ----
edge_bill, edge_use, edge_addr, edge_acc, edge_offer = [], [], [], [], []
bill = edge_bill  # ev() appends to `bill`
E = rng.choice(SELLERS)
# Text cells: a tab or CR first, a formula domain, non-ASCII upper case in the domain (left as is).
for b, company, email in ((210, "\tTab Co", "a@=Evil.Example"), (211, "\rCR Co", "b@ÜBER.Example"),
                          (212, "Plain", "NoAtSign.EXAMPLE")):
    edge_acc.append(dict(account_id=f"buyer-{b:03d}", aws_account_id=aws(b), mailing_address_id=f"addr-{b:03d}",
                         valid_from="2020-01-01T00:00:00Z", update_date="2020-01-01T00:00:00Z"))
    edge_addr.append(dict(address_id=f"addr-{b:03d}", aws_account_id=aws(b), email_domain=email, company_name=company,
                          country_code="US", city="X", valid_from="2020-01-01T00:00:00Z",
                          update_date="2020-01-01T00:00:00Z"))
    invoice(E, f"ed-text-{b}", b, "5", "-1", "2026-10-12")
    edge_use.append(dict(usage_feed_id=f"ed-u-{b}", recipient_account_id=f"seller-{E:02d}", usage_date="2026-10-12",
                         product_id=f"prod-{E:02d}-2", offer_id=f"offer-{E:02d}", end_user_account_id=f"buyer-{b:03d}",
                         payer_account_id=f"buyer-{b:03d}", region="r", dimension_key="d", usage_unit="u",
                         usage_quantity="" if b == 210 else "1", pricing_currency="USD",
                         estimated_revenue_in_pricing_currency="" if b == 211 else "0.5",
                         valid_from="2026-10-12T00:00:00Z", update_date="2026-10-13T00:00:00Z"))
# A billing address on the listing-fee row only: sales uses it (any row), disbursements do not
# (only the SELLER_* lines' address counts there).
bb = 213
edge_acc.append(dict(account_id="buyer-213", aws_account_id=aws(bb), mailing_address_id="addr-213",
                     valid_from="2020-01-01T00:00:00Z", update_date="2020-01-01T00:00:00Z"))
for a, city in (("addr-213", "Mailing"), ("addr-213-bill", "Billing")):
    edge_addr.append(dict(address_id=a, aws_account_id=aws(bb), email_domain="e.example", company_name="Two Addr",
                          country_code="US", city=city, valid_from="2020-01-01T00:00:00Z",
                          update_date="2020-01-01T00:00:00Z"))
r = invoice(E, "ed-feeaddr", bb, "10", "-2", "2026-10-12")
r[1]["billing_address_id"] = "addr-213-bill"
pay = ev(E, "ed-pay", "DISBURSEMENT", "1", "2026-10-12", 20, "AWS", f"seller-{E:02d}", "DISBURSED", prod_id="",
         offer_id="", bank_trace_id="")
for typ, frm, to, amt, addr_id in (("SELLER_REV_SHARE", "buyer-213", f"seller-{E:02d}", "-10", ""),
                                   ("AWS_REV_SHARE", f"seller-{E:02d}", "AWS", "2", "addr-213-bill")):
    ev(E, "ed-feeaddr", typ, amt, "2026-10-12", 20, frm, to, "DISBURSED", eu="buyer-213",
       disbursement_billing_event_id=pay["billing_event_id"], billing_address_id=addr_id)
# buyers tie: the same day in sales (billing address) and disbursements (mailing address): 1 wins.
# Non-inputs in another currency do not make a group mixed (bi 0 tax, balance adjustment).
r = invoice(E, "ed-notmixed", 30, "10", "-2", "2026-10-12")
ev(E, "ed-notmixed", "AWS_TAX_SHARE", "1", "2026-10-12", frm="buyer-030", eu="buyer-030", bi="0", cur="EUR")
ev(E, "ed-notmixed", "BALANCE_ADJUSTMENT", "1", "2026-10-12", frm="buyer-030", eu="buyer-030", cur="EUR")
# A failure carrying INVOICED whose parent names a payout that is not among the rows (a September
# payout, say), from another payer and a day later: it names a payout, so it joins no sales group
# (decisions.md), and the group keeps its own payer and invoice date.
r = invoice(E, "ed-failparent", 32, "7", "-1", "2026-10-13")
ev(E, "ed-failparent", "DISBURSEMENT_FAILURE", "-1", "2026-10-14", 18, "buyer-033", f"seller-{E:02d}", eu="buyer-032",
   parent_billing_event_id="pay-not-read")
# A duplicate whose first occurrence is dated September: the October row is the duplicate.
r = invoice(E, "ed-dupsep", 31, "10", "-2", "2026-09-30", hour=23)
bill.extend([dict(x, invoice_date="2026-10-12T10:00:00Z", amount="77", _late=1) for x in r])
# Usage: a correction that moves the record to another day (the old day loses it); a seller-local
# usage_feed_id also used by another seller (the ids are the sellers' own, like billing_event_id).
others = [s for s in SELLERS if s != E]
for s, day in ((E, "2026-10-12"), (others[0], "2026-10-20")):
    u = dict(usage_feed_id="ed-shared-id", recipient_account_id=f"seller-{s:02d}", usage_date=day,
             product_id=f"prod-{s:02d}-2", offer_id=f"offer-{s:02d}", end_user_account_id="buyer-032",
             payer_account_id="buyer-032", region="r", dimension_key="d", usage_unit="u", usage_quantity="2",
             pricing_currency="USD", estimated_revenue_in_pricing_currency="1", valid_from=f"{day}T00:00:00Z",
             update_date=("2026-10-25T00:00:00Z" if s == E else "2026-10-21T00:00:00Z"))
    edge_use.append(u)
u = dict(edge_use[-1], usage_feed_id="ed-moved", recipient_account_id=f"seller-{E:02d}", usage_date="2026-10-12",
         update_date="2026-10-13T00:00:00Z", product_id=f"prod-{E:02d}-2", offer_id=f"offer-{E:02d}")
edge_use.append(u)
edge_use.append(dict(u, usage_date="2026-10-20", update_date="2026-10-21T00:00:00Z"))
# Offers: a higher revision with an older valid_from loses to the latest valid_from.
edge_offer.append(dict(offer_id=f"offer-{E:02d}", offer_revision="11", opportunity_name="older valid_from",
                       valid_from="2026-10-03T00:00:00Z", update_date="2026-10-03T00:00:00Z"))
# Enrollment: an 11-digit folder enrolls nobody; a second, non-enrolling row of an enrolled seller.
append("enrollment/enrollment.csv", [dict(seller_account_id="seller-01", aws_account_id="91234567890",
                                          enrolled_from="2020-01-01"),
                                     dict(seller_account_id=f"seller-{E:02d}", aws_account_id=f"9{E:011d}",
                                          enrolled_from="2026-10-15")])
edge_bill = [r for r in edge_bill if "_late" not in r] + [r for r in edge_bill if "_late" in r]
append("billing_event_v1/year=2026/month=10/data.csv", edge_bill)
append("daily_usage_v1/year=2026/month=10/data.csv", edge_use)
append("account_v1/year=2026/month=10/data.csv", edge_acc)
append("address_v1/year=2026/month=10/data.csv", edge_addr)
append("offer_v1/year=2026/month=10/data.csv", edge_offer)

# ---- raw bytes: a stray CR inside an unquoted field is data; a CRLF record end is a record end ----
append("account_v1/year=2026/month=10/data.csv",
       [dict(account_id="buyer-214", aws_account_id=aws(214), mailing_address_id="addr-214",
             valid_from="2020-01-01T00:00:00Z", update_date="2020-01-01T00:00:00Z")])
with open(os.path.join(root, "address_v1/year=2026/month=10/data.csv"), newline="") as f:
    header = f.readline().rstrip("\n").split(",")
row = dict(address_id="addr-214", aws_account_id=aws(214), email_domain="cr.example", company_name="Stray\rCR",
           city="Carriage", valid_from="2020-01-01T00:00:00Z", update_date="2020-01-01T00:00:00Z")
with open(os.path.join(root, "address_v1/year=2026/month=10/data.csv"), "a", newline="") as f:
    f.write(",".join(row.get(h, "") for h in header) + "\r\n")
bill = []
invoice(E, "ed-cr", 214, "4", "-0.8", "2026-10-20")
with open(os.path.join(root, "billing_event_v1/year=2026/month=10/data.csv"), newline="") as f:
    header = f.readline().rstrip("\n").split(",")
with open(os.path.join(root, "billing_event_v1/year=2026/month=10/data.csv"), "a", newline="") as f:
    for r in bill:
        f.write(",".join(r.get(h, "") for h in header) + "\r\n")
