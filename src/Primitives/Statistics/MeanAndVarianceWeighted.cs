using System.Runtime.CompilerServices;

namespace Primitives.Statistics;

/// <summary>
/// Exponentially weighted mean and variance of a stream of <see cref="long"/> samples, in integer
/// fixed point: each new sample has weight alpha = 2^-<see cref="Weight"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Update rule</b> (Tony Finch, "Incremental calculation of weighted mean and variance",
/// eq. 140-143, as used by bcachefs), with the mean and variance kept scaled by 2^w:
/// <c>x_w = x &lt;&lt; w</c>, <c>diff_w = x_w - mean</c>,
/// <c>u = mean + FastDivPow2(diff_w, w)</c>; a first sample sets <c>mean = x_w</c>,
/// <c>variance = 0</c>; a later one sets <c>mean = u</c> and
/// <c>variance = ((variance &lt;&lt; w) - variance + ((diff_w * (x_w - u)) &gt;&gt; w)) &gt;&gt; w</c>.
/// The results are bit-for-bit those of the reference wherever the reference does not overflow.
/// </para>
/// <para>
/// <b>Rounding.</b> <see cref="Mean"/> is the scaled mean divided by 2^w rounded toward zero (so a
/// negated stream gives the negated mean); <see cref="Variance"/> is the scaled variance shifted
/// right by w (toward zero, it is never negative); <see cref="StandardDeviation"/> is the integer
/// square root of <see cref="Variance"/>.
/// </para>
/// <para>
/// <b>Overflow.</b> The reference computes in 64 bits and wraps. Here a sample whose scaled value
/// <c>x &lt;&lt; w</c> does not fit a <see cref="long"/> (or lies more than 2^63 from the scaled
/// mean) throws <see cref="OverflowException"/> and leaves the value unchanged. The scaled variance
/// is kept in 128 bits and updated in a rearranged but exactly equal form that cannot overflow (it
/// stays below 2^125); the reference's 64 bits wrap at w = 8 once the standard deviation passes
/// about 2^28, a quarter of a second in nanoseconds. Updates stay in 64-bit arithmetic while the
/// values allow it.
/// </para>
/// <para>
/// <b>Thread safety.</b> A mutable struct with no synchronisation: one writer at a time, and no
/// reads concurrent with a write. The <see langword="default"/> value has no weight and must not
/// be updated; create instances with <see cref="MeanAndVarianceWeighted(int)"/>.
/// </para>
/// </remarks>
public struct MeanAndVarianceWeighted : IEquatable<MeanAndVarianceWeighted>
{
    /// <summary>The smallest accepted weight shift (alpha = 1/2).</summary>
    public const int MinWeight = 1;

    /// <summary>
    /// The largest accepted weight shift. At 62 only samples in [-2, 1] still fit once scaled;
    /// larger samples throw <see cref="OverflowException"/> (a 63-bit shift leaves no room at all).
    /// </summary>
    public const int MaxWeight = 62;

    private long _scaledMean;       // mean * 2^w
    private UInt128 _scaledVariance; // variance * 2^w: 128 bits, so a spread of seconds in nanoseconds fits at w = 8
    private long _count;
    private readonly int _weight;   // 0 only in the default value, which refuses updates

    /// <summary>Creates empty statistics with weight alpha = 2^-<paramref name="weight"/>.</summary>
    /// <param name="weight">The weight shift w, in [<see cref="MinWeight"/>, <see cref="MaxWeight"/>]; bcachefs uses 8.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is outside the accepted range.</exception>
    public MeanAndVarianceWeighted(int weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, MinWeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, MaxWeight);
        _weight = weight;
    }

    /// <summary>The weight shift w: each sample has weight 2^-w.</summary>
    public readonly int Weight => _weight;

    /// <summary>The number of samples added through <see cref="Update(long)"/> or <see cref="Update(long, bool)"/>.</summary>
    public readonly long Count => _count;

    /// <summary>Whether at least one sample has been added.</summary>
    public readonly bool IsInitialized => _count != 0;

    /// <summary>The weighted mean, rounded toward zero; 0 before the first sample.</summary>
    public readonly long Mean => _weight == 0 ? 0 : IntegerMath.FastDivPow2(_scaledMean, _weight);

    /// <summary>The weighted variance (the scaled variance shifted right by w); 0 before the second sample.</summary>
    /// <remarks>Up to 2^126 for <see cref="long"/> samples, hence <see cref="UInt128"/>.</remarks>
    public readonly UInt128 Variance => _scaledVariance >> _weight;

    /// <summary>The weighted standard deviation: the integer square root of <see cref="Variance"/>.</summary>
    public readonly ulong StandardDeviation => IntegerMath.Sqrt(Variance);

    /// <summary>Adds one sample; the first sample ever added initialises the mean.</summary>
    /// <param name="value">The sample.</param>
    /// <exception cref="OverflowException">The scaled sample does not fit a <see cref="long"/>; the value is left unchanged.</exception>
    /// <exception cref="InvalidOperationException">This is the <see langword="default"/> value, which has no weight.</exception>
    /// <remarks>Not thread-safe: see the type's remarks.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(long value) => Update(value, _count != 0);

    /// <summary>
    /// Adds one sample, with the caller saying whether the statistics are already initialised
    /// (the reference's calling convention): with <paramref name="initialized"/> false the sample
    /// replaces the mean and resets the variance, whatever came before.
    /// </summary>
    /// <param name="value">The sample.</param>
    /// <param name="initialized"><see langword="false"/> to apply <paramref name="value"/> as a first sample.</param>
    /// <exception cref="OverflowException">The scaled sample does not fit a <see cref="long"/>; the value is left unchanged.</exception>
    /// <exception cref="InvalidOperationException">This is the <see langword="default"/> value, which has no weight.</exception>
    /// <remarks>Not thread-safe: see the type's remarks.</remarks>
    public void Update(long value, bool initialized)
    {
        int w = _weight;
        if (w == 0)
        {
            ThrowNoWeight();
        }

        long scaled = value << w;
        if ((scaled >> w) != value)
        {
            ThrowScaledOverflow(value, w);
        }

        if (!initialized)
        {
            _scaledMean = scaled;
            _scaledVariance = 0;
            _count = checked(_count + 1);
            return;
        }

        long diff = checked(scaled - _scaledMean);
        long mean = _scaledMean + IntegerMath.FastDivPow2(diff, w); // between the old mean and x_w: no overflow
        long residual = scaled - mean; // same sign as diff, no larger: the product is not negative

        // The reference's variance' = (v*2^w - v + (p >> w)) >> w, with p = diff * residual, equals
        // v + floor(((p >> w) - v) / 2^w) exactly (v*2^w is a multiple of 2^w), which needs no
        // v << w and cannot overflow: p < 2^126, so the scaled variance stays below 2^125.
        UInt128 variance;
        long high = Math.BigMul(diff, residual, out long low);
        if (high == (low >> 63) && _scaledVariance <= long.MaxValue)
        {
            // Fast path, everything in 64 bits: p fits a long and so does v.
            long previous = (long)(ulong)_scaledVariance;
            variance = (ulong)(previous + (((low >> w) - previous) >> w));
        }
        else
        {
            var previous = (Int128)_scaledVariance;
            var product = new Int128((ulong)high, (ulong)low);
            variance = (UInt128)(previous + (((product >> w) - previous) >> w));
        }

        long count = checked(_count + 1);
        _scaledMean = mean;
        _scaledVariance = variance;
        _count = count;
    }

    /// <summary>Whether both values have the same weight, count and scaled state.</summary>
    /// <param name="other">The value to compare with.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public readonly bool Equals(MeanAndVarianceWeighted other) =>
        _weight == other._weight && _count == other._count && _scaledMean == other._scaledMean && _scaledVariance == other._scaledVariance;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is MeanAndVarianceWeighted other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(_weight, _count, _scaledMean, _scaledVariance);

    /// <summary>Formats the weight, mean and standard deviation, e.g. <c>w=8 mean=11 stddev=10</c>.</summary>
    /// <returns>A short human-readable description.</returns>
    public override readonly string ToString() => $"w={_weight} mean={Mean} stddev={StandardDeviation}";

    /// <summary>Whether two values are equal.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(MeanAndVarianceWeighted left, MeanAndVarianceWeighted right) => left.Equals(right);

    /// <summary>Whether two values differ.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(MeanAndVarianceWeighted left, MeanAndVarianceWeighted right) => !left.Equals(right);

    private static void ThrowNoWeight() =>
        throw new InvalidOperationException("This MeanAndVarianceWeighted is the default value and has no weight; create it with new MeanAndVarianceWeighted(weight).");

    private static void ThrowScaledOverflow(long value, int weight) =>
        throw new OverflowException($"The sample {value} shifted left by the weight {weight} does not fit 64 bits.");
}
