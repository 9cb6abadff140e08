using Microsoft.Coyote.Specifications;
using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Coyote.Tests.Btrees;

/// <summary>
/// Btree locking under Coyote: concurrent transactions on overlapping keys with the smallest nodes
/// (so commits split leaves and grow the root while others walk the tree), range readers checking
/// that a commit is never seen half applied, and journal reclaim writing nodes out meanwhile.
/// Coyote reports any deadlock (every task blocked) as a bug; the final content must equal the
/// commits applied in journal-sequence order (the order replay would use).
/// </summary>
internal static class BtreeScenarios
{
    private const int GroupSize = 3;
    private static readonly ulong[] s_group = [5, 41, 61];

    /// <summary>Restarts seen over all iterations (the scenarios are built to provoke some).</summary>
    public static long RestartsSeen;

    /// <summary>Splits seen over all iterations.</summary>
    public static long SplitsSeen;

    private static BtreeStore NewStore()
    {
        var options = new BtreeStoreOptions { NodeSize = 512, MaxValueSize = 16, CollectTimeStats = false };
        return BtreeStore.CreateAsync(new CoyoteNodeSpace(512), new CoyoteBtreeJournal(), options).GetAwaiter().GetResult();
    }

    private static byte[] Value(int writer, int n) => [(byte)writer, (byte)n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)(writer ^ n)];

    /// <summary>Prefills two leaves' worth of keys in one commit (the commit itself splits).</summary>
    private static SortedDictionary<Bpos, byte[]> Prefill(BtreeStore store)
    {
        var model = new SortedDictionary<Bpos, byte[]>();
        using BtreeTransaction tx = store.Begin();
        for (ulong i = 0; i < 70; i += 2)
        {
            tx.Set(BtreeId.Extents, new Bpos(1, i), Value(0, (int)i));
            model[new Bpos(1, i)] = Value(0, (int)i);
        }

        tx.Commit();
        return model;
    }

    [CoyoteScenario("btree.commits.overlapping-keys", Iterations = 60)]
    public static async Task OverlappingCommitsSplitsAndAtomicReaders()
    {
        BtreeStore store = NewStore();
        SortedDictionary<Bpos, byte[]> model = Prefill(store);
        var recorder = new CommitRecorder(store);

        Task writerA = Task.Run(() =>
        {
            // Rewrites the atomic group (spread over leaves) twice, plus keys writer B also writes.
            recorder.Commit((5, Value(1, 1)), (41, Value(1, 1)), (61, Value(1, 1)), (20, Value(1, 20)));
            recorder.Commit((5, Value(1, 2)), (41, Value(1, 2)), (61, Value(1, 2)), (22, Value(1, 22)), (3, Value(1, 3)));
        });
        Task writerB = Task.Run(() =>
        {
            // Overlaps A on 20 and 22, deletes some prefilled keys and fills a gap until a leaf splits.
            recorder.Commit((20, Value(2, 20)), (22, Value(2, 22)), (51, Value(2, 51)), (53, Value(2, 53)), (55, Value(2, 55)), (57, Value(2, 57)), (59, Value(2, 59)));
            recorder.Commit((21, Value(2, 21)), (23, Value(2, 23)), (25, Value(2, 25)), (10, null), (12, null));
        });
        Task reader = Task.Run(() =>
        {
            for (int round = 0; round < 2; round++)
            {
                using BtreeTransaction tx = store.Begin();
                var group = tx.Range(BtreeId.Extents, new Bpos(1, 0), new Bpos(1, 100))
                    .Where(kv => s_group.Contains(kv.Key.Offset)).Select(kv => kv.Value.Span[1]).ToList();
                // Before writer A's first commit the group is absent; after it, all three keys carry one version.
                Specification.Assert(group.Count is 0 or GroupSize, $"a commit seen half applied: {group.Count} of the {GroupSize} group keys");
                Specification.Assert(group.Distinct().Count() <= 1, $"a commit seen half applied: group versions {string.Join(",", group)}");
            }
        });

        await Task.WhenAll(new[] { writerA, writerB, reader });

        recorder.ApplyInSequenceOrder(model);

        AssertContent(store, model);
        Interlocked.Add(ref RestartsSeen, store.Stats.Restarts);
        Interlocked.Add(ref SplitsSeen, store.Stats.Splits);
    }

    /// <summary>
    /// Point readers walk the tree while a writer's commits split leaves and grow the root and a
    /// reclaim task writes nodes out (copy-on-write, parent pointers updated): every prefilled key is
    /// found every time.
    /// </summary>
    [CoyoteScenario("btree.readers-vs-splits-and-flushes", Iterations = 60)]
    public static async Task ReadersNeverMissKeysDuringSplitsAndFlushes()
    {
        BtreeStore store = NewStore();
        SortedDictionary<Bpos, byte[]> model = Prefill(store);

        Task writer = Task.Run(() =>
        {
            for (int c = 0; c < 2; c++)
            {
                using BtreeTransaction tx = store.Begin();
                for (ulong i = 1; i < 70; i += 8)
                {
                    var pos = new Bpos(1, i + (ulong)c * 2);
                    tx.Set(BtreeId.Extents, pos, Value(3, (int)i));
                    lock (model)
                    {
                        model[pos] = Value(3, (int)i);
                    }
                }

                tx.Commit();
            }
        });
        Task flusher = Task.Run(() => store.FlushAllAsync().GetAwaiter().GetResult());
        Task reader = Task.Run(() =>
        {
            foreach (ulong offset in (ulong[])[0, 34, 68, 12])
            {
                using BtreeTransaction tx = store.Begin();
                Specification.Assert(tx.TryGet(BtreeId.Extents, new Bpos(1, offset), out ReadOnlyMemory<byte> v), $"key 1:{offset} missing");
                Specification.Assert(v.Span[1] == (byte)offset, $"key 1:{offset} has a wrong value");
            }
        });

        await Task.WhenAll(new[] { writer, flusher, reader });
        AssertContent(store, model);
        Interlocked.Add(ref RestartsSeen, store.Stats.Restarts);
        Interlocked.Add(ref SplitsSeen, store.Stats.Splits);
    }

    /// <summary>
    /// Journal reclaim's write-back racing commits that dirty the nodes it writes: a writer commits
    /// three transactions over both leaves while a reclaimer asks every pinned node to write itself
    /// (one write-back pass each). Whatever the interleaving, once both are done every node with a
    /// journalled change not yet written is pinned at or before the first sequence of those changes
    /// (a pin moved past an unwritten change would let reclaim free an entry replay still needs), the
    /// journal's pins agree with the nodes', and a final flush-all leaves no pin.
    /// </summary>
    [CoyoteScenario("btree.write-back-vs-commits", Iterations = 60)]
    public static async Task WriteBackRacingCommitsKeepsPinsAtOrBeforeUnwrittenChanges()
    {
        var journal = new CoyoteBtreeJournal();
        var options = new BtreeStoreOptions { NodeSize = 512, MaxValueSize = 16, CollectTimeStats = false };
        BtreeStore store = await BtreeStore.CreateAsync(new CoyoteNodeSpace(512), journal, options);
        SortedDictionary<Bpos, byte[]> model = Prefill(store);

        Task writer = Task.Run(() =>
        {
            for (int c = 0; c < 3; c++)
            {
                using BtreeTransaction tx = store.Begin();
                foreach (ulong offset in (ulong[])[(ulong)(2 * c), (ulong)(60 + (2 * c))])
                {
                    var pos = new Bpos(1, offset);
                    tx.Set(BtreeId.Extents, pos, Value(5, c));
                    model[pos] = Value(5, c);
                }

                tx.Commit();
            }
        });
        Task reclaimer = Task.Run(async () =>
        {
            for (int round = 0; round < 2; round++)
            {
                foreach (var (pin, _) in journal.PinnedNow())
                {
                    await pin.FlushAsync();
                }
            }
        });

        await Task.WhenAll(new[] { writer, reclaimer });
        var pinned = new Dictionary<IBtreeJournalPin, ulong>(ReferenceEqualityComparer.Instance);
        foreach (var (pin, seq) in journal.PinnedNow())
        {
            pinned[pin] = seq;
        }

        foreach (BtreeNode node in store.CollectNodes())
        {
            if (node.Dirty && node.FirstDirtySeq != 0)
            {
                Specification.Assert(node.PinSeq != 0 && node.PinSeq <= node.FirstDirtySeq, $"{node}: unwritten changes from sequence {node.FirstDirtySeq} but pinned at {node.PinSeq}");
            }

            ulong journalSeq = pinned.TryGetValue(node, out ulong s) ? s : 0;
            Specification.Assert(journalSeq == node.PinSeq, $"{node}: the node says pin {node.PinSeq}, the journal {journalSeq}");
        }

        AssertContent(store, model);
        await store.FlushAllAsync();
        Specification.Assert(journal.Pins == 0, $"{journal.Pins} pins left after flush-all");
        AssertContent(store, model);
    }

    /// <summary>Merges racing splits: one writer deletes most of the low keys (leaves fall under the merge
    /// threshold and merge with siblings) while another inserts next to them (splits) and a reader checks
    /// keys nobody touches; the end state is the commits in sequence order.</summary>
    [CoyoteScenario("btree.merges-vs-splits", Iterations = 60)]
    public static async Task MergesRaceSplitsAndReaders()
    {
        BtreeStore store = NewStore();
        SortedDictionary<Bpos, byte[]> model = Prefill(store);
        var recorder = new CommitRecorder(store);

        Task deleter = Task.Run(() =>
        {
            recorder.Commit(Enumerable.Range(0, 12).Select(i => ((ulong)i * 2, (byte[]?)null)));
            recorder.Commit(Enumerable.Range(12, 12).Select(i => ((ulong)i * 2, (byte[]?)null)));
        });
        Task inserter = Task.Run(() =>
        {
            recorder.Commit(Enumerable.Range(0, 8).Select(i => ((ulong)(40 + i * 2 + 1), (byte[]?)Value(4, i))));
            recorder.Commit(Enumerable.Range(0, 4).Select(i => ((ulong)(i * 4 + 1), (byte[]?)Value(4, 10 + i))));
        });
        Task reader = Task.Run(() =>
        {
            foreach (ulong offset in (ulong[])[68, 50, 60])
            {
                using BtreeTransaction tx = store.Begin();
                Specification.Assert(tx.TryGet(BtreeId.Extents, new Bpos(1, offset), out ReadOnlyMemory<byte> v) && v.Span[1] == (byte)offset, $"untouched key 1:{offset} missing or wrong");
            }
        });

        await Task.WhenAll(new[] { deleter, inserter, reader });
        recorder.ApplyInSequenceOrder(model);

        AssertContent(store, model);
        Interlocked.Add(ref RestartsSeen, store.Stats.Restarts);
        Interlocked.Add(ref MergesSeen, store.Stats.Merges);
    }

    /// <summary>Merges seen over all iterations.</summary>
    public static long MergesSeen;

    private static void AssertContent(BtreeStore store, SortedDictionary<Bpos, byte[]> model)
    {
        using BtreeTransaction tx = store.Begin();
        var actual = tx.Range(BtreeId.Extents, Bpos.Min, Bpos.Max).ToList();
        Specification.Assert(actual.Count == model.Count, $"{actual.Count} keys, the model has {model.Count}");
        int i = 0;
        foreach (var (pos, value) in model)
        {
            Specification.Assert(actual[i].Key == pos && actual[i].Value.Span.SequenceEqual(value), $"key {i}: {actual[i].Key} differs from the model's {pos}");
            i++;
        }

        // Leaves tile the key space and fit their nodes.
        var leaves = store.GetNodes().Where(n => n.Level == 0 && n.Btree == BtreeId.Extents).OrderBy(n => n.Min).ToList();
        Specification.Assert(leaves[0].Min == Bpos.Min && leaves[^1].Max == Bpos.Max, "leaves do not cover the key space");
        for (int l = 1; l < leaves.Count; l++)
        {
            Specification.Assert(leaves[l].Min > leaves[l - 1].Max, "leaves overlap");
        }

        Specification.Assert(leaves.All(n => n.UsedBytes <= 512), "a leaf overflows its node");
    }
}
