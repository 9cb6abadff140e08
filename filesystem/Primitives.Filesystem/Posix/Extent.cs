using System.Buffers.Binary;

using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Data;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// A file extent as stored in <see cref="BtreeId.Extents"/> at (ino, end offset): the file bytes
/// [end - <paramref name="Length"/>, end) are the bytes [<paramref name="DataOffset"/>,
/// DataOffset + Length) of the data written at <paramref name="Pointer"/>. Each pointer is
/// referenced by exactly one extent (an extent clipped by an overwrite or a truncate keeps its
/// pointer; a split rewrites one half), so the pointer is released when its extent goes.
/// </summary>
/// <remarks>Encoding (32 bytes): bucket (u64), generation (u32), pointer offset (u32), pointer length (u32),
/// data offset (u32), length (u32), reserved (u32).</remarks>
/// <param name="Pointer">The data as written (released whole).</param>
/// <param name="DataOffset">Where in the pointer's data the extent starts.</param>
/// <param name="Length">The extent's length in bytes.</param>
public readonly record struct Extent(DataPointer Pointer, uint DataOffset, uint Length)
{
    /// <summary>The encoded size.</summary>
    public const int EncodedSize = 32;

    /// <summary>The encoded value.</summary>
    public byte[] Encode()
    {
        var b = new byte[EncodedSize];
        BinaryPrimitives.WriteUInt64LittleEndian(b, Pointer.Bucket);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), Pointer.Generation);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), Pointer.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), Pointer.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), DataOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), Length);
        return b;
    }

    /// <summary>Decodes a value.</summary>
    /// <exception cref="FilesystemException">The value is not an extent.</exception>
    public static Extent Decode(ReadOnlySpan<byte> b)
    {
        if (b.Length != EncodedSize)
        {
            throw new FilesystemException($"corrupt extent of {b.Length} bytes");
        }

        var pointer = new DataPointer(
            BinaryPrimitives.ReadUInt64LittleEndian(b),
            BinaryPrimitives.ReadUInt32LittleEndian(b[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[12..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[16..]));
        var extent = new Extent(pointer, BinaryPrimitives.ReadUInt32LittleEndian(b[20..]), BinaryPrimitives.ReadUInt32LittleEndian(b[24..]));
        if (extent.Length == 0 || (ulong)extent.DataOffset + extent.Length > pointer.Length)
        {
            throw new FilesystemException($"corrupt extent: [{extent.DataOffset}, +{extent.Length}) outside its {pointer.Length}-byte pointer");
        }

        return extent;
    }
}
