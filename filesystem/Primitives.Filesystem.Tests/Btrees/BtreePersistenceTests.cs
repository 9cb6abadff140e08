using CsCheck;
using Xunit.Abstractions;
using Primitives.Filesystem.Btrees;
using static Primitives.Filesystem.Tests.Btrees.BtreeFixture;

namespace Primitives.Filesystem.Tests.Btrees;

/// <summary>Copy-on-write writes, reload from the roots, and crash recovery through journal replay.</summary>
public sealed class BtreePersistenceTests(ITestOutputHelper output)
{
    [Fact]
    public void CleanUnmountThenMountFromRootsGivesTheSameContent()
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        BtreeRoots initial = f.Store.Roots;
        for (int i = 0; i < 2000; i++)
        {
            using BtreeTransaction tx = f.Store.Begin();
            tx.Set((BtreeId)(i % 3 + 3), P((ulong)(i % 13), (ulong)i), V((ulong)i, i % 40));
            tx.Commit();
        }

        var before = AllBtrees(f);
        long writes = f.Store.Stats.NodeWrites;
        BtreeFixture g = f.UnmountAndMount();
        Assert.True(f.Store.Stats.NodeWrites > writes, "unmount wrote nothing");
        Assert.NotEqual(initial.Encode(), f.Store.Roots.Encode());
        Assert.Equal(before, AllBtrees(g));
        Assert.All(g.Store.GetNodes(), n => Assert.False(n.Dirty));
        Assert.Equal(f.Store.GetNodes().Count, g.Store.GetNodes().Count);
        BtreeStoreModelTests.CheckNodes(g.Store);
    }

    [Fact]
    public async Task NodeWritesAreCopyOnWriteAndOldLocationsWaitForTheJournal()
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        NodeLocation first = f.Store.Roots.Roots[BtreeId.Inodes].Location;
        using (BtreeTransaction tx = f.Store.Begin())
        {
            tx.Set(BtreeId.Inodes, P(1, 1), V(1));
            tx.Commit();
        }

        Assert.Equal(1, f.Journal.PinCount); // the dirty leaf pins the commit's entry
        await f.Store.FlushAllAsync();
        NodeLocation second = f.Store.Roots.Roots[BtreeId.Inodes].Location;
        Assert.NotEqual(first, second);
        Assert.Equal(0, f.Journal.PinCount);

        // The first location was freed at the entry that recorded the new root; it is reused only now that it is durable.
        NodeLocation next = f.Space.Allocate();
        Assert.Equal(first.Offset, next.Offset);
        Assert.Equal(first.Generation + 1, next.Generation);
    }

    [Fact]
    public async Task CorruptNodeOnMountIsReportedWithItsLocation()
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        using (BtreeTransaction tx = f.Store.Begin())
        {
            tx.Set(BtreeId.Xattrs, P(1, 1), V(1));
            tx.Commit();
        }

        await f.Store.FlushAllAsync();
        NodeLocation root = f.Store.Roots.Roots[BtreeId.Xattrs].Location;
        f.Space.Corrupt(root, 64 + 33);
        var journal = TestBtreeJournal.ContinueAfter(f.Journal.DurableSeq);
        var e = await Assert.ThrowsAsync<BtreeNodeCorruptException>(() => BtreeStore.OpenAsync(f.Space, journal, f.Store.Roots, f.Journal.DurableSeq, null, f.Options));
        Assert.Equal(BtreeId.Xattrs, e.Btree);
        Assert.Equal(root.Offset + 64, e.Offset);
    }

    [Fact]
    public async Task VerifyNodesFindsACorruptImageAndPassesOtherwise()
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        for (int i = 0; i < 300; i++)
        {
            using BtreeTransaction tx = f.Store.Begin();
            tx.Set(BtreeId.Dirents, P(1, (ulong)i), V((ulong)i, 20));
            tx.Commit();
        }

        await f.Store.FlushAllAsync();
        Assert.Empty(await f.Store.VerifyNodesAsync());
        BtreeNodeInfo leaf = f.Store.GetNodes().First(n => n.Btree == BtreeId.Dirents && n.Level == 0 && n.Keys > 0);
        f.Space.Corrupt(leaf.Location!.Value, 64 + 40);
        var errors = await f.Store.VerifyNodesAsync();
        var error = Assert.Single(errors);
        Assert.Equal(BtreeId.Dirents, error.Btree);
        Assert.Equal(leaf.Location.Value.Offset + 64, error.Offset);
    }

    /// <summary>
    /// A write-back pass writes nodes without journalling their parents' pointers. A crash right
    /// after its root record is durable (before the pins of older entries drop) replays the older
    /// split's pointer records over the newer parent image: each must be ignored, as the pointer
    /// there is a newer write (a larger write version), or the parent would name stale images.
    /// </summary>
    [Fact]
    public async Task AReplayedSplitPointerDoesNotUndoALaterWriteBack()
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        BtreeRoots initial = f.Store.Roots;
        int keys = 0;
        while (f.Store.Height(BtreeId.Dirents) < 2)
        {
            Commit(f, keys, keys);
            keys++;
        }

        for (int k = 0; k < keys; k += 2)
        {
            Commit(f, k, 1000 + k); // dirty both halves again after the split
        }

        await f.Store.FlushAllAsync();
        var written = f.Store.RootNodeForTests(BtreeId.Dirents).Children.Select(c => (c.Max, c.Location, c.Version)).ToList();
        var expected = f.Dump(BtreeId.Dirents);
        var (_, _, records) = f.Journal.Crash();
        Assert.Contains(records, r => r.Btree == BtreeId.Dirents && r.Kind == BtreeJournalRecordKind.Key && r.Level == 1);

        BtreeFixture g = f.CrashAndRecover(initial, writeReplayed: false);
        Assert.Equal(written, g.Store.RootNodeForTests(BtreeId.Dirents).Children.Select(c => (c.Max, c.Location, c.Version)).ToList());
        Assert.Equal(expected, g.Dump(BtreeId.Dirents), new BytesKv());
        BtreeStoreModelTests.CheckNodes(g.Store);

        static void Commit(BtreeFixture f, int key, int value)
        {
            using BtreeTransaction tx = f.Store.Begin();
            tx.Set(BtreeId.Dirents, P(1, (ulong)key), V((ulong)value, 40));
            tx.Commit();
        }
    }

    [Fact]
    public async Task CrashAfterCommitsReplaysTheDurableOnes()
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        BtreeRoots initial = f.Store.Roots;
        var durableModel = new SortedDictionary<Bpos, byte[]>();
        var model = new SortedDictionary<Bpos, byte[]>();
        for (int i = 0; i < 600; i++)
        {
            using BtreeTransaction tx = f.Store.Begin();
            var pos = P(1, (ulong)(i * 7919 % 1000));
            tx.Set(BtreeId.Dirents, pos, V((ulong)i, 20));
            tx.Commit();
            model[pos] = V((ulong)i, 20);
            if (i % 50 == 0)
            {
                await f.Store.FlushAsync();
                durableModel = new(model);
            }

            if (i % 170 == 0)
            {
                await f.Journal.ReclaimAsync(f.Journal.DurableSeq);
            }
        }

        BtreeFixture g = f.CrashAndRecover(initial);
        Assert.Equal(durableModel.ToList(), g.Dump(BtreeId.Dirents).Select(kv => new KeyValuePair<Bpos, byte[]>(kv.Key, kv.Value)).ToList(), new BytesKv());
        BtreeStoreModelTests.CheckNodes(g.Store);
    }

    private enum Step
    {
        Commit,
        JournalFlush,
        Reclaim,
        FlushAll,
    }

    /// <summary>
    /// Random commits (multi-key, with deletes), journal flushes, reclaim and full flushes, then a crash
    /// at the end: recovery must show exactly the commits whose entry was durable. Then the recovered
    /// store keeps working and survives a second crash.
    /// </summary>
    [Fact]
    public void RandomCrashesRecoverExactlyTheDurableCommits()
    {
        var step = Gen.Select(Gen.Frequency((20, Gen.Const(Step.Commit)), (3, Gen.Const(Step.JournalFlush)), (2, Gen.Const(Step.Reclaim)), (1, Gen.Const(Step.FlushAll))),
            Gen.Int[0, 400].Array[1, 12], Gen.Bool);
        long replayed = 0, reused = 0;
        int maxHeight = 0, interiorRecords = 0;
        step.Array[20, 300].Sample(steps =>
        {
            BtreeFixture f = Create(SmallNodes(512, 48), reservationsPerEntry: 3);
            BtreeRoots initial = f.Store.Roots;
            var commits = new List<(ulong Seq, List<(Bpos Pos, byte[]? Value)> Updates)>();
            int n = 0;
            foreach (var (kind, positions, delete) in steps)
            {
                switch (kind)
                {
                    case Step.Commit:
                        using (BtreeTransaction tx = f.Store.Begin())
                        {
                            var updates = new List<(Bpos, byte[]?)>();
                            foreach (int p in positions)
                            {
                                Bpos pos = P((ulong)(p % 3), (ulong)p);
                                if (delete && p % 2 == 0)
                                {
                                    tx.Delete(BtreeId.Inodes, pos);
                                    updates.Add((pos, null));
                                }
                                else
                                {
                                    byte[] v = V((ulong)++n, p % 48);
                                    tx.Set(BtreeId.Inodes, pos, v);
                                    updates.Add((pos, v));
                                }
                            }

                            commits.Add((tx.Commit(), updates));
                        }

                        break;
                    case Step.JournalFlush:
                        f.Store.FlushAsync().GetAwaiter().GetResult();
                        break;
                    case Step.Reclaim:
                        f.Journal.ReclaimAsync(f.Journal.DurableSeq).GetAwaiter().GetResult();
                        break;
                    case Step.FlushAll:
                        f.Store.FlushAllAsync().GetAwaiter().GetResult();
                        break;
                }
            }

            ulong durable = f.Journal.DurableSeq;
            var expected = new SortedDictionary<Bpos, byte[]>();
            foreach (var (seq, updates) in commits.Where(c => c.Seq <= durable).OrderBy(c => c.Seq))
            {
                foreach (var (pos, value) in updates)
                {
                    if (value is null)
                    {
                        expected.Remove(pos);
                    }
                    else
                    {
                        expected[pos] = value;
                    }
                }
            }

            var (_, _, records) = f.Journal.Crash();
            Interlocked.Add(ref replayed, records.Count);
            maxHeight = Math.Max(maxHeight, f.Store.Height(BtreeId.Inodes));
            interiorRecords += records.Count(r => r.Level >= 2);
            Interlocked.Add(ref reused, f.Space.Reused);
            BtreeFixture g = f.CrashAndRecover(initial);
            Assert.Equal(expected.ToList(), g.Dump(BtreeId.Inodes), new BytesKv());
            BtreeStoreModelTests.CheckNodes(g.Store);

            // The recovered store keeps going: more commits, a journal flush, a second crash.
            using (BtreeTransaction tx = g.Store.Begin())
            {
                tx.Set(BtreeId.Inodes, P(7, 7), V(7));
                tx.Commit();
            }

            g.Store.FlushAsync().GetAwaiter().GetResult();
            expected[P(7, 7)] = V(7);
            BtreeFixture h = g.CrashAndRecover(initial);
            Assert.Equal(expected.ToList(), h.Dump(BtreeId.Inodes), new BytesKv());
        }, iter: 60, threads: 1);
        output.WriteLine($"replayed {replayed} records in all ({interiorRecords} at level 2 or above); {reused} node locations reused; tallest tree {maxHeight}");
        Assert.True(replayed > 0);
        Assert.True(reused > 0);
        Assert.True(maxHeight >= 3 && interiorRecords > 0, "replay never met a pointer record above level 1");
    }

    private static List<string> AllBtrees(BtreeFixture f) =>
        BtreeStore.AllBtrees.SelectMany(id => f.Dump(id).Select(kv => $"{id} {kv.Key} {Convert.ToHexString(kv.Value)}")).ToList();

    internal sealed class BytesKv : IEqualityComparer<KeyValuePair<Bpos, byte[]>>
    {
        public bool Equals(KeyValuePair<Bpos, byte[]> x, KeyValuePair<Bpos, byte[]> y) => x.Key == y.Key && x.Value.AsSpan().SequenceEqual(y.Value);

        public int GetHashCode(KeyValuePair<Bpos, byte[]> obj) => obj.Key.GetHashCode();
    }
}
