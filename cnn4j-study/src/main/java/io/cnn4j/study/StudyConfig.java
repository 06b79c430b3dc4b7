package io.cnn4j.study;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
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
 */
public record StudyConfig(String preset, DataSpec data, String model, List<String> poolings, double rate, String rates,
                          List<String> placements, List<Variant> variants, Variant baseline, int seeds, TrainingSpec training,
                          String backend, int threads, Path outRoot, String command) {
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

    public StudyConfig {
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be ≥ 1, got " + seeds);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be ≥ 1, got " + threads);
        }
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("--rate is the drop probability and must be in (0, 1), got " + rate);
        }
        poolings = List.copyOf(poolings);
        for (String p : poolings) {
            if (!Variant.POOLINGS.contains(p)) {
                throw new IllegalArgumentException("--pooling takes max and/or avg, got '" + p + "'");
            }
        }
        if (placements != null) {
            for (String p : placements) {
                if (!PLACEMENTS.contains(p)) {
                    throw new IllegalArgumentException("--variants takes " + String.join(", ", PLACEMENTS) + "; got '" + p + "'");
                }
            }
            placements = List.copyOf(placements);
        }
        variants = variants == null ? null : List.copyOf(variants);
    }

    /** The variants of this study, in report order. */
    public List<Variant> variantList(int window) {
        if (variants != null) {
            return variants;
        }
        List<String> wanted = placements == null ? DEFAULT_PLACEMENTS : placements;
        List<Variant> out = new java.util.ArrayList<>(VariantFactory.standard(poolings, rate, rates, window).stream()
                .filter(v -> wanted.contains(v.dropout().equals("none") ? "none" : v.dropout() + "-" + v.position())).toList());
        // the placements around BatchNormalization, on request, at the nominal rate
        for (String pooling : poolings) {
            for (String placement : wanted) {
                if (placement.endsWith("-bn")) {
                    int dash = placement.indexOf('-');
                    out.add(Variant.nominal(pooling, placement.substring(0, dash), placement.substring(dash + 1), rate));
                }
            }
        }
        return List.copyOf(out);
    }

    public Variant baselineVariant() {
        return baseline != null ? baseline : Variant.nominal(poolings.get(0), "dropout", "after", rate);
    }

    public String studyId() {
        ObjectNode n = ResultsFile.JSON.createObjectNode();
        n.set("data", ResultsFile.JSON.valueToTree(data));
        n.put("model", model);
        n.set("poolings", ResultsFile.JSON.valueToTree(poolings));
        n.put("rate", rate);
        n.put("rates", rates);
        n.set("placements", ResultsFile.JSON.valueToTree(placements));
        n.set("variants", ResultsFile.JSON.valueToTree(variants));
        n.put("seeds", seeds);
        n.set("training", ResultsFile.JSON.valueToTree(training));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(n.toString().getBytes(StandardCharsets.UTF_8));
            return preset + "-" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path directory() {
        return outRoot.resolve(studyId());
    }
}
