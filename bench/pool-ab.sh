#!/usr/bin/env bash
# MaxPooling2D: training forward (winning cells recorded) vs inference forward (maxima only), in one
# process, interleaved (bench/pool-ab/PoolAB.java; vgg-like's first pool, batch 32, 2 threads).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/cnn4j" --version >/dev/null   # builds the jar if needed
jar="$root/cnn4j-cli/target/cnn4j.jar"
out="$(mktemp -d /tmp/cnn4j-pool-ab.XXXXXX)"
javac -nowarn -cp "$jar" -d "$out" "$root/bench/pool-ab/PoolAB.java" 2>/dev/null
java --add-modules jdk.incubator.vector -cp "$jar:$out" io.cnn4j.layers.PoolAB 2>&1 | grep -v "^WARNING: Using incubator"
