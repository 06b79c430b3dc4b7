#!/usr/bin/env bash
# Run-to-run steadiness: N fresh `cnn4j bench` processes in a row (default 10), each its own JVM, and
# the spread of their medians per mode: min vs median (the issue's "within 5%") and max vs median.
# With PEERS=1, each cnn4j process is followed by a fresh ONNX Runtime Java inference process on the
# same net (../shared/bench/peers/ort, same protocol), so both spreads come from the same minutes:
# a spread that both show is the host's, one that only cnn4j shows is cnn4j's. With TORCH=1, each
# cnn4j process is followed by a fresh tuned PyTorch training process (peers/pt_best.py train --cl,
# the bar of strongest.sh): the same control for training. Each process's
# repeats are printed too (variation inside one process vs between processes).
# Extra JVM flags to try (for finding the cause of a spread) go in CNN4J_JAVA_OPTS, e.g.
#   CNN4J_JAVA_OPTS="-XX:ObjectAlignmentInBytes=64" bench/steadiness.sh 10
#   N=10 ARGS="--mode infer" bench/steadiness.sh
#   PEERS=1 N=6 bench/steadiness.sh
#   TORCH=1 ARGS="--mode train" bench/steadiness.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-${N:-10}}"
ARGS="${ARGS:-}"
PEERS="${PEERS:-0}"
TORCH="${TORCH:-0}"
PEER_DIR="${PEER_DIR:-$root/../shared/bench}"
PY=/usr/bin/python3
out="$(mktemp -d /tmp/cnn4j-steadiness.XXXXXX)"
"$root/cnn4j" --version >/dev/null
if [ "$PEERS" = 1 ]; then
  ort="$out/ort"; mkdir -p "$ort/classes"
  "$PY" "$PEER_DIR/peers/export_onnx.py" "$ort" >/dev/null
  (cd "$PEER_DIR/peers/ort" && mvn -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile="$ort/cp.txt" >/dev/null)
  javac -d "$ort/classes" -cp "$(cat "$ort/cp.txt")" "$PEER_DIR/peers/ort/OrtSeedBench.java"
fi
for i in $(seq 1 "$N"); do
  "$root/cnn4j" bench --threads 2 --no-fma-peak $ARGS --json --out "$out/run-$i.json" >/dev/null 2>"$out/run-$i.err"
  if [ "$TORCH" = 1 ]; then
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184 \
      "$PY" "$PEER_DIR/peers/pt_best.py" train --iters 10 --repeats 7 --warmup 5 --cl --out "$out/torch-$i.json" >/dev/null 2>"$out/torch-$i.err"
  fi
  if [ "$PEERS" = 1 ]; then
    java -cp "$ort/classes:$(cat "$ort/cp.txt")" OrtSeedBench "$ort/seed.onnx" --iters 10 --repeats 7 --warmup 5 --threads 2 \
         --check "$ort/x.bin" "$ort/ref.bin" --out "$out/ort-$i.json" >/dev/null 2>"$out/ort-$i.err"
  fi
done
"$PY" - "$out" "$N" <<'PYEOF'
import json, os, statistics, sys
d, n = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(os.path.join(d, f"run-{i}.json"))) for i in range(1, n + 1)]
print(f"{n} fresh processes, JVM options: {os.environ.get('CNN4J_JAVA_OPTS', '(none)')}; results in {d}")
def spread(label, v, inside=None):
    med = statistics.median(v)
    print(f"{label}: median {med:.1f} img/s, min {min(v):.1f} ({100 * (min(v) / med - 1):+.1f}%), max {max(v):.1f} ({100 * (max(v) / med - 1):+.1f}%)"
          f"   runs: {', '.join(f'{x:.1f}' for x in v)}")
    if inside:
        # inside one process: each process's slowest and fastest repeat against its own median
        lo = [100 * (min(r) / statistics.median(r) - 1) for r in inside if r]
        hi = [100 * (max(r) / statistics.median(r) - 1) for r in inside if r]
        if lo:
            print(f"  inside one process (repeats vs that process's median): min {min(lo):+.1f}% .. max {max(hi):+.1f}%")
for mode in ("train", "infer"):
    v = [r[mode]["images_per_s_median"] for r in runs if mode in r]
    if v:
        spread(f"cnn4j {mode}", v, [r[mode].get("images_per_s_all", []) for r in runs if mode in r])
orts = [os.path.join(d, f"ort-{i}.json") for i in range(1, n + 1)]
if all(os.path.exists(f) for f in orts):
    o = [json.load(open(f)) for f in orts]
    spread("onnxruntime infer (same minutes)", [x["images_per_s_median"] for x in o],
           [x.get("images_per_s_all", []) for x in o])
torches = [os.path.join(d, f"torch-{i}.json") for i in range(1, n + 1)]
if all(os.path.exists(f) for f in torches):
    t = [json.load(open(f)) for f in torches]
    spread("pytorch train (same minutes)", [x["images_per_s_median"] for x in t],
           [x.get("images_per_s_all", []) for x in t])
print("load average after the last run:", runs[-1]["loadavg"])
PYEOF
