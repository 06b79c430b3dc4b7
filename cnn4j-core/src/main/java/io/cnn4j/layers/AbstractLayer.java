package io.cnn4j.layers;

import io.cnn4j.model.MemoryBudget;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Bookkeeping shared by all layers: name, declared input shape, build state, shape checks and
 * reusable output buffers; Keras counterpart: the base class {@code keras.layers.Layer}. {@code SELF} lets the fluent setters return the concrete layer type.
 */
public abstract class AbstractLayer<SELF extends AbstractLayer<SELF>> implements Layer {
    private String name;
    private int[] declaredInputShape;
    private int[] inputShape;
    private int[] outputShape;
    private boolean built;
    /** When false (the model's first layer) backward may skip computing the input gradient and return null. */
    protected boolean computeInputGradient = true;

    @SuppressWarnings("unchecked")
    protected final SELF self() {
        return (SELF) this;
    }

    /** Keras' {@code input_shape}: (height, width, channels) for images, without the batch axis. */
    public SELF inputShape(int... shape) {
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("input shape " + Shapes.toString(shape) + " has a non-positive dimension");
            }
        }
        this.declaredInputShape = shape.clone();
        return self();
    }

    public SELF name(String name) {
        setName(name);
        return self();
    }

    @Override
    public void setName(String name) {
        if (built) {
            throw new IllegalStateException("cannot rename layer '" + this.name + "' after it was built");
        }
        this.name = name;
    }

    @Override
    public String name() {
        return name == null ? getClass().getSimpleName() : name;
    }

    @Override
    public int[] declaredInputShape() {
        return declaredInputShape == null ? null : declaredInputShape.clone();
    }

    /** Called by the model: the first layer need not propagate a gradient to the data. */
    public void setComputeInputGradient(boolean compute) {
        this.computeInputGradient = compute;
    }

    @Override
    public final void build(int[] inputShape, BuildContext context) {
        if (declaredInputShape != null && !Arrays.equals(declaredInputShape, inputShape)) {
            throw new IllegalArgumentException("layer '" + name() + "' declares input shape " + Shapes.toString(declaredInputShape)
                    + " but receives " + Shapes.toString(inputShape));
        }
        // sizes before allocation: one sample must fit an array, and what build allocates must fit the heap
        String where = "layer '" + name() + "' (" + className() + ")";
        MemoryBudget.arrayLength(MemoryBudget.count(inputShape), where + ": one input sample of shape " + Shapes.toString(inputShape));
        long workspace = buildWorkspaceFloats(inputShape, context.threads());
        MemoryBudget.requireHeap(MemoryBudget.mul(4, workspace), where + ": the workspaces for input " + Shapes.withBatch(inputShape));
        this.inputShape = inputShape.clone();
        int[] out = doBuild(inputShape, context);
        for (int d : out) {
            if (d <= 0) {
                throw new IllegalArgumentException(where + ": input " + Shapes.withBatch(inputShape) + " gives an empty output "
                        + Shapes.toString(out));
            }
        }
        MemoryBudget.arrayLength(MemoryBudget.count(out), where + ": one output sample of shape " + Shapes.toString(out));
        this.outputShape = out;
        this.built = true;
    }

    /** Checks the input shape, creates parameters, returns the output shape. */
    protected abstract int[] doBuild(int[] inputShape, BuildContext context);

    protected final void requireNotBuilt() {
        if (built) {
            throw new IllegalStateException("layer '" + name() + "' is already built; set options before adding it to a model");
        }
    }

    @Override
    public boolean isBuilt() {
        return built;
    }

    @Override
    public int[] inputShape() {
        requireBuilt();
        return inputShape.clone();
    }

    @Override
    public int[] outputShape() {
        requireBuilt();
        return outputShape.clone();
    }

    /** Axis {@code axis} of the built input shape (no batch axis), without copying the shape. */
    protected final int inputDim(int axis) {
        return inputShape[axis];
    }

    protected final void requireBuilt() {
        if (!built) {
            throw new IllegalStateException("layer '" + name() + "' is not built yet (add it to a model and compile, or give inputShape)");
        }
    }

    /** Fails with the layer's name unless x is a batch of this layer's input shape. */
    protected final void checkInput(Tensor x) {
        requireBuilt();
        // compared in place: this runs for every layer and batch, and must allocate nothing
        if (!x.hasItemShape(inputShape)) {
            throw new IllegalArgumentException("layer '" + name() + "' (" + className() + ") expects input of shape "
                    + Shapes.withBatch(inputShape) + " but got " + Shapes.toString(x.shape()));
        }
    }

    protected final void checkGradient(Tensor grad, int batch) {
        if (!grad.hasItemShape(outputShape) || grad.dim(0) != batch) {
            throw new IllegalArgumentException("layer '" + name() + "': gradient of shape " + Shapes.toString(grad.shape())
                    + " does not match its last output " + Shapes.toString(Shapes.prepend(batch, outputShape)));
        }
    }

    /** {@code t} if it already has {@code shape}, else a new zero tensor: buffers are reused between batches of equal size. */
    protected static Tensor reuse(Tensor t, int... shape) {
        if (t != null && t.hasShape(shape)) {
            return t;
        }
        return Tensor.zeros(shape);
    }

    /*
     * The fixed-rank forms below take the dimensions one by one, so that a call such as
     * reuse(output, n, units) builds no varargs array for the steady-state case (once per batch
     * per layer otherwise).
     */

    /** As {@link #reuse(Tensor, int...)} for a rank-2 shape, allocating nothing when {@code t} fits. */
    protected static Tensor reuse(Tensor t, int d0, int d1) {
        if (t != null && t.rank() == 2 && t.dim(0) == d0 && t.dim(1) == d1) {
            return t;
        }
        return Tensor.zeros(d0, d1);
    }

    /** As {@link #reuse(Tensor, int...)} for a rank-4 shape, allocating nothing when {@code t} fits. */
    protected static Tensor reuse(Tensor t, int d0, int d1, int d2, int d3) {
        if (t != null && t.rank() == 4 && t.dim(0) == d0 && t.dim(1) == d1 && t.dim(2) == d2 && t.dim(3) == d3) {
            return t;
        }
        return Tensor.zeros(d0, d1, d2, d3);
    }

    /** {@code t} if it has the shape of {@code like}, else a new zero tensor of that shape (copies no shape when it fits). */
    protected static Tensor reuseLike(Tensor t, Tensor like) {
        if (t != null && t.sameShape(like)) {
            return t;
        }
        return Tensor.zeros(like.shape());
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public String toString() {
        return name() + " (" + className() + ")";
    }
}
