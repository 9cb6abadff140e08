using Primitives.Locking;

namespace Primitives.Tests.Locking;

public class SixLockAsyncTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task UncontendedAsyncAcquisitionCompletesSynchronously()
    {
        var lk = new SixLock();
        var read = lk.ReadAsync();
        Assert.True(read.IsCompletedSuccessfully);
        var intent = lk.IntentAsync();
        Assert.True(intent.IsCompletedSuccessfully);
        using (var i = await intent)
        {
            (await read).Dispose();
            using var w = await lk.WriteAsync(i);
            Assert.True(lk.IsWriteLocked);
        }

        Assert.False(lk.IsHeld);
    }

    [Fact]
    public async Task AsyncIntentIsOwnedByItsHandleNotByAThread()
    {
        var lk = new SixLock();
        var intent = await lk.IntentAsync();
        Assert.False(lk.IsIntentHeldByCurrentThread);
        Assert.Throws<SixLockException>(() => lk.Unlock(SixLockType.Intent));
        Assert.Throws<SixLockException>(() => lk.Lock(SixLockType.Write));
        await Task.Run(async () =>
        {
            using var w = await lk.WriteAsync(intent);
            Assert.True(lk.IsWriteLocked);
        });
        await Task.Run(intent.Dispose);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public async Task AsyncWaiterIsHandedTheLockBySyncUnlock()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        var pending = lk.IntentAsync().AsTask();
        Assert.False(pending.IsCompleted);
        Assert.Single(lk.GetWaiters(), w => w.IsAsync);
        lk.Unlock(SixLockType.Intent);
        var handle = await pending.WaitAsync(Patience);
        Assert.True(lk.IsIntentLocked);
        handle.Dispose();
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public async Task AsyncWriteWaitsForReadersToDrain()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Read);
        var intent = await lk.IntentAsync();
        var write = lk.WriteAsync(intent).AsTask();
        Assert.False(write.IsCompleted);
        Assert.False(lk.TryLock(SixLockType.Read));
        lk.Unlock(SixLockType.Read);
        (await write.WaitAsync(Patience)).Dispose();
        intent.Dispose();
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public async Task CanceledAsyncWaitThrowsAndLeavesNoWaiter()
    {
        var lk = new SixLock();
        var holder = await lk.IntentAsync();
        using var cts = new CancellationTokenSource();
        var pending = lk.IntentAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));
        Assert.Empty(lk.GetWaiters());
        holder.Dispose();
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public async Task SyncAndAsyncWaitersMixedKeepMutualExclusion()
    {
        var lk = new SixLock();
        int inside = 0;
        int violations = 0;
        var end = DateTime.UtcNow + TimeSpan.FromMilliseconds(600);
        var asyncWorkers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (DateTime.UtcNow < end)
            {
                using (await lk.IntentAsync())
                {
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        Interlocked.Increment(ref violations);
                    }

                    await Task.Yield();
                    Interlocked.Decrement(ref inside);
                }
            }
        }));
        var syncWorkers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            while (DateTime.UtcNow < end)
            {
                using (lk.Intent())
                {
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        Interlocked.Increment(ref violations);
                    }

                    Thread.SpinWait(50);
                    Interlocked.Decrement(ref inside);
                }
            }
        }, TaskCreationOptions.LongRunning));
        await Task.WhenAll(asyncWorkers.Concat(syncWorkers).ToArray()).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, violations);
        Assert.False(lk.IsHeld);
    }
}
