#!/usr/bin/env bash
# Installs what is missing, builds, and runs the monthly job on data-samples/ with several ranks.
# Usage: scripts/run-sample.sh [RANKS (default 4)] [OUT (default out/sample in the repository)]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/env.sh"
"$here/scripts/install-deps.sh"
"$here/scripts/build.sh"
ranks=${1:-4}
out=${2:-$here/out/sample}
mpirun -np "$ranks" "$here/build/buyer-attribution" --config "$here/jobs/monthly.ini" \
  --feeds "$here/data-samples/feeds" --period 2026-10 --out "$out" \
  --max-reject-fraction 0.05  # the sample holds deliberate rejects (see data-samples/README.md)
echo
echo "The sample month ran on $ranks ranks. Look at:"
echo "  deliveries: $out/deliveries/<seller aws account>/<table>_v1/year=2026/month=10/data.csv"
echo "  store:      $out/store/monthly-2026-10.h5   (h5dump -H $out/store/monthly-2026-10.h5)"
echo "  run record: $out/runs/monthly-2026-10/report.json and rejects.csv"
