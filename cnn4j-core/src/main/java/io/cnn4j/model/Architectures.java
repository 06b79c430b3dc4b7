package io.cnn4j.model;

import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.ReLU;

import java.util.List;
import java.util.Locale;

/** Built-in architectures by name, adapted to an input shape (height, width, channels) and a class count; no Keras counterpart (the nets are the Keras documentation's examples). */
public final class Architectures {
    public static final List<String> NAMES = List.of("vgg-like", "simple-cnn", "vgg-like-bn");

    private Architectures() {
    }

    public static Sequential create(String name, int[] inputShape, int classes, long seed) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "vgg-like" -> vggLike(inputShape, classes, seed);
            case "simple-cnn" -> simpleCnn(inputShape, classes, seed);
            case "vgg-like-bn" -> vggLikeBn(inputShape, classes, seed);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; built in: " + String.join(", ", NAMES)
                    + " (or give a model JSON file)");
        };
    }

    /**
     * The Keras documentation's VGG-like convnet: two blocks of two 3×3 ReLU convolutions (32, then 64
     * filters), each followed by 2×2 max pooling and Dropout(0.25), then Dense(256, relu), Dropout(0.5),
     * Dense(classes, softmax).
     */
    public static Sequential vggLike(int[] inputShape, int classes, long seed) {
        Sequential model = new Sequential(seed);
        model.add(new Conv2D(32, 3, 3).activation("relu").inputShape(inputShape));
        model.add(new Conv2D(32, 3, 3).activation("relu"));
        model.add(new MaxPooling2D(2, 2));
        model.add(new Dropout(0.25));
        model.add(new Conv2D(64, 3, 3).activation("relu"));
        model.add(new Conv2D(64, 3, 3).activation("relu"));
        model.add(new MaxPooling2D(2, 2));
        model.add(new Dropout(0.25));
        model.add(new Flatten());
        model.add(new Dense(256, "relu"));
        model.add(new Dropout(0.5));
        model.add(new Dense(classes, "softmax"));
        return model;
    }

    /**
     * The VGG-like convnet as it is written today: every 3×3 convolution (no bias, as BN's β
     * replaces it) is followed by BatchNormalization and a ReLU layer; pooling, dropout and the dense
     * head as in {@link #vggLike}. The study's base model for "dropout before or after BN?".
     *
     * <p>BN momentum is 0.9, not Keras' 0.99: the moving statistics keep momentum^steps of their
     * initial values (mean 0, variance 1), and study trainings are short (84 steps for 1,800 images,
     * 3 epochs, batch 64): at 0.99 that is 43%, and inference runs on statistics far from the
     * network's, at chance accuracy (measured); at 0.9 it is 10⁻⁴.
     */
    public static Sequential vggLikeBn(int[] inputShape, int classes, long seed) {
        Sequential model = new Sequential(seed);
        model.add(new Conv2D(32, 3, 3).useBias(false).inputShape(inputShape));
        model.add(new BatchNormalization().momentum(0.9));
        model.add(new ReLU());
        model.add(new Conv2D(32, 3, 3).useBias(false));
        model.add(new BatchNormalization().momentum(0.9));
        model.add(new ReLU());
        model.add(new MaxPooling2D(2, 2));
        model.add(new Dropout(0.25));
        model.add(new Conv2D(64, 3, 3).useBias(false));
        model.add(new BatchNormalization().momentum(0.9));
        model.add(new ReLU());
        model.add(new Conv2D(64, 3, 3).useBias(false));
        model.add(new BatchNormalization().momentum(0.9));
        model.add(new ReLU());
        model.add(new MaxPooling2D(2, 2));
        model.add(new Dropout(0.25));
        model.add(new Flatten());
        model.add(new Dense(256, "relu"));
        model.add(new Dropout(0.5));
        model.add(new Dense(classes, "softmax"));
        return model;
    }

    /** A small, fast net for tests and demos: conv(16) → pool → conv(32) → pool → dropout → dense(64) → softmax. */
    public static Sequential simpleCnn(int[] inputShape, int classes, long seed) {
        Sequential model = new Sequential(seed);
        model.add(new Conv2D(16, 3, 3).activation("relu").inputShape(inputShape));
        model.add(new MaxPooling2D(2, 2));
        model.add(new Conv2D(32, 3, 3).activation("relu"));
        model.add(new MaxPooling2D(2, 2));
        model.add(new Dropout(0.25));
        model.add(new Flatten());
        model.add(new Dense(64, "relu"));
        model.add(new Dense(classes, "softmax"));
        return model;
    }
}
