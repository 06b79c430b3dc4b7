#!/usr/bin/env python3
"""Writes VectorGemmRows6.java and VectorGemmRows14.java: VectorGemm's micro-kernels for a block of
6 rows of C (12 accumulator vectors: fits 16 vector registers; all six) and of 14 rows (28: needs
32, AVX-512; the two for A read at depth stride 1, the only products VectorGemm gives 14 rows).
They are written out, one local variable per accumulator, because the Vector API keeps a vector in
a register only as a local. Every variant has the same FMA chain per element of
C (over p in order, from +0 or from C's value), so the row count changes speed only.
Run from the repository root:

    python3 cnn4j-core/src/main/python/gen_micro_kernels.py
"""
import pathlib

DIR = pathlib.Path("cnn4j-core/src/main/java/io/cnn4j/kernels")


def kernel(rows, name, store, mode, doc):
    """mode: "unit" (A in place, depth stride 1, rows rs apart), "strided" (any strides, rows past
    `rows` re-read the last real row) or "adjacent" (op(A) = Aᵀ: a whole block's rows adjacent in
    memory, depth stride ks)."""
    if mode == "adjacent":
        args = "int kb, float[] a, int aIdx, int ks, float[] pb, int bOff, int bs,\n            float[] c, int cIdx, int ldc"
    else:
        args = "int kb, float[] a, int aIdx, int rs, " + ("int ks, " if mode == "strided" else "") + \
            "int rows, float[] pb, int bOff, int bs,\n            float[] c, int cIdx, int ldc"
    L = [f"    /** {doc} */", f"    static void {name}({args}) {{"]
    for r in range(rows):
        if store:
            L.append(f"        FloatVector c{r}x0 = FloatVector.zero(S), c{r}x1 = FloatVector.zero(S);")
        else:
            L.append(f"        FloatVector c{r}x0 = FloatVector.fromArray(S, c, cIdx + {r} * ldc), "
                     f"c{r}x1 = FloatVector.fromArray(S, c, cIdx + {r} * ldc + VL);")
    if mode != "adjacent":
        L.append("        int a0 = aIdx;")
        for r in range(1, rows):
            L.append(f"        int a{r} = aIdx + Math.min({r}, rows - 1) * rs;")
    L.append("        for (int p = 0; p < kb; p++) {")
    L.append("            int bi = bOff + p * bs;")
    if mode == "strided":
        L.append("            int q = p * ks;")
    elif mode == "adjacent":
        L.append("            int q = aIdx + p * ks;")
    L.append("            FloatVector b0 = FloatVector.fromArray(S, pb, bi);")
    L.append("            FloatVector b1 = FloatVector.fromArray(S, pb, bi + VL);")
    for r in range(rows):
        decl = "FloatVector av" if r == 0 else "av"
        index = {"unit": f"a{r} + p", "strided": f"a{r} + q", "adjacent": f"q + {r}"}[mode]
        L.append(f"            {decl} = FloatVector.broadcast(S, a[{index}]);")
        L.append(f"            c{r}x0 = av.fma(b0, c{r}x0);")
        L.append(f"            c{r}x1 = av.fma(b1, c{r}x1);")
    L.append("        }")
    for r in range(rows):
        L.append(f"        c{r}x0.intoArray(c, cIdx + {r} * ldc);")
        L.append(f"        c{r}x1.intoArray(c, cIdx + {r} * ldc + VL);")
    L.append("    }")
    return "\n".join(L)


HEAD = """package io.cnn4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorGemm}'s micro-kernels for a block of ROWS rows of C and two vectors of columns
 * (ROWS × 2 accumulators), the kernel variant {@link KernelTuning#gemmRows()} = ROWS (WHICH): an
 * mr×NR block of C += (or =) op(A)[rows, kb] · packed B panel [kb, NR], alpha folded into the
 * packed B. Per step of k: two vectors of B loaded, ROWS values of A broadcast, FMAS FMAs. Each
 * element of C is one FMA chain over k in order, from +0 or from C, in every variant, so the
 * variant never changes a bit.
 *
 * <p>Separate copies rather than one with flags, and no data-dependent branch inside any: a branch
 * first taken late (a new edge case or beta) would deoptimise the kernel into code that boxes every
 * vector until C2 recompiles it (measured: tens of MB of garbage per call). Rows past {@code rows}
 * re-read the last real row of A (never out of bounds); they are computed but land only in the
 * edge tile's unused rows. The unit-depth copies are for op(A) with depth stride 1 (A untransposed:
 * the forward products of im2col and Winograd, the dense layer): with the stride a constant 1, C2
 * hoists the range checks on A out of the k loop; with a variable stride it cannot, and they cost
 * ≈ 13% of the kernel (measured in a stand-alone kernel, 120×32×32 on Zen 3: 61 → 70 GFLOP/s on one
 * thread). The adjacent copies are for a whole block of op(A) = Aᵀ (a weight gradient), whose rows
 * lie next to each other: one index per k step and constant offsets instead of ROWS row addresses
 * (measured on Intel Xeon family 6 model 167, one thread: Winograd's kernel-gradient product
 * 32 × 32 × 126 per ξ from 96–98 to 108–111 GFLOP/s; a two-thread 576 × 64 × 4608 product 2.81–2.98
 * → 2.42–2.61 ms; `cnn4j bench --mode train`, jars without and with them in 6 alternating pairs:
 * faster in 6, by 0.4–8.5%, median 2.2%); an edge block keeps the strided copy, which never reads
 * past its last real row.
 *
 * <p>Generated by {@code cnn4j-core/src/main/python/gen_micro_kernels.py}; edit that, not this.
 */
final class VectorGemmRowsROWS {
    static final int MR = ROWS;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    private VectorGemmRowsROWS() {
    }
"""

WHICH = {
    6: "the default; 12 accumulators fit 16 vector registers (AVX2)",
    14: "for CPUs with 32 vector registers (AVX-512), where KernelTuner measures it",
}

for rows in (6, 14):
    head = HEAD.replace("WHICH", WHICH[rows]).replace("FMAS", str(2 * rows)).replace("ROWS", str(rows))
    body = []
    if rows == 6:
        # op(A) = Aᵀ (a weight gradient) always takes 6 rows (VectorGemm.rowsFor)
        body += [
            kernel(rows, "microStore", True, "strided", f"C block ({rows} × 2 vectors) = op(A) · packed B, any depth stride (C is not read)."),
            kernel(rows, "microAccumulate", False, "strided", "C block += op(A) · packed B, any depth stride."),
            kernel(rows, "microStoreAdjacent", True, "adjacent", f"C block = op(A) · packed B, op(A) = Aᵀ: the block's {rows} rows adjacent, depth stride ks (C is not read)."),
            kernel(rows, "microAccumulateAdjacent", False, "adjacent", f"C block += op(A) · packed B, op(A) = Aᵀ: the block's {rows} rows adjacent, depth stride ks."),
        ]
    body += [
        kernel(rows, "microStoreUnitDepth", True, "unit", "C block = A · packed B, A's depth stride 1 (C is not read)."),
        kernel(rows, "microAccumulateUnitDepth", False, "unit", "C block += A · packed B, A's depth stride 1."),
    ]
    out = DIR / f"VectorGemmRows{rows}.java"
    out.write_text(head + "\n" + "\n\n".join(body) + "\n}\n")
    print("wrote", out)
