#!/usr/bin/env bash
# A fixed split of a convolution over the 2 vCPUs vs chunks to whichever thread is free, interleaved
# in one process (see bench/thread-balance/ThreadBalance.java): shows when one vCPU runs slower
# than the other and what that costs each way.
#   bench/thread-balance.sh [ROUNDS]        # default 200 (about 15 s)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/cnn4j" --version >/dev/null   # builds the jar if needed
jar="$root/cnn4j-cli/target/cnn4j.jar"
out="$(mktemp -d /tmp/cnn4j-thread-balance.XXXXXX)"
javac --add-modules jdk.incubator.vector -nowarn -cp "$jar" -d "$out" "$root/bench/thread-balance/ThreadBalance.java" 2>/dev/null
java --add-modules jdk.incubator.vector -cp "$jar:$out" ThreadBalance "$@" 2>&1 | sed "s/WARNING: Using incubator modules: jdk.incubator.vector//" | grep -v "^$"
