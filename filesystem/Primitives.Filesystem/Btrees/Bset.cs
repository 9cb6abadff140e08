namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A sorted set of keys inside a leaf node, with its own sequence number (order inside the node)
/// and journal sequence (the newest journal entry whose keys it holds). Keys are unique by position
/// inside one bset; a newer bset's key shadows an older bset's key at the same position.
/// </summary>
/// <remarks>
/// A node's newest bset is open (unwritten) until the node is written; inserts go only there.
/// Lookups are binary searches. Not thread-safe: the node's lock protects it (read for lookups,
/// write for changes).
/// </remarks>
internal sealed class Bset
{
    private readonly List<BtreeKey> _keys;

    public Bset(uint seq, List<BtreeKey> keys, ulong journalSeq, bool isOpen)
    {
        Seq = seq;
        _keys = keys;
        JournalSeq = journalSeq;
        IsOpen = isOpen;
        foreach (BtreeKey key in keys)
        {
            Bytes += BtreeKeyCodec.EncodedSize(key);
        }
    }

    /// <summary>The bset's sequence inside its node (newer bsets have larger numbers).</summary>
    public uint Seq { get; }

    /// <summary>The newest journal sequence of the keys it holds.</summary>
    public ulong JournalSeq { get; private set; }

    /// <summary>Whether inserts may still go here (the bset has not been written).</summary>
    public bool IsOpen { get; private set; }

    /// <summary>The encoded size of its keys.</summary>
    public int Bytes { get; private set; }

    public int Count => _keys.Count;

    public BtreeKey this[int index] => _keys[index];

    public IReadOnlyList<BtreeKey> Keys => _keys;

    /// <summary>Marks the bset written: later inserts open a new one.</summary>
    public void Seal() => IsOpen = false;

    /// <summary>Binary search: the index of <paramref name="pos"/>, or the complement of where it would go.</summary>
    public int Search(Bpos pos)
    {
        int lo = 0, hi = _keys.Count - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            int c = _keys[mid].Pos.CompareTo(pos);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    /// <summary>The index of the first key at or after <paramref name="pos"/>.</summary>
    public int LowerBound(Bpos pos)
    {
        int i = Search(pos);
        return i >= 0 ? i : ~i;
    }

    public bool TryFind(Bpos pos, out BtreeKey key)
    {
        int i = Search(pos);
        if (i >= 0)
        {
            key = _keys[i];
            return true;
        }

        key = default;
        return false;
    }

    /// <summary>Inserts or overwrites <paramref name="key"/>; returns the change in <see cref="Bytes"/>.</summary>
    public int Upsert(in BtreeKey key, ulong journalSeq)
    {
        int size = BtreeKeyCodec.EncodedSize(key);
        int i = Search(key.Pos);
        int delta;
        if (i >= 0)
        {
            delta = size - BtreeKeyCodec.EncodedSize(_keys[i]);
            _keys[i] = key;
        }
        else
        {
            delta = size;
            _keys.Insert(~i, key);
        }

        Bytes += delta;
        JournalSeq = Math.Max(JournalSeq, journalSeq);
        return delta;
    }

    /// <summary>Removes the key at <paramref name="pos"/> if present; returns the change in <see cref="Bytes"/>.</summary>
    public int Remove(Bpos pos, ulong journalSeq)
    {
        int i = Search(pos);
        if (i < 0)
        {
            return 0;
        }

        int delta = -BtreeKeyCodec.EncodedSize(_keys[i]);
        _keys.RemoveAt(i);
        Bytes += delta;
        JournalSeq = Math.Max(JournalSeq, journalSeq);
        return delta;
    }
}
