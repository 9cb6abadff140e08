using System.Buffers.Binary;

namespace Primitives.Filesystem.Format;

/// <summary>
/// The layout block at byte <see cref="Offset"/> (sector 7, just before the primary superblock):
/// lists the byte offsets of every superblock copy, so a reader whose primary is damaged knows
/// where the backups are without knowing the geometry.
/// </summary>
/// <remarks>On disk (512 bytes, little endian): magic "PRIMLAY1" (8), crc32c of bytes [12, 512) (4), version (2), copy count (2), offsets (8 each, at most <see cref="MaxCopies"/>), zero padding.</remarks>
public static class SuperblockLayout
{
    /// <summary>The byte offset of the layout block.</summary>
    public const int Offset = 3584;

    /// <summary>The size of the layout block.</summary>
    public const int Size = 512;

    /// <summary>The most copies a layout lists.</summary>
    public const int MaxCopies = 8;

    /// <summary>The byte offset of the primary superblock.</summary>
    public const int PrimaryOffset = 4096;

    /// <summary>The structure name in error messages.</summary>
    public const string StructureName = "superblock layout";

    /// <summary>The layout block's magic.</summary>
    public static ReadOnlySpan<byte> Magic => "PRIMLAY1"u8;

    /// <summary>Encodes a layout listing <paramref name="copies"/> into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">No copies, too many, or a negative offset.</exception>
    public static void Encode(IReadOnlyList<long> copies, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(copies);
        if (copies.Count is < 1 or > MaxCopies || copies.Any(c => c < 0))
        {
            throw new ArgumentException($"a layout lists 1 to {MaxCopies} non-negative offsets", nameof(copies));
        }

        Span<byte> block = destination[..Size];
        block.Clear();
        Magic.CopyTo(block);
        BinaryPrimitives.WriteUInt16LittleEndian(block[12..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(block[14..], (ushort)copies.Count);
        for (int i = 0; i < copies.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(block[(16 + (8 * i))..], copies[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], Crc32C.Compute(block[12..]));
    }

    /// <summary>Whether <paramref name="source"/> starts with the layout magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> source) => source.Length >= 8 && source[..8].SequenceEqual(Magic);

    /// <summary>Decodes a layout block read from <see cref="Offset"/>.</summary>
    /// <exception cref="CorruptStructureException">Bad magic, version or count.</exception>
    /// <exception cref="ChecksumMismatchException">The stored crc32c does not match.</exception>
    public static IReadOnlyList<long> Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size || !HasMagic(source))
        {
            throw new CorruptStructureException(StructureName, Offset, "bad magic (expected 'PRIMLAY1')");
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        uint computed = Crc32C.Compute(source[12..Size]);
        if (stored != computed)
        {
            throw new ChecksumMismatchException(StructureName, Offset, stored, computed);
        }

        int version = BinaryPrimitives.ReadUInt16LittleEndian(source[12..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(source[14..]);
        if (version != 1 || count is < 1 or > MaxCopies)
        {
            throw new CorruptStructureException(StructureName, Offset, $"version {version}, copy count {count}");
        }

        var copies = new long[count];
        for (int i = 0; i < count; i++)
        {
            copies[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(16 + (8 * i))..]);
        }

        return copies;
    }
}
