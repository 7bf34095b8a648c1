#!/usr/bin/env bash
# Time to the first record of two installed fastscore tools, interleaved (docs/performance.md, "fastscore as a process"):
# `fastscore run IrisIdentity --assembly FastScore.Cli.ProcessBench.dll file:<the guide's 25 records> console: -q`, timed
# from the start of the process to the first byte on its standard output (a pipe), and the whole process (wall, CPU),
# RUNS runs of each tool in turn; medians, best, and the JIT-compiled methods at exit (FASTSCORE_STARTUP_TRACE=1, one run
# each). Use it to compare a package before and after a change: JIT counts do not depend on the load, times do.
# Usage: benchmarks/cli-first-record.sh TOOL_A TOOL_B [RUNS=11]
#   TOOL_x: a fastscore executable (e.g. <tool path>/fastscore after `dotnet tool install FastScore.Cli --tool-path ...`)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
A=$1 B=$2 RUNS=${3:-11}
WORK=$(mktemp -d /tmp/fastscore-first-record.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
dotnet build "$ROOT/benchmarks/FastScore.Cli.ProcessBench" -c Release -nologo -v q -o "$WORK/bench" >&2
IRIS="$ROOT/samples/FastScore.Samples.Iris/data/xgboost_iris_inputs.jsons"
MODEL=(IrisIdentity --assembly "$WORK/bench/FastScore.Cli.ProcessBench.dll")

first_record() {
  local t0; t0=$(date +%s%N)
  local ms
  ms=$("$@" 2> /dev/null | { IFS= read -r -n 1 _ && echo $(( ($(date +%s%N) - t0) / 1000000 )); cat > /dev/null; })
  [ -n "$ms" ] || { echo "no record written to stdout: $*" >&2; exit 1; }
  echo "$ms"
}
whole() { # "wall_ms cpu_ms"
  /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" > /dev/null 2> /dev/null
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$WORK/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { sort -n | head -1; }

echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for t in a b; do : > "$WORK/first-$t"; : > "$WORK/whole-$t"; done
for i in $(seq "$RUNS"); do
  for t in a b; do
    tool=$A; [ "$t" = b ] && tool=$B
    first_record "$tool" run "${MODEL[@]}" "file:$IRIS" console: -q >> "$WORK/first-$t"
    whole "$tool" run "${MODEL[@]}" "file:$IRIS" console: -q >> "$WORK/whole-$t"
  done
done
for t in a b; do
  tool=$A; [ "$t" = b ] && tool=$B
  jit=$(FASTSCORE_STARTUP_TRACE=1 "$tool" run "${MODEL[@]}" "file:$IRIS" console: -q 2>&1 > /dev/null | awk '/ exit$/ { for (i = 1; i <= NF; i++) if ($i == "jit") print $(i + 1) }')
  printf '%s: first record median %s ms (best %s), whole process median %s ms wall, %s ms CPU; JIT-compiled methods at exit %s\n' \
    "$tool" "$(median < "$WORK/first-$t")" "$(best < "$WORK/first-$t")" \
    "$(cut -d' ' -f1 "$WORK/whole-$t" | median)" "$(cut -d' ' -f2 "$WORK/whole-$t" | median)" "$jit"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs of each, interleaved" >&2
