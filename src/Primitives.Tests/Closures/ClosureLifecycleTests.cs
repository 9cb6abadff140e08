using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>Counting, continuing and finishing: the state machine on one thread.</summary>
public sealed class ClosureLifecycleTests : ClosureTestBase
{
    [Fact]
    public void NewClosureIsRunningWithOneReference()
    {
        var cl = new Closure();
        Assert.Equal(1, cl.Remaining);
        Assert.False(cl.IsFinished);
        Assert.Contains("RUNNING", cl.ToString());
        cl.Return();
        Assert.True(cl.IsFinished);
        Assert.Equal(0, cl.Remaining);
    }

    [Fact]
    public void GetAndPutCountReferences()
    {
        var cl = new Closure();
        cl.Get();
        cl.Get();
        Assert.Equal(3, cl.Remaining);
        cl.Put();
        Assert.Equal(2, cl.Remaining);
        cl.Sub(1);
        Assert.Equal(1, cl.Remaining);
        cl.Return();
    }

    [Fact]
    public void GetWithACountTakesABatchOfReferences()
    {
        var cl = new Closure();
        cl.Get(10);
        Assert.Equal(11, cl.Remaining);
        Assert.Throws<ArgumentOutOfRangeException>(() => cl.Get(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => cl.Get(1 << 20));
        var e = Assert.Throws<ClosureStateException>(() => cl.Get((1 << 20) - 11));
        Assert.Contains("overflow", e.Message, StringComparison.Ordinal);
        Assert.Equal(11, cl.Remaining);
        cl.Sub(10);
        cl.Return();
        Assert.Throws<ClosureStateException>(() => cl.Get(3));
        Assert.Equal(0, cl.Remaining);
    }

    [Fact]
    public void SubDropsSeveralReferencesAtOnce()
    {
        var cl = new Closure();
        for (int i = 0; i < 5; i++) cl.Get();
        int runs = 0;
        cl.ContinueAt(c => { runs++; c.Return(); });
        cl.Sub(4);
        Assert.Equal(0, runs);
        cl.Sub(1);
        Assert.Equal(1, runs);
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void ContinuationRunsWhenLastReferenceIsDropped()
    {
        var cl = new Closure();
        cl.Get();
        int runs = 0;
        cl.ContinueAt(c =>
        {
            runs++;
            Assert.Equal(1, c.Remaining); // re-armed: the continuation owns the step
            c.Return();
        });
        Assert.Equal(0, runs);
        cl.Put();
        Assert.Equal(1, runs);
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void ContinuationRunsAtOnceWhenNothingIsOutstanding()
    {
        var cl = new Closure();
        bool ran = false;
        cl.ContinueAt(c => { ran = true; c.Return(); });
        Assert.True(ran);
    }

    [Fact]
    public void StepsChainThroughSeveralContinuations()
    {
        var steps = new List<string>();
        var cl = new Closure();
        cl.Get();
        cl.ContinueAt(Step2);
        steps.Add("1 done");
        cl.Put();
        Assert.Equal(["1 done", "2", "3"], steps);
        Assert.True(cl.IsFinished);

        void Step2(Closure c) { steps.Add("2"); c.ContinueAt(Step3); }
        void Step3(Closure c) { steps.Add("3"); c.Return(); }
    }

    [Fact]
    public void ChildHoldsAReferenceOnItsParent()
    {
        var parent = new Closure();
        var child = new Closure(parent);
        Assert.Same(parent, child.Parent);
        Assert.Equal(2, parent.Remaining);
        bool parentContinued = false;
        parent.ContinueAt(p => { parentContinued = true; p.Return(); });
        Assert.False(parentContinued);
        child.Return();
        Assert.True(parentContinued);
        Assert.True(parent.IsFinished);
    }

    [Fact]
    public void ParentContinuesOnlyAfterEveryChildAndGrandchild()
    {
        var order = new List<string>();
        var root = new Closure();
        var a = new Closure(root);
        var b = new Closure(root);
        var a1 = new Closure(a);
        root.ContinueAt(r => { order.Add("root"); r.Return(); });
        a.ContinueAt(c => { order.Add("a"); c.Return(); });
        b.Return();
        order.Add("b");
        Assert.Equal(["b"], order);
        a1.Return();
        Assert.Equal(["b", "a", "root"], order);
    }

    [Fact]
    public void CallRunsTheFirstStepAtOnceAndHoldsTheParent()
    {
        var parent = new Closure();
        Closure? seen = null;
        var child = Closure.Call(c => { seen = c; c.Return(); }, executor: null, parent: parent);
        Assert.Same(child, seen);
        Assert.True(child.IsFinished);
        Assert.Equal(1, parent.Remaining);
        parent.Return();
    }

    [Fact]
    public void CallOnAnExecutorRunsThereAndTheParentWaits()
    {
        var parent = new Closure();
        var ran = new ManualResetEventSlim();
        int thread = Environment.CurrentManagedThreadId, ranOn = 0;
        Closure.Call(c => { ranOn = Environment.CurrentManagedThreadId; c.Return(); }, ClosureExecutors.ThreadPool, parent);
        parent.ContinueAt(p => { ran.Set(); p.Return(); });
        Assert.True(ran.Wait(Long));
        Assert.NotEqual(thread, ranOn);
    }

    [Fact]
    public void DestructorRunsOnceBeforeTheParentIsReleased()
    {
        var order = new List<string>();
        var parent = new Closure();
        var cl = new Closure(parent);
        cl.Get();
        parent.ContinueAt(p => { order.Add("parent"); p.Return(); });
        cl.ReturnWithDestructor(c => order.Add("destructor"));
        Assert.Empty(order);
        cl.Put();
        Assert.Equal(["destructor", "parent"], order);
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void TryGetNotZeroFailsOnceFinished()
    {
        var cl = new Closure();
        Assert.True(cl.TryGetNotZero());
        Assert.Equal(2, cl.Remaining);
        cl.Put();
        cl.Return();
        Assert.False(cl.TryGetNotZero());
        Assert.Equal(0, cl.Remaining);
    }

    [Fact]
    public void TrackHoldsAReferenceUntilTheTaskCompletes()
    {
        var cl = new Closure();
        var work = new TaskCompletionSource();
        var failing = new TaskCompletionSource();
        cl.Track(work.Task);
        cl.Track(failing.Task);
        cl.Track(Task.CompletedTask); // already done: no reference
        Assert.Equal(3, cl.Remaining);
        failing.SetException(new IOException("disk gone")); // a fault also drops the reference
        work.SetResult();
        Assert.True(cl.Sync(Long));
        Assert.Equal(1, cl.Remaining);
        cl.Return();
    }

    [Fact]
    public void ExceptionFromAnInlineContinuationReachesThePutter()
    {
        var cl = new Closure();
        cl.Get();
        cl.ContinueAt(c => { c.Return(); throw new InvalidDataException("step failed"); });
        Assert.Throws<InvalidDataException>(cl.Put);
        Assert.True(cl.IsFinished);
    }
}
