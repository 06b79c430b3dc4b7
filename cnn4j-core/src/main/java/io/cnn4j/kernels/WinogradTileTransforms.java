package io.cnn4j.kernels;

/**
 * The four per-tile transforms of Winograd F(2×2, 3×3), each over all channels of one tile; no Keras counterpart. Images
 * are NHWC, so a tile's channels are contiguous and each transform is a loop over them with the
 * 16 values of the tile held in locals. {@link Scalar} is the reference; {@code VectorTileTransforms}
 * does the same arithmetic in the same order with the Vector API, 16 channels at a time
 * (measured ≈ 5× faster: the transforms, not the GEMMs, are most of the scalar path's time).
 *
 * <p>Matrices: Bᵀ maps (d0..d3) to (d0−d2, d1+d2, d2−d1, d1−d3); Aᵀ maps (m0..m3) to
 * (m0+m1+m2, m1−m2−m3). Layouts: ξ = 4·i + j for the position (i, j) in the 4×4 tile, with
 * stride {@code vs}/{@code ms} between positions.
 */
public interface WinogradTileTransforms {

    // src: 4×4 pixels of c channels at base (rows rowStride apart) -> v[vo + ξ·vs + e] = (Bᵀ d B)_ξ; scratch: room for 16 vectors
    void input(float[] src, int base, int rowStride, int c, float[] v, int vo, int vs, float[] scratch);

    /*
     * src: a run of `tiles` tiles side by side, tile i's 4×4 pixels at base + 2·i·c -> tile i to
     * v[vo + i·c + ξ·vs + e], each with the bits of input(); scratch: room for (2·tiles + 2)·4
     * vectors (and at least 16). Neighbouring tiles share two of their four columns, so a run can
     * do each column's Bᵀ once instead of twice.
     */
    default void inputRun(float[] src, int base, int rowStride, int c, int tiles, float[] v, int vo, int vs, float[] scratch) {
        for (int i = 0; i < tiles; i++) {
            input(src, base + 2 * i * c, rowStride, c, v, vo + i * c, vs, scratch);
        }
    }

    // m[mo + ξ·ms + e], f channels -> y: the rows×cols (1 or 2 each) top-left part of Aᵀ M A, at yo (rows yRow apart)
    void output(float[] m, int mo, int ms, int f, float[] y, int yo, int yRow, int rows, int cols);

    // dy: the rows×cols part of a 2×2 block at o (zero beyond it) -> m[mo + ξ·ms + e] = (A dY Aᵀ)_ξ
    void outputGradient(float[] dy, int o, int yRow, int f, int rows, int cols, float[] m, int mo, int ms);

    // v[vo + ξ·vs + e] = dV -> acc: 4×4 pixels of c channels at base += B dV Bᵀ; scratch: room for 16 vectors
    void inputGradient(float[] v, int vo, int vs, int c, float[] acc, int base, int rowStride, float[] scratch);

    /** The Vector API transforms when {@code jdk.incubator.vector} is readable, else {@link Scalar}. */
    static WinogradTileTransforms best() {
        return VectorGemmProvider.vectorOr(WinogradTileTransforms.class, "io.cnn4j.kernels.VectorTileTransforms", Scalar::new);
    }

    /** Plain loops; the reference, and the vector version's tail (channels from {@code e0} on). */
    final class Scalar implements WinogradTileTransforms {
        @Override
        public void input(float[] src, int base, int rowStride, int c, float[] v, int vo, int vs, float[] scratch) {
            input(src, base, rowStride, c, v, vo, vs, 0);
        }

        @Override
        public void output(float[] m, int mo, int ms, int f, float[] y, int yo, int yRow, int rows, int cols) {
            output(m, mo, ms, f, y, yo, yRow, rows, cols, 0);
        }

        @Override
        public void outputGradient(float[] dy, int o, int yRow, int f, int rows, int cols, float[] m, int mo, int ms) {
            outputGradient(dy, o, yRow, f, rows, cols, m, mo, ms, 0);
        }

        @Override
        public void inputGradient(float[] v, int vo, int vs, int c, float[] acc, int base, int rowStride, float[] scratch) {
            inputGradient(v, vo, vs, c, acc, base, rowStride, 0);
        }

        static void input(float[] s, int base, int rs, int c, float[] v, int vo, int vs, int e0) {
            for (int e = e0; e < c; e++) {
                int p = base + e;
                // Bᵀ down each of the 4 columns (j), then along each of the 4 rows
                float a00 = s[p] - s[p + 2 * rs], a10 = s[p + rs] + s[p + 2 * rs];
                float a20 = s[p + 2 * rs] - s[p + rs], a30 = s[p + rs] - s[p + 3 * rs];
                p += c;
                float a01 = s[p] - s[p + 2 * rs], a11 = s[p + rs] + s[p + 2 * rs];
                float a21 = s[p + 2 * rs] - s[p + rs], a31 = s[p + rs] - s[p + 3 * rs];
                p += c;
                float a02 = s[p] - s[p + 2 * rs], a12 = s[p + rs] + s[p + 2 * rs];
                float a22 = s[p + 2 * rs] - s[p + rs], a32 = s[p + rs] - s[p + 3 * rs];
                p += c;
                float a03 = s[p] - s[p + 2 * rs], a13 = s[p + rs] + s[p + 2 * rs];
                float a23 = s[p + 2 * rs] - s[p + rs], a33 = s[p + rs] - s[p + 3 * rs];
                int q = vo + e;
                v[q] = a00 - a02;
                v[q + vs] = a01 + a02;
                v[q + 2 * vs] = a02 - a01;
                v[q + 3 * vs] = a01 - a03;
                v[q + 4 * vs] = a10 - a12;
                v[q + 5 * vs] = a11 + a12;
                v[q + 6 * vs] = a12 - a11;
                v[q + 7 * vs] = a11 - a13;
                v[q + 8 * vs] = a20 - a22;
                v[q + 9 * vs] = a21 + a22;
                v[q + 10 * vs] = a22 - a21;
                v[q + 11 * vs] = a21 - a23;
                v[q + 12 * vs] = a30 - a32;
                v[q + 13 * vs] = a31 + a32;
                v[q + 14 * vs] = a32 - a31;
                v[q + 15 * vs] = a31 - a33;
            }
        }

        static void output(float[] m, int mo, int ms, int f, float[] y, int yo, int yRow, int rows, int cols, int e0) {
            for (int e = e0; e < f; e++) {
                int q = mo + e;
                // Aᵀ down each column j: (t0j, t1j), then along the rows
                float t00 = m[q] + m[q + 4 * ms] + m[q + 8 * ms], t10 = m[q + 4 * ms] - m[q + 8 * ms] - m[q + 12 * ms];
                q += ms;
                float t01 = m[q] + m[q + 4 * ms] + m[q + 8 * ms], t11 = m[q + 4 * ms] - m[q + 8 * ms] - m[q + 12 * ms];
                q += ms;
                float t02 = m[q] + m[q + 4 * ms] + m[q + 8 * ms], t12 = m[q + 4 * ms] - m[q + 8 * ms] - m[q + 12 * ms];
                q += ms;
                float t03 = m[q] + m[q + 4 * ms] + m[q + 8 * ms], t13 = m[q + 4 * ms] - m[q + 8 * ms] - m[q + 12 * ms];
                int o = yo + e;
                y[o] = t00 + t01 + t02;
                if (cols == 2) {
                    y[o + f] = t01 - t02 - t03;
                }
                if (rows == 2) {
                    y[o + yRow] = t10 + t11 + t12;
                    if (cols == 2) {
                        y[o + yRow + f] = t11 - t12 - t13;
                    }
                }
            }
        }

        static void outputGradient(float[] dy, int o, int yRow, int f, int rows, int cols, float[] m, int mo, int ms, int e0) {
            for (int e = e0; e < f; e++) {
                int p = o + e;
                float g00 = dy[p];
                float g01 = cols == 2 ? dy[p + f] : 0f;
                float g10 = rows == 2 ? dy[p + yRow] : 0f;
                float g11 = rows == 2 && cols == 2 ? dy[p + yRow + f] : 0f;
                // A maps (g0, g1) to (g0, g0+g1, g0−g1, −g1): along the rows of the block, then down its columns
                float r00 = g00, r01 = g00 + g01, r02 = g00 - g01, r03 = -g01;
                float r10 = g10, r11 = g10 + g11, r12 = g10 - g11, r13 = -g11;
                int q = mo + e;
                m[q] = r00;
                m[q + ms] = r01;
                m[q + 2 * ms] = r02;
                m[q + 3 * ms] = r03;
                m[q + 4 * ms] = r00 + r10;
                m[q + 5 * ms] = r01 + r11;
                m[q + 6 * ms] = r02 + r12;
                m[q + 7 * ms] = r03 + r13;
                m[q + 8 * ms] = r00 - r10;
                m[q + 9 * ms] = r01 - r11;
                m[q + 10 * ms] = r02 - r12;
                m[q + 11 * ms] = r03 - r13;
                m[q + 12 * ms] = -r10;
                m[q + 13 * ms] = -r11;
                m[q + 14 * ms] = -r12;
                m[q + 15 * ms] = -r13;
            }
        }

        static void inputGradient(float[] v, int vo, int vs, int c, float[] acc, int base, int rs, int e0) {
            for (int e = e0; e < c; e++) {
                int q = vo + e;
                // B maps (v0..v3) to (v0, v1−v2+v3, v1+v2−v0, −v3): along each row i of dV, then down the columns
                float b00 = v[q], b01 = v[q + vs] - v[q + 2 * vs] + v[q + 3 * vs];
                float b02 = v[q + vs] + v[q + 2 * vs] - v[q], b03 = -v[q + 3 * vs];
                q += 4 * vs;
                float b10 = v[q], b11 = v[q + vs] - v[q + 2 * vs] + v[q + 3 * vs];
                float b12 = v[q + vs] + v[q + 2 * vs] - v[q], b13 = -v[q + 3 * vs];
                q += 4 * vs;
                float b20 = v[q], b21 = v[q + vs] - v[q + 2 * vs] + v[q + 3 * vs];
                float b22 = v[q + vs] + v[q + 2 * vs] - v[q], b23 = -v[q + 3 * vs];
                q += 4 * vs;
                float b30 = v[q], b31 = v[q + vs] - v[q + 2 * vs] + v[q + 3 * vs];
                float b32 = v[q + vs] + v[q + 2 * vs] - v[q], b33 = -v[q + 3 * vs];
                int p = base + e;
                acc[p] += b00;
                acc[p + c] += b01;
                acc[p + 2 * c] += b02;
                acc[p + 3 * c] += b03;
                p += rs;
                acc[p] += b10 - b20 + b30;
                acc[p + c] += b11 - b21 + b31;
                acc[p + 2 * c] += b12 - b22 + b32;
                acc[p + 3 * c] += b13 - b23 + b33;
                p += rs;
                acc[p] += b10 + b20 - b00;
                acc[p + c] += b11 + b21 - b01;
                acc[p + 2 * c] += b12 + b22 - b02;
                acc[p + 3 * c] += b13 + b23 - b03;
                p += rs;
                acc[p] -= b30;
                acc[p + c] -= b31;
                acc[p + 2 * c] -= b32;
                acc[p + 3 * c] -= b33;
            }
        }
    }
}
