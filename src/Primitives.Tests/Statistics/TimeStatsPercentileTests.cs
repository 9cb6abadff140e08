using CsCheck;
using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// Percentiles from the log-linear histogram of <see cref="TimeStats"/>: within 1/32 of a value of
/// the true rank on any data, including the two-cluster latencies on which the streaming 16-quantile
/// estimator settles in the gap between the clusters.
/// </summary>
public class TimeStatsPercentileTests
{
    private static readonly double[] s_percentiles = [0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 100];

    [Fact]
    public void EveryBucketsBoundsMapBackToIt()
    {
        for (int bucket = 0; bucket < LogLinearHistogram.BucketCount; bucket++)
        {
            (ulong low, ulong high) = LogLinearHistogram.BoundsOf(bucket);
            Assert.Equal(bucket, LogLinearHistogram.BucketOf(low));
            Assert.Equal(bucket, LogLinearHistogram.BucketOf(high));
            Assert.True(high - low <= Math.Max(low / LogLinearHistogram.SubBuckets, 0), $"bucket {bucket} [{low}, {high}] is wider than 1/16 of its low bound");
            if (bucket + 1 < LogLinearHistogram.BucketCount)
            {
                Assert.Equal(bucket + 1, LogLinearHistogram.BucketOf(high + 1));
            }
        }

        Assert.Equal(LogLinearHistogram.BucketCount - 1, LogLinearHistogram.BucketOf(ulong.MaxValue));
    }

    [Fact]
    public void TwoClustersGiveTheRightMedianAndTail()
    {
        // 45% of waits at 3-4 us (the waiter was still spinning), 55% at 25-28 us (it had parked):
        // the shape of a handoff latency benchmark's samples.
        var random = new Random(12345);
        var durations = new List<long>();
        for (int i = 0; i < 20_000; i++)
        {
            durations.Add(random.NextDouble() < 0.45 ? random.Next(3_000, 4_000) : random.Next(25_000, 28_000));
        }

        var stats = Record(durations);
        TimeStatsSnapshot snapshot = stats.GetSnapshot();
        AssertPercentilesClose(durations, snapshot);
        Assert.InRange(snapshot.P50, 24_000, 29_000);
    }

    [Fact]
    public void PercentilesOfAnyDataAreWithinOneThirtySecondOfTheTrueRank() =>
        Gen.OneOf(
                Gen.Long[0, 40],
                Gen.Long[0, 100_000],
                Gen.Long[0, 10_000_000_000],
                Gen.Int[0, 62].Select(shift => 1L << shift))
            .Array[1, 300]
            .Sample(values => AssertPercentilesClose(values, Record(values).GetSnapshot()), iter: 300);

    [Fact]
    public void OneValueIsEveryPercentile()
    {
        var snapshot = Record([123_456]).GetSnapshot();
        foreach (double p in s_percentiles)
        {
            Assert.Equal(123_456, snapshot.Percentile(p));
        }
    }

    [Fact]
    public void EmptyStatisticsReportZero()
    {
        var snapshot = new TimeStats("op").GetSnapshot();
        Assert.Equal(0, snapshot.P50);
        Assert.Equal(0, snapshot.P999);
        Assert.Equal(0, snapshot.Percentile(100));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100.0001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void PercentileOutsideZeroToHundredIsRejected(double percentile)
    {
        var snapshot = Record([1, 2, 3]).GetSnapshot();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => snapshot.Percentile(percentile));
        Assert.Equal("percentile", error.ParamName);
    }

    [Fact]
    public void TextAndJsonCarryThePercentiles()
    {
        var snapshot = Record([1_000, 2_000, 3_000, 4_000]).GetSnapshot();
        Assert.Contains("p99 4 us", snapshot.ToString(), StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(snapshot.ToJson());
        long p50 = json.RootElement.GetProperty("p50").GetInt64();
        Assert.Equal(snapshot.P50, p50);
        Assert.InRange(p50, 2_000 - (2_000 / 32), 2_000 + (2_000 / 32));
        Assert.Equal(4_000, json.RootElement.GetProperty("p999").GetInt64());
    }

    [Fact]
    public void BufferedEventsReachTheHistogram()
    {
        var stats = new TimeStats("op", BufferingPolicy.Always);
        for (long i = 1; i <= 1000; i++)
        {
            stats.Record(i * 10, (i * 10) + i);
        }

        var snapshot = stats.GetSnapshot();
        Assert.Equal(1000, snapshot.Count);
        Assert.Equal(1000, snapshot.Percentile(100));
        Assert.InRange(snapshot.P50, 500 - (500 / 32), 500 + (500 / 32));
    }

    private static TimeStats Record(IEnumerable<long> durations)
    {
        var stats = new TimeStats("op", BufferingPolicy.Never);
        long start = 1_000;
        foreach (long d in durations)
        {
            stats.Record(start, start + d);
            start += 10;
        }

        return stats;
    }

    private static void AssertPercentilesClose(IReadOnlyCollection<long> durations, TimeStatsSnapshot snapshot)
    {
        long[] sorted = durations.Select(d => TimeStats.TicksToNanoseconds(d)).Order().ToArray();
        foreach (double p in s_percentiles)
        {
            long rank = Math.Max(1, (long)Math.Ceiling(p / 100 * sorted.Length));
            long exact = sorted[rank - 1];
            long reported = snapshot.Percentile(p);
            long tolerance = (exact / 32) + 1;
            Assert.True(Math.Abs(reported - exact) <= tolerance, $"p{p}: reported {reported}, exact {exact} (n = {sorted.Length})");
            Assert.InRange(reported, sorted[0], sorted[^1]);
        }
    }
}
