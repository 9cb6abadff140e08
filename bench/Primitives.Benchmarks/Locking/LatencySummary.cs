namespace Primitives.Benchmarks.Locking;

/// <summary>
/// The latency statistics of one benchmark case, in nanoseconds. <see cref="Count"/>,
/// <see cref="Mean"/>, <see cref="Max"/>, <see cref="TimeStatsP50"/> and <see cref="TimeStatsP94"/>
/// come from <see cref="Primitives.Statistics.TimeStats"/> (every sample after the first
/// invocation); <see cref="P50"/>, <see cref="P90"/> and <see cref="P99"/> are exact nearest-rank
/// percentiles of the last <see cref="Samples"/> raw samples.
/// </summary>
internal sealed record LatencySummary(
    long Count, long Mean, long P50, long P90, long P99, long Max, long TimeStatsP50, long TimeStatsP94, int Samples)
{
    /// <summary>The column names of <see cref="ToCells"/>.</summary>
    public static readonly string[] Columns =
        ["count", "mean_ns", "p50_ns", "p90_ns", "p99_ns", "max_ns", "timestats_p50_ns", "timestats_p94_ns", "samples"];

    public string[] ToCells() =>
        [.. new long[] { Count, Mean, P50, P90, P99, Max, TimeStatsP50, TimeStatsP94, Samples }
            .Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
