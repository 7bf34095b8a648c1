#!/usr/bin/env bash
# Coverage-guided fuzzing of FastScore.Streams with SharpFuzz and AFL++ (see docs/reliability.md, "Bad input").
#
#   fuzz/run.sh [target|all] [seconds per target]      e.g.  fuzz/run.sh all 25   (CI)   fuzz/run.sh json-schema 3600
#
# Publishes fuzz/FastScore.Streams.Fuzz, instruments FastScore.Streams.dll with the sharpfuzz tool (fuzz/dotnet-tools.json),
# then runs afl-fuzz on each target for the given time, starting from fuzz/corpus/<target>. Findings go to
# $FUZZ_OUT (default artifacts/fuzz)/findings/<target>. Exits 1 when a target crashed (every crash is replayed and printed)
# or when a hang replays for more than a minute. Needs afl-fuzz (Debian: apt-get install afl++) and the .NET SDK.
set -euo pipefail
FUZZ=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$FUZZ")
TARGET=${1:-all}
SECONDS_PER_TARGET=${2:-30}
OUT=${FUZZ_OUT:-$ROOT/artifacts/fuzz}
command -v afl-fuzz >/dev/null || { echo "afl-fuzz is not installed (Debian: apt-get install afl++)"; exit 1; }

rm -rf "$OUT/bin" "$OUT/replay"
dotnet publish "$FUZZ/FastScore.Streams.Fuzz" -c Release -o "$OUT/bin" -nologo -v q
cp -r "$OUT/bin" "$OUT/replay" # not instrumented: instrumented code needs afl-fuzz's shared memory to run
(cd "$FUZZ" && dotnet tool restore >/dev/null && dotnet sharpfuzz "$OUT/bin/FastScore.Streams.dll" \
  && dotnet sharpfuzz "$OUT/bin/FastScore.Samples.Plugin.dll") # the sample package's netstring/kv (target netstring-kv)
HARNESS="$OUT/bin/FastScore.Streams.Fuzz.dll"
REPLAY="$OUT/replay/FastScore.Streams.Fuzz.dll"
if [ "$TARGET" = all ]; then TARGETS=$(dotnet "$REPLAY" list); else TARGETS=$TARGET; fi

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1
failed=0
for t in $TARGETS; do
  findings="$OUT/findings/$t"
  rm -rf "$findings"; mkdir -p "$OUT/findings"
  dict="$FUZZ/dictionaries/json.dict"
  [ "$t" = descriptor ] && dict="$FUZZ/dictionaries/descriptor.dict"
  echo "[fuzz] $t: afl-fuzz for ${SECONDS_PER_TARGET}s"
  afl-fuzz -V "$SECONDS_PER_TARGET" -i "$FUZZ/corpus/$t" -o "$findings" -t 10000 -m none -x "$dict" \
    -- dotnet "$HARNESS" fuzz "$t" >"$findings.log" 2>&1 || { echo "[fuzz] $t: afl-fuzz failed"; tail -30 "$findings.log"; failed=1; continue; }
  stats="$findings/default/fuzzer_stats"
  execs=$(sed -n 's/^execs_done *: *//p' "$stats"); paths=$(sed -n 's/^corpus_count *: *//p' "$stats")
  crashes=$(find "$findings/default/crashes" -type f -name 'id:*' | wc -l)
  hangs=$(find "$findings/default/hangs" -type f -name 'id:*' | wc -l)
  echo "[fuzz] $t: $execs executions, $paths inputs in the queue, $crashes crashes, $hangs hangs"
  if [ "$crashes" -gt 0 ]; then
    dotnet "$REPLAY" replay "$t" "$findings/default/crashes" || true
    failed=1
  fi
  if [ "$hangs" -gt 0 ] && ! timeout 60 dotnet "$REPLAY" replay "$t" "$findings/default/hangs"; then
    echo "[fuzz] $t: a hang replays for more than a minute (or fails)"
    failed=1
  fi
done
exit $failed
