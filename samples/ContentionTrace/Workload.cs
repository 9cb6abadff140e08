using System.Diagnostics;
using System.Text.Json;

using Primitives.Diagnostics;
using Primitives.Locking;

namespace ContentionTrace;

/// <summary>
/// The built-in contention workload. Its deterministic phases force exactly one wait per iteration:
/// the holder takes the lock, lets the waiter ask, waits until the waiter is queued (SixLock:
/// <see cref="SixLock.GetWaiters"/>; Monitor: <see cref="Monitor.LockContentionCount"/>), then keeps
/// holding for the hold time before releasing. It prints what it did as one JSON line
/// (<c>expected {...}</c>).
/// </summary>
internal static class Workload
{
    public const string BTreeNode = "btree-node";
    public const string Journal = "journal";
    public const string InodeTable = "inode-table";
    public const string HotBucket = "hot-bucket";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static int Run(Options options)
    {
        if (options.Handshake)
        {
            // The tracer starts its session between "ready" and "go"; the go is only sent once the
            // session is established, and we also wait for our own provider to be switched on.
            Console.WriteLine("ready");
            if (Console.ReadLine() != "go")
            {
                return 3;
            }

            WaitFor(() => SixLockEvents.Log.IsEnabled(), "the Primitives-SixLock provider to be enabled");
        }

        int k = options.Iterations;
        int hold = options.HoldMilliseconds;
        var classes = new List<ExpectedClass>
        {
            SyncReadBlockedByWrite(k, hold),
            AsyncReadBlockedByWrite(k, hold),
            PerCpuWriteBlockedByRead(k, hold),
        };
        var monitor = MonitorBlocked(k, hold);
        var mixed = Mixed(threads: 4, operations: 2000);
        var result = new WorkloadResult(Environment.ProcessId, k, hold, classes, monitor, mixed);
        Console.WriteLine("expected " + JsonSerializer.Serialize(result, JsonDefaults.Options));
        if (options.Handshake)
        {
            // Stay alive until the tracer has stopped its session (so nothing is lost at exit).
            Console.ReadLine();
        }

        return 0;
    }

    /// <summary>Thread A holds write; thread B asks for read and waits: K read contentions, each handed over.</summary>
    private static ExpectedClass SyncReadBlockedByWrite(int k, int holdMs)
    {
        var lk = new SixLock(name: BTreeNode);
        using var ask = new SemaphoreSlim(0);
        using var done = new SemaphoreSlim(0);
        var reader = new Thread(() =>
        {
            for (int i = 0; i < k; i++)
            {
                ask.Wait();
                lk.Lock(SixLockType.Read);
                lk.Unlock(SixLockType.Read);
                done.Release();
            }
        }) { Name = "btree-reader" };
        reader.Start();
        double minHold = double.MaxValue;
        for (int i = 0; i < k; i++)
        {
            lk.Lock(SixLockType.Intent);
            lk.Lock(SixLockType.Write);
            ask.Release();
            minHold = Math.Min(minHold, HoldAfterQueued(lk, holdMs));
            lk.Unlock(SixLockType.Write);
            lk.Unlock(SixLockType.Intent);
            WaitFor(() => done.Wait(Patience), "the reader");
        }

        reader.Join();
        return new ExpectedClass(BTreeNode, 0, false, k, k, minHold);
    }

    /// <summary>The holder of write asks for read asynchronously itself: K async read contentions, each handed over on unlock.</summary>
    private static ExpectedClass AsyncReadBlockedByWrite(int k, int holdMs)
    {
        var lk = new SixLock(name: Journal);
        double minHold = double.MaxValue;
        for (int i = 0; i < k; i++)
        {
            lk.Lock(SixLockType.Intent);
            lk.Lock(SixLockType.Write);
            var pending = lk.ReadAsync();
            minHold = Math.Min(minHold, HoldAfterQueued(lk, holdMs));
            lk.Unlock(SixLockType.Write);
            lk.Unlock(SixLockType.Intent);
            pending.AsTask().GetAwaiter().GetResult().Dispose();
        }

        return new ExpectedClass(Journal, 0, true, k, k, minHold);
    }

    /// <summary>Per-CPU reader mode: A holds read; B takes intent, then write and waits for the reader: K write contentions.</summary>
    private static ExpectedClass PerCpuWriteBlockedByRead(int k, int holdMs)
    {
        var lk = new SixLock(SixLockOptions.PerCpuReaders, InodeTable);
        using var ask = new SemaphoreSlim(0);
        using var done = new SemaphoreSlim(0);
        var writer = new Thread(() =>
        {
            for (int i = 0; i < k; i++)
            {
                ask.Wait();
                lk.Lock(SixLockType.Intent);
                lk.Lock(SixLockType.Write);
                lk.Unlock(SixLockType.Write);
                lk.Unlock(SixLockType.Intent);
                done.Release();
            }
        }) { Name = "inode-writer" };
        writer.Start();
        double minHold = double.MaxValue;
        for (int i = 0; i < k; i++)
        {
            lk.Lock(SixLockType.Read);
            ask.Release();
            minHold = Math.Min(minHold, HoldAfterQueued(lk, holdMs));
            lk.Unlock(SixLockType.Read);
            WaitFor(() => done.Wait(Patience), "the writer");
        }

        writer.Join();
        return new ExpectedClass(InodeTable, 2, false, k, k, minHold);
    }

    /// <summary>A holds a Monitor; B enters and blocks (seen through Monitor.LockContentionCount): K runtime contentions.</summary>
    private static ExpectedMonitor MonitorBlocked(int k, int holdMs)
    {
        object gate = new();
        using var ask = new SemaphoreSlim(0);
        using var done = new SemaphoreSlim(0);
        var waiter = new Thread(() =>
        {
            for (int i = 0; i < k; i++)
            {
                ask.Wait();
                lock (gate)
                {
                }

                done.Release();
            }
        }) { Name = "monitor-waiter" };
        waiter.Start();
        long phaseStart = Monitor.LockContentionCount;
        double minHold = double.MaxValue;
        for (int i = 0; i < k; i++)
        {
            lock (gate)
            {
                long before = Monitor.LockContentionCount;
                ask.Release();
                WaitFor(() => Monitor.LockContentionCount > before, "the Monitor waiter to contend");
                long queued = Stopwatch.GetTimestamp();
                Thread.Sleep(holdMs);
                minHold = Math.Min(minHold, Stopwatch.GetElapsedTime(queued).TotalMicroseconds);
            }

            WaitFor(() => done.Wait(Patience), "the Monitor waiter");
        }

        waiter.Join();
        return new ExpectedMonitor(k, minHold, Monitor.LockContentionCount - phaseStart);
    }

    /// <summary>Threads mixing read and intent+write with short holds on one lock: barges and handoffs, counts not fixed.</summary>
    private static MixedPhase Mixed(int threads, int operations)
    {
        var lk = new SixLock(name: HotBucket);
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            start.SignalAndWait();
            for (int i = 0; i < operations; i++)
            {
                if (random.Next(4) == 0)
                {
                    lk.Lock(SixLockType.Intent);
                    lk.Lock(SixLockType.Write);
                    Thread.SpinWait(200);
                    lk.Unlock(SixLockType.Write);
                    lk.Unlock(SixLockType.Intent);
                }
                else
                {
                    lk.Lock(SixLockType.Read);
                    Thread.SpinWait(100);
                    lk.Unlock(SixLockType.Read);
                }
            }
        }) { Name = $"hot-{t}" }).ToArray();
        foreach (var w in workers)
        {
            w.Start();
        }

        foreach (var w in workers)
        {
            w.Join();
        }

        return new MixedPhase(HotBucket, threads, operations);
    }

    /// <summary>Waits until someone is queued on <paramref name="lk"/>, then holds on for <paramref name="holdMs"/>; returns how long (us) since the waiter was seen queued.</summary>
    private static double HoldAfterQueued(SixLock lk, int holdMs)
    {
        WaitFor(() => lk.GetWaiters().Length != 0, $"a waiter on {lk.Name}");
        long queued = Stopwatch.GetTimestamp();
        Thread.Sleep(holdMs);
        return Stopwatch.GetElapsedTime(queued).TotalMicroseconds;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > Patience)
            {
                throw new TimeoutException($"workload: gave up waiting for {what}");
            }

            Thread.Sleep(0);
        }
    }
}
