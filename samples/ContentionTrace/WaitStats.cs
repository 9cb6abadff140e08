using System.Diagnostics;

using Primitives.Statistics;

namespace ContentionTrace;

/// <summary>
/// Wait times of one group of contentions: a <see cref="TimeStats"/> (count, total, p50 and p94
/// from its 16-quantile estimator, mean, max) plus the raw waits for an exact p99, which the
/// estimator does not have.
/// </summary>
internal sealed class WaitStats(string name)
{
    private readonly TimeStats _stats = new(name);
    private readonly List<double> _waitsMicroseconds = [];

    /// <summary>Records a wait that ended at <paramref name="endMilliseconds"/> (trace-relative) and lasted <paramref name="waitMicroseconds"/>.</summary>
    public void Record(double endMilliseconds, double waitMicroseconds)
    {
        long end = (long)(endMilliseconds * Stopwatch.Frequency / 1000.0);
        long ticks = (long)(waitMicroseconds * Stopwatch.Frequency / 1_000_000.0);
        _stats.Record(end - ticks, end);
        _waitsMicroseconds.Add(waitMicroseconds);
    }

    public WaitSummary Summarize()
    {
        var s = _stats.GetSnapshot();
        _waitsMicroseconds.Sort();
        double Exact(double q) => _waitsMicroseconds.Count == 0 ? 0 : _waitsMicroseconds[Math.Min(_waitsMicroseconds.Count - 1, (int)Math.Ceiling(q * _waitsMicroseconds.Count) - 1)];
        const int P50 = (TimeStatsSnapshot.QuantileDenominator / 2) - 1; // 8/16
        const int P94 = TimeStatsSnapshot.QuantileDenominator - 2; // 15/16
        return new WaitSummary(
            Count: s.Count,
            TotalMicroseconds: _waitsMicroseconds.Sum(),
            MinMicroseconds: _waitsMicroseconds.Count == 0 ? 0 : _waitsMicroseconds[0],
            P50Microseconds: s.Count == 0 ? 0 : s.Quantiles[P50] / 1000.0,
            P50ExactMicroseconds: Exact(0.5),
            P94Microseconds: s.Count == 0 ? 0 : s.Quantiles[P94] / 1000.0,
            P99Microseconds: Exact(0.99),
            MaxMicroseconds: _waitsMicroseconds.Count == 0 ? 0 : _waitsMicroseconds[^1]);
    }
}

/// <summary>
/// A group's waits in microseconds. P50 and P94 are <see cref="TimeStats"/>'s 8/16 and 15/16
/// quantile estimates (a streaming estimator: they start at 0 and need a few dozen waits to
/// settle); P50Exact, P99, min and max are exact (from the raw waits).
/// </summary>
internal sealed record WaitSummary(long Count, double TotalMicroseconds, double MinMicroseconds, double P50Microseconds, double P50ExactMicroseconds, double P94Microseconds, double P99Microseconds, double MaxMicroseconds);
