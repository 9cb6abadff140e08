using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// The 15-quantile estimator: accuracy in rank on known distributions, ascending output, and the
/// first sample.
/// </summary>
public class QuantileEstimatorTests
{
    private const int Samples = 100_000;

    /// <summary>Largest accepted |rank(estimate) - k/16| (the estimator measured 0.03 at worst on these streams).</summary>
    private const double RankTolerance = 0.05;

    public static TheoryData<string> Distributions => ["uniform", "exponential", "normal"];

    [Theory]
    [MemberData(nameof(Distributions))]
    public void EstimatesAreWithinToleranceInRank(string distribution)
    {
        var random = new Random(distribution.Length);
        Func<ulong> next = distribution switch
        {
            "uniform" => () => (ulong)random.NextInt64(0, 1_000_000),
            "exponential" => () => (ulong)(-100_000 * Math.Log(1 - random.NextDouble())),
            _ => () => (ulong)Math.Max(0, 500_000 + (50_000 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))),
        };

        var estimator = default(QuantileEstimator);
        var samples = new ulong[Samples];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = next();
            estimator.Update(samples[i]);
        }

        Array.Sort(samples);
        Span<ulong> estimates = stackalloc ulong[QuantileEstimator.Count];
        estimator.CopyTo(estimates);
        for (int k = 0; k < QuantileEstimator.Count; k++)
        {
            int rank = Array.BinarySearch(samples, estimates[k]);
            rank = rank < 0 ? ~rank : rank;
            double error = ((double)rank / Samples) - ((k + 1) / 16.0);
            Assert.True(Math.Abs(error) <= RankTolerance, $"{distribution} quantile {k + 1}/16: estimate {estimates[k]} has rank error {error:F3}");
        }
    }

    [Fact]
    public void FirstSampleSetsEveryNodeOnItsPath()
    {
        var estimator = default(QuantileEstimator);
        Assert.True(estimator.IsEmpty);
        estimator.Update(5000);
        Assert.False(estimator.IsEmpty);
        Span<ulong> estimates = stackalloc ulong[QuantileEstimator.Count];
        estimator.CopyTo(estimates);
        Assert.Equal(5000UL, estimates[7]); // the median, the root
    }

    [Fact]
    public void EstimatesAreAscendingOnAStationaryStream()
    {
        var random = new Random(42);
        var estimator = default(QuantileEstimator);
        for (int i = 0; i < Samples; i++)
        {
            estimator.Update((ulong)random.NextInt64(0, 1_000_000));
        }

        Span<ulong> estimates = stackalloc ulong[QuantileEstimator.Count];
        estimator.CopyTo(estimates);
        for (int k = 1; k < estimates.Length; k++)
        {
            Assert.True(estimates[k - 1] <= estimates[k], $"quantile {k}/16 = {estimates[k - 1]} > quantile {k + 1}/16 = {estimates[k]}");
        }
    }
}

/// <summary>Snapshots report the quantile estimates sorted, even where the raw node estimates cross.</summary>
public class TimeStatsQuantileOrderTests
{
    [Fact]
    public void SnapshotQuantilesNeverDecreaseEvenWhereNodeEstimatesCross()
    {
        // A narrow stream, then a shift upwards: the nodes adapt at different speeds and cross.
        var random = new Random(7);
        var stats = new TimeStats("shifting", BufferingPolicy.Never);
        var estimator = default(QuantileEstimator);
        bool rawCrossed = false;
        Span<ulong> raw = stackalloc ulong[QuantileEstimator.Count];
        for (int phase = 0; phase < 4; phase++)
        {
            long center = 2_000 + (phase * 700);
            for (int i = 0; i < 5_000; i++)
            {
                long duration = center + random.Next(-20, 20) + (random.Next(1000) == 0 ? 3_000_000 : 0);
                stats.Record(1_000_000, 1_000_000 + duration);
                estimator.Update((ulong)duration);
            }

            estimator.CopyTo(raw);
            for (int k = 1; k < raw.Length; k++)
            {
                rawCrossed |= raw[k - 1] > raw[k];
            }

            IReadOnlyList<long> q = stats.GetSnapshot().Quantiles;
            for (int k = 1; k < q.Count; k++)
            {
                Assert.True(q[k - 1] <= q[k], $"phase {phase}: quantile {k}/16 = {q[k - 1]} > quantile {k + 1}/16 = {q[k]}");
            }
        }

        // The stream must actually make the raw estimates cross, or this test would prove nothing.
        Assert.True(rawCrossed, "the raw node estimates never crossed on this stream");
    }
}
