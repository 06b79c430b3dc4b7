#!/usr/bin/env bash
# cnn4j against the strongest peer configurations, in one sitting, in interleaved rounds:
# each round runs `cnn4j bench` (seed net 100x100x3, batch 32, 2 threads), then
# ../shared/bench/peers/strongest.sh (tuned PyTorch training and inference, ONNX Runtime Java
# inference), then batch-1 latency of cnn4j and of ONNX Runtime (LATENCY calls each). It prints each
# system's median images/s per mode (median over rounds), cnn4j ÷ best peer per mode, and the latencies.
#
#   bench/compare.sh [OUT_DIR]                 # ROUNDS=3, LATENCY=1000
#   ROUNDS=1 LATENCY=200 bench/compare.sh      # quicker
#
# Needs (once): apt-get install -y python3-torch python3-onnx libopenblas0-pthread; Maven (ONNX
# Runtime's jar). PEER_DIR defaults to ../shared/bench next to the checkout. Run it on a quiet
# machine: numbers from different hours or machines do not compare (the load column shows it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEER_DIR="${PEER_DIR:-$root/../shared/bench}"
ROUNDS="${ROUNDS:-3}"
LATENCY="${LATENCY:-1000}"
THREADS="${THREADS:-2}"
PY=/usr/bin/python3
out="${1:-$(mktemp -d /tmp/cnn4j-compare.XXXXXX)}"
mkdir -p "$out"
[ -x "$PEER_DIR/peers/strongest.sh" ] || { echo "compare.sh: no $PEER_DIR/peers/strongest.sh (set PEER_DIR)" >&2; exit 2; }
"$PY" -c "import torch, onnx" 2>/dev/null || { echo "compare.sh: $PY lacks torch/onnx: apt-get install -y python3-torch python3-onnx libopenblas0-pthread" >&2; exit 2; }
echo "results in $out" >&2

# build once, outside the timed runs
"$root/cnn4j" --version >/dev/null

# the batch-1 model for ONNX Runtime's latency (same net and seed as the peers' export, dynamic batch)
lat="$out/latency"; mkdir -p "$lat"
"$PY" "$root/bench/latency/export_onnx_batch1.py" "$PEER_DIR" "$lat" >/dev/null

# the hardware's FMA peak from C intrinsics, next to cnn4j's own Java measurement (FmaPeak)
if command -v gcc >/dev/null; then
  gcc -O2 -march=native -pthread "$root/bench/fma/fma_peak.c" -o "$out/fma_peak" \
    && "$out/fma_peak" 1 > "$out/fma-c-1.json" && "$out/fma_peak" "$THREADS" > "$out/fma-c.json" || true
fi

for r in $(seq 1 "$ROUNDS"); do
  d="$out/round-$r"; mkdir -p "$d"
  echo "round $r/$ROUNDS: cnn4j bench ..." >&2
  profile=""; [ "$r" = 1 ] && profile="--profile"
  "$root/cnn4j" bench --threads "$THREADS" --batch 32 --warmup 5 --iters 10 --repeats 7 $profile \
      --latency "$LATENCY" --json --out "$d/cnn4j.json" >/dev/null
  echo "round $r/$ROUNDS: peers (strongest.sh) ..." >&2
  "$PEER_DIR/peers/strongest.sh" "$d/peers" >&2
  if [ ! -d "$lat/classes" ]; then
    mkdir -p "$lat/classes"
    javac -d "$lat/classes" -cp "$(cat "$d/peers/ort/cp.txt")" "$root/bench/latency/OrtLatency.java"
    cp "$d/peers/ort/cp.txt" "$lat/cp.txt"
  fi
  echo "round $r/$ROUNDS: onnxruntime batch-1 latency ..." >&2
  java -cp "$lat/classes:$(cat "$lat/cp.txt")" OrtLatency "$lat/seed-dynamic.onnx" "$lat/x1.bin" "$lat/ref1.bin" \
      "$LATENCY" "$THREADS" > "$d/onnxruntime-latency.json"
  cat /proc/loadavg > "$d/loadavg-after"
done

"$PY" - "$out" "$ROUNDS" <<'PYEOF'
import json, os, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
def load(*p):
    f = os.path.join(d, *p)
    return json.load(open(f)) if os.path.exists(f) else None
rows = {}  # (system, mode) -> [median img/s per round]
lat = {}   # system -> [(p50, p99) per round]
first = load("round-1", "cnn4j.json")
for r in range(1, rounds + 1):
    c = load(f"round-{r}", "cnn4j.json")
    for mode in ("train", "infer"):
        rows.setdefault(("cnn4j", mode), []).append(c[mode]["images_per_s_median"])
    if "latency_batch1" in c:
        lat.setdefault("cnn4j", []).append((c["latency_batch1"]["p50_ms"], c["latency_batch1"]["p99_ms"]))
    for name, system, mode in (("pytorch-train.json", "pytorch (channels_last)", "train"),
                               ("pytorch-infer.json", "pytorch (mkldnn tensors)", "infer"),
                               ("onnxruntime-infer.json", "onnxruntime-java 1.22", "infer")):
        p = load(f"round-{r}", "peers", name)
        if p:
            rows.setdefault((system, mode), []).append(p["images_per_s_median"])
    o = load(f"round-{r}", "onnxruntime-latency.json")
    if o:
        lat.setdefault("onnxruntime-java 1.22", []).append((o["p50_ms"], o["p99_ms"]))
peak = first.get("fma_peak", {})
print(f"CPU: {peak.get('cpu', '?')}; {first['java']}; {rounds} interleaved round(s)")
print(f"FMA peak, cnn4j's Java Vector API loop: {peak.get('gflops', float('nan')):.1f} GFLOP/s on {first['threads']} threads "
      f"({peak.get('gflops_one_thread', float('nan')):.1f} on one)")
c, c1 = load("fma-c.json"), load("fma-c-1.json")
if c:
    print(f"FMA peak, C intrinsics ({c['isa']}):       {c['gflops']:.1f} GFLOP/s on {c['threads']} threads ({c1['gflops']:.1f} on one)")
print(f"\n{'system':<28} {'mode':<6} {'img/s (median of rounds)':>25}   per round")
for (system, mode), v in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0] != "cnn4j", kv[0][0])):
    print(f"{system:<28} {mode:<6} {statistics.median(v):>25.1f}   {', '.join(f'{x:.1f}' for x in v)}")
print()
for mode in ("train", "infer"):
    peers = {s: statistics.median(v) for (s, m), v in rows.items() if m == mode and s != "cnn4j"}
    if peers:
        best = max(peers, key=peers.get)
        print(f"{mode}: cnn4j / best peer ({best}) = {statistics.median(rows[('cnn4j', mode)]) / peers[best]:.2f}")
for system, v in lat.items():
    print(f"latency batch 1, {system:<22}: p50 {statistics.median(x[0] for x in v):.2f} ms  p99 {statistics.median(x[1] for x in v):.2f} ms"
          f"   (median over rounds; per round p50 {', '.join(f'{x[0]:.2f}' for x in v)})")
loads = [open(os.path.join(d, f"round-{r}", "loadavg-after")).read().split()[0] for r in range(1, rounds + 1)]
print(f"\nload average after each round: {', '.join(loads)} (2 means the benchmarks alone on 2 cores)")
prof = first.get("profile")
if prof:
    # against the C peak when there is one (the hardware's), else cnn4j's own Java measurement
    scale = peak.get("gflops", float("nan")) / c["gflops"] if c else 1.0
    print(f"\ncnn4j per layer, round 1 (ms per batch; % of the {'C intrinsics' if c else 'Java'} FMA peak, direct-convolution FLOPs):")
    for p in prof:
        def pc(k):
            return f" ({100 * p[k] * scale:3.0f}%)" if k in p else "       "
        print(f"  {p['layer']:<16} {p['type']:<14} train fwd {p['forward_ms']:7.2f}{pc('forward_peak_fraction')}"
              f"  bwd {p['backward_ms']:7.2f}{pc('backward_peak_fraction')}  infer {p['infer_forward_ms']:7.2f}{pc('infer_peak_fraction')}")
PYEOF
