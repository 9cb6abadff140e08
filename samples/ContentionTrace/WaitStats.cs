using System.Diagnostics;

using Primitives.Statistics;

namespace ContentionTrace;

/// <summary>
/// Wait times of one group of contentions, summarised by our own <see cref="TimeStats"/>: p50, p90
/// and p99 from its histogram (within 1/32 of the value of that rank, and never outside the
/// observed min and max); count, total, min and max exact.
/// </summary>
internal sealed class WaitStats(string name)
{
    private readonly TimeStats _stats = new(name);
    private double _totalMicroseconds;
    private double _minMicroseconds = double.MaxValue;
    private double _maxMicroseconds;

    /// <summary>Records a wait that ended at <paramref name="endMilliseconds"/> (trace-relative) and lasted <paramref name="waitMicroseconds"/>.</summary>
    public void Record(double endMilliseconds, double waitMicroseconds)
    {
        long end = (long)(endMilliseconds * Stopwatch.Frequency / 1000.0);
        long ticks = (long)(waitMicroseconds * Stopwatch.Frequency / 1_000_000.0);
        _stats.Record(end - ticks, end);
        _totalMicroseconds += waitMicroseconds;
        _minMicroseconds = Math.Min(_minMicroseconds, waitMicroseconds);
        _maxMicroseconds = Math.Max(_maxMicroseconds, waitMicroseconds);
    }

    public WaitSummary Summarize()
    {
        var s = _stats.GetSnapshot();
        return new WaitSummary(
            Count: s.Count,
            TotalMicroseconds: _totalMicroseconds,
            MinMicroseconds: s.Count == 0 ? 0 : _minMicroseconds,
            P50Microseconds: s.P50 / 1000.0,
            P90Microseconds: s.P90 / 1000.0,
            P99Microseconds: s.P99 / 1000.0,
            MaxMicroseconds: _maxMicroseconds);
    }
}

/// <summary>
/// A group's waits in microseconds: p50/p90/p99 from <see cref="TimeStats"/>' histogram (within
/// 1/32), count, total, min and max exact.
/// </summary>
internal sealed record WaitSummary(long Count, double TotalMicroseconds, double MinMicroseconds, double P50Microseconds, double P90Microseconds, double P99Microseconds, double MaxMicroseconds);
