package io.cnn4j.keras;

import io.cnn4j.layers.Activation;
import io.cnn4j.layers.AveragePooling2D;
import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.GlobalAveragePooling2D;
import io.cnn4j.layers.GlobalMaxPooling2D;
import io.cnn4j.layers.ReLU;
import io.cnn4j.layers.Regularizer;
import io.cnn4j.layers.ZeroPadding2D;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.Parameter;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.model.Sequential;
import io.cnn4j.random.Seeds;
import io.cnn4j.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Small built models that together hold every layer Keras has and option, with random weights and biases. */
final class TestModels {
    private TestModels() {
    }

    static Map<String, Sequential> all() {
        Map<String, Sequential> m = new LinkedHashMap<>();
        m.put("conv-relu-maxpool-dropout-dense-softmax", randomize(new Sequential("m1", 1)
                .add(new Conv2D(4, 3).activation("relu").inputShape(9, 7, 3))
                .add(new MaxPooling2D(2, 2))
                .add(new Dropout(0.3))
                .add(new Flatten())
                .add(new Dense(5, "softmax")), 9, 7, 3));
        m.put("same-strided-avgpool-spatialdropout-elu-sigmoid", randomize(new Sequential("m2", 2)
                .add(new Conv2D(3, 3).padding("same").strides(2, 2).activation("tanh").useBias(false).inputShape(10, 7, 2))
                .add(new AveragePooling2D(3, 3).strides(2, 2).padding("same"))
                .add(new SpatialDropout2D(0.2))
                .add(new Activation("elu"))
                .add(new Flatten())
                .add(new Dense(4, "sigmoid"))
                .add(new Activation("softmax")), 10, 7, 2));
        m.put("conv-noiseshape-dropout-softmax4d-maxpool-same-dense-linear", randomize(new Sequential("m3", 3)
                .add(new Conv2D(3, 5, 3).padding("same").inputShape(8, 6, 2))
                .add(new Dropout(0.4, new int[]{Dropout.NONE, 1, 1, 3}, 9L))
                .add(new Activation("softmax"))
                .add(new MaxPooling2D(3, 3).strides(1, 2).padding("same"))
                .add(new Conv2D(2, 2).activation("elu").strides(1, 2))
                .add(new Flatten())
                .add(new Dense(3))
                .add(new Activation("relu")), 8, 6, 2));
        m.put("zeropad-conv-bn-relu-bn-clip-gap-dense-bn-leaky", randomize(new Sequential("m4", 4)
                .add(new ZeroPadding2D(new ZeroPadding2D.Config(new int[]{1, 2, 0, 1})).inputShape(7, 6, 2))
                .add(new Conv2D(3, 3).kernelRegularizer(Regularizer.l2Of(0.01)))
                .add(new BatchNormalization())
                .add(new ReLU())
                .add(new Conv2D(4, 2).useBias(false))
                .add(new BatchNormalization().center(false).epsilon(0.01))
                .add(new ReLU(new ReLU.Config(0.5, 0, 0)))
                .add(new GlobalAveragePooling2D())
                .add(new Dense(5).biasRegularizer(Regularizer.l1Of(0.001)))
                .add(new BatchNormalization().scale(false))
                .add(new ReLU(new ReLU.Config(null, 0.1, 0)))
                .add(new Dense(3, "softmax")), 7, 6, 2));
        m.put("bn-on-input-gmp-keepdims-flatten-dense", randomize(new Sequential("m5", 5)
                .add(new BatchNormalization().inputShape(5, 4, 3))
                .add(new Conv2D(6, 3).padding("same").activation("elu"))
                .add(new GlobalMaxPooling2D(new GlobalMaxPooling2D.Config(true)))
                .add(new Flatten())
                .add(new Dense(2, "sigmoid")), 5, 4, 3));
        return m;
    }

    /** Builds the model and gives every parameter (biases too) uniform values in [-0.5, 0.5). */
    static Sequential randomize(Sequential model, int... inputShape) {
        model.build(inputShape);
        SplittableRandom r = Seeds.random(12, "test-weights");
        for (io.cnn4j.layers.Layer l : model.layers()) {
            for (Parameter p : l.weights()) {
                float[] v = p.value();
                boolean variance = p.name().endsWith("/moving_variance");
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (variance ? r.nextDouble(0.5, 1.5) : r.nextDouble(-0.5, 0.5));
                }
            }
        }
        return model;
    }

    /** A batch of n inputs, uniform in [-1, 1), for the model's input shape. */
    static Tensor input(Sequential model, int n, long seed) {
        int[] in = model.inputShape();
        int[] shape = new int[in.length + 1];
        shape[0] = n;
        System.arraycopy(in, 0, shape, 1, in.length);
        int size = n;
        for (int d : in) {
            size *= d;
        }
        SplittableRandom r = Seeds.random(seed, "test-input");
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return new Tensor(x, shape);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
            if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
                return Float.NaN;
            }
        }
        return m;
    }
}
