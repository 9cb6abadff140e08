using System.Numerics;
using CsCheck;
using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// The exponentially weighted statistics: every weighted vector of the reference's unit test, the
/// weight range, and a property test against the update rule computed independently in BigInteger.
/// </summary>
public class MeanAndVarianceWeightedTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void WeightedVectorsWithWeight2(int sign)
    {
        var stats = new MeanAndVarianceWeighted(2);
        stats.Update(sign * 10);
        Assert.Equal(sign * 10, stats.Mean);
        Assert.Equal(UInt128.Zero, stats.Variance);

        stats.Update(sign * 20);
        Assert.Equal(sign * 12, stats.Mean);
        Assert.Equal((UInt128)18, stats.Variance);

        stats.Update(sign * 30);
        Assert.Equal(sign * 16, stats.Mean);
        Assert.Equal((UInt128)72, stats.Variance);
        Assert.Equal(3, stats.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void AdvancedVectorsWithWeight8(int sign)
    {
        var stats = new MeanAndVarianceWeighted(8);
        for (int i = 1; i <= 10; i++)
        {
            stats.Update(sign * i * 10);
        }

        Assert.Equal(sign * 11, stats.Mean);
        Assert.Equal((UInt128)107, stats.Variance);
    }

    public static TheoryData<long[], long[], ulong[]> SequenceVectors => new()
    {
        // samples after the six initial 10s; weighted means; weighted stddevs
        { [100, 10, 10, 10, 10, 10, 10], [32, 27, 22, 19, 17, 15, 14], [38, 35, 31, 27, 24, 21, 18] },
        { [100, 100, 100, 100, 100], [32, 49, 61, 71, 78], [38, 44, 44, 41, 38] },
    };

    /// <summary>The reference's sequence tests: each of the six initial 10s is applied as a first sample ("not initialised").</summary>
    [Theory]
    [MemberData(nameof(SequenceVectors))]
    public void SequenceVectorsFromTheReference(long[] samples, long[] means, ulong[] stdDevs)
    {
        var stats = new MeanAndVarianceWeighted(2);
        for (int i = 0; i < 6; i++)
        {
            stats.Update(10, initialized: false);
        }

        for (int i = 0; i < samples.Length; i++)
        {
            stats.Update(samples[i], initialized: true);
            Assert.Equal(means[i], stats.Mean);
            Assert.Equal(stdDevs[i], stats.StandardDeviation);
        }
    }

    [Fact]
    public void UninitialisedUpdateRestartsFromTheSample()
    {
        var stats = new MeanAndVarianceWeighted(4);
        stats.Update(1000);
        stats.Update(5000);
        Assert.NotEqual(UInt128.Zero, stats.Variance);

        stats.Update(-7, initialized: false);
        Assert.Equal(-7, stats.Mean);
        Assert.Equal(UInt128.Zero, stats.Variance);
        Assert.True(stats.IsInitialized);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(63)]
    public void WeightOutsideTheRangeIsRejected(int weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeanAndVarianceWeighted(weight));

    [Fact]
    public void DefaultValueRefusesUpdates()
    {
        var stats = default(MeanAndVarianceWeighted);
        Assert.Throws<InvalidOperationException>(() => stats.Update(1));
        Assert.Equal(0, stats.Mean);
        Assert.False(stats.IsInitialized);
    }

    [Fact]
    public void SampleThatDoesNotFitOnceScaledThrows()
    {
        var stats = new MeanAndVarianceWeighted(8);
        stats.Update(5);
        var before = stats;
        Assert.Throws<OverflowException>(() => stats.Update(long.MaxValue >> 7));
        Assert.Throws<OverflowException>(() => stats.Update(long.MinValue >> 7));
        Assert.Equal(before, stats);
        stats.Update(1L << 40); // fits once scaled, and its variance fits: accepted
        Assert.Equal(2, stats.Count);
    }

    [Fact]
    public void SpreadOfSecondsInNanosecondsDoesNotOverflow()
    {
        // The reference's 64-bit scaled variance wraps here (stddev 5 * 10^11 at w = 8).
        var stats = new MeanAndVarianceWeighted(8);
        for (int i = 0; i < 10_000; i++)
        {
            stats.Update(i % 2 == 0 ? 0 : 1_000_000_000_000);
        }

        Assert.InRange(stats.StandardDeviation, 490_000_000_000UL, 510_000_000_000UL);
        Assert.InRange(stats.Mean, 490_000_000_000, 510_000_000_000);
    }

    [Fact]
    public void MatchesAnIndependentBigIntegerModelOrReportsOverflow() =>
        Gen.Select(Gen.Int[MeanAndVarianceWeighted.MinWeight, 24], Gen.OneOf(Gen.Long[-1000, 1000], Gen.Long[-(1L << 38), 1L << 38], Gen.Long[-(1L << 62), 1L << 62]).Array[1, 60])
            .Sample((w, samples) =>
            {
                var stats = new MeanAndVarianceWeighted(w);
                BigInteger scale = BigInteger.One << w;
                BigInteger mean = 0, variance = 0;
                for (int i = 0; i < samples.Length; i++)
                {
                    BigInteger x = (BigInteger)samples[i] * scale;
                    if (x < long.MinValue || x > long.MaxValue)
                    {
                        Assert.Throws<OverflowException>(() => stats.Update(samples[i]));
                        return;
                    }

                    BigInteger newMean, newVariance;
                    if (i == 0)
                    {
                        newMean = x;
                        newVariance = 0;
                    }
                    else
                    {
                        BigInteger diff = x - mean;
                        newMean = mean + BigInteger.Divide(diff, scale); // BigInteger.Divide truncates toward zero
                        newVariance = BigIntegerModel.FloorDiv((variance * scale) - variance + BigIntegerModel.FloorDiv(diff * (x - newMean), scale), scale);
                        if (diff < long.MinValue || diff > long.MaxValue)
                        {
                            Assert.Throws<OverflowException>(() => stats.Update(samples[i]));
                            return;
                        }
                    }

                    stats.Update(samples[i]);
                    mean = newMean;
                    variance = newVariance;
                    Assert.Equal((long)BigInteger.Divide(mean, scale), stats.Mean);
                    Assert.Equal((UInt128)(variance >> w), stats.Variance);
                    Assert.Equal((ulong)BigIntegerModel.Sqrt(variance >> w), stats.StandardDeviation);
                }
            }, iter: 1000);
}
