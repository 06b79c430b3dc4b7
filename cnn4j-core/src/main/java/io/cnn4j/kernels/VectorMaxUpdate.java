package io.cnn4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaxUpdate} with the Vector API: compare greater-than, then blend (false for NaN and for
 * equal values, as the scalar rule); no Keras counterpart. Loaded by {@link MaxUpdate#best()} only
 * when {@code jdk.incubator.vector} is readable.
 */
final class VectorMaxUpdate implements MaxUpdate {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();

    @Override
    public void update(float[] v, int vo, float[] m, int mo, int count) {
        int i = 0;
        for (; i + VL <= count; i += VL) {
            FloatVector x = FloatVector.fromArray(SPECIES, v, vo + i);
            FloatVector cur = FloatVector.fromArray(SPECIES, m, mo + i);
            VectorMask<Float> larger = x.compare(VectorOperators.GT, cur);
            cur.blend(x, larger).intoArray(m, mo + i);
        }
        for (; i < count; i++) {
            float x = v[vo + i];
            m[mo + i] = x > m[mo + i] ? x : m[mo + i];
        }
    }
}
