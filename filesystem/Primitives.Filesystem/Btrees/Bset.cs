using System.Numerics;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A sorted set of keys inside a leaf node, with its own sequence number (order inside the node)
/// and journal sequence (the newest journal entry whose keys it holds). Keys are unique by position
/// inside one bset; a newer bset's key shadows an older bset's key at the same position.
/// </summary>
/// <remarks>
/// A node's newest bset is open (unwritten) until the node is written; inserts go only there.
/// Lookups in the open bset are binary searches; a sealed bset (immutable) also gets an Eytzinger
/// (BFS-order) copy of its positions, whose search touches memory in a cache-friendly order
/// (<see cref="UseEytzinger"/>). Not thread-safe: the node's lock protects it (read for lookups,
/// write for changes).
/// </remarks>
internal sealed class Bset
{
    private readonly List<BtreeKey> _keys;

    /// <summary>Positions in Eytzinger order, 1-based (sealed bsets only); slot k's children are 2k and 2k+1.</summary>
    private Bpos[]? _eytzinger;

    /// <summary>For each Eytzinger slot, the index of the key in sorted order.</summary>
    private int[]? _eytzingerToSorted;

    /// <summary>Whether sealed bsets build and search the Eytzinger layout (on by default; off to measure the plain binary search).</summary>
    internal static bool UseEytzinger = true;

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

        if (!isOpen)
        {
            BuildEytzinger();
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
    public void Seal()
    {
        if (IsOpen)
        {
            IsOpen = false;
            BuildEytzinger();
        }
    }

    /// <summary>Binary search: the index of <paramref name="pos"/>, or the complement of where it would go.</summary>
    public int Search(Bpos pos)
    {
        if (_eytzinger is { } eytzinger)
        {
            int i = EytzingerLowerBound(eytzinger, _eytzingerToSorted!, pos);
            return i < _keys.Count && _keys[i].Pos == pos ? i : ~i;
        }

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

    /// <summary>The sorted index of the first position at or after <paramref name="pos"/> (the count when none).</summary>
    private static int EytzingerLowerBound(Bpos[] eytzinger, int[] toSorted, Bpos pos)
    {
        int n = eytzinger.Length - 1;
        int k = 1;
        while (k <= n)
        {
            k = 2 * k + (eytzinger[k] < pos ? 1 : 0);
        }

        // Undo the final run of right turns plus one left turn: the last slot where we went left.
        k >>= BitOperations.TrailingZeroCount(~k) + 1;
        return k == 0 ? n : toSorted[k];
    }

    private void BuildEytzinger()
    {
        if (!UseEytzinger || _keys.Count == 0)
        {
            _eytzinger = null;
            _eytzingerToSorted = null;
            return;
        }

        var eytzinger = new Bpos[_keys.Count + 1];
        var toSorted = new int[_keys.Count + 1];
        int next = 0;
        Fill(1);
        _eytzingerToSorted = toSorted;
        _eytzinger = eytzinger;

        // In-order walk of the implicit tree assigns the sorted keys to slots.
        void Fill(int k)
        {
            if (k < eytzinger.Length)
            {
                Fill(2 * k);
                eytzinger[k] = _keys[next].Pos;
                toSorted[k] = next++;
                Fill(2 * k + 1);
            }
        }
    }
}
