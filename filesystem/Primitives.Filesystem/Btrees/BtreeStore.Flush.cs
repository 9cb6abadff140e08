using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// Writing nodes out. A write-back pass writes every dirty node bottom-up, each to a new location
/// (copy-on-write), updating the parent's pointer in memory only, and journals one root record per
/// btree whose root it wrote; once the newest root record is durable, every node written in the pass
/// is reachable and the pins of its journalled changes can go.
/// </summary>
/// <remarks>
/// <para><b>Why no pointer record per node write.</b> Journal reclaim runs the pass when the journal is
/// full. If every node write journalled its parent's new pointer, reclaim would need journal space in
/// proportion to the nodes it writes, and the space kept back for it runs out on a small journal
/// (the stall of session 2: reclaim's own writes used up the reserve, and the node pinning last_seq
/// could not be written). A pass needs one record per btree root (at most
/// <see cref="AllBtrees"/>.Count) in one entry, however many nodes it writes: the journal's reclaim
/// reserve always holds that.</para>
/// <para><b>Replay.</b> A pointer record older than the pass (a split's) can then be replayed over a
/// parent image written after it. Pointers carry the child's write version (store-wide, increasing),
/// and replay applies a pointer or removal record only over an older entry
/// (<see cref="BtreeNode.SetChild"/>, <see cref="BtreeNode.RemoveChild"/>).</para>
/// <para><b>Durability order.</b> A node's journalled changes stay pinned until the pass that wrote
/// them has its root record durable (<see cref="BtreeNode.CleanAt"/>); the root record is reserved
/// after every node of the pass is written, so its sequence is at or after every change in their
/// images, and bsets newer than the durable journal are never reachable. A node dirtied again while
/// its write becomes durable moves its pin forward to the first sequence that dirtied it again
/// (<see cref="BtreeNode.FirstDirtySeq"/>). Old locations are freed at the root record's sequence:
/// the durable tree names them until then.</para>
/// <para><b>Concurrency.</b> One pass at a time (<see cref="_writeBackGate"/>); commits, splits and
/// merges go on meanwhile under the usual node locks. A pass never waits for ordinary journal space:
/// its root records use the reclaim watermark.</para>
/// </remarks>
public sealed partial class BtreeStore
{
    private static readonly int s_rootRecordSize = 2 + NodeLocation.EncodedSize;

    /// <summary><see cref="BtreeNode.CleanAt"/> of a node written by a pass whose root records are not reserved yet.</summary>
    private const ulong PendingWriteBack = ulong.MaxValue;

    private readonly SemaphoreSlim _writeBackGate = new(1, 1);
    private long _writeBackPasses, _reclaimRequests;

    /// <summary>How many write-back passes (reclaim and flush-all) have run.</summary>
    internal long WriteBackPasses => Interlocked.Read(ref _writeBackPasses);

    // What the pass is doing now, for stall reports: a constant label and the node it concerns,
    // formatted only when read (the pass sets them for every node it writes).
    private volatile string _stage = "idle";
    private volatile BtreeNode? _stageNode;

    /// <summary>What the write-back pass is doing now (for stall reports).</summary>
    internal string WriteBackStage => _stageNode is { } node ? $"{_stage} {node}" : _stage;

    private void SetStage(string stage, BtreeNode? node = null)
    {
        _stageNode = node;
        _stage = stage;
    }

    /// <summary>How many times journal reclaim asked a pinned node to write itself.</summary>
    internal long ReclaimRequests => Interlocked.Read(ref _reclaimRequests);

    /// <summary>
    /// Writes every dirty node (children before parents, so each parent's pointers are final), makes
    /// the journal durable up to the root records and drops the nodes' pins. After it returns, with no
    /// commits in between, <see cref="Roots"/> describes every key.
    /// </summary>
    public Task FlushAllAsync(CancellationToken cancellationToken = default) => WriteBackAsync(cancellationToken);

    /// <summary>
    /// Journal reclaim asks a pinned node to go: one write-back pass writes it (and every other dirty
    /// node), and once its root records are durable its pin is dropped, or moved to the first
    /// sequence that dirtied it again. A node dirtied again inside the sequence it pins gets a
    /// second pass (that sequence is closed by then).
    /// </summary>
    internal async ValueTask FlushForReclaimAsync(BtreeNode node, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reclaimRequests);
        ulong pinned = node.PinSeq;
        for (int pass = 0; pass < 3 && !node.Dead; pass++)
        {
            await WriteBackAsync(cancellationToken).ConfigureAwait(false);
            if (node.PinSeq != pinned || pinned == 0)
            {
                return;
            }
        }
    }

    /// <summary>One write-back pass (see the type's remarks).</summary>
    private async Task WriteBackAsync(CancellationToken cancellationToken)
    {
        await _writeBackGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _writeBackPasses);
            var written = new List<BtreeNode>();
            var replaced = new List<NodeLocation>();
            ulong rootSeq = 0;
            bool complete = false;
            try
            {
                // Not cancellable inside: a pass stopped halfway would leave parents with unjournalled pointers.
                for (int level = 0; level <= MaxLevel(); level++)
                {
                    foreach (BtreeNode node in CollectNodes())
                    {
                        if (node.Level == level && node.Dirty)
                        {
                            SetStage("writing", node);
                            rootSeq = Math.Max(rootSeq, WriteBack(node, written, replaced));
                        }
                    }
                }

                complete = true;
            }
            finally
            {
                if (!complete)
                {
                    // A failed pass (a device or journal error): what it wrote is not reachable through
                    // a root record, so mark it dirty again; the next pass writes it and its parents.
                    foreach (BtreeNode node in written)
                    {
                        WithIntent(node, n =>
                        {
                            if (n.CleanAt == PendingWriteBack)
                            {
                                n.Dirty = true;
                                n.CleanAt = 0;
                            }
                        });
                    }
                }
            }

            if (written.Count > 0 && rootSeq == 0)
            {
                throw new InvalidOperationException($"a write-back pass wrote {written.Count} nodes but no root: their writes are unreachable");
            }

            foreach (BtreeNode node in written)
            {
                WithIntent(node, n =>
                {
                    if (n.CleanAt == PendingWriteBack)
                    {
                        n.CleanAt = rootSeq;
                    }
                });
            }

            foreach (NodeLocation old in replaced)
            {
                _space.Free(old, rootSeq);
            }

            // Make the root records (and the pointer swaps of splits whose nodes inherited pins) durable, then drop pins.
            List<BtreeNode> pinned = CollectNodes().Where(n => n.PinSeq != 0).ToList();
            ulong durableNeeded = rootSeq;
            foreach (BtreeNode node in pinned)
            {
                ulong cleanAt = node.CleanAt;
                if (cleanAt != PendingWriteBack)
                {
                    durableNeeded = Math.Max(durableNeeded, cleanAt);
                }
            }

            SetStage($"flushing the journal to {durableNeeded}"); // once per pass
            if (durableNeeded > _journal.DurableSeq)
            {
                await _journal.FlushAsync(durableNeeded, writeBack: true, CancellationToken.None).ConfigureAwait(false);
            }

            SetStage("releasing pins");
            foreach (BtreeNode node in pinned)
            {
                ReleasePinIfWritten(node);
            }
        }
        finally
        {
            SetStage("idle");
            _writeBackGate.Release();
        }
    }

    private int MaxLevel()
    {
        int max = 0;
        foreach (BtreeId id in AllBtrees)
        {
            max = Math.Max(max, Slot(id).Node.Level);
        }

        return max;
    }

    private static void WithIntent(BtreeNode node, Action<BtreeNode> action)
    {
        node.Lock.Lock(SixLockType.Intent);
        try
        {
            action(node);
        }
        finally
        {
            node.Lock.Unlock(SixLockType.Intent);
        }
    }

    /// <summary>
    /// Drops the node's pin if its last write is reachable from a durable entry and it is clean, or
    /// moves the pin to <see cref="BtreeNode.FirstDirtySeq"/> if it was dirtied again since.
    /// </summary>
    private void ReleasePinIfWritten(BtreeNode node) => WithIntent(node, n =>
    {
        if (n.Dead || n.PinSeq == 0 || n.CleanAt == PendingWriteBack || n.CleanAt > _journal.DurableSeq)
        {
            return;
        }

        if (!n.Dirty)
        {
            _journal.PinDrop(n);
            n.PinSeq = 0;
        }
        else if (n.FirstDirtySeq > n.PinSeq)
        {
            _journal.PinUpdate(n, n.FirstDirtySeq);
            n.PinSeq = n.FirstDirtySeq;
        }
    });

    /// <summary>
    /// Writes <paramref name="node"/> to a new location if it is dirty (its unwritten children first),
    /// points its parent at it, or journals it as its btree's root. Returns the root record's
    /// sequence (0 when the node is not a root or was not written).
    /// </summary>
    private ulong WriteBack(BtreeNode node, List<BtreeNode> written, List<NodeLocation> replaced)
    {
        while (!node.Dead)
        {
            var locks = new BtreeLockSet(this);
            BtreeNode? unwrittenChild = null;
            ulong rootSeq = 0;
            bool done;
            using var reservation = new BtreeJournalSpace(_journal, 1, s_rootRecordSize, writeBack: true);
            try
            {
                done = TryWriteBackOnce(locks, node, reservation, written, replaced, ref rootSeq, ref unwrittenChild);
            }
            catch (BtreeRestartException restart)
            {
                locks.DropForRestart(restart);
                done = false;
            }
            catch (BtreeJournalFullException)
            {
                locks.ReleaseAll();
                SetStage("waiting for journal space to write", node);
                reservation.WaitForSpace();
                done = false;
            }
            finally
            {
                locks.ReleaseAll();
            }

            if (unwrittenChild is not null)
            {
                WriteBack(unwrittenChild, written, replaced);
                continue;
            }

            if (done)
            {
                return rootSeq;
            }
        }

        return 0;
    }

    private bool TryWriteBackOnce(BtreeLockSet locks, BtreeNode node, BtreeJournalSpace reservation, List<BtreeNode> written,
        List<NodeLocation> replaced, ref ulong rootSeq, ref BtreeNode? unwrittenChild)
    {
        RootSlot slot = Slot(node.Btree);
        BtreeNode? parent = null;
        if (ReferenceEquals(slot.Node, node))
        {
            locks.Acquire(node, SixLockType.Intent);
            if (!ReferenceEquals(slot.Node, node) || node.Dead)
            {
                return node.Dead;
            }
        }
        else
        {
            SetStage("intent on the parent of", node);
            parent = Descend(locks, node.Btree, node.Max, node.Level + 1, SixLockType.Intent);
            if (parent is null || parent.IndexOfChild(node) < 0)
            {
                return node.Dead;
            }

            SetStage("intent on", node);
            locks.Acquire(node, SixLockType.Intent);
        }

        if (!node.Dirty || node.Dead)
        {
            return true;
        }

        if (!node.IsLeaf)
        {
            foreach (ChildRef child in node.Children)
            {
                if (child.Location is null)
                {
                    unwrittenChild = child.Node;
                    return false;
                }
            }
        }
        else if (node.Bsets.Count >= _options.MaxBsetsPerNode)
        {
            locks.Acquire(node, SixLockType.Write);
            node.Compact();
            locks.Release(node, SixLockType.Write);
            Interlocked.Increment(ref _compactions);
        }

        if (parent is null)
        {
            reservation.Take(); // under the root's intent, before it is written: the record's sequence follows every change in the pass's images
        }

        SetStage("writing the image of", node);
        NodeLocation location = WriteToNewLocation(node);
        if (parent is not null)
        {
            SetStage("write lock on the parent of", node);
            locks.Acquire(parent, SixLockType.Write);
            ChildRef entry = parent.Children[parent.IndexOfChild(node)];
            entry.Location = location;
            entry.Version = node.NodeSeq;
            MarkDirty(parent, 0);
            locks.Release(parent, SixLockType.Write);
        }
        else
        {
            ulong seq = reservation.Seq;
            reservation.Add(BtreeJournalRecords.RootWrittenType, BtreeJournalRecords.EncodeRootWritten(node.Btree, node.Level, location));
            slot.RecordWrite(seq, new BtreeRoot(node.Level, location), _journal.DurableSeq);
            List<NodeLocation> formerRoots;
            lock (slot.Gate)
            {
                formerRoots = [.. slot.FreeAtNextRootWrite];
                slot.FreeAtNextRootWrite.Clear();
            }

            foreach (NodeLocation former in formerRoots)
            {
                _space.Free(former, seq);
            }

            rootSeq = seq;
        }

        if (node.Location is { } old)
        {
            replaced.Add(old);
        }

        node.Location = location;
        node.Dirty = false;
        node.FirstDirtySeq = 0;
        node.CleanAt = PendingWriteBack;
        written.Add(node);
        return true;
    }
}
