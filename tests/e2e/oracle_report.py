"""The run record predicted by the independent reference (oracle.py), and its comparison with the
job's report.json.

oracle.py decides every input row's fate as it builds the four tables (used, rejected by reason,
outside the period, not enrolled, superseded) and sums the control totals per (table, seller,
currency); this file writes that prediction in the shape of report.json and compares it with the
job's. Like oracle.py it is written from the spec and docs/decisions.md, not from src/.

Usage:
  oracle_report.py predict FEEDS_ROOT OUT CADENCE PERIOD
      writes OUT/deliveries/... (as oracle.py), OUT/runs/<cadence>-<period>/report.json and,
      beside it, rejects.csv (feed, file, line, reason: the job's columns but the raw text)
  oracle_report.py compare PREDICTED.json JOB.json
      exit 1, naming every difference, when the job's record is not the predicted one; the
      rejects.csv beside each report.json are compared too (as sets of feed, file, line, reason)
"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

# What the oracle does not predict: how the run went (timings, ranks), which build ran
# (job_version), the inputs' listing (input_digest) and the territory rules (test_territory_oracle.sh
# covers those).
NOT_PREDICTED = ("timings", "ranks", "input_digest", "job_version", "territories")


def predict(root, out, cadence, period):
    acct = oracle.run(root, out, cadence, period)
    record = acct.record(cadence, period)
    d = os.path.join(out, "runs", f"{cadence}-{period}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "report.json"), "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(d, "rejects.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["feed", "file", "line", "reason"])
        w.writerows(sorted(acct.rejects))


def rejects(path):
    """(feed, file, line, reason) of every row of a rejects.csv, sorted (the text is left out:
    the oracle does not predict how the job escapes bytes in it)."""
    with open(path, newline="", encoding="utf-8") as f:
        return sorted((r["feed"], r["file"], int(r["line"]), r["reason"]) for r in csv.DictReader(f))


def reject_differences(want, got):
    out = []
    for r in sorted(set(want) | set(got)):
        a, b = want.count(r), got.count(r)
        if a != b:
            out.append(f"rejects.csv: {r[0]} {r[1]} line {r[2]} {r[3]}: {a} by the oracle, {b} by the job")
    return out


def differences(want, got):
    """Every difference, one line each, in words a reader can act on."""
    out = []
    for k in sorted(set(want) | set(got)):
        if k in NOT_PREDICTED or k in ("feeds", "amounts"):
            continue
        if want.get(k) != got.get(k):
            out.append(f"{k}: oracle {want.get(k)!r}, job {got.get(k)!r}")
    wf, gf = want.get("feeds", {}), got.get("feeds", {})
    for feed in sorted(set(wf) | set(gf)):
        if feed not in wf or feed not in gf:
            out.append(f"feeds.{feed}: only in the {'oracle' if feed in wf else 'job'}'s record")
            continue
        for c in sorted(set(wf[feed]) | set(gf[feed])):
            if wf[feed].get(c) != gf[feed].get(c):
                out.append(f"feeds.{feed}.{c}: oracle {wf[feed].get(c)!r}, job {gf[feed].get(c)!r}")
    # Amounts compare by key; the order of the list is compared separately (it is part of the
    # record a reader diffs between runs, but a wrong order is a lesser fault than a wrong sum).
    key = lambda a: (a.get("table"), a.get("seller"), a.get("currency"))
    wa = {key(a): a for a in want.get("amounts", [])}
    ga = {key(a): a for a in got.get("amounts", [])}
    if len(ga) != len(got.get("amounts", [])):
        out.append("amounts: the job lists a (table, seller, currency) twice")
    for k in sorted(set(wa) | set(ga)):
        if k not in wa or k not in ga:
            a = wa.get(k) or ga.get(k)
            out.append(f"amounts {k}: only in the {'oracle' if k in wa else 'job'}'s record: {a}")
        elif wa[k] != ga[k]:
            out.append(f"amounts {k}: oracle {wa[k]}, job {ga[k]}")
    if not out and [key(a) for a in want.get("amounts", [])] != [key(a) for a in got.get("amounts", [])]:
        out.append("amounts: the same keys in another order")
    return out


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "predict":
        predict(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        with open(sys.argv[2]) as f:
            want = json.load(f)
        with open(sys.argv[3]) as f:
            got = json.load(f)
        diff = differences(want, got)
        rw, rg = (os.path.join(os.path.dirname(p), "rejects.csv") for p in sys.argv[2:4])
        if os.path.isfile(rw) and os.path.isfile(rg):
            diff += reject_differences(rejects(rw), rejects(rg))
        else:
            diff.append(f"rejects.csv: not beside both records ({rw}, {rg})")
        for line in diff:
            print(line, file=sys.stderr)
        sys.exit(1 if diff else 0)
    else:
        sys.exit(__doc__)
