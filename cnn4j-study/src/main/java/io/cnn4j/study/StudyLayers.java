package io.cnn4j.study;

import io.cnn4j.layers.Activation;
import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.DropBlock2D;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.Pooling2D;
import io.cnn4j.layers.ReLU;
import io.cnn4j.layers.SpatialDropout2D;

/**
 * What the variant factory asks of a layer configuration: is it a pooling layer, is it a dropout of
 * any kind. (Fresh layers come from {@link LayerConfig#newLayer()}: every trial builds its own
 * instances, so no state leaks from one variant or seed to another.)
 */
final class StudyLayers {
    private StudyLayers() {
    }

    static boolean isPooling(LayerConfig c) {
        return c instanceof Pooling2D.Config;
    }

    static boolean isDropout(LayerConfig c) {
        return c instanceof Dropout.Config || c instanceof SpatialDropout2D.Config || c instanceof DropBlock2D.Config;
    }

    static boolean isBatchNormalization(LayerConfig c) {
        return c instanceof BatchNormalization.Config;
    }

    static boolean isConvolution(LayerConfig c) {
        return c instanceof Conv2D.Config;
    }

    /** A separate activation layer (ReLU or Activation), which "after BN" placements keep next to their BN. */
    static boolean isActivation(LayerConfig c) {
        return c instanceof ReLU.Config || c instanceof Activation.Config;
    }
}
