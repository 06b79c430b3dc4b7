package io.cnn4j.io;

import io.cnn4j.kernels.Padding;
import io.cnn4j.layers.ActivationFunction;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Initializer;
import io.cnn4j.layers.Pooling2D;
import io.cnn4j.model.Sequential;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Null fields in architecture JSON: Keras' meaning where Keras has one, else an error naming the layer and the field. */
class ModelJsonNullFieldsTest {
    static String model(String layer) {
        return """
                {"class_name": "Sequential", "config": {"layers": [
                  {"class_name": "InputLayer", "config": {"batch_shape": [null, 8, 8, 1]}},
                  %s,
                  {"class_name": "Flatten", "config": {}}
                ]}}""".formatted(layer);
    }

    @Test
    void kerasNullsTakeKerasMeanings() {
        Sequential m = ModelJson.fromJson(model("""
                {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "strides": null, "padding": null,
                 "activation": null, "kernel_initializer": null, "bias_initializer": null, "use_bias": null}}"""));
        assertThat(m.layers().get(0).config()).isEqualTo(new Conv2D.Config(2, new int[]{3, 3}, new int[]{1, 1}, Padding.VALID,
                ActivationFunction.LINEAR, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS));
        m = ModelJson.fromJson(model("{\"class_name\": \"MaxPooling2D\", \"config\": {\"pool_size\": [2, 2], \"strides\": null, \"padding\": null}}"));
        assertThat(((Pooling2D.Config) m.layers().get(0).config()).strides()).containsExactly(2, 2);
        m = ModelJson.fromJson(model("{\"class_name\": \"Activation\", \"config\": {\"activation\": null}}"));
        assertThat(m.layers().get(0).config()).isEqualTo(new io.cnn4j.layers.Activation.Config(ActivationFunction.LINEAR));
        String dense = "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", \"config\": "
                + "{\"batch_shape\": [null, 4]}}, {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"activation\": null}}]}}";
        assertThat(((Dense.Config) ModelJson.fromJson(dense).layers().get(0).config()).activation()).isEqualTo(ActivationFunction.LINEAR);
    }

    @Test
    void nullsWithoutAMeaningAreNamed() {
        assertThatThrownBy(() -> ModelJson.fromJson(model("{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"c\", \"filters\": 2, \"kernel_size\": null}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'c' (Conv2D)").hasMessageContaining("kernel_size")
                .hasMessageContaining("null");
        assertThatThrownBy(() -> ModelJson.fromJson(model("{\"class_name\": \"Conv2D\", \"config\": {\"filters\": null, \"kernel_size\": 3}}")))
                .hasMessageContaining("(Conv2D)").hasMessageContaining("'filters'");
        assertThatThrownBy(() -> ModelJson.fromJson(model("{\"class_name\": \"Dropout\", \"config\": {\"rate\": null}}")))
                .hasMessageContaining("(Dropout)").hasMessageContaining("'rate'");
        assertThatThrownBy(() -> ModelJson.fromJson(model("{\"class_name\": \"SpatialDropout2D\", \"config\": {}}")))
                .hasMessageContaining("(SpatialDropout2D)").hasMessageContaining("'rate'");
        assertThatThrownBy(() -> ModelJson.fromJson(model("{\"class_name\": \"MaxPoolingDropout2D\", \"config\": {\"rate\": null}}")))
                .hasMessageContaining("(MaxPoolingDropout2D)").hasMessageContaining("'rate'");
        assertThatThrownBy(() -> ModelJson.fromJson(model("{\"class_name\": \"DropBlock2D\", \"config\": {\"rate\": 0.1, \"block_size\": null}}")))
                .hasMessageContaining("(DropBlock2D)").hasMessageContaining("block_size");
        assertThatThrownBy(() -> ModelJson.fromJson(model("{\"class_name\": \"Activation\", \"config\": {\"activation\": 3}}")))
                .hasMessageContaining("(Activation)").hasMessageContaining("activation");
    }
}
