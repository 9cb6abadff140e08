namespace Primitives.Filesystem.Btrees;

/// <summary>Interior node operations: finding the child for a position, replacing children.</summary>
internal sealed partial class BtreeNode
{
    /// <summary>The index of the child covering <paramref name="pos"/> (the first whose max is at or after it).</summary>
    public int ChildIndex(Bpos pos)
    {
        List<ChildRef> children = Children;
        int lo = 0, hi = children.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (children[mid].Max < pos)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public ChildRef ChildFor(Bpos pos) => Children[ChildIndex(pos)];

    /// <summary>The index of the entry whose child is <paramref name="child"/>, or -1.</summary>
    public int IndexOfChild(BtreeNode child)
    {
        int i = ChildIndex(child.Max);
        return i < Children.Count && ReferenceEquals(Children[i].Node, child) ? i : -1;
    }

    /// <summary>Whether one more child entry fits.</summary>
    public bool HasRoomForChild(int nodeSize) => UsedBytes + ChildRef.PointerKeySize(Bpos.Max) <= nodeSize;

    /// <summary>Sets (inserts or replaces) the entry keyed <paramref name="max"/>, as journal replay applies a pointer key.</summary>
    public void SetChild(Bpos min, Bpos max, NodeLocation location, ulong journalSeq)
    {
        List<ChildRef> children = Children;
        int i = ChildIndex(max);
        if (i < children.Count && children[i].Max == max)
        {
            children[i].Min = min;
            if (children[i].Location != location)
            {
                children[i].Location = location;
                children[i].Node = null;
            }
        }
        else
        {
            children.Insert(i < children.Count && children[i].Max < max ? i + 1 : i, new ChildRef(min, max, location, null));
        }

        JournalSeq = Math.Max(JournalSeq, journalSeq);
    }

    /// <summary>Removes the entry keyed <paramref name="max"/> if present.</summary>
    public void RemoveChild(Bpos max, ulong journalSeq)
    {
        List<ChildRef> children = Children;
        int i = ChildIndex(max);
        if (i < children.Count && children[i].Max == max)
        {
            children.RemoveAt(i);
        }

        JournalSeq = Math.Max(JournalSeq, journalSeq);
    }
}
