using System.Globalization;
using Primitives.Filesystem.Engine;
using Primitives.Statistics;
using Spectre.Console;

namespace Primitives.Filesystem.Cli.Commands;

/// <summary>Prints a workload's throughput, the engine's latencies and lock contention as tables.</summary>
internal static class StatisticsPrinter
{
    public static void Print(IAnsiConsole console, WorkloadResult result, EngineStatistics stats, SixLockContentionMonitor? contention)
    {
        double seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
        var throughput = new Table().Title("throughput").AddColumns("what", "count", "per second");
        throughput.AddRow("commits", N(result.Commits), N(result.Commits / seconds));
        throughput.AddRow("keys written", N(result.KeysWritten), N(result.KeysWritten / seconds));
        throughput.AddRow("data written (MiB)", (result.DataBytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture), (result.DataBytes / 1048576.0 / seconds).ToString("0.0", CultureInfo.InvariantCulture));
        throughput.AddRow("fsyncs", N(result.Flushes), N(result.Flushes / seconds));
        console.Write(throughput);

        var latency = new Table().Title("latency (TimeStats)").AddColumns("operation", "count", "mean", "p50", "p90", "p99", "max");
        AddLatency(latency, stats.CommitTime);
        AddLatency(latency, stats.FlushTime);
        console.Write(latency);

        if (contention is not null)
        {
            var locks = new Table().Title("SixLock contention (waits)").AddColumns("lock", "mode", "waits", "mean wait");
            foreach (var ((name, type), (waits, micros)) in contention.Snapshot().OrderByDescending(e => e.Value.Waits))
            {
                string mode = type switch { 0 => "read", 1 => "intent", 2 => "write", _ => type.ToString(CultureInfo.InvariantCulture) };
                locks.AddRow(Markup.Escape(name.Length == 0 ? "(unnamed)" : name), mode, N(waits), TimeStatsSnapshot.FormatDuration((long)(micros * 1000 / Math.Max(1, waits))));
            }

            if (locks.Rows.Count == 0)
            {
                locks.AddRow("(none)", "-", "0", "-");
            }

            console.Write(locks);
        }
    }

    private static void AddLatency(Table table, TimeStats stats)
    {
        var s = stats.GetSnapshot();
        string D(long ns) => s.Count > 0 ? TimeStatsSnapshot.FormatDuration(ns) : "-";
        table.AddRow(s.Name, N(s.Count), D(s.Duration.Mean), D(s.P50), D(s.P90), D(s.P99), D(s.Duration.Max));
    }

    private static string N(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
