package io.cnn4j.layers;
import io.cnn4j.tensor.Tensor;
import java.util.*;
/**
 * MaxPooling2D's training forward (records the winning cells) against its inference forward
 * (maxima only), interleaved in one process on vgg-like's first pool (96×96×32, batch 32, 2
 * threads). Run by bench/pool-ab.sh.
 */
public class PoolAB {
    public static void main(String[] a) {
        MaxPooling2D p = new MaxPooling2D(2, 2);
        p.build(new int[]{96, 96, 32}, new BuildContext(new SplittableRandom(1), io.cnn4j.kernels.Backends.select("vector", 2), 2, io.cnn4j.kernels.ConvAlgorithm.AUTO, new io.cnn4j.kernels.Parallel(2)));
        SplittableRandom r = new SplittableRandom(1);
        float[] d = new float[32 * 96 * 96 * 32]; for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble();
        Tensor x = new Tensor(d, 32, 96, 96, 32);
        for (int w = 0; w < 20; w++) { p.forward(x, true); p.forward(x, false); }
        int R = 21; double[] tt = new double[R], ti = new double[R];
        for (int rep = 0; rep < R; rep++) {
            long t0 = System.nanoTime(); for (int i = 0; i < 3; i++) p.forward(x, true);
            long t1 = System.nanoTime(); for (int i = 0; i < 3; i++) p.forward(x, false);
            long t2 = System.nanoTime(); tt[rep] = (t1 - t0) / 3e6; ti[rep] = (t2 - t1) / 3e6;
        }
        Arrays.sort(tt); Arrays.sort(ti);
        System.out.printf("96x96x32 batch 32, 2 threads: training forward (argmax) %.2f ms, inference forward (values) %.2f ms%n", tt[R/2], ti[R/2]);
        System.exit(0);
    }
}
