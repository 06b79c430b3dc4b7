package io.cnn4j.data;

import io.cnn4j.model.BatchAugmentation;
import io.cnn4j.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Random horizontal flips and random shifts of NHWC images, applied per image to each training
 * batch (as Keras' {@code RandomFlip("horizontal")} and {@code RandomTranslation} with
 * {@code fill_mode="constant"}, fill 0, whole pixels). Use with
 * {@code FitOptions.augmentation(new ImageAugmentation(true, 2))}.
 *
 * <p>For every image, in batch order, the generator is drawn from in a fixed order: one flip
 * decision (only when flipping is on), then the row shift, then the column shift (only when
 * {@code maxShift > 0}), each shift uniform in [−maxShift, maxShift]. Vacated pixels become 0.
 *
 * @param horizontalFlip mirror left–right with probability 1/2
 * @param maxShift largest shift in pixels along each axis (0 for none)
 */
public record ImageAugmentation(boolean horizontalFlip, int maxShift) implements BatchAugmentation {
    public ImageAugmentation {
        if (maxShift < 0) {
            throw new IllegalArgumentException("maxShift must be ≥ 0 pixels, got " + maxShift);
        }
    }

    /** No augmentation at all. */
    public boolean isIdentity() {
        return !horizontalFlip && maxShift == 0;
    }

    // x: (N, H, W, C) -> x: (N, H, W, C), in place
    @Override
    public void augment(Tensor batch, SplittableRandom random) {
        if (batch.rank() != 4) {
            throw new IllegalArgumentException("image augmentation needs (N, H, W, C) batches, got " + batch);
        }
        int n = batch.dim(0), h = batch.dim(1), w = batch.dim(2), c = batch.dim(3);
        int item = h * w * c;
        float[] d = batch.data();
        float[] scratch = new float[item];
        for (int b = 0; b < n; b++) {
            boolean flip = horizontalFlip && random.nextBoolean();
            int dy = maxShift > 0 ? random.nextInt(-maxShift, maxShift + 1) : 0;
            int dx = maxShift > 0 ? random.nextInt(-maxShift, maxShift + 1) : 0;
            if (!flip && dy == 0 && dx == 0) {
                continue;
            }
            int base = b * item;
            System.arraycopy(d, base, scratch, 0, item);
            transform(scratch, d, base, h, w, c, flip, dy, dx);
        }
    }

    /** out[y, x] = in[y − dy, x' − dx] where x' mirrors x when flipping; 0 where that falls outside. */
    static void transform(float[] in, float[] out, int base, int h, int w, int c, boolean flip, int dy, int dx) {
        for (int y = 0; y < h; y++) {
            int sy = y - dy;
            for (int x = 0; x < w; x++) {
                int sx = x - dx;
                int o = base + (y * w + x) * c;
                if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                    for (int k = 0; k < c; k++) {
                        out[o + k] = 0f;
                    }
                } else {
                    int srcX = flip ? w - 1 - sx : sx;
                    int s = (sy * w + srcX) * c;
                    System.arraycopy(in, s, out, o, c);
                }
            }
        }
    }
}
