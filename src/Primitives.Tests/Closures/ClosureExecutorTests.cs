using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>Where continuations run: inline, thread pool, Task.Run, a dedicated thread, a user executor.</summary>
public sealed class ClosureExecutorTests : ClosureTestBase
{
    public static TheoryData<string> Executors => ["Inline", "ThreadPool", "TaskRun", "Dedicated", "Custom"];

    [Theory]
    [MemberData(nameof(Executors))]
    public void ContinuationRunsOnceOnTheChosenExecutor(string name)
    {
        using var dedicated = new DedicatedThreadExecutor("closures-test");
        var custom = new CountingExecutor();
        IClosureExecutor executor = name switch
        {
            "Inline" => ClosureExecutors.Inline,
            "ThreadPool" => ClosureExecutors.ThreadPool,
            "TaskRun" => ClosureExecutors.TaskRun,
            "Dedicated" => dedicated,
            _ => custom,
        };
        var cl = new Closure();
        cl.Get();
        int runs = 0;
        string? thread = null;
        using var done = new ManualResetEventSlim();
        cl.ContinueAt(c => { Interlocked.Increment(ref runs); thread = Thread.CurrentThread.Name; c.Return(); done.Set(); }, executor);
        cl.Put();
        if (name == "Custom")
        {
            Assert.Equal(1, custom.Queued);
            custom.RunAll();
        }
        Assert.True(done.Wait(Long));
        Assert.Equal(1, runs);
        if (name == "Dedicated")
            Assert.Equal("closures-test", thread);
        Assert.Equal(name, name == "Dedicated" || name == "Custom" ? name : executor.ToString());
    }

    [Fact]
    public void DedicatedThreadRunsContinuationsInQueueOrder()
    {
        var order = new List<int>();
        using (var thread = new DedicatedThreadExecutor("ordered"))
        {
            for (int i = 0; i < 50; i++)
            {
                int id = i;
                Closure.Call(c => { order.Add(id); c.Return(); }, thread);
            }
        } // Dispose drains the queue, then joins
        Assert.Equal(Enumerable.Range(0, 50), order);
    }

    [Fact]
    public void DedicatedThreadRejectsWorkAfterDispose()
    {
        var thread = new DedicatedThreadExecutor("closed");
        thread.Dispose();
        thread.Dispose(); // idempotent
        var cl = new Closure();
        Assert.Throws<ObjectDisposedException>(() => thread.Enqueue(cl));
        Assert.Throws<ArgumentNullException>(() => new DedicatedThreadExecutor(null!));
        cl.Return();
    }

    [Fact]
    public void DedicatedThreadMayBeDisposedFromItsOwnContinuation()
    {
        var thread = new DedicatedThreadExecutor("self-dispose");
        using var done = new ManualResetEventSlim();
        Closure.Call(c => { thread.Dispose(); c.Return(); done.Set(); }, thread);
        Assert.True(done.Wait(Long));
        var rejected = new Closure();
        Assert.Throws<ObjectDisposedException>(() => thread.Enqueue(rejected));
        rejected.Return();
    }

    [Fact]
    public void AnExecutorCannotRunAContinuationTwice()
    {
        var custom = new CountingExecutor();
        var cl = new Closure();
        cl.Get();
        cl.ContinueAt(c => c.ContinueAt(d => d.Return()), custom);
        cl.Put();
        var work = custom.Items.Single();
        work.Execute();
        Assert.Throws<ClosureStateException>(work.Execute);
        Assert.True(cl.IsFinished);
    }

    [Fact]
    public void AContinuationMayHopBetweenExecutors()
    {
        using var io = new DedicatedThreadExecutor("io");
        using var done = new ManualResetEventSlim();
        var threads = new List<string?>();
        Closure.Call(c =>
        {
            threads.Add(Thread.CurrentThread.Name);
            c.ContinueAt(d =>
            {
                threads.Add(Thread.CurrentThread.IsThreadPoolThread ? "pool" : Thread.CurrentThread.Name);
                d.Return();
                done.Set();
            }, ClosureExecutors.ThreadPool);
        }, io);
        Assert.True(done.Wait(Long));
        Assert.Equal(["io", "pool"], threads);
    }

    /// <summary>A user executor that only queues: the test decides when work runs.</summary>
    private sealed class CountingExecutor : IClosureExecutor
    {
        public readonly List<IThreadPoolWorkItem> Items = [];
        public int Queued => Items.Count;
        public void Enqueue(IThreadPoolWorkItem work) { lock (Items) Items.Add(work); }
        public void RunAll() { foreach (var w in Items) w.Execute(); }
    }
}
