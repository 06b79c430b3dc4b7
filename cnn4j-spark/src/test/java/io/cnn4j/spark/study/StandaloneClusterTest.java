package io.cnn4j.spark.study;

import io.cnn4j.study.Study;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spark standalone cluster on 127.0.0.1 from the test class path (no download): a Master and two
 * Workers, each its own JVM, each Worker with one core. The tiny study runs on it; one Worker's JVM
 * is killed while a trial runs on its executor. The study must still finish with the local
 * runner's numbers, every trial and epoch exactly once, the lost trial continuing from its last
 * checkpoint on the other executor. Every process started here is stopped, also on failure.
 */
class StandaloneClusterTest {
    static final int TRAIN = TinyStudy.KILL_TRAIN;

    private final List<Process> started = new ArrayList<>();

    @Test
    void studySurvivesALostWorkerWithTheLocalNumbers(@TempDir Path tmp) throws Exception {
        // an empty Spark home: the Workers build executor class paths from it plus spark.executor.extraClassPath
        Path sparkHome = Files.createDirectories(tmp.resolve("spark-home/jars"));
        // Master and Workers log at INFO (the test class path's log4j2.properties says WARN): registrations are INFO lines
        Files.writeString(tmp.resolve("spark-home/log4j2.properties"), """
                rootLogger.level = info
                rootLogger.appenderRef.stdout.ref = console
                appender.console.type = Console
                appender.console.name = console
                appender.console.target = SYSTEM_ERR
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
                """);
        int port = freePort();
        String masterUrl = "spark://127.0.0.1:" + port;
        try {
            Process master = start(tmp.resolve("master.log"), sparkHome.getParent(), "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
            Process[] workers = new Process[2];
            Path[] workDirs = new Path[2];
            for (int w = 0; w < 2; w++) {
                workDirs[w] = Files.createDirectories(tmp.resolve("worker" + w));
                workers[w] = start(tmp.resolve("worker" + w + ".log"), sparkHome.getParent(), "org.apache.spark.deploy.worker.Worker",
                        "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", Integer.toString(freePort()),
                        "--work-dir", workDirs[w].toString(), masterUrl);
            }
            waitFor(() -> count(tmp.resolve("master.log"), "Registering worker") >= 2, 180,
                    () -> "two workers registered; master log:\n" + read(tmp.resolve("master.log")));
            assertThat(master.isAlive()).isTrue();

            Path out = tmp.resolve("cluster");
            Path attempts = TinyStudy.config(out, TRAIN).directory().resolve("attempts");
            SparkConf conf = new SparkConf().setMaster(masterUrl).setAppName("cnn4j-standalone-test").set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.executor.memory", "512m").set("spark.executor.cores", "1").set("spark.cores.max", "2")
                    .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                    .set("spark.executor.extraJavaOptions", String.join(" ", TinyStudy.jvmFlags()))
                    .set("spark.task.maxFailures", "4");
            Study.Outcome cluster;
            String killed = null;
            try (JavaSparkContext sc = new JavaSparkContext(conf)) {
                CompletableFuture<Study.Outcome> run = CompletableFuture.supplyAsync(
                        () -> Study.run(TinyStudy.config(out, TRAIN), TinyStudy.quiet(), false, new SparkTrialEngine(sc, null)));
                // kill worker 0 once a trial on its executor is between epochs
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (!run.isDone() && System.nanoTime() < deadline) {
                    killed = runningTrialOn(attempts, executorIds(workDirs[0]));
                    if (killed != null) {
                        List<ProcessHandle> executors = workers[0].descendants().toList();
                        workers[0].destroyForcibly();
                        workers[0].waitFor(30, TimeUnit.SECONDS);
                        // its executor notices the lost Worker and exits (Spark's WorkerWatcher); on a slow machine, help it
                        for (ProcessHandle e : executors) {
                            try {
                                e.onExit().get(30, TimeUnit.SECONDS);
                            } catch (java.util.concurrent.TimeoutException slow) {
                                e.destroyForcibly();
                            }
                        }
                        break;
                    }
                    Thread.sleep(20);
                }
                try {
                    cluster = run.get(300, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new AssertionError("the study failed on the cluster: " + e.getCause() + "\nexecutor logs:\n" + executorLogs(workDirs)
                            + "\nworker 1 log:\n" + tail(read(tmp.resolve("worker1.log"))), e);
                }
            }
            assertThat(killed).as("a trial was running on worker 0 when it was killed; worker log:%n%s", read(tmp.resolve("worker0.log")))
                    .isNotNull();
            Path results = cluster.directory().resolve("results.jsonl");
            assertThat(TinyStudy.counts(results).values()).as("no trial or epoch lost or twice").containsOnly(1)
                    .hasSize(TinyStudy.TRIALS * (TinyStudy.EPOCHS + 1));
            assertThat(TinyStudy.numbers(Files.readAllLines(results)))
                    .isEqualTo(TinyStudy.numbers(TinyStudy.reference(TRAIN)));
            // the killed trial ran again elsewhere, from its checkpoint: its epoch 0 was timed once, then restored
            List<Path> tries = TinyStudy.attempts(attempts.resolve(killed));
            assertThat(tries).hasSizeGreaterThanOrEqualTo(2);
            Set<String> epoch0 = new TreeSet<>();
            for (Path a : tries) {
                epoch0.add(TinyStudy.JSON.readTree(Files.readAllLines(a).get(0)).get("seconds").asText());
            }
            assertThat(epoch0).hasSize(1);
        } finally {
            stopAll();
        }
    }

    /** The trial some executor of this worker is running: an attempt file of that executor with an epoch and no final line. */
    static String runningTrialOn(Path attempts, Set<String> executors) throws IOException {
        if (!Files.isDirectory(attempts) || executors.isEmpty()) {
            return null;
        }
        for (Path trial : Files.list(attempts).toList()) {
            for (Path a : TinyStudy.attempts(trial)) {
                String name = a.getFileName().toString();
                String exec = name.substring(name.lastIndexOf("-exec") + 5, name.length() - ".jsonl".length());
                String text = Files.readString(a);
                if (executors.contains(exec) && text.contains("\"type\":\"epoch\"") && !text.contains("\"type\":\"trial\"")) {
                    return trial.getFileName().toString();
                }
            }
        }
        return null;
    }

    /** The ends of the executors' stderr files, for failure messages. */
    static String executorLogs(Path[] workDirs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path w : workDirs) {
            try (Stream<Path> files = Files.walk(w)) {
                for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                    String text = read(f);
                    sb.append("== ").append(f).append('\n').append(text, Math.max(0, text.length() - 3000), text.length()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Executor ids a Worker has launched: its work directory holds app-*&#47;(executor id)/. */
    static Set<String> executorIds(Path workDir) throws IOException {
        Set<String> ids = new TreeSet<>();
        try (Stream<Path> apps = Files.list(workDir)) {
            for (Path app : apps.toList()) {
                if (Files.isDirectory(app)) {
                    try (Stream<Path> execs = Files.list(app)) {
                        execs.forEach(e -> ids.add(e.getFileName().toString()));
                    }
                }
            }
        }
        return ids;
    }

    private Process start(Path log, Path sparkHome, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(TinyStudy.javaBin(), "-Xmx256m",
                "-Dlog4j2.configurationFile=" + sparkHome.resolve("log4j2.properties").toUri()));
        command.addAll(TinyStudy.jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // without a Spark distribution the launcher library cannot infer the Scala version from the directory layout
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_DIRS", sparkHome.resolve("local").toString());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private void stopAll() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : started) {
            p.descendants().forEach(all::add);
            all.add(p.toHandle());
        }
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already gone or not stoppable in time; nothing more to do
            }
        }
    }

    static String tail(String text) {
        return text.substring(Math.max(0, text.length() - 4000));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static int count(Path log, String what) {
        String text = read(log);
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e.getMessage() + ")";
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitFor(Condition c, int seconds, java.util.function.Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(100);
        }
    }
}
