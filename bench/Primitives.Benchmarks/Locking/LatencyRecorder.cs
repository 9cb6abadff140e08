using System.Diagnostics;

using Primitives.Statistics;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// Collects the wait or handoff times of one benchmark case: every sample goes into a
/// <see cref="TimeStats"/> (count, mean, max and its 15 streaming quantile estimates) and into a
/// ring of the last <see cref="SampleCapacity"/> raw samples, from which <see cref="Summarize"/>
/// computes exact p50 / p90 / p99 (TimeStats' quantiles stop at 15/16, so p99 needs the samples).
/// </summary>
/// <remarks>
/// <see cref="Record"/> is thread-safe (the ring index is taken by an interlocked increment).
/// <see cref="Restart"/> and <see cref="Summarize"/> must not run while samples are recorded:
/// benchmarks call them between invocations and from [GlobalCleanup].
/// </remarks>
internal sealed class LatencyRecorder
{
    /// <summary>Raw samples kept for the exact percentiles: the last 2^16 (512 KiB).</summary>
    public const int SampleCapacity = 1 << 16;

    private readonly string _name;
    private readonly long[] _samples = new long[SampleCapacity];
    private TimeStats _stats;
    private long _next;
    private int _invocations;

    public LatencyRecorder(string name)
    {
        _name = name;
        _stats = new TimeStats(name);
    }

    /// <summary>Records one sample from two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public void Record(long startTimestamp, long endTimestamp)
    {
        _stats.Record(startTimestamp, endTimestamp);
        long index = Interlocked.Increment(ref _next) - 1;
        _samples[(int)(index & (SampleCapacity - 1))] = endTimestamp - startTimestamp;
    }

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
    public void Restart()
    {
        _stats = new TimeStats(_name);
        _next = 0;
    }

    /// <summary>The statistics of the samples recorded since the last <see cref="Restart"/>.</summary>
    public LatencySummary Summarize()
    {
        var snapshot = _stats.GetSnapshot();
        int kept = (int)Math.Min(_next, SampleCapacity);
        var sorted = new long[kept];
        Array.Copy(_samples, sorted, kept);
        Array.Sort(sorted);
        return new LatencySummary(
            snapshot.Count,
            snapshot.Duration.Mean,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.90),
            Percentile(sorted, 0.99),
            snapshot.Count == 0 ? 0 : snapshot.Duration.Max,
            snapshot.Quantiles.Count == 0 ? 0 : snapshot.Quantiles[(TimeStatsSnapshot.QuantileDenominator / 2) - 1],
            snapshot.Quantiles.Count == 0 ? 0 : snapshot.Quantiles[^1],
            kept);
    }

    // Nearest-rank percentile of sorted Stopwatch-tick samples, in nanoseconds.
    private static long Percentile(long[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        int rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return TicksToNanoseconds(sorted[Math.Clamp(rank, 0, sorted.Length - 1)]);
    }

    private static long TicksToNanoseconds(long ticks) =>
        (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));
}
