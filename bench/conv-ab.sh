#!/usr/bin/env bash
# A/B of two convolution algorithms on one layer shape, interleaved in one process (see
# bench/conv-ab/ConvAB.java). Defaults: the first layers of vgg-like (100x100x3 -> 32, batch 32) and
# of the Fashion-MNIST net (28x28x1 -> 32, batch 64), im2col vs direct, 2 threads, forward and
# kernel gradient (a first layer's backward).
#   bench/conv-ab.sh                      # both default shapes
#   bench/conv-ab.sh 98 32 32 32 2 im2col winograd forward
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/cnn4j" --version >/dev/null   # builds the jar if needed
jar="$root/cnn4j-cli/target/cnn4j.jar"
out="$(mktemp -d /tmp/cnn4j-conv-ab.XXXXXX)"
javac --add-modules jdk.incubator.vector -nowarn -cp "$jar" -d "$out" "$root/bench/conv-ab/ConvAB.java" 2>/dev/null
run() { java --add-modules jdk.incubator.vector -cp "$jar:$out" ConvAB "$@" 2>&1 | grep -v "^WARNING: Using incubator"; }
if [ $# -gt 0 ]; then
  run "$@"
else
  for what in forward kernel-gradient; do
    run 100 3 32 32 2 im2col direct $what
    run 28 1 32 64 2 im2col direct $what
  done
fi
