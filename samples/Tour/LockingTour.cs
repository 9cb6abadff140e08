using System.Diagnostics;
using Primitives.Locking;
using Primitives.Statistics;

namespace Tour;

/// <summary>SixLock: intent admits readers, write requires intent, seq/relock, handoff, async, per-CPU readers.</summary>
internal static class LockingTour
{
    private static bool OnNewThread(Func<bool> probe)
    {
        bool result = false;
        var thread = new Thread(() => result = probe());
        thread.Start();
        thread.Join();
        return result;
    }

    public static async Task RunAsync()
    {
        Section.Header("SixLock: intent admits readers; write requires intent; seq + relock");
        using var node = new SixLock(name: "btree-node");

        using (node.Intent())
        {
            // Sync holds belong to the thread (async holds to their handle), so probe from new threads.
            bool readerGotIn = OnNewThread(() =>
            {
                if (!node.TryLock(SixLockType.Read)) return false;
                node.Unlock(SixLockType.Read);
                return true;
            });
            bool secondIntent = OnNewThread(() => node.TryLock(SixLockType.Intent));
            Console.WriteLine($"  holding intent: another thread's read {(readerGotIn ? "succeeds" : "fails")}, its intent {(secondIntent ? "succeeds" : "fails")}");

            int seq = node.Seq;
            using (node.Write()) { /* the short moment of modification */ }
            Console.WriteLine($"  write under intent bumped seq {seq} -> {node.Seq}; counts now {node.Counts()}");
        }

        try
        {
            node.Lock(SixLockType.Write);
        }
        catch (SixLockException e)
        {
            Console.WriteLine($"  write without intent: {e.GetType().Name}: {e.Message}");
        }

        int before = node.Seq;
        bool relockedUnchanged = node.TryRelock(SixLockType.Read, before);
        if (relockedUnchanged) node.Unlock(SixLockType.Read);
        using (node.Intent()) using (node.Write()) { }
        bool relockedAfterWrite = node.TryRelock(SixLockType.Read, before);
        Console.WriteLine($"  relock at seq {before}: {relockedUnchanged} while nobody wrote, {relockedAfterWrite} after a write (seq is now {node.Seq})");

        Section.Header("SixLock: unlocker-to-waiter handoff latency (time from Unlock to the queued waiter running)");
        var handoff = new TimeStats("intent handoff");
        var ping = new SixLock(name: "handoff");
        const int Rounds = 2_000;
        long releasedAt = 0;
        using var startWaiting = new SemaphoreSlim(0);
        var waiter = new Thread(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                startWaiting.Wait();
                ping.Lock(SixLockType.Intent);          // queues behind the holder; handed the lock on unlock
                handoff.Record(Volatile.Read(ref releasedAt), Stopwatch.GetTimestamp());
                ping.Unlock(SixLockType.Intent);
            }
        });
        waiter.Start();
        for (int i = 0; i < Rounds; i++)
        {
            ping.Lock(SixLockType.Intent);
            startWaiting.Release();
            while (ping.GetWaiters().Length == 0) Thread.Yield();   // the waiter is queued
            Volatile.Write(ref releasedAt, Stopwatch.GetTimestamp());
            ping.Unlock(SixLockType.Intent);
            while (handoff.GetSnapshot().Count <= i) Thread.Yield();  // the waiter has run and recorded
        }
        waiter.Join();
        var h = handoff.GetSnapshot();
        Console.WriteLine($"  {h.Count:N0} handoffs: p50 {TimeStatsSnapshot.FormatDuration(h.Quantiles[7])}, p94 {TimeStatsSnapshot.FormatDuration(h.Quantiles[14])}, mean {TimeStatsSnapshot.FormatDuration(h.Duration.Mean)}, max {TimeStatsSnapshot.FormatDuration(h.Duration.Max)}");

        Section.Header("SixLock: async acquisition (not thread-affine: the handle carries ownership)");
        var asyncLock = new SixLock(name: "async");
        using (var intent = await asyncLock.IntentAsync())
        {
            await Task.Yield();                           // may resume on another thread
            using (await asyncLock.WriteAsync(intent)) { }
            Console.WriteLine($"  intent + write taken asynchronously and released from thread {Environment.CurrentManagedThreadId}; seq {asyncLock.Seq}");
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        using (await asyncLock.IntentAsync())   // held across awaits: an async hold
        {
            try
            {
                using var _ = await Task.Run(async () => await asyncLock.IntentAsync(cts.Token));
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine($"  a waiter cancelled after 20 ms leaves the lock consistent: {asyncLock.Counts()}");
            }
        }

        Section.Header("SixLock: per-CPU reader mode under 90% read / 10% write");
        foreach (var options in new[] { SixLockOptions.None, SixLockOptions.PerCpuReaders })
        {
            var lk = new SixLock(options);
            long reads = 0, writes = 0, shared = 0;
            bool broken = false;
            var sw = Stopwatch.StartNew();
            Parallel.For(0, Environment.ProcessorCount, _ =>
            {
                var rng = new Random(42);
                for (int i = 0; i < 200_000; i++)
                {
                    if (rng.Next(10) != 0)
                    {
                        using (lk.Read()) { long v = Volatile.Read(ref shared); if (v % 2 != 0) broken = true; }
                        Interlocked.Increment(ref reads);
                    }
                    else
                    {
                        using (lk.Intent()) using (lk.Write()) { shared++; shared++; }
                        Interlocked.Increment(ref writes);
                    }
                }
            });
            Console.WriteLine($"  {options,-13}: {reads + writes:N0} ops in {sw.ElapsedMilliseconds} ms, writes {writes:N0}, readers saw a half-done write: {broken}");
        }
    }
}
