using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A transaction over a <see cref="BtreeStore"/>: reads see committed data plus this transaction's
/// own pending updates; updates are buffered and applied atomically by <see cref="Commit"/>.
/// </summary>
/// <remarks>
/// <para>Use one transaction from one thread (node intent locks are owned by threads). Reads take
/// read locks down the path hand over hand and release them before returning; a range read keeps
/// the read locks of every leaf it visited until it has collected the whole range, so it never sees
/// half of a commit (commits hold write on all their leaves at once).</para>
/// <para>Not thread-safe; dispose to drop uncommitted updates.</para>
/// </remarks>
public sealed partial class BtreeTransaction : IKeyValueTransaction
{
    private static readonly IComparer<(BtreeId Btree, Bpos Pos)> s_order =
        Comparer<(BtreeId Btree, Bpos Pos)>.Create((a, b) => a.Btree != b.Btree ? a.Btree.CompareTo(b.Btree) : a.Pos.CompareTo(b.Pos));

    private readonly BtreeStore _store;
    private readonly SortedDictionary<(BtreeId Btree, Bpos Pos), BtreeKey> _updates = new(s_order);
    private bool _finished;

    internal BtreeTransaction(BtreeStore store) => _store = store;

    /// <summary>The number of buffered updates.</summary>
    public int PendingUpdates => _updates.Count;

    /// <inheritdoc />
    public bool TryGet(BtreeId btree, Bpos pos, out ReadOnlyMemory<byte> value)
    {
        ThrowIfFinished();
        ValidateBtree(btree);
        if (_updates.TryGetValue((btree, pos), out BtreeKey pending))
        {
            value = pending.Value;
            return !pending.IsWhiteout;
        }

        var locks = new BtreeLockSet(_store);
        try
        {
            BtreeNode leaf = _store.Descend(locks, btree, pos, 0, SixLockType.Read)!;
            if (leaf.TryFind(pos, out BtreeKey key) && !key.IsWhiteout)
            {
                value = key.Value;
                return true;
            }

            value = default;
            return false;
        }
        finally
        {
            locks.ReleaseAll();
        }
    }

    /// <inheritdoc />
    /// <remarks>The range is read when this is called (a consistent snapshot of committed data), merged with the transaction's updates.</remarks>
    public IEnumerable<KeyValuePair<Bpos, ReadOnlyMemory<byte>>> Range(BtreeId btree, Bpos from, Bpos to)
    {
        ThrowIfFinished();
        ValidateBtree(btree);
        if (from > to)
        {
            throw new ArgumentException($"the range [{from}, {to}] is empty: from is after to", nameof(from));
        }

        List<BtreeKey> committed = ReadCommittedRange(btree, from, to);
        var result = new List<KeyValuePair<Bpos, ReadOnlyMemory<byte>>>(committed.Count);
        using var pending = _updates.Where(u => u.Key.Btree == btree && u.Key.Pos >= from && u.Key.Pos <= to).Select(u => u.Value).GetEnumerator();
        bool hasPending = pending.MoveNext();
        int i = 0;
        while (i < committed.Count || hasPending)
        {
            if (hasPending && (i == committed.Count || pending.Current.Pos <= committed[i].Pos))
            {
                if (i < committed.Count && committed[i].Pos == pending.Current.Pos)
                {
                    i++;
                }

                if (!pending.Current.IsWhiteout)
                {
                    result.Add(new(pending.Current.Pos, pending.Current.Value));
                }

                hasPending = pending.MoveNext();
            }
            else
            {
                result.Add(new(committed[i].Pos, committed[i].Value));
                i++;
            }
        }

        return result;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The value is larger than the store's <see cref="BtreeStoreOptions.MaxValueSize"/>.</exception>
    public void Set(BtreeId btree, Bpos pos, ReadOnlySpan<byte> value)
    {
        ThrowIfFinished();
        ValidateBtree(btree);
        if (value.Length > _store.Options.MaxValueSize)
        {
            throw new ArgumentException($"a value of {value.Length} bytes exceeds the {_store.Options.MaxValueSize}-byte limit", nameof(value));
        }

        _updates[(btree, pos)] = new BtreeKey(pos, value.ToArray(), false);
    }

    /// <inheritdoc />
    public void Delete(BtreeId btree, Bpos pos)
    {
        ThrowIfFinished();
        ValidateBtree(btree);
        _updates[(btree, pos)] = BtreeKey.Whiteout(pos);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _finished = true;
        _updates.Clear();
    }

    /// <summary>Reads committed keys in the range, holding each visited leaf's read lock until all are read.</summary>
    private List<BtreeKey> ReadCommittedRange(BtreeId btree, Bpos from, Bpos to)
    {
        var locks = new BtreeLockSet(_store);
        var keys = new List<BtreeKey>();
        Bpos cursor = from;
        try
        {
            while (true)
            {
                try
                {
                    BtreeNode leaf = _store.Descend(locks, btree, cursor, 0, SixLockType.Read)!;
                    leaf.CollectLive(cursor, to, keys);
                    if (leaf.Max >= to)
                    {
                        return keys;
                    }

                    cursor = BtreeNodeFormat.Successor(leaf.Max);
                }
                catch (BtreeRestartException restart)
                {
                    locks.DropForRestart(restart);
                    if (!locks.TryRelock())
                    {
                        // A leaf already read changed: read the whole range again.
                        keys.Clear();
                        cursor = from;
                    }
                }
            }
        }
        finally
        {
            locks.ReleaseAll();
        }
    }

    private void ThrowIfFinished() => ObjectDisposedException.ThrowIf(_finished, this);

    private static void ValidateBtree(BtreeId btree)
    {
        if (!Enum.IsDefined(btree))
        {
            throw new ArgumentOutOfRangeException(nameof(btree), btree, "not a BtreeId");
        }
    }
}
