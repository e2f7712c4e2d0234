"""Independent reference implementation ("oracle") of the four delivery tables.

Written from the contract only (shared/spec/feeds.md, semantics.md, outputs.md) and the project's
documented readings (docs/decisions.md, data-samples/README.md); the job's C++ was not read. It is
deliberately simple and slow (one process, dicts, integers in micro-units, never floats) so that
it can be checked by reading it against the spec.

Usage: oracle.py FEEDS_ROOT OUT CADENCE PERIOD
Writes OUT/deliveries/<aws_account_id>/<table>_v1/year=YYYY/month=MM[/day=DD]/data.csv for every
seller enrolled for the whole period (header-only files when a table has no rows).

Not covered (the job's other duties): the store, manifests, report.json, rejects.csv, exit codes,
territories. Rejects are modelled only as far as they change the tables (a rejected row is used
nowhere; a rejected row claims no billing_event_id; mixed-currency groups vanish).
"""
import calendar
import os
import re
import sys
from datetime import date, datetime, timedelta

SCALE = 10 ** 6
AMOUNT_RE = re.compile(r"^(-?)(\d+)(?:\.(\d+))?$")
TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

TYPES = {"SELLER_REV_SHARE", "AWS_REV_SHARE", "SELLER_TAX_SHARE", "AWS_TAX_SHARE", "SELLER_REV_SHARE_REFUND",
         "AWS_REV_SHARE_REFUND", "SELLER_TAX_SHARE_REFUND", "AWS_TAX_SHARE_REFUND", "SELLER_REV_SHARE_CREDIT",
         "AWS_REV_SHARE_CREDIT", "BALANCE_ADJUSTMENT", "DISBURSEMENT", "DISBURSEMENT_FAILURE"}
ACTIONS = {"INVOICED", "FORGIVEN", "DISBURSED"}
# semantics.md section 1: the eight buckets, in column order.
BUCKETS = ["SELLER_REV_SHARE", "AWS_REV_SHARE", "SELLER_REV_SHARE_REFUND", "AWS_REV_SHARE_REFUND",
           "SELLER_REV_SHARE_CREDIT", "AWS_REV_SHARE_CREDIT", "SELLER_TAX_SHARE", "SELLER_TAX_SHARE_REFUND"]
BUCKET_COLS = ["gross_revenue", "aws_revenue_share", "gross_refunds", "aws_refunds_share", "seller_credits",
               "aws_credits", "seller_tax_share", "seller_tax_refunds"]
BUYER_COLS = ["customer_aws_account_id", "company_name", "email_domain", "country_code", "state_or_region", "city",
              "postal_code"]
SALES_COLS = BUYER_COLS + ["product_code", "product_title", "offer_id", "opportunity_name"] + BUCKET_COLS + [
    "net_revenue", "currency", "ar_period", "invoice_date", "transaction_reference_id", "payer_reference_id",
    "end_customer_aws_account_id"]
DISB_COLS = BUYER_COLS + ["product_code", "product_title"] + BUCKET_COLS + [
    "net_amount", "currency", "transaction_reference_id", "disbursement_date", "bank_trace_id", "payer_reference_id",
    "end_customer_aws_account_id"]
USAGE_COLS = BUYER_COLS + ["end_customer_aws_account_id", "product_code", "product_title", "offer_id", "region",
                           "dimension_key", "usage_unit", "usage_date", "usage_quantity", "estimated_revenue",
                           "currency"]
BUYERS_COLS = BUYER_COLS + ["payer_reference_id", "currency", "first_activity_date", "last_activity_date",
                            "billed_net_revenue", "disbursed_net_amount", "estimated_usage_revenue", "transactions",
                            "products"]
# Cells that are not text (no formula prefix): amounts, dates, counts.
NOT_TEXT = set(BUCKET_COLS) | {"net_revenue", "net_amount", "usage_quantity", "estimated_revenue", "ar_period",
                               "invoice_date", "disbursement_date", "usage_date", "first_activity_date",
                               "last_activity_date", "billed_net_revenue", "disbursed_net_amount",
                               "estimated_usage_revenue", "transactions", "products"}
SORT = {
    "sales_compensation": ["transaction_reference_id", "product_code", "end_customer_aws_account_id"],
    "disbursements": ["disbursement_date", "bank_trace_id", "transaction_reference_id", "product_code",
                      "end_customer_aws_account_id"],
    "usage": ["customer_aws_account_id", "end_customer_aws_account_id", "product_code", "offer_id", "region",
              "dimension_key", "usage_unit", "currency", "usage_date"],
    "buyers": ["payer_reference_id", "currency"],
}
TABLE_COLS = {"sales_compensation": SALES_COLS, "disbursements": DISB_COLS, "usage": USAGE_COLS,
              "buyers": BUYERS_COLS}


class Bad(Exception):
    pass


def amount(text, nullable=False):
    """Micro-units. feeds.md grammar: optional '-', digits, optional '.' + digits; digits beyond the
    sixth fraction digit must be zeros."""
    if text == "" and nullable:
        return 0
    m = AMOUNT_RE.match(text)
    if not m:
        raise Bad("bad_amount")
    frac = m.group(3) or ""
    if len(frac) > 6:
        if frac[6:].strip("0"):
            raise Bad("bad_amount")
        frac = frac[:6]
    v = int(m.group(2)) * SCALE + int(frac.ljust(6, "0") or "0")
    return -v if m.group(1) else v


def fmt(v):
    sign = "-" if v < 0 else ""
    v = abs(v)
    return f"{sign}{v // SCALE}.{v % SCALE:06d}"


def ts(text):
    """An instant. A date-only value means 00:00:00Z (semantics.md; decisions.md for invoice_date)."""
    m = TS_RE.match(text)
    try:
        if m:
            return datetime(*map(int, m.groups()))
        m = DATE_RE.match(text)
        if m:
            return datetime(*map(int, m.groups()))
    except ValueError:
        pass
    raise Bad("bad_date")


def parse_records(data):
    """RFC 4180 records of a whole file (feeds.md): fields may be quoted, "" is a quote inside a
    quoted field, \n ends a record outside quotes, a \r\n ending is the same, and a stray \r
    elsewhere is data (Python's csv module would end the record there)."""
    recs, fields, cell, i, n = [], [], [], 0, len(data)
    quoted = False  # inside a quoted field
    while i < n:
        c = data[i]
        if quoted:
            if c == '"':
                if i + 1 < n and data[i + 1] == '"':
                    cell.append('"')
                    i += 1
                else:
                    quoted = False
            else:
                cell.append(c)
        elif c == '"':
            quoted = True
        elif c == ",":
            fields.append("".join(cell))
            cell = []
        elif c == "\n" or (c == "\r" and i + 1 < n and data[i + 1] == "\n"):
            if c == "\r":
                i += 1
            fields.append("".join(cell))
            recs.append(fields)
            fields, cell = [], []
        else:
            cell.append(c)
        i += 1
    if cell or fields:
        fields.append("".join(cell))
        recs.append(fields)
    return recs


def read_csv(path):
    """(record index, dict) per record; columns by name."""
    with open(path, newline="", encoding="utf-8") as f:
        recs = parse_records(f.read())
    header = recs[0]
    for i, rec in enumerate(recs[1:]):
        d = {h: (rec[k] if k < len(rec) else "") for k, h in enumerate(header)}
        if len(rec) != len(header):
            d["__bad__"] = "field_count"
        yield i, d


def month_files(root, feed, until):
    """Every existing month file of a dimension feed up to the period's month, oldest first."""
    base = os.path.join(root, feed)
    out = []
    if not os.path.isdir(base):
        return out
    for y in sorted(os.listdir(base)):
        for m in sorted(os.listdir(os.path.join(base, y))):
            p = os.path.join(base, y, m, "data.csv")
            ym = (int(y[5:]), int(m[6:]))
            if ym <= until and os.path.isfile(p):
                out.append((ym, p))
    return sorted(out)


def hist_update(d):
    """decisions.md: insert_date stands in for an empty update_date, and then valid_from."""
    return d.get("update_date") or d.get("insert_date") or d.get("valid_from")


def load_dimension(root, feed, key_cols, until):
    """Step 1 of semantics.md: per (key..., valid_from) the row with the latest update_date (ties:
    last read); deleted versions dropped. Returns {key: [(valid_from, row), ...] sorted}."""
    best = {}
    order = 0
    for _, path in month_files(root, feed, until):
        for _, d in read_csv(path):
            order += 1
            if "__bad__" in d:
                continue
            key = tuple(d.get(c, "") for c in key_cols)
            if any(k == "" for k in key):
                continue
            try:
                vf = ts(d["valid_from"])
                up = ts(hist_update(d))
                if d.get("delete_date"):
                    ts(d["delete_date"])
            except Bad:
                continue
            k = key + (vf,)
            cur = best.get(k)
            if cur is None or (up, order) >= (cur[0], cur[1]):
                best[k] = (up, order, d)
    versions = {}
    for k, (_, _, d) in best.items():
        if d.get("delete_date"):
            continue
        versions.setdefault(k[0], []).append((k[1:], d))
    return versions


def email_domain(v):
    if "@" in v:
        v = v.rsplit("@", 1)[1]
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in v)


class Dims:
    def __init__(self, root, until):
        acc = load_dimension(root, "account_v1", ["account_id"], until)
        self.accounts = {k: sorted(((vs[0], d) for vs, d in v), key=lambda x: x[0]) for k, v in acc.items()}
        self.addresses = {k: max(v, key=lambda x: x[0])[1]
                          for k, v in load_dimension(root, "address_v1", ["address_id"], until).items()}
        self.products = {k: max(v, key=lambda x: x[0])[1]
                         for k, v in load_dimension(root, "product_v1", ["product_id"], until).items()}
        offers = {}
        for k, v in load_dimension(root, "offer_v1", ["offer_id", "offer_revision"], until).items():
            for vs, d in v:
                try:
                    rev = int(d["offer_revision"])
                except ValueError:
                    continue
                offers.setdefault(k, []).append(((vs[-1], rev), d))  # vs = (offer_revision, valid_from)
        self.offers = {k: max(v, key=lambda x: x[0])[1] for k, v in offers.items()}

    def account(self, account_id, at):
        """Version holding at instant `at`; the first version also holds 24 h before it starts."""
        vs = self.accounts.get(account_id)
        if not vs:
            return None
        holding = None
        for vf, d in vs:
            if vf <= at:
                holding = d
        if holding is None and at >= vs[0][0] - timedelta(hours=24):
            holding = vs[0][1]
        return holding

    def buyer(self, payer_id, at, address_id):
        """The seven buyer columns. address_id None = the payer's mailing address as of `at`."""
        acc = self.account(payer_id, at) if payer_id else None
        if acc is None:
            return [""] * 7
        if address_id is None:
            address_id = acc.get("mailing_address_id", "")
        a = self.addresses.get(address_id) if address_id else None
        if a is None or a.get("aws_account_id", "") != acc.get("aws_account_id", ""):
            return [acc.get("aws_account_id", "")] + [""] * 6
        country = a["country_code"] if "country_code" in a else a.get("country", "")
        return [acc.get("aws_account_id", ""), a.get("company_name", ""), email_domain(a.get("email_domain", "")),
                country, a.get("state_or_region", ""), a.get("city", ""), a.get("postal_code", "")]

    def aws_id(self, account_id, at):
        acc = self.account(account_id, at) if account_id else None
        return acc.get("aws_account_id", "") if acc else ""

    def product(self, pid):
        p = self.products.get(pid)
        return (p.get("product_code", ""), p.get("title", "")) if p else ("", "")

    def opportunity(self, oid):
        o = self.offers.get(oid)
        return o.get("opportunity_name", "") if o else ""


def is_payer_type(t):
    return "AWS" not in t and "BALANCE_ADJUSTMENT" not in t


def payer_of(rows):
    """semantics.md: from_account_id of the rows whose type contains neither AWS nor
    BALANCE_ADJUSTMENT; several values: the greatest in byte order. The literal AWS is never a payer."""
    cands = [r["from_account_id"] for r in rows
             if is_payer_type(r["transaction_type"]) and r["from_account_id"] not in ("", "AWS")]
    return max(cands) if cands else ""


def text_cell(v):
    if v and v[0] in "=+-@\t\r":
        return "'" + v
    return v


def quote(v):
    if any(c in v for c in ',"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def render(cols, row):
    cells = [row[c] if c in NOT_TEXT else text_cell(row[c]) for c in cols]
    return cells, ",".join(quote(c) for c in cells)


def run(root, out, cadence, period):
    if cadence == "monthly":
        y, m = int(period[:4]), int(period[5:7])
        first, last = date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
        sub = f"year={y:04d}/month={m:02d}"
    else:
        first = last = date.fromisoformat(period)
        y, m = first.year, first.month
        sub = f"year={y:04d}/month={m:02d}/day={first.day:02d}"
    p_start = datetime(first.year, first.month, first.day)
    p_end = datetime(last.year, last.month, last.day) + timedelta(days=1)  # exclusive

    def in_period(t):
        return p_start <= t < p_end

    # Enrollment (feeds.md; decisions.md: any enrolling row enrolls).
    enrolled = {}
    for _, d in read_csv(os.path.join(root, "enrollment", "enrollment.csv")):
        aws = d.get("aws_account_id", "")
        if not re.fullmatch(r"\d{12}", aws):
            continue
        try:
            frm = date.fromisoformat(d["enrolled_from"])
            until = date.fromisoformat(d["enrolled_until"]) if d.get("enrolled_until") else None
        except ValueError:
            continue
        if frm <= first and (until is None or until >= last):
            enrolled[d["seller_account_id"]] = aws

    dims = Dims(root, (y, m))

    # Billing events: validate, then the first valid occurrence of (recipient, billing_event_id) wins
    # (decided before the period filter).
    seen = set()
    billing = []
    path = os.path.join(root, "billing_event_v1", f"year={y:04d}", f"month={m:02d}", "data.csv")
    for _, d in read_csv(path):
        if "__bad__" in d:
            continue
        try:
            if not d["billing_event_id"] or not d["recipient_account_id"]:
                raise Bad("empty_key")
            if d["transaction_type"] not in TYPES or d["action"] not in ACTIONS:
                raise Bad("bad_value")
            # feeds.md: every amount is preceded by its currency (amounts are summed per currency);
            # balance_impacting is 1 or 0. Anything else cannot be used: a reject, never a guess.
            if d["currency"] == "" or d["balance_impacting"] not in ("0", "1"):
                raise Bad("bad_value")
            d["_amt"] = amount(d["amount"])
            d["_t"] = ts(d["invoice_date"])
        except Bad:
            continue
        k = (d["recipient_account_id"], d["billing_event_id"])
        if k in seen:
            continue
        seen.add(k)
        if d["recipient_account_id"] in enrolled and in_period(d["_t"]):
            billing.append(d)

    tables = {s: {t: [] for t in TABLE_COLS} for s in enrolled}

    # 2. Payouts and failures (needed first: a failure naming a payout is no sales input).
    payouts = {}
    for d in billing:
        if d["transaction_type"] == "DISBURSEMENT" and d["action"] == "DISBURSED":
            payouts.setdefault((d["recipient_account_id"], d["billing_event_id"]), d)
    failed = set()
    for d in billing:
        if d["transaction_type"] == "DISBURSEMENT_FAILURE":
            k = (d["recipient_account_id"], d["parent_billing_event_id"])
            if k in payouts:
                failed.add(k)

    # 1. sales_compensation
    groups = {}
    for d in billing:
        if d["action"] not in ("INVOICED", "FORGIVEN") or d["balance_impacting"] != "1":
            continue
        if d["transaction_type"] == "BALANCE_ADJUSTMENT":
            continue
        if d["transaction_type"] == "DISBURSEMENT_FAILURE" and d["parent_billing_event_id"] != "":
            continue  # decisions.md: a failure naming a payout (read or not) joins no other table
        k = (d["recipient_account_id"], d["transaction_reference_id"], d["product_id"], d["end_user_account_id"])
        groups.setdefault(k, []).append(d)
    for (seller, trx, pid, eu), rows in groups.items():
        if len({r["currency"] for r in rows}) != 1:
            continue  # mixed_currency
        b = {c: 0 for c in BUCKET_COLS}
        for r in rows:
            if r["transaction_type"] in BUCKETS:
                b[BUCKET_COLS[BUCKETS.index(r["transaction_type"])]] += r["_amt"]
        net = sum(b.values())
        if net == 0:
            continue
        at = max(r["_t"] for r in rows)
        payer = payer_of(rows)
        addr = max(r["billing_address_id"] for r in rows) or None
        offer = max(r["offer_id"] for r in rows)
        code, title = dims.product(pid)
        row = dict(zip(BUYER_COLS, dims.buyer(payer, at, addr)))
        row.update(product_code=code, product_title=title, offer_id=offer, opportunity_name=dims.opportunity(offer),
                   net_revenue=fmt(net), currency=rows[0]["currency"], ar_period=at.strftime("%Y-%m"),
                   invoice_date=at.strftime("%Y-%m-%d"), transaction_reference_id=trx, payer_reference_id=payer,
                   end_customer_aws_account_id=dims.aws_id(eu, at))
        row.update({c: fmt(v) for c, v in b.items()})
        tables[seller]["sales_compensation"].append((row, {"payer": payer, "pid": pid, "net": net,
                                                          "date": row["invoice_date"], "t": 1}))

    # 2. disbursements
    groups = {}
    for d in billing:
        if d["action"] != "DISBURSED" or d["transaction_type"] in ("DISBURSEMENT", "DISBURSEMENT_FAILURE"):
            continue
        pk = (d["recipient_account_id"], d["disbursement_billing_event_id"])
        if pk not in payouts:
            continue
        k = (d["recipient_account_id"], d["transaction_reference_id"], d["product_id"],
             d["disbursement_billing_event_id"], d["end_user_account_id"])
        groups.setdefault(k, []).append(d)
    for (seller, trx, pid, pay, eu), rows in groups.items():
        if len({r["currency"] for r in rows}) != 1:
            continue  # mixed_currency (even when the payout is not kept)
        if (seller, pay) in failed:
            continue
        p = payouts[(seller, pay)]
        b = {c: 0 for c in BUCKET_COLS}
        for r in rows:
            if r["transaction_type"] in BUCKETS:
                b[BUCKET_COLS[BUCKETS.index(r["transaction_type"])]] -= r["_amt"]
        net = sum(b.values())
        at = p["_t"]
        payer = payer_of(rows)
        addr = max([r["billing_address_id"] for r in rows if r["transaction_type"].startswith("SELLER_")] + [""])
        trace = p["bank_trace_id"] or max([r["bank_trace_id"] for r in rows] + [""])
        code, title = dims.product(pid)
        row = dict(zip(BUYER_COLS, dims.buyer(payer, at, addr or None)))
        row.update(product_code=code, product_title=title, net_amount=fmt(net), currency=rows[0]["currency"],
                   transaction_reference_id=trx, disbursement_date=at.strftime("%Y-%m-%d"), bank_trace_id=trace,
                   payer_reference_id=payer, end_customer_aws_account_id=dims.aws_id(eu, at))
        row.update({c: fmt(v) for c, v in b.items()})
        tables[seller]["disbursements"].append((row, {"payer": payer, "pid": pid, "net": net,
                                                     "date": row["disbursement_date"], "t": 2}))

    # 3. usage: latest update_date per usage_feed_id over the whole month file (ties: last read),
    # a deleted latest version drops the record, then the period filter.
    latest = {}
    path = os.path.join(root, "daily_usage_v1", f"year={y:04d}", f"month={m:02d}", "data.csv")
    for i, d in read_csv(path):
        if "__bad__" in d:
            continue
        try:
            if not d["usage_feed_id"] or not d["recipient_account_id"]:
                raise Bad("empty_key")
            # usage_date is a date (feeds.md: date-only values appear in daily_usage; semantics.md
            # resolves it at 00:00:00Z): a timestamp there is not one. A usage amount, like every
            # amount, needs its currency.
            if not DATE_RE.match(d["usage_date"]) or d["pricing_currency"] == "":
                raise Bad("bad_value")
            d["_t"] = ts(d["usage_date"])
            d["_q"] = amount(d["usage_quantity"], True)
            d["_r"] = amount(d["estimated_revenue_in_pricing_currency"], True)
            up = ts(d.get("update_date") or d.get("insert_date") or d["usage_date"])
        except Bad:
            continue
        k = (d["recipient_account_id"], d["usage_feed_id"])
        cur = latest.get(k)
        if cur is None or (up, i) >= (cur[0], cur[1]):
            latest[k] = (up, i, d)
    groups = {}
    for _, _, d in latest.values():
        if d.get("delete_date") or d["recipient_account_id"] not in enrolled or not in_period(d["_t"]):
            continue
        k = tuple(d[c] for c in ("recipient_account_id", "payer_account_id", "end_user_account_id", "product_id",
                                 "offer_id", "region", "dimension_key", "usage_unit", "pricing_currency"))
        k += (d["_t"],)
        g = groups.setdefault(k, [0, 0])
        g[0] += d["_q"]
        g[1] += d["_r"]
    for (seller, payer, eu, pid, oid, region, dim, unit, cur, t), (q, r) in groups.items():
        code, title = dims.product(pid)
        row = dict(zip(BUYER_COLS, dims.buyer(payer, t, None)))
        row.update(end_customer_aws_account_id=dims.aws_id(eu, t), product_code=code, product_title=title,
                   offer_id=oid, region=region, dimension_key=dim, usage_unit=unit,
                   usage_date=t.strftime("%Y-%m-%d"), usage_quantity=fmt(q), estimated_revenue=fmt(r), currency=cur)
        tables[seller]["usage"].append((row, {"payer": payer, "pid": pid, "net": r, "date": row["usage_date"],
                                              "t": 3}))

    # 4. buyers
    for seller, tabs in tables.items():
        acc = {}
        for name in ("sales_compensation", "disbursements", "usage"):
            for row, meta in tabs[name]:
                k = (meta["payer"], row["currency"])
                a = acc.setdefault(k, {"rank": None, "buyer": None, "dates": [], "sums": [0, 0, 0], "n": 0,
                                       "pids": set()})
                line = render(TABLE_COLS[name], row)[1]
                # most recent: latest date; ties: table 1 before 2 before 3, then the greatest line
                rank = (meta["date"], -meta["t"], line.encode())
                if a["rank"] is None or rank > a["rank"]:
                    a["rank"] = rank
                    a["buyer"] = [row[c] for c in BUYER_COLS]
                a["dates"].append(meta["date"])
                a["sums"][meta["t"] - 1] += meta["net"]
                if meta["t"] == 1:
                    a["n"] += 1
                if meta["pid"]:
                    a["pids"].add(meta["pid"])
        for (payer, cur), a in acc.items():
            buyer = a["buyer"] if payer else [""] * 7
            row = dict(zip(BUYER_COLS, buyer))
            row.update(payer_reference_id=payer, currency=cur, first_activity_date=min(a["dates"]),
                       last_activity_date=max(a["dates"]), billed_net_revenue=fmt(a["sums"][0]),
                       disbursed_net_amount=fmt(a["sums"][1]), estimated_usage_revenue=fmt(a["sums"][2]),
                       transactions=str(a["n"]), products=str(len(a["pids"])))
            tabs["buyers"].append((row, None))

    for seller, tabs in tables.items():
        for name, cols in TABLE_COLS.items():
            rendered = []
            for row, _ in tabs[name]:
                cells, line = render(cols, row)
                key = [cells[cols.index(c)].encode() for c in SORT[name]]
                rendered.append((key, line.encode()))
            rendered.sort()
            d = os.path.join(out, "deliveries", enrolled[seller], f"{name}_v1", sub)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "data.csv"), "wb") as f:
                f.write((",".join(cols) + "\n").encode())
                for _, line in rendered:
                    f.write(line + b"\n")


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[3] not in ("monthly", "daily"):
        sys.exit("usage: oracle.py FEEDS_ROOT OUT monthly|daily PERIOD")
    run(*sys.argv[1:])
