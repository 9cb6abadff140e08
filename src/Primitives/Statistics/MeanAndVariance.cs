using System.Numerics;
using System.Runtime.CompilerServices;

namespace Primitives.Statistics;

/// <summary>
/// Exact all-time mean, variance and standard deviation of a stream of <see cref="long"/>
/// samples, kept as three integer sums: the count, a 128-bit signed sum and a 128-bit unsigned
/// sum of squares.
/// </summary>
/// <remarks>
/// <para>
/// <b>Rounding.</b> Every statistic is the exact rational value rounded toward negative infinity
/// (floor): <see cref="Mean"/> is floor(sum / n), so the mean of -1 and 0 is -1;
/// <see cref="Variance"/> is floor of the population variance (n * sumOfSquares - sum^2) / n^2;
/// <see cref="StandardDeviation"/> is floor(sqrt(exact variance)), which equals the integer square
/// root of <see cref="Variance"/>. Unlike the Linux reference (which divides the sum unsigned and
/// subtracts the square of the rounded mean from the rounded mean of squares), negative samples
/// are exact and the variance never picks up the mean's rounding error.
/// </para>
/// <para>
/// <b>Overflow.</b> All updates use checked arithmetic: a count past <see cref="long.MaxValue"/>
/// or a sum of squares past <see cref="UInt128.MaxValue"/> throws <see cref="OverflowException"/>
/// and leaves the value unchanged; nothing wraps silently. The sum cannot overflow before the
/// count does (2^63 samples of magnitude at most 2^63 fit in 127 bits).
/// </para>
/// <para>
/// <b>Empty.</b> With no samples (the <see langword="default"/> value), <see cref="Mean"/>,
/// <see cref="Variance"/> and <see cref="StandardDeviation"/> are 0.
/// </para>
/// <para>
/// <b>Thread safety.</b> A mutable struct with no synchronisation: one writer at a time, and no
/// reads concurrent with a write. Per-thread or per-CPU instances can be combined with
/// <see cref="Merge"/>. Update it through a reference (a field or a <see langword="ref"/> local),
/// never through a copy.
/// </para>
/// </remarks>
public struct MeanAndVariance : IEquatable<MeanAndVariance>
{
    private long _count;
    private Int128 _sum;
    private UInt128 _sumOfSquares;

    /// <summary>The number of samples added.</summary>
    public readonly long Count => _count;

    /// <summary>The exact sum of the samples.</summary>
    public readonly Int128 Sum => _sum;

    /// <summary>The exact sum of the squares of the samples.</summary>
    public readonly UInt128 SumOfSquares => _sumOfSquares;

    /// <summary>The mean, rounded toward negative infinity; 0 when there are no samples.</summary>
    /// <remarks>The mean of <see cref="long"/> samples always fits a <see cref="long"/>.</remarks>
    public readonly long Mean
    {
        get
        {
            if (_count == 0)
            {
                return 0;
            }

            Int128 quotient = Int128.DivRem(_sum, _count).Quotient;
            // Int128 division truncates toward zero: step down once for an inexact negative quotient.
            if (_sum < 0 && quotient * _count != _sum)
            {
                quotient--;
            }

            return (long)quotient;
        }
    }

    /// <summary>
    /// The population variance (mean of squared deviations from the exact mean), rounded toward
    /// negative infinity; 0 when there are no samples.
    /// </summary>
    /// <remarks>
    /// Up to 2^126 for <see cref="long"/> samples, hence <see cref="UInt128"/>. Exact for every
    /// input: 128-bit arithmetic when n * sumOfSquares and sum^2 fit (the common case, e.g. a
    /// billion samples of a millisecond in nanoseconds), <see cref="BigInteger"/> otherwise.
    /// </remarks>
    public readonly UInt128 Variance
    {
        get
        {
            if (_count <= 1)
            {
                return 0;
            }

            UInt128 n = (UInt128)_count;
            UInt128 sumMagnitude = (UInt128)(_sum < 0 ? -_sum : _sum);
            bool fits128 = sumMagnitude <= ulong.MaxValue && _sumOfSquares <= UInt128.MaxValue / n;
            if (fits128)
            {
                // n * S2 >= S^2 (Cauchy-Schwarz), so the difference is not negative.
                UInt128 numerator = (n * _sumOfSquares) - (sumMagnitude * sumMagnitude);
                return numerator / (n * n);
            }

            BigInteger big = (((BigInteger)_count * (BigInteger)_sumOfSquares) - ((BigInteger)_sum * (BigInteger)_sum))
                / ((BigInteger)_count * _count);
            return (UInt128)big;
        }
    }

    /// <summary>
    /// The population standard deviation, floor(sqrt(variance)) with the exact variance; 0 when
    /// there are no samples.
    /// </summary>
    public readonly ulong StandardDeviation => IntegerMath.Sqrt(Variance);

    /// <summary>Adds one sample.</summary>
    /// <param name="value">The sample.</param>
    /// <exception cref="OverflowException">
    /// The count or the sum of squares would overflow; the value is left unchanged.
    /// </exception>
    /// <remarks>Not thread-safe: see the type's remarks.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(long value)
    {
        ulong magnitude = IntegerMath.Magnitude(value);
        ulong high = Math.BigMul(magnitude, magnitude, out ulong low);
        UInt128 sumOfSquares = checked(_sumOfSquares + new UInt128(high, low));
        long count = checked(_count + 1);
        _sumOfSquares = sumOfSquares;
        _count = count;
        _sum += value; // cannot overflow before the count does
    }

    /// <summary>Adds every sample of <paramref name="other"/>, as if they had been added to this value.</summary>
    /// <param name="other">The statistics to fold in (for example one per-CPU or per-thread partial).</param>
    /// <exception cref="OverflowException">
    /// The combined count or sum of squares would overflow; the value is left unchanged.
    /// </exception>
    /// <remarks>Not thread-safe: see the type's remarks. <paramref name="other"/> is read, not changed.</remarks>
    public void Merge(in MeanAndVariance other)
    {
        long count = checked(_count + other._count);
        UInt128 sumOfSquares = checked(_sumOfSquares + other._sumOfSquares);
        _count = count;
        _sumOfSquares = sumOfSquares;
        _sum += other._sum; // |sum| <= count * 2^63 < 2^126
    }

    /// <summary>Whether both values hold the same count, sum and sum of squares.</summary>
    /// <param name="other">The value to compare with.</param>
    /// <returns><see langword="true"/> when all three sums are equal.</returns>
    public readonly bool Equals(MeanAndVariance other) =>
        _count == other._count && _sum == other._sum && _sumOfSquares == other._sumOfSquares;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is MeanAndVariance other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(_count, _sum, _sumOfSquares);

    /// <summary>Formats the count, mean and standard deviation, e.g. <c>n=4 mean=3 stddev=1</c>.</summary>
    /// <returns>A short human-readable description.</returns>
    public override readonly string ToString() => $"n={_count} mean={Mean} stddev={StandardDeviation}";

    /// <summary>Whether two values hold the same sums.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(MeanAndVariance left, MeanAndVariance right) => left.Equals(right);

    /// <summary>Whether two values hold different sums.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(MeanAndVariance left, MeanAndVariance right) => !left.Equals(right);
}
