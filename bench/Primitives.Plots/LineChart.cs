using ScottPlot;

namespace Primitives.Plots;

/// <summary>
/// Throughput against thread count: one line per series, x on a log2 axis labelled with the
/// actual counts (1, 2, 4, 8, 16).
/// </summary>
internal static class LineChart
{
    public static void Save(string path, string title, string xLabel, string yLabel,
        IEnumerable<(string Series, double X, double Y)> points)
    {
        var plot = new Plot();
        var bySeries = points.GroupBy(p => p.Series).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var xs = new SortedSet<double>();
        int colour = 0;
        foreach (var series in bySeries)
        {
            var ordered = series.OrderBy(p => p.X).ToArray();
            var line = plot.Add.Scatter(ordered.Select(p => Math.Log2(p.X)).ToArray(), ordered.Select(p => p.Y).ToArray());
            line.LegendText = series.Key;
            line.Color = Charts.Palette.GetColor(colour++);
            line.LineWidth = 2;
            line.MarkerSize = 7;
            foreach (var p in ordered)
            {
                xs.Add(p.X);
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. xs.Select(Math.Log2)], [.. xs.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.Margins(0.05, 0.1);
        plot.Axes.SetLimitsY(0, bySeries.SelectMany(s => s).Select(p => p.Y).DefaultIfEmpty(1).Max() * 1.1);
        plot.ShowLegend(Edge.Right);
        Charts.Save(plot, path, 900, 550);
    }
}
