using ScottPlot;

namespace Primitives.Plots;

/// <summary>
/// Grouped bars on a log10 axis: one group per category (a peer), one bar per measure (p50, p90,
/// p99 or p99, max), values in nanoseconds labelled as ns / us / ms.
/// </summary>
internal static class BarChart
{
    public static void Save(string path, string title, string yLabel, string[] measures,
        IReadOnlyList<(string Category, double[] Values)> groups)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        double width = 0.8 / measures.Length;
        for (int g = 0; g < groups.Count; g++)
        {
            for (int m = 0; m < measures.Length; m++)
            {
                double value = Math.Max(groups[g].Values[m], 1);
                bars.Add(new Bar
                {
                    Position = g + ((m - ((measures.Length - 1) / 2.0)) * width),
                    Value = Math.Log10(value),
                    Size = width * 0.95,
                    FillColor = Charts.Palette.GetColor(m),
                    LineWidth = 0,
                });
            }
        }

        plot.Add.Bars(bars);
        for (int m = 0; m < measures.Length; m++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = measures[m], FillColor = Charts.Palette.GetColor(m) });
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, groups.Count).Select(i => (double)i)], [.. groups.Select(g => g.Category)]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 170;
        plot.Axes.Right.MinimumSize = 60;

        double top = Math.Ceiling(bars.Select(b => b.Value).DefaultIfEmpty(1).Max());
        var ticks = Enumerable.Range(0, (int)top + 1).Select(e => (double)e).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, [.. ticks.Select(Charts.FormatNanoseconds)]);
        plot.Axes.SetLimitsY(0, top + 0.2);
        plot.Axes.SetLimitsX(-0.6, groups.Count - 0.4);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        Charts.Save(plot, path, Math.Max(700, 110 * groups.Count + 200), 600);
    }
}
