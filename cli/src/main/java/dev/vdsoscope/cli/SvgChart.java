package dev.vdsoscope.cli;

import java.util.List;
import java.util.Locale;

/**
 * A horizontal grouped bar chart as a standalone SVG document: one group per row, one bar per
 * series, each labelled with its value. Missing values (a path that does not exist) leave a gap.
 */
final class SvgChart {
    private SvgChart() {}

    record Row(String label, List<Double> values) {}

    private static final String[] COLOURS = {"#1b9e77", "#7570b3", "#d95f02", "#e7298a"};
    private static final int LABEL_WIDTH = 300, BAR_AREA = 520, BAR_HEIGHT = 11, GROUP_GAP = 10, TOP = 60;

    static String render(String title, String unit, List<String> series, List<Row> rows) {
        double max = rows.stream().flatMap(r -> r.values().stream()).filter(v -> v != null)
                .mapToDouble(Double::doubleValue).max().orElse(1);
        int groupHeight = series.size() * BAR_HEIGHT + GROUP_GAP;
        int height = TOP + rows.size() * groupHeight + 20;
        int width = LABEL_WIDTH + BAR_AREA + 90;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        for (int s = 0; s < series.size(); s++) {
            int x = 10 + s * 150;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"42\">%s</text>%n", x, COLOURS[s % COLOURS.length], x + 16, escape(series.get(s))));
        }
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int y = TOP + r * groupHeight;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    LABEL_WIDTH - 6, y + series.size() * BAR_HEIGHT / 2 + 4, escape(row.label())));
            for (int s = 0; s < row.values().size(); s++) {
                Double value = row.values().get(s);
                if (value == null) {
                    continue;
                }
                double length = Math.max(1, value / max * BAR_AREA);
                int barY = y + s * BAR_HEIGHT;
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                        + "<text x=\"%.1f\" y=\"%d\" font-size=\"9\">%.1f %s</text>%n", LABEL_WIDTH, barY, length,
                        BAR_HEIGHT - 1, COLOURS[s % COLOURS.length], LABEL_WIDTH + length + 4, barY + 9, value,
                        escape(unit)));
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
