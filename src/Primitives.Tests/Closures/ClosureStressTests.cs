using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>
/// Many threads at once: fan-outs complete exactly once, parents wait for children, Sync waits for
/// everything in flight and sees its writes, TryGetNotZero never resurrects a finished closure.
/// </summary>
public sealed class ClosureStressTests : ClosureTestBase
{
    public static TheoryData<string> Executors => ["Inline", "ThreadPool", "TaskRun"];

    private static IClosureExecutor ExecutorNamed(string name) => name switch
    {
        "ThreadPool" => ClosureExecutors.ThreadPool,
        "TaskRun" => ClosureExecutors.TaskRun,
        _ => ClosureExecutors.Inline,
    };

    [Theory]
    [MemberData(nameof(Executors))]
    public void FanOutContinuationRunsExactlyOnce(string executorName)
    {
        var executor = ExecutorNamed(executorName);
        const int Rounds = 200, Children = 64;
        int[] runs = new int[Rounds];
        using var all = new CountdownEvent(Rounds);
        for (int r = 0; r < Rounds; r++)
        {
            int round = r;
            var parent = new Closure();
            for (int i = 0; i < Children; i++)
                Closure.Call(static c => c.Return(), ClosureExecutors.ThreadPool, parent);
            parent.ContinueAt(p => { Interlocked.Increment(ref runs[round]); p.Return(); all.Signal(); }, executor);
        }
        Assert.True(all.Wait(Long));
        Assert.All(runs, n => Assert.Equal(1, n));
    }

    [Fact]
    public void ParentContinuesOnlyAfterEveryDescendantUnderConcurrency()
    {
        const int Rounds = 100, Fan = 8;
        for (int r = 0; r < Rounds; r++)
        {
            int leaves = 0;
            int seenByRoot = -1;
            using var done = new ManualResetEventSlim();
            var root = new Closure();
            for (int i = 0; i < Fan; i++)
            {
                var mid = new Closure(root);
                for (int j = 0; j < Fan; j++)
                    Closure.Call(static c => { c.Return(); }, ClosureExecutors.ThreadPool, mid);
                for (int j = 0; j < Fan; j++)
                    Closure.Call(c => { Interlocked.Increment(ref leaves); c.Return(); }, ClosureExecutors.ThreadPool, mid);
                mid.ContinueAt(static m => m.Return(), ClosureExecutors.ThreadPool);
            }
            root.ContinueAt(c => { seenByRoot = Volatile.Read(ref leaves); c.Return(); done.Set(); }, ClosureExecutors.ThreadPool);
            Assert.True(done.Wait(Long));
            Assert.Equal(Fan * Fan, seenByRoot);
        }
    }

    [Fact]
    public void SyncWaitsForEverythingInFlightAndSeesItsWrites()
    {
        const int Rounds = 300, Workers = 8;
        var cl = new Closure();
        var data = new int[Workers];
        for (int r = 1; r <= Rounds; r++)
        {
            for (int w = 0; w < Workers; w++)
            {
                cl.Get();
                int worker = w, round = r;
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    data[worker] = round; // plain write, released by the put
                    cl.Put();
                }, null);
            }
            cl.Sync();
            for (int w = 0; w < Workers; w++)
                Assert.Equal(r, data[w]);
            Assert.Equal(1, cl.Remaining);
        }
        cl.Return();
    }

    [Fact]
    public void ConcurrentGetPutPairsAgainstSyncNeverSkipTheWait()
    {
        // The Oct 2023 race: other threads take and drop references while the owner syncs. Every
        // reference taken before Sync was entered must be waited for.
        const int Rounds = 2000;
        var cl = new Closure();
        for (int r = 0; r < Rounds; r++)
        {
            int published = 0;
            cl.Get(); // taken by the owner, handed to the worker
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                if (cl.TryGetNotZero()) cl.Put(); // a concurrent get/put pair
                published = 1;
                cl.Put();
            }, null);
            cl.Sync();
            Assert.Equal(1, Volatile.Read(ref published));
        }
        cl.Return();
    }

    [Fact]
    public void TryGetNotZeroNeverResurrectsAFinishedClosure()
    {
        const int Rounds = 500;
        for (int r = 0; r < Rounds; r++)
        {
            int destructorRuns = 0, gets = 0;
            var cl = new Closure();
            OnThreads(3, i =>
            {
                if (i == 0) { cl.ReturnWithDestructor(_ => Interlocked.Increment(ref destructorRuns)); return; }
                for (int k = 0; k < 50; k++)
                {
                    if (!cl.TryGetNotZero()) break;
                    Interlocked.Increment(ref gets);
                    cl.Put();
                }
            });
            Assert.Equal(1, destructorRuns);
            Assert.True(cl.IsFinished);
            Assert.False(cl.TryGetNotZero());
        }
    }

    [Fact]
    public void ManyThreadsGetAndPutWithoutLosingCounts()
    {
        const int Threads = 4, PerThread = 100_000;
        var cl = new Closure();
        OnThreads(Threads, _ =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                cl.Get();
                if ((i & 1) == 0) cl.Get();
                cl.Put();
                if ((i & 1) == 0) cl.Put();
            }
        });
        Assert.Equal(1, cl.Remaining);
        cl.Sync();
        cl.Return();
    }

    [Fact]
    public async Task AsyncFanOutAwaitsEverythingInFlight()
    {
        var cl = new Closure();
        int done = 0;
        for (int i = 0; i < 200; i++)
            cl.Track(Task.Run(async () => { await Task.Yield(); Interlocked.Increment(ref done); }));
        await cl.SyncAsync().WaitAsync(Long);
        Assert.Equal(200, Volatile.Read(ref done));
        await cl.ReturnSyncAsync();
    }
}
