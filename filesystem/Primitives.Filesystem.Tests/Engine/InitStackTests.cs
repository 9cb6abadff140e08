using Primitives.Filesystem.Engine;

namespace Primitives.Filesystem.Tests.Engine;

public class InitStackTests
{
    [Fact]
    public async Task UnwindRunsUndoActionsInReverseAndKeepsGoingPastAFailingOne()
    {
        var stack = new InitStack();
        var order = new List<string>();
        stack.Push("open", () => order.Add("close"));
        stack.Push("start", () => throw new InvalidOperationException("boom"));
        stack.Push("worker", async () => { await Task.Yield(); order.Add("stop worker"); });
        Assert.Equal(["open", "start", "worker"], stack.Steps);

        var errors = await stack.UnwindAsync();

        Assert.Equal(["stop worker", "close"], order);
        var error = Assert.Single(errors);
        Assert.Contains("start", error.Message);
        Assert.Empty(stack.Steps);
        Assert.Empty(await stack.UnwindAsync());
    }

    [Fact]
    public async Task CommitForgetsEveryUndoAction()
    {
        var stack = new InitStack();
        bool undone = false;
        stack.Push("step", () => undone = true);
        stack.Commit();
        Assert.Empty(await stack.UnwindAsync());
        Assert.False(undone);
    }
}
