using System.Buffers.Binary;
using Primitives.Filesystem.Data;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// The head of every value in <see cref="Btrees.BtreeId.Extents"/>: the <see cref="DataPointer"/> of the
/// data, so that fsck can check every data reference against the alloc keys. Layers above put
/// their own fields after the first <see cref="Size"/> bytes.
/// </summary>
/// <remarks>Layout, little-endian: bucket u64 (bytes 0-7), generation u32 (8-11), offset u32 (12-15), length u32 (16-19).</remarks>
public static class ExtentValue
{
    /// <summary>The encoded size of the pointer.</summary>
    public const int Size = 20;

    /// <summary>Writes <paramref name="pointer"/> into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="Size"/>.</exception>
    public static void Write(Span<byte> destination, DataPointer pointer)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"an extent value needs at least {Size} bytes, got {destination.Length}", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(destination, pointer.Bucket);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], pointer.Generation);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], pointer.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], pointer.Length);
    }

    /// <summary>Reads the pointer from the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">The value is shorter than <see cref="Size"/>.</exception>
    public static DataPointer Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException($"an extent value has at least {Size} bytes, got {source.Length}", nameof(source));
        }

        return new DataPointer(
            BinaryPrimitives.ReadUInt64LittleEndian(source),
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[12..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[16..]));
    }

    /// <summary>Reads the pointer if the value is long enough.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out DataPointer pointer)
    {
        if (source.Length < Size)
        {
            pointer = default;
            return false;
        }

        pointer = Read(source);
        return true;
    }
}
