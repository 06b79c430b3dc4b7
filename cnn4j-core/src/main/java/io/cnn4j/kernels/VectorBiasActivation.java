package io.cnn4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BiasActivation} with the Vector API: per pixel, the filters a vector at a time (y + b,
 * then the lane-wise maximum with zero, which follows {@code Math.max}: NaN stays NaN, −0.0 gives
 * +0.0), the filters past the last whole vector through {@link BiasActivation.Scalar}. Loaded by
 * reflection only when {@code jdk.incubator.vector} is readable. No vector crosses a method of
 * ours (see {@link VectorTileTransforms}).
 */
final class VectorBiasActivation implements BiasActivation {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    @Override
    public void biasRelu(float[] y, int off, int count, int filters, float[] b) {
        int whole = filters - filters % VL, end = off + count * filters;
        for (int r = off; r < end; r += filters) {
            for (int f = 0; f < whole; f += VL) {
                FloatVector.fromArray(S, y, r + f).add(FloatVector.fromArray(S, b, f)).max(0f).intoArray(y, r + f);
            }
        }
        if (whole < filters) {
            Scalar.biasRelu(y, off, count, filters, b, whole);
        }
    }

    @Override
    public void bias(float[] y, int off, int count, int filters, float[] b) {
        int whole = filters - filters % VL, end = off + count * filters;
        for (int r = off; r < end; r += filters) {
            for (int f = 0; f < whole; f += VL) {
                FloatVector.fromArray(S, y, r + f).add(FloatVector.fromArray(S, b, f)).intoArray(y, r + f);
            }
        }
        if (whole < filters) {
            Scalar.bias(y, off, count, filters, b, whole);
        }
    }

    @Override
    public void reluBackward(float[] y, float[] dz, int off, int count, int filters, float[] db) {
        int whole = filters - filters % VL, end = off + count * filters;
        for (int r = off; r < end; r += filters) {
            for (int f = 0; f < whole; f += VL) {
                // the scalar version's operations in its order: min(max(y · MAX · MAX, 0), 1) · dz
                FloatVector mask = FloatVector.fromArray(S, y, r + f).mul(Float.MAX_VALUE).mul(Float.MAX_VALUE).max(0f).min(1f);
                FloatVector d = mask.mul(FloatVector.fromArray(S, dz, r + f));
                d.intoArray(dz, r + f);
                FloatVector.fromArray(S, db, f).add(d).intoArray(db, f);
            }
        }
        if (whole < filters) {
            Scalar.reluBackward(y, dz, off, count, filters, db, whole);
        }
    }
}
