using System.Buffers.Binary;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Alloc;

/// <summary>
/// A bucket's allocation state, as the alloc btree stores it: its generation (bumped at every
/// allocation, so pointers written before a reuse are detectably stale), what it holds, how many
/// 512-byte sectors of it are live, whether it needs a discard, and the journal sequence numbers at
/// which it last became empty and non-empty.
/// </summary>
/// <param name="Generation">Bumped each time the bucket is allocated.</param>
/// <param name="DataType">What the bucket holds.</param>
/// <param name="DirtySectors">Live 512-byte sectors.</param>
/// <param name="NeedDiscard">Whether the bucket was emptied and not yet discarded.</param>
/// <param name="JournalSeqEmpty">The journal sequence that recorded the bucket empty (it may be reused once that sequence is durable).</param>
/// <param name="JournalSeqNonEmpty">The journal sequence at which it last became non-empty (0 when not known).</param>
public readonly record struct AllocKey(uint Generation, BucketDataType DataType, uint DirtySectors, bool NeedDiscard, ulong JournalSeqEmpty, ulong JournalSeqNonEmpty)
{
    /// <summary>The encoded size of version 1.</summary>
    public const int EncodedSize = 32;

    /// <summary>The encoding version this code writes and the newest it reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The sector size the dirty count is in.</summary>
    public const int SectorSize = 512;

    /// <summary>The structure name in error messages.</summary>
    public const string StructureName = "alloc key";

    private const byte NeedDiscardFlag = 1;

    /// <summary>Whether the bucket holds something (superblock, journal, btree or user data).</summary>
    public bool IsInUse => DataType is BucketDataType.Superblock or BucketDataType.Journal or BucketDataType.Btree or BucketDataType.User;

    /// <summary>The version-1 encoding: 32 bytes, little endian (version, data type, flags, reserved, generation, dirty sectors, reserved, seq empty, seq non-empty).</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[EncodedSize];
        Encode(bytes);
        return bytes;
    }

    /// <summary>Encodes into <paramref name="destination"/> (at least <see cref="EncodedSize"/> bytes).</summary>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length < EncodedSize)
        {
            throw new ArgumentException($"needs {EncodedSize} bytes", nameof(destination));
        }

        destination[..EncodedSize].Clear();
        destination[0] = CurrentVersion;
        destination[1] = (byte)DataType;
        destination[2] = NeedDiscard ? NeedDiscardFlag : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Generation);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], DirtySectors);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], JournalSeqEmpty);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], JournalSeqNonEmpty);
    }

    /// <summary>Decodes an alloc key.</summary>
    /// <exception cref="CorruptStructureException">Too short, an unknown version, data type or flag.</exception>
    public static AllocKey Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length < 1)
        {
            throw new CorruptStructureException(StructureName, -1, "empty value");
        }

        if (source[0] != CurrentVersion)
        {
            throw new CorruptStructureException(StructureName, -1, $"encoding version {source[0]} (this code reads version {CurrentVersion})");
        }

        if (source.Length != EncodedSize)
        {
            throw new CorruptStructureException(StructureName, -1, $"{source.Length} bytes (version 1 has {EncodedSize})");
        }

        if (source[1] > (byte)BucketDataType.User)
        {
            throw new CorruptStructureException(StructureName, -1, $"unknown data type {source[1]}");
        }

        if ((source[2] & ~NeedDiscardFlag) != 0 || source[3] != 0)
        {
            throw new CorruptStructureException(StructureName, -1, $"unknown flags 0x{source[2]:x2}/0x{source[3]:x2}");
        }

        return new AllocKey(
            BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
            (BucketDataType)source[1],
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            (source[2] & NeedDiscardFlag) != 0,
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[24..]));
    }
}
