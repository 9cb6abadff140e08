namespace Primitives.Filesystem.Btrees;

/// <summary>Creating empty trees, loading trees from their roots, and journal replay.</summary>
public sealed partial class BtreeStore
{
    /// <summary>
    /// Creates empty btrees (one empty leaf root each), writes them through <paramref name="space"/> and
    /// returns the store; <see cref="Roots"/> then lists the new roots (for the superblock or first journal entry).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are inconsistent, or the node sizes of space and options differ.</exception>
    public static async Task<BtreeStore> CreateAsync(IBtreeNodeSpace space, IBtreeJournal journal, BtreeStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        BtreeStore store = NewStore(space, journal, options);
        foreach (BtreeId id in AllBtrees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var root = BtreeNode.NewLeaf(store, id, Bpos.Min, Bpos.Max, []);
            root.NodeSeq = store.NextWriteVersion();
            byte[] image = BtreeNodeFormat.Serialize(root, store.NodeSize);
            NodeLocation location = space.Allocate();
            await space.WriteAsync(location, image, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref store._nodeWrites);
            root.Location = location;
            store.Slot(id).Node = root;
            store.Slot(id).RecordWrite(0, new BtreeRoot(0, location), 0);
        }

        return store;
    }

    /// <summary>
    /// Opens btrees from <paramref name="roots"/> (the newest valid journal entry's, or the clean
    /// superblock's) and replays the journal's btree records: child pointers level by level from the
    /// top (so no node is read through a pointer a later entry replaced), then leaf keys, each in
    /// sequence order. Every node ends up cached in memory. Replayed changes stay dirty and unpinned
    /// (<see cref="HasReplayedChanges"/>): once the journal's entries can carry this store's roots
    /// (<see cref="RootsAt"/>), call <see cref="FlushAllAsync"/>, and keep the replayed journal entries
    /// until it has returned.
    /// </summary>
    /// <param name="space">The node space.</param>
    /// <param name="journal">The journal, already accepting new reservations after the replayed range.</param>
    /// <param name="roots">The roots to start from. A btree missing from it starts empty.</param>
    /// <param name="maxValidJournalSeq">The newest durable journal sequence: bsets with a newer journal sequence are ignored.</param>
    /// <param name="replay">The btree records of the journal entries in [last_seq, newest] (any order; sorted by sequence here), or null.</param>
    /// <param name="options">The options (node size must match the space's).</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <exception cref="BtreeNodeCorruptException">A node fails verification.</exception>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    public static async Task<BtreeStore> OpenAsync(
        IBtreeNodeSpace space, IBtreeJournal journal, BtreeRoots roots, ulong maxValidJournalSeq,
        IEnumerable<BtreeJournalRecord>? replay = null, BtreeStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roots);
        BtreeStore store = NewStore(space, journal, options);
        List<BtreeJournalRecord> records = replay is null ? [] : replay.OrderBy(r => r.Seq).ToList();
        bool changed = false;
        var tableRoots = new BtreeNode?[AllBtrees.Count];

        foreach (BtreeId id in AllBtrees)
        {
            RootSlot slot = store.Slot(id);
            if (roots.Roots.TryGetValue(id, out BtreeRoot root))
            {
                slot.Node = await store.LoadAsync(root.Location, 0, id, root.Level, Bpos.Min, Bpos.Max, maxValidJournalSeq, cancellationToken).ConfigureAwait(false);
                tableRoots[(int)id] = slot.Node;
                slot.RecordWrite(0, root, 0);
            }
            else
            {
                var empty = BtreeNode.NewLeaf(store, id, Bpos.Min, Bpos.Max, []);
                empty.Dirty = true;
                slot.Node = empty;
                changed = true;
            }

            // Growths newer than the root's level: the new root was not written before the stop.
            foreach (BtreeJournalRecord record in records)
            {
                if (record.Btree == id && record.Kind == BtreeJournalRecordKind.RootGrown && record.Level > slot.Node.Level)
                {
                    BtreeNode old = slot.Node;
                    var grown = BtreeNode.NewInterior(store, id, record.Level, Bpos.Min, Bpos.Max, [ChildRef.For(old)]);
                    grown.Dirty = true;
                    slot.Node = grown;
                    changed = true;
                }
            }
        }

        // Child pointers, highest level first; children are loaded only once their level's pointers are final.
        int maxLevel = records.Where(r => r.Kind == BtreeJournalRecordKind.Key).Select(r => r.Level).DefaultIfEmpty(0).Max();
        for (int level = maxLevel; level >= 1; level--)
        {
            foreach (BtreeJournalRecord record in records)
            {
                if (record.Kind != BtreeJournalRecordKind.Key || record.Level != level)
                {
                    continue;
                }

                BtreeNode? node = await store.FindUnlockedAsync(record.Btree, record.Key.Pos, level, maxValidJournalSeq, cancellationToken).ConfigureAwait(false);
                if (node is null)
                {
                    throw new FilesystemException($"journal entry {record.Seq} updates level {level} of {record.Btree}, which is only {store.Height(record.Btree)} levels tall");
                }

                bool applied;
                if (record.Key.IsWhiteout && ChildPointer.TryDecodeRemoval(record.Key.Value.Span, out ulong replacedBy))
                {
                    applied = node.RemoveChild(record.Key.Pos, replacedBy, record.Seq);
                }
                else if (!record.Key.IsWhiteout && ChildPointer.TryDecode(record.Key.Value.Span, out ChildPointer pointer))
                {
                    applied = node.SetChild(pointer.Min, record.Key.Pos, pointer.Location, pointer.Version, record.Seq);
                    store.SeeWriteVersion(pointer.Version);
                }
                else
                {
                    throw new FilesystemException($"journal entry {record.Seq} holds a bad child pointer for {record.Btree} level {level} at {record.Key.Pos}");
                }

                if (applied)
                {
                    node.Dirty = true;
                    changed = true;
                }
            }
        }

        foreach (BtreeId id in AllBtrees)
        {
            await store.LoadAllAsync(store.Slot(id).Node, maxValidJournalSeq, cancellationToken).ConfigureAwait(false);
        }

        // A table root that replay replaced (the tree grew and split it before the stop) is freed at the next root write.
        var live = new HashSet<BtreeNode>(store.CollectNodes(), ReferenceEqualityComparer.Instance);
        foreach (BtreeId id in AllBtrees)
        {
            RootSlot slot = store.Slot(id);
            if (tableRoots[(int)id] is { } tableRoot && !live.Contains(tableRoot) && tableRoot.Location is { } location)
            {
                slot.FreeAtNextRootWrite.Add(location);
            }
        }

        // Leaf keys, in sequence order, through the normal insert path (splits write and journal as usual).
        foreach (BtreeJournalRecord record in records)
        {
            if (record.Kind == BtreeJournalRecordKind.Key && record.Level == 0)
            {
                store.ApplyReplayedKey(record.Btree, record.Key, record.Seq);
                changed = true;
            }
        }

        store.HasReplayedChanges = changed;
        return store;
    }

    /// <summary>Whether <see cref="OpenAsync"/> replayed or created anything that <see cref="FlushAllAsync"/> must still write.</summary>
    public bool HasReplayedChanges { get; private set; }

    /// <summary>
    /// Applies one replayed leaf key (or whiteout) without journaling it again; the leaf becomes dirty
    /// but unpinned (the caller writes everything with <see cref="FlushAllAsync"/> before the replayed
    /// journal entries may be reclaimed). For engines that replay records of their own.
    /// </summary>
    /// <exception cref="ArgumentException">The value is too large.</exception>
    public void ApplyReplayedKey(BtreeId btree, BtreeKey key, ulong seq)
    {
        if (key.Value.Length > _options.MaxValueSize)
        {
            throw new ArgumentException($"a replayed value of {key.Value.Length} bytes exceeds the {_options.MaxValueSize}-byte limit", nameof(key));
        }

        BtreeKey[] one = [key];
        while (true)
        {
            var locks = new BtreeLockSet(this);
            BtreeNode? leaf = null;
            bool split = false;
            try
            {
                leaf = Descend(locks, btree, key.Pos, 0, Locking.SixLockType.Intent)!;
                if (leaf.UsedBytes + leaf.BytesNeeded(one) > NodeSize)
                {
                    if (leaf.CompactedBytes() + BtreeNode.BsetHeaderSize + key.EncodedSize > NodeSize)
                    {
                        split = true;
                    }
                    else
                    {
                        locks.Acquire(leaf, Locking.SixLockType.Write);
                        leaf.Compact();
                        CountCompaction();
                        locks.Release(leaf, Locking.SixLockType.Write);
                    }
                }

                if (!split)
                {
                    locks.Acquire(leaf, Locking.SixLockType.Write);
                    leaf.Apply(key, seq);
                    MarkDirty(leaf, 0);
                    return;
                }
            }
            catch (BtreeRestartException restart)
            {
                locks.DropForRestart(restart);
                continue;
            }
            finally
            {
                locks.ReleaseAll();
            }

            Split(leaf!, one);
        }
    }

    private static BtreeStore NewStore(IBtreeNodeSpace space, IBtreeJournal journal, BtreeStoreOptions? options)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(journal);
        options ??= new BtreeStoreOptions();
        options.Validate();
        if (space.NodeSize != options.NodeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"the node space's node size ({space.NodeSize}) differs from the options' ({options.NodeSize})");
        }

        return new BtreeStore(space, journal, options);
    }

    /// <summary>Reads the node at <paramref name="location"/>; <paramref name="version"/> (0: any) is the write version its parent's pointer names.</summary>
    private async Task<BtreeNode> LoadAsync(NodeLocation location, ulong version, BtreeId btree, int level, Bpos min, Bpos max, ulong maxValidJournalSeq, CancellationToken cancellationToken)
    {
        byte[] image = new byte[NodeSize];
        await _space.ReadAsync(location, image, cancellationToken).ConfigureAwait(false);
        BtreeNode node = BtreeNodeFormat.Deserialize(this, image, location, btree, level, min, max, maxValidJournalSeq);
        if (version != 0 && node.NodeSeq != version)
        {
            throw new BtreeNodeCorruptException(btree, level, location.Offset, $"the parent's pointer names write version {version}, the node at {location} is version {node.NodeSeq} (a stale pointer)");
        }

        SeeWriteVersion(node.NodeSeq);
        return node;
    }

    /// <summary>Walks down without locks (open is single-threaded), loading children on the way.</summary>
    private async Task<BtreeNode?> FindUnlockedAsync(BtreeId btree, Bpos pos, int level, ulong maxValidJournalSeq, CancellationToken cancellationToken)
    {
        BtreeNode node = Slot(btree).Node;
        if (node.Level < level)
        {
            return null;
        }

        while (node.Level > level)
        {
            ChildRef child = node.ChildFor(pos);
            child.Node ??= await LoadAsync(child.Location!.Value, child.Version, btree, node.Level - 1, child.Min, child.Max, maxValidJournalSeq, cancellationToken).ConfigureAwait(false);
            node = child.Node;
        }

        return node;
    }

    private async Task LoadAllAsync(BtreeNode node, ulong maxValidJournalSeq, CancellationToken cancellationToken)
    {
        if (node.IsLeaf)
        {
            return;
        }

        foreach (ChildRef child in node.Children)
        {
            if (child.Node is null)
            {
                if (child.Location is not { } location)
                {
                    throw new FilesystemException($"{node} has a child [{child.Min}, {child.Max}] with no location");
                }

                child.Node = await LoadAsync(location, child.Version, node.Btree, node.Level - 1, child.Min, child.Max, maxValidJournalSeq, cancellationToken).ConfigureAwait(false);
            }

            await LoadAllAsync(child.Node, maxValidJournalSeq, cancellationToken).ConfigureAwait(false);
        }
    }
}
