using Primitives.Filesystem.Btrees;
using static Primitives.Filesystem.Tests.Btrees.BtreeFixture;

namespace Primitives.Filesystem.Tests.Btrees;

public sealed class BtreeStoreBasicTests
{
    [Fact]
    public void SetGetDeleteInOneLeaf()
    {
        BtreeFixture f = Create();
        using (BtreeTransaction tx = f.Store.Begin())
        {
            tx.Set(BtreeId.Inodes, P(1, 0), V(1));
            tx.Set(BtreeId.Inodes, P(2, 0), V(2));
            Assert.True(tx.TryGet(BtreeId.Inodes, P(1, 0), out var own));
            Assert.Equal(V(1), own.ToArray());
            Assert.NotEqual(0UL, tx.Commit());
        }

        using (BtreeTransaction tx = f.Store.Begin())
        {
            Assert.True(tx.TryGet(BtreeId.Inodes, P(2, 0), out var v));
            Assert.Equal(V(2), v.ToArray());
            Assert.False(tx.TryGet(BtreeId.Dirents, P(2, 0), out _));
            tx.Delete(BtreeId.Inodes, P(2, 0));
            Assert.False(tx.TryGet(BtreeId.Inodes, P(2, 0), out _));
            tx.Commit();
        }

        Assert.Equal([P(1, 0)], f.Dump(BtreeId.Inodes).Select(kv => kv.Key));
    }

    [Fact]
    public void ManyKeysSplitTheTreeAndRangeCrossesLeaves()
    {
        BtreeFixture f = Create();
        const int n = 3000;
        for (int batch = 0; batch < n; batch += 50)
        {
            using BtreeTransaction tx = f.Store.Begin();
            for (int i = batch; i < batch + 50; i++)
            {
                tx.Set(BtreeId.Extents, P((ulong)(i % 7), (ulong)i), V((ulong)i, 16));
            }

            tx.Commit();
        }

        Assert.True(f.Store.Height(BtreeId.Extents) >= 3, $"height {f.Store.Height(BtreeId.Extents)}");
        Assert.True(f.Store.Stats.Splits > 50);
        Assert.Equal(n / 50, f.Store.Stats.Commits);
        Assert.True(f.Store.CommitTimes!.GetSnapshot().Count > 0);
        Assert.True(f.Store.NodeWriteTimes!.GetSnapshot().Count > 0);
        var all = f.Dump(BtreeId.Extents);
        Assert.Equal(n, all.Count);
        Assert.Equal(all.Select(kv => kv.Key).Order(), all.Select(kv => kv.Key));
        using BtreeTransaction read = f.Store.Begin();
        var inode3 = read.Range(BtreeId.Extents, P(3, 0), P(3, ulong.MaxValue)).ToList();
        Assert.Equal(Enumerable.Range(0, n).Where(i => i % 7 == 3).Select(i => P(3, (ulong)i)), inode3.Select(kv => kv.Key));
        Assert.All(inode3, kv => Assert.Equal(V(kv.Key.Offset, 16), kv.Value.ToArray()));
    }

    [Fact]
    public async Task AFullJournalMakesOperationsWaitAndRetry()
    {
        BtreeFixture f = Create();
        f.Journal.RefuseTryReserves = 3;
        for (int i = 0; i < 200; i++)
        {
            using BtreeTransaction tx = f.Store.Begin();
            tx.Set(BtreeId.Inodes, P((ulong)i, 0), V((ulong)i, 30));
            tx.Commit();
            if (i == 100)
            {
                f.Journal.RefuseTryReserves = 5; // now splits and flushes meet a full journal too
                await f.Store.FlushAllAsync();
            }
        }

        Assert.Equal(8, f.Journal.TryReserveRefusals);
        Assert.Equal(200, f.Dump(BtreeId.Inodes).Count);
    }
}
