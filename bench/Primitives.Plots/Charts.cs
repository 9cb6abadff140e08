using System.Globalization;

using ScottPlot;

namespace Primitives.Plots;

/// <summary>
/// The charts made from one results folder, each from the files it recognises: BenchmarkDotNet
/// reports (<c>*-report.csv</c>) of the mix and per-CPU reader suites, and the extra tables
/// (<c>handoff-latency.csv</c>, <c>fairness-wait.csv</c>, <c>intent-with-readers.csv</c>).
/// </summary>
internal static class Charts
{
    public static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    private static readonly List<string> s_written = [];

    /// <summary>The results folder's name (e.g. 2026-11-23-2core), appended to every title so a chart says where its numbers came from.</summary>
    public static string Source { get; set; } = string.Empty;

    public static IReadOnlyList<string> Written => s_written;

    public static void Save(Plot plot, string path, int width, int height)
    {
        if (Source.Length > 0)
        {
            plot.Axes.Title.Label.Text += $"  [{Source}]";
        }

        plot.SavePng(path, width, height);
        s_written.Add(path);
    }

    /// <summary>10^e nanoseconds as a label: 1 ns, 10 ns, ..., 1 us, ..., 1 s.</summary>
    public static string FormatNanoseconds(double exponent)
    {
        double ns = Math.Pow(10, exponent);
        return ns switch
        {
            < 1e3 => $"{ns:0} ns",
            < 1e6 => $"{ns / 1e3:0} us",
            < 1e9 => $"{ns / 1e6:0} ms",
            _ => $"{ns / 1e9:0} s",
        };
    }

    /// <summary>Throughput (million operations per second) against threads, one PNG per read percentage.</summary>
    public static void Mixes(IReadOnlyList<CsvTable> reports, string outDir)
    {
        var points = new List<(int Read, string Series, double X, double Y)>();
        foreach (var table in reports)
        {
            foreach (var row in table.Rows)
            {
                string type = table.Get(row, "Type");
                if (type == "ReadMostlyMixBenchmarks")
                {
                    points.Add(((int)table.Number(row, "ReadPercent"), table.Get(row, "Method"), table.Number(row, "Threads"), Mops(table, row)));
                }
                else if (type == "AsyncReadMostlyMixBenchmarks")
                {
                    points.Add(((int)table.Number(row, "ReadPercent"), table.Get(row, "Method") + " (tasks)", table.Number(row, "Tasks"), Mops(table, row)));
                }
            }
        }

        foreach (var mix in points.GroupBy(p => p.Read).OrderByDescending(g => g.Key))
        {
            LineChart.Save(
                Path.Combine(outDir, $"mix-read{mix.Key}.png"),
                $"{mix.Key}% reads / {100 - mix.Key}% writes: throughput",
                "threads (async peers: concurrent tasks)",
                "million operations / s (all threads)",
                mix.Select(p => (p.Series, p.X, p.Y)));
        }
    }

    /// <summary>Per-CPU against normal readers: read throughput against threads.</summary>
    public static void PerCpuReaders(IReadOnlyList<CsvTable> reports, string outDir)
    {
        var points = reports.SelectMany(t => t.Rows.Where(r => t.Get(r, "Type") == "PerCpuReaderBenchmarks")
            .Select(r => (t.Get(r, "Method"), t.Number(r, "Threads"), Mops(t, r)))).ToList();
        if (points.Count > 0)
        {
            LineChart.Save(Path.Combine(outDir, "percpu-readers.png"), "SixLock read-only: per-CPU readers vs normal",
                "threads", "million reads / s (all threads)", points);
        }
    }

    /// <summary>Handoff latency p50 / p90 / p99 per peer, one PNG per hold time.</summary>
    public static void Handoff(CsvTable table, string outDir)
    {
        foreach (var hold in table.Rows.GroupBy(r => table.Get(r, "hold_us")))
        {
            BarChart.Save(
                Path.Combine(outDir, $"handoff-latency-hold{hold.Key}us.png"),
                $"Handoff latency, unlock to waiter running (holder held {hold.Key} us)",
                "latency (log scale)",
                ["p50", "p90", "p99"],
                [.. hold.Select(r => (table.Get(r, "peer"), new[] { table.Number(r, "p50_ns"), table.Number(r, "p90_ns"), table.Number(r, "p99_ns") }))]);
        }
    }

    /// <summary>Wait per acquisition under sustained contention: p99 and max per peer, one PNG per thread count.</summary>
    public static void Fairness(CsvTable table, string outDir)
    {
        foreach (var threads in table.Rows.GroupBy(r => table.Get(r, "threads")))
        {
            BarChart.Save(
                Path.Combine(outDir, $"fairness-threads{threads.Key}.png"),
                $"Wait per acquisition, {threads.Key} threads hammering one lock",
                "wait (log scale)",
                ["p50", "p99", "max"],
                [.. threads.Select(r => (table.Get(r, "peer"), new[] { table.Number(r, "p50_ns"), table.Number(r, "p99_ns"), table.Number(r, "max_ns") }))]);
        }
    }

    /// <summary>Reader throughput while one updater holds intent (or RWLS upgradeable) for long sections.</summary>
    public static void IntentWithReaders(CsvTable table, string outDir)
    {
        LineChart.Save(
            Path.Combine(outDir, "intent-with-readers.png"),
            "Readers' throughput beside one intent / upgradeable holder",
            "reader threads",
            "million reads / s (all readers)",
            table.Rows.Select(r => (table.Get(r, "peer"), table.Number(r, "readers"), table.Number(r, "reads_per_s") / 1e6)));
    }

    /// <summary>
    /// fio through our FUSE mount against ext4 in the same run (<c>filesystem/bench-fio.sh</c>'s
    /// fio.csv): one bar per throughput workload, ours / ext4, with ext4 at 1 and each workload's goal marked.
    /// </summary>
    public static void FioAgainstExt4(CsvTable table, string outDir)
    {
        var rows = table.Rows.Where(r => table.Get(r, "kind") == "throughput").ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var plot = new Plot();
        for (int i = 0; i < rows.Count; i++)
        {
            double ratio = table.Number(rows[i], "ratio");
            string goalText = table.Get(rows[i], "goal");
            bool hasGoal = double.TryParse(goalText, NumberStyles.Float, CultureInfo.InvariantCulture, out double goal);
            var bar = plot.Add.Bar(new Bar
            {
                Position = i,
                Value = ratio,
                Size = 0.7,
                FillColor = !hasGoal ? Palette.GetColor(7) : ratio >= goal ? Palette.GetColor(2) : Palette.GetColor(3),
                LineWidth = 0,
                Label = ratio.ToString("0.00", CultureInfo.InvariantCulture),
            });
            if (hasGoal)
            {
                var mark = plot.Add.Line(i - 0.4, goal, i + 0.4, goal);
                mark.LineWidth = 2;
                mark.LinePattern = LinePattern.Dashed;
                mark.Color = Colors.Black;
            }
        }

        var ext4 = plot.Add.HorizontalLine(1);
        ext4.LineColor = Colors.Gray;
        ext4.Text = "ext4";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, rows.Count).Select(i => (double)i)], [.. rows.Select(r => table.Get(r, "workload"))]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 190;
        plot.Axes.Right.MinimumSize = 110;
        plot.Axes.SetLimitsY(0, Math.Max(1.2, rows.Max(r => table.Number(r, "ratio")) + 0.2));
        plot.Title("fio through our FUSE mount / ext4 on a loop device (dashed: the goal)");
        plot.YLabel("ours / ext4 (higher is better)");
        Save(plot, Path.Combine(outDir, "fio-vs-ext4.png"), 900, 620);
    }

    // Operations per second from a report whose Mean is per operation (OperationsPerInvoke = all
    // operations of an invocation), in millions.
    private static double Mops(CsvTable table, string[] row) => 1e3 / table.Nanoseconds(row, "Mean");

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
