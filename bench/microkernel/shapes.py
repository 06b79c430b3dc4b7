#!/usr/bin/env python3
"""Register-block shapes of a Vector API micro-kernel, in cache, on one thread: what a CPU gives to
R rows x V vectors of accumulators (R broadcasts of A and V vector loads of B per k step, R*V FMAs),
and to the same loop without the B loads or without the broadcasts. No cnn4j code: a stand-alone
Java file written into a temporary folder, compiled and run, so the numbers are the JIT's and the
CPU's alone (A packed k-major, B packed, k = 256, operands in L1/L2, best of 7 timed windows).

    python3 bench/microkernel/shapes.py                 # the default shapes
    python3 bench/microkernel/shapes.py 6x2 14x2 6x4    # chosen shapes
Compare the GFLOP/s with the one-thread FMA peak (`cnn4j bench` prints it).
"""
import os
import subprocess
import sys
import tempfile


def kernel(r, v):
    n = r * v
    L = [f"  static float r{r}x{v}(float[] a, float[] b, int kb) {{",
         "    FloatVector z = FloatVector.zero(S); FloatVector " + ", ".join(f"c{i} = z" for i in range(n)) + ";",
         f"    for (int p = 0; p < kb; p++) {{ int i = {r} * p; int j = {16 * v} * p;",
         "      " + " ".join(f"FloatVector b{q} = FloatVector.fromArray(S, b, j + {16 * q});" for q in range(v))]
    for row in range(r):
        L.append(f"      {{ FloatVector av = FloatVector.broadcast(S, a[i + {row}]); "
                 + " ".join(f"c{row * v + q} = av.fma(b{q}, c{row * v + q});" for q in range(v)) + " }")
    L.append("    }")
    L.append("    return " + ".add(".join(f"c{i}" for i in range(n)) + ")" * (n - 1) + ".reduceLanes(VectorOperators.ADD);")
    L.append("  }")
    return "\n".join(L)


def only(name, r, v, loads_b):
    """6x2-like loop with only the broadcasts (B in registers) or only the B loads (A in registers)."""
    n = r * v
    L = [f"  static float {name}(float[] a, float[] b, int kb) {{",
         "    FloatVector z = FloatVector.zero(S); FloatVector " + ", ".join(f"c{i} = z" for i in range(n)) + ";"]
    if loads_b:
        L.append("    " + " ".join(f"FloatVector a{row} = FloatVector.broadcast(S, a[{row}]);" for row in range(r)))
    else:
        L.append("    " + " ".join(f"FloatVector b{q} = FloatVector.fromArray(S, b, {16 * q});" for q in range(v)))
    L.append(f"    for (int p = 0; p < kb; p++) {{ int i = {r} * p; int j = {16 * v} * p;")
    if loads_b:
        L.append("      " + " ".join(f"FloatVector b{q} = FloatVector.fromArray(S, b, j + {16 * q});" for q in range(v)))
    for row in range(r):
        av = f"a{row}" if loads_b else f"FloatVector.broadcast(S, a[i + {row}])"
        L.append(f"      {{ FloatVector av = {av}; " + " ".join(f"c{row * v + q} = av.fma(b{q}, c{row * v + q});" for q in range(v)) + " }")
    L.append("    }")
    L.append("    return " + ".add(".join(f"c{i}" for i in range(n)) + ")" * (n - 1) + ".reduceLanes(VectorOperators.ADD);")
    L.append("  }")
    return "\n".join(L)


shapes = sys.argv[1:] or ["6x2", "8x2", "12x2", "14x2", "4x3", "8x3", "4x4", "6x4"]
parsed = [tuple(int(x) for x in s.split("x")) for s in shapes]
body = "\n".join(kernel(r, v) for r, v in parsed)
body += "\n" + only("bcastOnly6x2", 6, 2, False) + "\n" + only("loadsOnly6x2", 6, 2, True)
cases = " ".join(f'case "{r}x{v}" -> {{ s += r{r}x{v}(a, b, kb); f = {r * v}; }}' for r, v in parsed)
cases += ' case "6x2-broadcasts-only" -> { s += bcastOnly6x2(a, b, kb); f = 12; }'
cases += ' case "6x2-B-loads-only" -> { s += loadsOnly6x2(a, b, kb); f = 12; }'
src = f"""import jdk.incubator.vector.*;
public class Shapes {{
  static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
{body}
  public static void main(String[] x) {{
    String v = x[0]; int kb = 256; float[] a = new float[16 * kb + 16], b = new float[64 * kb + 64];
    java.util.Arrays.fill(a, 1e-3f); java.util.Arrays.fill(b, 1e-3f);
    double best = 0; float s = 0; int f = 0;
    for (int rep = 0; rep < 10; rep++) {{
      long t = System.nanoTime(); long it = 0;
      while (System.nanoTime() - t < 200_000_000L) {{ switch (v) {{ {cases} default -> throw new IllegalArgumentException(v); }} it++; }}
      double g = 2.0 * f * 16 * kb * it / ((System.nanoTime() - t) / 1e9) / 1e9;
      if (rep > 2) best = Math.max(best, g);
    }}
    System.out.printf("%-22s %2d accumulators  %6.1f GFLOP/s%s%n", v, f, best, s > 0 ? "" : " ");
  }}
}}
"""
d = tempfile.mkdtemp(prefix="cnn4j-shapes.")
open(os.path.join(d, "Shapes.java"), "w").write(src)
subprocess.run(["javac", "--add-modules", "jdk.incubator.vector", "-d", d, os.path.join(d, "Shapes.java")],
               check=True, stderr=subprocess.DEVNULL)
for name in shapes + ["6x2-broadcasts-only", "6x2-B-loads-only"]:
    subprocess.run(["java", "--add-modules", "jdk.incubator.vector", "-cp", d, "Shapes", name], check=True,
                   stderr=subprocess.DEVNULL)
