#!/usr/bin/env bash
# Runs the whole suite N times in a row (default 10) beside two busy loops, as a loaded 2-core
# machine would run it, and prints one line per run. Exits non-zero if any run failed.
#   bash scripts/test-under-load.sh [N]
set -u
cd "$(dirname "$0")/.."
runs=${1:-10}
node -e 'for (;;) {}' &
busy1=$!
node -e 'for (;;) {}' &
busy2=$!
trap 'kill "$busy1" "$busy2" 2>/dev/null' EXIT
log=$(mktemp)
passed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if npx vitest run >"$log" 2>&1; then verdict=pass; passed=$((passed + 1)); else verdict=FAIL; fi
  tests=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tr -s ' ')
  echo "run $i: $verdict in $(($(date +%s) - start)) s, load $(cut -d' ' -f1 /proc/loadavg),$tests"
  [ "$verdict" = pass ] || sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'FAIL|×' | head -20
done
rm -f "$log"
echo "$passed of $runs runs passed"
[ "$passed" -eq "$runs" ]
