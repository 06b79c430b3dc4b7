package io.cnn4j.model;

import io.cnn4j.kernels.Backends;

/**
 * Pins the kernels' thread count ({@code cnn4j.threads}) for the models a test class builds, and
 * puts the previous value back afterwards: results that are reproducible "at a fixed thread count"
 * must not depend on the machine's processor count.
 */
final class FixedThreads {
    private final String previous;

    private FixedThreads(int threads) {
        previous = System.getProperty(Backends.THREADS_PROPERTY);
        System.setProperty(Backends.THREADS_PROPERTY, Integer.toString(threads));
    }

    static FixedThreads set(int threads) {
        return new FixedThreads(threads);
    }

    void restore() {
        if (previous == null) {
            System.clearProperty(Backends.THREADS_PROPERTY);
        } else {
            System.setProperty(Backends.THREADS_PROPERTY, previous);
        }
    }
}
