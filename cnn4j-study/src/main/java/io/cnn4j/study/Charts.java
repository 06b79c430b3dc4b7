package io.cnn4j.study;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
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

    /**
     * Forest plot: one row per comparison, the mean paired difference (points) with its 95% CI as a
     * horizontal bar, coloured by verdict; dashed lines at ±margin and a solid line at 0.
     */
    static byte[] forest(Analysis a) {
        List<Analysis.Comparison> cs = a.comparisons();
        int k = cs.size();
        XYChart c = new XYChartBuilder().width(WIDTH).height(Math.max(HEIGHT, 120 + 40 * k))
                .title("Paired differences vs " + (a.baseline() == null ? "baseline" : a.baseline().name()) + " (95% CI, margin ±"
                        + Analysis.points(a.margin()) + " points)")
                .xAxisTitle("variant − baseline, test accuracy (points)").yAxisTitle("").build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setYAxisMin(0.5);
        c.getStyler().setYAxisMax(k + 0.5);
        double m = 100 * a.margin();
        double lo = -m, hi = m;
        String[] labels = new String[k + 1];
        java.util.Set<Verdict> shown = java.util.EnumSet.noneOf(Verdict.class);
        for (int i = 0; i < k; i++) {
            Analysis.Comparison cmp = cs.get(i);
            Stats.Paired pr = cmp.paired();
            double y = k - i;
            labels[k - i] = cmp.variant().name();
            double mean = 100 * pr.meanDiff();
            double l = Double.isNaN(pr.ciLow()) ? mean : 100 * pr.ciLow();
            double h = Double.isNaN(pr.ciHigh()) ? mean : 100 * pr.ciHigh();
            lo = Math.min(lo, l);
            hi = Math.max(hi, h);
            java.awt.Color color = switch (cmp.verdict()) {
                case BETTER -> new java.awt.Color(0x2e7d32);
                case WORSE -> new java.awt.Color(0xc62828);
                case EQUIVALENT -> new java.awt.Color(0x1565c0);
                case INCONCLUSIVE -> java.awt.Color.GRAY;
            };
            XYSeries bar = c.addSeries("ci " + i, new double[]{l, h}, new double[]{y, y});
            bar.setLineColor(color);
            bar.setLineWidth(3f);
            bar.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            bar.setShowInLegend(false);
            XYSeries point = c.addSeries(shown.add(cmp.verdict()) ? cmp.verdict().label(a.margin()) : "mean " + i,
                    new double[]{mean}, new double[]{y});
            point.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            point.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND);
            point.setMarkerColor(color);
            point.setShowInLegend(point.getName().startsWith("mean ") ? false : true);
        }
        for (double x : new double[]{-m, m}) {
            XYSeries band = c.addSeries((x < 0 ? "−" : "+") + "margin", new double[]{x, x}, new double[]{0.5, k + 0.5});
            band.setLineColor(new java.awt.Color(0x1565c0));
            band.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                    new float[]{6f, 4f}, 0f));
            band.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            band.setShowInLegend(x > 0);
            if (x > 0) {
                band.setLabel("equivalence margin ±" + Analysis.points(a.margin()));
            }
        }
        XYSeries zero = c.addSeries("no difference", new double[]{0, 0}, new double[]{0.5, k + 0.5});
        zero.setLineColor(java.awt.Color.BLACK);
        zero.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        zero.setShowInLegend(false);
        double pad = Math.max(0.1, (hi - lo) * 0.08);
        c.getStyler().setXAxisMin(lo - pad);
        c.getStyler().setXAxisMax(hi + pad);
        // row names above each interval (XChart's y-axis ticks do not fall on the rows)
        c.getStyler().setYAxisTicksVisible(false);
        c.getStyler().setYAxisMax(k + 0.75);
        for (int r = 1; r <= k; r++) {
            Stats.Paired pr = cs.get(k - r).paired();
            c.addAnnotation(new org.knowm.xchart.AnnotationText(labels[r] + String.format(java.util.Locale.ROOT, "  %+.2f", 100 * pr.meanDiff()),
                    100 * pr.meanDiff(), r + 0.28, false));
        }
        return png(c);
    }

    /** Mean validation loss per epoch, one line per variant, with a marker at each curve's minimum. */
    static byte[] valLoss(List<Analysis.VariantStats> stats) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Validation loss by epoch (mean over seeds); ◆ = minimum")
                .xAxisTitle("epoch").yAxisTitle("validation loss").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        List<double[]> minima = new ArrayList<>();
        for (Analysis.VariantStats s : stats) {
            double[] y = s.meanValLoss();
            if (y.length == 0 || Double.isNaN(y[0])) {
                continue;
            }
            double[] x = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                x[i] = i + 1;
            }
            XYSeries line = c.addSeries(s.variant().name(), x, y);
            line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            int e = s.valLossMinimum();
            minima.add(new double[]{e + 1, y[e]});
        }
        if (!minima.isEmpty()) {
            XYSeries mins = c.addSeries("minimum", minima.stream().mapToDouble(v -> v[0]).toArray(),
                    minima.stream().mapToDouble(v -> v[1]).toArray());
            mins.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            mins.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND);
            mins.setMarkerColor(java.awt.Color.BLACK);
        } else {
            c.addSeries("no validation set", new double[]{1}, new double[]{0});
        }
        return png(c);
    }

    /** Mean test accuracy (percent) against the nominal rate, one line per placement (pooling, dropout, position, rate mode). */
    static byte[] rates(List<Analysis.VariantStats> stats) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Test accuracy vs nominal dropout rate, per placement")
                .xAxisTitle("nominal rate p").yAxisTitle("test accuracy (%)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        java.util.Map<String, java.util.TreeMap<Double, Double>> lines = new java.util.LinkedHashMap<>();
        for (Analysis.VariantStats s : stats) {
            Variant v = s.variant();
            if (v.dropout().equals("none")) {
                continue;
            }
            String key = v.pooling() + " " + v.dropout() + "-" + v.position() + ("matched".equals(v.rateMode()) ? " (matched)" : "");
            lines.computeIfAbsent(key, k -> new java.util.TreeMap<>()).put(v.nominalRate(), 100 * s.testAccuracy().mean());
        }
        for (java.util.Map.Entry<String, java.util.TreeMap<Double, Double>> e : lines.entrySet()) {
            c.addSeries(e.getKey(), e.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray(),
                    e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray());
        }
        if (lines.isEmpty()) {
            c.addSeries("no dropout variants", new double[]{0}, new double[]{0});
        }
        return png(c);
    }
}
