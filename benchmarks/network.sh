#!/usr/bin/env bash
# Issue 15 point 8 in one run (docs/performance.md, "TCP, HTTP and ODBC transports"), about 4 minutes on 2 vCPUs:
#   1. BenchmarkDotNet (--job short --inProcess): NetworkTransportBenchmarks (RawSocketRead, HandWrittenSocketJson,
#      TcpToBytesToDiscard, RawHttpClientRead, HttpToBytesToDiscard, FileToBytesToDiscard; 300,000 iris records from
#      servers in the benchmark process) and OdbcOutputBenchmarks (50,000 rows into SQLite through libsqliteodbc);
#   2. probe-net: the same six network methods in interleaved rounds (best and median of each, and the process's CPU
#      time), which keeps the ratios meaningful when the machine is shared.
# Usage: benchmarks/network.sh [ROUNDS=7]   (nothing else should run on the machine for the figures to be quoted)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${1:-7}
cd "$ROOT"
dotnet build benchmarks/FastScore.Streams.Benchmarks -c Release -nologo -v q >&2
DLL=benchmarks/FastScore.Streams.Benchmarks/bin/Release/net10.0/FastScore.Streams.Benchmarks.dll
echo "# $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
dotnet "$DLL" --filter '*NetworkTransportBenchmarks*' '*OdbcOutputBenchmarks*' --job short --inProcess \
  | sed -n '/^| *Method/,/^$/p'
dotnet "$DLL" probe-net "$ROUNDS"
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) after the run"
