namespace Primitives.Benchmarks.Locking;

/// <summary>
/// The latency statistics of one benchmark case, in nanoseconds, all from our
/// <see cref="Primitives.Statistics.TimeStats"/>: count, mean and max exactly; p50, p90, p99 and
/// p99.9 from its log-linear histogram (within 1/32 of the value of that rank, tested in
/// TimeStatsPercentileTests); <see cref="EstimatorP50"/> is TimeStats' streaming 8/16 quantile
/// estimate, kept to show where the cheap estimator and the histogram disagree.
/// </summary>
internal sealed record LatencySummary(
    long Count, long Mean, long P50, long P90, long P99, long P999, long Max, long EstimatorP50)
{
    /// <summary>The column names of <see cref="ToCells"/>.</summary>
    public static readonly string[] Columns =
        ["count", "mean_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "estimator_p50_ns"];

    public string[] ToCells() =>
        [.. new long[] { Count, Mean, P50, P90, P99, P999, Max, EstimatorP50 }
            .Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
