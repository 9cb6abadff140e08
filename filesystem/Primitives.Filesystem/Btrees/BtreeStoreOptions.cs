namespace Primitives.Filesystem.Btrees;

/// <summary>Tunables of a <see cref="BtreeStore"/>.</summary>
public sealed class BtreeStoreOptions
{
    /// <summary>The default node size: 256 KiB, as bcachefs.</summary>
    public const int DefaultNodeSize = 256 * 1024;

    /// <summary>The node size in bytes (a multiple of 512, at least 512); must equal the node space's.</summary>
    public int NodeSize { get; init; } = DefaultNodeSize;

    /// <summary>
    /// The largest value a key may carry (at most <see cref="IKeyValueTransaction.MaxValueSize"/>);
    /// tests with small nodes lower it so that three keys of the largest size fit in a node.
    /// </summary>
    public int MaxValueSize { get; init; } = IKeyValueTransaction.MaxValueSize;

    /// <summary>A leaf whose live keys take less than this fraction of the node is merged with a sibling (default 1/4).</summary>
    public double MergeThreshold { get; init; } = 0.25;

    /// <summary>A node write compacts the leaf's bsets into one when it has at least this many (default 4).</summary>
    public int MaxBsetsPerNode { get; init; } = 4;

    /// <summary>
    /// Whether commit and node-write latencies are recorded in <see cref="BtreeStore.CommitTimes"/> and
    /// <see cref="BtreeStore.NodeWriteTimes"/> (default true). Coyote runs turn it off: TimeStats guards
    /// itself with a <see cref="System.Threading.Lock"/>, which Coyote cannot control.
    /// </summary>
    public bool CollectTimeStats { get; init; } = true;

    /// <summary>The largest encoded key with a value of <see cref="MaxValueSize"/> bytes.</summary>
    internal int MaxKeySize => BtreeKeyCodec.MaxEncodedSize(MaxValueSize);

    /// <summary>Throws when the options are inconsistent.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (NodeSize < 512 || NodeSize % 512 != 0 || NodeSize > 64 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(NodeSize), NodeSize, "the node size must be a multiple of 512 between 512 bytes and 64 MiB");
        }

        if (MaxValueSize < 0 || MaxValueSize > IKeyValueTransaction.MaxValueSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxValueSize), MaxValueSize, $"the largest value must be between 0 and {IKeyValueTransaction.MaxValueSize} bytes");
        }

        if (BtreeNode.HeaderSize + BtreeNode.BsetHeaderSize * 2 + 3 * MaxKeySize > NodeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxValueSize), MaxValueSize, $"three keys with {MaxValueSize}-byte values must fit in a {NodeSize}-byte node; lower MaxValueSize or raise NodeSize");
        }

        if (MergeThreshold is < 0 or > 0.4)
        {
            throw new ArgumentOutOfRangeException(nameof(MergeThreshold), MergeThreshold, "the merge threshold must be between 0 and 0.4 of the node size");
        }

        if (MaxBsetsPerNode < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBsetsPerNode), MaxBsetsPerNode, "at least one bset per node");
        }
    }
}
