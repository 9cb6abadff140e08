using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>The commit path: reserve, lock leaves in order, check room, journal, apply, pin.</summary>
public sealed partial class BtreeTransaction
{
    /// <inheritdoc />
    /// <remarks>
    /// <para>Steps: walk to each leaf in (btree, position) order taking intent on it (interior nodes
    /// read-locked on the way); if a leaf lacks room even after compaction, drop everything, split it,
    /// and start again; reserve journal space without waiting (if the journal is full, drop
    /// everything, wait for space, start again); take write on the leaves in the same order; journal the keys; apply them to the leaves' open bsets; pin every
    /// dirtied leaf at the commit's sequence; release. A would-deadlock (a busy lock out of order)
    /// restarts: drop all locks, wait for the busy one, relock the leaves by sequence, or walk again.</para>
    /// <para>After the commit, leaves that fell below the merge threshold are merged with a sibling.</para>
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The transaction was committed or disposed.</exception>
    public ulong Commit()
    {
        ThrowIfFinished();
        _finished = true;
        if (_updates.Count == 0)
        {
            return 0;
        }

        var updates = new List<(BtreeId Btree, BtreeKey Key)>(_updates.Count);
        int payload = 0;
        foreach (var (id, key) in _updates)
        {
            updates.Add((id.Btree, key));
            payload += BtreeJournalRecords.KeyPayloadSize(key);
        }

        _updates.Clear();
        long start = _store.CommitTimes is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            BtreeNode? toSplit = null;
            List<BtreeKey>? splitKeys = null;
            List<BtreeNode>? toMerge = null;
            ulong seq;
            using (var reservation = new BtreeJournalSpace(_store.Journal, updates.Count, payload))
            {
                try
                {
                    seq = TryCommit(updates, reservation, out toSplit, out splitKeys, out toMerge);
                }
                catch (BtreeJournalFullException)
                {
                    reservation.WaitForSpace();
                    continue;
                }
            }

            if (toSplit is not null)
            {
                _store.Split(toSplit, splitKeys);
                continue;
            }

            _store.CountCommit();
            _store.CommitTimes?.Record(start, System.Diagnostics.Stopwatch.GetTimestamp());
            if (toMerge is not null)
            {
                foreach (BtreeNode leaf in toMerge)
                {
                    _store.TryMerge(leaf);
                }
            }

            return seq;
        }
    }

    /// <summary>One attempt under <paramref name="reservation"/>; returns its sequence, or 0 with the leaf to split.</summary>
    private ulong TryCommit(List<(BtreeId Btree, BtreeKey Key)> updates, BtreeJournalSpace reservation,
        out BtreeNode? toSplit, out List<BtreeKey>? splitKeys, out List<BtreeNode>? toMerge)
    {
        toSplit = null;
        splitKeys = null;
        toMerge = null;
        var locks = new BtreeLockSet(_store);
        var groups = new List<(BtreeNode Leaf, int Start, int End, bool Compact)>();
        int nodeSize = _store.NodeSize;
        try
        {
            // Phase 1: intent on every leaf, in order; check room.
            int i = 0;
            while (i < updates.Count)
            {
                try
                {
                    var (btree, first) = updates[i];
                    BtreeNode leaf = _store.Descend(locks, btree, first.Pos, 0, SixLockType.Intent)!;
                    _store.AfterCommitLeafLockedForTests?.Invoke(leaf);
                    int end = i + 1;
                    while (end < updates.Count && updates[end].Btree == btree && updates[end].Key.Pos <= leaf.Max)
                    {
                        end++;
                    }

                    var keys = new List<BtreeKey>(end - i);
                    for (int k = i; k < end; k++)
                    {
                        keys.Add(updates[k].Key);
                    }

                    bool compact = false;
                    if (leaf.UsedBytes + leaf.BytesNeeded(keys) > nodeSize)
                    {
                        int compacted = leaf.CompactedBytes() + BtreeNode.BsetHeaderSize;
                        foreach (BtreeKey key in keys)
                        {
                            compacted += BtreeKeyCodec.EncodedSize(key);
                        }

                        if (compacted > nodeSize)
                        {
                            toSplit = leaf;
                            splitKeys = keys;
                            return 0;
                        }

                        compact = true;
                    }

                    groups.Add((leaf, i, end, compact));
                    i = end;
                }
                catch (BtreeRestartException restart)
                {
                    locks.DropForRestart(restart);
                    if (!locks.TryRelock())
                    {
                        groups.Clear();
                        i = 0;
                    }
                }
            }

            // Phase 2: reserve journal space under the leaves' intent (records on one key get sequences in
            // the order the key changes); write on every leaf in the same order (waits only for readers);
            // journal, apply, pin.
            reservation.Take();
            bool mutant = BtreeMutants.CommitReleasesLeavesOneByOne;
            foreach (var group in groups)
            {
                if (!mutant)
                {
                    locks.Acquire(group.Leaf, SixLockType.Write);
                }
            }

            ulong seq = reservation.Seq;
            foreach (var (btree, key) in updates)
            {
                reservation.Add(BtreeJournalRecords.KeyType, BtreeJournalRecords.EncodeKey(btree, 0, key));
            }

            foreach (var (leaf, start, end, compact) in groups)
            {
                if (mutant)
                {
                    locks.Acquire(leaf, SixLockType.Write);
                }

                // Re-check under write: after a restart and relock, a node write may have sealed the open
                // bset meanwhile (the seq does not move), so a new bset header may be needed now.
                if (compact || leaf.UsedBytes + leaf.BytesNeeded(KeysOf(updates, start, end)) > nodeSize)
                {
                    leaf.Compact();
                    _store.CountCompaction();
                }

                bool deletes = false;
                for (int k = start; k < end; k++)
                {
                    leaf.Apply(updates[k].Key, seq);
                    deletes |= updates[k].Key.IsWhiteout;
                }

                _store.MarkDirty(leaf, seq);
                if (mutant)
                {
                    locks.Release(leaf, SixLockType.Write);
                }

                if (deletes && leaf.CompactedBytes() < nodeSize * _store.Options.MergeThreshold)
                {
                    (toMerge ??= []).Add(leaf);
                }
            }

            return seq;
        }
        finally
        {
            locks.ReleaseAll();
        }
    }

    private static IEnumerable<BtreeKey> KeysOf(List<(BtreeId Btree, BtreeKey Key)> updates, int start, int end)
    {
        for (int k = start; k < end; k++)
        {
            yield return updates[k].Key;
        }
    }
}
