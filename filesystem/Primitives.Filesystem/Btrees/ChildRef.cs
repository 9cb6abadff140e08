namespace Primitives.Filesystem.Btrees;

/// <summary>
/// An interior node's entry for one child: the range it covers, where it is written and as which
/// write version, and the in-memory node (every node is cached; <see cref="Node"/> is null only
/// while a tree is being loaded or replayed). Changed only under the parent's write lock.
/// </summary>
internal sealed class ChildRef(Bpos min, Bpos max, NodeLocation? location, ulong version, BtreeNode? node)
{
    public Bpos Min { get; set; } = min;

    public Bpos Max { get; set; } = max;

    public NodeLocation? Location { get; set; } = location;

    /// <summary>The write version of the image at <see cref="Location"/> (the child's header node seq); 0 while unwritten.</summary>
    public ulong Version { get; set; } = version;

    public BtreeNode? Node { get; set; } = node;

    /// <summary>An entry for <paramref name="child"/> as it is now (its range, location and version).</summary>
    public static ChildRef For(BtreeNode child) => new(child.Min, child.Max, child.Location, child.Location is null ? 0 : child.NodeSeq, child);

    /// <summary>The key this entry is written as: position = child max, value = <see cref="ChildPointer"/>.</summary>
    public BtreeKey ToKey() => new(Max, new ChildPointer(Min, Location ?? throw new InvalidOperationException($"child [{Min}, {Max}] has no location yet"), Version).Encode(), false);

    /// <summary>The encoded size of the entry's key.</summary>
    public int EncodedSize => PointerKeySize(Max);

    public static int PointerKeySize(Bpos max) =>
        1 + BtreeKeyCodec.VarintSize(max.Inode) + BtreeKeyCodec.VarintSize(max.Offset) + 1 + ChildPointer.EncodedSize;
}
