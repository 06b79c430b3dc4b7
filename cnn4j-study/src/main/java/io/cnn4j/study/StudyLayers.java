package io.cnn4j.study;

import io.cnn4j.layers.Activation;
import io.cnn4j.layers.AveragePooling2D;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.DropBlock2D;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.MaxPoolingDropout2D;
import io.cnn4j.layers.Pooling2D;
import io.cnn4j.layers.SpatialDropout2D;

/**
 * A fresh, unbuilt layer from its configuration record. Every trial builds its own layer
 * instances, so no state (buffers, masks, weights) leaks from one variant or seed to another.
 */
final class StudyLayers {
    private StudyLayers() {
    }

    static Layer fromConfig(LayerConfig c) {
        if (c instanceof Conv2D.Config conv) {
            return new Conv2D(conv);
        } else if (c instanceof Dense.Config dense) {
            return new Dense(dense);
        } else if (c instanceof Pooling2D.Config pool) {
            return switch (pool.className()) {
                case "MaxPooling2D" -> new MaxPooling2D(pool);
                case "AveragePooling2D" -> new AveragePooling2D(pool);
                default -> throw new IllegalArgumentException("unknown pooling layer '" + pool.className() + "'");
            };
        } else if (c instanceof SpatialDropout2D.Config sd) {
            return new SpatialDropout2D(sd);
        } else if (c instanceof Dropout.Config d) {
            return new Dropout(d);
        } else if (c instanceof DropBlock2D.Config db) {
            return new DropBlock2D(db);
        } else if (c instanceof MaxPoolingDropout2D.Config m) {
            return new MaxPoolingDropout2D(m);
        } else if (c instanceof Flatten.Config f) {
            return new Flatten(f);
        } else if (c instanceof Activation.Config a) {
            return new Activation(a);
        }
        throw new IllegalArgumentException("the study cannot rebuild layer type " + c.className() + " (" + c + ")");
    }

    static boolean isPooling(LayerConfig c) {
        return c instanceof Pooling2D.Config;
    }

    static boolean isDropout(LayerConfig c) {
        return c instanceof Dropout.Config || c instanceof SpatialDropout2D.Config || c instanceof DropBlock2D.Config;
    }
}
