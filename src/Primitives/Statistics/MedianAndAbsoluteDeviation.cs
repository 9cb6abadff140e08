using System.Numerics;
using System.Runtime.CompilerServices;

namespace Primitives.Statistics;

/// <summary>
/// A streaming estimate of the median of a stream of <see cref="long"/> samples and of the median
/// absolute deviation around it (MAD), by stochastic-gradient (sign) steps: no multiply, divide or
/// 128-bit arithmetic on the update path. The successor of <see cref="MeanAndVarianceWeighted"/>
/// in bcachefs's time statistics (2026), robust to outliers where a variance is not.
/// </summary>
/// <remarks>
/// <para>
/// <b>Update rule.</b> The first sample sets the median and a deviation of 0. Each later sample x
/// computes a step from the current deviation d, moves the median toward x by the step (never
/// past x), then moves d toward |x - median| by the same step (never past it). The step is
/// <c>max(d &gt;&gt; w, 1)</c> with a weight shift w (<see cref="MedianAndAbsoluteDeviation(int)"/>:
/// an exponentially forgetting estimate, each step about 2^-w of the spread), or
/// <c>max(d &gt;&gt; log2(n), 1)</c> for the all-time Robbins-Monro schedule
/// (<see cref="AllTime"/>, and the <see langword="default"/> value), whose steps shrink like 1/n so
/// the estimate settles on the whole history. Sign steps make d converge to the median of the
/// absolute deviations, which is what the 1.4826 factor of <see cref="StandardDeviationEstimate"/>
/// assumes (for a normal distribution sigma = 1.4826 * MAD).
/// </para>
/// <para>
/// <b>Properties</b> (each has a test): a constant stream is tracked exactly; after a level shift
/// the median moves monotonically toward the new level and never overshoots it; one outlier moves
/// the median and the deviation by one step only, at most <c>(d &gt;&gt; w) + 1</c>.
/// </para>
/// <para>
/// <b>Thread safety.</b> A mutable struct with no synchronisation: one writer at a time, and no
/// reads concurrent with a write.
/// </para>
/// </remarks>
public struct MedianAndAbsoluteDeviation : IEquatable<MedianAndAbsoluteDeviation>
{
    /// <summary>The smallest accepted weight shift.</summary>
    public const int MinWeight = 1;

    /// <summary>The largest accepted weight shift (a larger one would make every step 1).</summary>
    public const int MaxWeight = 63;

    /// <summary>The 1.4826 normal-consistency constant in 10-bit fixed point (1518 / 1024 = 1.48242).</summary>
    private const int NormalConsistencyQ10 = 1518;

    private long _median;
    private ulong _deviation;
    private long _count;
    private readonly int _weight; // 0: the all-time Robbins-Monro schedule

    /// <summary>Creates an empty exponentially weighted estimate: each step is about 2^-<paramref name="weight"/> of the deviation.</summary>
    /// <param name="weight">The weight shift w, in [<see cref="MinWeight"/>, <see cref="MaxWeight"/>]; bcachefs uses 8.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is outside the accepted range.</exception>
    public MedianAndAbsoluteDeviation(int weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, MinWeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, MaxWeight);
        _weight = weight;
    }

    /// <summary>An empty all-time estimate (Robbins-Monro steps shrinking like 1/n); the same as the <see langword="default"/> value.</summary>
    public static MedianAndAbsoluteDeviation AllTime => default;

    /// <summary>The weight shift w, or 0 for the all-time schedule.</summary>
    public readonly int Weight => _weight;

    /// <summary>The number of samples added.</summary>
    public readonly long Count => _count;

    /// <summary>The median estimate; 0 before the first sample.</summary>
    public readonly long Median => _median;

    /// <summary>The median absolute deviation estimate; 0 before the second sample.</summary>
    public readonly ulong Deviation => _deviation;

    /// <summary>
    /// A standard deviation estimate, <c>floor(Deviation * 1518 / 1024)</c> (about 1.4826 * MAD, exact
    /// for normally distributed samples), saturating at <see cref="ulong.MaxValue"/>.
    /// </summary>
    public readonly ulong StandardDeviationEstimate
    {
        get
        {
            ulong d = _deviation;
            UInt128 scaled = ((UInt128)(d >> 10) * NormalConsistencyQ10) + (((d & 1023) * NormalConsistencyQ10) >> 10);
            return scaled > ulong.MaxValue ? ulong.MaxValue : (ulong)scaled;
        }
    }

    /// <summary>Adds one sample.</summary>
    /// <param name="value">The sample.</param>
    /// <exception cref="OverflowException">More than <see cref="long.MaxValue"/> samples were added.</exception>
    /// <remarks>Not thread-safe: see the type's remarks.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(long value)
    {
        long count = checked(_count + 1);
        _count = count;
        if (count == 1)
        {
            _median = value;
            _deviation = 0;
            return;
        }

        int shift = _weight != 0 ? _weight : BitOperations.Log2((ulong)count);
        ulong step = Math.Max(_deviation >> shift, 1);

        // Move the median toward the sample, by at most the distance (unsigned: never overflows).
        long median = _median;
        ulong distance;
        if (value > median)
        {
            distance = (ulong)value - (ulong)median;
            ulong move = Math.Min(step, distance);
            median = (long)((ulong)median + move);
            distance -= move;
        }
        else
        {
            distance = (ulong)median - (ulong)value;
            ulong move = Math.Min(step, distance);
            median = (long)((ulong)median - move);
            distance -= move;
        }

        _median = median;

        // Move the deviation toward |x - median|, by at most the gap.
        ulong deviation = _deviation;
        _deviation = distance > deviation
            ? deviation + Math.Min(step, distance - deviation)
            : deviation - Math.Min(step, deviation - distance);
    }

    /// <summary>Whether both values have the same weight, count, median and deviation.</summary>
    /// <param name="other">The value to compare with.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public readonly bool Equals(MedianAndAbsoluteDeviation other) =>
        _weight == other._weight && _count == other._count && _median == other._median && _deviation == other._deviation;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is MedianAndAbsoluteDeviation other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(_weight, _count, _median, _deviation);

    /// <summary>Formats the median and deviation, e.g. <c>median=100 mad=3</c>.</summary>
    /// <returns>A short human-readable description.</returns>
    public override readonly string ToString() => $"median={_median} mad={_deviation}";

    /// <summary>Whether two values are equal.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(MedianAndAbsoluteDeviation left, MedianAndAbsoluteDeviation right) => left.Equals(right);

    /// <summary>Whether two values differ.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(MedianAndAbsoluteDeviation left, MedianAndAbsoluteDeviation right) => !left.Equals(right);
}
