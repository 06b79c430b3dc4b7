package io.cnn4j.layers;

import io.cnn4j.kernels.Padding;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import static io.cnn4j.layers.ActivationFunction.RELU;
import static io.cnn4j.layers.Initializer.GLOROT_UNIFORM;
import static io.cnn4j.layers.Initializer.ZEROS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A config with a field it cannot interpret as null fails when it is made, naming the layer class and the field. */
class LayerConfigNullFieldsTest {
    static final int[] K = {3, 3};
    static final int[] S = {1, 1};

    static void refused(ThrowingCallable make, String layer, String field) {
        assertThatThrownBy(make).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(layer).hasMessageContaining(field)
                .hasMessageContaining("null");
    }

    @Test
    void conv2dRefusesEveryNullField() {
        refused(() -> new Conv2D.Config(4, null, S, Padding.VALID, RELU, true, GLOROT_UNIFORM, ZEROS), "Conv2D", "kernel_size");
        refused(() -> new Conv2D.Config(4, K, null, Padding.VALID, RELU, true, GLOROT_UNIFORM, ZEROS), "Conv2D", "strides");
        refused(() -> new Conv2D.Config(4, K, S, null, RELU, true, GLOROT_UNIFORM, ZEROS), "Conv2D", "padding");
        refused(() -> new Conv2D.Config(4, K, S, Padding.VALID, null, true, GLOROT_UNIFORM, ZEROS), "Conv2D", "activation");
        refused(() -> new Conv2D.Config(4, K, S, Padding.VALID, RELU, true, null, ZEROS), "Conv2D", "kernel_initializer");
        refused(() -> new Conv2D.Config(4, K, S, Padding.VALID, RELU, true, GLOROT_UNIFORM, null), "Conv2D", "bias_initializer");
        assertThat(new Conv2D(new Conv2D.Config(4, K, S, Padding.SAME, RELU, false, GLOROT_UNIFORM, ZEROS)).config().padding())
                .isEqualTo(Padding.SAME);
    }

    @Test
    void denseAndActivationRefuseNullFields() {
        refused(() -> new Dense.Config(3, null, true, GLOROT_UNIFORM, ZEROS), "Dense", "activation");
        refused(() -> new Dense.Config(3, RELU, true, null, ZEROS), "Dense", "kernel_initializer");
        refused(() -> new Dense.Config(3, RELU, true, GLOROT_UNIFORM, null), "Dense", "bias_initializer");
        refused(() -> new Activation.Config(null), "Activation", "activation");
        // the String constructors keep Keras' meaning of a missing activation: linear
        assertThat(new Activation((String) null).config().activation()).isEqualTo(ActivationFunction.LINEAR);
        assertThat(new Dense(3, (String) null).config().activation()).isEqualTo(ActivationFunction.LINEAR);
    }

    @Test
    void poolingRefusesNullSizesPaddingAndClassButReadsNullStridesAsThePoolSize() {
        refused(() -> new Pooling2D.Config("MaxPooling2D", null, null, Padding.VALID), "MaxPooling2D", "pool_size");
        refused(() -> new Pooling2D.Config("AveragePooling2D", new int[]{2, 2}, null, null), "AveragePooling2D", "padding");
        refused(() -> new Pooling2D.Config(null, new int[]{2, 2}, null, Padding.VALID), "Pooling2D", "class name");
        assertThat(new Pooling2D.Config("MaxPooling2D", new int[]{3, 2}, null, Padding.VALID).strides()).containsExactly(3, 2);
    }

    @Test
    void dropoutFamilyNullsMeanDefaultsAndBadRatesAreNamed() {
        // null noise shape = the input's shape, null seed = derived from the model's seed (Keras' meanings)
        Dropout.Config d = new Dropout.Config(0.5, null, null);
        assertThat(d.noiseShape()).isNull();
        assertThat(new SpatialDropout2D.Config(0.5, null).seed()).isNull();
        assertThat(new MaxPoolingDropout2D.Config(0.5, 2, null).seed()).isNull();
        assertThat(new DropBlock2D.Config(0.5, 3, null).seed()).isNull();
        assertThatThrownBy(() -> new Dropout.Config(Double.NaN, null, null)).hasMessageContaining("Dropout").hasMessageContaining("NaN");
        assertThatThrownBy(() -> new SpatialDropout2D.Config(-0.1, null)).hasMessageContaining("SpatialDropout2D").hasMessageContaining("-0.1");
        assertThatThrownBy(() -> new MaxPoolingDropout2D.Config(1.0, 2, null)).hasMessageContaining("MaxPoolingDropout2D");
        assertThatThrownBy(() -> new MaxPoolingDropout2D.Config(0.5, 0, null)).hasMessageContaining("MaxPoolingDropout2D pool size");
        assertThatThrownBy(() -> new DropBlock2D.Config(0.5, 0, null)).hasMessageContaining("DropBlock2D block size");
    }
}
