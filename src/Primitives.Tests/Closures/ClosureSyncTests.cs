using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>Sync, Sync(timeout), SyncAsync, ReturnSync: waiting for zero while keeping the step.</summary>
public sealed class ClosureSyncTests : ClosureTestBase
{
    [Fact]
    public void SyncWithNothingTakenReturnsAtOnce()
    {
        var cl = new Closure();
        cl.Sync();
        Assert.Equal(1, cl.Remaining);
        Assert.True(cl.Sync(TimeSpan.Zero));
        Assert.True(cl.SyncAsync().IsCompleted);
        cl.Return();
    }

    [Fact]
    public void SyncAfterAGetPutPairStillReArms()
    {
        var cl = new Closure();
        cl.Get();
        cl.Put(); // count back to 1: the get-happened flag still sends Sync through the slow path
        cl.Sync();
        Assert.Equal(1, cl.Remaining);
        Assert.Contains("RUNNING", cl.ToString());
        cl.Return();
    }

    [Fact]
    public void SyncBlocksUntilEveryReferenceIsDropped()
    {
        var cl = new Closure();
        int done = 0;
        for (int i = 0; i < 4; i++)
        {
            cl.Get();
            int delay = 5 * i;
            new Thread(() => { Thread.Sleep(delay); Interlocked.Increment(ref done); cl.Put(); }).Start();
        }
        cl.Sync();
        Assert.Equal(4, Volatile.Read(ref done));
        Assert.Equal(1, cl.Remaining);
        // Re-armed: it can be used again.
        cl.Get();
        new Thread(() => { Thread.Sleep(5); cl.Put(); }).Start();
        cl.Sync();
        cl.Return();
    }

    [Fact]
    public void SyncTimeoutLeavesTheClosureAsItWas()
    {
        var cl = new Closure();
        cl.Get();
        Assert.False(cl.Sync(TimeSpan.FromMilliseconds(20)));
        Assert.Equal(2, cl.Remaining);
        Assert.Contains("RUNNING", cl.ToString());
        Assert.DoesNotContain("SLEEPING", cl.ToString());
        Assert.False(cl.Sync(TimeSpan.Zero));
        cl.Put();
        Assert.True(cl.Sync(TimeSpan.FromMilliseconds(20)));
        Assert.Equal(1, cl.Remaining);
        cl.Return();
    }

    [Fact]
    public void SyncTimeoutThenContinueAtStillWorks()
    {
        var cl = new Closure();
        cl.Get();
        Assert.False(cl.Sync(TimeSpan.FromMilliseconds(1)));
        bool ran = false;
        cl.ContinueAt(c => { ran = true; c.Return(); });
        cl.Put();
        Assert.True(ran);
    }

    [Fact]
    public void SyncTimeoutRejectsNegativeTimeouts()
    {
        var cl = new Closure();
        Assert.Throws<ArgumentOutOfRangeException>(() => cl.Sync(TimeSpan.FromMilliseconds(-2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => cl.Sync(TimeSpan.FromMilliseconds(int.MaxValue + 1L)));
        Assert.True(cl.Sync(Timeout.InfiniteTimeSpan));
        cl.Return();
    }

    [Fact]
    public void SyncTimeoutRacingCompletionReportsOneOutcomeConsistently()
    {
        for (int round = 0; round < 300; round++)
        {
            var cl = new Closure();
            cl.Get();
            var putter = new Thread(() => { Thread.SpinWait(round * 10); cl.Put(); });
            putter.Start();
            bool completed = cl.Sync(TimeSpan.FromTicks(round % 3 == 0 ? 0 : 10_000));
            putter.Join();
            if (!completed)
                cl.Sync(); // the put arrived after the undo: the reference was still ours to wait for
            Assert.Equal(1, cl.Remaining);
            cl.Return();
        }
    }

    [Fact]
    public async Task SyncAsyncCompletesWhenEverythingInFlightIsDone()
    {
        var cl = new Closure();
        var ios = Enumerable.Range(0, 8).Select(_ => new TaskCompletionSource()).ToArray();
        foreach (var io in ios)
            cl.Track(io.Task);
        var sync = cl.SyncAsync();
        Assert.False(sync.IsCompleted);
        foreach (var io in ios)
            io.SetResult();
        await sync.WaitAsync(Long);
        Assert.Equal(1, cl.Remaining);
        cl.Return();
    }

    [Fact]
    public async Task SyncAsyncContinuesOffThePuttersThread()
    {
        var cl = new Closure();
        cl.Get();
        var sync = cl.SyncAsync();
        int putter = 0;
        var t = new Thread(() => { putter = Environment.CurrentManagedThreadId; cl.Put(); });
        t.Start();
        await sync.WaitAsync(Long);
        t.Join();
        Assert.NotEqual(putter, Environment.CurrentManagedThreadId);
        cl.Return();
    }

    [Fact]
    public void ReturnSyncWaitsThenFinishesAndReleasesTheParent()
    {
        var parent = new Closure();
        var cl = new Closure(parent);
        cl.Get();
        new Thread(() => { Thread.Sleep(10); cl.Put(); }).Start();
        cl.ReturnSync();
        Assert.True(cl.IsFinished);
        Assert.Equal(1, parent.Remaining);
        parent.Return();
    }

    [Fact]
    public async Task ReturnSyncAsyncFinishesTheClosure()
    {
        var cl = new Closure();
        var io = new TaskCompletionSource();
        cl.Track(io.Task);
        var teardown = cl.ReturnSyncAsync();
        Assert.False(teardown.IsCompleted);
        io.SetResult();
        await teardown.WaitAsync(Long);
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void SyncOnAFinishedClosureIsANoOp()
    {
        // The kernel relies on this for zeroed closures (bug 5): nothing is in flight, nothing to undo.
        var cl = new Closure();
        cl.Return();
        cl.Sync();
        Assert.True(cl.Sync(TimeSpan.Zero));
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void SyncReusesItsWaitRecordAcrossManySyncs()
    {
        var cl = new Closure();
        for (int i = 0; i < 200; i++)
        {
            cl.Get();
            ThreadPool.UnsafeQueueUserWorkItem(static c => c.Put(), cl, preferLocal: false);
            cl.Sync();
            Assert.Equal(1, cl.Remaining);
        }
        cl.Return();
    }
}
