using Primitives.Locking;
using Primitives.Statistics;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// All btrees of a filesystem: copy-on-write nodes made of bsets, locked with <see cref="SixLock"/>s,
/// updated by journalled transactions (<see cref="Begin"/>), written through an
/// <see cref="IBtreeNodeSpace"/> and kept durable through an <see cref="IBtreeJournal"/>.
/// </summary>
/// <remarks>
/// <para><b>Caching.</b> The sample keeps every node of every tree in memory (loaded at open);
/// nodes are still written through the node space (copy-on-write: each write to a new location),
/// so the device always holds a consistent tree reachable from the roots and the journal.</para>
/// <para><b>Durability.</b> A commit journals its keys, applies them to the leaves and pins each
/// dirtied leaf at its journal sequence. Nodes are written by write-back passes (journal reclaim,
/// <see cref="FlushAllAsync"/>): every dirty node, bottom-up, each to a new location, its parent's
/// pointer updated in memory only, and one root record per btree whose root the pass wrote (the
/// roots table <see cref="RootsAt"/>); once that record is durable the written nodes' pins drop and
/// their old locations are freed. Splits and merges write the new nodes first and journal the
/// parent's pointers in one entry. Replay (<see cref="OpenAsync"/>) re-applies child pointers level
/// by level from the top, each only over an older write (pointers carry the child's write version),
/// then leaf keys, in sequence order.</para>
/// <para><b>Thread safety.</b> Every member is thread-safe. Transactions are synchronous and must
/// stay on one thread from <see cref="Begin"/> to commit (node intent locks are thread-owned).</para>
/// </remarks>
public sealed partial class BtreeStore : IKeyValueStore
{
    private readonly IBtreeNodeSpace _space;
    private readonly IBtreeJournal _journal;
    private readonly BtreeStoreOptions _options;
    private readonly RootSlot[] _slots;
    private long _commits, _restarts, _relockFailures, _splits, _merges, _rootGrowths, _nodeWrites, _compactions;

    private BtreeStore(IBtreeNodeSpace space, IBtreeJournal journal, BtreeStoreOptions options)
    {
        _space = space;
        _journal = journal;
        _options = options;
        if (options.CollectTimeStats)
        {
            CommitTimes = new TimeStats("btree.commit");
            NodeWriteTimes = new TimeStats("btree.node-write");
        }

        _slots = new RootSlot[AllBtrees.Count];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new RootSlot();
        }
    }

    /// <summary>Every btree id, in order.</summary>
    public static IReadOnlyList<BtreeId> AllBtrees { get; } = Enum.GetValues<BtreeId>();

    /// <summary>Latency of <see cref="BtreeTransaction.Commit"/> with updates (null when <see cref="BtreeStoreOptions.CollectTimeStats"/> is off).</summary>
    public TimeStats? CommitTimes { get; }

    /// <summary>Latency of node writes through the node space (null when <see cref="BtreeStoreOptions.CollectTimeStats"/> is off).</summary>
    public TimeStats? NodeWriteTimes { get; }

    /// <summary>The options the store runs with.</summary>
    public BtreeStoreOptions Options => _options;

    /// <summary>The counters so far.</summary>
    public BtreeStats Stats => new(
        Interlocked.Read(ref _commits), Interlocked.Read(ref _restarts), Interlocked.Read(ref _relockFailures), Interlocked.Read(ref _splits),
        Interlocked.Read(ref _merges), Interlocked.Read(ref _rootGrowths), Interlocked.Read(ref _nodeWrites), Interlocked.Read(ref _compactions));

    /// <summary>The newest written root of every btree (what a clean unmount stores after <see cref="FlushAllAsync"/>).</summary>
    public BtreeRoots Roots => RootsAt(ulong.MaxValue);

    /// <summary>
    /// The roots to store in journal entry <paramref name="journalSeq"/>: for each btree, the newest
    /// root write made reachable at or before that sequence (a root written for a later entry is not
    /// shown early: its contents may depend on that later entry).
    /// </summary>
    public BtreeRoots RootsAt(ulong journalSeq)
    {
        var roots = new Dictionary<BtreeId, BtreeRoot>();
        foreach (BtreeId id in AllBtrees)
        {
            RootSlot slot = Slot(id);
            lock (slot.Gate)
            {
                for (int i = slot.Written.Count - 1; i >= 0; i--)
                {
                    if (slot.Written[i].Seq <= journalSeq)
                    {
                        roots[id] = slot.Written[i].Root;
                        break;
                    }
                }
            }
        }

        return new BtreeRoots(roots);
    }

    /// <summary>The height of <paramref name="btree"/>: 1 when the root is a leaf.</summary>
    public int Height(BtreeId btree) => Slot(btree).Node.Level + 1;

    /// <summary>Starts a transaction (use it on one thread).</summary>
    public BtreeTransaction Begin() => new(this);

    /// <inheritdoc />
    IKeyValueTransaction IKeyValueStore.Begin() => Begin();

    /// <inheritdoc />
    public ValueTask FlushAsync(ulong seq = 0, CancellationToken cancellationToken = default) => _journal.FlushAsync(seq, writeBack: false, cancellationToken);

    /// <summary>Test hook: called by a commit right after it took intent on a leaf (to provoke a restart deterministically).</summary>
    internal Action<BtreeNode>? AfterCommitLeafLockedForTests { get; set; }

    /// <summary>The current root node of <paramref name="btree"/> (tests).</summary>
    internal BtreeNode RootNodeForTests(BtreeId btree) => Slot(btree).Node;

    internal IBtreeJournal Journal => _journal;

    internal IBtreeNodeSpace Space => _space;

    internal int NodeSize => _options.NodeSize;

    internal RootSlot Slot(BtreeId btree) => _slots[(int)btree];

    internal void CountRestart() => Interlocked.Increment(ref _restarts);

    internal void CountRelockFailure() => Interlocked.Increment(ref _relockFailures);

    internal void CountCommit() => Interlocked.Increment(ref _commits);

    internal void CountCompaction() => Interlocked.Increment(ref _compactions);

    /// <summary>
    /// Walks from the root of <paramref name="btree"/> to the node at <paramref name="level"/> covering
    /// <paramref name="pos"/>, read-locking interior nodes hand over hand, and takes
    /// <paramref name="type"/> on that node. Null when the tree is not that tall.
    /// </summary>
    /// <exception cref="BtreeRestartException">A lock was busy out of order (the caller restarts).</exception>
    internal BtreeNode? Descend(BtreeLockSet locks, BtreeId btree, Bpos pos, int level, SixLockType type)
    {
        RootSlot slot = Slot(btree);
        while (true)
        {
            BtreeNode node = slot.Node;
            if (node.Level < level)
            {
                return null;
            }

            SixLockType rootType = node.Level == level ? type : SixLockType.Read;
            locks.Acquire(node, rootType);
            if (!ReferenceEquals(slot.Node, node) || node.Dead)
            {
                locks.Release(node, rootType);
                continue;
            }

            while (node.Level > level)
            {
                BtreeNode child = node.ChildFor(pos).Node ?? throw new InvalidOperationException($"{node} has an unloaded child");
                SixLockType childType = child.Level == level ? type : SixLockType.Read;
                if (locks.TryAcquire(child, childType))
                {
                    locks.Release(node, SixLockType.Read);
                    node = child;
                    continue;
                }

                // Never wait while holding an interior read: a splitter holding the child's intent may be
                // waiting for write on this node. A live node's range never changes, so once the child is
                // locked and not dead it still covers pos without the parent.
                locks.Release(node, SixLockType.Read);
                locks.Acquire(child, childType);
                if (child.Dead)
                {
                    locks.Release(child, childType);
                    node = null!;
                    break;
                }

                node = child;
            }

            if (node is not null)
            {
                return node;
            }
        }
    }

    /// <summary>
    /// Marks <paramref name="node"/> dirty by a change journalled in <paramref name="seq"/> and pins
    /// that sequence if the node is not pinned yet (caller holds intent or write; seq 0: a replayed
    /// change, or a write-back's new child pointer, neither pinned: the write-back keeps the child's
    /// pin until the parent is written and reachable).
    /// </summary>
    internal void MarkDirty(BtreeNode node, ulong seq)
    {
        node.Dirty = true;
        if (seq == 0)
        {
            return;
        }

        if (node.FirstDirtySeq == 0)
        {
            node.FirstDirtySeq = seq;
        }

        if (node.PinSeq == 0)
        {
            _journal.PinAdd(node, seq);
            node.PinSeq = seq;
        }
    }

    private long _writeVersion;

    /// <summary>A new write version, larger than every version written or seen before.</summary>
    internal ulong NextWriteVersion() => (ulong)Interlocked.Increment(ref _writeVersion);

    /// <summary>Notes a version read from the device or the journal (open): later writes take larger ones.</summary>
    internal void SeeWriteVersion(ulong version)
    {
        long v = (long)Math.Min(version, long.MaxValue);
        long seen = Volatile.Read(ref _writeVersion);
        while (seen < v)
        {
            long previous = Interlocked.CompareExchange(ref _writeVersion, v, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    /// <summary>Writes <paramref name="node"/>'s image to a new location (caller holds intent, or the node is not published yet).</summary>
    internal NodeLocation WriteToNewLocation(BtreeNode node)
    {
        node.NodeSeq = NextWriteVersion();
        if (node.IsLeaf)
        {
            node.SealOpenBset();
        }

        byte[] image = BtreeNodeFormat.Serialize(node, NodeSize);
        NodeLocation location = _space.Allocate();
        long start = NodeWriteTimes is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        Wait(_space.WriteAsync(location, image));
        NodeWriteTimes?.Record(start, System.Diagnostics.Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _nodeWrites);
        return location;
    }

    /// <summary>Blocks on a node-space or journal operation (btree operations are synchronous: their locks are thread-owned).</summary>
    internal static void Wait(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        task.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Every live node reachable from the roots (read-locking each briefly), parents before children.</summary>
    internal List<BtreeNode> CollectNodes()
    {
        var nodes = new List<BtreeNode>();
        foreach (BtreeId id in AllBtrees)
        {
            var stack = new Stack<BtreeNode>();
            stack.Push(Slot(id).Node);
            while (stack.Count > 0)
            {
                BtreeNode node = stack.Pop();
                node.Lock.Lock(SixLockType.Read);
                try
                {
                    if (node.Dead)
                    {
                        continue;
                    }

                    nodes.Add(node);
                    if (!node.IsLeaf)
                    {
                        for (int i = node.Children.Count - 1; i >= 0; i--)
                        {
                            if (node.Children[i].Node is { } child)
                            {
                                stack.Push(child);
                            }
                        }
                    }
                }
                finally
                {
                    node.Lock.Unlock(SixLockType.Read);
                }
            }
        }

        return nodes;
    }

    /// <summary>A snapshot of every node (for fsck and tests): btree, level, range, location, state, key count.</summary>
    public IReadOnlyList<BtreeNodeInfo> GetNodes()
    {
        var infos = new List<BtreeNodeInfo>();
        foreach (BtreeNode node in CollectNodes())
        {
            node.Lock.Lock(SixLockType.Read);
            try
            {
                int keys = node.IsLeaf ? node.LiveKeys().Count : node.Children.Count;
                infos.Add(new BtreeNodeInfo(node.Btree, node.Level, node.Min, node.Max, node.Location, node.Dirty, keys, node.IsLeaf ? node.Bsets.Count : 1, node.UsedBytes));
            }
            finally
            {
                node.Lock.Unlock(SixLockType.Read);
            }
        }

        return infos;
    }

    /// <summary>The root of one btree: the node (replaced under the old root's write lock) and the history of root writes.</summary>
    internal sealed class RootSlot
    {
        public readonly object Gate = new();

        /// <summary>Root writes: the journal sequence that made each reachable, and the root.</summary>
        public readonly List<(ulong Seq, BtreeRoot Root)> Written = [];

        /// <summary>
        /// Locations of former roots that split: the roots table still names them (the new root is not
        /// written yet), so they are freed only at the next root write.
        /// </summary>
        public readonly List<NodeLocation> FreeAtNextRootWrite = [];

        private BtreeNode? _node;

        public BtreeNode Node
        {
            get => Volatile.Read(ref _node)!;
            set => Volatile.Write(ref _node, value);
        }

        public void RecordWrite(ulong seq, BtreeRoot root, ulong durableSeq)
        {
            lock (Gate)
            {
                Written.Add((seq, root));

                // Keep the newest entry at or below the durable sequence and everything after it.
                int keepFrom = 0;
                for (int i = Written.Count - 1; i >= 0; i--)
                {
                    if (Written[i].Seq <= durableSeq)
                    {
                        keepFrom = i;
                        break;
                    }
                }

                if (keepFrom > 0)
                {
                    Written.RemoveRange(0, keepFrom);
                }
            }
        }
    }
}
