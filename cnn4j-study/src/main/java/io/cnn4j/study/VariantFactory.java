package io.cnn4j.study;

import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.Padding;
import io.cnn4j.layers.DropBlock2D;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.MaxPoolingDropout2D;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.Pooling2D;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.model.Sequential;
import io.cnn4j.random.Seeds;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the base model into one model per variant by editing layer configurations: the base's
 * dropout layers that sit next to a pooling layer are removed (they are what the study varies),
 * every pooling layer becomes the variant's pooling type with the same window, strides and padding,
 * and the variant's dropout is inserted before or after it. Dropout elsewhere (e.g. between dense
 * layers) is kept as in the base model.
 */
public final class VariantFactory {
    /** DropBlock's block size in study variants (clipped by the layer to small feature maps). */
    public static final int DROPBLOCK_SIZE = 3;

    private VariantFactory() {
    }

    /**
     * The layer configurations of {@code variant} derived from {@code base}, for run seed
     * {@code seed}. Every dropout layer gets an explicit mask seed derived from the run seed and
     * its role (the j-th pooling site, or the j-th dropout kept from the base), not from its
     * position among stochastic layers: so the dense dropout draws the same masks in every
     * variant of a seed, and spatial dropout before and after a pool draws the same channel masks.
     */
    public static List<LayerConfig> layers(BaseModel base, Variant variant, long seed) {
        List<LayerConfig> in = base.layers();
        List<LayerConfig> out = new ArrayList<>();
        int poolSite = 0;
        int bnSite = 0;
        int kept = 0;
        boolean aroundBn = variant.aroundBatchNormalization();
        if (aroundBn && in.stream().noneMatch(StudyLayers::isBatchNormalization)) {
            throw new IllegalArgumentException("variant " + variant.name() + " places dropout around BatchNormalization, but the base model "
                    + "has none; use --model vgg-like-bn or a model with Conv2D → BatchNormalization blocks");
        }
        for (int i = 0; i < in.size(); i++) {
            LayerConfig c = in.get(i);
            if (StudyLayers.isDropout(c) && adjacentToPool(in, i)) {
                continue;
            }
            if (aroundBn && StudyLayers.isBatchNormalization(c) && i > 0 && StudyLayers.isConvolution(in.get(i - 1))) {
                // the same mask seed for the j-th BN site before and after: the placements share their masks' randomness
                LayerConfig drop = dropoutConfig(variant, Seeds.derive(seed, "study-bn-site", bnSite++));
                if (variant.position().equals("before-bn")) {
                    out.add(drop);
                    out.add(c);
                } else {
                    out.add(c);
                    if (i + 1 < in.size() && StudyLayers.isActivation(in.get(i + 1))) {
                        out.add(in.get(++i));
                    }
                    out.add(drop);
                }
                continue;
            }
            if (c instanceof Pooling2D.Config p) {
                String cls = variant.pooling().equals("max") ? "MaxPooling2D" : "AveragePooling2D";
                Pooling2D.Config pool = new Pooling2D.Config(cls, p.poolSize(), p.strides(), p.padding());
                long maskSeed = Seeds.derive(seed, "study-pool-site", poolSite++);
                if (variant.dropout().equals("pwp")) {
                    out.add(fusedPool(p, variant, maskSeed));
                    continue;
                }
                if (variant.position().equals("before")) {
                    out.add(dropoutConfig(variant, maskSeed));
                }
                out.add(pool);
                if (variant.position().equals("after")) {
                    out.add(dropoutConfig(variant, maskSeed));
                }
                continue;
            }
            if (c instanceof SpatialDropout2D.Config sd && sd.seed() == null) {
                c = new SpatialDropout2D.Config(sd.rate(), Seeds.derive(seed, "study-kept-dropout", kept++));
            } else if (c instanceof Dropout.Config d && d.seed() == null) {
                c = new Dropout.Config(d.rate(), d.noiseShape(), Seeds.derive(seed, "study-kept-dropout", kept++));
            }
            out.add(c);
        }
        return out;
    }

    private static boolean adjacentToPool(List<LayerConfig> layers, int i) {
        return (i > 0 && StudyLayers.isPooling(layers.get(i - 1))) || (i + 1 < layers.size() && StudyLayers.isPooling(layers.get(i + 1)));
    }

    private static LayerConfig fusedPool(Pooling2D.Config p, Variant v, long maskSeed) {
        int k = p.poolSize()[0];
        if (p.poolSize()[1] != k || p.strides()[0] != k || p.strides()[1] != k || p.padding() != Padding.VALID) {
            throw new IllegalArgumentException("variant " + v.name() + " needs square pools with strides equal to the pool and 'valid' "
                    + "padding; the base model has pool " + java.util.Arrays.toString(p.poolSize()) + ", strides "
                    + java.util.Arrays.toString(p.strides()) + ", padding " + p.padding().keras());
        }
        return new MaxPoolingDropout2D.Config(v.rate(), k, maskSeed);
    }

    private static LayerConfig dropoutConfig(Variant v, long maskSeed) {
        return switch (v.dropout()) {
            case "dropout" -> new Dropout.Config(v.rate(), null, maskSeed);
            case "spatial" -> new SpatialDropout2D.Config(v.rate(), maskSeed);
            case "dropblock" -> new DropBlock2D.Config(v.rate(), DROPBLOCK_SIZE, maskSeed);
            default -> throw new IllegalStateException("no dropout layer for " + v.name());
        };
    }

    /**
     * A fresh, built model for {@code variant} and {@code seed}. All variants use
     * {@code new Sequential(seed)}: weighted layers are initialised from their ordinal among
     * weighted layers and batches are shuffled from the seed, so the variants of one seed share
     * initial weights and batch order and differ only in their masks (common random numbers);
     * mask seeds are set per role, see {@link #layers(BaseModel, Variant, long)}.
     */
    public static Sequential build(BaseModel base, Variant variant, long seed, Gemm gemm) {
        Sequential model = new Sequential(variant.id(), seed);
        if (gemm != null) {
            model.gemm(gemm);
        }
        for (LayerConfig c : layers(base, variant, seed)) {
            model.add(c.newLayer());
        }
        model.build(base.inputShape());
        return model;
    }

    /**
     * The standard variant list: for each pooling type, no dropout, element-wise and spatial
     * dropout before and after the pool at the nominal rate; with {@code rates} "matched" or
     * "both", element-wise before the pool at the matched rate too ("matched" drops the nominal
     * element-wise-before variant); for max pooling also max-pooling dropout with probabilistic
     * weighted pooling (Wu &amp; Gu 2015) at the same rate(s), and DropBlock before / after the
     * pool; studies select those with placements "pwp-before", "dropblock-before", "dropblock-after".
     */
    public static List<Variant> standard(List<String> poolings, double rate, String rates, int window) {
        if (!Set.of("nominal", "matched", "both").contains(rates)) {
            throw new IllegalArgumentException("--rates must be nominal, matched or both; got '" + rates + "'");
        }
        Set<Variant> out = new LinkedHashSet<>();
        for (String p : poolings) {
            out.add(Variant.none(p));
            if (!rates.equals("matched")) {
                out.add(Variant.nominal(p, "dropout", "before", rate));
            }
            if (!rates.equals("nominal")) {
                out.add(Variant.matchedBefore(p, rate, window));
            }
            out.add(Variant.nominal(p, "dropout", "after", rate));
            out.add(Variant.nominal(p, "spatial", "before", rate));
            out.add(Variant.nominal(p, "spatial", "after", rate));
            out.add(Variant.nominal(p, "dropblock", "before", rate));
            out.add(Variant.nominal(p, "dropblock", "after", rate));
            if (p.equals("max")) {
                if (!rates.equals("matched")) {
                    out.add(Variant.pwp(rate, rate, "nominal"));
                }
                if (!rates.equals("nominal")) {
                    out.add(Variant.pwp(Variant.matchedRate(rate, window), rate, "matched"));
                }
            }
        }
        return List.copyOf(out);
    }
}
