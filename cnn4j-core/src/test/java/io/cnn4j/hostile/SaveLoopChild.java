package io.cnn4j.hostile;

import io.cnn4j.io.AtomicFiles;

import java.nio.file.Path;

/** Saves a large file over and over, slowly enough to be killed in the middle of a write. */
public final class SaveLoopChild {
    private SaveLoopChild() {
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        byte[] chunk = new byte[1 << 16];
        for (long i = 0; ; i++) {
            AtomicFiles.write(target, out -> {
                for (int k = 0; k < 400; k++) {
                    out.write(chunk);
                    out.flush();
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        }
    }
}
