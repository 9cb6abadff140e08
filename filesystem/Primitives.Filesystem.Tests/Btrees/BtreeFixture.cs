using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Tests.Btrees;

/// <summary>A store over a memory node space and the test journal, with helpers to crash and reopen.</summary>
internal sealed class BtreeFixture
{
    private BtreeFixture(MemoryNodeSpace space, TestBtreeJournal journal, BtreeStore store, BtreeStoreOptions options)
    {
        Space = space;
        Journal = journal;
        Store = store;
        Options = options;
        journal.RootsProvider = store.RootsAt;
    }

    public MemoryNodeSpace Space { get; }

    public TestBtreeJournal Journal { get; }

    public BtreeStore Store { get; }

    public BtreeStoreOptions Options { get; }

    public static BtreeStoreOptions SmallNodes(int nodeSize = 1024, int maxValueSize = 48) => new() { NodeSize = nodeSize, MaxValueSize = maxValueSize };

    public static BtreeFixture Create(BtreeStoreOptions? options = null, int reservationsPerEntry = 4)
    {
        options ??= SmallNodes();
        var journal = new TestBtreeJournal { ReservationsPerEntry = reservationsPerEntry };
        var space = new MemoryNodeSpace(options.NodeSize, () => journal.DurableSeq);
        BtreeStore store = BtreeStore.CreateAsync(space, journal, options).GetAwaiter().GetResult();
        return new BtreeFixture(space, journal, store, options);
    }

    /// <summary>
    /// Crashes now (memory lost, device and durable journal kept) and recovers: open from the newest
    /// entry's roots with replay, then (<paramref name="writeReplayed"/>) write what replay changed.
    /// </summary>
    public BtreeFixture CrashAndRecover(BtreeRoots initialRoots, bool writeReplayed = true)
    {
        var (roots, durable, records) = Journal.Crash();
        var journal = TestBtreeJournal.ContinueAfter(durable, Journal.ReservationsPerEntry);
        MemoryNodeSpace space = Space.CloneForCrash(() => journal.DurableSeq);
        BtreeStore store = BtreeStore.OpenAsync(space, journal, roots ?? initialRoots, durable, records, Options).GetAwaiter().GetResult();
        var recovered = new BtreeFixture(space, journal, store, Options);
        if (writeReplayed && store.HasReplayedChanges)
        {
            store.FlushAllAsync().GetAwaiter().GetResult();
        }

        return recovered;
    }

    /// <summary>Clean unmount (write everything) and mount again from <see cref="BtreeStore.Roots"/>.</summary>
    public BtreeFixture UnmountAndMount()
    {
        Store.FlushAllAsync().GetAwaiter().GetResult();
        BtreeRoots roots = Store.Roots;
        ulong durable = Journal.DurableSeq;
        var journal = TestBtreeJournal.ContinueAfter(durable, Journal.ReservationsPerEntry);
        MemoryNodeSpace space = Space.CloneForCrash(() => journal.DurableSeq);
        BtreeStore store = BtreeStore.OpenAsync(space, journal, roots, durable, null, Options).GetAwaiter().GetResult();
        return new BtreeFixture(space, journal, store, Options);
    }

    public static Bpos P(ulong inode, ulong offset) => new(inode, offset);

    public static byte[] V(ulong seed, int length = 8)
    {
        byte[] v = new byte[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = (byte)(seed * 31 + (ulong)i * 7);
        }

        return v;
    }

    /// <summary>Every key of <paramref name="btree"/> as (pos, value) pairs.</summary>
    public List<KeyValuePair<Bpos, byte[]>> Dump(BtreeId btree)
    {
        using BtreeTransaction tx = Store.Begin();
        return tx.Range(btree, Bpos.Min, Bpos.Max).Select(kv => new KeyValuePair<Bpos, byte[]>(kv.Key, kv.Value.ToArray())).ToList();
    }
}
