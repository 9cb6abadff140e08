using System.Buffers.Binary;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// The value of an interior node's key: the child covers [<see cref="Min"/>, the key's position],
/// lives at <see cref="Location"/>, and was written as write version <see cref="Version"/> (the
/// node seq in the child's header). Encoded as min inode, min offset, version (8 bytes each) and
/// the location.
/// </summary>
/// <param name="Min">The smallest position the child covers.</param>
/// <param name="Location">Where the child is written.</param>
/// <param name="Version">
/// The store-wide write version of that image: every node write takes a new, larger one, so of two
/// pointers for the same range the larger version is the newer write (journal replay applies a
/// pointer record only over an older one).
/// </param>
public readonly record struct ChildPointer(Bpos Min, NodeLocation Location, ulong Version)
{
    /// <summary>The encoded size in bytes.</summary>
    public const int EncodedSize = 24 + NodeLocation.EncodedSize;

    /// <summary>Encodes the pointer.</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[EncodedSize];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Min.Inode);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), Min.Offset);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), Version);
        Location.Write(bytes.AsSpan(24));
        return bytes;
    }

    /// <summary>Decodes a pointer; false when <paramref name="bytes"/> is not one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out ChildPointer pointer)
    {
        if (bytes.Length != EncodedSize)
        {
            pointer = default;
            return false;
        }

        pointer = new ChildPointer(
            new Bpos(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..])),
            NodeLocation.Read(bytes[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]));
        return true;
    }

    /// <summary>The value of an interior-level whiteout record: the write version of the node that replaced the removed child.</summary>
    public static byte[] EncodeRemoval(ulong version)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, version);
        return bytes;
    }

    /// <summary>Decodes the value of an interior-level whiteout record; false when it is not one.</summary>
    public static bool TryDecodeRemoval(ReadOnlySpan<byte> bytes, out ulong version)
    {
        version = bytes.Length == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : 0;
        return bytes.Length == 8;
    }
}
