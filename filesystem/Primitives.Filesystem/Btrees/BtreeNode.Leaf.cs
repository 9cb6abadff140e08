namespace Primitives.Filesystem.Btrees;

/// <summary>Leaf operations: lookups over the bsets (newest first), inserts into the open bset, compaction.</summary>
internal sealed partial class BtreeNode
{
    /// <summary>The newest version of the key at <paramref name="pos"/> (possibly a whiteout).</summary>
    public bool TryFind(Bpos pos, out BtreeKey key)
    {
        List<Bset> bsets = Bsets;
        for (int i = bsets.Count - 1; i >= 0; i--)
        {
            if (bsets[i].TryFind(pos, out key))
            {
                return true;
            }
        }

        key = default;
        return false;
    }

    /// <summary>The live keys (whiteouts resolved) in [<paramref name="from"/>, <paramref name="to"/>], in order.</summary>
    public void CollectLive(Bpos from, Bpos to, List<BtreeKey> into)
    {
        foreach (BtreeKey key in Merged(from, to))
        {
            if (!key.IsWhiteout)
            {
                into.Add(key);
            }
        }
    }

    /// <summary>
    /// The newest version of every key in [<paramref name="from"/>, <paramref name="to"/>] in order,
    /// merging the bsets (a k-way merge; nodes hold few bsets).
    /// </summary>
    public IEnumerable<BtreeKey> Merged(Bpos from, Bpos to)
    {
        List<Bset> bsets = Bsets;
        int n = bsets.Count;
        int[] at = new int[n];
        for (int i = 0; i < n; i++)
        {
            at[i] = bsets[i].LowerBound(from);
        }

        while (true)
        {
            int best = -1;
            Bpos bestPos = default;
            for (int i = n - 1; i >= 0; i--)
            {
                if (at[i] < bsets[i].Count)
                {
                    Bpos p = bsets[i][at[i]].Pos;
                    if (best < 0 || p < bestPos)
                    {
                        best = i;
                        bestPos = p;
                    }
                }
            }

            if (best < 0 || bestPos > to)
            {
                yield break;
            }

            // The newest bset holding bestPos wins: scanning from the newest, the first match with the
            // smallest position is kept above (strictly smaller positions replace it).
            yield return bsets[best][at[best]];
            for (int i = 0; i < n; i++)
            {
                if (at[i] < bsets[i].Count && bsets[i][at[i]].Pos == bestPos)
                {
                    at[i]++;
                }
            }
        }
    }

    /// <summary>An upper bound of the bytes inserting <paramref name="keys"/> adds.</summary>
    public int BytesNeeded(IEnumerable<BtreeKey> keys)
    {
        int bytes = OpenBset is null ? BsetHeaderSize : 0;
        foreach (BtreeKey key in keys)
        {
            bytes += BtreeKeyCodec.EncodedSize(key);
        }

        return bytes;
    }

    /// <summary>The size of the node once compacted (one bset, no whiteouts).</summary>
    public int CompactedBytes()
    {
        int used = HeaderSize + BsetHeaderSize;
        foreach (BtreeKey key in Merged(Bpos.Min, Bpos.Max))
        {
            if (!key.IsWhiteout)
            {
                used += BtreeKeyCodec.EncodedSize(key);
            }
        }

        return used;
    }

    /// <summary>The live keys of the whole node, in order.</summary>
    public List<BtreeKey> LiveKeys()
    {
        var keys = new List<BtreeKey>();
        CollectLive(Bpos.Min, Bpos.Max, keys);
        return keys;
    }

    private Bset? OpenBset => Bsets.Count > 0 && Bsets[^1].IsOpen ? Bsets[^1] : null;

    /// <summary>Applies one update to the open bset (caller holds write). Deletes leave a whiteout only when an older bset holds the key.</summary>
    public void Apply(in BtreeKey key, ulong journalSeq)
    {
        List<Bset> bsets = Bsets;
        Bset open = OpenBset ?? AddOpenBset();
        if (key.IsWhiteout)
        {
            bool olderHasIt = false;
            for (int i = bsets.Count - 2; i >= 0 && !olderHasIt; i--)
            {
                olderHasIt = bsets[i].Search(key.Pos) >= 0;
            }

            if (!olderHasIt)
            {
                open.Remove(key.Pos, journalSeq);
                JournalSeq = Math.Max(JournalSeq, journalSeq);
                return;
            }
        }

        open.Upsert(key, journalSeq);
        JournalSeq = Math.Max(JournalSeq, journalSeq);
    }

    private Bset AddOpenBset()
    {
        var open = new Bset(_nextBsetSeq++, [], 0, isOpen: true);
        Bsets.Add(open);
        return open;
    }

    /// <summary>Sorts all bsets into one open bset without whiteouts (caller holds write).</summary>
    public void Compact()
    {
        List<BtreeKey> keys = LiveKeys();
        ulong journalSeq = 0;
        foreach (Bset b in Bsets)
        {
            journalSeq = Math.Max(journalSeq, b.JournalSeq);
        }

        Bsets.Clear();
        Bsets.Add(new Bset(_nextBsetSeq++, keys, journalSeq, isOpen: true));
    }

    /// <summary>Seals the open bset (the node is being written; caller holds intent, which keeps inserts out).</summary>
    public void SealOpenBset() => OpenBset?.Seal();
}
