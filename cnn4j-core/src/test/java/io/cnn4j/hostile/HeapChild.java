package io.cnn4j.hostile;

import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;

/**
 * Run with a small heap: builds a model whose weights and gradients fit but whose Adam state does
 * not, and prints what compile says. Exit 0 when compile refused it cleanly.
 */
public final class HeapChild {
    private HeapChild() {
    }

    public static void main(String[] args) {
        int units = Integer.parseInt(args[0]);
        Sequential m = new Sequential(1);
        m.add(new Flatten().inputShape(100, 100, 1));
        m.add(new Dense(units, "softmax"));
        m.build();
        System.out.println("built " + m.parameterCount());
        try {
            m.compile(new Adam(), "categorical_crossentropy");
            m.optimizer().state(m.parameters());
            System.out.println("compiled");
            System.exit(3);
        } catch (IllegalArgumentException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(0);
        }
    }
}
