using Primitives.Locking;

namespace Primitives.Tests.Locking;

/// <summary>
/// Asynchronous acquisition with a timeout: a timeout returns a default handle and leaves nothing
/// behind (no waiter, no hold), a release before the timeout hands the lock over, and the caller's
/// own cancellation still throws.
/// </summary>
public class SixLockAsyncTimeoutTests
{
    [Fact]
    public async Task FreeLockIsTakenSynchronously()
    {
        var lk = new SixLock();
        ValueTask<SixLockHandle> pending = lk.TryLockAsync(SixLockType.Intent, TimeSpan.FromSeconds(5));
        Assert.True(pending.IsCompletedSuccessfully);
        using SixLockHandle intent = await pending;
        Assert.True(intent.IsAcquired);
        Assert.True(lk.IsIntentLocked);
    }

    [Fact]
    public async Task TimeoutReturnsDefaultAndLeavesNoWaiter()
    {
        var lk = new SixLock();
        SixLockHandle heldIntent = await lk.IntentAsync();
        SixLockHandle heldWrite = await lk.WriteAsync(heldIntent); // token-owned: any thread may release

        SixLockHandle read = await lk.TryLockAsync(SixLockType.Read, TimeSpan.FromMilliseconds(50));

        Assert.False(read.IsAcquired);
        Assert.Null(read.Lock);
        read.Dispose(); // a default handle releases nothing
        Assert.Empty(lk.GetWaiters());
        Assert.Equal(new SixLockCounts(0, 1, 1), lk.Counts());
        heldWrite.Dispose();
        heldIntent.Dispose();
        Assert.True(lk.TryLock(SixLockType.Intent)); // nothing leaked
        Assert.True(lk.TryLock(SixLockType.Read));
    }

    [Fact]
    public async Task ReleaseBeforeTheTimeoutHandsTheLockOver()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        ValueTask<SixLockHandle> pending = lk.TryLockAsync(SixLockType.Intent, TimeSpan.FromMinutes(5));
        Assert.False(pending.IsCompleted);
        lk.Unlock(SixLockType.Intent);

        using SixLockHandle intent = await pending;
        Assert.True(intent.IsAcquired);
        Assert.Equal(SixLockType.Intent, intent.Type);
        using SixLockHandle write = await lk.WriteAsync(intent); // the token-owned intent works for write
        Assert.True(lk.IsWriteLocked);
    }

    [Fact]
    public async Task ZeroTimeoutNeverWaits()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        ValueTask<SixLockHandle> pending = lk.TryLockAsync(SixLockType.Intent, TimeSpan.Zero);
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.False((await pending).IsAcquired);
        Assert.Empty(lk.GetWaiters());
        using SixLockHandle read = await lk.TryLockAsync(SixLockType.Read, TimeSpan.Zero); // intent admits readers
        Assert.True(read.IsAcquired);
    }

    [Fact]
    public async Task CallersCancellationThrowsRatherThanTimingOut()
    {
        var lk = new SixLock();
        SixLockHandle held = await lk.IntentAsync();
        using var cts = new CancellationTokenSource();
        ValueTask<SixLockHandle> pending = lk.TryLockAsync(SixLockType.Intent, TimeSpan.FromMinutes(5), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        Assert.Empty(lk.GetWaiters());
        held.Dispose();
        Assert.True(lk.TryLock(SixLockType.Intent));
    }

    [Fact]
    public async Task TryWriteAsyncTimesOutWhileReadersHoldAndKeepsIntent()
    {
        var lk = new SixLock();
        using SixLockHandle intent = await lk.IntentAsync();
        lk.Lock(SixLockType.Read); // a reader that does not leave

        SixLockHandle write = await lk.TryWriteAsync(intent, TimeSpan.FromMilliseconds(50));

        Assert.False(write.IsAcquired);
        Assert.True(lk.IsIntentLocked);
        Assert.False(lk.IsWriteLocked);
        lk.Unlock(SixLockType.Read);
        using SixLockHandle second = await lk.TryWriteAsync(intent, TimeSpan.FromSeconds(5));
        Assert.True(second.IsAcquired);
    }

    [Fact]
    public async Task InfiniteTimeoutWaitsLikeLockAsync()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        ValueTask<SixLockHandle> pending = lk.TryLockAsync(SixLockType.Intent, Timeout.InfiniteTimeSpan);
        Assert.False(pending.IsCompleted);
        lk.Unlock(SixLockType.Intent);
        using SixLockHandle intent = await pending;
        Assert.True(intent.IsAcquired);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var lk = new SixLock();
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.TryLockAsync(SixLockType.Read, TimeSpan.FromMilliseconds(-2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.TryLockAsync(SixLockType.Read, TimeSpan.FromDays(30)));
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.TryLockAsync((SixLockType)7, TimeSpan.Zero));
        Assert.Throws<SixLockException>(() => lk.TryWriteAsync(default, TimeSpan.Zero));
        Assert.Equal(new SixLockCounts(0, 0, 0), lk.Counts());
    }
}
