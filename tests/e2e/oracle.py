"""Independent reference implementation ("oracle") of the four delivery tables.

Written from the contract only (shared/spec/feeds.md, semantics.md, outputs.md) and the project's
documented readings (docs/decisions.md, data-samples/README.md); the job's C++ was not read. It is
deliberately simple and slow (one process, dicts, integers in micro-units, never floats) so that
it can be checked by reading it against the spec.

Usage: oracle.py FEEDS_ROOT OUT CADENCE PERIOD
Writes OUT/deliveries/<aws_account_id>/<table>_v1/year=YYYY/month=MM[/day=DD]/data.csv for every
seller enrolled for the whole period (header-only files when a table has no rows).

run() also returns the run's Accounting: every row's fate (used, rejected by reason and line,
outside the period, not enrolled, superseded) and the control totals, which oracle_report.py
writes as the predicted report.json and rejects.csv (test_report_oracle.sh).

Not covered (the job's other duties): the store, manifests, the text column of rejects.csv,
timings, exit codes, territories.
"""
import calendar
import os
import re
import sys
from datetime import date, datetime, timedelta

SCALE = 10 ** 6
# ASCII digits only, and \Z, not $: Python's \d also matches other scripts' digits ("１", "٣") and
# its $ matches before a final line feed, so "1\n" would pass as an amount. The job rejects both.
AMOUNT_RE = re.compile(r"^(-?)([0-9]+)(?:\.([0-9]+))?\Z")
TS_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z\Z")
DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")

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


FEEDS = ("account", "address", "billing_event", "daily_usage", "enrollment", "offer", "product")


class Accounting:
    """What report.json says of the input (outputs.md, "Run record"): per feed, every row read
    lands in exactly one of used, rejected (by reason), outside_period, not_enrolled, superseded
    (decisions.md, "Counting and rejects"); per (table, seller, currency) the amounts entering the
    computation, those left out on purpose and those delivered (decisions.md, "Amount control
    totals"). Filled in by run() as it decides each row's fate, so the fate is the one the tables
    were built from."""

    def __init__(self):
        self.feeds = {f: {"read": 0, "used": 0, "rejected": 0, "rejected_by_reason": {}, "outside_period": 0,
                          "not_enrolled": 0, "superseded": 0} for f in FEEDS}
        self.amounts = {}  # (table, seller, currency) -> [in, excluded, out] in micro-units
        self.rejects = []  # (feed, file, line, reason): what rejects.csv lists, without the text
        self.sellers_delivered = 0
        # semantics.md: a key with nothing to resolve to leaves its columns empty "and the row is
        # counted" (unresolved_account, ...): delivered rows per table and kind. Only
        # sales_compensation shows an offer's attributes (opportunity_name).
        kinds = ("unresolved_account", "unresolved_address", "unresolved_product")
        self.unresolved = {t: dict.fromkeys(kinds + (("unresolved_offer",) if t == "sales_compensation" else ()), 0)
                           for t in ("sales_compensation", "disbursements", "usage")}

    def count(self, feed, fate, n=1, row=None):
        """fate is a counter name or "rejected:<reason>" (then `row` is the rejected row)."""
        c = self.feeds[feed]
        c["read"] += n
        if fate.startswith("rejected:"):
            reason = fate[len("rejected:"):]
            self.rejects.append((feed, row["__file__"], row["__line__"], reason))
            c["rejected"] += n
            c["rejected_by_reason"][reason] = c["rejected_by_reason"].get(reason, 0) + n
        else:
            c[fate] += n

    def move(self, feed, fate, to, n=1, row=None):
        """A row counted as `fate` turns out to be `to` (a mixed-currency group's rows leave used)."""
        self.feeds[feed]["read"] -= n
        self.feeds[feed][fate] -= n
        self.count(feed, to, n, row)

    def amount(self, table, seller, currency, kind, v):
        """kind 0 = in, 1 = excluded, 2 = out."""
        self.amounts.setdefault((table, seller, currency), [0, 0, 0])[kind] += v

    def delivered(self, table, kinds):
        """A row of `table` is delivered; `kinds` are the unresolved_* its keys found nothing for."""
        for k in kinds:
            self.unresolved[table][k] += 1

    def record(self, cadence, period):
        """The predicted part of report.json (no timings, ranks, input_digest, job_version)."""
        feeds = {}
        for f, c in sorted(self.feeds.items()):
            c = dict(c, rejected_by_reason=dict(sorted(c["rejected_by_reason"].items())))
            c["balanced"] = c["read"] == c["used"] + c["rejected"] + c["outside_period"] + c["not_enrolled"] + \
                c["superseded"]
            feeds[f] = c
        order = {"sales_compensation": 0, "disbursements": 1, "usage": 2}
        amounts = [{"table": t, "seller": s, "currency": cur, "in": fmt(v[0]), "excluded": fmt(v[1]), "out": fmt(v[2]),
                    "balanced": v[0] == v[1] + v[2]}
                   for (t, s, cur), v in sorted(self.amounts.items(), key=lambda x: (order[x[0][0]],) + x[0][1:])]
        return {"cadence": cadence, "period": period, "sellers_delivered": self.sellers_delivered,
                "balanced": all(f["balanced"] for f in feeds.values()) and all(a["balanced"] for a in amounts),
                "feeds": feeds, "unresolved": self.unresolved, "amounts": amounts}


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
    if v > 2 ** 63 - 1:
        raise Bad("bad_amount")  # decisions.md: amounts are 64-bit micro-units; beyond is a reject
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
    elsewhere is data (Python's csv module would end the record there).
    Returns (fields, flaw, physical line where the record starts) per record; flaw is None, "bad_quoting" (a quote inside an unquoted
    field, or text after a closing quote: decisions.md; record boundaries still follow quote
    parity) or "unterminated_quote" (feeds.md: the rest of the file is one bad record)."""
    recs, fields, cell, i, n = [], [], [], 0, len(data)
    quoted = False  # inside a quoted field
    flaw = None
    line = 1  # physical line of the character at i (1-based; a quoted line feed starts a new one)
    start_line = 1  # where the current record starts
    start = True  # at the first character of a field
    closed = False  # just after the closing quote of a field
    while i < n:
        c = data[i]
        if quoted:
            if c == '"':
                if i + 1 < n and data[i + 1] == '"':
                    cell.append('"')
                    i += 1
                else:
                    quoted = False
                    closed = True
            else:
                if c == "\n":
                    line += 1
                cell.append(c)
        elif c == '"':
            if not start:
                flaw = flaw or "bad_quoting"
            quoted = True
            start = False
        elif c == ",":
            fields.append("".join(cell))
            cell, start, closed = [], True, False
        elif c == "\n" or (c == "\r" and i + 1 < n and data[i + 1] == "\n"):
            if c == "\r":
                i += 1
            fields.append("".join(cell))
            recs.append((fields, flaw, start_line))
            line += 1
            start_line = line
            fields, cell, flaw, start, closed = [], [], None, True, False
        else:
            if closed:
                flaw = flaw or "bad_quoting"
            cell.append(c)
            start = False
        i += 1
    if cell or fields or quoted:
        fields.append("".join(cell))
        recs.append((fields, "unterminated_quote" if quoted else flaw, start_line))
    return recs


def read_csv(path):
    """(record index, dict) per record; columns by name. A record that cannot be read as a row
    carries its reject reason in d["__bad__"]: unterminated_quote, nul_byte, invalid_utf8 (feeds.md
    says UTF-8; decisions.md rejects both), bad_quoting, column_count (test_rejects.sh names)."""
    with open(path, "rb") as f:
        # surrogateescape keeps undecodable bytes as lone surrogates, so one bad record does not
        # stop the file and the record can be told apart.
        recs = parse_records(f.read().decode("utf-8", errors="surrogateescape"))
    header = recs[0][0]
    # The file as rejects.csv names it: relative to the feed root.
    parts = path.split(os.sep)
    rel = "/".join(parts[-2:] if parts[-2] == "enrollment" else parts[-4:])
    for i, (rec, flaw, line) in enumerate(recs[1:]):
        d = {h: (rec[k] if k < len(rec) else "") for k, h in enumerate(header)}
        d["__file__"], d["__line__"] = rel, line
        text = "".join(rec)
        if flaw == "unterminated_quote":
            d["__bad__"] = flaw
        elif "\x00" in text:
            d["__bad__"] = "nul_byte"
        elif any("\udc80" <= c <= "\udcff" for c in text):
            d["__bad__"] = "invalid_utf8"
        elif flaw:
            d["__bad__"] = flaw
        elif len(rec) != len(header):
            d["__bad__"] = "column_count"
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


def load_dimension(root, feed, key_cols, until, acct):
    """Step 1 of semantics.md: per (key..., valid_from) the row with the latest update_date (ties:
    last read); deleted versions dropped. Returns {key: [(valid_from, row), ...] sorted}.
    Accounting (data-samples/README.md, "Row accounting"): the latest correction of a version is
    used, deleting or not; each earlier correction of it is superseded. Dimensions have no period
    and no enrollment: a run uses every row of every month file up to its period."""
    name = feed[:-len("_v1")]
    best = {}
    order = 0
    for _, path in month_files(root, feed, until):
        for _, d in read_csv(path):
            order += 1
            if "__bad__" in d:
                acct.count(name, "rejected:" + d["__bad__"], row=d)
                continue
            key = tuple(d.get(c, "") for c in key_cols)
            try:
                # The key is the first column; an offer's revision is part of its version, not
                # of its key, and may be empty (null, feeds.md), as the job reads it too.
                if key[0] == "":
                    raise Bad("empty_key")
                # An offer_revision is compared as a number (decisions.md): one that is not a
                # number cannot be placed (test_rejects.sh: bad_number).
                if feed == "offer_v1" and not re.fullmatch(r"([0-9]+)?", d["offer_revision"]):
                    raise Bad("bad_number")
                # feeds.md: an AWS account number is always 12 digits (test_rejects.sh rejects an
                # account whose aws_account_id is not); empty is null, not a bad number.
                if feed in ("account_v1", "address_v1") and \
                        not re.fullmatch(r"([0-9]{12})?", d.get("aws_account_id", "")):
                    raise Bad("bad_aws_account_id")
                vf = ts(d["valid_from"])
                up = ts(hist_update(d))
                if d.get("delete_date"):
                    ts(d["delete_date"])
            except Bad as e:
                acct.count(name, "rejected:" + str(e), row=d)
                continue
            acct.count(name, "used")
            k = key + (vf,)
            cur = best.get(k)
            if cur is None or (up, order) >= (cur[0], cur[1]):
                best[k] = (up, order, d)
            # Of two corrections of one version, the earlier one is superseded.
            if cur is not None:
                acct.move(name, "used", "superseded")
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
    def __init__(self, root, until, acct):
        acc = load_dimension(root, "account_v1", ["account_id"], until, acct)
        self.accounts = {k: sorted(((vs[0], d) for vs, d in v), key=lambda x: x[0]) for k, v in acc.items()}
        self.addresses = {k: max(v, key=lambda x: x[0])[1]
                          for k, v in load_dimension(root, "address_v1", ["address_id"], until, acct).items()}
        self.products = {k: max(v, key=lambda x: x[0])[1]
                         for k, v in load_dimension(root, "product_v1", ["product_id"], until, acct).items()}
        offers = {}
        for k, v in load_dimension(root, "offer_v1", ["offer_id", "offer_revision"], until, acct).items():
            for vs, d in v:
                # An empty revision (null) sorts below every number: a reading of this oracle
                # (the docs do not say; the tests never put one beside a revision of the same
                # valid_from).
                rev = int(d["offer_revision"]) if d["offer_revision"] else -1
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

    def unresolved(self, payer_id, end_user_id, at, address_id, pid, oid=None):
        """The kinds of key of a row that resolve to nothing: a payer or end user (not the
        marketplace, AWS) with no version at `at`; the address chosen for a resolved payer (its
        billing address, else its mailing address) that is no address at all (another account's
        address is known: its columns are empty by rule 5, not unresolved); an unknown product,
        and an unknown offer when `oid` is given."""
        kinds = []
        accounts = [a for a in (payer_id, end_user_id) if a and a != "AWS"]
        if any(self.account(a, at) is None for a in accounts):
            kinds.append("unresolved_account")
        acc = self.account(payer_id, at) if payer_id and payer_id != "AWS" else None
        if acc is not None:
            chosen = address_id if address_id is not None else acc.get("mailing_address_id", "")
            if chosen and chosen not in self.addresses:
                kinds.append("unresolved_address")
        if pid and pid not in self.products:
            kinds.append("unresolved_product")
        if oid and oid not in self.offers:
            kinds.append("unresolved_offer")
        return kinds

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


def run(root, out, cadence, period, acct=None):
    """Writes the deliveries; returns the Accounting of the run (what report.json predicts)."""
    acct = acct or Accounting()
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
    # Accounting: a row that enrolls its seller is used, any other valid row is not_enrolled
    # (data-samples/README.md: "used 3 (A, B, C), not enrolled 2"); an aws_account_id that is not
    # 12 digits is a reject (feeds.md; test_faults.sh names it bad_aws_account_id).
    enrolled = {}
    for _, d in read_csv(os.path.join(root, "enrollment", "enrollment.csv")):
        if "__bad__" in d:
            acct.count("enrollment", "rejected:" + d["__bad__"], row=d)
            continue
        aws = d.get("aws_account_id", "")
        try:
            if not d["seller_account_id"]:
                raise Bad("empty_key")
            if not re.fullmatch(r"[0-9]{12}", aws):
                raise Bad("bad_aws_account_id")
            try:
                # YYYY-MM-DD only (feeds.md); fromisoformat alone would also take 20261005.
                if not DATE_RE.match(d["enrolled_from"]) or not DATE_RE.match(d.get("enrolled_until") or "2000-01-01"):
                    raise ValueError
                frm = date.fromisoformat(d["enrolled_from"])
                until = date.fromisoformat(d["enrolled_until"]) if d.get("enrolled_until") else None
            except ValueError:
                raise Bad("bad_date")
        except Bad as e:
            acct.count("enrollment", "rejected:" + str(e), row=d)
            continue
        if frm <= first and (until is None or until >= last):
            enrolled[d["seller_account_id"]] = aws
            acct.count("enrollment", "used")
        else:
            acct.count("enrollment", "not_enrolled")
    acct.sellers_delivered = len(enrolled)

    dims = Dims(root, (y, m), acct)

    # Billing events: validate, then the first valid occurrence of (recipient, billing_event_id) wins
    # (decided before the period filter).
    seen = set()
    billing = []
    path = os.path.join(root, "billing_event_v1", f"year={y:04d}", f"month={m:02d}", "data.csv")
    for _, d in read_csv(path):
        if "__bad__" in d:
            acct.count("billing_event", "rejected:" + d["__bad__"], row=d)
            continue
        try:
            if not d["billing_event_id"] or not d["recipient_account_id"]:
                raise Bad("empty_key")
            # Reason names as test_rejects.sh expects them.
            if d["action"] not in ACTIONS:
                raise Bad("unknown_action")
            if d["transaction_type"] not in TYPES:
                raise Bad("unknown_transaction_type")
            # feeds.md: every amount is preceded by its currency (amounts are summed per currency);
            # balance_impacting is 1 or 0. Anything else cannot be used: a reject, never a guess.
            if d["currency"] == "":
                raise Bad("empty_currency")
            if d["balance_impacting"] not in ("0", "1"):
                raise Bad("bad_flag")
            d["_amt"] = amount(d["amount"])
            d["_t"] = ts(d["invoice_date"])
        except Bad as e:
            acct.count("billing_event", "rejected:" + str(e), row=d)
            continue
        k = (d["recipient_account_id"], d["billing_event_id"])
        # decisions.md: duplicates are decided before the period filter (and so, this oracle
        # reads, before enrollment too: a duplicate is a fault of the row, whoever's it is).
        if k in seen:
            acct.count("billing_event", "rejected:duplicate", row=d)
            continue
        seen.add(k)
        # feeds.md: rows of the file dated elsewhere are "outside the period"; of the rows of the
        # period, other sellers' are "not_enrolled". Reading: the period filter comes first (a row
        # of another period does not belong to this run at all, whoever's it is).
        if not in_period(d["_t"]):
            acct.count("billing_event", "outside_period")
        elif d["recipient_account_id"] not in enrolled:
            acct.count("billing_event", "not_enrolled")
        else:
            acct.count("billing_event", "used")
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
    def bucketed(table, r, kind, sign=1):
        """Adds what a row brings to the eight buckets to a control total. A row of a type that
        adds to no bucket brings no amount, so it makes no control-total key on its own (the
        job lists a key when an amount enters or a row is delivered; semantics.md and
        decisions.md name no key for a currency that never carried an amount)."""
        if r["transaction_type"] in BUCKETS:
            acct.amount(table, r["recipient_account_id"], r["currency"], kind, sign * r["_amt"])

    for (seller, trx, pid, eu), rows in groups.items():
        # Control totals (decisions.md): the bucketed amounts of every input row enter; a
        # rejected group's are left out on purpose; a delivered row's net_revenue goes out (a
        # group netting to 0 delivers nothing and leaves 0 out).
        for r in rows:
            bucketed("sales_compensation", r, 0)
        if len({r["currency"] for r in rows}) != 1:
            # mixed_currency: the group's rows move from used to rejected (decisions.md).
            for r in rows:
                bucketed("sales_compensation", r, 1)
                acct.move("billing_event", "used", "rejected:mixed_currency", row=r)
            continue
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
        acct.amount("sales_compensation", seller, rows[0]["currency"], 2, net)
        acct.delivered("sales_compensation", dims.unresolved(payer, eu, at, addr, pid, offer))
        tables[seller]["sales_compensation"].append((row, {"payer": payer, "pid": pid, "net": net,
                                                          "date": row["invoice_date"], "t": 1}))

    # 2. disbursements. Every DISBURSED row of the period but payouts and failures is grouped,
    # whether or not its payout is among the rows read: decisions.md rejects a group with two
    # currencies "even when its payout was not kept", and counts the amounts of lines of payouts
    # not kept as left out on purpose. A payout that is not read (another period, or never
    # delivered) is not kept.
    # A row with an empty disbursement_billing_event_id names no payout, so it is no line (as a
    # failure with an empty parent cancels nothing, decisions.md): it feeds no table, and its
    # amount enters no control total, like a balance adjustment's.
    groups = {}
    for d in billing:
        if d["action"] != "DISBURSED" or d["transaction_type"] in ("DISBURSEMENT", "DISBURSEMENT_FAILURE"):
            continue
        if d["disbursement_billing_event_id"] == "":
            continue
        k = (d["recipient_account_id"], d["transaction_reference_id"], d["product_id"],
             d["disbursement_billing_event_id"], d["end_user_account_id"])
        groups.setdefault(k, []).append(d)
    for (seller, trx, pid, pay, eu), rows in groups.items():
        # Control totals: lines enter with the sign flipped (as net_amount shows them); rejected
        # groups and lines of payouts not kept are left out on purpose (decisions.md).
        for r in rows:
            bucketed("disbursements", r, 0, -1)
        if len({r["currency"] for r in rows}) != 1:
            # mixed_currency (even when the payout is not kept): the rows leave used.
            for r in rows:
                bucketed("disbursements", r, 1, -1)
                acct.move("billing_event", "used", "rejected:mixed_currency", row=r)
            continue
        if (seller, pay) not in payouts or (seller, pay) in failed:
            for r in rows:
                bucketed("disbursements", r, 1, -1)
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
        acct.amount("disbursements", seller, rows[0]["currency"], 2, net)
        acct.delivered("disbursements", dims.unresolved(payer, eu, at, addr or None, pid))
        tables[seller]["disbursements"].append((row, {"payer": payer, "pid": pid, "net": net,
                                                     "date": row["disbursement_date"], "t": 2}))

    # 3. usage: latest update_date per usage_feed_id over the whole month file (ties: last read),
    # a deleted latest version drops the record, then the period filter.
    latest = {}
    versions = {}  # (recipient, usage_feed_id) -> how many valid rows (versions) it has
    path = os.path.join(root, "daily_usage_v1", f"year={y:04d}", f"month={m:02d}", "data.csv")
    for i, d in read_csv(path):
        if "__bad__" in d:
            acct.count("daily_usage", "rejected:" + d["__bad__"], row=d)
            continue
        try:
            if not d["usage_feed_id"] or not d["recipient_account_id"]:
                raise Bad("empty_key")
            # usage_date is a date (feeds.md: date-only values appear in daily_usage; semantics.md
            # resolves it at 00:00:00Z): a timestamp there is not one. A usage amount, like every
            # amount, needs its currency.
            if not DATE_RE.match(d["usage_date"]):
                raise Bad("bad_date")
            if d["pricing_currency"] == "":
                raise Bad("empty_currency")
            d["_t"] = ts(d["usage_date"])
            d["_q"] = amount(d["usage_quantity"], True)
            d["_r"] = amount(d["estimated_revenue_in_pricing_currency"], True)
            up = ts(d.get("update_date") or d.get("insert_date") or d["usage_date"])
            # A delete_date decides the record's fate: one that is no timestamp is a reject, as
            # in the dimensions (decisions.md), not a deletion.
            if d.get("delete_date"):
                ts(d["delete_date"])
        except Bad as e:
            acct.count("daily_usage", "rejected:" + str(e), row=d)
            continue
        k = (d["recipient_account_id"], d["usage_feed_id"])
        versions[k] = versions.get(k, 0) + 1
        cur = latest.get(k)
        if cur is None or (up, i) >= (cur[0], cur[1]):
            latest[k] = (up, i, d)
    groups = {}
    for k, (_, _, d) in latest.items():
        # Accounting (decisions.md): every version but the latest is superseded; a record whose
        # latest version is a deletion counts all its versions, the deletion included, as
        # superseded. Deduplication runs before the period filter, so only the latest version
        # of a live record can be outside the period or not enrolled (period first, as for
        # billing events).
        if d.get("delete_date"):
            acct.count("daily_usage", "superseded", versions[k])
            continue
        acct.count("daily_usage", "superseded", versions[k] - 1)
        if not in_period(d["_t"]):
            acct.count("daily_usage", "outside_period")
            continue
        if d["recipient_account_id"] not in enrolled:
            acct.count("daily_usage", "not_enrolled")
            continue
        acct.count("daily_usage", "used")
        acct.amount("usage", d["recipient_account_id"], d["pricing_currency"], 0, d["_r"])
        acct.amount("usage", d["recipient_account_id"], d["pricing_currency"], 2, d["_r"])
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
        acct.delivered("usage", dims.unresolved(payer, eu, t, None, pid))
        # feeds.md: the literal AWS is the marketplace, not a buyer: no payer in buyers.
        tables[seller]["usage"].append((row, {"payer": "" if payer == "AWS" else payer, "pid": pid, "net": r, "date": row["usage_date"],
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
    return acct


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[3] not in ("monthly", "daily"):
        sys.exit("usage: oracle.py FEEDS_ROOT OUT monthly|daily PERIOD")
    run(*sys.argv[1:])
