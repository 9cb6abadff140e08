using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>
/// Every misuse the guard bits catch is reported at the call that did it, with a clear message,
/// and the state word is left as it was (never wrapped), so the closure can still be finished.
/// </summary>
public sealed class ClosureMisuseTests : ClosureTestBase
{
    [Fact]
    public void PutBelowZeroIsReportedAndTheCountIsUnchanged()
    {
        var cl = new Closure();
        cl.ContinueAt(c => { }); // continues at once; the continuation keeps the step
        // Now remaining is 1 (the re-armed step). Drop two references: one too many.
        var e = Assert.Throws<ClosureStateException>(() => cl.Sub(2));
        Assert.Contains("below zero", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, cl.Remaining);
        cl.Return();
    }

    [Fact]
    public void PutWithNoReferenceOnAFinishedClosureIsReported()
    {
        var cl = new Closure();
        cl.Return();
        var e = Assert.Throws<ClosureStateException>(cl.Put);
        Assert.Contains("below zero", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, cl.Remaining);
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void PuttingTheStepsReferenceIsAMissingContinuation()
    {
        var cl = new Closure();
        var e = Assert.Throws<ClosureStateException>(cl.Put);
        Assert.Contains("still running", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(PuttingTheStepsReferenceIsAMissingContinuation), e.Message, StringComparison.Ordinal); // creation site
        // The state is left at zero with RUNNING: repair it the only way possible for the test.
        Assert.Equal(0, cl.Remaining);
        Assert.Contains("RUNNING", cl.ToString());
        ForceFinish(cl);
    }

    [Fact]
    public void SecondContinueAtIsReportedAndLeavesTheStateAlone()
    {
        var cl = new Closure();
        cl.Get();
        cl.ContinueAt(c => c.Return());
        var e = Assert.Throws<ClosureStateException>(() => cl.ContinueAt(c => c.Return()));
        Assert.Contains("not running", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, cl.Remaining);
        cl.Put(); // the first continuation still runs
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void ReturnAfterReturnIsReported()
    {
        var cl = new Closure();
        cl.Get();
        cl.Return();
        Assert.Throws<ClosureStateException>(cl.Return);
        Assert.Throws<ClosureStateException>(() => cl.ReturnWithDestructor(_ => { }));
        cl.Put();
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void GetOnAFinishedClosureIsReported()
    {
        var cl = new Closure();
        cl.Return();
        var e = Assert.Throws<ClosureStateException>(cl.Get);
        Assert.Contains("TryGetNotZero", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, cl.Remaining);
        Assert.Throws<ClosureStateException>(() => new Closure(cl)); // a child of a finished parent
    }

    [Fact]
    public void CountOverflowIsCaughtByTheGuardBit()
    {
        var cl = new Closure();
        const int Max = (1 << 20) - 1;
        for (int i = 1; i < Max; i++) cl.Get();
        Assert.Equal(Max, cl.Remaining);
        var e = Assert.Throws<ClosureStateException>(cl.Get);
        Assert.Contains("overflow", e.Message, StringComparison.Ordinal);
        Assert.Throws<ClosureStateException>(() => cl.TryGetNotZero());
        Assert.Equal(Max, cl.Remaining);
        cl.Sub(Max - 1);
        cl.Return();
    }

    [Fact]
    public void SubRejectsOutOfRangeCounts()
    {
        var cl = new Closure();
        Assert.Throws<ArgumentOutOfRangeException>(() => cl.Sub(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => cl.Sub(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => cl.Sub(1 << 20));
        cl.Return();
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        var cl = new Closure();
        Assert.Throws<ArgumentNullException>(() => cl.ContinueAt(null!));
        Assert.Throws<ArgumentNullException>(() => cl.ReturnWithDestructor(null!));
        Assert.Throws<ArgumentNullException>(() => cl.TryWaitOn(null!));
        Assert.Throws<ArgumentNullException>(() => cl.Track(null!));
        Assert.Throws<ArgumentNullException>(() => Closure.Call(null!));
        Assert.Equal(1, cl.Remaining);
        cl.Return();
    }

    [Fact]
    public void SyncByANonOwnerIsReported()
    {
        var cl = new Closure();
        cl.Get();
        cl.ContinueAt(c => c.Return());
        // The step was handed over; a Sync now is not the owner's. The get-happened flag sends it
        // to the slow path, whose subtraction of RUNNING borrows into the guard bits.
        var e = Assert.Throws<ClosureStateException>(cl.Sync);
        Assert.Contains("not running", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, cl.Remaining);
        cl.Put();
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void ExecutingAClosureWithNothingQueuedIsReported()
    {
        var cl = new Closure();
        Assert.Throws<ClosureStateException>(((IThreadPoolWorkItem)cl).Execute);
        cl.Get();
        bool ran = false;
        cl.ContinueAt(c => { ran = true; c.Return(); }, ClosureExecutors.Inline);
        var e = Assert.Throws<ClosureStateException>(((IThreadPoolWorkItem)cl).Execute); // still counting down
        Assert.Contains("not queued", e.Message, StringComparison.Ordinal);
        Assert.False(ran);
        cl.Put();
        Assert.True(ran);
    }

    [Fact]
    public void ExceptionCarriesTheRawStateWord()
    {
        var cl = new Closure();
        cl.Return();
        var e = Assert.Throws<ClosureStateException>(cl.Put);
        Assert.NotEqual(0, e.StateWord); // the wrapped value that was detected (and undone)
        Assert.Contains("GUARD", e.Message, StringComparison.Ordinal);
        Assert.Equal("A closure was misused.", new ClosureStateException().Message);
        Assert.Same(e, new ClosureStateException("outer", e).InnerException);
    }

    /// <summary>After a "missing continuation" the word is left at RUNNING with no references; finish it for the leak check.</summary>
    private static void ForceFinish(Closure cl)
    {
        var field = typeof(Closure).GetField("_state", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        field.SetValue(cl, (1 << 27) + 1);
        cl.Return();
    }
}
