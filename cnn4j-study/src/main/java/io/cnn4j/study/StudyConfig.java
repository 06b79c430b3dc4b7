package io.cnn4j.study;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.model.InvalidSettingException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Everything that defines a study. Its {@link #studyId()} hashes the parts that change results
 * (data, model, variants, seeds, training), so running the same command again finds the same
 * directory and resumes; threads, backend and output root are left out of the hash.
 *
 * @param preset     "quick", "full" or "custom", for the id and the report
 * @param variants   explicit variants; null means the standard set from poolings / rate / rates / placements
 * @param placements which standard placements to include (none, dropout-before, dropout-after,
 *                   spatial-before, spatial-after); null means all
 * @param baseline   the comparison baseline; null means element-wise dropout after the first pooling type's pool
 * @param command    the command line, quoted in the report so that it can be rerun
 * @param rate       the first (baseline) dropout rate
 * @param allRates   every nominal rate the standard variants run at ({@code rate} first)
 * @param margin     equivalence margin of the comparisons, as a fraction (0.003 = 0.3 points); not part of the id
 * @param selection  which epoch's test accuracy the answer uses; not part of the id
 */
public record StudyConfig(String preset, DataSpec data, String model, List<String> poolings, double rate, String rates,
                          List<String> placements, List<Variant> variants, Variant baseline, int seeds, TrainingSpec training,
                          String backend, int threads, Path outRoot, String command, List<Double> allRates, double margin,
                          Selection selection) {
    /**
     * Placements by name; the first five are the default set, "pwp-before" (Wu &amp; Gu 2015),
     * "dropblock-before" / "dropblock-after" (Ghiasi et al. 2018) and the placements around
     * BatchNormalization ("dropout-before-bn", "dropout-after-bn", "spatial-before-bn",
     * "spatial-after-bn"; Li et al. 2019's variance shift) are on request.
     */
    public static final List<String> PLACEMENTS = List.of("none", "dropout-before", "dropout-after", "spatial-before", "spatial-after",
            "pwp-before", "dropblock-before", "dropblock-after", "dropout-before-bn", "dropout-after-bn", "spatial-before-bn",
            "spatial-after-bn");
    public static final List<String> DEFAULT_PLACEMENTS = PLACEMENTS.subList(0, 5);

    /** The most seeds per variant a study takes: far beyond any useful design, far below sizes that overflow or hang. */
    public static final int MAX_SEEDS = 10_000;

    public StudyConfig {
        InvalidSettingException.range("--seeds", seeds, 1, MAX_SEEDS);
        InvalidSettingException.positive("--threads", threads);
        InvalidSettingException.open("--rate", rate, 0, 1, "the drop probability");
        poolings = List.copyOf(poolings);
        for (String p : poolings) {
            InvalidSettingException.oneOf("--pooling", p, Variant.POOLINGS);
        }
        if (placements != null) {
            for (String p : placements) {
                InvalidSettingException.oneOf("--variants", p, PLACEMENTS);
            }
            placements = List.copyOf(placements);
        }

        variants = variants == null ? null : List.copyOf(variants);
        allRates = allRates == null || allRates.isEmpty() ? List.of(rate) : List.copyOf(allRates);
        if (allRates.get(0) != rate) {
            throw new IllegalArgumentException("the first of the rates " + allRates + " must be the baseline rate " + rate);
        }
        for (double r : allRates) {
            if (!(r > 0 && r < 1)) {
                throw new IllegalArgumentException("--rate values are drop probabilities and must be in (0, 1), got " + r);
            }
        }
        if (allRates.stream().distinct().count() != allRates.size()) {
            throw new IllegalArgumentException("--rate lists a rate twice: " + allRates);
        }
        if (!(margin > 0 && margin < 1)) {
            throw new IllegalArgumentException("--margin must be in (0, 100) points, got " + Analysis.points(margin));
        }
        selection = selection == null ? Selection.BEST : selection;
    }

    /** One rate, the default margin, best-validation-epoch selection. */
    public StudyConfig(String preset, DataSpec data, String model, List<String> poolings, double rate, String rates,
                       List<String> placements, List<Variant> variants, Variant baseline, int seeds, TrainingSpec training,
                       String backend, int threads, Path outRoot, String command) {
        this(preset, data, model, poolings, rate, rates, placements, variants, baseline, seeds, training, backend, threads, outRoot,
                command, List.of(rate), Analysis.DEFAULT_MARGIN, Selection.BEST);
    }

    /** The variants of this study, in report order. */
    public List<Variant> variantList(int window) {
        if (variants != null) {
            return variants;
        }
        List<String> wanted = placements == null ? DEFAULT_PLACEMENTS : placements;
        java.util.Map<String, Variant> byId = new java.util.LinkedHashMap<>();
        for (double r : allRates) {
            for (Variant v : VariantFactory.standard(poolings, r, rates, window)) {
                if (wanted.contains(v.dropout().equals("none") ? "none" : v.dropout() + "-" + v.position())) {
                    byId.putIfAbsent(v.id(), v);
                }
            }
            // the placements around BatchNormalization, on request, at the nominal rate(s)
            for (String pooling : poolings) {
                for (String placement : wanted) {
                    if (placement.endsWith("-bn")) {
                        int dash = placement.indexOf('-');
                        Variant v = Variant.nominal(pooling, placement.substring(0, dash), placement.substring(dash + 1), r);
                        byId.putIfAbsent(v.id(), v);
                    }
                }
            }
        }
        return List.copyOf(byId.values());
    }

    public Variant baselineVariant() {
        return baseline != null ? baseline : Variant.nominal(poolings.get(0), "dropout", "after", rate);
    }

    public String studyId() {
        ObjectNode n = ResultsFile.JSON.createObjectNode();
        n.set("data", ResultsFile.JSON.valueToTree(data));
        n.put("model", model);
        // the model's content, not only its path: an edited model JSON is another study
        Path modelFile = Path.of(model);
        if (Files.isRegularFile(modelFile)) {
            n.put("model_sha256", sha256(modelFile));
        }
        n.set("poolings", ResultsFile.JSON.valueToTree(poolings));
        n.put("rate", rate);
        if (allRates.size() > 1) {
            n.set("allRates", ResultsFile.JSON.valueToTree(allRates));
        }
        n.put("rates", rates);
        n.set("placements", ResultsFile.JSON.valueToTree(placements));
        n.set("variants", ResultsFile.JSON.valueToTree(variants));
        n.put("seeds", seeds);
        ObjectNode t = ResultsFile.JSON.valueToTree(training);
        // the options added later hash only when set, so studies started before them keep their ids
        if (training.optimizerName().equals("adam")) {
            t.remove("optimizerName");
        }
        if (training.patience() == null) {
            t.remove("patience");
        }
        n.set("training", t);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(n.toString().getBytes(StandardCharsets.UTF_8));
            return preset + "-" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read --model " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path directory() {
        return outRoot.resolve(studyId());
    }
}
