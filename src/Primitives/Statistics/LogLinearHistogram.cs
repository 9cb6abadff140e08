using System.Numerics;
using System.Runtime.CompilerServices;

namespace Primitives.Statistics;

/// <summary>
/// A histogram of non-negative 64-bit values with log-linear buckets: values below 16 get a bucket
/// each; above, every power of two [2^e, 2^(e+1)) is cut into 16 equal buckets. A bucket's width
/// is at most 1/16 of its lower bound, so reporting its midpoint is within 1/32 (3.125%) of any
/// value in it. 976 buckets cover the whole range; updating is a leading-zero count, a shift and
/// an increment.
/// </summary>
/// <remarks>Not thread-safe: <see cref="TimeStats"/> updates it under its lock.</remarks>
internal sealed class LogLinearHistogram
{
    /// <summary>Buckets per power of two (and the count of exact buckets below 16).</summary>
    internal const int SubBuckets = 16;

    /// <summary>16 exact buckets, then 16 per exponent 4..63.</summary>
    internal const int BucketCount = SubBuckets + ((64 - 4) * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];
    private long _total;

    /// <summary>The number of values recorded.</summary>
    public long Total => _total;

    /// <summary>Records one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong value)
    {
        _counts[BucketOf(value)]++;
        _total++;
    }

    /// <summary>A copy of the bucket counts (for a snapshot).</summary>
    public long[] CopyCounts() => (long[])_counts.Clone();

    /// <summary>The bucket of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int BucketOf(ulong value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        int exponent = 63 - BitOperations.LeadingZeroCount(value); // 4..63
        int sub = (int)(value >> (exponent - 4)) & (SubBuckets - 1);
        return ((exponent - 3) * SubBuckets) + sub;
    }

    /// <summary>The smallest and largest value of bucket <paramref name="bucket"/>.</summary>
    internal static (ulong Low, ulong High) BoundsOf(int bucket)
    {
        if (bucket < SubBuckets)
        {
            return ((ulong)bucket, (ulong)bucket);
        }

        int exponent = (bucket / SubBuckets) + 3;
        ulong sub = (ulong)(bucket % SubBuckets);
        ulong low = (SubBuckets + sub) << (exponent - 4);
        ulong width = 1UL << (exponent - 4);
        return (low, low + (width - 1));
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0 &lt; p &lt;= 100) of <paramref name="counts"/>
    /// holding <paramref name="total"/> values: the midpoint of the bucket holding the value of rank
    /// ceil(p/100 * total), clamped to [<paramref name="min"/>, <paramref name="max"/>].
    /// </summary>
    internal static ulong ValueAt(long[] counts, long total, double percentile, ulong min, ulong max)
    {
        if (total == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        if (rank >= total)
        {
            return max;
        }

        long seen = 0;
        for (int bucket = 0; bucket < counts.Length; bucket++)
        {
            seen += counts[bucket];
            if (seen >= rank)
            {
                (ulong low, ulong high) = BoundsOf(bucket);
                ulong mid = low + ((high - low) / 2);
                return Math.Clamp(mid, min, max);
            }
        }

        return max;
    }
}
