package io.cnn4j.study;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The report's PNG charts, drawn with XChart (headless). */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 480;

    private Charts() {
    }

    static byte[] png(Chart<?, ?> chart) {
        System.setProperty("java.awt.headless", "true");
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart '" + chart.getTitle() + "': " + e.getMessage(), e);
        }
    }

    private static CategoryChart category(String title, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("variant").yAxisTitle(yTitle).build();
        c.getStyler().setXAxisLabelRotation(30);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setErrorBarsColor(java.awt.Color.DARK_GRAY);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return c;
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    /** Mean per variant with 95% CI bars, in percent. */
    static byte[] summary(String title, String yTitle, List<Analysis.VariantStats> stats, boolean gap) {
        CategoryChart c = category(title, yTitle);
        List<String> names = new ArrayList<>();
        List<Double> means = new ArrayList<>(), errs = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Analysis.VariantStats s : stats) {
            Stats.Summary sum = gap ? s.gap() : s.testAccuracy();
            names.add(s.variant().name());
            means.add(100 * sum.mean());
            double e = 100 * orZero(sum.halfWidth());
            errs.add(e);
            lo = Math.min(lo, 100 * sum.mean() - e);
            hi = Math.max(hi, 100 * sum.mean() + e);
        }
        c.addSeries(gap ? "train − test accuracy (mean, 95% CI)" : "test accuracy (mean, 95% CI)", names, means, errs);
        if (!gap) {
            double pad = Math.max(0.5, (hi - lo) * 0.3);
            c.getStyler().setYAxisMin(Math.max(0, Math.floor(lo - pad)));
            c.getStyler().setYAxisMax(Math.min(100, Math.ceil(hi + pad)));
        }
        return png(c);
    }

    /** Mean validation accuracy (or training loss when there is no validation set) per epoch, one line per variant. */
    static byte[] curves(List<Analysis.VariantStats> stats) {
        boolean val = stats.stream().allMatch(s -> s.meanValAccuracy().length > 0 && !Double.isNaN(s.meanValAccuracy()[0]));
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(val ? "Mean learning curves: validation accuracy by epoch" : "Mean learning curves: training loss by epoch")
                .xAxisTitle("epoch").yAxisTitle(val ? "validation accuracy (%)" : "training loss").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Analysis.VariantStats s : stats) {
            double[] y = val ? s.meanValAccuracy() : s.meanTrainLoss();
            if (y.length == 0) {
                continue;
            }
            double[] x = new double[y.length];
            double[] yy = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                x[i] = i + 1;
                yy[i] = val ? 100 * y[i] : y[i];
            }
            c.addSeries(s.variant().name(), x, yy);
        }
        return png(c);
    }

    static byte[] zeroRates(List<Mechanisms.ZeroRate> rates) {
        CategoryChart c = category("Pooled units zeroed by element-wise dropout (max pooling)", "fraction of pooled units");
        c.getStyler().setXAxisTitleVisible(false);
        List<String> names = new ArrayList<>();
        List<Double> mb = new ArrayList<>(), tb = new ArrayList<>(), ma = new ArrayList<>(), ta = new ArrayList<>();
        for (Mechanisms.ZeroRate z : rates) {
            names.add(z.source());
            mb.add(z.measuredBefore());
            tb.add(z.theoryBefore());
            ma.add(z.measuredAfter());
            ta.add(z.rate());
        }
        c.addSeries("before pool, measured", names, mb);
        c.addSeries("before pool, theory p^m", names, tb);
        c.addSeries("after pool, measured", names, ma);
        c.addSeries("after pool, theory p", names, ta);
        return png(c);
    }

    static byte[] moments(List<Mechanisms.Moments> moments, String source) {
        CategoryChart c = category("Pooled activations under each placement vs no dropout (" + source + ")", "ratio to no dropout");
        c.getStyler().setXAxisTitleVisible(false);
        for (String pooling : List.of("max", "avg")) {
            List<String> names = new ArrayList<>();
            List<Double> mean = new ArrayList<>(), var = new ArrayList<>();
            for (Mechanisms.Moments m : moments) {
                if (m.source().equals(source) && m.pooling().equals(pooling) && !m.placement().equals("no dropout")) {
                    names.add(m.placement());
                    mean.add(m.meanRatio());
                    var.add(m.varianceRatio());
                }
            }
            if (!names.isEmpty()) {
                c.addSeries(pooling + " pool: mean ratio", names, mean);
                c.addSeries(pooling + " pool: variance ratio", names, var);
            }
        }
        return png(c);
    }
}
