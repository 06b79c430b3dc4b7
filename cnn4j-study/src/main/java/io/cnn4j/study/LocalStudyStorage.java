package io.cnn4j.study;

import io.cnn4j.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A study's files in a local directory: atomic replaces through {@link AtomicFiles}, appends forced to disk. */
public final class LocalStudyStorage implements StudyStorage {
    private final Path dir;

    public LocalStudyStorage(Path dir) {
        this.dir = dir;
    }

    public Path path(String name) {
        return dir.resolve(name);
    }

    @Override
    public String location(String name) {
        return path(name).toString();
    }

    @Override
    public boolean exists(String name) {
        return Files.exists(path(name));
    }

    @Override
    public byte[] read(String name, long maxBytes) throws IOException {
        Path p = path(name);
        long size = Files.size(p);
        if (size > maxBytes) {
            throw new IOException(p + " has " + size + " bytes, more than the " + maxBytes + " expected at most");
        }
        return Files.readAllBytes(p);
    }

    @Override
    public void write(String name, byte[] content) throws IOException {
        AtomicFiles.write(path(name), content);
    }

    @Override
    public void append(String name, byte[] content) throws IOException {
        Path p = path(name);
        Files.createDirectories(p.toAbsolutePath().getParent());
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        Path p = path(name);
        if (Files.isDirectory(p)) {
            try (Stream<Path> all = Files.walk(p)) {
                for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(q);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }

    @Override
    public List<String> list(String name) throws IOException {
        Path p = path(name);
        if (!Files.isDirectory(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.map(q -> q.getFileName().toString()).sorted().toList();
        }
    }
}
