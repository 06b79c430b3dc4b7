package io.cnn4j.data;

import io.cnn4j.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Fetches a file over HTTP(S) into a directory with progress reports and a SHA-256 check: the bytes
 * go to a temporary file beside the target, the digest is compared, and only a file with the right
 * digest is renamed into place; Keras counterpart: {@code keras.utils.get_file}. A wrong digest deletes the temporary file and fails.
 */
public final class Downloads {
    /** Told about progress; {@code total} is -1 when the server does not say. */
    @FunctionalInterface
    public interface Progress {
        void update(String file, long done, long total);

        Progress NONE = (f, d, t) -> {
        };
    }

    private Downloads() {
    }

    /** Thrown when a download cannot be made (offline, HTTP error) or its checksum is wrong. */
    public static final class DownloadException extends IOException {
        public DownloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Downloads {@code url} to {@code target} unless it is already there with the right SHA-256. */
    public static void fetch(URI url, Path target, String sha256, Progress progress, Duration timeout) throws IOException {
        if (Files.isRegularFile(target) && sha256(target).equalsIgnoreCase(sha256)) {
            return;
        }
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
            HttpResponse<InputStream> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new DownloadException("cannot download " + url + ": " + describe(e)
                        + ". Is this machine offline? Get the files another way and pass --data-dir", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DownloadException("download of " + url + " was interrupted", e);
            }
            if (response.statusCode() != 200) {
                response.body().close();
                throw new DownloadException("cannot download " + url + ": HTTP status " + response.statusCode(), null);
            }
            long total = response.headers().firstValueAsLong("content-length").orElse(-1);
            MessageDigest md = sha256Digest();
            String name = target.getFileName().toString();
            try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                long done = 0;
                int r;
                while ((r = in.read(buf)) >= 0) {
                    out.write(buf, 0, r);
                    md.update(buf, 0, r);
                    done += r;
                    progress.update(name, done, total);
                }
            }
            String got = HexFormat.of().formatHex(md.digest());
            checkDigest(url.toString(), got, sha256);
            AtomicFiles.moveOver(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " (" + m + ")");
    }

    /** Fails unless {@code actual} equals {@code expected} (hex, case-insensitive). */
    public static void checkDigest(String what, String actual, String expected) throws DownloadException {
        if (!actual.equalsIgnoreCase(expected)) {
            throw new DownloadException("SHA-256 of " + what + " is " + actual.toLowerCase(Locale.ROOT) + " but "
                    + expected.toLowerCase(Locale.ROOT) + " was expected: the file is damaged or not the official one; it was not kept", null);
        }
    }

    /** The SHA-256 of a file as lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) >= 0) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
