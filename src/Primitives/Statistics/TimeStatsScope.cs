using System.Diagnostics;

namespace Primitives.Statistics;

/// <summary>
/// Times one event for a <see cref="TimeStats"/>: created by <see cref="TimeStats.Measure"/>, it
/// records the time from its creation to <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// A struct, so <c>using var scope = stats.Measure();</c> allocates nothing. Dispose it exactly
/// once: a copy disposed again records the event again. Disposing the <see langword="default"/>
/// value does nothing. Thread-safe in the sense that <see cref="TimeStats.Record"/> is; the scope
/// itself holds only the start timestamp.
/// </remarks>
public readonly struct TimeStatsScope : IDisposable
{
    private readonly TimeStats? _stats;
    private readonly long _startTimestamp;

    internal TimeStatsScope(TimeStats stats, long startTimestamp)
    {
        _stats = stats;
        _startTimestamp = startTimestamp;
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the scope was created.</summary>
    public long StartTimestamp => _startTimestamp;

    /// <summary>Records the event, from <see cref="StartTimestamp"/> to now.</summary>
    public void Dispose() => _stats?.Record(_startTimestamp, Stopwatch.GetTimestamp());
}
