"""Checks the delivered tables against each other (not against the code's own numbers), for every
seller and every delivered period (the month and each day) under DELIVERIES:

- buyers holds exactly one row per (payer_reference_id, currency) seen in sales_compensation,
  disbursements or usage, and no other row (both directions), with every column semantics.md
  defines from those tables: the buyer columns from the payer's most recent contributing row
  (latest activity date; ties: sales_compensation, then disbursements, then usage, then the
  greatest rendered line, decisions.md), first/last_activity_date, billed_net_revenue,
  disbursed_net_amount, estimated_usage_revenue, transactions and products;
- per seller and currency, the daily deliveries of a month add up to the monthly one, for the
  net amounts of sales_compensation, disbursements and usage (when every day was delivered).

What the delivered files cannot tell, and how it is handled:
- usage has no payer_reference_id column. A usage row is tied to its payer through its
  customer_aws_account_id, mapped to a payer_reference_id by the rows (sales_compensation,
  disbursements, buyers) of any seller and period that carry both. A usage row whose customer_aws_account_id is empty
  (payer unresolved on its usage_date, or no payer) or maps to no single payer is "unattributed":
  per currency, such rows are reconciled in total only, and the per-payer checks that they could
  change (usage revenue, activity dates, buyer columns, products) become bounds.
- products counts distinct product_id; the deliveries carry product_code only. A product's code
  comes from its latest version, so one product_id has one code and distinct non-empty codes are
  a lower bound; assuming a code names one product, each row with an empty code (unknown product,
  or an empty product_id, which does not count) adds at most one. Exact when no code is empty.
Usage: reconcile.py DELIVERIES"""
import csv
import glob
import io
import os
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal

root = sys.argv[1]
failures = []
BUYER_COLUMNS = ["customer_aws_account_id", "company_name", "email_domain", "country_code", "state_or_region",
                 "city", "postal_code"]
DETAIL = [  # table, amount column, activity date column
    ("sales_compensation", "net_revenue", "invoice_date"),
    ("disbursements", "net_amount", "disbursement_date"),
    ("usage", "estimated_revenue", "usage_date"),
]


def records(path):
    """The rows of a delivered CSV, each with its rendered line (the raw record text, quoted
    line feeds included) for the "greatest row" tie rule."""
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    raw, start, quoted = [], 0, False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == "\n" and not quoted:
            raw.append(text[start:i])
            start = i + 1
    if start < len(text):
        raw.append(text[start:])
    header = next(csv.reader(io.StringIO(raw[0])))
    out = []
    for line in raw[1:]:
        row = next(csv.reader(io.StringIO(line)))
        if len(row) != len(header):
            failures.append(f"{path}: {len(row)} cells, header has {len(header)}: {line!r}")
            continue
        r = dict(zip(header, row))
        r["_line"] = line.encode("utf-8")
        out.append(r)
    return out


def period_folders(seller):
    """(label, sub-path) of every period with a buyers delivery: the month and its days."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, seller, "buyers_v1", "year=*", "month=*", "**", "data.csv"),
                                 recursive=True)):
        sub = os.path.relpath(os.path.dirname(path), os.path.join(root, seller, "buyers_v1"))
        found.append(sub)
    return found


def table_rows(seller, table, sub):
    path = os.path.join(root, seller, f"{table}_v1", sub, "data.csv")
    if not os.path.exists(path):
        failures.append(f"{seller} {sub}: buyers is delivered but {table} is not")
        return []
    return records(path)


def check_period(seller, sub):
    where = f"{seller} {sub}"
    detail = {t: table_rows(seller, t, sub) for t, _, _ in DETAIL}
    buyers = table_rows(seller, "buyers", sub)

    payer_of = PAYER_OF
    # Contributing rows per (payer_reference_id, currency); unattributed usage per currency.
    contrib = defaultdict(list)  # key -> [(date, table rank, rendered line, row, table)]
    unattributed = defaultdict(list)
    for rank, (table, amount, date_col) in enumerate(DETAIL):
        for r in detail[table]:
            if table == "usage":
                payers = payer_of.get(r["customer_aws_account_id"], set())
                if len(payers) != 1:
                    unattributed[r["currency"]].append(r)
                    continue
                payer = next(iter(payers))
            else:
                payer = r["payer_reference_id"]
            contrib[(payer, r["currency"])].append((r[date_col], rank, r["_line"], r, table))

    seen = set()
    for b in buyers:
        key = (b["payer_reference_id"], b["currency"])
        if key in seen:
            failures.append(f"{where}: buyers has two rows for {key}")
        seen.add(key)
        rows = contrib.get(key, [])
        loose = unattributed.get(b["currency"], [])
        if not rows and not loose:
            failures.append(f"{where}: buyers row {key} has no row in sales_compensation, disbursements or usage")
            continue
        if key[0] == "" and any(b[c] for c in BUYER_COLUMNS):
            failures.append(f"{where}: the no-payer buyers row {key} has buyer columns")
        by = {t: [x[3] for x in rows if x[4] == t] for t, _, _ in DETAIL}

        def total(table, column):
            return sum((Decimal(r[column]) for r in by[table]), Decimal(0))

        want_billed = total("sales_compensation", "net_revenue")
        want_disbursed = total("disbursements", "net_amount")
        if Decimal(b["billed_net_revenue"]) != want_billed:
            failures.append(f"{where} {key}: billed_net_revenue {b['billed_net_revenue']}, sales_compensation sums to {want_billed}")
        if Decimal(b["disbursed_net_amount"]) != want_disbursed:
            failures.append(f"{where} {key}: disbursed_net_amount {b['disbursed_net_amount']}, disbursements sum to {want_disbursed}")
        if int(b["transactions"]) != len(by["sales_compensation"]):
            failures.append(f"{where} {key}: transactions {b['transactions']}, sales_compensation has {len(by['sales_compensation'])} rows")
        if not loose and Decimal(b["estimated_usage_revenue"]) != total("usage", "estimated_revenue"):
            failures.append(f"{where} {key}: estimated_usage_revenue {b['estimated_usage_revenue']}, usage sums to {total('usage', 'estimated_revenue')}")

        # Activity dates: exact without unattributed usage; else bounded by it.
        dates = [x[0] for x in rows]
        loose_dates = [r["usage_date"] for r in loose]
        first, last = b["first_activity_date"], b["last_activity_date"]
        if not loose:
            if (first, last) != (min(dates), max(dates)):
                failures.append(f"{where} {key}: activity {first}..{last}, the detail rows span {min(dates)}..{max(dates)}")
        else:
            allowed = set(dates) | set(loose_dates)
            if first not in allowed or last not in allowed or (dates and (first > min(dates) or last < max(dates))):
                failures.append(f"{where} {key}: activity {first}..{last} does not fit the detail rows {sorted(allowed)}")

        # Buyer columns: the most recent contributing row (date, then table 1<2<3, then greatest line).
        got = [b[c] for c in BUYER_COLUMNS]
        if rows:
            best = max(rows, key=lambda x: (x[0], -x[1], x[2]))
            want = [best[3][c] for c in BUYER_COLUMNS]
            ok = got == want
            # An unattributed usage row at least as recent (and usage ranks last) could be the
            # winner: its buyer columns are empty.
            if not ok and loose and any(d >= best[0] for d in loose_dates):
                ok = not any(got)
            if not ok:
                failures.append(f"{where} {key}: buyer columns {got}, the most recent row ({best[4]} {best[0]}) has {want}")
        elif any(got):
            failures.append(f"{where} {key}: only unattributed usage could feed this row, yet it has buyer columns {got}")

        # products (distinct product_id) from product_code: see the docstring.
        codes = {x[3]["product_code"] for x in rows if x[3]["product_code"]}
        blanks = sum(1 for x in rows if not x[3]["product_code"])
        low, high = len(codes), len(codes) + blanks + len(loose)
        if not (low <= int(b["products"]) <= high):
            failures.append(f"{where} {key}: products {b['products']}, the detail rows give {low}..{high} "
                            f"(codes {sorted(codes)}, {blanks} rows without a code)")

    # The other direction: every payer and currency of the detail tables has its buyers row.
    for key, rows in sorted(contrib.items()):
        if key not in seen:
            tables = sorted({x[4] for x in rows})
            failures.append(f"{where}: {key} appears in {', '.join(tables)} but has no buyers row")

    # Unattributed usage, per currency: buyers' usage revenue beyond the attributed rows adds up to it.
    for currency in set(unattributed) | {b["currency"] for b in buyers}:
        attributed = sum((Decimal(x[3]["estimated_revenue"]) for k, rows in contrib.items() if k[1] == currency
                          for x in rows if x[4] == "usage"), Decimal(0))
        in_buyers = sum((Decimal(b["estimated_usage_revenue"]) for b in buyers if b["currency"] == currency), Decimal(0))
        loose_total = sum((Decimal(r["estimated_revenue"]) for r in unattributed.get(currency, [])), Decimal(0))
        if in_buyers != attributed + loose_total:
            failures.append(f"{where} {currency}: buyers' estimated_usage_revenue sums to {in_buyers}, usage to {attributed + loose_total}")
    return len(buyers)


def month_totals(seller, sub_glob):
    totals = defaultdict(Decimal)
    for table, amount, _ in DETAIL:
        for path in glob.glob(os.path.join(root, seller, f"{table}_v1", sub_glob, "data.csv")):
            for r in records(path):
                totals[(table, r["currency"])] += Decimal(r[amount])
    return {k: v for k, v in totals.items() if v}


# customer_aws_account_id -> payer_reference_id, from every delivered row that carries both, of
# every seller and period: an account's identity is the same everywhere, and a buyers row that
# lost its columns must not be able to hide its own usage from the check.
PAYER_OF = defaultdict(set)
for path in glob.glob(os.path.join(root, "*", "*_v1", "**", "data.csv"), recursive=True):
    if "/usage_v1/" in path:  # usage has no payer_reference_id
        continue
    for r in records(path):
        if r.get("customer_aws_account_id") and r.get("payer_reference_id"):
            PAYER_OF[r["customer_aws_account_id"]].add(r["payer_reference_id"])

checked = 0
for seller in sorted(os.listdir(root)):
    subs = period_folders(seller)
    for sub in subs:
        checked += check_period(seller, sub)
    # The days of each delivered month add up to the month, per table and currency.
    for month in sorted({s for s in subs if "day=" not in s}):
        days = [s for s in subs if s.startswith(month + "/day=")]
        year, mm = int(month[5:9]), int(month[16:18])  # year=YYYY/month=MM
        length = (date(year + mm // 12, mm % 12 + 1, 1) - date(year, mm, 1)).days
        if len(days) == length:  # only when every day of the month was run
            monthly, daily = month_totals(seller, month), month_totals(seller, month + "/day=*")
            if monthly != daily:
                failures.append(f"{seller} {month}: the days sum to {daily}, the month to {monthly}")

if checked == 0:
    failures.append("no buyers rows were checked: the sample should have some")
for f in failures:
    print("FAIL:", f, file=sys.stderr)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed ({checked} buyers rows checked)")
sys.exit(1 if failures else 0)
