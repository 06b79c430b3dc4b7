package io.cnn4j.kernels;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Winograd F(2×2, 3×3) against a direct convolution summed in double precision: the output, the
 * input gradient and the kernel gradient, on random sizes (odd and even outputs, so cropped edge
 * tiles), both paddings, channel/filter counts around the GEMM's blocks, and chunks of several tiles.
 */
class WinogradConv3x3Test {

    /** Direct references in double: y = conv(x, g), dx = convᵀ(dy, g), dg = Σ x ⊗ dy. */
    record Reference(double[] y, double[] dx, double[] dg) {
        static Reference of(float[] x, float[] g, float[] dy, int h, int w, int c, int f, ConvGeometry gh, ConvGeometry gw) {
            int oh = gh.out(), ow = gw.out();
            double[] y = new double[oh * ow * f], dx = new double[h * w * c], dg = new double[9 * c * f];
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int a = 0; a < 3; a++) {
                        for (int b = 0; b < 3; b++) {
                            int iy = oy + a - gh.padBefore(), ix = ox + b - gw.padBefore();
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            for (int ci = 0; ci < c; ci++) {
                                double xv = x[(iy * w + ix) * c + ci];
                                for (int fi = 0; fi < f; fi++) {
                                    double gv = g[((a * 3 + b) * c + ci) * f + fi];
                                    double d = dy[(oy * ow + ox) * f + fi];
                                    y[(oy * ow + ox) * f + fi] += xv * gv;
                                    dx[(iy * w + ix) * c + ci] += d * gv;
                                    dg[((a * 3 + b) * c + ci) * f + fi] += d * xv;
                                }
                            }
                        }
                    }
                }
            }
            return new Reference(y, dx, dg);
        }
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** Largest |actual − expected| relative to the largest |expected| (1 when that is 0). */
    static double relativeError(float[] actual, double[] expected) {
        double worst = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return worst / Math.max(scale, 1e-30);
    }

    static void check(int h, int w, int c, int f, Padding padding, long seed, Gemm gemm) {
        SplittableRandom r = new SplittableRandom(seed);
        ConvGeometry gh = ConvGeometry.of(h, 3, 1, padding), gw = ConvGeometry.of(w, 3, 1, padding);
        int oh = gh.out(), ow = gw.out();
        float[] x = random(r, h * w * c), g = random(r, 9 * c * f), dy = random(r, oh * ow * f);
        Reference ref = Reference.of(x, g, dy, h, w, c, f, gh, gw);

        WinogradConv3x3 wino = new WinogradConv3x3(c, f, gh, gw);
        float[] u = new float[wino.transformedKernelSize()], ut = new float[u.length], du = new float[u.length];
        wino.transformKernel(g, u);
        wino.transposeKernel(u, ut);
        WinogradConv3x3.Workspace ws = wino.newWorkspace();
        // images at an offset inside bigger arrays, and output/gradient buffers full of garbage:
        // forward and the input gradient must overwrite, not add
        int off = 5;
        float[] xs = new float[off + x.length], ys = new float[off + oh * ow * f], dys = new float[off + dy.length];
        float[] dxs = new float[off + x.length];
        System.arraycopy(x, 0, xs, off, x.length);
        System.arraycopy(dy, 0, dys, off, dy.length);
        java.util.Arrays.fill(ys, 7f);
        java.util.Arrays.fill(dxs, -3f);
        wino.forward(gemm, ws, xs, off, u, ys, off);
        wino.backward(gemm, ws, xs, off, dys, off, du, ut, dxs, off);
        float[] dg = new float[9 * c * f];
        java.util.Arrays.fill(dg, 0.25f); // accumulated into, as a layer's gradient is
        wino.kernelGradient(du, dg);
        for (int i = 0; i < dg.length; i++) {
            dg[i] -= 0.25f;
        }
        float[] y = java.util.Arrays.copyOfRange(ys, off, ys.length), dx = java.util.Arrays.copyOfRange(dxs, off, dxs.length);
        String what = h + "x" + w + "x" + c + " -> " + f + " " + padding;
        // float error of sums of 9·C products of numbers in [−1, 1]: a few 1e-7 relative
        assertThat(relativeError(y, ref.y())).as("forward " + what).isLessThan(2e-5);
        assertThat(relativeError(dx, ref.dx())).as("input gradient " + what).isLessThan(2e-5);
        assertThat(relativeError(dg, ref.dg())).as("kernel gradient " + what).isLessThan(2e-5);
        assertThat(ys[0]).as("nothing written before the output").isEqualTo(7f);
    }

    @Property(tries = 40)
    void agreesWithTheDirectConvolution(@ForAll @IntRange(min = 3, max = 13) int h, @ForAll @IntRange(min = 3, max = 13) int w,
                                        @ForAll @IntRange(min = 1, max = 9) int c, @ForAll @IntRange(min = 1, max = 40) int f,
                                        @ForAll boolean same, @ForAll long seed) {
        check(h, w, c, f, same ? Padding.SAME : Padding.VALID, seed, new ScalarGemm());
    }

    @Test
    void vggShapesWithTheVectorKernelAndSeveralChunks() {
        Gemm gemm = new VectorGemmProvider().isAvailable() ? new VectorGemmProvider().create(1) : new ScalarGemm();
        // 38 -> 36: 324 tiles at C = F = 32/64 are several chunks; 21 -> 19: odd, padded frame
        check(38, 38, 32, 32, Padding.VALID, 1, gemm);
        check(21, 21, 64, 64, Padding.VALID, 2, gemm);
        check(17, 20, 32, 64, Padding.SAME, 3, gemm);
    }

    @Test
    void vectorTransformsGiveTheScalarBits() {
        WinogradTileTransforms best = WinogradTileTransforms.best();
        assertThat(best).as("surefire runs with jdk.incubator.vector").isNotInstanceOf(WinogradTileTransforms.Scalar.class);
        // C = F = 37: two whole vectors and a scalar tail; 15×13 "same": cropped edge tiles on both axes
        int h = 15, w = 13, c = 37, f = 37;
        ConvGeometry gh = ConvGeometry.of(h, 3, 1, Padding.SAME), gw = ConvGeometry.of(w, 3, 1, Padding.SAME);
        SplittableRandom r = new SplittableRandom(4);
        float[] x = random(r, h * w * c), g = random(r, 9 * c * f), dy = random(r, gh.out() * gw.out() * f);
        float[][] results = new float[2][];
        int i = 0;
        for (WinogradConv3x3Test.Transforms which : WinogradConv3x3Test.Transforms.values()) {
            WinogradConv3x3 wino = new WinogradConv3x3(c, f, gh, gw, which == Transforms.SCALAR ? new WinogradTileTransforms.Scalar() : best);
            float[] u = new float[wino.transformedKernelSize()], ut = new float[u.length], du = new float[u.length];
            wino.transformKernel(g, u);
            wino.transposeKernel(u, ut);
            WinogradConv3x3.Workspace ws = wino.newWorkspace();
            float[] y = new float[dy.length], dx = new float[x.length];
            Gemm gemm = new ScalarGemm();
            wino.forward(gemm, ws, x, 0, u, y, 0);
            wino.backward(gemm, ws, x, 0, dy, 0, du, ut, dx, 0);
            float[] all = new float[y.length + dx.length + du.length];
            System.arraycopy(y, 0, all, 0, y.length);
            System.arraycopy(dx, 0, all, y.length, dx.length);
            System.arraycopy(du, 0, all, y.length + dx.length, du.length);
            results[i++] = all;
        }
        assertThat(results[1]).isEqualTo(results[0]);
    }

    enum Transforms { SCALAR, BEST }

    /** The size a layer's memory check counts before building is what a workspace really holds. */
    @Property(tries = 30)
    void workspaceFloatsCountsTheWorkspace(@ForAll @IntRange(min = 3, max = 40) int h, @ForAll @IntRange(min = 3, max = 40) int w,
                                           @ForAll @IntRange(min = 1, max = 80) int c, @ForAll @IntRange(min = 1, max = 80) int f,
                                           @ForAll boolean same) {
        Padding p = same ? Padding.SAME : Padding.VALID;
        ConvGeometry gh = ConvGeometry.of(h, 3, 1, p), gw = ConvGeometry.of(w, 3, 1, p);
        WinogradConv3x3.Workspace ws = new WinogradConv3x3(c, f, gh, gw).newWorkspace();
        long held = ws.v.length + ws.m.length + ws.scratch.length + ws.runScratch.length + ws.tile.length
                + (ws.padded == null ? 0 : ws.padded.length) + (ws.paddedGradient == null ? 0 : ws.paddedGradient.length);
        assertThat(WinogradConv3x3.workspaceFloats(c, f, gh, gw)).isEqualTo(held);
    }

    @Test
    void onlyThreeByThreeStrideOne() {
        ConvGeometry three = ConvGeometry.of(10, 3, 1, Padding.VALID);
        assertThat(WinogradConv3x3.applies(three, three)).isTrue();
        assertThat(WinogradConv3x3.applies(ConvGeometry.of(10, 3, 2, Padding.VALID), three)).isFalse();
        assertThat(WinogradConv3x3.applies(three, ConvGeometry.of(10, 5, 1, Padding.VALID))).isFalse();
        assertThatThrownBy(() -> new WinogradConv3x3(3, 4, ConvGeometry.of(10, 2, 1, Padding.VALID), three))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3x3");
    }
}
