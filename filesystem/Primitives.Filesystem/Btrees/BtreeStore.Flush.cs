using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// Writing nodes out: copy-on-write to a new location, then the parent's pointer (journalled) or
/// the roots table; journal reclaim's callback; and writing every dirty node for unmount/freeze.
/// </summary>
public sealed partial class BtreeStore
{
    private static readonly int s_rootRecordSize = 2 + NodeLocation.EncodedSize;

    /// <summary>
    /// Writes every dirty node (children before parents, so each parent's pointers are final), then
    /// makes the journal durable up to the last pointer update and drops the nodes' pins. After it
    /// returns, with no commits in between, <see cref="Roots"/> describes every key.
    /// </summary>
    public async Task FlushAllAsync(CancellationToken cancellationToken = default)
    {
        ulong lastSeq = 0;
        for (int pass = 0; ; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<BtreeNode> dirty = CollectNodes().Where(n => n.Dirty).OrderBy(n => n.Level).ToList();
            if (dirty.Count == 0)
            {
                break;
            }

            foreach (BtreeNode node in dirty)
            {
                lastSeq = Math.Max(lastSeq, FlushNode(node));
            }
        }

        await _journal.FlushAsync(lastSeq, cancellationToken).ConfigureAwait(false);
        foreach (BtreeNode node in CollectNodes())
        {
            if (node.PinSeq != 0)
            {
                DropPinIfClean(node);
            }
        }
    }

    /// <summary>
    /// Journal reclaim asks a pinned node to go: a dirty node is written (copy-on-write); once the
    /// pointer update that makes the write reachable is durable, the pin is dropped.
    /// </summary>
    internal async ValueTask FlushForReclaimAsync(BtreeNode node, CancellationToken cancellationToken)
    {
        if (node.Dead)
        {
            return;
        }

        ulong cleanAt = node.Dirty ? FlushNode(node) : node.CleanAt;
        if (cleanAt > _journal.DurableSeq)
        {
            await _journal.FlushAsync(cleanAt, cancellationToken).ConfigureAwait(false);
        }

        DropPinIfClean(node);
    }

    /// <summary>Drops the node's pin if it is clean and its last write is reachable from a durable entry.</summary>
    private void DropPinIfClean(BtreeNode node)
    {
        node.Lock.Lock(SixLockType.Intent);
        try
        {
            if (!node.Dead && !node.Dirty && node.PinSeq != 0 && node.CleanAt <= _journal.DurableSeq)
            {
                _journal.PinDrop(node);
                node.PinSeq = 0;
            }
        }
        finally
        {
            node.Lock.Unlock(SixLockType.Intent);
        }
    }

    /// <summary>
    /// Writes <paramref name="node"/> to a new location if it is dirty and journals the pointer update
    /// (or records the new root). Returns the journal sequence that makes the write reachable (0 when
    /// nothing was written).
    /// </summary>
    internal ulong FlushNode(BtreeNode node)
    {
        while (!node.Dead)
        {
            var locks = new BtreeLockSet(this);
            BtreeNode? unwrittenChild = null;
            ulong result = 0;
            bool done;
            using var reservation = new BtreeJournalSpace(_journal, 1, Math.Max(s_pointerRecordSize, s_rootRecordSize));
            try
            {
                done = TryFlushOnce(locks, node, reservation, ref result, ref unwrittenChild);
            }
            catch (BtreeRestartException restart)
            {
                locks.DropForRestart(restart);
                done = false;
            }
            catch (BtreeJournalFullException)
            {
                locks.ReleaseAll();
                reservation.WaitForSpace();
                done = false;
            }
            finally
            {
                locks.ReleaseAll();
            }

            if (unwrittenChild is not null)
            {
                FlushNode(unwrittenChild);
                continue;
            }

            if (done)
            {
                return result;
            }
        }

        return 0;
    }

    private bool TryFlushOnce(BtreeLockSet locks, BtreeNode node, BtreeJournalSpace reservation, ref ulong result, ref BtreeNode? unwrittenChild)
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
            parent = Descend(locks, node.Btree, node.Max, node.Level + 1, SixLockType.Intent);
            if (parent is null || parent.IndexOfChild(node) < 0)
            {
                return node.Dead;
            }

            locks.Acquire(node, SixLockType.Intent);
        }

        if (!node.Dirty || node.Dead)
        {
            return true;
        }

        reservation.Take(); // under intent on node and parent, before anything is written
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

        NodeLocation location = WriteToNewLocation(node);
        ulong seq = reservation.Seq;
        if (parent is not null)
        {
            reservation.Add(BtreeJournalRecords.KeyType, BtreeJournalRecords.EncodeKey(node.Btree, parent.Level,
                new BtreeKey(node.Max, new ChildPointer(node.Min, location).Encode(), false)));
            locks.Acquire(parent, SixLockType.Write);
            parent.Children[parent.IndexOfChild(node)].Location = location;
            parent.JournalSeq = Math.Max(parent.JournalSeq, seq);
            MarkDirty(parent, seq);
            locks.Release(parent, SixLockType.Write);
        }
        else
        {
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
        }

        NodeLocation? old = node.Location;
        node.Location = location;
        node.Dirty = false;
        node.CleanAt = seq;
        if (old is { } o)
        {
            _space.Free(o, seq);
        }

        result = seq;
        return true;
    }
}
