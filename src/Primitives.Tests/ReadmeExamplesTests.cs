using System.Diagnostics;
using Primitives.Counters;
using Primitives.Locking;
using Primitives.Statistics;

namespace Primitives.Tests;

/// <summary>
/// The README's usage examples, verbatim between the BEGIN/END markers, so they stay compiled and
/// working. (The closures example lives in Closures/ClosureReadmeExampleTests.cs.)
/// </summary>
public sealed class ReadmeExamplesTests
{
    [Fact]
    public async Task SixLockExampleWorks()
    {
        CancellationToken cancellationToken = CancellationToken.None;
        bool modified = false, revalidated = false;

        // BEGIN README SixLock
        var node = new SixLock(name: "btree-node");

        // An updater holds intent for the whole operation; readers keep going meanwhile.
        using (node.Intent())
        {
            // ... find the slot, allocate, prepare the new contents ...
            using (node.Write())          // write requires intent, and lasts only for the change
            {
                modified = true;
            }
        }

        // Drop the lock, block elsewhere, then re-validate cheaply: relock succeeds only if nobody
        // wrote in between (the sequence number moves on every write unlock).
        int seq = node.Seq;
        if (node.TryRelock(SixLockType.Read, seq))
        {
            revalidated = true;
            node.Unlock(SixLockType.Read);
        }

        // Async: ownership travels with the handle, not the thread.
        using (var intent = await node.IntentAsync(cancellationToken))
        using (await node.WriteAsync(intent, cancellationToken))
        {
            await Task.Yield();
        }

        // Timeouts and cancellation are built on the should-sleep hook.
        if (node.TryLock(SixLockType.Intent, TimeSpan.FromMilliseconds(50), cancellationToken))
        {
            node.Unlock(SixLockType.Intent);
        }
        // END README SixLock

        Assert.True(modified);
        Assert.True(revalidated);
        Assert.Equal(2, node.Seq);
        Assert.False(node.IsHeld);
    }

    [Fact]
    public void StatisticsExampleWorks()
    {
        static void Commit() => Thread.SpinWait(50);

        // BEGIN README Statistics
        var commits = new TimeStats("journal-commit");
        using (commits.Measure())          // a scope: Stopwatch.GetTimestamp() at both ends
        {
            Commit();
        }

        long start = Stopwatch.GetTimestamp();
        Commit();
        commits.Record(start, Stopwatch.GetTimestamp());   // or record start/end yourself

        TimeStatsSnapshot snapshot = commits.GetSnapshot();
        Console.WriteLine(snapshot);       // min/max/mean/stddev/recent, percentiles, quantiles, scaled units
        long p99 = snapshot.P99;           // any percentile: snapshot.Percentile(99.9), within 1/32
        string json = snapshot.ToJson();

        var exact = new MeanAndVariance(); // Int128 sums: exact, negative-safe, overflow throws
        exact.Update(-5);
        exact.Update(7);
        // exact.Mean == 1, exact.Variance == 36
        // END README Statistics

        Assert.Equal(2, snapshot.Count);
        Assert.InRange(p99, snapshot.Duration.Min, snapshot.Duration.Max);
        Assert.Contains("\"count\":2", json);
        Assert.Equal(1, exact.Mean);
        Assert.Equal((UInt128)36, exact.Variance);
    }

    [Fact]
    public void CountersExampleWorks()
    {
        // BEGIN README Counters
        var bytesWritten = new PerCpuCounter();
        bytesWritten.Add(4096);                    // one atomic add on this processor's own cache line
        long exact = bytesWritten.Sum();           // exact once the adds have returned
        bool overLimit = bytesWritten.Compare(1L << 30) > 0;   // sums only when near the limit

        var space = new PerCpuReservation(capacity: 1_000_000);
        if (space.TryReserve(8))                   // never over-commits, even under races
        {
            // ... write 8 units ...
            space.Release(8);
        }
        // END README Counters

        Assert.Equal(4096, exact);
        Assert.False(overLimit);
        Assert.Equal(0, space.Reserved);
    }
}
