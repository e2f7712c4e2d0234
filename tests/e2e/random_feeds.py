"""Writes a randomized multi-seller month (a FEEDS_ROOT) for the confidentiality property test:
many sellers, enrollment windows that start and end mid-period, buyers shared by several
sellers. Every id that could identify a seller carries the seller's index, so the checker can
tell from a delivered row alone whose it is. Usage: random_feeds.py OUT SEED"""
import os
import random
import sys

out, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
SELLERS, BUYERS = 14, 60
HIST = "valid_from,insert_date,update_date,delete_date"


def write(path, header, rows):
    path = os.path.join(out, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def aws(i, kind):
    return f"{kind}{i:011d}"[-12:]


# Sellers: some enrolled for the whole month, some from or until a day inside it, some never.
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

billing, usage = [], []
n = 0
for t in range(900):
    s = rng.randrange(SELLERS)
    b = rng.randrange(BUYERS)  # buyers are shared by many sellers
    day = rng.randint(1, 31)
    ts = f"2026-10-{day:02d}T{rng.randint(0, 23):02d}:00:00Z"
    trx = f"trx-{s:02d}-{t}"
    prod = f"prod-{s:02d}-{rng.randrange(3)}"
    cents = rng.randint(100, 100000)
    amount = f"{cents // 100}.{cents % 100:02d}"
    fee = f"-{cents // 500}.{cents % 5:01d}"
    for typ, frm, to, amt in (("SELLER_REV_SHARE", f"buyer-{b:03d}", f"seller-{s:02d}", amount),
                              ("AWS_REV_SHARE", f"seller-{s:02d}", "AWS", fee)):
        n += 1
        billing.append([f"be-{n}", f"seller-{s:02d}", frm, to, f"buyer-{b:03d}", prod, f"offer-{s:02d}", "INVOICED", typ,
                        "", "", "USD", amt, "1", ts, "", "", "", f"inv-{t}", "", trx, "", ""])
    if rng.random() < 0.5:
        usage.append([f"u-{t}", f"seller-{s:02d}", f"2026-10-{day:02d}", prod, f"offer-{s:02d}", "agr-1", f"buyer-{b:03d}", f"buyer-{b:03d}",
                      "us-east-1", "hours", "Hrs", "2.5", "USD", "0.1", "0.25", "desc", "2026-10-01T00:00:00Z", "", "", ""])
write("billing_event_v1/year=2026/month=10/data.csv",
      "billing_event_id,recipient_account_id,from_account_id,to_account_id,end_user_account_id,product_id,offer_id,action,transaction_type,parent_billing_event_id,disbursement_billing_event_id,currency,amount,balance_impacting,invoice_date,payment_due_date,usage_period_start_date,usage_period_end_date,invoice_id,billing_address_id,transaction_reference_id,bank_trace_id,broker_id",
      billing)
write("daily_usage_v1/year=2026/month=10/data.csv",
      "usage_feed_id,recipient_account_id,usage_date,product_id,offer_id,agreement_id,end_user_account_id,payer_account_id,region,dimension_key,usage_unit,usage_quantity,pricing_currency,usage_rate_per_unit_in_pricing_currency,estimated_revenue_in_pricing_currency,charge_item_description," + HIST,
      usage)
