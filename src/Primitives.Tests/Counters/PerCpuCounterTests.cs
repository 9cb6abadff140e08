using Primitives.Counters;
using Primitives.Internal;

namespace Primitives.Tests.Counters;

/// <summary>Single-threaded behaviour of <see cref="PerCpuCounter"/>: every member and its argument checks.</summary>
public sealed class PerCpuCounterTests
{
    [Fact]
    public void NewCounterIsZero()
    {
        var counter = new PerCpuCounter();

        Assert.Equal(0, counter.Sum());
        Assert.Equal(0, counter.ApproximateValue);
        Assert.Equal(PerCpuCounter.DefaultBatch, counter.Batch);
        Assert.Equal(0, counter.Compare(0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void BatchBelowOneIsRejected(int batch)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PerCpuCounter(batch));
        Assert.Equal("batch", error.ParamName);
    }

    [Fact]
    public void ErrorBoundIsBatchMinusOnePerSlot()
    {
        Assert.Equal(9L * PerCpu.SlotCount, new PerCpuCounter(10).ErrorBound);
        Assert.Equal(0, new PerCpuCounter(1).ErrorBound);
        Assert.Equal((long)(int.MaxValue - 1) * PerCpu.SlotCount, new PerCpuCounter(int.MaxValue).ErrorBound);
    }

    [Fact]
    public void IncrementDecrementAndAddAreSummedExactly()
    {
        var counter = new PerCpuCounter(8);
        for (int i = 0; i < 1000; i++)
        {
            counter.Increment();
        }

        for (int i = 0; i < 300; i++)
        {
            counter.Decrement();
        }

        counter.Add(-5000);
        counter.Add(7);

        Assert.Equal(1000 - 300 - 5000 + 7, counter.Sum());
    }

    [Fact]
    public void DeltaOfAtLeastTheBatchGoesStraightToTheApproximateValue()
    {
        var counter = new PerCpuCounter(100);

        counter.Add(100);
        counter.Add(-250);

        Assert.Equal(-150, counter.ApproximateValue);
        Assert.Equal(-150, counter.Sum());
    }

    [Fact]
    public void SmallDeltasStayOutOfTheApproximateValueUntilTheirCellReachesTheBatch()
    {
        var counter = new PerCpuCounter(1_000_000);

        counter.Add(999_999);

        // Wherever the thread ran, no cell reached the batch, so nothing was folded.
        Assert.Equal(0, counter.ApproximateValue);
        Assert.Equal(999_999, counter.Sum());
    }

    [Fact]
    public void ApproximateValueStaysWithinTheErrorBound()
    {
        var counter = new PerCpuCounter(16);
        var random = new Random(12345);
        long expected = 0;
        for (int i = 0; i < 10_000; i++)
        {
            long delta = random.Next(-20, 21);
            counter.Add(delta);
            expected += delta;
            Assert.InRange(counter.ApproximateValue, expected - counter.ErrorBound, expected + counter.ErrorBound);
        }

        Assert.Equal(expected, counter.Sum());
    }

    [Fact]
    public void BatchOfOneMakesTheApproximateValueExact()
    {
        var counter = new PerCpuCounter(1);
        counter.Increment();
        counter.Increment();
        counter.Decrement();
        counter.Add(41);

        Assert.Equal(42, counter.ApproximateValue);
        Assert.Equal(42, counter.Sum());
    }

    [Fact]
    public void CompareGivesTheSignOfTheDifferenceNearAndFarFromTheValue()
    {
        var counter = new PerCpuCounter(1_000);
        counter.Add(500); // stays in a cell: the approximate value is 0

        // Within the error bound: decided by Sum.
        Assert.Equal(1, counter.Compare(499));
        Assert.Equal(0, counter.Compare(500));
        Assert.Equal(-1, counter.Compare(501));

        // Far outside the bound: decided by the approximate value alone.
        Assert.Equal(1, counter.Compare(long.MinValue));
        Assert.Equal(-1, counter.Compare(long.MaxValue));
        Assert.Equal(1, counter.Compare(-counter.ErrorBound - 1));
        Assert.Equal(-1, counter.Compare(counter.ErrorBound + 1));
    }

    [Fact]
    public void ResetZeroesBothTheCellsAndTheGlobalCount()
    {
        var counter = new PerCpuCounter(10);
        counter.Add(5);      // a cell
        counter.Add(1_000);  // the global count

        counter.Reset();

        Assert.Equal(0, counter.Sum());
        Assert.Equal(0, counter.ApproximateValue);
        counter.Increment();
        Assert.Equal(1, counter.Sum());
    }

    [Fact]
    public void TheCounterWrapsOnOverflowLikeInterlocked()
    {
        var counter = new PerCpuCounter();
        counter.Add(long.MaxValue);
        counter.Increment();
        Assert.Equal(long.MinValue, counter.Sum());

        counter.Add(long.MinValue);
        Assert.Equal(0, counter.Sum());
    }

    [Fact]
    public void ExtremeDeltasNearTheCellLimitDoNotThrow()
    {
        var counter = new PerCpuCounter(int.MaxValue);
        counter.Add(int.MaxValue - 1); // stays in a cell
        counter.Add(long.MaxValue - int.MaxValue); // goes to the global count

        Assert.Equal(long.MaxValue - 1, counter.Sum());
    }
}
