using CsCheck;
using Primitives.Filesystem.Btrees;
using static Primitives.Filesystem.Tests.Btrees.BtreeFixture;

namespace Primitives.Filesystem.Tests.Btrees;

/// <summary>
/// Property test: random transactions of inserts, deletes, lookups and range reads on small nodes
/// (so splits and merges happen often), against a <see cref="SortedDictionary{TKey, TValue}"/>.
/// </summary>
public sealed class BtreeStoreModelTests
{
    private enum Op
    {
        Set,
        Delete,
        DeleteRange,
        Get,
        Range,
        Commit,
        Abort,
        FlushAll,
        Reclaim,
    }

    private static long s_splits, s_merges, s_runs;

    [Fact]
    public void RandomOperationsMatchASortedDictionary()
    {
        var op = Gen.Frequency(
            (30, Gen.Const(Op.Set)), (12, Gen.Const(Op.Delete)), (2, Gen.Const(Op.DeleteRange)), (8, Gen.Const(Op.Get)),
            (3, Gen.Const(Op.Range)), (10, Gen.Const(Op.Commit)), (1, Gen.Const(Op.Abort)), (1, Gen.Const(Op.FlushAll)), (1, Gen.Const(Op.Reclaim)));
        var step = Gen.Select(op, Gen.Int[0, 2], Gen.Int[0, 300], Gen.Int[0, 48]);
        step.Array[50, 1500].Sample(RunSequence, iter: 60, threads: 1);

        Assert.True(Interlocked.Read(ref s_splits) > 0, "no split happened");
        Assert.True(Interlocked.Read(ref s_merges) > 0, "no merge happened");
    }

    private static void RunSequence((Op Op, int Inode, int Offset, int Length)[] steps)
    {
        BtreeFixture f = Create(SmallNodes(1024, 48));
        var model = new SortedDictionary<Bpos, byte[]>();
        var pending = new SortedDictionary<Bpos, byte[]?>();
        BtreeTransaction tx = f.Store.Begin();
        int n = 0;
        foreach (var (op, inode, offset, length) in steps)
        {
            Bpos pos = P((ulong)inode, (ulong)offset);
            n++;
            switch (op)
            {
                case Op.Set:
                    byte[] value = V((ulong)n, length);
                    tx.Set(BtreeId.Extents, pos, value);
                    pending[pos] = value;
                    break;
                case Op.Delete:
                    tx.Delete(BtreeId.Extents, pos);
                    pending[pos] = null;
                    break;
                case Op.DeleteRange:
                    foreach (var kv in tx.Range(BtreeId.Extents, pos, P((ulong)inode, (ulong)offset + 150)).ToList())
                    {
                        tx.Delete(BtreeId.Extents, kv.Key);
                        pending[kv.Key] = null;
                    }

                    break;
                case Op.Get:
                    byte[]? expected = pending.TryGetValue(pos, out byte[]? p) ? p : model.GetValueOrDefault(pos);
                    Assert.Equal(expected is not null, tx.TryGet(BtreeId.Extents, pos, out ReadOnlyMemory<byte> got));
                    if (expected is not null)
                    {
                        Assert.Equal(expected, got.ToArray());
                    }

                    break;
                case Op.Range:
                    Bpos to = P((ulong)inode + (ulong)(length % 2), (ulong)offset + (ulong)length * 4);
                    var expectedRange = Overlay(model, pending).Where(kv => kv.Key >= pos && kv.Key <= to).ToList();
                    var actual = tx.Range(BtreeId.Extents, pos, to).Select(kv => new KeyValuePair<Bpos, byte[]>(kv.Key, kv.Value.ToArray())).ToList();
                    Assert.Equal(expectedRange.Select(kv => kv.Key), actual.Select(kv => kv.Key));
                    Assert.Equal(expectedRange.Select(kv => kv.Value), actual.Select(kv => kv.Value));
                    break;
                case Op.Commit:
                    tx.Commit();
                    foreach (var (key, v) in pending)
                    {
                        if (v is null)
                        {
                            model.Remove(key);
                        }
                        else
                        {
                            model[key] = v;
                        }
                    }

                    pending.Clear();
                    tx = f.Store.Begin();
                    break;
                case Op.Abort:
                    tx.Dispose();
                    pending.Clear();
                    tx = f.Store.Begin();
                    break;
                case Op.FlushAll:
                    f.Store.FlushAllAsync().GetAwaiter().GetResult();
                    Assert.Equal(0, f.Journal.PinCount);
                    break;
                case Op.Reclaim:
                    f.Journal.ReclaimAsync(f.Journal.DurableSeq + 1).GetAwaiter().GetResult();
                    break;
            }
        }

        tx.Dispose();
        Assert.Equal(model.ToList(), f.Dump(BtreeId.Extents).Select(kv => new KeyValuePair<Bpos, byte[]>(kv.Key, kv.Value)).ToList(), new KvComparer());
        CheckNodes(f.Store);

        BtreeFixture remounted = f.UnmountAndMount();
        Assert.Equal(model.ToList(), remounted.Dump(BtreeId.Extents), new KvComparer());
        Interlocked.Add(ref s_splits, f.Store.Stats.Splits);
        Interlocked.Add(ref s_merges, f.Store.Stats.Merges);
        Interlocked.Increment(ref s_runs);
    }

    /// <summary>Structural invariants: sizes within the node size, leaves tile the key space in order.</summary>
    internal static void CheckNodes(BtreeStore store)
    {
        foreach (var group in store.GetNodes().GroupBy(n => (n.Btree, n.Level)))
        {
            var nodes = group.OrderBy(n => n.Min).ToList();
            Assert.Equal(Bpos.Min, nodes[0].Min);
            Assert.Equal(Bpos.Max, nodes[^1].Max);
            for (int i = 0; i < nodes.Count; i++)
            {
                Assert.True(nodes[i].UsedBytes <= store.Options.NodeSize, $"{nodes[i]} overflows");
                if (i > 0)
                {
                    Assert.Equal(BtreeNodeFormat.Successor(nodes[i - 1].Max), nodes[i].Min);
                }
            }
        }
    }

    private static IEnumerable<KeyValuePair<Bpos, byte[]>> Overlay(SortedDictionary<Bpos, byte[]> model, SortedDictionary<Bpos, byte[]?> pending)
    {
        var merged = new SortedDictionary<Bpos, byte[]>(model);
        foreach (var (k, v) in pending)
        {
            if (v is null)
            {
                merged.Remove(k);
            }
            else
            {
                merged[k] = v;
            }
        }

        return merged;
    }

    private sealed class KvComparer : IEqualityComparer<KeyValuePair<Bpos, byte[]>>
    {
        public bool Equals(KeyValuePair<Bpos, byte[]> x, KeyValuePair<Bpos, byte[]> y) => x.Key == y.Key && x.Value.AsSpan().SequenceEqual(y.Value);

        public int GetHashCode(KeyValuePair<Bpos, byte[]> obj) => obj.Key.GetHashCode();
    }
}
