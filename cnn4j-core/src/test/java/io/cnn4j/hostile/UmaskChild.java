package io.cnn4j.hostile;

import io.cnn4j.io.AtomicFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes one file through AtomicFiles (run under a chosen umask) and prints its permissions. */
public final class UmaskChild {
    private UmaskChild() {
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        AtomicFiles.write(target, new byte[]{1, 2, 3});
        System.out.println(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }
}
