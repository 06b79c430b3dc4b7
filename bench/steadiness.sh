#!/usr/bin/env bash
# Run-to-run steadiness: N fresh `cnn4j bench` processes in a row (default 10), each its own JVM, and
# the spread of their medians per mode: min vs median (the issue's "within 5%") and max vs median.
# Extra JVM flags to try (for finding the cause of a spread) go in CNN4J_JAVA_OPTS, e.g.
#   CNN4J_JAVA_OPTS="-XX:ObjectAlignmentInBytes=64" bench/steadiness.sh 10
#   N=10 ARGS="--mode infer" bench/steadiness.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-${N:-10}}"
ARGS="${ARGS:-}"
out="$(mktemp -d /tmp/cnn4j-steadiness.XXXXXX)"
"$root/cnn4j" --version >/dev/null
for i in $(seq 1 "$N"); do
  "$root/cnn4j" bench --threads 2 --no-fma-peak $ARGS --json --out "$out/run-$i.json" >/dev/null 2>"$out/run-$i.err"
done
/usr/bin/python3 - "$out" "$N" <<'PYEOF'
import json, os, statistics, sys
d, n = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(os.path.join(d, f"run-{i}.json"))) for i in range(1, n + 1)]
print(f"{n} fresh processes, JVM options: {os.environ.get('CNN4J_JAVA_OPTS', '(none)')}; results in {d}")
for mode in ("train", "infer"):
    v = [r[mode]["images_per_s_median"] for r in runs if mode in r]
    if not v:
        continue
    med = statistics.median(v)
    print(f"{mode}: median {med:.1f} img/s, min {min(v):.1f} ({100 * (min(v) / med - 1):+.1f}%), max {max(v):.1f} ({100 * (max(v) / med - 1):+.1f}%)"
          f"   runs: {', '.join(f'{x:.1f}' for x in v)}")
print("load average after the last run:", runs[-1]["loadavg"])
PYEOF
