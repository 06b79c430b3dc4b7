package io.cnn4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetsTest {
    @TempDir
    Path dir;

    @Test
    void embeddedSubsetIsClassBalancedAndScaled() throws IOException {
        DataSplits s = Datasets.load(null, new Datasets.Lookup(null, null, dir, List.of()));
        assertThat(s.name()).isEqualTo(Datasets.EMBEDDED);
        assertThat(s.train().size()).isEqualTo(10_000);
        assertThat(s.test().size()).isEqualTo(2_000);
        assertThat(s.inputShape()).containsExactly(28, 28, 1);
        int[] perClass = new int[10];
        for (int l : s.train().labels()) {
            perClass[l]++;
        }
        assertThat(perClass).containsOnly(1000);
        int[] perClassTest = new int[10];
        for (int l : s.test().labels()) {
            perClassTest[l]++;
        }
        assertThat(perClassTest).containsOnly(200);
        float max = 0;
        for (float v : s.train().x().data()) {
            assertThat(v).isBetween(0f, 1f);
            max = Math.max(max, v);
        }
        assertThat(max).isEqualTo(1f);
    }

    @Test
    void subsetIsTheFirstItemsOfEachClassOfTheDebianFiles() throws IOException {
        Path src = Path.of("/usr/share/datasets/fashion-mnist");
        org.junit.jupiter.api.Assumptions.assumeTrue(Datasets.holds(Datasets.FASHION_MNIST, src), "dataset-fashion-mnist not installed");
        int[] labels = IdxFiles.readLabels(src.resolve("t10k-labels-idx1-ubyte.gz"), 10);
        int[] picked = FashionMnistSubset.firstPerClass(labels, 10, 200, src);
        UByteArray all = IdxFiles.readImages(src.resolve("t10k-images-idx3-ubyte.gz"));
        DataSplits s = Datasets.embedded();
        for (int i : new int[]{0, 1, 777, 1999}) {
            assertThat(s.test().labels()[i]).isEqualTo(labels[picked[i]]);
            assertThat(s.test().x().data()[i * 784 + 400]).isEqualTo(all.get(picked[i] * 784 + 400) / 255f);
        }
    }

    static void writeIdxSet(Path d, int n) throws IOException {
        Files.createDirectories(d);
        byte[] img = new byte[n * 4 * 4];
        byte[] lab = new byte[n];
        for (int i = 0; i < n; i++) {
            lab[i] = (byte) (i % 10);
            img[i * 16] = (byte) i;
        }
        for (String prefix : List.of("train", "t10k")) {
            try (var o = Files.newOutputStream(d.resolve(prefix + "-images-idx3-ubyte.gz"))) {
                IdxFiles.write(o, new UByteArray(new int[]{n, 4, 4}, img), true);
            }
            try (var o = Files.newOutputStream(d.resolve(prefix + "-labels-idx1-ubyte"))) {
                IdxFiles.write(o, new UByteArray(new int[]{n}, lab), false);
            }
        }
    }

    @Test
    void lookupOrderIsDataDirThenEnvThenHomeThenSystem() throws IOException {
        Path dataDir = dir.resolve("cli"), env = dir.resolve("env"), home = dir.resolve("home"), sys = dir.resolve("sys");
        Datasets.Lookup lookup = new Datasets.Lookup(dataDir, env, home, List.of(sys));
        assertThat(Datasets.candidates("mnist", lookup)).containsExactly(dataDir, dataDir.resolve("mnist"), env, env.resolve("mnist"),
                home.resolve(".cnn4j/datasets/mnist"), sys.resolve("mnist"));
        writeIdxSet(sys.resolve("mnist"), 12);
        assertThat(Datasets.load("mnist", lookup).source()).isEqualTo(sys.resolve("mnist").toString());
        writeIdxSet(home.resolve(".cnn4j/datasets/mnist"), 13);
        assertThat(Datasets.load("mnist", lookup).train().size()).isEqualTo(13);
        writeIdxSet(env.resolve("mnist"), 14);
        assertThat(Datasets.load("MNIST", lookup).train().size()).isEqualTo(14);
        writeIdxSet(dataDir, 15);
        DataSplits s = Datasets.load("mnist", lookup);
        assertThat(s.train().size()).isEqualTo(15);
        assertThat(s.classNames()).hasSize(10);
        assertThat(s.train().x().shape()).containsExactly(15, 4, 4, 1);
    }

    @Test
    void notFoundListsEveryPlaceAndHowToGetTheData() {
        Path home = dir.resolve("home");
        Datasets.Lookup lookup = new Datasets.Lookup(dir.resolve("nope"), null, home, List.of(dir.resolve("sys")));
        assertThatThrownBy(() -> Datasets.load("fashion-mnist", lookup)).isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining(dir.resolve("nope").toString())
                .hasMessageContaining(home.resolve(".cnn4j/datasets/fashion-mnist").toString())
                .hasMessageContaining(dir.resolve("sys/fashion-mnist").toString())
                .hasMessageContaining("apt-get install dataset-fashion-mnist")
                .hasMessageContaining("--download");
        assertThatThrownBy(() -> Datasets.load("imagenet", lookup)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("known: fashion-mnist, mnist, cifar10");
    }

    @Test
    void downloadOfflineFailsClearlyAndLeavesNothing() {
        // a local port with nothing listening: the same path as a machine without internet
        Path target = dir.resolve("dl/x.gz");
        assertThatThrownBy(() -> Downloads.fetch(URI.create("http://127.0.0.1:9/x.gz"), target, "00", Downloads.Progress.NONE,
                Duration.ofSeconds(5))).isInstanceOf(Downloads.DownloadException.class)
                .hasMessageContaining("cannot download http://127.0.0.1:9/x.gz").hasMessageContaining("--data-dir");
        assertThat(target).doesNotExist();
        assertThat(dir.resolve("dl")).isEmptyDirectory();
    }

    @Test
    void checksumLogicOnLocalFiles() throws IOException {
        Path f = Files.writeString(dir.resolve("abc.txt"), "abc");
        // SHA-256("abc") from FIPS 180-2, appendix B.1
        String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertThat(Downloads.sha256(f)).isEqualTo(abc);
        Downloads.checkDigest("abc.txt", abc.toUpperCase(), abc);
        assertThatThrownBy(() -> Downloads.checkDigest("abc.txt", abc, "00" + abc.substring(2)))
                .isInstanceOf(Downloads.DownloadException.class).hasMessageContaining("SHA-256 of abc.txt is " + abc);
        // an existing file with the right checksum is not fetched again (the URL would fail)
        Downloads.fetch(URI.create("http://127.0.0.1:9/abc.txt"), f, abc, Downloads.Progress.NONE, Duration.ofSeconds(5));
        assertThat(Datasets.remotes("fashion-mnist")).hasSize(4).allSatisfy(r -> assertThat(r.sha256()).hasSize(64));
    }

    @Test
    void debianChecksumsMatchTheRegistry() throws IOException {
        Path src = Path.of("/usr/share/datasets/fashion-mnist");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(src), "dataset-fashion-mnist not installed");
        for (Datasets.Remote r : Datasets.remotes("fashion-mnist")) {
            assertThat(Downloads.sha256(src.resolve(r.file()))).as(r.file()).isEqualTo(r.sha256());
        }
    }

    @Test
    void cifarBinaryIsReadAsNhwcAndBadLabelsAreNamed() throws IOException {
        byte[] rec = new byte[2 * Cifar10Files.RECORD];
        rec[0] = 3;
        for (int c = 0; c < 3; c++) {
            rec[1 + c * 1024 + 5] = (byte) (10 * (c + 1)); // pixel 5 of plane c
        }
        rec[Cifar10Files.RECORD] = 9;
        Path f = Files.write(dir.resolve("data_batch_1.bin"), rec);
        Cifar10Files.Batch b = Cifar10Files.read(List.of(f, f));
        assertThat(b.labels()).containsExactly(3, 9, 3, 9);
        assertThat(b.images().shape()).containsExactly(4, 32, 32, 3);
        assertThat(b.images().get(5 * 3)).isEqualTo(10);
        assertThat(b.images().get(5 * 3 + 1)).isEqualTo(20);
        assertThat(b.images().get(5 * 3 + 2)).isEqualTo(30);
        rec[Cifar10Files.RECORD] = 10;
        Path bad = Files.write(dir.resolve("bad.bin"), rec);
        assertThatThrownBy(() -> Cifar10Files.read(List.of(bad))).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("label 10 at index 1");
        Path cut = Files.write(dir.resolve("cut.bin"), java.util.Arrays.copyOf(rec, 100));
        assertThatThrownBy(() -> Cifar10Files.read(List.of(cut))).hasMessageContaining("not a positive multiple of the CIFAR-10 record size");
    }

    static byte[] tarEntry(String name, byte[] content) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        byte[] size = String.format("%011o", content.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, h, 124, size.length);
        h[156] = '0';
        byte[] out = new byte[512 + (content.length + 511) / 512 * 512];
        System.arraycopy(h, 0, out, 0, 512);
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }

    @Test
    void tarExtractionPicksTheWantedFilesByBaseName() throws IOException {
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        tar.write(tarEntry("cifar-10-batches-bin/readme.html", new byte[700]));
        byte[] batch = new byte[Cifar10Files.RECORD];
        batch[0] = 7;
        tar.write(tarEntry("cifar-10-batches-bin/test_batch.bin", batch));
        tar.write(new byte[1024]); // end-of-archive marker
        Path out = dir.resolve("x");
        Files.createDirectories(out);
        Datasets.Tar.extract(new java.io.ByteArrayInputStream(tar.toByteArray()), dir.resolve("a.tar"), List.of("test_batch.bin"), out);
        try (var s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("test_batch.bin");
        }
        assertThat(Cifar10Files.read(List.of(out.resolve("test_batch.bin"))).labels()).containsExactly(7);
        byte[] cut = java.util.Arrays.copyOf(tar.toByteArray(), 1200);
        assertThatThrownBy(() -> Datasets.Tar.extract(new java.io.ByteArrayInputStream(cut), dir.resolve("a.tar"), List.of("test_batch.bin"), out))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("a.tar").hasMessageContaining("truncated");
    }
}
