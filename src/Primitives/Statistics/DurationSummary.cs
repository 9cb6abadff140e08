namespace Primitives.Statistics;

/// <summary>
/// Summary statistics of a series of durations (event durations, or gaps between events) in a
/// <see cref="TimeStatsSnapshot"/>, all in nanoseconds.
/// </summary>
/// <remarks>
/// Means and standard deviations round as documented on <see cref="MeanAndVariance"/> (all-time)
/// and <see cref="MeanAndVarianceWeighted"/> (recent, weight 2^-<see cref="TimeStats.RecentWeight"/>),
/// then convert from Stopwatch ticks to nanoseconds rounding toward zero. With
/// <see cref="Count"/> 0 every value is 0. Immutable, hence thread-safe.
/// </remarks>
public sealed class DurationSummary
{
    internal DurationSummary(long count, long min, long max, long mean, long standardDeviation, long recentMean, long recentStandardDeviation)
    {
        Count = count;
        Min = min;
        Max = max;
        Mean = mean;
        StandardDeviation = standardDeviation;
        RecentMean = recentMean;
        RecentStandardDeviation = recentStandardDeviation;
    }

    /// <summary>The number of durations in the series.</summary>
    public long Count { get; }

    /// <summary>The shortest duration.</summary>
    public long Min { get; }

    /// <summary>The longest duration.</summary>
    public long Max { get; }

    /// <summary>The exact all-time mean.</summary>
    public long Mean { get; }

    /// <summary>The exact all-time population standard deviation.</summary>
    public long StandardDeviation { get; }

    /// <summary>The exponentially weighted (recent) mean.</summary>
    public long RecentMean { get; }

    /// <summary>The exponentially weighted (recent) standard deviation.</summary>
    public long RecentStandardDeviation { get; }
}
