package io.cnn4j.kernels;

import java.util.Arrays;

/**
 * im2col / col2im for one NHWC image; no Keras counterpart.
 *
 * <p>The column matrix has one row per output pixel (oh, ow), in row-major order, and
 * kh·kw·C columns ordered (dy, dx, c) — the same order as a Keras kernel of shape
 * (kh, kw, C, F) flattened to (kh·kw·C, F). So {@code cols · W} is directly the NHWC output.
 * Cells that fall into the padding are zero.
 */
public final class Im2Col {
    private Im2Col() {
    }

    // x: (H, W, C) at xOff -> cols: (OH·OW, KH·KW·C) at colsOff
    public static void im2col(float[] x, int xOff, int channels, ConvGeometry gh, ConvGeometry gw,
                              float[] cols, int colsOff) {
        im2col(x, xOff, channels, gh, gw, cols, colsOff, 0, gh.out() * gw.out());
    }

    // x: (H, W, C) at xOff -> cols: rows [from, to) of the (OH·OW, KH·KW·C) matrix, written from colsOff
    public static void im2col(float[] x, int xOff, int channels, ConvGeometry gh, ConvGeometry gw,
                              float[] cols, int colsOff, int from, int to) {
        int kh = gh.kernel(), kw = gw.kernel();
        int rowLen = kh * kw * channels;
        int w = gw.in();
        int r = colsOff;
        for (int q = from; q < to; q++) {
            int oh = q / gw.out(), ow = q % gw.out();
            int ih0 = oh * gh.stride() - gh.padBefore();
            int iw0 = ow * gw.stride() - gw.padBefore();
            int p = r;
            for (int dy = 0; dy < kh; dy++) {
                int ih = ih0 + dy;
                if (ih < 0 || ih >= gh.in()) {
                    Arrays.fill(cols, p, p + kw * channels, 0f);
                    p += kw * channels;
                    continue;
                }
                int rowBase = xOff + ih * w * channels;
                // contiguous run of input columns inside the image
                int dxStart = Math.max(0, -iw0);
                int dxEnd = Math.min(kw, w - iw0);
                if (dxStart > 0) {
                    Arrays.fill(cols, p, p + dxStart * channels, 0f);
                }
                if (dxEnd > dxStart) {
                    System.arraycopy(x, rowBase + (iw0 + dxStart) * channels, cols, p + dxStart * channels,
                            (dxEnd - dxStart) * channels);
                }
                if (dxEnd < kw) {
                    int fillFrom = p + Math.max(dxEnd, dxStart) * channels;
                    Arrays.fill(cols, fillFrom, p + kw * channels, 0f);
                }
                p += kw * channels;
            }
            r += rowLen;
        }
    }

    // cols: (OH·OW, KH·KW·C) at colsOff -> dx: (H, W, C) at dxOff, accumulated (+=)
    public static void col2im(float[] cols, int colsOff, int channels, ConvGeometry gh, ConvGeometry gw,
                              float[] dx, int dxOff) {
        col2im(cols, colsOff, channels, gh, gw, dx, dxOff, 0, gh.out() * gw.out());
    }

    // cols: rows [from, to) of the (OH·OW, KH·KW·C) matrix, read from colsOff -> dx: (H, W, C) at dxOff, accumulated (+=)
    public static void col2im(float[] cols, int colsOff, int channels, ConvGeometry gh, ConvGeometry gw,
                              float[] dx, int dxOff, int from, int to) {
        int kh = gh.kernel(), kw = gw.kernel();
        int rowLen = kh * kw * channels;
        int w = gw.in();
        int r = colsOff;
        for (int q = from; q < to; q++) {
            int oh = q / gw.out(), ow = q % gw.out();
            int ih0 = oh * gh.stride() - gh.padBefore();
            int iw0 = ow * gw.stride() - gw.padBefore();
            int p = r;
            for (int dy = 0; dy < kh; dy++) {
                int ih = ih0 + dy;
                if (ih >= 0 && ih < gh.in()) {
                    int rowBase = dxOff + ih * w * channels;
                    int dxStart = Math.max(0, -iw0);
                    int dxEnd = Math.min(kw, w - iw0);
                    // the kernel row's columns inside the image are one contiguous run in both arrays
                    // (one loop of (dxEnd − dxStart)·C, which the JIT vectorises better than C at a time)
                    int src = p + dxStart * channels;
                    int dst = rowBase + (iw0 + dxStart) * channels;
                    int len = Math.max(0, dxEnd - dxStart) * channels;
                    for (int j = 0; j < len; j++) {
                        dx[dst + j] += cols[src + j];
                    }
                }
                p += kw * channels;
            }
            r += rowLen;
        }
    }
}
