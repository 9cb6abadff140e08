using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// The per-processor event buffers on their own: a held slot refuses appends without recording,
/// a full buffer and a drain hand out exactly the recorded events once, and the time statistics
/// fall back to the direct path when their slot is held by someone else.
/// </summary>
public class PerCpuEventBuffersTests
{
    [Fact]
    public void HeldSlotRefusesAppendsAndRecordsNothing()
    {
        var buffers = new PerCpuEventBuffers();
        HoldAll(buffers);
        try
        {
            Assert.Equal(PerCpuEventBuffers.AppendResult.Busy, buffers.TryAppend(1, 2, out _));
            for (int slot = 0; slot < buffers.SlotCount; slot++)
            {
                Assert.Equal(0, buffers.PendingCount(slot));
            }
        }
        finally
        {
            ReleaseAll(buffers);
        }
    }

    [Fact]
    public void FullBufferAndDrainsHandOutEveryEventExactlyOnce()
    {
        var buffers = new PerCpuEventBuffers();
        var appended = new List<TimedEvent>();
        var taken = new List<TimedEvent>();
        Span<TimedEvent> destination = stackalloc TimedEvent[PerCpuEventBuffers.Capacity];

        // The thread may move between slots, so append until some slot fills.
        for (long i = 0; ; i++)
        {
            var e = new TimedEvent(i, i + 1); // unique start
            var result = buffers.TryAppend(e.Start, e.End, out int slot);
            Assert.NotEqual(PerCpuEventBuffers.AppendResult.Busy, result);
            appended.Add(e);
            if (result == PerCpuEventBuffers.AppendResult.Full)
            {
                buffers.TakeFullAndRelease(slot, destination);
                taken.AddRange(destination.ToArray());
                Assert.Equal(0, buffers.PendingCount(slot));
                break;
            }
        }

        for (int i = 0; i < 5; i++)
        {
            long start = 1_000_000 + i;
            Assert.NotEqual(PerCpuEventBuffers.AppendResult.Busy, buffers.TryAppend(start, start, out _));
            appended.Add(new TimedEvent(start, start));
        }

        for (int round = 0; round < 3; round++) // later rounds find nothing: no stale entry comes back
        {
            for (int slot = 0; slot < buffers.SlotCount; slot++)
            {
                int count = buffers.Drain(slot, destination);
                taken.AddRange(destination[..count].ToArray());
            }
        }

        Assert.Equal(appended.OrderBy(e => e.Start), taken.OrderBy(e => e.Start));
    }

    [Fact]
    public void RecorderFindingItsSlotHeldRecordsOnTheDirectPath()
    {
        var stats = new TimeStats("shared-slot", BufferingPolicy.Always);
        var buffers = stats.Buffers!;
        HoldAll(buffers); // stands for other threads on every slot
        try
        {
            for (int i = 1; i <= 10; i++)
            {
                stats.Record(0, i);
            }

            for (int slot = 0; slot < buffers.SlotCount; slot++)
            {
                Assert.Equal(0, buffers.PendingCount(slot)); // none buffered: all went direct
            }
        }
        finally
        {
            ReleaseAll(buffers);
        }

        var snapshot = stats.GetSnapshot();
        Assert.Equal(10, snapshot.Count);
        Assert.Equal(TimeStats.TicksToNanoseconds(55), snapshot.TotalDuration);
    }

    private static void HoldAll(PerCpuEventBuffers buffers)
    {
        for (int slot = 0; slot < buffers.SlotCount; slot++)
        {
            Assert.True(buffers.TryAcquire(slot));
        }
    }

    private static void ReleaseAll(PerCpuEventBuffers buffers)
    {
        for (int slot = 0; slot < buffers.SlotCount; slot++)
        {
            buffers.Release(slot);
        }
    }
}
