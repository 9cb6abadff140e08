using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// Structural changes: split (growing the root when the root splits) and merge. Each runs with no
/// other locks held: it reserves journal space first, takes intent on the parent and the nodes,
/// writes the new nodes to new locations while readers go on, journals the parent's new pointers in
/// one entry, then takes write for the moment it swaps the pointers in.
/// </summary>
public sealed partial class BtreeStore
{
    private static readonly int s_pointerRecordSize = 2 + ChildRef.PointerKeySize(Bpos.Max);

    private enum StructureStep
    {
        Done,
        Retry,
        SplitParentFirst,
    }

    /// <summary>
    /// Splits <paramref name="target"/> in two (no-op if it is already gone). For a leaf, the split point
    /// balances its live keys plus <paramref name="pending"/> keys about to be inserted.
    /// </summary>
    internal void Split(BtreeNode target, IReadOnlyList<BtreeKey>? pending)
    {
        while (!target.Dead)
        {
            BtreeNode? parentToSplit = null;
            StructureStep step;
            var locks = new BtreeLockSet(this);
            using var reservation = new BtreeJournalSpace(_journal, 3, 3 * s_pointerRecordSize);
            try
            {
                step = TrySplit(locks, target, pending, reservation, out parentToSplit);
            }
            catch (BtreeRestartException restart)
            {
                locks.DropForRestart(restart);
                step = StructureStep.Retry;
            }
            catch (BtreeJournalFullException)
            {
                locks.ReleaseAll();
                reservation.WaitForSpace();
                step = StructureStep.Retry;
            }
            finally
            {
                locks.ReleaseAll();
            }

            if (step == StructureStep.Done)
            {
                return;
            }

            if (step == StructureStep.SplitParentFirst)
            {
                Split(parentToSplit!, null);
            }
        }
    }

    private StructureStep TrySplit(BtreeLockSet locks, BtreeNode target, IReadOnlyList<BtreeKey>? pending, BtreeJournalSpace reservation, out BtreeNode? parentToSplit)
    {
        parentToSplit = null;
        RootSlot slot = Slot(target.Btree);
        BtreeNode parent;
        if (ReferenceEquals(slot.Node, target))
        {
            locks.Acquire(target, SixLockType.Intent);
            if (!ReferenceEquals(slot.Node, target) || target.Dead)
            {
                return StructureStep.Retry;
            }

            parent = GrowRoot(locks, slot, target, reservation);
        }
        else
        {
            BtreeNode? found = Descend(locks, target.Btree, target.Max, target.Level + 1, SixLockType.Intent);
            if (found is null || found.IndexOfChild(target) < 0)
            {
                return target.Dead ? StructureStep.Done : StructureStep.Retry;
            }

            parent = found;
            if (!parent.HasRoomForChild(NodeSize))
            {
                parentToSplit = parent;
                return StructureStep.SplitParentFirst;
            }

            locks.Acquire(target, SixLockType.Intent);
            if (target.Dead)
            {
                return StructureStep.Done;
            }
        }

        if (target.IsLeaf ? target.LiveKeys().Count + (pending?.Count ?? 0) < 2 : target.Children.Count < 2)
        {
            return StructureStep.Done;
        }

        DoSplit(locks, parent, target, pending, reservation);
        return StructureStep.Done;
    }

    /// <summary>
    /// Puts a new, unwritten root above <paramref name="oldRoot"/> (whose intent the caller holds) with
    /// the old root as its only child; journals the growth. Returns the new root with intent held.
    /// </summary>
    private BtreeNode GrowRoot(BtreeLockSet locks, RootSlot slot, BtreeNode oldRoot, BtreeJournalSpace reservation)
    {
        reservation.Take(); // under the old root's intent, before anything changes
        var newRoot = BtreeNode.NewInterior(this, oldRoot.Btree, oldRoot.Level + 1, Bpos.Min, Bpos.Max,
            [ChildRef.For(oldRoot)]);
        locks.Acquire(newRoot, SixLockType.Intent); // a fresh lock: never busy
        reservation.Add(BtreeJournalRecords.RootGrownType, BtreeJournalRecords.EncodeRootGrown(oldRoot.Btree, newRoot.Level));
        newRoot.JournalSeq = reservation.Seq;
        MarkDirty(newRoot, reservation.Seq);

        // Readers that locked the old root re-check the slot after locking and go again from the new root.
        locks.Acquire(oldRoot, SixLockType.Write);
        slot.Node = newRoot;
        locks.Release(oldRoot, SixLockType.Write);
        Interlocked.Increment(ref _rootGrowths);
        return newRoot;
    }

    private void DoSplit(BtreeLockSet locks, BtreeNode parent, BtreeNode target, IReadOnlyList<BtreeKey>? pending, BtreeJournalSpace reservation)
    {
        reservation.Take(); // under intent on parent and target, before anything is written
        BtreeNode left, right;
        if (target.IsLeaf)
        {
            List<BtreeKey> keys = target.LiveKeys();
            Bpos splitPos = ChooseLeafSplit(keys, pending);
            int cut = 0;
            while (cut < keys.Count && keys[cut].Pos <= splitPos)
            {
                cut++;
            }

            left = BtreeNode.NewLeaf(this, target.Btree, target.Min, splitPos, [new Bset(0, keys.GetRange(0, cut), target.JournalSeq, isOpen: true)]);
            right = BtreeNode.NewLeaf(this, target.Btree, BtreeNodeFormat.Successor(splitPos), target.Max, [new Bset(0, keys.GetRange(cut, keys.Count - cut), target.JournalSeq, isOpen: true)]);
        }
        else
        {
            List<ChildRef> children = target.Children;
            int mid = children.Count / 2;
            left = BtreeNode.NewInterior(this, target.Btree, target.Level, target.Min, children[mid - 1].Max, children.GetRange(0, mid));
            right = BtreeNode.NewInterior(this, target.Btree, target.Level, children[mid].Min, target.Max, children.GetRange(mid, children.Count - mid));
        }

        left.JournalSeq = right.JournalSeq = target.JournalSeq;
        left.Location = WriteToNewLocation(left);
        right.Location = WriteToNewLocation(right);

        ulong seq = reservation.Seq;
        AddPointerRecord(reservation, parent, left);
        AddPointerRecord(reservation, parent, right);

        locks.Acquire(parent, SixLockType.Write);
        locks.Acquire(target, SixLockType.Write);
        int index = parent.IndexOfChild(target);
        parent.Children[index] = ChildRef.For(right);
        parent.Children.Insert(index, ChildRef.For(left));
        parent.JournalSeq = Math.Max(parent.JournalSeq, seq);
        MarkDirty(parent, seq);
        InheritPin(target, seq, left, right);
        target.Dead = true;
        FreeReplaced(target, seq);

        locks.Release(target, SixLockType.Write);
        locks.Release(parent, SixLockType.Write);
        Interlocked.Increment(ref _splits);
    }

    /// <summary>
    /// The last position of the left half: splits the live keys plus the pending ones about in half by
    /// bytes, never leaving a half empty of positions.
    /// </summary>
    private static Bpos ChooseLeafSplit(List<BtreeKey> keys, IReadOnlyList<BtreeKey>? pending)
    {
        var sizes = new SortedDictionary<Bpos, int>();
        foreach (BtreeKey key in keys)
        {
            sizes[key.Pos] = BtreeKeyCodec.EncodedSize(key);
        }

        if (pending is not null)
        {
            foreach (BtreeKey key in pending)
            {
                sizes[key.Pos] = BtreeKeyCodec.EncodedSize(key);
            }
        }

        if (sizes.Count < 2)
        {
            throw new InvalidOperationException("a leaf with fewer than two positions cannot be split");
        }

        long total = sizes.Values.Sum(s => (long)s);
        long sum = 0;
        int index = 0;
        Bpos last = default;
        foreach (var (pos, size) in sizes)
        {
            if (index == sizes.Count - 1)
            {
                break;
            }

            last = pos;
            sum += size;
            index++;
            if (sum * 2 >= total)
            {
                break;
            }
        }

        return last;
    }

    /// <summary>
    /// Frees the location of a node replaced at <paramref name="seq"/>; a former root's location stays
    /// until the next root write, because the roots table keeps naming it until then.
    /// </summary>
    private void FreeReplaced(BtreeNode node, ulong seq)
    {
        if (node.Location is not { } old)
        {
            return;
        }

        RootSlot slot = Slot(node.Btree);
        lock (slot.Gate)
        {
            if (slot.Written.Count > 0 && slot.Written[^1].Root.Location == old)
            {
                slot.FreeAtNextRootWrite.Add(old);
                return;
            }
        }

        _space.Free(old, seq);
    }

    private static void AddPointerRecord(BtreeJournalSpace reservation, BtreeNode parent, BtreeNode child) =>
        reservation.Add(BtreeJournalRecords.KeyType, BtreeJournalRecords.EncodeKey(parent.Btree, parent.Level,
            new BtreeKey(child.Max, new ChildPointer(child.Min, child.Location!.Value, child.NodeSeq).Encode(), false)));

    /// <summary>
    /// The replacements of <paramref name="old"/> are written, but reachable only once <paramref name="seq"/>
    /// is durable: they are clean as of <paramref name="seq"/> and keep the old node's pin until then.
    /// </summary>
    private void InheritPin(BtreeNode old, ulong seq, params BtreeNode[] replacements)
    {
        ulong pinSeq = old.PinSeq;
        foreach (BtreeNode node in replacements)
        {
            node.Dirty = false;
            node.CleanAt = seq;
            if (pinSeq != 0)
            {
                _journal.PinAdd(node, pinSeq);
                node.PinSeq = pinSeq;
            }
        }

        if (pinSeq != 0)
        {
            _journal.PinDrop(old);
            old.PinSeq = 0;
        }
    }

    /// <summary>Merges <paramref name="leaf"/> with a sibling under the same parent when both fit in one node comfortably (best effort).</summary>
    internal void TryMerge(BtreeNode leaf)
    {
        while (!leaf.Dead)
        {
            var locks = new BtreeLockSet(this);
            using var reservation = new BtreeJournalSpace(_journal, 2, 2 * s_pointerRecordSize);
            try
            {
                if (TryMergeOnce(locks, leaf, reservation))
                {
                    return;
                }
            }
            catch (BtreeRestartException restart)
            {
                locks.DropForRestart(restart);
            }
            catch (BtreeJournalFullException)
            {
                locks.ReleaseAll();
                reservation.WaitForSpace();
            }
            finally
            {
                locks.ReleaseAll();
            }
        }
    }

    /// <summary>One attempt; true when done (merged or not worth it), false to retry.</summary>
    private bool TryMergeOnce(BtreeLockSet locks, BtreeNode leaf, BtreeJournalSpace reservation)
    {
        BtreeNode? parent = Descend(locks, leaf.Btree, leaf.Max, 1, SixLockType.Intent);
        if (parent is null)
        {
            return true; // the leaf is the root
        }

        int index = parent.IndexOfChild(leaf);
        if (index < 0)
        {
            return leaf.Dead;
        }

        if (parent.Children.Count < 2)
        {
            return true;
        }

        int leftIndex = index + 1 < parent.Children.Count ? index : index - 1;
        BtreeNode left = parent.Children[leftIndex].Node!, right = parent.Children[leftIndex + 1].Node!;
        locks.Acquire(left, SixLockType.Intent);
        locks.Acquire(right, SixLockType.Intent);
        int overhead = BtreeNode.HeaderSize + BtreeNode.BsetHeaderSize;
        int leftBytes = left.CompactedBytes(), rightBytes = right.CompactedBytes();
        if (Math.Min(leftBytes, rightBytes) > NodeSize * _options.MergeThreshold || leftBytes + rightBytes - overhead > NodeSize * 2 / 3)
        {
            return true;
        }

        reservation.Take(); // under intent on parent and both leaves, before anything is written
        List<BtreeKey> keys = left.LiveKeys();
        keys.AddRange(right.LiveKeys());
        var merged = BtreeNode.NewLeaf(this, leaf.Btree, left.Min, right.Max, [new Bset(0, keys, Math.Max(left.JournalSeq, right.JournalSeq), isOpen: true)]);
        merged.JournalSeq = Math.Max(left.JournalSeq, right.JournalSeq);
        merged.Location = WriteToNewLocation(merged);

        ulong seq = reservation.Seq;
        reservation.Add(BtreeJournalRecords.KeyType, BtreeJournalRecords.EncodeKey(leaf.Btree, parent.Level, new BtreeKey(left.Max, ChildPointer.EncodeRemoval(merged.NodeSeq), true)));
        AddPointerRecord(reservation, parent, merged);

        locks.Acquire(parent, SixLockType.Write);
        locks.Acquire(left, SixLockType.Write);
        locks.Acquire(right, SixLockType.Write);
        parent.Children[leftIndex + 1] = ChildRef.For(merged);
        parent.Children.RemoveAt(leftIndex);
        parent.JournalSeq = Math.Max(parent.JournalSeq, seq);
        MarkDirty(parent, seq);

        // The merged node keeps the older of the two pins until the pointer swap is durable.
        BtreeNode older = left.PinSeq != 0 && (right.PinSeq == 0 || left.PinSeq <= right.PinSeq) ? left : right;
        BtreeNode other = ReferenceEquals(older, left) ? right : left;
        InheritPin(older, seq, merged);
        if (other.PinSeq != 0)
        {
            _journal.PinDrop(other);
            other.PinSeq = 0;
        }

        left.Dead = right.Dead = true;
        FreeReplaced(left, seq);
        FreeReplaced(right, seq);

        locks.Release(right, SixLockType.Write);
        locks.Release(left, SixLockType.Write);
        locks.Release(parent, SixLockType.Write);
        Interlocked.Increment(ref _merges);
        return true;
    }
}
