package io.cnn4j.spark.study;

import io.cnn4j.study.StudyStorage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A study's files under a Hadoop FileSystem URI ({@code file://}, {@code hdfs://}, {@code s3a://},
 * ...), reachable from the driver and every executor. Atomic replaces are a complete temporary file
 * renamed over the target; appends rewrite the file that way too (object stores cannot append, and
 * the files appended to, results lines, are small and have a single writer each).
 */
public final class HadoopStudyStorage implements StudyStorage {
    private final Path root;
    private final Configuration conf;
    private final FileSystem fs;
    private final boolean local;

    /** {@code settings}: Hadoop configuration entries on top of the defaults (Spark's spark.hadoop.* without the prefix). */
    public HadoopStudyStorage(String rootUri, Map<String, String> settings) {
        this.conf = configuration(settings);
        this.root = new Path(URI.create(rootUri.endsWith("/") ? rootUri.substring(0, rootUri.length() - 1) : rootUri));
        try {
            FileSystem f = root.getFileSystem(conf);
            // the raw local file system: no .crc side files (the local runner may open the same directory), rename replaces atomically
            this.local = f instanceof LocalFileSystem;
            this.fs = f instanceof LocalFileSystem lfs ? lfs.getRaw() : f;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open the study storage " + rootUri + ": " + e.getMessage(), e);
        }
    }

    static Configuration configuration(Map<String, String> settings) {
        Configuration c = new Configuration();
        settings.forEach(c::set);
        return c;
    }

    private Path path(String name) {
        return name.isEmpty() ? root : new Path(root, name);
    }

    @Override
    public String location(String name) {
        return path(name).toString();
    }

    @Override
    public boolean exists(String name) throws IOException {
        return fs.exists(path(name));
    }

    @Override
    public byte[] read(String name, long maxBytes) throws IOException {
        Path p = path(name);
        long size = fs.getFileStatus(p).getLen();
        if (size > maxBytes) {
            throw new IOException(p + " has " + size + " bytes, more than the " + maxBytes + " expected at most");
        }
        byte[] bytes = new byte[(int) size];
        try (FSDataInputStream in = fs.open(p)) {
            in.readFully(0, bytes);
        }
        return bytes;
    }

    @Override
    public void write(String name, byte[] content) throws IOException {
        Path target = path(name);
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(content);
                out.hsync();
            }
            if (local) {
                if (!fs.rename(tmp, target)) {
                    throw new IOException("cannot rename " + tmp + " to " + target);
                }
            } else {
                FileContext.getFileContext(fs.getUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
            }
        } finally {
            fs.delete(tmp, false);
        }
    }

    @Override
    public void append(String name, byte[] content) throws IOException {
        byte[] old = exists(name) ? read(name, Integer.MAX_VALUE - 16 - content.length) : new byte[0];
        byte[] all = Arrays.copyOf(old, old.length + content.length);
        System.arraycopy(content, 0, all, old.length, content.length);
        write(name, all);
    }

    @Override
    public void delete(String name) throws IOException {
        fs.delete(path(name), true);
    }

    @Override
    public List<String> list(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(path(dir))) {
                names.add(s.getPath().getName());
            }
        } catch (FileNotFoundException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }
}
