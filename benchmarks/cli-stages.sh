#!/usr/bin/env bash
# Where the CPU time of one whole `fastscore run` goes, per pipeline stage (docs/performance.md, "Per-stage CPU of the
# 2,000,000-record run"): samples the process with `perf record -g` (999 Hz per thread, JIT-compiled code named through
# the runtime's perf map) and files every sample under the task whose frame is nearest the root of its stack:
#   input producer  InputStream.ProduceBytesAsync (read, frame, check and decode into the batch)
#   engine loop     RunLoop (the model and the encoding of its outputs into output batches)
#   output writer   OutputStream.WriteLoopAsync (writes encoded batches to the transport)
#   JIT thread      the runtime's background (Tier-1) compiler
#   main thread     start-up on the process's first thread (until the engine runs)
#   other           thread-pool work outside those tasks (opening streams, starting the run) and unresolved stacks
# A sample is ~1 ms of CPU. Needs perf (linux-perf) and python3.
# Usage: benchmarks/cli-stages.sh FASTSCORE BENCH_DLL [RECORDS=2000000]
#   FASTSCORE  the installed tool (benchmarks/cli-process.sh shows how it is packed and installed)
#   BENCH_DLL  FastScore.Cli.ProcessBench.dll (the IrisIdentity model), built from benchmarks/FastScore.Cli.ProcessBench
set -euo pipefail
FASTSCORE=$1
BENCH=$2
RECORDS=${3:-2000000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/fastscore-cli-stages.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
awk -v n="$RECORDS" '{ line[NR] = $0 } END { for (i = 0; i < n; i++) print line[i % NR + 1] }' \
  "$ROOT/samples/FastScore.Samples.Iris/data/xgboost_iris_inputs.jsons" > "$WORK/in.jsons"
echo "# $RECORDS records; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -q -F 999 -g -o "$WORK/perf.data" \
  "$FASTSCORE" run IrisIdentity --assembly "$BENCH" "file:$WORK/in.jsons" "file:$WORK/out.jsons" -q >&2
perf script -i "$WORK/perf.data" 2> /dev/null > "$WORK/stacks.txt"
python3 - "$WORK/stacks.txt" <<'PY'
import collections, sys
tasks = [("ProduceBytesAsync", "input producer"), ("WriteLoopAsync", "output writer"), ("RunLoop", "engine loop")]
inner = {"input producer": [("ReadInOrder", "decode"), ("TryDecodeValid", "decode"), ("JsonPocoCodec", "decode"),
                            ("AcceptCopied", "copy into the batch"), ("Drain", "framing"), ("IndexOf", "framing"),
                            ("vfs_read", "file read"), ("RandomAccess", "file read")],
         "engine loop": [("WriteJson", "encode"), ("JsonNumbers", "encode"), ("ValidatingWriter", "encode"),
                         ("TryAdd", "encode"), ("Emit", "encode"), ("ActionAsync", "model"),
                         ("Channel", "hand-off to the writer"), ("SendAsync", "hand-off to the writer")]}
stages, parts = collections.Counter(), collections.defaultdict(collections.Counter)
head, frames = None, []
def flush():
    if head is None:
        return
    stage = None
    for frame in reversed(frames):  # root first: the task the sample ran in
        stage = next((name for key, name in tasks if key in frame), None)
        if stage:
            break
    if stage is None:
        stage = "JIT thread" if "Tiered" in head else "main thread (start-up)" if head.startswith("fastscore") else "other"
    stages[stage] += 1
    if stage in inner:
        part = next((name for frame in frames for key, name in inner[stage] if key in frame), "runtime, JIT, unresolved")
        parts[stage][part] += 1  # leaf first: what the task was doing
for line in open(sys.argv[1]):
    if not line.strip():
        flush(); head, frames = None, []
    elif line[0] not in "\t ":
        head, frames = line.strip(), []
    else:
        frames.append(line.strip())
flush()
total = sum(stages.values())
print(f"{total} samples (~ms of CPU)")
print("| stage | CPU (ms) | share | inside the stage |")
print("|---|---|---|---|")
for stage, n in stages.most_common():
    detail = ", ".join(f"{p} {100 * m / n:.0f} %" for p, m in parts[stage].most_common())
    print(f"| {stage} | {n} | {100 * n / total:.0f} % | {detail} |")
PY
