package io.cnn4j.study;

import io.cnn4j.data.Dataset;
import io.cnn4j.random.Seeds;
import io.cnn4j.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Small generated image classification data for tests and demos: each class has a random smooth
 * template in [0, 1]; an image is its class's template shifted by up to one pixel, plus Gaussian
 * noise, clipped to [0, 1]. Learnable by a small convnet in an epoch or two, hard enough that
 * accuracy is not trivially 100%.
 */
public final class SyntheticImages {
    private SyntheticImages() {
    }

    public static Dataset generate(String name, int n, int h, int w, int c, int classes, double noise, long seed) {
        float[][] templates = new float[classes][];
        SplittableRandom tr = Seeds.random(seed, "synthetic-templates");
        for (int k = 0; k < classes; k++) {
            templates[k] = template(h, w, c, tr);
        }
        SplittableRandom r = Seeds.random(seed, "synthetic-" + name);
        float[] x = new float[n * h * w * c];
        int[] labels = new int[n];
        int item = h * w * c;
        for (int i = 0; i < n; i++) {
            int k = i % classes;
            labels[i] = k;
            int dy = r.nextInt(3) - 1, dx = r.nextInt(3) - 1;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    int sy = Math.min(h - 1, Math.max(0, y + dy)), sx = Math.min(w - 1, Math.max(0, xx + dx));
                    for (int ch = 0; ch < c; ch++) {
                        double v = templates[k][(sy * w + sx) * c + ch] + noise * gaussian(r);
                        x[i * item + (y * w + xx) * c + ch] = (float) Math.min(1, Math.max(0, v));
                    }
                }
            }
        }
        return new Dataset(name, new Tensor(x, n, h, w, c), labels, classes);
    }

    private static float[] template(int h, int w, int c, SplittableRandom r) {
        float[] t = new float[h * w * c];
        // a few Gaussian blobs per channel
        for (int ch = 0; ch < c; ch++) {
            for (int b = 0; b < 3; b++) {
                double cy = r.nextDouble() * h, cx = r.nextDouble() * w, s = 1 + r.nextDouble() * Math.max(1, h / 4.0);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double d2 = (y - cy) * (y - cy) + (x - cx) * (x - cx);
                        t[(y * w + x) * c + ch] += (float) Math.exp(-d2 / (2 * s * s));
                    }
                }
            }
        }
        return t;
    }

    private static double gaussian(SplittableRandom r) {
        double u = Math.max(1e-12, r.nextDouble()), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
