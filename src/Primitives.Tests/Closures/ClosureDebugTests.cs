using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>The debug registry: live closures with creation site, continuation, parent and state; the leak check.</summary>
public sealed class ClosureDebugTests : ClosureTestBase
{
    [Fact]
    public void RegistryIsOnInTheTestProcess() => Assert.True(ClosureDebug.IsEnabled);

    [Fact]
    public void LiveClosuresShowSiteContinuationParentAndState()
    {
        var parent = new Closure();
        var child = new Closure(parent); child.Get();
        child.ContinueAt(Finish, ClosureExecutors.Inline);

        var live = ClosureDebug.GetLiveClosures();
        Assert.Equal(2, live.Count);
        var (p, c) = (live[0], live[1]);
        Assert.True(p.Id < c.Id);
        Assert.Equal(nameof(LiveClosuresShowSiteContinuationParentAndState), c.CreatedInMember);
        Assert.EndsWith("ClosureDebugTests.cs", c.CreatedInFile, StringComparison.Ordinal);
        Assert.True(c.CreatedAtLine > 0);
        Assert.Equal(p.Id, c.ParentId);
        Assert.Null(p.ParentId);
        Assert.Equal($"{nameof(ClosureDebugTests)}.{nameof(Finish)}", c.Continuation);
        Assert.Equal("Inline", c.Executor);
        Assert.Equal(1, c.Remaining);
        Assert.DoesNotContain("RUNNING", c.State);
        Assert.Equal(2, p.Remaining);
        Assert.Contains("RUNNING", p.State);
        Assert.False(c.IsWaiting);

        var dump = ClosureDebug.Dump();
        Assert.Contains("2 live closure(s)", dump);
        Assert.Contains($"continuation={nameof(ClosureDebugTests)}.{nameof(Finish)}@Inline", dump);
        Assert.Contains($"parent=#{p.Id}", dump);

        var e = Assert.Throws<InvalidOperationException>(ClosureDebug.ThrowIfAnyAlive);
        Assert.Contains("Closures still alive", e.Message);

        child.Put();
        parent.Return();
        ClosureDebug.ThrowIfAnyAlive();
        Assert.Contains("0 live closure(s)", ClosureDebug.Dump());
    }

    [Fact]
    public void WaitingClosuresAreMarked()
    {
        var list = new ClosureWaitList();
        var cl = new Closure();
        cl.TryWaitOn(list);
        Assert.True(ClosureDebug.GetLiveClosures().Single().IsWaiting);
        list.WakeUp();
        Assert.False(ClosureDebug.GetLiveClosures().Single().IsWaiting);
        cl.Return();
    }

    [Fact]
    public void MisuseMessagesNameTheCreationSite()
    {
        var cl = new Closure();
        cl.Return();
        var e = Assert.Throws<ClosureStateException>(cl.Get);
        Assert.Contains(nameof(MisuseMessagesNameTheCreationSite), e.Message);
        Assert.Contains("ClosureDebugTests.cs", e.Message);
    }

    [Fact]
    public void FinishedClosuresLeaveTheRegistry()
    {
        var cl = new Closure();
        cl.ReturnWithDestructor(_ => Assert.Empty(ClosureDebug.GetLiveClosures())); // unregistered before the destructor runs
        Assert.Empty(ClosureDebug.GetLiveClosures());
    }

    private static void Finish(Closure c) => c.Return();
}
