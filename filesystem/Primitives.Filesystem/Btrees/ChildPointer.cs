using System.Buffers.Binary;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// The value of an interior node's key: the child covers [<see cref="Min"/>, the key's position]
/// and lives at <see cref="Location"/>. Encoded as min inode, min offset (8 bytes each) and the location.
/// </summary>
/// <param name="Min">The smallest position the child covers.</param>
/// <param name="Location">Where the child is written.</param>
public readonly record struct ChildPointer(Bpos Min, NodeLocation Location)
{
    /// <summary>The encoded size in bytes.</summary>
    public const int EncodedSize = 16 + NodeLocation.EncodedSize;

    /// <summary>Encodes the pointer.</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[EncodedSize];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Min.Inode);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), Min.Offset);
        Location.Write(bytes.AsSpan(16));
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
            NodeLocation.Read(bytes[16..]));
        return true;
    }
}
