"""A small hand-made month for the territory oracle test: the corners random rules reach seldom
or never, one seller per case (a rule error withholds a seller's representative tables, so each
error case needs a seller of its own). Every seller has the same buyers, with the same October
activity; only the rules differ. The expected tables come from oracle_territories.py, not from
here: this file only makes the inputs.

Usage: territory_edge.py FEEDS_ROOT [HEADER]
  HEADER  full (default): every column, in the documented order;
          minimal: only the required columns and the match columns the cases need (a column
                   left out is empty on every row, territories.md);
          dup:     rep_name twice (a header error: no seller gets representative tables);
          missing: no split_percent column (a header error)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feed_headers import BILLING_HEADER, HIST, USAGE_HEADER  # noqa: E402

root = sys.argv[1]
header_kind = sys.argv[2] if len(sys.argv) > 2 else "full"


def cell(c):
    return '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c


def write(rel, header, rows, raw=False):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write((header + "\n").encode())
        for r in rows:
            f.write(r if raw else (",".join(cell(c) for c in r) + "\n").encode())


# Buyers: (email, country, state, postal, [(day, currency, billed amount)]). Their AWS account
# numbers are 1000000000NN; the last activity date is the latest day listed.
BUYERS = [
    ("a@acme.example", "US", "CA", "94105", [("2026-10-03", "USD", "100.00"), ("2026-10-10", "USD", "0.000002")]),
    ("b@Globex.example", "US", "ca", "94110", [("2026-10-10", "USD", "0.000001"), ("2026-10-10", "EUR", "-0.000005")]),
    ("c@x.example", "FR", "Île-de-France", "75001", [("2026-10-11", "USD", "5000000000000.000001")]),
    ("d@y.example", "FR", "île-de-france", "75002", [("2026-10-09", "USD", "-1234.567891")]),
    ("e@Ünï.example", "GB", "", "SW1A 1AA", [("2026-10-31", "USD", "0.000007")]),
    ("f@z.example", "US", "", "9", [("2026-10-01", "USD", "10.000003")]),
    ("g@z.example", "DE", "BY", "80331", [("2026-10-15", "USD", "0.000003"), ("2026-10-15", "EUR", "0.000001")]),
    ("", "", "", "", [("2026-10-20", "USD", "1.000001")]),  # a payer without an address
]
SUB = "year=2026/month=10"

# Cases: seller name -> rules as (rule_id, match_type, match values, from, until, [(rep, name, %)]).
# Match values: account 'aws' (buyer index or a literal), domain, or (country, state, prefix).
A = ("alice", "Alice")
CASES = {
    # Effective dates are inclusive at both ends, against the buyer's last_activity_date.
    "dates": [("until-last", "account", 0, "", "2026-10-10", [A]),          # buyer 0, last activity 10-10
              ("from-last", "account", 1, "2026-10-10", "", [A]),           # buyer 1, last activity 10-10
              ("ended", "account", 2, "", "2026-10-10", [A]),               # buyer 2 (10-11): not in effect
              ("later", "account", 3, "2026-10-10", "", [A]),               # buyer 3 (10-09): not yet
              ("fallback", "geography", ("FR", "", ""), "", "", [("bob", "Bob")])],  # buyers 2, 3 fall back here
    # Ties between equal discarded fractions go to the lower rep_id in byte order, the raw
    # rep_id (not the rendered one, where a formula prefix ' would move @erin before 10).
    "ties": [("t", "geography", ("US", "", ""), "", "", [("@erin", "Erin", "50"), ("10", "Ten", "50")]),
             ("t3", "geography", ("FR", "", ""), "", "", [("-dave", "Dave", "33.333333"), ("Carol", "Carol", "33.333334"),
                                                        ("+frank", "Frank", "33.333333")]),
             ("t7", "geography", ("GB", "", ""), "", "", [(r, r.upper(), "12.5") for r in "abcdefgh"])],
    # 128-bit products: 5 000 000 000 000.000001 at 99 % overflows 64 bits.
    "wide": [("w", "account", 2, "", "", [("x", "X", "99"), ("y", "Y", "1")]),
             ("w3", "geography", ("us", "", ""), "", "", [("x", "X", "33.333333"), ("y", "Y", "33.333334"),
                                                          ("z", "Z", "33.333333")])],
    # ASCII case folding only: Île-de-France and île-de-france are different states, so these two
    # rules do not overlap, and buyer 3 (île-de-france) matches only its own.
    "nonascii": [("upper", "geography", ("FR", "Île-de-France", ""), "", "", [A]),
                 ("lower", "geography", ("fr", "île-de-france", ""), "", "", [("bob", "Bob")]),
                 ("dom", "domain", "ÜNï.EXAMPLE", "", "", [("carol", "Carol")]),       # buyer 4: Ünï.example
                 ("dom2", "domain", "ünï.example", "", "", [("dave", "Dave")])],        # no buyer
    # Specificity: a postal prefix (whatever the state) before a state, a named state before none,
    # and a prefix as long as the whole postal code still matches it; a longer one does not.
    "specific": [("p3", "geography", ("US", "", "941"), "", "", [A]),
                 ("s-p1", "geography", ("US", "CA", "9"), "", "", [("bob", "Bob")]),
                 ("p1", "geography", ("US", "", "9"), "", "", [("carol", "Carol")]),
                 ("s", "geography", ("US", "CA", ""), "", "", [("dave", "Dave")]),
                 ("c", "geography", ("US", "", ""), "", "", [("erin", "Erin")]),
                 ("long", "geography", ("GB", "", "SW1A 1AA0"), "", "", [("frank", "Frank")]),
                 ("s-p3", "geography", ("us", "CA", "941"), "", "", [("gus", "Gus")]),  # beats p3 for buyer 0, 1
                 ("dom", "domain", "GLOBEX.EXAMPLE", "", "", [("hal", "Hal")])],       # beats geography for buyer 1
    # Percentages with leading zeros and zero digits beyond the sixth are valid.
    "percent": [("pz", "geography", ("US", "", ""), "", "", [("a", "A", "050"), ("b", "B", "49.9999990"),
                                                             ("c", "C", "0.000001")])],
    # Formula-like and quoted representative cells.
    # Formula-like, quoted and blank-edged representative cells (rep_name is free text).
    "cells": [("=rule", "geography", ("US", "", ""), "", "", [("=eq", "\tName", "25"), ("q", 'Say "hi", then\rgo', "25"),
                                                            ("sp", "  Spaced, name  ", "25"), ("nl", "Two\r\nLines", "25")])],
    # A one-day range holds its day.
    "oneday": [("d", "account", 0, "2026-10-10", "2026-10-10", [A])],
    # One name per representative is per seller: another seller may name alice otherwise.
    "names-other": [("r", "geography", ("US", "", ""), "", "", [("alice", "Alice Other")])],
    # A seller with rules and no buyer this month gets header-only tables.
    "nobuyers": [("r", "geography", ("US", "", ""), "", "", [A])],
    # Rule errors: each withholds that seller's representative tables.
    "err-overlap-case": [("one", "domain", "ACME.example", "", "", [A]), ("two", "domain", "acme.EXAMPLE", "", "", [A])],
    "err-overlap-touch": [("one", "account", 0, "", "2026-10-10", [A]), ("two", "account", 0, "2026-10-10", "", [A])],
    "err-overlap-geo": [("one", "geography", ("US", "CA", ""), "2026-01-01", "", [A]),
                        ("two", "geography", ("us", "ca", ""), "", "2026-01-01", [A])],
    "err-percent7": [("r", "account", 0, "", "", [("a", "A", "99.9999991"), ("b", "B", "0.0000009")])],
    "err-percent-e": [("r", "account", 0, "", "", [("a", "A", "1e2")])],
    "err-account-wide": [("r", "account", "１２３４５６７８９０１２", "", "", [A])],
    "err-lead-space": [("r", "domain", " acme.example", "", "", [A])],
    "err-date": [("r", "account", 0, "2026-10-1", "", [A])],
    "err-date-feb30": [("r", "account", 0, "2026-02-30", "", [A])],          # the shape of a date, not a day
    "err-tab": [("r", "account", 0, "", "", [("a\t", "A")])],                 # a tab is a space here (see below)
    "err-utf8": [("r", "account", 0, "", "", [("a", "Bad \udcff name")])],   # invalid UTF-8, even in rep_name
    "err-rule-case": [("R1", "account", 0, "", "", [("a", "A", "50")]),       # rule ids are exact: two rules
                      ("r1", "account", 0, "", "", [("b", "B", "50")])],      # of 50 %, not one of 100 %
    "err-percent-dot": [("r", "account", 0, "", "", [("a", "A", ".5"), ("b", "B", "99.5")])],
    "err-percent-trail": [("r", "account", 0, "", "", [("a", "A", "50."), ("b", "B", "50")])],
    # The rows of one rule repeat its match values exactly: another letter case is another value.
    "err-rule-rows-case": [("r", "domain", "acme.example", "", "", [("a", "A", "50")]),
                           ("r", "domain", "ACME.example", "", "", [("b", "B", "50")])],
    "err-geo-nocountry": [("r", "geography", ("", "CA", ""), "", "", [A])],
}
SELLERS = list(CASES)

enroll = [[f"edge-{name}", f"9{i + 1:011d}", "2026-01-01", "", name] for i, name in enumerate(SELLERS)]
write("enrollment/enrollment.csv", "seller_account_id,aws_account_id,enrolled_from,enrolled_until,delivery_name", enroll)
write("account_v1/year=2010/month=01/data.csv",
      "account_id,aws_account_id,encrypted_account_id,mailing_address_id,tax_address_id,tax_registration_number,tax_legal_name," + HIST,
      [[f"buyer-{b}", f"1{b:011d}", "", f"addr-{b}" if BUYERS[b][0] else "", "", "", "", "2020-01-01T00:00:00Z", "", "", ""]
       for b in range(len(BUYERS))])
write("address_v1/year=2010/month=01/data.csv",
      "address_id,aws_account_id,email_domain,company_name,country_code,state_or_region,city,postal_code,address_line_1,address_line_2,address_line_3," + HIST + ",valid_to",
      [[f"addr-{b}", f"1{b:011d}", e, f"Buyer {b}", c, s, "City", p, "street", "", "", "2020-01-01T00:00:00Z", "", "", "", ""]
       for b, (e, c, s, p, _) in enumerate(BUYERS) if e])
write("product_v1/year=2010/month=01/data.csv", "product_id,manufacturer_account_id,product_code,title," + HIST,
      [["prod-1", "edge", "code-1", "Title", "2020-01-01T00:00:00Z", "", "", ""]])
write("offer_v1/year=2010/month=01/data.csv",
      "offer_id,offer_revision,name,expiration_date,opportunity_name,opportunity_description,seller_account_id,opportunity_id," + HIST,
      [["offer-1", "1", "name", "", "opp", "", "edge", "", "2020-01-01T00:00:00Z", "", "", ""]])
bill, n = [], 0
for name in SELLERS:
    if name == "nobuyers":
        continue
    for b, (_, _, _, _, acts) in enumerate(BUYERS):
        for day, cur, amt in acts:
            n += 1
            typ = "SELLER_REV_SHARE_REFUND" if amt.startswith("-") else "SELLER_REV_SHARE"
            bill.append([f"be-{n}", f"edge-{name}", f"buyer-{b}", f"edge-{name}", f"buyer-{b}", "prod-1", "offer-1",
                         "INVOICED", typ, "", "", cur, amt, "1", f"{day}T12:00:00Z", "", "", "", f"inv-{n}", "",
                         f"trx-{n}", "", ""])
write(f"billing_event_v1/{SUB}/data.csv", BILLING_HEADER, bill)
write(f"daily_usage_v1/{SUB}/data.csv", USAGE_HEADER, [])

# The rules file.
COLS = ["seller_account_id", "rule_id", "match_type", "aws_account_id", "email_domain", "country_code",
        "state_or_region", "postal_code_prefix", "effective_from", "effective_until", "rep_id", "rep_name",
        "split_percent"]
rows = []
for name, rules in CASES.items():
    for rid, kind, values, lo, hi, shares in rules:
        for share in shares:
            rep, rep_name = share[0], share[1]
            pct = share[2] if len(share) > 2 else str(round(100 / len(shares), 6)) if len(shares) > 1 else "100"
            r = dict.fromkeys(COLS, "")
            r.update(seller_account_id=f"edge-{name}", rule_id=rid, match_type=kind, effective_from=lo,
                     effective_until=hi, rep_id=rep, rep_name=rep_name, split_percent=pct)
            if kind == "account":
                r["aws_account_id"] = f"1{values:011d}" if isinstance(values, int) else values
            elif kind == "domain":
                r["email_domain"] = values
            else:
                r["country_code"], r["state_or_region"], r["postal_code_prefix"] = values
            rows.append(r)
cols = COLS
if header_kind == "minimal":
    cols = [c for c in COLS if c not in ("rep_name", "effective_from", "effective_until")]
    rows = [r for r in rows if not r["effective_from"] and not r["effective_until"]]  # they need the dates
elif header_kind == "dup":
    cols = COLS + ["rep_name"]
elif header_kind == "missing":
    cols = [c for c in COLS if c != "split_percent"]
# Rules of a seller spelt in another case: not the enrolled edge-ties, so not used.
rows.append(dict(rows[-1], seller_account_id="EDGE-TIES"))
with open(os.path.join(root, "enrollment/territories.csv"), "w", newline="", encoding="utf-8",
          errors="surrogateescape") as f:
    f.write(",".join(cols) + "\n")
    for r in rows:
        f.write(",".join(cell(r[c]) for c in cols) + "\n")
