using Primitives.Filesystem.Btrees;
using Primitives.Locking;
using Xunit.Abstractions;
using static Primitives.Filesystem.Tests.Btrees.BtreeFixture;

namespace Primitives.Filesystem.Tests.Btrees;

/// <summary>Concurrent transactions, readers and reclaim on small nodes; the deterministic restart path.</summary>
public sealed class BtreeConcurrencyTests(ITestOutputHelper output)
{
    private const int Threads = 4;
    private const int GroupSize = 24;

    /// <summary>
    /// Writers update their own lanes of one key space (so they share leaves and split them), each commit
    /// spanning several leaves; one writer also rewrites a group of keys spread over many leaves to one
    /// version per commit while readers check they never see two versions at once; a reclaim thread
    /// writes pinned nodes out meanwhile. Seeds are fixed; the end state is checked against each lane's model.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ConcurrentTransactionsMatchTheirModels(int seed)
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        BtreeRoots initialRoots = f.Store.Roots;
        var models = new SortedDictionary<Bpos, byte[]>[Threads];
        int groupVersion = 0;
        long groupReads = 0;
        using var stop = new CancellationTokenSource();
        var failures = new List<Exception>();

        void Guard(Action body)
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                lock (failures)
                {
                    failures.Add(e);
                }

                stop.Cancel();
            }
        }

        var writers = Enumerable.Range(0, Threads).Select(t => new Thread(() => Guard(() =>
        {
            var random = new Random(seed * 100 + t);
            var model = models[t] = new SortedDictionary<Bpos, byte[]>();
            for (int i = 0; i < 400 && !stop.IsCancellationRequested; i++)
            {
                using BtreeTransaction tx = f.Store.Begin();
                int keys = random.Next(1, 8);
                var local = new List<(Bpos, byte[]?)>();
                for (int k = 0; k < keys; k++)
                {
                    Bpos pos = P(1, (ulong)(random.Next(0, 600) * Threads + t));
                    if (random.Next(4) == 0)
                    {
                        tx.Delete(BtreeId.Extents, pos);
                        local.Add((pos, null));
                    }
                    else
                    {
                        byte[] value = V((ulong)(i * 131 + k), random.Next(0, 40));
                        tx.Set(BtreeId.Extents, pos, value);
                        local.Add((pos, value));
                    }
                }

                if (t == 0 && i % 4 == 0)
                {
                    int version = ++groupVersion;
                    for (int g = 0; g < GroupSize; g++)
                    {
                        tx.Set(BtreeId.Extents, P(2, (ulong)g * 100), BitConverter.GetBytes(version));
                    }
                }

                if (t == 1)
                {
                    for (int g = 0; g < 3; g++)
                    {
                        tx.Set(BtreeId.Extents, P(2, (ulong)random.Next(0, GroupSize * 100) | 1), V((ulong)i, 30));
                    }
                }

                tx.Commit();
                foreach (var (pos, value) in local)
                {
                    if (value is null)
                    {
                        model.Remove(pos);
                    }
                    else
                    {
                        model[pos] = value;
                    }
                }
            }
        }))).ToList();

        var reader = new Thread(() => Guard(() =>
        {
            while (writers.Any(w => w.IsAlive) && !stop.IsCancellationRequested)
            {
                using BtreeTransaction tx = f.Store.Begin();
                var group = tx.Range(BtreeId.Extents, P(2, 0), P(2, GroupSize * 100)).Where(kv => kv.Key.Offset % 100 == 0).ToList();
                Assert.True(group.Count is 0 or GroupSize, $"saw {group.Count} of the {GroupSize} group keys");
                Assert.Single(group.Select(kv => BitConverter.ToInt32(kv.Value.Span)).Distinct().Take(2).DefaultIfEmpty(0).ToList());
                Interlocked.Increment(ref groupReads);
            }
        }));

        var reclaimer = new Thread(() => Guard(() =>
        {
            while (writers.Any(w => w.IsAlive) && !stop.IsCancellationRequested)
            {
                f.Store.FlushAsync().GetAwaiter().GetResult();
                f.Journal.ReclaimAsync(f.Journal.DurableSeq).GetAwaiter().GetResult();
                Thread.Sleep(1);
            }
        }));

        writers.ForEach(w => w.Start());
        reader.Start();
        reclaimer.Start();
        writers.ForEach(w => w.Join());
        reader.Join();
        reclaimer.Join();
        Assert.Empty(failures);

        BtreeStats stats = f.Store.Stats;
        output.WriteLine($"{stats}; group reads {groupReads}");
        var lanes = f.Dump(BtreeId.Extents).Where(kv => kv.Key.Inode == 1).ToList();
        var expected = models.SelectMany(m => m).OrderBy(kv => kv.Key).ToList();
        Assert.Equal(expected, lanes, new BtreePersistenceTests.BytesKv());
        Assert.True(stats.Splits > 0);
        BtreeStoreModelTests.CheckNodes(f.Store);

        // Everything is committed: after a journal flush, a crash must replay to exactly this state
        // (records on one key carry sequences in the order the key changed).
        var everything = f.Dump(BtreeId.Extents);
        await f.Store.FlushAsync();
        BtreeFixture recovered = f.CrashAndRecover(initialRoots);
        Assert.Equal(everything, recovered.Dump(BtreeId.Extents), new BtreePersistenceTests.BytesKv());

        BtreeFixture remounted = f.UnmountAndMount();
        Assert.Equal(expected, remounted.Dump(BtreeId.Extents).Where(kv => kv.Key.Inode == 1).ToList(), new BtreePersistenceTests.BytesKv());
    }

    /// <summary>
    /// A commit holds intent on its first leaf when another thread write-locks the root; walking down to
    /// the second leaf would wait out of lock order, so the commit restarts: drops its locks, waits for
    /// the root, relocks the first leaf by sequence (unchanged, so it succeeds) and finishes.
    /// </summary>
    [Fact]
    public void BusyRootOutOfOrderRestartsTheCommitAndRelocksBySequence()
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        for (int batch = 0; batch < 600; batch += 30)
        {
            using BtreeTransaction fill = f.Store.Begin();
            for (int i = batch; i < batch + 30; i++)
            {
                fill.Set(BtreeId.Extents, P(1, (ulong)i), V((ulong)i, 20));
            }

            fill.Commit();
        }

        Assert.True(f.Store.Height(BtreeId.Extents) >= 2);
        using var leafLocked = new ManualResetEventSlim();
        using var rootHeld = new ManualResetEventSlim();
        int hooked = 0;
        f.Store.AfterCommitLeafLockedForTests = _ =>
        {
            if (Interlocked.Increment(ref hooked) == 1)
            {
                leafLocked.Set();
                Assert.True(rootHeld.Wait(TimeSpan.FromSeconds(30)));
            }
        };

        Exception? failure = null;
        ulong seq = 0;
        var committer = new Thread(() =>
        {
            try
            {
                using BtreeTransaction tx = f.Store.Begin();
                tx.Set(BtreeId.Extents, P(1, 3), V(1003));
                tx.Set(BtreeId.Extents, P(1, 590), V(1590));
                seq = tx.Commit();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        committer.Start();
        Assert.True(leafLocked.Wait(TimeSpan.FromSeconds(30)));

        BtreeNode root = f.Store.RootNodeForTests(BtreeId.Extents);
        root.Lock.Lock(SixLockType.Intent);
        root.Lock.Lock(SixLockType.Write);
        rootHeld.Set();
        for (int i = 0; i < 30_000 && f.Store.Stats.Restarts == 0; i++)
        {
            Thread.Sleep(1);
        }

        root.Lock.Unlock(SixLockType.Write);
        root.Lock.Unlock(SixLockType.Intent);
        committer.Join();
        f.Store.AfterCommitLeafLockedForTests = null;

        Assert.Null(failure);
        Assert.NotEqual(0UL, seq);
        Assert.Equal(1, f.Store.Stats.Restarts);
        Assert.Equal(0, f.Store.Stats.RelockFailures);
        Assert.Equal(2, hooked); // the first leaf was relocked, not walked to again
        using BtreeTransaction read = f.Store.Begin();
        Assert.True(read.TryGet(BtreeId.Extents, P(1, 3), out var a));
        Assert.True(read.TryGet(BtreeId.Extents, P(1, 590), out var b));
        Assert.Equal(V(1003), a.ToArray());
        Assert.Equal(V(1590), b.ToArray());
    }
}
