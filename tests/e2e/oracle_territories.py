"""Independent reference ("oracle") of the two representative tables, rep_attribution and
rep_statements (docs/territories.md).

Written from issue 9, docs/territories.md, docs/decisions.md ("Territories") and the spec
(shared/spec/semantics.md for the buyers table and the output format, feeds.md for the CSV
conventions); the job's C++ (src/) was not read. Deliberately plain: one process, dicts,
integers in micro-units and millionths of a percent, never floats.

Usage: oracle_territories.py FEEDS_ROOT CADENCE PERIOD BUYERS_DELIVERIES OUT
  FEEDS_ROOT         for enrollment/enrollment.csv (seller -> delivery folder) and
                     enrollment/territories.csv (the rules);
  BUYERS_DELIVERIES  a deliveries folder holding <aws_account_id>/buyers_v1/<period>/data.csv of
                     every seller enrolled for the period (the job's own, or oracle.py's);
  OUT                receives OUT/deliveries/<aws_account_id>/rep_{attribution,statements}_v1/
                     <period>/data.csv for every seller that should get them.

Input: the delivered buyers table is read back from its CSV. Its text cells carry the formula
prefix (semantics.md: a text cell starting with = + - @ tab or CR gets a leading '); the oracle
removes it to get the value the rules are matched against. A value that itself started with '
followed by such a character cannot be told apart; the random feeds never make one.

A fatal rules-file error (territories.md "Fatal errors") makes the oracle exit 3, as the job.
Not covered: the store, manifests, report.json and the wording of the error messages. For a
seller with rule errors the oracle only decides "no representative tables", and prints its
reasons on standard error.
"""
import calendar
import os
import re
import sys
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402  (its CSV reader only)

SCALE = 10 ** 6          # amounts: micro-units
HUNDRED = 100 * 10 ** 6  # percentages: millionths of a percent, so 100 % is 10^8
AMOUNT_RE = re.compile(r"^(-?)(\d+)\.(\d{6})$")      # delivered amounts always have 6 digits
PERCENT_RE = re.compile(r"^(\d+)(?:\.(\d+))?$")      # territories.md: digits, optional . + digits
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FORMULA_START = "=+-@\t\r"
# "Leading or trailing spaces" (territories.md): read as the blanks a hand-edited file can hide,
# ASCII space, tab, CR, LF, vertical tab and form feed, and the Unicode spaces a spreadsheet
# pastes (no-break space and the like; the job agrees on this list).
SPACES = (" \t\r\n\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
          "\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\u180e\u2060\u0085")

BUYER_COLS = ["customer_aws_account_id", "company_name", "email_domain", "country_code", "state_or_region", "city",
              "postal_code"]
ATTR_COLS = BUYER_COLS + ["payer_reference_id", "currency", "last_activity_date", "rep_id", "rep_name", "rule_id",
                          "match_type", "split_percent", "billed_net_revenue", "disbursed_net_amount",
                          "estimated_usage_revenue"]
STMT_COLS = ["rep_id", "rep_name", "currency", "buyers", "billed_net_revenue", "disbursed_net_amount",
             "estimated_usage_revenue"]
AMOUNT_COLS = ["billed_net_revenue", "disbursed_net_amount", "estimated_usage_revenue"]
# Cells that are not text (semantics.md: amount, date and count cells get no formula prefix).
# split_percent is a text column (territories.md) but never starts with a formula character.
NOT_TEXT = set(AMOUNT_COLS) | {"last_activity_date", "buyers"}

RULE_COLS = ["seller_account_id", "rule_id", "match_type", "aws_account_id", "email_domain", "country_code",
             "state_or_region", "postal_code_prefix", "effective_from", "effective_until", "rep_id", "rep_name",
             "split_percent"]
REQUIRED = ["seller_account_id", "rule_id", "match_type", "rep_id", "split_percent"]
MATCH_COLS = ["aws_account_id", "email_domain", "country_code", "state_or_region", "postal_code_prefix"]
# Which match columns each kind needs and may have; all others must be empty.
KINDS = {"account": (["aws_account_id"], []),
         "domain": (["email_domain"], []),
         "geography": (["country_code"], ["state_or_region", "postal_code_prefix"])}
KIND_RANK = {"account": 0, "domain": 1, "geography": 2}


class Fatal(Exception):
    """A rules-file problem no seller can be blamed for (the job exits 3)."""


# ---------------------------------------------------------------- CSV (feeds.md conventions)

def parse_records(text):
    """RFC 4180 records as (physical line the record starts on, fields, blank), read by oracle.py's
    reader of the feeds (the same conventions, feeds.md). blank is true for an empty physical line
    (not for "", a record of one empty quoted field). An unterminated quote, a quote inside an
    unquoted field or text after a closing quote is fatal for the rules file (territories.md)."""
    lines = text.split("\n")  # physical lines, as the reader counts them
    recs = []
    for fields, flaw, start_line in oracle.parse_records(text):
        if flaw:
            raise Fatal(f"line {start_line}: {flaw.replace('_', ' ')}")
        recs.append((start_line, fields, fields == [""] and lines[start_line - 1] in ("", "\r")))
    return recs


def read_table(path):
    """A delivered CSV (ours or the job's): list of dicts, the formula prefix removed."""
    with open(path, newline="", encoding="utf-8") as f:
        recs = parse_records(f.read())
    header = recs[0][1]
    rows = []
    for _, rec, _ in recs[1:]:
        d = {}
        for h, v in zip(header, rec):
            if len(v) >= 2 and v[0] == "'" and v[1] in FORMULA_START:
                v = v[1:]
            d[h] = v
        rows.append(d)
    return rows


def text_cell(v):
    """semantics.md: a text cell starting with = + - @ tab or CR gets a ' prefix."""
    return "'" + v if v and v[0] in FORMULA_START else v


def quote(v):
    """RFC 4180 quoting, only where needed (as every delivered table)."""
    if any(c in v for c in ',"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def write_table(path, cols, rows, sort_cols):
    """Header, then the rows sorted by sort_cols compared as bytes of the cell values after the
    formula prefix and before quoting, ties broken by the whole rendered line (semantics.md)."""
    rendered = []
    for row in rows:
        cells = [row[c] if c in NOT_TEXT else text_cell(row[c]) for c in cols]
        line = ",".join(quote(c) for c in cells).encode()
        rendered.append(([cells[cols.index(c)].encode() for c in sort_cols], line))
    rendered.sort()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write((",".join(cols) + "\n").encode())
        for _, line in rendered:
            f.write(line + b"\n")


# ---------------------------------------------------------------- numbers

def amount(text):
    m = AMOUNT_RE.match(text)
    if not m:
        raise ValueError(f"not a delivered amount: {text!r}")
    v = int(m.group(2)) * SCALE + int(m.group(3))
    return -v if m.group(1) else v


def fmt_amount(v):
    sign = "-" if v < 0 else ""
    return f"{sign}{abs(v) // SCALE}.{abs(v) % SCALE:06d}"


def percent(text):
    """territories.md: digits, optionally '.' and up to 6 fraction digits (further ones must be
    zeros), in (0, 100]; read as millionths of a percent. None when malformed."""
    m = PERCENT_RE.match(text)
    if not m:
        return None
    frac = m.group(2)
    if frac is not None:
        if frac == "":
            return None
        if len(frac) > 6:
            if frac[6:].strip("0"):
                return None
            frac = frac[:6]
    v = int(m.group(1)) * SCALE + int((frac or "").ljust(6, "0"))
    return v if 0 < v <= HUNDRED else None


def fmt_percent(v):
    return f"{v // SCALE}.{v % SCALE:06d}"


def ascii_lower(s):
    """ASCII case folding only (territories.md: 'ASCII case-insensitive'): Ü and ü stay different."""
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def valid_date(s):
    if not DATE_RE.match(s):
        return False
    try:
        date.fromisoformat(s)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- rules file

def load_rules(path):
    """{seller_account_id: {"errors": [...], "rules": {rule_id: rule}}} for every seller with rows.
    A rule: kind, match values, from, until, shares [(rep_id, rep_name, percent)], first line."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw == b"":
        raise Fatal("empty file")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise Fatal("byte order mark")
    # Invalid UTF-8 is an error of the seller whose value holds it: keep the bytes as surrogates.
    text = raw.decode("utf-8", errors="surrogateescape")
    recs = parse_records(text)
    # A blank line is ignored (the file is written by hand).
    recs = [(ln, r) for ln, r, blank in recs if not blank]
    if not recs:
        raise Fatal("no header")
    header = recs[0][1]
    if header.count("seller_account_id") != 1:
        raise Fatal("no seller_account_id column, or twice")
    header_errors = []
    for h in header:
        if h not in RULE_COLS:
            header_errors.append(f"line 1: unknown column {h!r}")
        elif header.count(h) > 1 and h != "seller_account_id":
            header_errors.append(f"line 1: column {h!r} twice")
    missing = [c for c in REQUIRED if c not in header]
    for c in missing:
        header_errors.append(f"line 1: missing column {c!r}")
    header_errors = sorted(set(header_errors))

    sellers = {}
    rows_of = {}  # seller -> [(line, row)]
    for ln, rec in recs[1:]:
        if len(rec) != len(header):
            raise Fatal(f"line {ln}: {len(rec)} fields, the header has {len(header)}")
        row = {c: "" for c in RULE_COLS}
        for h, v in zip(header, rec):
            if h in RULE_COLS:
                row[h] = v
        s = row["seller_account_id"]
        if s == "" or s != s.strip(SPACES) or any(0xDC80 <= ord(c) <= 0xDCFF for c in s):
            raise Fatal(f"line {ln}: empty or malformed seller_account_id")
        rows_of.setdefault(s, []).append((ln, row))
    for s, rows in rows_of.items():
        errors = list(header_errors)
        rules = {}
        if not missing:  # with a required column missing the rows are not checked further
            rules = check_seller(rows, errors)
        sellers[s] = {"errors": errors, "rules": rules}
    return sellers


def check_seller(rows, errors):
    """The per-seller checks of territories.md "Bad rules"; appends messages to errors and returns
    the rules (meaningful only when errors stays empty)."""
    rules = {}
    names = {}  # rep_id -> (rep_name, line)
    for ln, r in rows:
        bad = False
        for c in RULE_COLS:
            v = r[c]
            if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in v):
                errors.append(f"line {ln}: {c} is not valid UTF-8")
                bad = True
            elif c != "rep_name" and v != v.strip(SPACES):
                errors.append(f"line {ln}: {c} has leading or trailing spaces")
                bad = True
        if r["rule_id"] == "":
            errors.append(f"line {ln}: empty rule_id")
            bad = True
        if r["rep_id"] == "":
            errors.append(f"line {ln}: empty rep_id")
            bad = True
        kind = r["match_type"]
        if kind not in KINDS:
            errors.append(f"line {ln}: match_type {kind!r}")
            bad = True
        else:
            need, may = KINDS[kind]
            for c in MATCH_COLS:
                if c in need and r[c] == "":
                    errors.append(f"line {ln}: {kind} rule without {c}")
                    bad = True
                elif c not in need and c not in may and r[c] != "":
                    errors.append(f"line {ln}: {c} not allowed for a {kind} rule")
                    bad = True
            if kind == "account" and r["aws_account_id"] and not re.fullmatch(r"[0-9]{12}", r["aws_account_id"]):
                errors.append(f"line {ln}: aws_account_id is not 12 digits")
                bad = True
            if kind == "domain" and "@" in r["email_domain"]:
                errors.append(f"line {ln}: email_domain with @")
                bad = True
        for c in ("effective_from", "effective_until"):
            if r[c] and not valid_date(r[c]):
                errors.append(f"line {ln}: {c} is not YYYY-MM-DD")
                bad = True
        if r["effective_from"] and r["effective_until"] and valid_date(r["effective_from"]) \
                and valid_date(r["effective_until"]) and r["effective_from"] > r["effective_until"]:
            errors.append(f"line {ln}: effective_from after effective_until")
            bad = True
        p = percent(r["split_percent"])
        if p is None:
            errors.append(f"line {ln}: split_percent {r['split_percent']!r}")
            bad = True
        # One name per representative, over all of the seller's rows.
        if r["rep_id"] in names:
            if names[r["rep_id"]][0] != r["rep_name"]:
                errors.append(f"line {ln}: rep_id {r['rep_id']} has another name on line {names[r['rep_id']][1]}")
        else:
            names[r["rep_id"]] = (r["rep_name"], ln)
        # Group into rules; the first row fixes kind, match values and dates.
        key = r["rule_id"]
        shape = (kind, tuple(r[c] for c in MATCH_COLS), r["effective_from"], r["effective_until"])
        if key not in rules:
            rules[key] = {"rule_id": key, "kind": kind, "values": dict((c, r[c]) for c in MATCH_COLS),
                          "from": r["effective_from"], "until": r["effective_until"], "shape": shape,
                          "line": ln, "shares": [], "sum": 0, "bad": False}
        rule = rules[key]
        if shape != rule["shape"]:
            errors.append(f"line {ln}: rule {key} differs from its first row (line {rule['line']})")
        if any(sh[0] == r["rep_id"] for sh in rule["shares"]):
            errors.append(f"line {ln}: rep_id {r['rep_id']} twice in rule {key}")
        rule["shares"].append((r["rep_id"], r["rep_name"], p))
        rule["sum"] += p or 0
        rule["bad"] = rule["bad"] or bad or p is None
    for rule in rules.values():
        if not rule["bad"] and rule["sum"] != HUNDRED:
            errors.append(f"line {rule['line']}: the shares of rule {rule['rule_id']} sum to "
                          f"{fmt_percent(rule['sum'])}, not 100")
    # Overlap at equal priority: same kind, same values (case-insensitively), ranges sharing a day.
    good = sorted((r for r in rules.values() if not r["bad"]), key=lambda r: r["line"])
    for i, a in enumerate(good):
        for b in good[i + 1:]:
            if a["kind"] == b["kind"] and folded_values(a) == folded_values(b) and ranges_meet(a, b):
                errors.append(f"line {b['line']}: rule {b['rule_id']} overlaps rule {a['rule_id']} (line {a['line']})")
    return rules


def folded_values(rule):
    return tuple(ascii_lower(rule["values"][c]) for c in MATCH_COLS)


def ranges_meet(a, b):
    lo = max(a["from"] or "0000-00-00", b["from"] or "0000-00-00")
    hi = min(a["until"] or "9999-99-99", b["until"] or "9999-99-99")
    return lo <= hi


# ---------------------------------------------------------------- matching and splitting

def specificity(rule):
    """Sort key, smaller wins: account, then domain, then geography by longer postal prefix, then
    a named state before none (territories.md "Priority")."""
    v = rule["values"]
    if rule["kind"] == "geography":
        return (2, -len(v["postal_code_prefix"]), 0 if v["state_or_region"] else 1)
    return (KIND_RANK[rule["kind"]], 0, 0)


def matches(rule, buyer):
    v = rule["values"]
    if rule["kind"] == "account":
        return v["aws_account_id"] == buyer["customer_aws_account_id"]
    if rule["kind"] == "domain":
        return ascii_lower(v["email_domain"]) == ascii_lower(buyer["email_domain"])
    if buyer["country_code"] == "" or ascii_lower(v["country_code"]) != ascii_lower(buyer["country_code"]):
        return False
    if v["state_or_region"] and ascii_lower(v["state_or_region"]) != ascii_lower(buyer["state_or_region"]):
        return False
    if v["postal_code_prefix"] and not ascii_lower(buyer["postal_code"]).startswith(
            ascii_lower(v["postal_code_prefix"])):
        return False
    return True


def in_effect(rule, day):
    return (rule["from"] == "" or rule["from"] <= day) and (rule["until"] == "" or day <= rule["until"])


def winner(rules, buyer):
    """The rule that attributes a buyers row, or None (unassigned)."""
    if buyer["payer_reference_id"] == "":
        return None  # activity with no payer is unassigned
    cands = [r for r in rules.values() if in_effect(r, buyer["last_activity_date"]) and matches(r, buyer)]
    if not cands:
        return None
    cands.sort(key=specificity)
    # The overlap check makes the winner unique; two at the same specificity would be a bug here.
    assert len(cands) == 1 or specificity(cands[0]) != specificity(cands[1]), (cands[0], cands[1])
    return cands[0]


def split(a, shares):
    """territories.md "Splits": truncate each exact share toward zero, then give the leftover
    micro-units one each to the largest discarded fractions, ties to the lower rep_id (bytes).
    Done on |a| and the sign put back, which is the documented symmetry."""
    sign = -1 if a < 0 else 1
    m = abs(a)
    parts, fracs = [], []
    for i, (rep_id, _, p) in enumerate(shares):
        q, r = divmod(m * p, HUNDRED)
        parts.append(q)
        fracs.append((-r, rep_id.encode("utf-8", "surrogateescape"), i))
    left = m - sum(parts)
    assert 0 <= left < len(shares)
    for _, _, i in sorted(fracs)[:left]:
        parts[i] += 1
    return [sign * x for x in parts]


# ---------------------------------------------------------------- per seller

def attribute(rules, buyers):
    attribution = []
    for b in buyers:
        rule = winner(rules, b)
        base = {c: b[c] for c in BUYER_COLS + ["payer_reference_id", "currency", "last_activity_date"]}
        amounts = [amount(b[c]) for c in AMOUNT_COLS]
        if rule is None:
            row = dict(base, rep_id="", rep_name="", rule_id="", match_type="unassigned",
                       split_percent=fmt_percent(HUNDRED))
            row.update({c: fmt_amount(a) for c, a in zip(AMOUNT_COLS, amounts)})
            attribution.append((row, amounts))
            continue
        parts = [split(a, rule["shares"]) for a in amounts]
        for k, (rep_id, rep_name, p) in enumerate(rule["shares"]):
            mine = [parts[j][k] for j in range(3)]
            row = dict(base, rep_id=rep_id, rep_name=rep_name, rule_id=rule["rule_id"], match_type=rule["kind"],
                       split_percent=fmt_percent(p))
            row.update({c: fmt_amount(a) for c, a in zip(AMOUNT_COLS, mine)})
            attribution.append((row, mine))
    # Statements: per (rep_id, currency); the unassigned rows make the rep_id "" rows.
    stmts = {}
    for row, amounts in attribution:
        key = (row["rep_id"], row["currency"])
        s = stmts.setdefault(key, {"rep_name": row["rep_name"], "n": 0, "sums": [0, 0, 0]})
        s["n"] += 1
        s["sums"] = [x + y for x, y in zip(s["sums"], amounts)]
    statements = []
    for (rep_id, cur), s in stmts.items():
        row = dict(rep_id=rep_id, rep_name=s["rep_name"], currency=cur, buyers=str(s["n"]))
        row.update({c: fmt_amount(a) for c, a in zip(AMOUNT_COLS, s["sums"])})
        statements.append(row)
    # The invariant, checked on the oracle's side too: per currency, parts add up to the buyers.
    tot = {}
    for b in buyers:
        t = tot.setdefault(b["currency"], [0, 0, 0])
        for j, c in enumerate(AMOUNT_COLS):
            t[j] += amount(b[c])
    for s in statements:
        t = tot[s["currency"]]
        for j, c in enumerate(AMOUNT_COLS):
            t[j] -= amount(s[c])
    assert all(v == [0, 0, 0] for v in tot.values()), tot
    return [r for r, _ in attribution], statements


def run(feeds, cadence, period, buyers_root, out):
    if cadence == "monthly":
        y, m = int(period[:4]), int(period[5:7])
        sub = f"year={y:04d}/month={m:02d}"
    else:
        d = date.fromisoformat(period)
        sub = f"year={d.year:04d}/month={d.month:02d}/day={d.day:02d}"
    folder = {}  # seller_account_id -> delivery folder (its aws_account_id)
    with open(os.path.join(feeds, "enrollment", "enrollment.csv"), newline="", encoding="utf-8") as f:
        recs = parse_records(f.read())
    header = recs[0][1]
    for _, rec, _ in recs[1:]:
        d = dict(zip(header, rec))
        folder.setdefault(d["seller_account_id"], d["aws_account_id"])
    path = os.path.join(feeds, "enrollment", "territories.csv")
    sellers = load_rules(path) if os.path.exists(path) else {}
    for s, info in sorted(sellers.items()):
        buyers_csv = os.path.join(buyers_root, folder.get(s, "?"), "buyers_v1", sub, "data.csv")
        if s not in folder or not os.path.exists(buyers_csv):
            print(f"oracle: rules of {s} not used: not enrolled for {cadence}-{period}", file=sys.stderr)
            continue
        if info["errors"]:
            print(f"oracle: rules of {s} not used: " + "; ".join(info["errors"]), file=sys.stderr)
            continue
        attribution, statements = attribute(info["rules"], read_table(buyers_csv))
        base = os.path.join(out, "deliveries", folder[s])
        write_table(os.path.join(base, "rep_attribution_v1", sub, "data.csv"), ATTR_COLS, attribution,
                    ["payer_reference_id", "currency", "rep_id"])
        write_table(os.path.join(base, "rep_statements_v1", sub, "data.csv"), STMT_COLS, statements,
                    ["rep_id", "currency"])


if __name__ == "__main__":
    if len(sys.argv) != 6 or sys.argv[2] not in ("monthly", "daily"):
        sys.exit("usage: oracle_territories.py FEEDS_ROOT monthly|daily PERIOD BUYERS_DELIVERIES OUT")
    try:
        run(*sys.argv[1:])
    except Fatal as e:
        print(f"oracle: fatal error in territories.csv: {e}", file=sys.stderr)
        sys.exit(3)  # as the job's bad_input
