package io.cnn4j.spark;

import io.cnn4j.io.ModelFileException;
import io.cnn4j.io.ModelFiles;
import io.cnn4j.model.Sequential;
import org.apache.spark.broadcast.Broadcast;

import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Models decoded from a broadcast model file, kept per executor JVM and reused across tasks: a step
 * is one short task per partition, and decoding and building the model (with its layer buffers)
 * every step would cost more than small steps themselves. A model is not thread-safe (layers keep
 * their activations), so concurrent tasks each borrow their own.
 */
final class ModelPool {
    /** More pools than this means fits whose release never reached this JVM (a cluster executor): drop the oldest. */
    private static final int MAX_POOLS = 8;
    private static final Map<Long, Queue<Sequential>> POOLS = new ConcurrentHashMap<>();

    private ModelPool() {
    }

    static Sequential borrow(Broadcast<byte[]> modelBytes) {
        Queue<Sequential> q = POOLS.get(modelBytes.id());
        Sequential m = q == null ? null : q.poll();
        if (m != null) {
            return m;
        }
        try {
            return ModelFiles.decode(modelBytes.value(), Path.of("spark-broadcast-" + modelBytes.id() + ModelFiles.EXTENSION), null).model();
        } catch (ModelFileException e) {
            // the driver encoded these bytes a moment ago: a failure here is a bug or a damaged transfer
            throw new IllegalStateException("cannot decode the broadcast model", e);
        }
    }

    static void giveBack(long id, Sequential m) {
        if (POOLS.size() >= MAX_POOLS && !POOLS.containsKey(id)) {
            POOLS.keySet().stream().min(Long::compare).ifPresent(POOLS::remove);
        }
        POOLS.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>()).add(m);
    }

    /** Drops the models of a finished fit or evaluate (in this JVM: the driver's, or local mode's executors). */
    static void release(long id) {
        POOLS.remove(id);
    }
}
