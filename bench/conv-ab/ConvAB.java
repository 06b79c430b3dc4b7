import io.cnn4j.kernels.*;
import io.cnn4j.layers.conv.*;
import java.util.*;
/**
 * Two convolution algorithms on one layer shape, interleaved in one process (A, B, A, B, ... over
 * 25 rounds of 4 forward calls each, after 30 warm-up calls of both), so that the host's slow drift
 * hits both alike; prints each one's median time and GFLOP/s and the median of the per-round
 * ratios. Run by bench/conv-ab.sh.
 *   args: H C F N THREADS [A B [forward|kernel-gradient]]   (3×3 kernel, stride 1, valid; A, B: im2col, direct,
 *   winograd; kernel-gradient: backward without the input gradient, as for a first layer)
 */
public class ConvAB {
    public static void main(String[] a) {
        int h = Integer.parseInt(a[0]), c = Integer.parseInt(a[1]), f = Integer.parseInt(a[2]), n = Integer.parseInt(a[3]), threads = Integer.parseInt(a[4]);
        ConvolutionShape sh = new ConvolutionShape(c, f, ConvGeometry.of(h, 3, 1, Padding.VALID), ConvGeometry.of(h, 3, 1, Padding.VALID));
        Parallel par = new Parallel(threads);
        Gemm g = Backends.select("vector", threads);
        String nameA = a.length > 5 ? a[5] : "im2col", nameB = a.length > 6 ? a[6] : "direct";
        ConvolutionAlgorithm im = make(nameA, sh, g, par), di = make(nameB, sh, g, par);
        SplittableRandom r = new SplittableRandom(1);
        boolean gradient = a.length > 7 && a[7].equals("kernel-gradient");
        float[] x = new float[n * sh.inputItem()], k = new float[sh.kernelSize()], y = new float[n * sh.outputItem()];
        float[] dw = new float[sh.kernelSize()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        for (int i = 0; i < k.length; i++) k[i] = (float) r.nextDouble();
        double flops = 2.0 * n * sh.pixels() * sh.kernelVolume() * f;
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextDouble() - 0.5f;
        Runnable runA = gradient ? () -> im.backward(x, n, y, k, dw, null) : () -> im.forward(x, n, k, y);
        Runnable runB = gradient ? () -> di.backward(x, n, y, k, dw, null) : () -> di.forward(x, n, k, y);
        for (int w = 0; w < 30; w++) { runA.run(); runB.run(); }
        double[] ti = new double[25], td = new double[25];
        for (int rep = 0; rep < 25; rep++) {
            long t0 = System.nanoTime(); for (int i = 0; i < 4; i++) runA.run();
            long t1 = System.nanoTime(); for (int i = 0; i < 4; i++) runB.run();
            long t2 = System.nanoTime();
            ti[rep] = (t1 - t0) / 4e6; td[rep] = (t2 - t1) / 4e6;
        }
        double[] ratio = new double[25];
        for (int i = 0; i < 25; i++) ratio[i] = ti[i] / td[i];
        Arrays.sort(ti); Arrays.sort(td); Arrays.sort(ratio);
        System.out.printf("%s %dx%dx%d -> %d, batch %d, %d threads: %s median %.2f ms (%.1f GFLOP/s), %s %.2f ms (%.1f GFLOP/s), "
            + "ratio %s/%s per round: median %.2f (p10 %.2f, p90 %.2f)%n", gradient ? "kernel gradient" : "forward", h, h, c, f, n, threads, nameA, ti[12], flops / ti[12] / 1e6,
            nameB, td[12], flops / td[12] / 1e6, nameA, nameB, ratio[12], ratio[2], ratio[22]);
        System.exit(0);
    }

    static ConvolutionAlgorithm make(String name, ConvolutionShape sh, Gemm g, Parallel par) {
        return switch (name) {
            case "im2col" -> new Im2ColBlockedConvolution(sh, g, par);
            case "direct" -> new DirectConvolution(sh, g, par);
            case "winograd" -> new WinogradConvolution(sh, g, par);
            default -> throw new IllegalArgumentException("algorithm must be im2col, direct or winograd, got " + name);
        };
    }
}
