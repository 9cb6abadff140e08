using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>Wait lists: one list at a time, FIFO wake-up, WaitUntil without lost wake-ups.</summary>
public sealed class ClosureWaitListTests : ClosureTestBase
{
    [Fact]
    public void WaitingHoldsAReferenceUntilWokenUp()
    {
        var list = new ClosureWaitList();
        var cl = new Closure();
        Assert.True(list.IsEmpty);
        Assert.True(cl.TryWaitOn(list));
        Assert.False(list.IsEmpty);
        Assert.Equal(2, cl.Remaining);
        Assert.Contains("WAITING", cl.ToString());
        bool continued = false;
        cl.ContinueAt(c => { continued = true; c.Return(); });
        Assert.False(continued);
        list.WakeUp();
        Assert.True(continued);
        Assert.True(list.IsEmpty);
    }

    [Fact]
    public void AClosureWaitsOnOneListAtATime()
    {
        var a = new ClosureWaitList();
        var b = new ClosureWaitList();
        var cl = new Closure();
        Assert.True(cl.TryWaitOn(a));
        Assert.False(cl.TryWaitOn(a));
        Assert.False(cl.TryWaitOn(b));
        Assert.True(b.IsEmpty);
        Assert.Equal(2, cl.Remaining);
        a.WakeUp();
        Assert.True(cl.TryWaitOn(b)); // free again once woken
        b.WakeUp();
        cl.Return();
    }

    [Fact]
    public void WakeUpIsFirstComeFirstWoken()
    {
        var list = new ClosureWaitList();
        var order = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            int id = i;
            var cl = new Closure();
            cl.TryWaitOn(list);
            cl.ContinueAt(c => { order.Add(id); c.Return(); });
        }
        list.WakeUp();
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public void AThrowingContinuationDoesNotStopTheOtherWakeUps()
    {
        var list = new ClosureWaitList();
        var woken = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            int id = i;
            var cl = new Closure();
            cl.TryWaitOn(list);
            cl.ContinueAt(c =>
            {
                woken.Add(id);
                c.Return();
                if (id == 0) throw new InvalidDataException("first waiter failed");
            });
        }
        var e = Assert.Throws<InvalidDataException>(list.WakeUp);
        Assert.Equal("first waiter failed", e.Message);
        Assert.Equal([0, 1, 2], woken);
        Assert.True(list.IsEmpty);
    }

    [Fact]
    public void WakeUpOnAnEmptyListDoesNothing()
    {
        var list = new ClosureWaitList();
        list.WakeUp();
        Assert.True(list.IsEmpty);
    }

    [Fact]
    public void SyncAfterWaitBlocksUntilWakeUp()
    {
        var list = new ClosureWaitList();
        var cl = new Closure();
        cl.TryWaitOn(list);
        var waker = new Thread(() => { Thread.Sleep(10); list.WakeUp(); });
        waker.Start();
        cl.Sync();
        waker.Join();
        Assert.Equal(1, cl.Remaining);
        cl.Return();
    }

    [Fact]
    public void AClosureMayReWaitFromItsOwnContinuation()
    {
        var list = new ClosureWaitList();
        int wakes = 0;
        var cl = new Closure();
        cl.TryWaitOn(list);
        cl.ContinueAt(Again);
        list.WakeUp();
        list.WakeUp();
        list.WakeUp();
        Assert.Equal(3, wakes);
        Assert.True(cl.IsFinished);

        void Again(Closure c)
        {
            if (++wakes == 3) { c.Return(); return; }
            c.TryWaitOn(list);
            c.ContinueAt(Again);
        }
    }

    [Fact]
    public void WaitUntilReturnsAtOnceWhenTheConditionHolds()
    {
        var list = new ClosureWaitList();
        list.WaitUntil(() => true);
        Assert.True(list.IsEmpty);
    }

    [Fact]
    public void WaitUntilWakesWhenTheConditionBecomesTrue()
    {
        var list = new ClosureWaitList();
        int ready = 0;
        var waiter = new Thread(() => list.WaitUntil(() => Volatile.Read(ref ready) == 1));
        waiter.Start();
        Thread.Sleep(10);
        Volatile.Write(ref ready, 1);
        list.WakeUp();
        Assert.True(waiter.Join(Long));
        Assert.True(list.IsEmpty);
    }

    [Fact]
    public void WaitUntilLosesNoWakeUpUnderStress()
    {
        // Many waiters, each for its own ticket; the producer advances the counter and wakes once
        // per step. A lost wake-up hangs a waiter and the join times out.
        var list = new ClosureWaitList();
        int counter = 0;
        const int Waiters = 4, Steps = 2000;
        OnThreads(Waiters + 1, i =>
        {
            if (i == Waiters)
            {
                for (int s = 1; s <= Steps; s++)
                {
                    Volatile.Write(ref counter, s);
                    list.WakeUp();
                }
                return;
            }
            for (int target = 1 + i; target <= Steps; target += Waiters)
                list.WaitUntil(() => Volatile.Read(ref counter) >= target);
        });
        Assert.True(list.IsEmpty);
    }

    [Fact]
    public async Task WaitUntilAsyncWakesWhenTheConditionBecomesTrue()
    {
        var list = new ClosureWaitList();
        bool ready = false;
        var wait = list.WaitUntilAsync(() => Volatile.Read(ref ready));
        Assert.False(wait.IsCompleted);
        Volatile.Write(ref ready, true);
        list.WakeUp();
        await wait.WaitAsync(Long);
        Assert.True(list.IsEmpty);
        await list.WaitUntilAsync(() => true);
    }
}
