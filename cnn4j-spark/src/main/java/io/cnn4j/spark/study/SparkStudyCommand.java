package io.cnn4j.spark.study;

import io.cnn4j.cli.StudyCommand;
import io.cnn4j.study.Study;
import io.cnn4j.study.StudyConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code cnn4j-spark study}: the options of {@code cnn4j study}, plus where Spark and the study's files are. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"The placement study of `cnn4j study` (same options, same results file and report) with one trial per Spark task.",
                "Results and checkpoints go to --store (any Hadoop FileSystem URI every node can reach), the report to --out on the driver. "
                        + "Rerun the same command after a crash: finished trials are skipped, the others continue from their last epoch.",
                "--threads is not used on Spark: each trial runs spark.task.cpus GEMM threads (default 1; --conf spark.task.cpus=N)."})
public final class SparkStudyCommand extends StudyCommand {
    @Option(names = "--master", description = "Spark master URL, e.g. spark://host:7077 (default: spark.master from spark-submit, else local[*])")
    String master;

    @Option(names = "--store", description = "root URI for results and checkpoints, e.g. hdfs://namenode/cnn4j or s3a://bucket/cnn4j "
            + "(default: the --out directory as a file:// URI, which a cluster can use only where every worker mounts it at the same path)")
    String store;

    @Option(names = "--conf", description = "a Spark setting KEY=VALUE (repeatable), e.g. spark.task.cpus=2 or spark.hadoop.fs.s3a.endpoint=...")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    protected String commandName() {
        return "cnn4j-spark/bin/cnn4j-spark study";
    }

    @Override
    protected void runStudy(StudyConfig config) {
        SparkConf sparkConf = new SparkConf().setAppName("cnn4j study " + config.studyId());
        if (master != null) {
            sparkConf.setMaster(master);
        } else if (!sparkConf.contains("spark.master")) {
            sparkConf.setMaster("local[*]");
        }
        conf.forEach(sparkConf::set);
        String m = sparkConf.get("spark.master");
        if (!m.startsWith("local") && !sparkConf.contains("spark.jars")) {
            // started by bin/cnn4j-spark rather than spark-submit: ship the application jar this class came from
            appJar().ifPresent(jar -> sparkConf.set("spark.jars", jar));
        }
        if (!m.startsWith("local") && store == null) {
            System.out.println("note: no --store; results and checkpoints go to " + config.outRoot().toAbsolutePath()
                    + ", which every worker must mount at that path");
        }
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
            // plain progress lines (start, epoch, done with counts and ETA): tasks report per epoch, not per batch, so there is
            // nothing to redraw live
            Study.run(config, System.out, false, new SparkTrialEngine(sc, store));
        }
    }

    private static java.util.Optional<String> appJar() {
        try {
            Path p = Path.of(SparkStudyCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? java.util.Optional.of(p.toString()) : java.util.Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
