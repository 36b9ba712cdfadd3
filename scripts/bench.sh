#!/usr/bin/env bash
# Runs every benchmark (release build) and prints one table: each figure,
# its baseline from the same run, and the ratio. Each benchmark's own table
# follows. Arguments: seconds for the load benchmarks (default 60).
#
#   ./scripts/bench.sh          # about 15 minutes on 2 cores
#   ./scripts/bench.sh 10       # shorter load runs
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

cargo bench -p burg-testkit --bench get_provider -- "$((seconds < 10 ? seconds : 10))" | tee -a "$out" | grep -v "^SUMMARY|"
cargo bench -p burg-testkit --bench load -- "$seconds" | tee -a "$out" | grep -v "^SUMMARY|"
cargo bench -p burg-testkit --bench transfer -- 10000 100000 | tee -a "$out" | grep -v "^SUMMARY|"

echo
echo "| figure | value | baseline | ratio |"
echo "|---|---:|---:|---:|"
grep '^SUMMARY|' "$out" | cut -d'|' -f2- | sed 's/^/| /; s/$/ |/'
