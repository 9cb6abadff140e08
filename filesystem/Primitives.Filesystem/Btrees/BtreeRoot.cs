namespace Primitives.Filesystem.Btrees;

/// <summary>Where one btree's root is written and at which level (0: the root is a leaf).</summary>
/// <param name="Level">The root's level.</param>
/// <param name="Location">The root node's location.</param>
public readonly record struct BtreeRoot(int Level, NodeLocation Location)
{
    /// <summary>The encoded size: level (1 byte) and location.</summary>
    public const int EncodedSize = 1 + NodeLocation.EncodedSize;

    /// <summary>Encodes the root (opaque bytes for the superblock or a journal entry).</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[EncodedSize];
        bytes[0] = checked((byte)Level);
        Location.Write(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>Decodes bytes written by <see cref="Encode"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out BtreeRoot root)
    {
        if (bytes.Length != EncodedSize)
        {
            root = default;
            return false;
        }

        root = new BtreeRoot(bytes[0], NodeLocation.Read(bytes[1..]));
        return true;
    }
}
