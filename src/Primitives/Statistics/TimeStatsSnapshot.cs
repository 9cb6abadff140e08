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

    internal TimeStatsSnapshot(string name, long count, long totalDuration, DurationSummary duration, DurationSummary gap, long[] quantiles, bool isBuffered)
    {
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
    /// <returns>A JSON object with <c>name</c>, <c>count</c>, <c>totalDuration</c>, <c>duration</c>, <c>gap</c>, <c>quantiles</c> and <c>isBuffered</c>.</returns>
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
        text.Append("quantiles (1/16 .. 15/16):");
        foreach (long q in Quantiles)
        {
            text.Append(' ').Append(FormatDuration(q));
        }

        return text.AppendLine().ToString();
    }

    private static void AppendRow(StringBuilder text, string label, DurationSummary s) =>
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{label,-10}{FormatDuration(s.Min),12}{FormatDuration(s.Max),12}{FormatDuration(s.Mean),12}{FormatDuration(s.StandardDeviation),12}{FormatDuration(s.RecentMean),12}{FormatDuration(s.RecentStandardDeviation),12}");
}
