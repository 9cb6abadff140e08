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

    /// <summary>
    /// Replays a pointer record: sets (inserts or replaces) the entry keyed <paramref name="max"/>
    /// unless the entry there is already a newer or the same write (a larger or equal
    /// <paramref name="version"/>: the node image already holds this change or a later one; node
    /// writes for journal reclaim do not journal the parent's pointer). Returns whether it changed.
    /// </summary>
    public bool SetChild(Bpos min, Bpos max, NodeLocation location, ulong version, ulong journalSeq)
    {
        List<ChildRef> children = Children;
        int i = ChildIndex(max);
        if (i < children.Count && children[i].Max == max)
        {
            if (children[i].Version >= version)
            {
                return false;
            }

            children[i].Min = min;
            children[i].Location = location;
            children[i].Version = version;
            children[i].Node = null;
        }
        else
        {
            children.Insert(i < children.Count && children[i].Max < max ? i + 1 : i, new ChildRef(min, max, location, version, null));
        }

        JournalSeq = Math.Max(JournalSeq, journalSeq);
        return true;
    }

    /// <summary>
    /// Replays a removal record: removes the entry keyed <paramref name="max"/> if it is older than
    /// <paramref name="version"/> (the write that replaced it); a newer entry there is a later
    /// split's, already in the image. Returns whether it changed.
    /// </summary>
    public bool RemoveChild(Bpos max, ulong version, ulong journalSeq)
    {
        List<ChildRef> children = Children;
        int i = ChildIndex(max);
        if (i >= children.Count || children[i].Max != max || children[i].Version >= version)
        {
            return false;
        }

        children.RemoveAt(i);
        JournalSeq = Math.Max(JournalSeq, journalSeq);
        return true;
    }
}
