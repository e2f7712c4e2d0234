"""Prepares a random feed root (random_feeds.py, then oracle_mutate.py) for the territory oracle
test (test_territory_oracle.sh) and writes its enrollment/territories.csv.

1. Buyers get varied addresses: countries, states and postal codes that share prefixes, values
   in other letter cases (rules match ASCII case-insensitively), non-ASCII letters (which must not
   be case-folded), empty fields, formula-like values, shared and unique email domains.
2. October gets rows with odd micro amounts and refunds (negative totals), in USD and EUR, so
   that split remainders matter and are signed.
3. Random rules (deterministic per seed): account, domain and geography rules of every
   specificity, effective ranges that start or end inside or outside October, territories that
   change hands on a date, splits with awkward percentages; rules of a seller not enrolled and of
   an unknown seller; one seller whose rules hold one documented error. The file uses shuffled
   columns and rows, blank lines, quoted fields and, for odd seeds, \\r\\n line ends.

Usage: territory_feeds.py FEEDS_ROOT SEED"""
import os
import random
import sys
from datetime import date, timedelta

root, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed * 104729 + 17)
BUYERS = 60
SELLERS = 14


def aws(b):
    return f"1{b:011d}"  # random_feeds.py's buyer AWS account numbers


def csv_line(cells, force_quote=False):
    return ",".join('"' + c.replace('"', '""') + '"' if force_quote or any(x in c for x in ',"\r\n') else c
                    for c in cells)


# ---- 1. varied buyer addresses (the backfill file random_feeds.py wrote) ----
GEO = [("US", "CA", "San Francisco", "94105"), ("US", "ca", "Oakland", "94607"), ("US", "CA", "Los Angeles", "90012"),
       ("US", "WA", "Seattle", "98101"), ("US", "WA", "Spokane", "99201"), ("US", "NY", "New York", "10001"),
       ("US", "", "Somewhere", "94110"), ("us", "TX", "Austin", "73301"), ("DE", "BE", "Berlin", "10115"),
       ("DE", "BY", "München", "80331"), ("de", "by", "Nürnberg", "90402"), ("GB", "", "London", "SW1A 1AA"),
       ("GB", "", "London", "sw1a 2aa"), ("FR", "Île-de-France", "Paris", "75001"),
       ("FR", "île-de-france", "Paris", "75002"), ("CA", "ON", "Toronto", "M5V 2T6"), ("", "", "", ""),
       ("US", "CA", "Nowhere", ""), ("=XX", "-ST", "@City", "+123")]
DOMAINS = ["acme.example", "ACME.example", "eu.acme.example", "globex.example", "Globex.Example", "-dash.example",
           "Ünï.example", "initech.example"]
path = os.path.join(root, "address_v1/year=2010/month=01/data.csv")
with open(path, newline="", encoding="utf-8") as f:
    header = f.readline().rstrip("\n")
lines = [header]
for b in range(BUYERS):
    country, state, city, postal = rng.choice(GEO)
    r = rng.random()
    email = f"b{b}@{rng.choice(DOMAINS)}" if r < 0.6 else ("" if r < 0.7 else f"b{b}@Buyer{b}.example")
    company = rng.choice([f"Buyer {b}, Inc", f"=Buyer {b}", f"Buyer {b}"])
    lines.append(csv_line([f"addr-{b:03d}", aws(b), email, company, country, state, city, postal, "street", "", "",
                           "2020-01-01T00:00:00Z", "", "", "", ""]))
with open(path, "w", newline="", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")

# ---- 2. odd micro amounts, refunds, two currencies (October, sellers enrolled all month) ----
full_month = [s for s in range(SELLERS) if s % 5 in (0, 4)]
bill_path = os.path.join(root, "billing_event_v1/year=2026/month=10/data.csv")
use_path = os.path.join(root, "daily_usage_v1/year=2026/month=10/data.csv")
bill, use = [], []
ODD = ["0.000001", "0.000002", "0.000005", "1.000001", "0.000007", "10.000003", "1234.567891", "0.333333"]
for k in range(80):
    s, b = rng.choice(full_month), rng.randrange(BUYERS)
    day = f"2026-10-{rng.randint(1, 31):02d}"
    cur = rng.choice(["USD", "USD", "EUR"])
    amt = rng.choice(ODD)
    typ = "SELLER_REV_SHARE"
    if rng.random() < 0.35:  # a refund: the buyer's billed total may become negative
        typ, amt = "SELLER_REV_SHARE_REFUND", "-" + amt
    bill.append([f"tb-{k}", f"seller-{s:02d}", f"buyer-{b:03d}", f"seller-{s:02d}", f"buyer-{b:03d}",
                 f"prod-{s:02d}-{rng.randrange(3)}", f"offer-{s:02d}", "INVOICED", typ, "", "", cur, amt, "1",
                 f"{day}T08:00:00Z", "", "", "", f"tinv-{k}", "", f"ttrx-{k}", "", ""])
    if rng.random() < 0.5:
        use.append([f"tu-{k}", f"seller-{s:02d}", day, f"prod-{s:02d}-0", f"offer-{s:02d}", "agr-1", f"buyer-{b:03d}",
                    f"buyer-{b:03d}", "us-east-1", "hours", "Hrs", "1", cur, "0.000001", rng.choice(ODD), "desc",
                    f"{day}T00:00:00Z", "", "", ""])
with open(bill_path, "a", newline="") as f:
    f.writelines(csv_line(r) + "\n" for r in bill)
with open(use_path, "a", newline="") as f:
    f.writelines(csv_line(r) + "\n" for r in use)

# ---- 3. the rules ----
REPS = {"alice": "Alice Martin", "bob": "Bob Chen", "Carol": "Carol Diaz", "-dave": "=Dave Kim",
        "@erin": 'Erin "E" Ford, Jr', "zed": "Zed\nZane", "é-rep": "Émile", "bob2": "  Bob Two  ", "10": "Ten",
        "9": "Nine", "+frank": "+Frank"}
SPLITS = [["100"], ["100"], ["50", "50"], ["33.333334", "33.333333", "33.333333"], ["33.33", "33.33", "33.34"],
          ["1", "99"], ["0.000001", "99.999999"], ["12.5", "37.5", "50"], ["60", "40"], ["33.333333", "33.333334", "33.333333"],
          ["14.285714"] * 6 + ["14.285716"], ["25.000000", "25.0000000", "50"], ["20", "20", "20", "20", "20"]]
GEO_RULES = [("US", "", ""), ("US", "CA", ""), ("US", "", "9"), ("US", "CA", "9"), ("US", "", "941"), ("us", "wa", "98"),
             ("US", "WA", ""), ("DE", "", ""), ("de", "BY", ""), ("DE", "", "1"), ("GB", "", "SW1A"), ("gb", "", "sw1a 2"),
             ("FR", "Île-de-France", ""), ("FR", "île-de-france", "75"), ("CA", "", "M5V"), ("=XX", "", ""),
             ("US", "NY", "10001"), ("us", "", ""), ("=XX", "-st", "+1")]
RULE_DOMAINS = ["acme.example", "ACME.EXAMPLE", "eu.acme.example", "globex.example", "-dash.example", "ÜNï.EXAMPLE",
                "üNï.example", "initech.example", "Buyer7.example", "buyer8.EXAMPLE"]
DAYS = [f"2026-10-{d:02d}" for d in range(1, 32)]
COLS = ["seller_account_id", "rule_id", "match_type", "aws_account_id", "email_domain", "country_code",
        "state_or_region", "postal_code_prefix", "effective_from", "effective_until", "rep_id", "rep_name",
        "split_percent"]


def day_before(d):
    return (date.fromisoformat(d) - timedelta(days=1)).isoformat()


def ranges():
    """One range, or two disjoint ones (a territory that changes hands on a day of October)."""
    r = rng.random()
    if r < 0.3:
        return [("", "")]
    if r < 0.55:
        d = rng.choice(DAYS[1:])
        return [(rng.choice(["", "2026-01-01"]), day_before(d)), (d, rng.choice(["", "2027-06-30"]))]
    if r < 0.7:
        return [(rng.choice(["", "2026-09-01"]), "2026-09-30")]  # ended before the period: never in effect
    lo = rng.choice(["", "2025-12-31"] + DAYS)
    hi = rng.choice(["", "2027-01-01"] + [d for d in DAYS if lo == "" or d >= lo])
    return [(lo, hi)]


def fold(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def rules_of(seller):
    rows = []
    n = 0

    def add(kind, values, rngs):
        nonlocal n
        for lo, hi in rngs:
            n += 1
            rid = rng.choice([f"r{n}", f"rule {n}", f"=r{n}", f"r,{n}"])
            split = rng.choice(SPLITS)
            reps = rng.sample(sorted(REPS), len(split))  # a rep_id at most once per rule
            for rep, pct in zip(reps, split):
                row = dict.fromkeys(COLS, "")
                row.update(values)
                row.update(seller_account_id=seller, rule_id=rid, match_type=kind, effective_from=lo,
                           effective_until=hi, rep_id=rep, rep_name=REPS[rep], split_percent=pct)
                rows.append(row)

    for b in rng.sample(range(BUYERS), rng.randint(0, 6)):
        add("account", {"aws_account_id": aws(b)}, ranges())
    seen = set()
    for d in rng.sample(RULE_DOMAINS, rng.randint(0, 5)):
        if fold(d) not in seen:  # the same domain in another case would overlap: an error
            seen.add(fold(d))
            add("domain", {"email_domain": d}, ranges())
    seen = set()
    for c, st, pre in rng.sample(GEO_RULES, rng.randint(2, 10)):
        key = (fold(c), fold(st), fold(pre))
        if key not in seen:
            seen.add(key)
            add("geography", {"country_code": c, "state_or_region": st, "postal_code_prefix": pre}, ranges())
    return rows


ERRORS = ["sum", "overlap", "at", "space", "names", "zero", "over100", "seven", "date", "order", "account11",
          "notallowed", "differ", "twice", "emptyrule", "kind"]


def break_rules(rows, how):
    """One documented per-seller error (territories.md "Bad rules") in a seller's valid rules."""
    r = dict(rows[0])
    if how == "sum":
        rows += [dict(r, rule_id="bad-sum", rep_id=x, rep_name=REPS[x], split_percent="33.333333",
                      match_type="domain", aws_account_id="", country_code="", state_or_region="",
                      postal_code_prefix="", email_domain="nomatch.example", effective_from="", effective_until="")
                 for x in ("alice", "bob", "zed")]
    elif how == "overlap":  # a copy of a rule, another id, the same values and dates
        rows += [dict(x, rule_id="copy") for x in rows if x["rule_id"] == r["rule_id"]]
    elif how == "at":
        rows.append(dict(r, rule_id="at", match_type="domain", aws_account_id="", country_code="",
                         state_or_region="", postal_code_prefix="", email_domain="x@y.example", split_percent="100",
                         rep_id="alice", rep_name=REPS["alice"]))
    elif how == "space":  # a blank a hand edit or a spreadsheet leaves, at either end
        blank = rng.choice([" ", "\t", "\u00a0", "\u2007", "\u200b", "\u3000", "\ufeff"])
        rows[0]["rep_id"] = rows[0]["rep_id"] + blank if rng.random() < 0.5 else blank + rows[0]["rep_id"]
        rows[0]["rep_name"] = "a new name for a new id"
    elif how == "names":
        rows[0]["rep_name"] = rows[0]["rep_name"] + " (other)"
        rows.append(dict(r, rule_id="names", match_type="domain", aws_account_id="", country_code="",
                         state_or_region="", postal_code_prefix="", email_domain="names.example",
                         split_percent="100"))
    else:
        bad = dict(r, rule_id="bad", match_type="account", aws_account_id="123456789012", email_domain="",
                   country_code="", state_or_region="", postal_code_prefix="", effective_from="",
                   effective_until="", split_percent="100")
        if how == "zero":
            bad.update(split_percent="0")
            rows.append(dict(bad, rep_id="bob" if bad["rep_id"] != "bob" else "alice",
                             rep_name=REPS["bob" if bad["rep_id"] != "bob" else "alice"]))
        elif how == "over100":
            bad.update(split_percent="100.5")
        elif how == "seven":
            bad.update(split_percent="99.9999999")
        elif how == "date":
            bad.update(effective_from="2026-10-5")
        elif how == "order":
            bad.update(effective_from="2026-10-20", effective_until="2026-10-19")
        elif how == "account11":
            bad.update(aws_account_id="12345678901")
        elif how == "notallowed":
            bad.update(state_or_region="CA")
        elif how == "differ":
            rows.append(dict(bad, split_percent="50"))
            bad.update(split_percent="50", effective_until="2027-01-01", rep_id="9", rep_name=REPS["9"])
        elif how == "twice":
            rows.append(dict(bad, split_percent="50"))
            bad.update(split_percent="50")
        elif how == "emptyrule":
            bad.update(rule_id="")
        elif how == "kind":
            bad.update(match_type="Account")
        rows.append(bad)
    return rows


all_rows = []
broken = rng.choice([4, 9])  # enrolled for the whole of October (index % 5 == 4)
ruled = [s for s in range(SELLERS) if rng.random() < 0.8] + [0, broken]  # seller-00 is enrolled all October
for s in sorted(set(ruled)):
    rows = rules_of(f"seller-{s:02d}")
    if s == broken:
        rows = break_rules(rows, ERRORS[seed % len(ERRORS)])
    all_rows += rows
all_rows += [dict(r, seller_account_id="seller-99") for r in rules_of("seller-99")]  # not in the registry
rng.shuffle(all_rows)  # the order of the rows never matters
cols = COLS[:]
rng.shuffle(cols)  # columns are found by name
eol = "\r\n" if seed % 2 else "\n"
out = [csv_line(cols)]
for r in all_rows:
    if rng.random() < 0.05:
        out.append("")  # a blank line is ignored
    out.append(csv_line([r[c] for c in cols], force_quote=rng.random() < 0.1))
with open(os.path.join(root, "enrollment/territories.csv"), "w", newline="", encoding="utf-8") as f:
    f.write(eol.join(out) + eol)
print(f"territories.csv: {len(all_rows)} rows; seller-{broken:02d} broken by '{ERRORS[seed % len(ERRORS)]}'",
      file=sys.stderr)
