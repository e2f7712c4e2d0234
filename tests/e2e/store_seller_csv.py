"""Prints one seller's table from the HDF5 store as delivery CSV, reading only that seller's rows
through the seller index (h5py). Usage: store_seller_csv.py STORE TABLE SELLER_FOLDER"""
import csv
import io
import sys

import h5py

store, table, folder = sys.argv[1:4]
with h5py.File(store, "r") as f:
    g = f["tables"][table]
    columns = [c.decode() if isinstance(c, bytes) else str(c) for c in g.attrs["columns"]]
    kinds = [k.decode() if isinstance(k, bytes) else str(k) for k in g.attrs["column_kinds"]]
    scale = int(f.attrs["amount_scale"])
    index = g["seller_index"][()]
    entry = [e for e in index if e["delivery_folder"].decode() == folder]
    if len(entry) != 1:
        sys.exit(f"seller folder {folder} is not in the index of {table}")
    first, count = int(entry[0]["first_row"]), int(entry[0]["row_count"])
    rows = g["rows"][first:first + count]
    # Text cells too long for their column hold a prefix; the whole value is out of line
    # (schema_version 2). A store of version 1 has no such list.
    long_values = {}
    if "long_values" in g:
        value_bytes = g["long_value_bytes"]
        for e in g["long_values"][()]:
            if first <= e["row"] < first + count:
                long_values[(int(e["row"]) - first, int(e["column"]))] = bytes(
                    value_bytes[int(e["offset"]):int(e["offset"]) + int(e["length"])])

def amount(v):
    sign = "-" if v < 0 else ""
    v = abs(int(v))
    return f"{sign}{v // scale}.{v % scale:06d}"

def text(v):
    s = v.decode("utf-8")
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s

out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(columns)
for i, r in enumerate(rows):
    cells = []
    for j, (c, k) in enumerate(zip(columns, kinds)):
        v = long_values.get((i, j), r[c])
        cells.append(amount(v) if k == "amount" else str(int(v)) if k == "count" else v.decode() if k == "date" else text(v))
    w.writerow(cells)
sys.stdout.write(out.getvalue())
