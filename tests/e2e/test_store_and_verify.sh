#!/usr/bin/env bash
# The store is self-describing (h5dump), one seller's table read through the index with h5py
# equals that seller's delivery, the same input gives the same store bytes, a re-export from the store alone is byte-identical, and verify
# catches a changed byte, a missing file and a wrong total.
source "$(dirname "$0")/lib.sh"
out=$WORK/out
run_job 3 "$out" monthly 2026-10
store=$out/store/monthly-2026-10.h5
h5dump -H "$store" > "$WORK/h5dump.txt" || fail "h5dump cannot read the store"
for want in 'GROUP "tables"' 'GROUP "sales_compensation"' 'GROUP "buyers"' 'DATASET "seller_index"' 'DATASET "rows"' \
            'ATTRIBUTE "period"' 'ATTRIBUTE "cadence"' 'ATTRIBUTE "schema_version"' 'ATTRIBUTE "amount_scale"' \
            'ATTRIBUTE "input_digest"' 'ATTRIBUTE "job_version"' '"net_revenue"' '"customer_aws_account_id"'; do
  grep -qF "$want" "$WORK/h5dump.txt" || fail "h5dump of the store does not show $want"
done
h5dump -a /period "$store" | grep -q '"2026-10"' || fail "the store's period attribute is not 2026-10"

for seller in $(ls "$EXPECTED/monthly-2026-10"); do
  for table in sales_compensation disbursements usage buyers; do
    "$BA_PYTHON" "$(dirname "$0")/store_seller_csv.py" "$store" "$table" "$seller" > "$WORK/from-store.csv"
    diff -u "$out/deliveries/$seller/${table}_v1/year=2026/month=10/data.csv" "$WORK/from-store.csv" >&2 ||
      fail "h5py read of $table for $seller differs from the delivery"
  done
done

# --direct-io off: the store's rows through HDF5's collective writes, every file through the page
# cache; at another rank count and at least a second later, the same deliveries and the same
# store, byte for byte (HDF5 stamps object headers with the clock unless told not to).
sleep 1
run_job 2 "$WORK/buffered" monthly 2026-10 --direct-io off
diff -r "$out/deliveries" "$WORK/buffered/deliveries" >&2 || fail "--direct-io off changes the deliveries"
cmp "$store" "$WORK/buffered/store/monthly-2026-10.h5" >&2 ||
  fail "the store of the same input differs (2 ranks and --direct-io off, a second later, against 3 ranks)"
rc=0
run_job 1 "$WORK/bad-flag" monthly 2026-10 --direct-io maybe 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "--direct-io maybe was not refused as a bad argument (exit $rc)"

# Re-export from the store alone, at another rank count: byte-identical deliveries.
"$MPIEXEC" -n 2 --oversubscribe "$BIN" --quiet --stage export --store "$store" --out "$WORK/again" >/dev/null ||
  fail "re-export failed"
diff -r "$out/deliveries" "$WORK/again/deliveries" >&2 || fail "re-export differs from the original deliveries"

# A store of schema_version 1 (before long values went out of line: no long_values datasets) is
# still read: the same deliveries.
cp "$store" "$WORK/v1.h5"
"$BA_PYTHON" - "$WORK/v1.h5" <<'PY' || fail "could not make a version 1 store"
import sys, h5py, numpy
with h5py.File(sys.argv[1], "r+") as f:
    assert f.attrs["schema_version"] == 2, f.attrs["schema_version"]
    f.attrs.modify("schema_version", numpy.int32(1))
    for table in f["tables"].values():
        assert len(table["long_values"]) == 0
        del table["long_values"], table["long_value_bytes"]
PY
"$MPIEXEC" -n 3 --oversubscribe "$BIN" --quiet --stage export --store "$WORK/v1.h5" --out "$WORK/v1" >/dev/null ||
  fail "re-export of a version 1 store failed"
diff -r "$out/deliveries" "$WORK/v1/deliveries" >&2 || fail "re-export of a version 1 store differs"

# A store this build cannot read as it was written, or one whose index names a folder that is
# not an account, is bad input to a re-export: exit 3, nothing published.
tamper() { refused_store "$store" "$@"; }
tamper "schema_version 3" "has schema_version 3 and amount_scale 1000000" '
import sys, h5py, numpy
with h5py.File(sys.argv[1], "r+") as f:
    f.attrs.modify("schema_version", numpy.int32(3))'
tamper "amounts in cents" "amount_scale 100;" '
import sys, h5py, numpy
with h5py.File(sys.argv[1], "r+") as f:
    f.attrs.modify("amount_scale", numpy.int64(100))'
tamper "a folder that is not an account" "the delivery folder ..\./\.\./etc/x., not a 12-digit" '
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    for table in f["tables"].values():
        index = table["seller_index"]
        entries = index[()]
        if len(entries):
            entries["delivery_folder"][0] = b"../../etc/x"
            index[...] = entries'

# Indexes the job never writes: one folder given to two sellers (their files would share it), a
# table that lists other sellers than the others (a seller would lose a table), and a period
# that is not one.
tamper "one folder for two sellers" "the delivery folder 012345678901 is given to two sellers" '
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    for table in f["tables"].values():
        index = table["seller_index"]
        entries = index[()]
        for e in range(len(entries)):
            if entries["seller_account_id"][e] == b"acc-seller-b":
                entries["delivery_folder"][e] = b"012345678901"
        index[...] = entries'
tamper "a seller missing from one table" "the seller index of usage does not list the sellers of sales_compensation" '
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    for name in ("seller_index", "rows"):
        data = f["tables/usage"][name]
        values = data[()]
        values["seller_account_id"][values["seller_account_id"] == b"acc-seller-c"] = b"acc-seller-x"
        data[...] = values'
tamper "a renamed column" "store .*usage has columns \[.*customer_id" '
import sys, h5py, numpy
with h5py.File(sys.argv[1], "r+") as f:
    attrs = f["tables/usage"].attrs
    names = [c.replace(b"customer_aws_account_id", b"customer_id") for c in attrs["columns"]]
    attrs["columns"] = numpy.array(names, dtype="S%d" % max(map(len, names)))'
tamper "a period that is not a month" "has cadence .monthly. and period .2026-1x." '
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f.attrs.modify("period", "2026-1x")'

"$BIN" verify --out "$out" --cadence monthly --period 2026-10 >/dev/null || fail "verify rejects a good delivery"
seller=$(ls "$EXPECTED/monthly-2026-10" | head -n 1)
dir=$out/deliveries/$seller
check_caught() {  # what: verify must exit 7 now; then restore
  local rc=0
  "$BIN" verify --out "$out" > "$WORK/verify.log" 2>&1 || rc=$?
  [ "$rc" -eq 7 ] || fail "verify did not catch $1 (exit $rc)"
  rm -rf "$out/deliveries" && cp -a "$WORK/again/deliveries" "$out/deliveries"
}
f=$dir/sales_compensation_v1/year=2026/month=10/data.csv
printf '%s' "$(cat "$f" | sed '2s/\(.\)$/X/')" > "$f.tmp" && echo >> "$f.tmp" && mv "$f.tmp" "$f"
check_caught "a changed byte"
rm "$dir/usage_v1/year=2026/month=10/data.csv"
check_caught "a missing file"
# A wrong total: change a control total in the manifest (and nothing else).
"$BA_PYTHON" - "$dir/manifests/monthly-2026-10.json" <<'PY'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
for f in m["files"]:
    for cur, sums in f["control_totals"].items():
        k = next(iter(sums))
        sums[k] = "999999.000000"
        json.dump(m, open(p, "w"), indent=2)
        sys.exit(0)
sys.exit("no control totals to change")
PY
check_caught "a wrong total"
# A manifest entry naming its own file by its absolute path: outside the seller's folder, refused.
"$BA_PYTHON" - "$dir/manifests/monthly-2026-10.json" "$dir" <<'PY'
import json, sys
p, folder = sys.argv[1:3]
m = json.load(open(p))
m["files"][0]["path"] = folder + "/" + m["files"][0]["path"]
json.dump(m, open(p, "w"), indent=2)
PY
check_caught "an absolute path in a manifest"
echo "1 passed, 0 failed"
