import io.cnn4j.kernels.*;
import java.util.*;

/**
 * Why a fixed split of the work over the two vCPUs is slow on these VMs: vgg-like's second layer
 * (Winograd, 98x98x32 -> 32, batch 32) on a Parallel(2), alternating a fixed split (16 images per
 * thread, forParts) with chunks of one image to whichever thread is free (forPartsDynamic). For the
 * fixed split it records each part's own time: when one vCPU is slowed (a neighbour on its core), its
 * part takes longer and the call waits for it. Prints, every 10 rounds, both parts' times and both
 * call times, then the medians and how often the parts differed by more than 20%. Run by
 * bench/thread-balance.sh.  args: [ROUNDS]
 */
public class ThreadBalance {
    public static void main(String[] a) {
        int rounds = a.length > 0 ? Integer.parseInt(a[0]) : 200;
        int h = 98, c = 32, f = 32, n = 32, threads = 2;
        ConvGeometry g = ConvGeometry.of(h, 3, 1, Padding.VALID);
        WinogradConv3x3 w = new WinogradConv3x3(c, f, g, g);
        Gemm[] gemm = new Gemm[threads];
        WinogradConv3x3.Workspace[] ws = new WinogradConv3x3.Workspace[threads];
        for (int t = 0; t < threads; t++) {
            gemm[t] = Backends.select("vector", 1);
            ws[t] = w.newWorkspace();
        }
        int in = h * h * c, out = g.out() * g.out() * f;
        float[] x = new float[n * in], k = new float[9 * c * f], u = new float[16 * c * f], y = new float[n * out];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        for (int i = 0; i < k.length; i++) k[i] = (float) r.nextDouble() - 0.5f;
        w.transformKernel(k, u);
        Parallel par = new Parallel(threads);
        long[] partNanos = new long[threads];
        Parallel.PartRange fixed = (p, from, to) -> {
            long t0 = System.nanoTime();
            for (int i = from; i < to; i++) w.forward(gemm[p], ws[p], x, i * in, u, y, i * out);
            partNanos[p] = System.nanoTime() - t0;
        };
        Parallel.PartRange chunks = (p, from, to) -> {
            for (int i = from; i < to; i++) w.forward(gemm[p], ws[p], x, i * in, u, y, i * out);
        };
        for (int i = 0; i < 20; i++) { par.forParts(n, fixed); par.forPartsDynamic(n, 1, chunks); }
        double[] fixedMs = new double[rounds], chunkMs = new double[rounds];
        int unbalanced = 0;
        for (int rep = 0; rep < rounds; rep++) {
            long t0 = System.nanoTime();
            par.forParts(n, fixed);
            long t1 = System.nanoTime();
            par.forPartsDynamic(n, 1, chunks);
            long t2 = System.nanoTime();
            fixedMs[rep] = (t1 - t0) / 1e6;
            chunkMs[rep] = (t2 - t1) / 1e6;
            double p0 = partNanos[0] / 1e6, p1 = partNanos[1] / 1e6;
            if (Math.max(p0, p1) > 1.2 * Math.min(p0, p1)) unbalanced++;
            if (rep % 10 == 9) {
                System.out.printf("round %3d: fixed split parts %5.1f / %5.1f ms, call %5.1f ms; chunks call %5.1f ms%n", rep + 1, p0, p1, fixedMs[rep], chunkMs[rep]);
            }
        }
        Arrays.sort(fixedMs);
        Arrays.sort(chunkMs);
        System.out.printf("medians over %d rounds: fixed split %.1f ms, chunks %.1f ms (ratio %.2f); p90 %.1f vs %.1f ms; "
                + "fixed-split parts more than 20%% apart in %d of %d rounds%n", rounds, fixedMs[rounds / 2], chunkMs[rounds / 2],
                fixedMs[rounds / 2] / chunkMs[rounds / 2], fixedMs[rounds * 9 / 10], chunkMs[rounds * 9 / 10], unbalanced, rounds);
        System.exit(0);
    }
}
