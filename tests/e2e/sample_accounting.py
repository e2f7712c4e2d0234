"""The sample month's row accounting, as data-samples/README.md derives it by hand ("Row accounting
of the monthly run"): one statement, for the tests that check the job's run record and the
oracle's prediction against it. Usage: sample_accounting.py REPORT_JSON WHOSE; exits 1 naming every
feed whose counters differ."""
import json
import sys

WANT = {  # read, used, rejected, outside the period, not enrolled, superseded
    "billing_event": (80, 69, 3, 2, 6, 0), "daily_usage": (14, 9, 0, 1, 1, 3),
    "account": (33, 32, 0, 0, 0, 1), "address": (32, 29, 0, 0, 0, 3), "product": (8, 7, 0, 0, 0, 1),
    "offer": (8, 8, 0, 0, 0, 0), "enrollment": (5, 3, 0, 0, 2, 0),
}
KEYS = ("read", "used", "rejected", "outside_period", "not_enrolled", "superseded")
BILLING_REJECTS = {"duplicate": 1, "mixed_currency": 2}


def differences(feeds, whose):
    bad = [f"{feed}: {dict(zip(KEYS, w))} by hand, {whose} has {feeds.get(feed)}"
           for feed, w in WANT.items() if tuple(feeds.get(feed, {}).get(k) for k in KEYS) != w]
    bad += [f"{feed}: not in the hand derivation" for feed in feeds if feed not in WANT]
    if feeds.get("billing_event", {}).get("rejected_by_reason") != BILLING_REJECTS:
        bad.append(f"billing_event rejects by reason: {feeds.get('billing_event', {}).get('rejected_by_reason')}")
    return bad


if __name__ == "__main__":
    found = differences(json.load(open(sys.argv[1]))["feeds"], sys.argv[2])
    for b in found:
        print("FAIL:", b, file=sys.stderr)
    sys.exit(1 if found else 0)
