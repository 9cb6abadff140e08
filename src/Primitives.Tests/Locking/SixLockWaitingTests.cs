using System.Diagnostics;

using Primitives.Locking;

namespace Primitives.Tests.Locking;

public class SixLockWaitingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static TheoryData<SixLockOptions> Modes => new() { SixLockOptions.None, SixLockOptions.PerCpuReaders };

    private static void WaitUntil(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < Patience, "condition not reached in time");
            Thread.Sleep(1);
        }
    }

    private static Thread Start(Action body)
    {
        var t = new Thread(() => body()) { IsBackground = true };
        t.Start();
        return t;
    }

    private static void JoinAll(params Thread[] threads)
    {
        foreach (var t in threads)
        {
            Assert.True(t.Join(Patience), "a thread did not finish: lost wakeup?");
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void WriteUnlockHandsOverToAllQueuedReaders(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Intent);
        lk.Lock(SixLockType.Write);
        int inside = 0;
        using var release = new SemaphoreSlim(0);
        var readers = Enumerable.Range(0, 4).Select(_ => Start(() =>
        {
            lk.Lock(SixLockType.Read);
            Interlocked.Increment(ref inside);
            release.Wait();
            lk.Unlock(SixLockType.Read);
        })).ToArray();
        WaitUntil(() => lk.GetWaiters().Length == 4);
        Assert.All(lk.GetWaiters(), w => Assert.Equal(SixLockType.Read, w.Type));
        lk.Unlock(SixLockType.Write);
        WaitUntil(() => Volatile.Read(ref inside) == 4);
        Assert.Equal(4, lk.Counts().Readers);
        release.Release(4);
        JoinAll(readers);
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void WaitingWriterBlocksNewReadersAndGetsTheLockWhenReadersDrain(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Read);
        bool wrote = false;
        var writer = Start(() =>
        {
            lk.Lock(SixLockType.Intent);
            lk.Lock(SixLockType.Write);
            wrote = true;
            lk.Unlock(SixLockType.Write);
            lk.Unlock(SixLockType.Intent);
        });
        WaitUntil(() => lk.GetWaiters().Any(w => w.Type == SixLockType.Write));
        bool newReader = true;
        var probe = Start(() => newReader = lk.TryLock(SixLockType.Read));
        JoinAll(probe);
        Assert.False(newReader); // writer preference
        lk.Unlock(SixLockType.Read);
        JoinAll(writer);
        Assert.True(wrote);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void IntentUnlockHandsOverToTheFirstIntentWaiterInOrder()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        var order = new List<int>();
        var threads = new Thread[3];
        for (int i = 0; i < threads.Length; i++)
        {
            int id = i;
            threads[i] = Start(() =>
            {
                lk.Lock(SixLockType.Intent);
                lock (order)
                {
                    order.Add(id);
                }

                lk.Unlock(SixLockType.Intent);
            });
            WaitUntil(() => lk.GetWaiters().Length == id + 1);
        }

        var waiters = lk.GetWaiters();
        for (int i = 1; i < waiters.Length; i++)
        {
            Assert.True(waiters[i].StartTimestamp > waiters[i - 1].StartTimestamp);
        }

        lk.Unlock(SixLockType.Intent);
        JoinAll(threads);
        Assert.Equal([0, 1, 2], order);
    }

    [Fact]
    public void TimeoutReturnsFalseAndLeavesNoWaiter()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        bool got = true;
        var t = Start(() => got = lk.TryLock(SixLockType.Intent, TimeSpan.FromMilliseconds(50)));
        JoinAll(t);
        Assert.False(got);
        Assert.Empty(lk.GetWaiters());
        lk.Unlock(SixLockType.Intent);
        Assert.True(lk.TryLock(SixLockType.Intent, TimeSpan.Zero));
        lk.Unlock(SixLockType.Intent);
    }

    [Fact]
    public void CancellationThrowsAndLeavesNoWaiter()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        using var cts = new CancellationTokenSource();
        Exception? seen = null;
        var t = Start(() => seen = Record.Exception(() => lk.Lock(SixLockType.Intent, cts.Token)));
        WaitUntil(() => lk.GetWaiters().Length == 1);
        cts.Cancel();
        JoinAll(t);
        Assert.IsAssignableFrom<OperationCanceledException>(seen);
        Assert.Empty(lk.GetWaiters());
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void AbortedWriteClearsTheWriteBitAndLetsBlockedReadersIn(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Read);
        bool wrote = true;
        bool secondReader = false;
        Thread? reader2 = null;
        var writer = Start(() =>
        {
            lk.Lock(SixLockType.Intent);
            wrote = lk.TryLock(SixLockType.Write, TimeSpan.FromMilliseconds(300));
            lk.Unlock(SixLockType.Intent);
        });
        WaitUntil(() => lk.GetWaiters().Any(w => w.Type == SixLockType.Write));
        reader2 = Start(() =>
        {
            lk.Lock(SixLockType.Read);
            secondReader = true;
            lk.Unlock(SixLockType.Read);
        });
        JoinAll(writer, reader2);
        Assert.False(wrote);
        Assert.True(secondReader);
        lk.Unlock(SixLockType.Read);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void ShouldSleepSeesItselfQueuedAndCanAbort()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        int calls = 0;
        SixLockWaiterInfo[] seen = [];
        bool got = true;
        var t = Start(() => got = lk.Lock(SixLockType.Intent, (l, me, s) =>
        {
            calls++;
            seen = l.GetWaiters();
            Assert.Equal(SixLockType.Intent, me.Type);
            Assert.Equal("state", s);
            return false;
        }, "state"));
        JoinAll(t);
        Assert.False(got);
        Assert.Equal(1, calls);
        Assert.Single(seen);
        Assert.Empty(lk.GetWaiters());
        lk.Unlock(SixLockType.Intent);
    }

    [Fact]
    public void ShouldSleepExceptionAbortsAndPropagates()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        Exception? seen = null;
        var t = Start(() => seen = Record.Exception(() => lk.Lock(SixLockType.Intent, (_, _, _) => throw new InvalidTimeZoneException())));
        JoinAll(t);
        Assert.IsType<InvalidTimeZoneException>(seen);
        Assert.Empty(lk.GetWaiters());
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void AbortAfterAConcurrentHandoffReleasesTheLock()
    {
        // Bug 4 of six-locks.md: the hook aborts after the unlocker already handed the lock over.
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        using var unlockNow = new SemaphoreSlim(0);
        bool got = true;
        bool handedOverBeforeAbort = false;
        var waiter = Start(() => got = lk.Lock(SixLockType.Intent, (l, _, _) =>
        {
            unlockNow.Release();
            var sw = Stopwatch.StartNew();
            while (!l.IsIntentHeldByCurrentThread && sw.Elapsed < Patience)
            {
                Thread.Yield();
            }

            handedOverBeforeAbort = l.IsIntentHeldByCurrentThread;
            return false;
        }));
        Assert.True(unlockNow.Wait(Patience));
        lk.Unlock(SixLockType.Intent);
        JoinAll(waiter);
        Assert.True(handedOverBeforeAbort);
        Assert.False(got);
        Assert.False(lk.IsHeld);
        Assert.True(lk.TryLock(SixLockType.Intent));
        lk.Unlock(SixLockType.Intent);
    }

    [Fact]
    public void WakeupAllIsHarmless()
    {
        var lk = new SixLock();
        lk.WakeupAll();
        lk.Lock(SixLockType.Intent);
        lk.WakeupAll();
        Assert.True(lk.IsIntentLocked);
        lk.Unlock(SixLockType.Intent);
    }
}
