"""Writes randomized multi-seller months (a FEEDS_ROOT) for the confidentiality property test:
many sellers, enrollment windows that start and end mid-period, buyers shared by several
sellers. Every id that could identify a seller carries the seller's index, so the checker can
tell from a delivered row alone whose it is.

Three months of fact files, September to November 2026. Each file also holds rows dated outside
its month: late deliveries of the month before (a September invoice in the October file) and a
few rows dated in the next month, so a period filter that lets them through is seen. Each seller
is paid out a few times a month: a DISBURSEMENT row and DISBURSED lines (feeds.md, semantics.md
section 2) settling that seller's earlier invoices; some payouts fail (a DISBURSEMENT_FAILURE the
same day). Payout ids are the same for every seller (`pay-MM-K`, unique per recipient as
feeds.md allows), so lines joined to another seller's payout would show. Rows are shuffled within
each file so that a transaction's rows land on different ranks. Usage: random_feeds.py OUT SEED"""
import os
import random
import sys
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feed_headers import BILLING_HEADER, HIST, USAGE_HEADER  # noqa: E402

out, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
SELLERS, BUYERS = 14, 60
MONTHS = [(2026, 9), (2026, 10), (2026, 11)]


def write(path, header, rows):
    path = os.path.join(out, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def aws(i, kind):
    return f"{kind}{i:011d}"[-12:]


def month_days(y, m):
    first = date(y, m, 1)
    return [first + timedelta(days=i) for i in range(((first.replace(day=28) + timedelta(days=4)).replace(day=1) - first).days)]


def neg(amount):
    return amount[1:] if amount.startswith("-") else "-" + amount


# Sellers: some enrolled for the whole of October, some from or until a day inside it, some never.
enroll = []
for s in range(SELLERS):
    kind = s % 5
    start, end = "2020-01-01", ""
    if kind == 1:
        start = f"2026-10-{rng.randint(2, 28):02d}"
    elif kind == 2:
        end = f"2026-10-{rng.randint(1, 30):02d}"
    elif kind == 3:
        start, end = "2026-11-01", ""
    elif kind == 4:
        end = "2027-12-31"  # a closed window that covers the three months
    enroll.append([f"seller-{s:02d}", aws(s, "9"), start, end, f"S{s}"])
write("enrollment/enrollment.csv", "seller_account_id,aws_account_id,enrolled_from,enrolled_until,delivery_name", enroll)

accounts = [[f"buyer-{b:03d}", aws(b, "1"), f"enc-{b}", f"addr-{b:03d}", "", "", "", "2020-01-01T00:00:00Z", "", "", ""]
            for b in range(BUYERS)]
write("account_v1/year=2010/month=01/data.csv",
      "account_id,aws_account_id,encrypted_account_id,mailing_address_id,tax_address_id,tax_registration_number,tax_legal_name," + HIST,
      accounts)
addresses = [[f"addr-{b:03d}", aws(b, "1"), f"b{b}@Buyer{b}.example", f"\"Buyer {b}, Inc\"", "US", "WA", "Seattle", "98101",
              "street", "", "", "2020-01-01T00:00:00Z", "", "", "", ""] for b in range(BUYERS)]
write("address_v1/year=2010/month=01/data.csv",
      "address_id,aws_account_id,email_domain,company_name,country_code,state_or_region,city,postal_code,address_line_1,address_line_2,address_line_3," + HIST + ",valid_to",
      addresses)
products = [[f"prod-{s:02d}-{k}", f"seller-{s:02d}", f"code-{s:02d}-{k}", f"Title {s} {k}", "2020-01-01T00:00:00Z", "", "", ""]
            for s in range(SELLERS) for k in range(3)]
write("product_v1/year=2010/month=01/data.csv", "product_id,manufacturer_account_id,product_code,title," + HIST, products)
offers = [[f"offer-{s:02d}", "1", "name", "", f"opp-{s:02d}", "", f"seller-{s:02d}", "", "2020-01-01T00:00:00Z", "", "", ""]
          for s in range(SELLERS)]
write("offer_v1/year=2010/month=01/data.csv",
      "offer_id,offer_revision,name,expiration_date,opportunity_name,opportunity_description,seller_account_id,opportunity_id," + HIST,
      offers)

billing = {ym: [] for ym in MONTHS}  # file month -> rows
usage = {ym: [] for ym in MONTHS}
n = 0


def file_month(d):
    """The file a row dated d is delivered in: usually its own month; some rows arrive late (the
    next month's file) and a few early (the month before), so every file has rows of other months."""
    ym = (d.year, d.month)
    i = MONTHS.index(ym)
    r = rng.random()
    if r < 0.12 and i + 1 < len(MONTHS):
        return MONTHS[i + 1]
    if r < 0.16 and i > 0:
        return MONTHS[i - 1]
    return ym


unpaid = {s: [] for s in range(SELLERS)}  # invoices not yet settled: (timestamp, invoice rows)
t = 0
for ym in MONTHS:
    days = month_days(*ym)
    for _ in range(900 if ym == (2026, 10) else 300):  # October, the month the tests run, is the dense one
        t += 1
        s = rng.randrange(SELLERS)
        b = rng.randrange(BUYERS)  # buyers are shared by many sellers
        day = rng.choice(days)
        ts = f"{day.isoformat()}T{rng.randint(0, 23):02d}:00:00Z"
        trx = f"trx-{s:02d}-{t}"
        prod = f"prod-{s:02d}-{rng.randrange(3)}"
        cents = rng.randint(100, 100000)
        amount = f"{cents // 100}.{cents % 100:02d}"
        fee = f"-{cents // 500}.{cents % 5:01d}"
        rows = []
        for typ, frm, to, amt in (("SELLER_REV_SHARE", f"buyer-{b:03d}", f"seller-{s:02d}", amount),
                                  ("AWS_REV_SHARE", f"seller-{s:02d}", "AWS", fee)):
            n += 1
            rows.append([f"be-{n}", f"seller-{s:02d}", frm, to, f"buyer-{b:03d}", prod, f"offer-{s:02d}", "INVOICED", typ,
                         "", "", "USD", amt, "1", ts, "", "", "", f"inv-{t}", "", trx, "", ""])
        billing[file_month(day)].extend(rows)
        unpaid[s].append((ts, rows))
        if rng.random() < 0.5:
            usage[file_month(day)].append(
                [f"u-{t}", f"seller-{s:02d}", day.isoformat(), prod, f"offer-{s:02d}", "agr-1", f"buyer-{b:03d}",
                 f"buyer-{b:03d}", "us-east-1", "hours", "Hrs", "2.5", "USD", "0.1", "0.25", "desc",
                 f"{day.isoformat()}T00:00:00Z", "", "", ""])
    # Payouts of the month: every seller, two or three, each settling the seller's invoices
    # issued before it (lines carry the payout's date and the invoice's transaction id).
    for s in range(SELLERS):
        for k in range(rng.randint(2, 3)):
            day = rng.choice(days)
            ts = f"{day.isoformat()}T{rng.randint(0, 21):02d}:30:00Z"
            settled = [inv for inv in unpaid[s] if inv[0] < ts][: rng.randint(1, 6)]
            if not settled:
                continue
            for inv in settled:
                unpaid[s].remove(inv)
            pay = f"pay-{ym[1]:02d}-{k}"  # the same ids for every seller
            trace = f"trace-{s:02d}-{ym[1]:02d}{k}"
            rows = [[pay, f"seller-{s:02d}", "AWS", f"seller-{s:02d}", "", "", "", "DISBURSED", "DISBURSEMENT", "", "", "USD",
                     "1.00", "1", ts, "", "", "", "", "", f"trxpay-{s:02d}-{ym[1]:02d}{k}", trace, ""]]
            for _, inv_rows in settled:
                for r in inv_rows:
                    n += 1
                    rows.append([f"be-{n}", r[1], r[2], r[3], r[4], r[5], r[6], "DISBURSED", r[8], r[0], pay, "USD",
                                 neg(r[12]), "1", ts, "", "", "", "", "", r[20], "", ""])
            if rng.random() < 0.2:  # the payout fails the same day: no disbursements row from it
                n += 1
                fail_ts = f"{day.isoformat()}T23:00:00Z"
                rows.append([f"be-{n}", f"seller-{s:02d}", f"seller-{s:02d}", "AWS", "", "", "", "DISBURSED",
                             "DISBURSEMENT_FAILURE", pay, "", "USD", "-1.00", "1", fail_ts, "", "", "", "", "",
                             f"trxpay-{s:02d}-{ym[1]:02d}{k}", trace, ""])
            billing[ym].extend(rows)  # a payout and its lines arrive together, in their month's file

for (y, m) in MONTHS:
    rng.shuffle(billing[(y, m)])
    rng.shuffle(usage[(y, m)])
    write(f"billing_event_v1/year={y}/month={m:02d}/data.csv", BILLING_HEADER, billing[(y, m)])
    write(f"daily_usage_v1/year={y}/month={m:02d}/data.csv", USAGE_HEADER, usage[(y, m)])
