using System.Numerics;
using CsCheck;
using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// The exact all-time statistics: the reference's vectors, the documented rounding (floor) on
/// negative samples, merging, overflow detection, and a property test against a BigInteger model.
/// </summary>
public class MeanAndVarianceTests
{
    [Fact]
    public void BasicVectorFromTheReference()
    {
        var stats = default(MeanAndVariance);
        stats.Update(2);
        stats.Update(2);
        Assert.Equal(2, stats.Mean);
        Assert.Equal(UInt128.Zero, stats.Variance);
        Assert.Equal(2, stats.Count);

        stats.Update(4);
        stats.Update(4);
        Assert.Equal(3, stats.Mean);
        Assert.Equal(UInt128.One, stats.Variance);
        Assert.Equal(1UL, stats.StandardDeviation);
        Assert.Equal(4, stats.Count);
        Assert.Equal((Int128)12, stats.Sum);
        Assert.Equal((UInt128)40, stats.SumOfSquares);
    }

    [Fact]
    public void EmptyStatisticsReadAsZero()
    {
        var stats = default(MeanAndVariance);
        Assert.Equal(0, stats.Count);
        Assert.Equal(0, stats.Mean);
        Assert.Equal(UInt128.Zero, stats.Variance);
        Assert.Equal(0UL, stats.StandardDeviation);
    }

    [Fact]
    public void NegativeMeanRoundsTowardNegativeInfinity()
    {
        var stats = default(MeanAndVariance);
        stats.Update(-1);
        stats.Update(0);
        Assert.Equal(-1, stats.Mean); // -0.5 rounds down, not toward zero
        Assert.Equal(UInt128.Zero, stats.Variance); // 0.25 rounds down

        var negated = default(MeanAndVariance);
        foreach (long x in new long[] { -2, -2, -4, -4 })
        {
            negated.Update(x);
        }

        Assert.Equal(-3, negated.Mean); // exact where the reference's unsigned divide gives garbage
        Assert.Equal(UInt128.One, negated.Variance);
    }

    [Fact]
    public void VarianceDoesNotInheritTheMeansRoundingError()
    {
        // Alternating 10^6 and 10^6 + 1: true variance 0.25. The reference formula
        // (sumOfSquares / n - mean^2 with a rounded mean) gives 10^6 here.
        var stats = default(MeanAndVariance);
        for (int i = 0; i < 1000; i++)
        {
            stats.Update(1_000_000 + (i & 1));
        }

        Assert.Equal(1_000_000, stats.Mean);
        Assert.Equal(UInt128.Zero, stats.Variance);
        Assert.Equal(0UL, stats.StandardDeviation);
    }

    public static TheoryData<long[], long[], ulong[], ulong[]> SequenceVectors => new()
    {
        // samples after the six initial 10s; reference means; reference stddevs; exact stddevs
        { [100, 10, 10, 10, 10, 10, 10], [22, 21, 20, 19, 18, 17, 16], [32, 29, 28, 27, 26, 25, 24], [31, 29, 28, 27, 25, 24, 23] },
        { [100, 100, 100, 100, 100], [22, 32, 40, 46, 50], [32, 39, 42, 44, 45], [31, 38, 42, 44, 44] },
    };

    /// <summary>
    /// The reference's all-time sequence vectors. Its stddev is isqrt(sumOfSquares / n - mean^2)
    /// with the rounded mean, an approximation that can overstate the deviation; this type is exact
    /// instead. So the test reproduces the reference's numbers from the exact sums this type exposes
    /// (proving the sums), and pins this type's exact values next to them.
    /// </summary>
    [Theory]
    [MemberData(nameof(SequenceVectors))]
    public void SequenceVectorsFromTheReference(long[] samples, long[] means, ulong[] referenceStdDevs, ulong[] exactStdDevs)
    {
        var stats = default(MeanAndVariance);
        var seen = new List<long>();
        for (int i = 0; i < 6; i++)
        {
            stats.Update(10);
            seen.Add(10);
        }

        for (int i = 0; i < samples.Length; i++)
        {
            stats.Update(samples[i]);
            seen.Add(samples[i]);
            Assert.Equal(means[i], stats.Mean);

            UInt128 referenceVariance = (stats.SumOfSquares / (UInt128)stats.Count) - (UInt128)(stats.Mean * stats.Mean);
            Assert.Equal(referenceStdDevs[i], IntegerMath.Sqrt(referenceVariance));

            Assert.Equal(exactStdDevs[i], stats.StandardDeviation);
            Assert.Equal((ulong)BigIntegerModel.AllTime(seen).StandardDeviation, stats.StandardDeviation);
        }
    }

    [Fact]
    public void SumOfSquaresOverflowThrowsAndLeavesTheValueUnchanged()
    {
        var stats = default(MeanAndVariance);
        for (int i = 0; i < 3; i++)
        {
            stats.Update(long.MinValue); // 2^126 each
        }

        var before = stats;
        Assert.Throws<OverflowException>(() => stats.Update(long.MinValue)); // 2^128 does not fit
        Assert.Equal(before, stats);
        Assert.Equal(long.MinValue, stats.Mean);
        Assert.Equal(UInt128.Zero, stats.Variance);
    }

    [Fact]
    public void ExtremeSamplesGiveExactStatistics()
    {
        var stats = default(MeanAndVariance);
        stats.Update(long.MinValue);
        stats.Update(long.MaxValue);
        // mean -0.5 -> -1; variance ((2^64 - 1) / 2)^2 = (2^128 - 2^65 + 1) / 4, floor.
        Assert.Equal(-1, stats.Mean);
        Assert.Equal((UInt128)((((BigInteger.One << 64) - 1) * ((BigInteger.One << 64) - 1)) / 4), stats.Variance);
        Assert.Equal(ulong.MaxValue / 2, stats.StandardDeviation);
    }

    [Fact]
    public void MergeEqualsUpdatingWithEverySample() =>
        Gen.Select(Gen.Long[-1_000_000_000, 1_000_000_000].Array[0, 50], Gen.Long[-1_000_000_000, 1_000_000_000].Array[0, 50]).Sample((left, right) =>
        {
            MeanAndVariance a = default, b = default, all = default;
            foreach (long x in left)
            {
                a.Update(x);
                all.Update(x);
            }

            foreach (long x in right)
            {
                b.Update(x);
                all.Update(x);
            }

            a.Merge(b);
            return a == all && a.Mean == all.Mean && a.Variance == all.Variance;
        });

    [Fact]
    public void MergeOverflowThrowsAndLeavesTheValueUnchanged()
    {
        MeanAndVariance a = default, b = default;
        a.Update(long.MinValue);
        a.Update(long.MinValue);
        b.Update(long.MinValue);
        b.Update(long.MinValue);
        var before = a;
        Assert.Throws<OverflowException>(() => a.Merge(b));
        Assert.Equal(before, a);
    }

    private static readonly Gen<long> s_samples = Gen.OneOf(
        Gen.Long[-1000, 1000],
        Gen.Long[-(1L << 40), 1L << 40],
        Gen.Long);

    [Fact]
    public void MatchesTheBigIntegerModelOrReportsOverflow() =>
        s_samples.Array[0, 40].Sample(samples =>
        {
            var stats = default(MeanAndVariance);
            var seen = new List<long>();
            BigInteger sumOfSquares = 0;
            foreach (long x in samples)
            {
                sumOfSquares += (BigInteger)x * x;
                if (sumOfSquares > (BigInteger)UInt128.MaxValue)
                {
                    var before = stats;
                    Assert.Throws<OverflowException>(() => stats.Update(x));
                    Assert.Equal(before, stats);
                    return;
                }

                stats.Update(x);
                seen.Add(x);
                var model = BigIntegerModel.AllTime(seen);
                Assert.Equal(seen.Count, stats.Count);
                Assert.Equal((long)model.Mean, stats.Mean);
                Assert.Equal((UInt128)model.Variance, stats.Variance);
                Assert.Equal((ulong)model.StandardDeviation, stats.StandardDeviation);
            }
        }, iter: 1000);
}
