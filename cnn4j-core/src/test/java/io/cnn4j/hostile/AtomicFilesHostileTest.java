package io.cnn4j.hostile;

import io.cnn4j.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 15, classes 3, 4 and 7 for files we write: kill -9 during saves leaves no temporary files
 * after the next save (only ours, only stale ones are removed), output locations are checked
 * before the work with errors in words, and new files respect the umask.
 */
class AtomicFilesHostileTest {
    @TempDir
    Path dir;

    private List<Path> temps(Path target) throws IOException {
        try (Stream<Path> s = Files.list(target.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith("." + target.getFileName() + ".")
                    && p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static void age(Path p) throws IOException {
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    }

    @Test
    void killedSavesLeaveNoStaleTemporaryFilesAfterTheNextSave() throws Exception {
        Path target = dir.resolve("model.cnn4j");
        int kills = 0;
        for (int round = 0; round < 4; round++) {
            Process p = ChildJvm.builder(SaveLoopChild.class, List.of("-Xmx64m"), target.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // wait until the child is in the middle of a write (its temporary file exists and grows)
            for (int i = 0; i < 600 && temps(target).size() <= round; i++) {
                Thread.sleep(50);
            }
            p.destroyForcibly(); // SIGKILL on POSIX: no finally block, no shutdown hook runs
            p.waitFor();
            kills++;
        }
        List<Path> left = temps(target);
        assertThat(left).as("each kill -9 mid-write leaves its temporary file").hasSizeGreaterThanOrEqualTo(kills);
        // a foreign file with a similar name is not ours and must survive
        Path foreign = dir.resolve(".model.cnn4j.not-ours.tmp");
        Files.write(foreign, new byte[]{1});
        for (Path t : left) {
            age(t); // what the next save a few seconds later would see
        }
        age(foreign);
        AtomicFiles.write(target, new byte[]{42});
        assertThat(temps(target)).containsExactly(foreign);
        assertThat(Files.readAllBytes(target)).containsExactly(42);
    }

    @Test
    void aLiveWritersTemporaryFileIsLeftAlone() throws Exception {
        Path target = dir.resolve("m.bin");
        Path live = dir.resolve(".m.bin." + ProcessHandle.current().pid() + ".0123456789abcdef.tmp");
        Path young = dir.resolve(".m.bin.1.fedcba9876543210.tmp");
        Files.write(young, new byte[]{1});
        try (FileChannel c = FileChannel.open(live, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             FileLock lock = c.lock()) {
            age(live);
            assertThat(AtomicFiles.cleanStale(target)).isZero();
            assertThat(live).exists();
            assertThat(young).as("too young to judge: its writer may not have locked it yet").exists();
        }
        age(live);
        age(young);
        assertThat(AtomicFiles.cleanStale(target)).isEqualTo(2);
        assertThat(live).doesNotExist();
    }

    @Test
    void unwritableLocationsFailBeforeTheWorkWithWords() {
        Path target = Path.of("/proc/no-such-dir/model.cnn4j");
        assertThatThrownBy(() -> AtomicFiles.checkWritable(target, "--save"))
                .isInstanceOf(IOException.class).hasMessageContaining("--save").hasMessageContaining(target.toString())
                .hasMessageMatching(".*(does not exist|permission denied|cannot write).*");
        assertThatThrownBy(() -> AtomicFiles.checkWritable(dir, "--save")).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> AtomicFiles.write(target, new byte[1])).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot write " + target);
    }

    @Test
    void newFilesRespectTheUmask() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")));
        for (String umask : List.of("077", "027", "022")) {
            Path target = dir.resolve("u" + umask + ".bin");
            List<String> cmd = new java.util.ArrayList<>(ChildJvm.builder(UmaskChild.class, List.of("-Xmx64m"), target.toString()).command());
            String line = "umask " + umask + " && exec " + String.join(" ", cmd.stream().map(s -> "'" + s + "'").toList());
            Process p = new ProcessBuilder("/bin/sh", "-c", line).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(p.waitFor()).as(out).isZero();
            Set<PosixFilePermission> got = Files.getPosixFilePermissions(target);
            int mask = Integer.parseInt(umask, 8);
            Set<PosixFilePermission> allowed = PosixFilePermissions.fromString(perms(0666 & ~mask));
            assertThat(allowed).as("umask " + umask + " gives " + out).containsAll(got);
            assertThat(got).isEqualTo(allowed);
        }
    }

    private static String perms(int mode) {
        String rwx = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }
}
