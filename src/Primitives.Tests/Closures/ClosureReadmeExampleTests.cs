using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>The README's example, verbatim between the markers, so it keeps compiling and working.</summary>
public sealed class ClosureReadmeExampleTests : ClosureTestBase
{
    [Fact]
    public async Task ReadmeFanOutAndTeardownExampleWorks()
    {
        // README example begins
        const int IoCount = 100;
        int completed = 0;
        var allDone = new TaskCompletionSource();

        // Fan-out: one child closure per simulated I/O; the parent continues when all have returned.
        var request = new Closure();
        for (int i = 0; i < IoCount; i++)
        {
            var io = new Closure(request);                 // the child holds a reference on the parent
            _ = Task.Run(async () =>
            {
                await Task.Delay(1);                       // the simulated I/O
                Interlocked.Increment(ref completed);
                io.Return();                               // done: drops the child's reference on the parent
            });
        }
        request.ContinueAt(r =>                            // ends this step; runs when every child returned
        {
            allDone.SetResult();
            r.Return();
        }, ClosureExecutors.ThreadPool);
        await allDone.Task;
        Console.WriteLine($"{completed} I/Os completed");   // 100

        // Teardown: every in-flight operation holds a reference; shutdown waits synchronously for all.
        var device = new Closure();
        for (int i = 0; i < 10; i++)
        {
            device.Get();                                  // one reference per operation in flight
            ThreadPool.QueueUserWorkItem(_ =>
            {
                Thread.Sleep(1);                           // the operation
                device.Put();
            });
        }
        device.ReturnSync();                               // blocks until all 10 are done, then finishes
        // README example ends

        Assert.Equal(IoCount, Volatile.Read(ref completed));
        Assert.True(request.IsFinished);
        Assert.True(device.IsFinished);
    }
}
