using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>A blocking Sync parks on a per-thread record: after a thread's first park it allocates nothing.</summary>
public sealed class ClosureSyncAllocationTests : ClosureTestBase
{
    [Fact]
    public void BlockingSyncAllocatesNothingAfterTheThreadsFirstPark()
    {
        var cl = new Closure();
        using var go = new SemaphoreSlim(0);
        const int Rounds = 4;
        var putter = new Thread(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                go.Wait();
                Thread.Sleep(20);     // long past Sync's bounded spin: the syncer has parked
                cl.Put();
            }
        });
        putter.Start();

        long allocatedAfterWarmup = 0;
        for (int i = 0; i < Rounds; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            cl.Get();
            go.Release();
            cl.Sync();                // blocks until the putter's Put, then re-arms
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (i > 0)
            {
                allocatedAfterWarmup += allocated;
            }
        }

        putter.Join();
        Assert.Equal(1, cl.Remaining);
        Assert.Equal(0, allocatedAfterWarmup);
        cl.Return();
    }
}
