package io.cnn4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WinogradTileTransforms} with the Vector API: the same arithmetic as
 * {@link WinogradTileTransforms.Scalar}, in the same order (so the same bits), a vector of channels
 * at a time; the channels past the last whole vector go through the scalar code. Loaded by
 * reflection only when {@code jdk.incubator.vector} is readable (see {@link VectorGemmProvider}).
 *
 * <p>No vector crosses a method of ours: every method here takes and returns arrays only, and
 * calls nothing but the Vector API's own (force-inlined) methods on vectors. A helper such as
 * {@code load(a, i)} returning a vector is inlined only while C2's inlining budget of the method
 * being compiled lasts; where it runs out (a caller compiled with this code inlined deep inside it,
 * which depends on compile order), the helper is called and every vector it returns is a heap
 * object: 28 boxed vectors per tile, seen in CI as 45 KB per image. {@code SteadyStateAllocationTest}
 * also runs with no method of this package inlined anywhere (see the core pom), which such a
 * helper fails at once.
 */
final class VectorTileTransforms implements WinogradTileTransforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    /** One tile: a run of one (its four columns, then its four rows; scratch of 16 vectors suffices). */
    @Override
    public void input(float[] s, int base, int rs, int c, float[] v, int vo, int vs, float[] scratch) {
        inputRun(s, base, rs, c, 1, v, vo, vs, scratch);
    }

    /*
     * A run of tiles: for each vector of channels, Bᵀ down every column of the run once (a column
     * is shared by two neighbouring tiles), then each tile's rows from its four columns: the same
     * operations on the same values as the scalar input() tile by tile, so the same bits.
     *
     * Two passes through the caller's scratch, a column or a row per loop step, rather than one
     * step of 16 loads, 32 operations and 16 stores per tile: written that way, C2 (JDK 17) ran out
     * of its budget for the Vector API intrinsics at the last stores of the method, and every vector
     * they stored was a heap object (seen: 114 MB per batch of 32 in vgg-like's inference, in every
     * process, after an unrelated change elsewhere shifted the budget).
     */
    @Override
    public void inputRun(float[] s, int base, int rs, int c, int tiles, float[] v, int vo, int vs, float[] scratch) {
        int cols = 2 * tiles + 2;
        int e = 0;
        for (; e <= c - VL; e += VL) {
            runColumns(s, base + e, rs, c, cols, scratch);
            for (int t = 0; t < tiles; t++) {
                runRows(scratch, 2 * t, v, vo + t * c + e, vs);
            }
        }
        if (e < c) {
            for (int t = 0; t < tiles; t++) {
                Scalar.input(s, base + 2 * t * c, rs, c, v, vo + t * c, vs, e);
            }
        }
    }

    // columns 0..cols−1 of the run (rows d0..d3, rs apart; columns c apart) -> scratch[(4·col + i)·VL] = (Bᵀ d)_i of that column
    private static void runColumns(float[] s, int p, int rs, int c, int cols, float[] scratch) {
        for (int j = 0; j < cols; j++, p += c) {
            FloatVector d0 = FloatVector.fromArray(S, s, p), d1 = FloatVector.fromArray(S, s, p + rs);
            FloatVector d2 = FloatVector.fromArray(S, s, p + 2 * rs), d3 = FloatVector.fromArray(S, s, p + 3 * rs);
            int o = 4 * j * VL;
            d0.sub(d2).intoArray(scratch, o);
            d1.add(d2).intoArray(scratch, o + VL);
            d2.sub(d1).intoArray(scratch, o + 2 * VL);
            d1.sub(d3).intoArray(scratch, o + 3 * VL);
        }
    }

    // row i of Bᵀ d over columns col0..col0+3 (scratch as runColumns wrote it) -> v at positions 4i..4i+3 (vs apart)
    private static void runRows(float[] scratch, int col0, float[] v, int q, int vs) {
        for (int i = 0; i < 4; i++, q += 4 * vs) {
            int o = (4 * col0 + i) * VL;
            FloatVector a0 = FloatVector.fromArray(S, scratch, o), a1 = FloatVector.fromArray(S, scratch, o + 4 * VL);
            FloatVector a2 = FloatVector.fromArray(S, scratch, o + 8 * VL), a3 = FloatVector.fromArray(S, scratch, o + 12 * VL);
            a0.sub(a2).intoArray(v, q);
            a1.add(a2).intoArray(v, q + vs);
            a2.sub(a1).intoArray(v, q + 2 * vs);
            a1.sub(a3).intoArray(v, q + 3 * vs);
        }
    }

    @Override
    public void output(float[] m, int mo, int ms, int f, float[] y, int yo, int yRow, int rows, int cols) {
        if (rows != 2 || cols != 2) {
            // a cropped edge tile: rare, and branches around vector code would make C2 box the vectors
            Scalar.output(m, mo, ms, f, y, yo, yRow, rows, cols, 0);
            return;
        }
        int e = 0;
        for (; e <= f - VL; e += VL) {
            int q = mo + e;
            FloatVector m0 = FloatVector.fromArray(S, m, q), m1 = FloatVector.fromArray(S, m, q + 4 * ms), m2 = FloatVector.fromArray(S, m, q + 8 * ms), m3 = FloatVector.fromArray(S, m, q + 12 * ms);
            FloatVector t00 = m0.add(m1).add(m2), t10 = m1.sub(m2).sub(m3);
            q += ms;
            m0 = FloatVector.fromArray(S, m, q); m1 = FloatVector.fromArray(S, m, q + 4 * ms); m2 = FloatVector.fromArray(S, m, q + 8 * ms); m3 = FloatVector.fromArray(S, m, q + 12 * ms);
            FloatVector t01 = m0.add(m1).add(m2), t11 = m1.sub(m2).sub(m3);
            q += ms;
            m0 = FloatVector.fromArray(S, m, q); m1 = FloatVector.fromArray(S, m, q + 4 * ms); m2 = FloatVector.fromArray(S, m, q + 8 * ms); m3 = FloatVector.fromArray(S, m, q + 12 * ms);
            FloatVector t02 = m0.add(m1).add(m2), t12 = m1.sub(m2).sub(m3);
            q += ms;
            m0 = FloatVector.fromArray(S, m, q); m1 = FloatVector.fromArray(S, m, q + 4 * ms); m2 = FloatVector.fromArray(S, m, q + 8 * ms); m3 = FloatVector.fromArray(S, m, q + 12 * ms);
            FloatVector t03 = m0.add(m1).add(m2), t13 = m1.sub(m2).sub(m3);
            int o = yo + e;
            t00.add(t01).add(t02).intoArray(y, o);
            t01.sub(t02).sub(t03).intoArray(y, o + f);
            t10.add(t11).add(t12).intoArray(y, o + yRow);
            t11.sub(t12).sub(t13).intoArray(y, o + yRow + f);
        }
        if (e < f) {
            Scalar.output(m, mo, ms, f, y, yo, yRow, rows, cols, e);
        }
    }

    @Override
    public void outputGradient(float[] dy, int o, int yRow, int f, int rows, int cols, float[] m, int mo, int ms) {
        if (rows != 2 || cols != 2) {
            // a cropped edge tile: vectors chosen by a branch (a phi) are boxed by C2, measured as
            // megabytes of garbage per image
            Scalar.outputGradient(dy, o, yRow, f, rows, cols, m, mo, ms, 0);
            return;
        }
        int e = 0;
        for (; e <= f - VL; e += VL) {
            int p = o + e;
            FloatVector g00 = FloatVector.fromArray(S, dy, p), g01 = FloatVector.fromArray(S, dy, p + f), g10 = FloatVector.fromArray(S, dy, p + yRow), g11 = FloatVector.fromArray(S, dy, p + yRow + f);
            FloatVector r00 = g00, r01 = g00.add(g01), r02 = g00.sub(g01), r03 = g01.neg();
            FloatVector r10 = g10, r11 = g10.add(g11), r12 = g10.sub(g11), r13 = g11.neg();
            int q = mo + e;
            r00.intoArray(m, q);
            r01.intoArray(m, q + ms);
            r02.intoArray(m, q + 2 * ms);
            r03.intoArray(m, q + 3 * ms);
            r00.add(r10).intoArray(m, q + 4 * ms);
            r01.add(r11).intoArray(m, q + 5 * ms);
            r02.add(r12).intoArray(m, q + 6 * ms);
            r03.add(r13).intoArray(m, q + 7 * ms);
            r00.sub(r10).intoArray(m, q + 8 * ms);
            r01.sub(r11).intoArray(m, q + 9 * ms);
            r02.sub(r12).intoArray(m, q + 10 * ms);
            r03.sub(r13).intoArray(m, q + 11 * ms);
            r10.neg().intoArray(m, q + 12 * ms);
            r11.neg().intoArray(m, q + 13 * ms);
            r12.neg().intoArray(m, q + 14 * ms);
            r13.neg().intoArray(m, q + 15 * ms);
        }
        if (e < f) {
            Scalar.outputGradient(dy, o, yRow, f, rows, cols, m, mo, ms, e);
        }
    }

    /*
     * In two passes through the caller's scratch (16 vectors): done in one method, the 32 live
     * vectors and 16 read-modify-writes exceeded what C2 inlines, and every call boxed ≈ 20
     * vectors (measured: 2 KB of garbage per tile).
     */
    @Override
    public void inputGradient(float[] v, int vo, int vs, int c, float[] acc, int base, int rs, float[] scratch) {
        int e = 0;
        for (; e <= c - VL; e += VL) {
            inputGradientRows(v, vo + e, vs, scratch);
            inputGradientColumns(scratch, acc, base + e, c, rs);
        }
        if (e < c) {
            Scalar.inputGradient(v, vo, vs, c, acc, base, rs, e);
        }
    }

    // dV rows i (positions 4i..4i+3, vs apart) -> scratch[(4i + b)·VL] = (dV_i· Bᵀ)_b
    private static void inputGradientRows(float[] v, int q, int vs, float[] scratch) {
        for (int i = 0; i < 4; i++, q += 4 * vs) {
            FloatVector v0 = FloatVector.fromArray(S, v, q), v1 = FloatVector.fromArray(S, v, q + vs), v2 = FloatVector.fromArray(S, v, q + 2 * vs), v3 = FloatVector.fromArray(S, v, q + 3 * vs);
            int o = 4 * i * VL;
            v0.intoArray(scratch, o);
            v1.sub(v2).add(v3).intoArray(scratch, o + VL);
            v1.add(v2).sub(v0).intoArray(scratch, o + 2 * VL);
            v3.neg().intoArray(scratch, o + 3 * VL);
        }
    }

    // scratch (4 rows × 4 columns of vectors) -> acc: column b of the tile += B applied down it
    private static void inputGradientColumns(float[] scratch, float[] acc, int p, int c, int rs) {
        for (int b = 0; b < 4; b++, p += c) {
            FloatVector b0 = FloatVector.fromArray(S, scratch, b * VL), b1 = FloatVector.fromArray(S, scratch, (4 + b) * VL);
            FloatVector b2 = FloatVector.fromArray(S, scratch, (8 + b) * VL), b3 = FloatVector.fromArray(S, scratch, (12 + b) * VL);
            FloatVector.fromArray(S, acc, p).add(b0).intoArray(acc, p);
            FloatVector.fromArray(S, acc, p + rs).add(b1.sub(b2).add(b3)).intoArray(acc, p + rs);
            FloatVector.fromArray(S, acc, p + 2 * rs).add(b1.add(b2).sub(b0)).intoArray(acc, p + 2 * rs);
            FloatVector.fromArray(S, acc, p + 3 * rs).sub(b3).intoArray(acc, p + 3 * rs);
        }
    }
}
