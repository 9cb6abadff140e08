using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using CsCheck;
using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// Time statistics on one thread: argument validation, aggregates against a model, the automatic
/// switch to buffering, exactly-once counting across reads, the measuring scope and the outputs.
/// </summary>
public class TimeStatsTests
{
    [Fact]
    public void NameMustBeNonEmpty()
    {
        Assert.Throws<ArgumentNullException>(() => new TimeStats(null!));
        Assert.Throws<ArgumentException>(() => new TimeStats(string.Empty));
        Assert.Throws<ArgumentException>(() => new TimeStats("  "));
    }

    [Fact]
    public void EventEndingBeforeItStartsIsRejected()
    {
        var stats = new TimeStats("op");
        var error = Assert.Throws<ArgumentException>(() => stats.Record(100, 99));
        Assert.Equal("endTimestamp", error.ParamName);
        Assert.Equal(0, stats.GetSnapshot().Count);
        stats.Record(100, 100); // zero-length events are fine
        Assert.Equal(1, stats.GetSnapshot().Count);
    }

    [Fact]
    public void EventLongerThanInt64TicksIsRejected()
    {
        var stats = new TimeStats("op");
        var error = Assert.Throws<ArgumentException>(() => stats.Record(-10, long.MaxValue)); // the difference wraps
        Assert.Equal("endTimestamp", error.ParamName);
        Assert.Throws<ArgumentException>(() => stats.Record(1, long.MinValue));
        stats.Record(0, long.MaxValue); // the longest representable event is fine
        Assert.Equal(TimeStats.TicksToNanoseconds(long.MaxValue), stats.GetSnapshot().Duration.Max);
    }

    [Fact]
    public void EmptyStatisticsReadAsZero()
    {
        var snapshot = new TimeStats("idle").GetSnapshot();
        Assert.Equal("idle", snapshot.Name);
        Assert.Equal(0, snapshot.Count);
        Assert.Equal(0, snapshot.Duration.Min);
        Assert.Equal(0, snapshot.Gap.Max);
        Assert.Empty(snapshot.Quantiles);
        Assert.False(snapshot.IsBuffered);
    }

    private static readonly Gen<(long Start, long Duration)[]> s_events =
        Gen.Select(Gen.Long[-100_000, 1_000_000], Gen.Long[0, 10_000_000]).Array[1, 80];

    /// <summary>Every aggregate on the direct path against a BigInteger model of the same events (starts mostly in order, durations arbitrary).</summary>
    [Fact]
    public void AggregatesMatchAModel() =>
        s_events.Sample(events =>
        {
            var stats = new TimeStats("model", BufferingPolicy.Never);
            var durations = new List<long>();
            var gaps = new List<long>();
            long clock = 0, lastStart = 0;
            for (int i = 0; i < events.Length; i++)
            {
                clock += events[i].Start;
                long end = clock + events[i].Duration;
                stats.Record(clock, end);
                durations.Add(events[i].Duration);
                if (i > 0 && clock >= lastStart)
                {
                    gaps.Add(clock - lastStart); // a gap runs from start to start; an earlier start adds none
                }

                if (i == 0 || clock >= lastStart)
                {
                    lastStart = clock;
                }
            }

            var snapshot = stats.GetSnapshot();
            Assert.Equal(durations.Count, snapshot.Count);
            Assert.Equal(Ns(durations.Sum()), snapshot.TotalDuration);
            AssertSummary(durations, snapshot.Duration);
            AssertSummary(gaps, snapshot.Gap);
        });

    private static void AssertSummary(List<long> values, DurationSummary summary)
    {
        Assert.Equal(values.Count, summary.Count);
        if (values.Count == 0)
        {
            Assert.Equal(0, summary.Max);
            return;
        }

        var model = BigIntegerModel.AllTime(values);
        Assert.Equal(Ns(values.Min()), summary.Min);
        Assert.Equal(Ns(values.Max()), summary.Max);
        Assert.Equal(Ns((long)model.Mean), summary.Mean);
        Assert.Equal(Ns((long)model.StandardDeviation), summary.StandardDeviation);

        var recent = new MeanAndVarianceWeighted(TimeStats.RecentWeight);
        foreach (long v in values)
        {
            recent.Update(v);
        }

        Assert.Equal(Ns(recent.Mean), summary.RecentMean);
        Assert.Equal(Ns((long)recent.StandardDeviation), summary.RecentStandardDeviation);
    }

    private static long Ns(long ticks) => TimeStats.TicksToNanoseconds(ticks);

    [Fact]
    public void FrequentEventsSwitchToBuffering()
    {
        var stats = new TimeStats("hot");
        long gapTicks = Math.Max(1, Stopwatch.Frequency / 1_000_000); // 1 us apart, under the 32 us threshold
        for (int i = 0; i < TimeStats.BufferingMinEvents; i++)
        {
            stats.Record(i * gapTicks, (i * gapTicks) + 1);
        }

        Assert.False(stats.IsBuffered); // not before more than BufferingMinEvents events
        stats.Record(5000 * gapTicks, (5000 * gapTicks) + 1);
        Assert.True(stats.IsBuffered);

        for (int i = 0; i < 1000; i++)
        {
            stats.Record(6000 * gapTicks, (6000 * gapTicks) + 2);
        }

        var snapshot = stats.GetSnapshot();
        Assert.True(snapshot.IsBuffered);
        Assert.Equal(TimeStats.BufferingMinEvents + 1001, snapshot.Count);
        Assert.Equal(Ns(2), snapshot.Duration.Max);
    }

    [Fact]
    public void InfrequentEventsStayDirect()
    {
        var stats = new TimeStats("cold");
        long gapTicks = Stopwatch.Frequency / 1000; // 1 ms apart
        for (int i = 0; i < 4 * TimeStats.BufferingMinEvents; i++)
        {
            stats.Record(i * gapTicks, (i * gapTicks) + 10);
        }

        Assert.False(stats.IsBuffered);
    }

    /// <summary>
    /// The reference's flush bug re-counted stale buffer slots on every read. Reading after every
    /// event, across several buffer fills, must count each event exactly once.
    /// </summary>
    [Fact]
    public void ReadsBetweenBufferedEventsCountEachEventOnce()
    {
        var stats = new TimeStats("reread", BufferingPolicy.Always);
        long total = 0;
        for (int i = 1; i <= 5 * TimeStats.BufferCapacity; i++)
        {
            stats.Record(0, i);
            total += i;
            var snapshot = stats.GetSnapshot();
            Assert.Equal(i, snapshot.Count);
            Assert.Equal(Ns(total), snapshot.TotalDuration);
            Assert.Equal(Ns(i), snapshot.Duration.Max);
            var again = stats.GetSnapshot();
            Assert.Equal(i, again.Count);
        }
    }

    [Fact]
    public void BufferedAndDirectPathsAgreeOnOrderIndependentAggregates() =>
        Gen.Long[0, 1_000_000].Array[1, 200].Sample(durations =>
        {
            var direct = new TimeStats("direct", BufferingPolicy.Never);
            var buffered = new TimeStats("buffered", BufferingPolicy.Always);
            foreach (long d in durations)
            {
                direct.Record(1000, 1000 + d);
                buffered.Record(1000, 1000 + d);
            }

            var a = direct.GetSnapshot();
            var b = buffered.GetSnapshot();
            Assert.Equal(a.Count, b.Count);
            Assert.Equal(a.TotalDuration, b.TotalDuration);
            Assert.Equal(a.Duration.Min, b.Duration.Min);
            Assert.Equal(a.Duration.Max, b.Duration.Max);
            Assert.Equal(a.Duration.Mean, b.Duration.Mean);
            Assert.Equal(a.Duration.StandardDeviation, b.Duration.StandardDeviation);
        });

    [Fact]
    public void MeasureRecordsTheScopesDuration()
    {
        var stats = new TimeStats("scope");
        long before = Stopwatch.GetTimestamp();
        using (var scope = stats.Measure())
        {
            Assert.True(scope.StartTimestamp >= before);
            Thread.Sleep(5);
        }

        long after = Stopwatch.GetTimestamp();
        var snapshot = stats.GetSnapshot();
        Assert.Equal(1, snapshot.Count);
        Assert.InRange(snapshot.Duration.Max, 4_000_000, Ns(after - before));
        default(TimeStatsScope).Dispose(); // records nothing, throws nothing
    }

    [Fact]
    public void QuantilesTrackAKnownDistribution()
    {
        var stats = new TimeStats("uniform", BufferingPolicy.Never);
        var random = new Random(9);
        for (int i = 0; i < 100_000; i++)
        {
            stats.Record(0, random.NextInt64(0, 1_600_000));
        }

        var quantiles = stats.GetSnapshot().Quantiles;
        Assert.Equal(15, quantiles.Count);
        for (int k = 0; k < 15; k++)
        {
            // uniform on [0, 1.6 ms): the k/16 quantile is k * 100 us; allow 5% of the range.
            Assert.InRange(quantiles[k], Ns((k + 1) * 100_000) - Ns(80_000), Ns((k + 1) * 100_000) + Ns(80_000));
        }
    }

    [Theory]
    [InlineData(0, "0 ns")]
    [InlineData(999, "999 ns")]
    [InlineData(1_000, "1 us")]
    [InlineData(12_500, "12.5 us")]
    [InlineData(1_234_567, "1.235 ms")]
    [InlineData(3_600_000_000_000, "3600 s")]
    [InlineData(-2_000_000, "-2 ms")]
    [InlineData(long.MinValue, "-9223372036.855 s")]
    public void DurationsFormatWithScaledUnits(long nanoseconds, string expected) =>
        Assert.Equal(expected, TimeStatsSnapshot.FormatDuration(nanoseconds));

    [Fact]
    public void TextOutputShowsEverySeries()
    {
        var stats = new TimeStats("btree_split", BufferingPolicy.Never);
        long ticksPerUs = Stopwatch.Frequency / 1_000_000;
        stats.Record(0, 10 * ticksPerUs);
        stats.Record(100 * ticksPerUs, 130 * ticksPerUs);
        string text = stats.ToString();
        Assert.StartsWith("btree_split: 2 events, total 40 us", text, StringComparison.Ordinal);
        Assert.Contains("duration", text, StringComparison.Ordinal);
        Assert.Contains("30 us", text, StringComparison.Ordinal); // max duration
        Assert.Contains("100 us", text, StringComparison.Ordinal); // the gap, start to start
        Assert.Contains("quantiles (1/16 .. 15/16):", text, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonOutputRoundTripsTheSnapshot()
    {
        var stats = new TimeStats("journal_write", BufferingPolicy.Never);
        stats.Record(0, 1000);
        stats.Record(5000, 8000);
        var snapshot = stats.GetSnapshot();
        using var json = JsonDocument.Parse(snapshot.ToJson());
        var root = json.RootElement;
        Assert.Equal("journal_write", root.GetProperty("name").GetString());
        Assert.Equal(2, root.GetProperty("count").GetInt64());
        Assert.Equal(snapshot.TotalDuration, root.GetProperty("totalDuration").GetInt64());
        Assert.Equal(snapshot.Duration.Max, root.GetProperty("duration").GetProperty("max").GetInt64());
        Assert.Equal(snapshot.Gap.Mean, root.GetProperty("gap").GetProperty("mean").GetInt64());
        Assert.Equal(15, root.GetProperty("quantiles").GetArrayLength());
        Assert.False(root.GetProperty("isBuffered").GetBoolean());
    }

    [Fact]
    public void TicksConvertToNanosecondsExactly()
    {
        Assert.Equal(1_000_000_000, TimeStats.TicksToNanoseconds(Stopwatch.Frequency));
        Assert.Equal(long.MaxValue, TimeStats.TicksToNanoseconds(Int128.MaxValue));
        Assert.Equal((long)((BigInteger)123_456_789 * 1_000_000_000 / Stopwatch.Frequency), TimeStats.TicksToNanoseconds(123_456_789));
    }
}
