#!/usr/bin/env bash
# Runs cnn4j bench and the PyTorch peer scripts back to back on this machine and prints one table.
# Numbers only compare when taken in one sitting on a quiet machine (check the loadavg column).
#
#   bench/compare.sh                 # seed shape 100x100x3: training + inference, cnn4j (each backend) vs PyTorch
#   FASHION=1 bench/compare.sh       # also the Fashion-MNIST shape (PyTorch: 3 real epochs, ~3 min)
#   BACKENDS="vector" THREADS=2 bench/compare.sh
#
# Needs: /usr/bin/python3 with torch (apt-get install -y python3-torch libopenblas0-pthread),
# the peer scripts in $PEER_DIR (default: ../shared/bench next to the checkout).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEER_DIR="${PEER_DIR:-$root/../shared/bench}"
THREADS="${THREADS:-2}"
BACKENDS="${BACKENDS:-vector openblas}"
PY="${PY:-/usr/bin/python3}"
# QUICK=1: tiny counts, to check that the script works (numbers meaningless)
if [ "${QUICK:-0}" = 1 ]; then W=1; I=2; R=2; IF=2; else W=5; I=10; R=7; IF=20; fi
out="${OUT_DIR:-$(mktemp -d /tmp/cnn4j-compare.XXXXXX)}"
mkdir -p "$out"
echo "results in $out" >&2

# build once, outside the timed runs
"$root/cnn4j" --version >/dev/null

for b in $BACKENDS; do
  echo "cnn4j bench vgg-like 100x100x3, backend $b ..." >&2
  "$root/cnn4j" bench --backend "$b" --threads "$THREADS" --batch 32 --warmup $W --iters $I --repeats $R \
      --profile --json --out "$out/cnn4j-seed-$b.json" >/dev/null
done
if [ -f "$PEER_DIR/seed_bench.py" ]; then
  echo "PyTorch seed_bench train/infer ..." >&2
  # peak RSS of the training process via GNU time (KiB), as cnn4j reports VmHWM
  (cd "$PEER_DIR" && /usr/bin/time -f "%M" -o "$out/pt-train.maxrss" "$PY" seed_bench.py train --iters $I --repeats $R --warmup $W \
      --threads "$THREADS" --out "$out/pt-train.json" >/dev/null)
  (cd "$PEER_DIR" && "$PY" seed_bench.py infer --iters $IF --repeats $R --warmup $W --threads "$THREADS" --out "$out/pt-infer.json" >/dev/null)
else
  echo "no $PEER_DIR/seed_bench.py: PyTorch skipped" >&2
fi
if [ "${FASHION:-0}" = 1 ]; then
  for b in $BACKENDS; do
    echo "cnn4j bench fashion 28x28x1, backend $b ..." >&2
    "$root/cnn4j" bench --model fashion --backend "$b" --threads "$THREADS" --batch 32 --warmup 20 --iters 50 --repeats 7 \
        --json --out "$out/cnn4j-fashion-$b.json" >/dev/null
  done
  if [ -f "$PEER_DIR/fashion.py" ]; then
    echo "PyTorch fashion.py (3 epochs) ..." >&2
    (cd "$PEER_DIR" && "$PY" fashion.py --placement after-pool --epochs 3 --no-eval --threads "$THREADS" --out "$out/pt-fashion.json" >/dev/null)
  fi
fi

"$PY" - "$out" <<'PYEOF'
import json, os, sys
d = sys.argv[1]
def load(name):
    p = os.path.join(d, name)
    return json.load(open(p)) if os.path.exists(p) else None
rows = []
for f in sorted(os.listdir(d)):
    if f.startswith("cnn4j-seed-"):
        r = load(f)
        for mode in ("train", "infer"):
            m = r.get(mode)
            if m:
                rss = r.get("peak_rss_mib_after_train", r["peak_rss_mib"]) if mode == "train" else r["peak_rss_mib"]
                rows.append((f"cnn4j {r['backend']}", "seed 100x100x3", mode, m["images_per_s_median"], m["images_per_s_max"],
                             m["gflops_at_median"], rss, r["loadavg"].split()[0]))
for mode in ("train", "infer"):
    r = load(f"pt-{mode}.json")
    if r:
        rss = float("nan")
        rp = os.path.join(d, f"pt-{mode}.maxrss")
        if os.path.exists(rp):
            rss = int(open(rp).read().split()[-1]) / 1024
        rows.append(("pytorch", "seed 100x100x3", mode, r["images_per_s_median"], r["images_per_s_max"], r["gflops_at_median"],
                     rss, r["loadavg1_before_repeat"][0]))
for f in sorted(os.listdir(d)):
    if f.startswith("cnn4j-fashion-"):
        r = load(f)
        m = r["train"]
        rows.append((f"cnn4j {r['backend']}", "fashion 28x28x1", "train", m["images_per_s_median"], m["images_per_s_max"],
                     m["gflops_at_median"], r["peak_rss_mib"], r["loadavg"].split()[0]))
r = load("pt-fashion.json")
if r:
    rows.append(("pytorch", "fashion 28x28x1", "train (epoch)", 60000 / r["epoch_seconds_median"], r["train_images_per_s_at_min"],
                 r["train_gflops_at_min_epoch"], float("nan"), str(r["epochs_hist"][0].get("loadavg1_before", "?"))))
print(f"{'who':<16} {'workload':<16} {'mode':<14} {'img/s med':>10} {'img/s max':>10} {'GFLOP/s':>8} {'RSS MiB':>8} {'load1':>6}")
for w, wl, mode, med, mx, gf, rss, la in rows:
    print(f"{w:<16} {wl:<16} {mode:<14} {med:>10.1f} {mx:>10.1f} {gf:>8.1f} {rss:>8.0f} {la:>6}")
for f in sorted(os.listdir(d)):
    if f.startswith("cnn4j-seed-"):
        r = load(f)
        g = r["gemm"]
        print(f"\ncnn4j {r['backend']}: SGEMM on the model's forward products {g['gflops_forward_products']:.1f} GFLOP/s; "
              f"heap allocated per training batch {r['train'].get('allocated_bytes_per_batch', float('nan')) / 1024:.1f} KB; "
              f"per-layer ms/batch (forward / backward):")
        for p in r.get("profile", []):
            print(f"  {p['layer']:<18} {p['type']:<16} {p['forward_ms']:8.2f} {p['backward_ms']:8.2f}")
print("\nRSS: cnn4j VmHWM after the training phase (train row) and of the whole run (infer row); PyTorch max RSS of the training process (GNU time). "
      "The fashion row for PyTorch is 60000 / median epoch seconds (includes data handling), cnn4j's is steady-state "
      "trainOnBatch throughput.")
PYEOF
