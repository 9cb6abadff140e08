using System.Diagnostics;
using Primitives.Closures;

namespace Tour;

/// <summary>Closures: a fan-out of simulated I/Os with a parent continuation, and a synchronous teardown.</summary>
internal static class ClosuresTour
{
    public static async Task RunAsync()
    {
        Section.Header("Closures: fan-out of 1,000 simulated I/Os, parent continues when all are done");
        const int IoCount = 1_000;
        int completed = 0;
        var allDone = new TaskCompletionSource<long>();
        long started = Stopwatch.GetTimestamp();

        var request = new Closure();
        for (int i = 0; i < IoCount; i++)
        {
            var io = new Closure(request);             // each child holds a reference on the parent
            _ = Task.Run(async () =>
            {
                await Task.Yield();                    // the simulated I/O completes asynchronously
                Interlocked.Increment(ref completed);
                io.Return();                           // drops the child's reference on the parent
            });
        }
        request.ContinueAt(r =>                        // runs once, when every child has returned
        {
            allDone.SetResult(Stopwatch.GetTimestamp());
            r.Return();
        }, ClosureExecutors.ThreadPool);
        long finished = await allDone.Task;
        Console.WriteLine($"  {completed:N0} I/Os completed; parent continuation ran after {Stopwatch.GetElapsedTime(started, finished).TotalMilliseconds:F2} ms");

        Section.Header("Closures: teardown waits synchronously for everything in flight (the umount problem)");
        var device = new Closure();
        int done = 0;
        for (int i = 0; i < 16; i++)
        {
            device.Get();                              // one reference per operation in flight
            ThreadPool.QueueUserWorkItem(_ =>
            {
                Thread.Sleep(2);                       // the operation
                Interlocked.Increment(ref done);
                device.Put();
            });
        }
        Console.WriteLine($"  before teardown: {device.Remaining} references outstanding (16 operations + the owner's own)");
        device.ReturnSync();                           // blocks until all 16 are done, then finishes
        Console.WriteLine($"  after ReturnSync: {done} of 16 operations finished, closure finished = {device.IsFinished}");

        try
        {
            device.Put();                              // misuse: a put on a finished closure
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"  misuse is reported, not wrapped: {e.GetType().Name}");
        }
    }
}
