using Primitives.Locking;

namespace Primitives.Tests.Locking;

public class SixLockAllocationTests
{
    [Theory]
    [InlineData(SixLockOptions.None)]
    [InlineData(SixLockOptions.PerCpuReaders)]
    public void UncontendedSyncPathsAllocateNothing(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        Cycle(lk); // warm up (tiering, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Cycle(lk);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void Cycle(SixLock lk)
        {
            using (lk.Read())
            {
            }

            lk.Lock(SixLockType.Intent);
            lk.Lock(SixLockType.Write);
            lk.Unlock(SixLockType.Write);
            lk.Unlock(SixLockType.Intent);
            Assert.True(lk.TryRelock(SixLockType.Read, lk.Seq));
            lk.Unlock(SixLockType.Read);
        }
    }

    [Fact]
    public void UncontendedAsyncPathsCompleteSynchronouslyWithoutAllocating()
    {
        var lk = new SixLock();
        Cycle(lk);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Cycle(lk);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void Cycle(SixLock lk)
        {
            var read = lk.ReadAsync();
            Assert.True(read.IsCompletedSuccessfully);
            read.Result.Dispose();
            var intent = lk.IntentAsync();
            Assert.True(intent.IsCompletedSuccessfully);
            var write = lk.WriteAsync(intent.Result);
            Assert.True(write.IsCompletedSuccessfully);
            write.Result.Dispose();
            intent.Result.Dispose();
        }
    }
}
