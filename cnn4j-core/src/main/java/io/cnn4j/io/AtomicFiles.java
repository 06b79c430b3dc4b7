package io.cnn4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a half
 * written file (no Keras counterpart): the bytes go to a hidden temporary file
 * {@code .NAME.<pid>.<random>.tmp} in the same directory, are forced to disk, and the temporary
 * file is then renamed over the target with {@code ATOMIC_MOVE}.
 *
 * <p>Leaving nothing behind: the writer holds an exclusive lock on its temporary file from
 * creation to rename. The operating system drops the lock when the process dies (even by
 * {@code kill -9}), so the next write to the same target deletes every temporary file of ours
 * for that name whose lock it can take and that is more than {@link #STALE_AFTER_MILLIS} old: a
 * live writer in this or another process still holds its lock and is left alone.
 *
 * <p>Permissions: the temporary file is created like any new file (mode 0666 less the process
 * umask), never more permissive than the umask allows.
 */
public final class AtomicFiles {
    /** Temporary files younger than this are never cleaned (a writer may not have locked its file yet). */
    static final long STALE_AFTER_MILLIS = 2_000;

    private AtomicFiles() {
    }

    /** What writes the content. */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the content.
         *
         * @param out where to
         * @throws IOException when writing fails
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically; stale temporary files of earlier killed writes are removed first.
     *
     * @param target the file
     * @param writer writes the content
     * @throws IOException when the file cannot be written; the message says which file and why, in words
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            cleanStale(abs);
        } catch (FileSystemException e) {
            throw explain(abs, e);
        }
        Path tmp = null;
        try {
            Temp t = createTemp(abs);
            tmp = t.path();
            try (FileChannel channel = t.channel(); FileLock lock = channel.lock()) {
                OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            // closed (and unlocked) just before the rename: the file is then seconds younger than a cleaner would touch
            moveOver(tmp, abs);
            tmp = null;
        } catch (FileSystemException e) {
            throw explain(abs, e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Checks before any work that {@code target} can be written: creates its directory and a
     * temporary file there, then removes it. Call it before a long computation whose result goes to
     * {@code target}, so that a bad location fails first, not after.
     *
     * @param target the file that will be written
     * @param option what names it for the user, e.g. "--save"
     * @throws IOException with a message naming the option, the file and the reason
     */
    public static void checkWritable(Path target, String option) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IOException(option + " " + target + " is a directory, not a file");
        }
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Temp t = createTemp(abs);
            t.channel().close();
            Files.deleteIfExists(t.path());
            if (Files.exists(abs) && !Files.isWritable(abs)) {
                throw new AccessDeniedException(abs.toString());
            }
        } catch (FileSystemException e) {
            throw new IOException(option + ": " + explain(abs, e).getMessage(), e);
        }
    }

    private record Temp(Path path, FileChannel channel) {
    }

    private static Temp createTemp(Path abs) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + pid + "." + random + ".tmp");
            try {
                // no explicit permissions: the OS applies the umask to 0666, as for any new file
                return new Temp(tmp, FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** ".NAME.<digits>.tmp" (createTempFile, earlier versions) or ".NAME.<pid>.<hex>.tmp" (this one). */
    static Pattern tempPattern(Path abs) {
        return Pattern.compile("\\." + Pattern.quote(abs.getFileName().toString()) + "\\.(\\d+|\\d+\\.[0-9a-f]{16})\\.tmp");
    }

    /**
     * Deletes the temporary files of earlier writes of {@code target} whose writer is gone: only
     * files named as ours for this target, older than {@link #STALE_AFTER_MILLIS}, whose exclusive
     * lock can be taken (a live writer holds it).
     *
     * @param target the file whose stale temporary files to remove
     * @return how many were removed
     * @throws IOException when the directory cannot be listed
     */
    public static int cleanStale(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        Pattern ours = tempPattern(abs);
        int removed = 0;
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "." + globQuote(abs.getFileName().toString()) + ".*.tmp")) {
            for (Path f : files) {
                if (!ours.matcher(f.getFileName().toString()).matches() || !Files.isRegularFile(f)) {
                    continue;
                }
                try {
                    if (now - Files.getLastModifiedTime(f).toMillis() < STALE_AFTER_MILLIS) {
                        continue;
                    }
                    try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE);
                         FileLock lock = c.tryLock()) {
                        if (lock == null) {
                            continue; // a live writer in another process
                        }
                        Files.deleteIfExists(f);
                        removed++;
                    } catch (OverlappingFileLockException e) {
                        // a live writer in this JVM
                    }
                } catch (NoSuchFileException e) {
                    // removed meanwhile by its writer or another cleaner
                } catch (IOException e) {
                    // not ours to judge (e.g. no permission): leave it
                }
            }
        }
        return removed;
    }

    private static String globQuote(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    /** A file system error in words: which file, what went wrong. */
    private static IOException explain(Path target, FileSystemException e) {
        String reason;
        if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            reason = "a directory on the way does not exist";
        } else if (e instanceof FileAlreadyExistsException) {
            reason = "a file is in the way of a directory";
        } else {
            reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        }
        String at = e.getFile() != null && !e.getFile().equals(target.toString()) ? " (at " + e.getFile() + ")" : "";
        return new IOException("cannot write " + target + ": " + reason + at, e);
    }

    /**
     * Renames a complete temporary file over {@code target}: atomically where the file system can,
     * else a plain replacing move (some file systems, e.g. certain network mounts, refuse ATOMIC_MOVE).
     *
     * @param tmp    the complete file
     * @param target where it goes
     * @throws IOException when the move fails
     */
    public static void moveOver(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Writes {@code content} to {@code target} atomically.
     *
     * @param target  the file
     * @param content the bytes
     * @throws IOException when it cannot be written
     */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }
}
