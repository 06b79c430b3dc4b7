package io.cnn4j.keras;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class KerasLayersTest {
    /** Expected values printed by keras/src/utils/naming.py's to_snake_case (as copied in make_keras_fixtures.py). */
    @ParameterizedTest
    @CsvSource({"Conv2D,conv2d", "Dense,dense", "MaxPooling2D,max_pooling2d", "AveragePooling2D,average_pooling2d",
            "SpatialDropout2D,spatial_dropout2d", "BatchNormalization,batch_normalization",
            "GlobalAveragePooling2D,global_average_pooling2d", "GlobalMaxPooling2D,global_max_pooling2d",
            "ZeroPadding2D,zero_padding2d", "ReLU,re_lu"})
    void snakeCaseAsKerasNamesWeightGroups(String className, String expected) {
        assertThat(KerasLayers.toSnakeCase(className)).isEqualTo(expected);
    }
}
