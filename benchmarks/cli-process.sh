#!/usr/bin/env bash
# Whole-process speed of the fastscore tool (docs/performance.md, "fastscore as a process"):
#   - `fastscore run IrisIdentity file:in file:out --assembly FastScore.Cli.ProcessBench.dll` on 2,000,000 iris records
#     (a typed identity model: decode to a POCO, encode it back, schema-free) against the hand-written loop
#     (StreamReader.ReadLine + JsonSerializer + StreamWriter.WriteLine, benchmarks/FastScore.Cli.ProcessBench), both as
#     whole processes, interleaved in the same run, wall and CPU (user + sys) time, medians of RUNS runs;
#   - the same fastscore run under runtime settings (TieredPGO off, TieredCompilation off, ReadyToRun code ignored);
#   - start-up: `fastscore run iris` on the guide's 25-record file, file to file (an upper bound of the time to the
#     first record written), and the loop on the same file;
#   - the time from start to the first record written: the same 25-record runs with a console: output, timed from the
#     start of the process to the first byte on its standard output (a pipe).
# FASTSCORE_STARTUP_TRACE=1 on a single run prints where its start-up time goes (docs/performance.md).
# The tool is packed (dotnet pack src/FastScore.Cli -r <this machine's RID>: ReadyToRun, as docs/cli.md says) and
# installed into a temporary tool path; FASTSCORE_PACKAGES=<folder> installs an already packed package instead.
# FASTSCORE_BENCH_AUTOGROUP_NICE=-20 (Linux, root): runs each timed process (not the build) in a new session whose
# scheduler autogroup gets that nice value, so on a machine shared with other sessions' builds the processes under test
# get the CPU almost as on an idle machine (with autogrouping, plain `nice` only ranks processes within one session).
# Both sides of every ratio run that way. See docs/performance.md, "Write-behind, and the two modes of the 2,000,000-record run".
# Usage: benchmarks/cli-process.sh [RUNS=5] [RECORDS=2000000]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-5}
RECORDS=${2:-2000000}
WORK=$(mktemp -d /tmp/fastscore-cli-process.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"

echo "# building the loop and the model, packing and installing the tool" >&2
dotnet build benchmarks/FastScore.Cli.ProcessBench -c Release -nologo -v q -o "$WORK/bench" >&2
case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
if [ -n "${FASTSCORE_PACKAGES:-}" ]; then
  PACKAGES=$FASTSCORE_PACKAGES # a folder with an already packed FastScore.Cli package
else
  PACKAGES="$WORK/packages" # ReadyToRun for this machine's RID, as docs/cli.md packs it
  dotnet pack src/FastScore.Cli -c Release -r "$rid" -nologo -v q -o "$PACKAGES" >&2
fi
dotnet tool install FastScore.Cli --tool-path "$WORK/tools" --source "$PACKAGES" >&2
FASTSCORE="$WORK/tools/fastscore"
LOOP=(dotnet "$WORK/bench/FastScore.Cli.ProcessBench.dll")
MODEL=(IrisIdentity --assembly "$WORK/bench/FastScore.Cli.ProcessBench.dll")

IRIS="$ROOT/samples/FastScore.Samples.Iris/data/xgboost_iris_inputs.jsons"
awk -v n="$RECORDS" '{ line[NR] = $0 } END { for (i = 0; i < n; i++) print line[i % NR + 1] }' "$IRIS" > "$WORK/in.jsons"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "# $(wc -l < "$WORK/in.jsons") records, $(du -h "$WORK/in.jsons" | cut -f1); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

PRIO=()
if [ -n "${FASTSCORE_BENCH_AUTOGROUP_NICE:-}" ]; then
  PRIO=(setsid -w bash -c 'echo "$0" > /proc/self/autogroup && exec "$@"' "$FASTSCORE_BENCH_AUTOGROUP_NICE")
  "${PRIO[@]}" true || { echo "cannot set the autogroup nice value (needs Linux autogrouping and CAP_SYS_NICE)" >&2; exit 1; }
fi

# one timed run: appends "wall cpu" (seconds) to the file named by $1; fails if the output does not have $2 lines
timed() {
  local results=$1 lines=$2; shift 2
  rm -f "$WORK/out.jsons"
  "${PRIO[@]}" /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" > /dev/null 2> "$WORK/stderr" || { cat "$WORK/stderr" >&2; exit 1; }
  local got; got=$(wc -l < "$WORK/out.jsons")
  [ "$got" -eq "$lines" ] || { echo "expected $lines output records, got $got: $*" >&2; cat "$WORK/stderr" >&2; exit 1; }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$WORK/time" >> "$results"
}
# ms from the start of a process to the first byte it writes to its standard output (a pipe): its first record written
first_record() {
  local t0; t0=$(date +%s%N)
  local ms
  ms=$("${PRIO[@]}" "$@" 2> /dev/null | { IFS= read -r -n 1 _ && echo $(( ($(date +%s%N) - t0) / 1000000 )); cat > /dev/null; })
  [ -n "$ms" ] || { echo "no record written to stdout: $*" >&2; exit 1; }
  echo "$ms"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
wall() { cut -d' ' -f1 "$1" | median; }
cpu() { cut -d' ' -f2 "$1" | median; }

variants=(loop fastscore pgo0 tc0 r2r0)
for v in "${variants[@]}"; do : > "$WORK/$v"; done
for i in $(seq "$RUNS"); do
  echo "# round $i of $RUNS" >&2
  timed "$WORK/loop" "$RECORDS" "${LOOP[@]}" "$WORK/in.jsons" "$WORK/out.jsons"
  timed "$WORK/fastscore" "$RECORDS" "$FASTSCORE" run "${MODEL[@]}" "file:$WORK/in.jsons" "file:$WORK/out.jsons" -q
  timed "$WORK/pgo0" "$RECORDS" env DOTNET_TieredPGO=0 "$FASTSCORE" run "${MODEL[@]}" "file:$WORK/in.jsons" "file:$WORK/out.jsons" -q
  timed "$WORK/tc0" "$RECORDS" env DOTNET_TieredCompilation=0 "$FASTSCORE" run "${MODEL[@]}" "file:$WORK/in.jsons" "file:$WORK/out.jsons" -q
  timed "$WORK/r2r0" "$RECORDS" env DOTNET_ReadyToRun=0 "$FASTSCORE" run "${MODEL[@]}" "file:$WORK/in.jsons" "file:$WORK/out.jsons" -q
done

: > "$WORK/small-fastscore"; : > "$WORK/small-loop"; : > "$WORK/small-typed"
for i in $(seq $((RUNS * 2))); do
  timed "$WORK/small-fastscore" 25 "$FASTSCORE" run iris "file:$IRIS" "file:$WORK/out.jsons" -q
  timed "$WORK/small-typed" 25 "$FASTSCORE" run "${MODEL[@]}" "file:$IRIS" "file:$WORK/out.jsons" -q
  timed "$WORK/small-loop" 25 "${LOOP[@]}" "$IRIS" "$WORK/out.jsons"
done

for i in $(seq $((RUNS * 2))); do
  first_record "$FASTSCORE" run "${MODEL[@]}" "file:$IRIS" console: -q >> "$WORK/first-typed"
  first_record "$FASTSCORE" run iris "file:$IRIS" console: -q >> "$WORK/first-iris"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

lw=$(wall "$WORK/loop"); lc=$(cpu "$WORK/loop")
echo
echo "Load average: $load_before at the start, $load_after at the end ($(nproc) cores)${FASTSCORE_BENCH_AUTOGROUP_NICE:+; timed processes in an autogroup at nice $FASTSCORE_BENCH_AUTOGROUP_NICE}."
echo
echo "$RECORDS iris records, file to file, medians of $RUNS interleaved runs (wall s / CPU s, user + sys):"
echo
echo "| process | wall (s) | CPU (s) | wall: loop / this | CPU: loop / this |"
echo "|---|---|---|---|---|"
for v in "${variants[@]}"; do
  case $v in
    loop) name="hand-written loop (ReadLine + JsonSerializer)" ;;
    fastscore) name="fastscore run IrisIdentity --assembly (as packed)" ;;
    pgo0) name="... with DOTNET_TieredPGO=0" ;;
    tc0) name="... with DOTNET_TieredCompilation=0" ;;
    r2r0) name="... with DOTNET_ReadyToRun=0 (ReadyToRun code ignored)" ;;
  esac
  w=$(wall "$WORK/$v"); c=$(cpu "$WORK/$v")
  awk -v n="$name" -v w="$w" -v c="$c" -v lw="$lw" -v lc="$lc" 'BEGIN { printf "| %s | %.2f | %.2f | %.2fx | %.2fx |\n", n, w, c, lw / w, lc / c }'
done
echo
echo "Start-up: the whole process on the guide's 25-record file, file to file (an upper bound of the time to the first record written), medians of $((RUNS * 2)) runs:"
echo
echo "| process | wall (ms) | CPU (ms) |"
echo "|---|---|---|"
for v in small-fastscore small-typed small-loop; do
  case $v in
    small-fastscore) name="fastscore run iris" ;;
    small-typed) name="fastscore run IrisIdentity --assembly" ;;
    small-loop) name="hand-written loop" ;;
  esac
  awk -v n="$name" -v w="$(wall "$WORK/$v")" -v c="$(cpu "$WORK/$v")" 'BEGIN { printf "| %s | %.0f | %.0f |\n", n, w * 1000, c * 1000 }'
done
echo
echo "From start to the first record written: the 25-record runs with a console: output, start of the process to the first byte on its stdout, medians of $((RUNS * 2)) runs:"
echo
echo "| process | first record (ms) |"
echo "|---|---|"
echo "| fastscore run IrisIdentity --assembly | $(median < "$WORK/first-typed") |"
echo "| fastscore run iris | $(median < "$WORK/first-iris") |"
echo
awk -v lw="$lw" -v lc="$lc" -v w="$(wall "$WORK/fastscore")" -v c="$(cpu "$WORK/fastscore")" -v f="$(median < "$WORK/first-typed")" \
  'BEGIN { printf "Goals (issue 16, point 8): wall %.2fx (>= 5x), CPU %.2fx (>= 3x), first record %d ms (< 150 ms)\n", lw / w, lc / c, f }'
