using CsCheck;
using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// The streaming median and median absolute deviation: the convergence properties of the
/// reference's tests (constant stream, level shift, single outlier), the all-time schedule on a
/// stationary stream, the standard deviation estimate on normal samples, and extremes.
/// </summary>
public class MedianAndAbsoluteDeviationTests
{
    [Fact]
    public void ConstantStreamConvergesToItsValue()
    {
        var stats = new MedianAndAbsoluteDeviation(8);
        for (int i = 0; i < 4096; i++)
        {
            stats.Update(100);
        }

        Assert.Equal(100, stats.Median);
        Assert.True(stats.Deviation <= 4, $"MAD {stats.Deviation}");
        Assert.Equal(4096, stats.Count);
    }

    [Fact]
    public void NoisyStreamConvergesNearItsMedian()
    {
        var random = new Random(5);
        var stats = new MedianAndAbsoluteDeviation(8);
        for (int i = 0; i < 4096; i++)
        {
            stats.Update(random.Next(95, 106));
        }

        Assert.InRange(stats.Median, 98, 102);
        Assert.True(stats.Deviation <= 4, $"MAD {stats.Deviation}");
    }

    [Fact]
    public void LevelShiftMovesTheMedianMonotonicallyWithoutOvershoot()
    {
        var stats = new MedianAndAbsoluteDeviation(8);
        for (int i = 0; i < 4096; i++)
        {
            stats.Update(100);
        }

        long previous = stats.Median;
        for (int i = 0; i < 2048; i++)
        {
            stats.Update(1000);
            Assert.True(stats.Median >= previous, $"median went back from {previous} to {stats.Median} at sample {i}");
            Assert.True(stats.Median <= 1000, $"median overshot to {stats.Median}");
            previous = stats.Median;
        }

        Assert.True(stats.Median >= 900, $"median {stats.Median}");
    }

    [Fact]
    public void SingleOutlierMovesTheDeviationByAtMostOneStep()
    {
        var random = new Random(11);
        var stats = new MedianAndAbsoluteDeviation(8);
        for (int i = 0; i < 1024; i++)
        {
            stats.Update(random.Next(500, 1501));
        }

        ulong mad = stats.Deviation;
        long median = stats.Median;
        Assert.True(mad > 128, $"the spread must make the bound non-trivial, MAD {mad}");
        stats.Update(1_000_000);
        Assert.True(stats.Deviation <= mad + (mad >> 7) + 1, $"MAD grew from {mad} to {stats.Deviation}");
        Assert.True(stats.Median - median <= (long)(mad >> 8) + 1, $"median moved from {median} to {stats.Median}");
    }

    [Fact]
    public void AllTimeScheduleSettlesOnAStationaryStream()
    {
        var random = new Random(3);
        var stats = MedianAndAbsoluteDeviation.AllTime;
        for (int i = 0; i < 100_000; i++)
        {
            stats.Update(random.Next(0, 1001));
        }

        Assert.Equal(0, stats.Weight);
        Assert.InRange(stats.Median, 450, 550); // true median 500
        Assert.InRange(stats.Deviation, 200UL, 300UL); // true MAD 250
    }

    [Fact]
    public void StandardDeviationEstimateIsCloseForNormalSamples()
    {
        var random = new Random(7);
        var stats = MedianAndAbsoluteDeviation.AllTime;
        for (int i = 0; i < 100_000; i++)
        {
            // Box-Muller: normal, mean 5000, sigma 1000.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            stats.Update((long)(5000 + (1000 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2))));
        }

        Assert.InRange(stats.Median, 4900, 5100);
        Assert.InRange(stats.StandardDeviationEstimate, 900UL, 1100UL);
    }

    [Fact]
    public void StandardDeviationEstimateIsMadTimes1518Over1024()
    {
        var stats = new MedianAndAbsoluteDeviation(1);
        stats.Update(0);
        for (int i = 0; i < 200; i++)
        {
            stats.Update(i % 2 == 0 ? 1_000_000 : -1_000_000);
        }

        Assert.Equal((ulong)((System.Numerics.BigInteger)stats.Deviation * 1518 >> 10), stats.StandardDeviationEstimate);
    }

    [Fact]
    public void ExtremeSamplesNeitherOverflowNorOvershoot()
    {
        var stats = new MedianAndAbsoluteDeviation(1);
        for (int i = 0; i < 1000; i++)
        {
            stats.Update(i % 2 == 0 ? long.MinValue : long.MaxValue);
        }

        Assert.InRange(stats.Median, long.MinValue, long.MaxValue);
        Assert.True(stats.Deviation <= ulong.MaxValue);
        Assert.True(stats.StandardDeviationEstimate >= stats.Deviation, "the estimate saturates rather than wrapping");
    }

    /// <summary>
    /// For any stream and weight: the median stays within the range of the samples seen, the
    /// deviation within their spread, and no single sample moves either by more than one step.
    /// </summary>
    [Fact]
    public void EveryUpdateStaysInRangeAndMovesAtMostOneStep() =>
        Gen.Select(Gen.Int[0, 16], Gen.OneOf(Gen.Long[-1000, 1000], Gen.Long).Array[1, 100]).Sample((weight, samples) =>
        {
            var stats = weight == 0 ? MedianAndAbsoluteDeviation.AllTime : new MedianAndAbsoluteDeviation(weight);
            long min = long.MaxValue, max = long.MinValue;
            foreach (long x in samples)
            {
                long count = stats.Count + 1;
                int shift = weight != 0 ? weight : System.Numerics.BitOperations.Log2((ulong)count);
                ulong step = Math.Max(stats.Deviation >> shift, 1);
                long previousMedian = stats.Median;
                ulong previousDeviation = stats.Deviation;
                stats.Update(x);
                min = Math.Min(min, x);
                max = Math.Max(max, x);

                Assert.InRange(stats.Median, min, max);
                Assert.True(stats.Deviation <= (ulong)((System.Numerics.BigInteger)max - min), "deviation beyond the spread");
                if (count > 1)
                {
                    Assert.True((ulong)System.Numerics.BigInteger.Abs((System.Numerics.BigInteger)stats.Median - previousMedian) <= step, "median moved more than a step");
                    Assert.True((ulong)System.Numerics.BigInteger.Abs((System.Numerics.BigInteger)stats.Deviation - previousDeviation) <= step, "deviation moved more than a step");
                }
            }
        }, iter: 1000);

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    public void WeightOutsideTheRangeIsRejected(int weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MedianAndAbsoluteDeviation(weight));
}
