package io.cnn4j.onnx;

import com.google.protobuf.ByteString;
import onnx.Onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/**
 * A linear ONNX graph under construction: each step consumes the current tensor and produces the
 * next one. Layer exporters add nodes and initializers through it; it tracks whether the current
 * 4-D tensor is in NCHW (ONNX's convolution layout) or NHWC (cnn4j's and Keras') order.
 */
final class OnnxGraphBuilder {
    private final Onnx.GraphProto.Builder graph;
    private final Set<String> names = new HashSet<>();
    private String current;
    private int rank;
    private boolean nchw;

    OnnxGraphBuilder(Onnx.GraphProto.Builder graph, String input, int rank) {
        this.graph = graph;
        this.current = input;
        this.rank = rank;
        names.add(input);
    }

    String current() {
        return current;
    }

    int rank() {
        return rank;
    }

    boolean nchw() {
        return nchw;
    }

    /** Puts a 4-D tensor in NCHW order (a Transpose when it is NHWC). */
    void toNchw(String layer) {
        if (rank == 4 && !nchw) {
            node("Transpose", layer + "/to_nchw", ints("perm", 0, 3, 1, 2));
            nchw = true;
        }
    }

    /** Puts a 4-D tensor back in NHWC order (a Transpose when it is NCHW). */
    void toNhwc(String layer) {
        if (rank == 4 && nchw) {
            node("Transpose", layer + "/to_nhwc", ints("perm", 0, 2, 3, 1));
            nchw = false;
        }
    }

    void setRank(int rank) {
        this.rank = rank;
    }

    /** A node reading the current tensor (and {@code extraInputs}), whose one output becomes current. */
    String node(String op, String name, Onnx.AttributeProto... attributes) {
        return node(op, name, new String[0], attributes);
    }

    String node(String op, String name, String[] extraInputs, Onnx.AttributeProto... attributes) {
        String unique = unique(name);
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(unique).addInput(current);
        for (String in : extraInputs) {
            n.addInput(in);
        }
        n.addOutput(unique);
        for (Onnx.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        current = unique;
        return unique;
    }

    /** A float initializer of the given dims (row-major data). */
    String initializer(String name, float[] data, long... dims) {
        String unique = unique(name);
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(unique)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return unique;
    }

    /** An INT64 initializer (shapes, pads). */
    String int64Initializer(String name, long... values) {
        String unique = unique(name);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        graph.addInitializer(Onnx.TensorProto.newBuilder().setName(unique).setDataType(Onnx.TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).setRawData(ByteString.copyFrom(b.array())));
        return unique;
    }

    private String unique(String name) {
        String n = name;
        for (int k = 1; !names.add(n); k++) {
            n = name + "_" + k;
        }
        return n;
    }

    static Onnx.AttributeProto ints(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static Onnx.AttributeProto integer(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(value).build();
    }

    static Onnx.AttributeProto text(String name, String value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    static Onnx.AttributeProto real(String name, float value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(value).build();
    }
}
