#!/usr/bin/env bash
# Issue 14 point 7, all five goals in one command (docs/performance.md, "Issue 14: Avro and CSV"):
#   avro-binary decode to a POCO vs Apache.Avro GenericDatumReader (>= 3x), deflate OCF read vs DataFileReader (>= 1x),
#   CSV decode to a POCO vs CsvHelper GetRecords (>= 1.5x, iris and mixed rows), OCF -> identity -> OCF through the engine
#   vs a DataFileReader -> DataFileWriter loop (>= 3x), CSV -> json through the engine vs CsvHelper + JsonSerializer (>= 3x).
# Every method runs in interleaved rounds in one process (probe-14: the baseline and ours alternate, so a busy machine
# slows both alike); it prints the fastest and the median round of each, their ratios, and CPU time per record.
# Usage: benchmarks/issue14.sh [ROUNDS=9] [RECORDS=200000]   (about 3-5 minutes on a quiet 2-core machine)
# ISSUE14_GOALS="csv" (any text of the goal names) runs only the goals whose name holds it, with their baselines.
# With BDN=1 it then also runs the BenchmarkDotNet classes (ShortRun, in-process; about 10 more minutes).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${1:-9}
RECORDS=${2:-200000}
cd "$ROOT"
dotnet build benchmarks/FastScore.Streams.Benchmarks -c Release -nologo -v q >&2
DLL=benchmarks/FastScore.Streams.Benchmarks/bin/Release/net10.0/FastScore.Streams.Benchmarks.dll
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$DLL" probe-14 "$ROUNDS" "$RECORDS"
if [ "${BDN:-0}" = 1 ]; then
  dotnet "$DLL" --filter '*OcfEndToEndBenchmark*' '*CsvToJsonEndToEndBenchmark*' '*AvroDecodeBenchmark*' '*OcfReadBenchmark*' '*CsvDecodeBenchmark*' \
    --job short --inProcess
fi
