using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Primitives.Statistics;

/// <summary>
/// The statistics of a <see cref="TimeStats"/> at one moment, in nanoseconds: see
/// <see cref="TimeStats.GetSnapshot"/>. Formats as human-readable text (<see cref="ToString"/>)
/// and as JSON (<see cref="ToJson"/>).
/// </summary>
/// <remarks>Immutable, hence thread-safe.</remarks>
public sealed class TimeStatsSnapshot
{
    /// <summary>The fraction of events at or below each of <see cref="Quantiles"/>: 1/16, 2/16, ... 15/16.</summary>
    public const int QuantileDenominator = 16;

    private readonly long[] _histogram;
    private readonly long _histogramTotal;

    internal TimeStatsSnapshot(string name, long count, long totalDuration, DurationSummary duration, DurationSummary gap, long[] quantiles, long[] histogram, long histogramTotal, bool isBuffered)
    {
        _histogram = histogram;
        _histogramTotal = histogramTotal;
        Name = name;
        Count = count;
        TotalDuration = totalDuration;
        Duration = duration;
        Gap = gap;
        Quantiles = quantiles;
        IsBuffered = isBuffered;
    }

    /// <summary>The operation's name.</summary>
    public string Name { get; }

    /// <summary>The number of events recorded.</summary>
    public long Count { get; }

    /// <summary>The sum of all event durations, in nanoseconds (saturating at <see cref="long.MaxValue"/>, 292 years).</summary>
    public long TotalDuration { get; }

    /// <summary>How long events took.</summary>
    public DurationSummary Duration { get; }

    /// <summary>The time between the starts of successive events (one fewer than the events, or fewer: see <see cref="TimeStats"/>).</summary>
    public DurationSummary Gap { get; }

    /// <summary>
    /// Estimates of the k/16 quantiles of the durations for k = 1..15, in nanoseconds, non-decreasing
    /// (the estimates are sorted: see <see cref="TimeStats"/>); empty before the first event. See
    /// <see cref="TimeStats"/> for the estimator and its accuracy.
    /// </summary>
    public IReadOnlyList<long> Quantiles { get; }

    /// <summary>The median duration in nanoseconds, from the histogram (see <see cref="Percentile"/>); 0 before the first event.</summary>
    public long P50 => Percentile(50);

    /// <summary>The 90th percentile duration in nanoseconds (see <see cref="Percentile"/>).</summary>
    public long P90 => Percentile(90);

    /// <summary>The 99th percentile duration in nanoseconds (see <see cref="Percentile"/>).</summary>
    public long P99 => Percentile(99);

    /// <summary>The 99.9th percentile duration in nanoseconds (see <see cref="Percentile"/>).</summary>
    public long P999 => Percentile(99.9);

    /// <summary>
    /// The duration at <paramref name="percentile"/>, in nanoseconds: the value of rank
    /// ceil(<paramref name="percentile"/>/100 x <see cref="Count"/>) in the sorted durations, taken
    /// from a log-linear histogram, so within 3.125% of it (exact below 32 ticks), and never outside
    /// [min, max]. 100 gives the maximum. 0 before the first event.
    /// </summary>
    /// <param name="percentile">Greater than 0 and at most 100, e.g. 50, 99 or 99.9.</param>
    /// <returns>The duration in nanoseconds.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not in (0, 100].</exception>
    public long Percentile(double percentile)
    {
        if (!(percentile > 0 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be greater than 0 and at most 100.");
        }

        if (_histogramTotal == 0)
        {
            return 0;
        }

        // The histogram counts ticks; min and max are reported in nanoseconds, so convert back.
        ulong minTicks = (ulong)NanosecondsToTicks(Duration.Min);
        ulong maxTicks = (ulong)NanosecondsToTicks(Duration.Max);
        ulong ticks = LogLinearHistogram.ValueAt(_histogram, _histogramTotal, percentile, Math.Min(minTicks, maxTicks), maxTicks);
        return percentile >= 100 ? Duration.Max : Math.Clamp(TimeStats.TicksToNanoseconds(ticks > long.MaxValue ? long.MaxValue : (long)ticks), Duration.Min, Duration.Max);
    }

    /// <summary>Whether the statistics were recording through per-processor buffers.</summary>
    public bool IsBuffered { get; }

    /// <summary>Formats a duration with a unit that keeps the number below 1000: ns, us, ms or s.</summary>
    /// <param name="nanoseconds">The duration in nanoseconds; negative values are formatted with a minus sign.</param>
    /// <returns>For example <c>"850 ns"</c>, <c>"12.5 us"</c>, <c>"1.234 ms"</c> or <c>"3600 s"</c>, with at most three decimals, invariant culture.</returns>
    public static string FormatDuration(long nanoseconds)
    {
        ulong magnitude = IntegerMath.Magnitude(nanoseconds);
        string sign = nanoseconds < 0 ? "-" : string.Empty;
        if (magnitude < 1_000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{sign}{magnitude} ns");
        }

        (double divisor, string unit) = magnitude switch
        {
            < 1_000_000 => (1e3, "us"),
            < 1_000_000_000 => (1e6, "ms"),
            _ => (1e9, "s"),
        };
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{magnitude / divisor:0.###} {unit}");
    }

    /// <summary>The snapshot as camelCase JSON, durations in nanoseconds.</summary>
    /// <returns>A JSON object with <c>name</c>, <c>count</c>, <c>totalDuration</c>, <c>duration</c>, <c>gap</c>, <c>quantiles</c>, <c>p50</c>, <c>p90</c>, <c>p99</c>, <c>p999</c> and <c>isBuffered</c>.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, TimeStatsJsonContext.Default.TimeStatsSnapshot);

    /// <summary>
    /// The snapshot as human-readable text: a header line, then one table row per series with
    /// min, max, mean, standard deviation and their recent (weighted) counterparts, then the quantiles.
    /// </summary>
    /// <returns>A multi-line description with durations scaled by <see cref="FormatDuration"/>.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Name}: {Count} events, total {FormatDuration(TotalDuration)}");
        text.AppendLine(IsBuffered ? " (buffered)" : string.Empty);
        text.AppendLine(CultureInfo.InvariantCulture, $"{"",-10}{"min",12}{"max",12}{"mean",12}{"stddev",12}{"recent",12}{"stddev",12}");
        AppendRow(text, "duration", Duration);
        AppendRow(text, "gap", Gap);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"percentiles: p50 {FormatDuration(P50)}, p90 {FormatDuration(P90)}, p99 {FormatDuration(P99)}, p99.9 {FormatDuration(P999)}");
        text.Append("quantiles (1/16 .. 15/16):");
        foreach (long q in Quantiles)
        {
            text.Append(' ').Append(FormatDuration(q));
        }

        return text.AppendLine().ToString();
    }

    private static long NanosecondsToTicks(long nanoseconds) =>
        System.Diagnostics.Stopwatch.Frequency == 1_000_000_000
            ? nanoseconds
            : (long)Int128.Min((Int128)nanoseconds * System.Diagnostics.Stopwatch.Frequency / 1_000_000_000, long.MaxValue);

    private static void AppendRow(StringBuilder text, string label, DurationSummary s) =>
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{label,-10}{FormatDuration(s.Min),12}{FormatDuration(s.Max),12}{FormatDuration(s.Mean),12}{FormatDuration(s.StandardDeviation),12}{FormatDuration(s.RecentMean),12}{FormatDuration(s.RecentStandardDeviation),12}");
}
