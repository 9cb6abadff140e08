using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Tests.Posix;

public class MemoryKeyValueStoreTests
{
    [Fact]
    public void RangeMergesCommittedChunksWithTheTransactionsOwnUpdates()
    {
        var store = new MemoryKeyValueStore();
        var model = new SortedDictionary<Bpos, byte>();
        using (var txn = store.Begin())
        {
            for (ulong i = 0; i < 1000; i += 2)
            {
                txn.Set(BtreeId.Dirents, new Bpos(7, i), [(byte)i]);
                model[new Bpos(7, i)] = (byte)i;
            }

            txn.Set(BtreeId.Dirents, new Bpos(8, 0), [1]);
            Assert.NotEqual(0ul, txn.Commit());
        }

        using var t = store.Begin();
        var rng = new Random(3);
        for (int n = 0; n < 300; n++)
        {
            var pos = new Bpos(7, (ulong)rng.Next(1000));
            if (rng.Next(2) == 0)
            {
                t.Delete(BtreeId.Dirents, pos);
                model.Remove(pos);
            }
            else
            {
                t.Set(BtreeId.Dirents, pos, [200]);
                model[pos] = 200;
            }
        }

        var got = t.Range(BtreeId.Dirents, new Bpos(7, 10), new Bpos(7, 900)).Select(kv => (kv.Key, kv.Value.Span[0])).ToList();
        var want = model.Where(kv => kv.Key >= new Bpos(7, 10) && kv.Key <= new Bpos(7, 900)).Select(kv => (kv.Key, kv.Value)).ToList();
        Assert.Equal(want, got);
        Assert.Empty(t.Range(BtreeId.Dirents, new Bpos(9, 0), new Bpos(7, 0)));
        Assert.Single(t.Range(BtreeId.Dirents, new Bpos(8, 0), Bpos.Max));
        // Committed state is untouched until the commit.
        Assert.Equal(501, store.Count(BtreeId.Dirents));
        Assert.Throws<ArgumentException>(() => t.Set(BtreeId.Xattrs, Bpos.Min, new byte[IKeyValueTransaction.MaxValueSize + 1]));
    }
}
