using System.Diagnostics;
using System.Numerics;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// A lock-free log-linear latency histogram (16 sub-buckets per power of two, so a reported
/// quantile is within 1/16 = 6.25% of the true value) for the exact-rank quantiles the
/// <see cref="Primitives.Statistics.TimeStats"/> k/16 estimates do not give (p99).
/// </summary>
/// <remarks>Thread-safe: <see cref="Record"/> is one interlocked increment.</remarks>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 4; // 16 linear sub-buckets per power of two
    private const int SubBuckets = 1 << SubBucketBits;
    private const int Octaves = 64 - SubBucketBits;
    private readonly long[] _counts = new long[(Octaves + 1) * SubBuckets];

    /// <summary>Creates an empty histogram named <paramref name="name"/>.</summary>
    public LatencyHistogram(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The operation measured.</summary>
    public string Name { get; }

    /// <summary>Events recorded.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            for (int i = 0; i < _counts.Length; i++)
            {
                n += Volatile.Read(ref _counts[i]);
            }

            return n;
        }
    }

    /// <summary>Records one event from two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public void Record(long startTimestamp, long endTimestamp)
    {
        long ns = (long)((endTimestamp - startTimestamp) * (1e9 / Stopwatch.Frequency));
        RecordNanoseconds(ns);
    }

    /// <summary>Records one event of <paramref name="nanoseconds"/> (negative counts as 0).</summary>
    public void RecordNanoseconds(long nanoseconds)
    {
        ulong v = (ulong)Math.Max(0, nanoseconds);
        Interlocked.Increment(ref _counts[IndexOf(v)]);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1), in nanoseconds (the upper edge of its bucket); 0 when empty.</summary>
    public long Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1.0);
        long[] snapshot = new long[_counts.Length];
        long total = 0;
        for (int i = 0; i < snapshot.Length; i++)
        {
            snapshot[i] = Volatile.Read(ref _counts[i]);
            total += snapshot[i];
        }

        if (total == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (int i = 0; i < snapshot.Length; i++)
        {
            seen += snapshot[i];
            if (seen >= rank)
            {
                return (long)Math.Min(UpperEdge(i), long.MaxValue);
            }
        }

        return long.MaxValue;
    }

    private static int IndexOf(ulong v)
    {
        if (v < SubBuckets)
        {
            return (int)v;
        }

        int octave = 63 - BitOperations.LeadingZeroCount(v) - SubBucketBits + 1; // >= 1
        int sub = (int)(v >> (octave - 1)) & (SubBuckets - 1);
        return (octave * SubBuckets) + sub;
    }

    private static ulong UpperEdge(int index)
    {
        int octave = index / SubBuckets;
        int sub = index % SubBuckets;
        if (octave == 0)
        {
            return (ulong)sub;
        }

        // Values in this bucket are (16 + sub) << (octave - 1) .. ((16 + sub + 1) << (octave - 1)) - 1.
        return ((ulong)(SubBuckets + sub + 1) << (octave - 1)) - 1;
    }
}
