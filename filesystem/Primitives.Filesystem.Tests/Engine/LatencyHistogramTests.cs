using Primitives.Filesystem.Engine;

namespace Primitives.Filesystem.Tests.Engine;

public class LatencyHistogramTests
{
    [Fact]
    public void QuantilesAreWithinOneSixteenthOfTheExactRank()
    {
        var h = new LatencyHistogram("test");
        var values = Enumerable.Range(1, 10_000).Select(i => (long)i * 997).ToArray();
        foreach (long v in values)
        {
            h.RecordNanoseconds(v);
        }

        Assert.Equal(values.Length, h.Count);
        foreach (double q in new[] { 0.5, 0.9, 0.99, 1.0 })
        {
            long exact = values[(int)Math.Ceiling(q * values.Length) - 1];
            long estimate = h.Quantile(q);
            Assert.InRange(estimate, exact, exact + (exact / 16) + 1);
        }
    }

    [Fact]
    public void EmptyHistogramReportsZeroAndBadQuantileIsRejected()
    {
        var h = new LatencyHistogram("test");
        Assert.Equal(0, h.Quantile(0.99));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Quantile(1.5));
        Assert.Throws<ArgumentException>(() => new LatencyHistogram(""));
    }

    [Fact]
    public void SmallAndNegativeValuesLandExactly()
    {
        var h = new LatencyHistogram("test");
        h.RecordNanoseconds(-5);
        h.RecordNanoseconds(3);
        Assert.Equal(0, h.Quantile(0.5));
        Assert.Equal(3, h.Quantile(1.0));
    }
}
