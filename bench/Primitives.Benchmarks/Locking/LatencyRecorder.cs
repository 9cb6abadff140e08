using System.Diagnostics;

using Primitives.Statistics;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// Collects the wait or handoff times of one benchmark case in a <see cref="TimeStats"/>: count,
/// mean, max, and p50/p90/p99/p99.9 from its histogram.
/// </summary>
/// <remarks>
/// <see cref="Record"/> is thread-safe. <see cref="Restart"/> and <see cref="Summarize"/> must not
/// run while samples are recorded: benchmarks call them between invocations and from [GlobalCleanup].
/// </remarks>
internal sealed class LatencyRecorder
{
    private readonly string _name;
    private TimeStats _stats;
    private int _invocations;

    public LatencyRecorder(string name)
    {
        _name = name;
        _stats = new TimeStats(name);
    }

    /// <summary>Records one sample from two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public void Record(long startTimestamp, long endTimestamp) => _stats.Record(startTimestamp, endTimestamp);

    /// <summary>
    /// Called at the start of every benchmark invocation: the second one forgets the first one's
    /// samples (BenchmarkDotNet's jitting stage, which times first calls and tier-0 code). A dry
    /// run of one invocation keeps them.
    /// </summary>
    /// <returns>Whether the samples were forgotten (the caller resets its own per-case counters then).</returns>
    public bool BeginInvocation()
    {
        if (++_invocations != 2)
        {
            return false;
        }

        Restart();
        return true;
    }

    /// <summary>Forgets every sample.</summary>
    public void Restart() => _stats = new TimeStats(_name);

    /// <summary>The statistics of the samples recorded since the last <see cref="Restart"/>.</summary>
    public LatencySummary Summarize()
    {
        var snapshot = _stats.GetSnapshot();
        return new LatencySummary(
            snapshot.Count,
            snapshot.Duration.Mean,
            snapshot.P50,
            snapshot.P90,
            snapshot.P99,
            snapshot.P999,
            snapshot.Count == 0 ? 0 : snapshot.Duration.Max,
            snapshot.Quantiles.Count == 0 ? 0 : snapshot.Quantiles[(TimeStatsSnapshot.QuantileDenominator / 2) - 1]);
    }
}
