namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A btree node read from the device failed validation: bad magic, foreign btree or level, a key
/// outside the node's range, or a checksum mismatch of its header or of one of its bsets.
/// </summary>
public sealed class BtreeNodeCorruptException : FilesystemException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="btree">The btree the node was read for.</param>
    /// <param name="level">The level the node was expected at (0 = leaf).</param>
    /// <param name="offset">The device byte offset of the bad structure (node start plus offset inside the node).</param>
    /// <param name="reason">What is wrong.</param>
    public BtreeNodeCorruptException(BtreeId btree, int level, long offset, string reason)
        : base($"corrupt btree node ({btree}, level {level}) at device offset {offset}: {reason}")
    {
        Btree = btree;
        Level = level;
        Offset = offset;
    }

    /// <summary>The btree the node was read for.</summary>
    public BtreeId Btree { get; }

    /// <summary>The level the node was expected at.</summary>
    public int Level { get; }

    /// <summary>The device byte offset of the bad structure.</summary>
    public long Offset { get; }
}
