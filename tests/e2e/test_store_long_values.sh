#!/usr/bin/env bash
# One very long text value (a transaction_reference_id of about 4 KB, with a comma and
# two-byte characters) does not widen its column in every row of the store: it goes out of line.
# The deliveries are those of the same month with the short id, the long id put in its place;
# the store is byte-identical at 3 and 1 ranks; a re-export from the store and an h5py reader
# of the store both give the long id back whole.
source "$(dirname "$0")/lib.sh"
feeds=$WORK/feeds
cp -r "$FEEDS" "$feeds"
long_id=$("$BA_PYTHON" - "$feeds" <<'PYEOF'
import csv, glob, io, sys
long_id = "txn-a-002-" + "é" * 2000 + ",end"
for path in glob.glob(sys.argv[1] + "/billing_event_v1/**/data.csv", recursive=True):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    column = rows[0].index("transaction_reference_id")
    for row in rows[1:]:
        if row[column] == "txn-a-002":
            row[column] = long_id
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with open(path, "w", newline="") as f:
        f.write(out.getvalue())
print(long_id)
PYEOF
)
[ "${#long_id}" -gt 2000 ] || fail "could not make the long id"
grep -rqF "$long_id" "$feeds/billing_event_v1" || fail "the feeds do not hold the long id"

run_job 3 "$WORK/short" monthly 2026-10
FEEDS=$feeds run_job 3 "$WORK/long" monthly 2026-10
FEEDS=$feeds run_job 1 "$WORK/long-1" monthly 2026-10 --direct-io off
store=$WORK/long/store/monthly-2026-10.h5
cmp "$store" "$WORK/long-1/store/monthly-2026-10.h5" >&2 || fail "the store with a long value differs at 3 and 1 ranks"

# Every delivered data file: the long id where the short one was, nothing else changed. (The
# long id sorts where the short one did: no other id starts with txn-a-002.)
seller=012345678901
hits=0
while IFS= read -r -d '' file; do
  relative=${file#"$WORK/short/deliveries/"}
  got=$WORK/long/deliveries/$relative
  [ -f "$got" ] || fail "$relative is not delivered with the long id"
  "$BA_PYTHON" - "$file" "$got" "$long_id" <<'PYEOF' || fail "$relative differs beyond the id"
import csv, sys
short, long_, long_id = sys.argv[1:4]
want = [[long_id if cell == "txn-a-002" else cell for cell in row] for row in csv.reader(open(short, newline=""))]
got = list(csv.reader(open(long_, newline="")))
sys.exit(0 if want == got else 1)
PYEOF
  if grep -qF "$long_id" "$got"; then hits=$((hits + 1)); fi
done < <(find "$WORK/short/deliveries" -name data.csv -print0)
[ "$hits" -ge 2 ] || fail "the long id reached $hits data files, expected sales_compensation and disbursements at least"

# The column stays as narrow as its other ids, far from the id's 4 KB; the id is out of line.
h5dump -H "$store" > "$WORK/h5dump.txt" || fail "h5dump cannot read the store"
widths=$(grep -B4 '} "transaction_reference_id";' "$WORK/h5dump.txt" | sed -n 's/.*STRSIZE \([0-9]*\);.*/\1/p')
[ "$(echo "$widths" | wc -w)" -eq 2 ] || fail "h5dump shows transaction_reference_id in $(echo "$widths" | wc -w) tables, expected 2"
for width in $widths; do
  [ "$width" -le 64 ] || fail "transaction_reference_id is $width bytes wide in the store"
done
grep -qF 'DATASET "long_values"' "$WORK/h5dump.txt" || fail "the store has no long_values dataset"

for table in sales_compensation disbursements; do
  "$BA_PYTHON" "$(dirname "$0")/store_seller_csv.py" "$store" "$table" "$seller" > "$WORK/from-store.csv"
  diff -q "$WORK/long/deliveries/$seller/${table}_v1/year=2026/month=10/data.csv" "$WORK/from-store.csv" >&2 ||
    fail "h5py read of $table for $seller (long values applied) differs from the delivery"
done

"$MPIEXEC" -n 2 --oversubscribe "$BIN" --quiet --stage export --store "$store" --out "$WORK/again" >/dev/null ||
  fail "re-export failed"
diff -r "$WORK/long/deliveries" "$WORK/again/deliveries" >&2 || fail "re-export with a long value differs"
"$BIN" verify --out "$WORK/long" --cadence monthly --period 2026-10 >/dev/null || fail "verify of the delivery failed"

# A long_values list the writer would not make is bad input to a re-export (exit 3), nothing
# published: a shortened value (the bytes no longer tile), a row whose cell is not the value's
# start, a record naming an amount column, and two records out of order.
long_values='
import sys, h5py
f = h5py.File(sys.argv[1], "r+")
g = f["tables/sales_compensation"]
entries = g["long_values"][()]
'
refused_store "$store" "a shortened long value" "bytes of long_value_bytes belong to no entry" "$long_values"'
entries["length"][0] -= 1
g["long_values"][...] = entries'
refused_store "$store" "a cell that does not begin its long value" "does not begin its long value" "$long_values"'
rows = g["rows"][()]
row = int(entries["row"][0])
rows["transaction_reference_id"][row] = b"txn-a-999"
g["rows"][...] = rows'
refused_store "$store" "a long value of an amount column" "names a column that is not text" "$long_values"'
columns = [c.decode() for c in g.attrs["columns"]]
entries["column"][0] = columns.index("gross_revenue")
g["long_values"][...] = entries'
refused_store "$store" "long values out of order" "is out of (row, column) order" '
import sys, h5py, numpy
f = h5py.File(sys.argv[1], "r+")
g = f["tables/sales_compensation"]
entries = g["long_values"][()]
del g["long_values"]
twice = numpy.concatenate([entries, entries])
twice["offset"][1] = twice["offset"][0] + twice["length"][0]
g.create_dataset("long_values", data=twice)'
# A version 2 store without its long values would deliver the prefixes as values; signed bytes
# would come back clamped (every byte from 0x80 as NUL); an extent larger than the dataset's
# storage would have every rank read or allocate what is not there.
refused_store "$store" "no long values in a version 2 store" "has no long_values (schema_version 2" '
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    for table in f["tables"].values():
        del table["long_values"], table["long_value_bytes"]'
refused_store "$store" "signed long value bytes" "is not a dataset of unsigned bytes" '
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    g = f["tables/sales_compensation"]
    data = g["long_value_bytes"][()]
    del g["long_value_bytes"]
    g.create_dataset("long_value_bytes", data=data.astype("i1"))'
refused_store "$store" "an extent without storage" "elements of 1 bytes, but 0 bytes of storage" '
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    g = f["tables/sales_compensation"]
    del g["long_value_bytes"]
    g.create_dataset("long_value_bytes", shape=(2**40,), dtype="u1")'
