using System.Buffers.Binary;
using System.Text;

namespace Primitives.Filesystem.Format;

/// <summary>
/// The superblock: the fixed facts of a filesystem (identity, geometry, journal location) and the
/// state it was last left in (clean or not; at a clean unmount the engine stores its btree roots in
/// <see cref="CleanSection"/>). Immutable; <see cref="SuperblockIO"/> reads and writes it.
/// </summary>
/// <remarks>
/// On disk (little endian, at most <see cref="Size"/> bytes): magic "PRIMFS01" (8), crc32c of bytes
/// [12, length) (4), length (4), version (2), flags (2, bit 0 = clean), reserved (4), UUID (16),
/// created (unix milliseconds, 8), sequence (8), block size (4), bucket size (4), btree node size
/// (4), journal bucket count (4), bucket count (8), first data bucket (8), clean section length
/// (4), reserved (4); then the journal bucket numbers (8 each) and the clean section bytes.
/// </remarks>
public sealed record Superblock
{
    /// <summary>The bytes a superblock copy occupies on disk (one 4 KiB block).</summary>
    public const int Size = 4096;

    /// <summary>The format version this code writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The fixed header size before the journal bucket list.</summary>
    public const int HeaderSize = 96;

    /// <summary>The magic at the start of every copy.</summary>
    public static ReadOnlySpan<byte> Magic => "PRIMFS01"u8;

    /// <summary>The structure name in error messages.</summary>
    public const string StructureName = "superblock";

    private const int CrcOffset = 8;
    private const int LengthOffset = 12;
    private const ushort CleanFlag = 1;

    /// <summary>The format version (<see cref="CurrentVersion"/> for new filesystems).</summary>
    public int FormatVersion { get; init; } = CurrentVersion;

    /// <summary>The filesystem's identity.</summary>
    public Guid Uuid { get; init; }

    /// <summary>When it was formatted (millisecond precision on disk).</summary>
    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>Incremented by every <see cref="SuperblockIO.WriteAsync"/>; the newest valid copy wins.</summary>
    public ulong Sequence { get; init; }

    /// <summary>The filesystem block size: the unit of user data (a power of two, 512 to 65536).</summary>
    public int BlockSize { get; init; }

    /// <summary>The bucket size (a power of two, at least 4096, the block size and the btree node size).</summary>
    public int BucketSize { get; init; }

    /// <summary>The btree node size (a power of two, at least the block size, at most the bucket size).</summary>
    public int BtreeNodeSize { get; init; }

    /// <summary>The number of buckets on the device (at least 3: superblock, one usable, backup).</summary>
    public long BucketCount { get; init; }

    /// <summary>The first bucket that may hold btree nodes or user data (after the superblock bucket and the journal).</summary>
    public long FirstDataBucket { get; init; }

    /// <summary>The buckets of the journal ring, in ring order.</summary>
    public IReadOnlyList<long> JournalBuckets { get; init; } = [];

    /// <summary>Whether the filesystem was unmounted cleanly (then <see cref="CleanSection"/> is current).</summary>
    public bool IsClean { get; init; }

    /// <summary>Opaque bytes the engine stores at a clean unmount (its btree roots); empty otherwise.</summary>
    public ReadOnlyMemory<byte> CleanSection { get; init; }

    /// <summary>The last bucket, which holds the backup superblock and no data.</summary>
    public long BackupBucket => BucketCount - 1;

    /// <summary>The byte offset of the backup copy (the start of the last bucket).</summary>
    public long BackupOffset => BackupBucket * BucketSize;

    /// <summary>The number of buckets for btree nodes and user data: [<see cref="FirstDataBucket"/>, <see cref="BackupBucket"/>).</summary>
    public long DataBucketCount => BackupBucket - FirstDataBucket;

    /// <summary>The largest clean section that fits with the current journal bucket list.</summary>
    public int MaxCleanSectionLength => Size - HeaderSize - (8 * JournalBuckets.Count);

    /// <summary>The byte offset of <paramref name="bucket"/>.</summary>
    public long BucketOffset(long bucket) => bucket * BucketSize;

    /// <summary>Throws <see cref="ArgumentException"/> when a field is out of range or inconsistent.</summary>
    public void Validate()
    {
        string? problem = FindProblem();
        if (problem is not null)
        {
            throw new ArgumentException($"invalid superblock: {problem}");
        }
    }

    /// <summary>Encodes the superblock into <paramref name="destination"/> (at least <see cref="Size"/> bytes; the rest of the block is zeroed).</summary>
    /// <exception cref="ArgumentException">A field is invalid, or the destination is too small.</exception>
    public void Encode(Span<byte> destination)
    {
        Validate();
        if (destination.Length < Size)
        {
            throw new ArgumentException($"needs {Size} bytes", nameof(destination));
        }

        Span<byte> block = destination[..Size];
        block.Clear();
        int length = HeaderSize + (8 * JournalBuckets.Count) + CleanSection.Length;
        Magic.CopyTo(block);
        BinaryPrimitives.WriteUInt32LittleEndian(block[LengthOffset..], (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(block[16..], (ushort)FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(block[18..], IsClean ? CleanFlag : (ushort)0);
        Uuid.TryWriteBytes(block[24..40]);
        BinaryPrimitives.WriteInt64LittleEndian(block[40..], CreatedUtc.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64LittleEndian(block[48..], Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(block[56..], BlockSize);
        BinaryPrimitives.WriteInt32LittleEndian(block[60..], BucketSize);
        BinaryPrimitives.WriteInt32LittleEndian(block[64..], BtreeNodeSize);
        BinaryPrimitives.WriteInt32LittleEndian(block[68..], JournalBuckets.Count);
        BinaryPrimitives.WriteInt64LittleEndian(block[72..], BucketCount);
        BinaryPrimitives.WriteInt64LittleEndian(block[80..], FirstDataBucket);
        BinaryPrimitives.WriteInt32LittleEndian(block[88..], CleanSection.Length);
        int at = HeaderSize;
        foreach (long bucket in JournalBuckets)
        {
            BinaryPrimitives.WriteInt64LittleEndian(block[at..], bucket);
            at += 8;
        }

        CleanSection.Span.CopyTo(block[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(block[CrcOffset..], Crc32C.Compute(block[LengthOffset..length]));
    }

    /// <summary>Whether <paramref name="source"/> starts with the superblock magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> source) => source.Length >= Magic.Length && source[..Magic.Length].SequenceEqual(Magic);

    /// <summary>Decodes and validates a copy read from <paramref name="offset"/> (used in error messages).</summary>
    /// <exception cref="CorruptStructureException">Bad magic, bad length, or fields out of range.</exception>
    /// <exception cref="ChecksumMismatchException">The stored crc32c does not match.</exception>
    /// <exception cref="UnsupportedFormatVersionException">The version is newer than <see cref="CurrentVersion"/>.</exception>
    public static Superblock Decode(ReadOnlySpan<byte> source, long offset, string deviceName = "device")
    {
        if (source.Length < Size)
        {
            throw new CorruptStructureException(StructureName, offset, $"only {source.Length} bytes available, {Size} needed");
        }

        if (!HasMagic(source))
        {
            throw new CorruptStructureException(StructureName, offset, $"bad magic '{Printable(source[..8])}' (expected 'PRIMFS01')");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(source[LengthOffset..]);
        if (length < HeaderSize || length > Size)
        {
            throw new CorruptStructureException(StructureName, offset, $"length {length} outside [{HeaderSize}, {Size}]");
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(source[CrcOffset..]);
        uint computed = Crc32C.Compute(source[LengthOffset..(int)length]);
        if (stored != computed)
        {
            throw new ChecksumMismatchException(StructureName, offset, stored, computed);
        }

        int version = BinaryPrimitives.ReadUInt16LittleEndian(source[16..]);
        if (version > CurrentVersion)
        {
            throw new UnsupportedFormatVersionException(deviceName, version, CurrentVersion);
        }

        if (version == 0)
        {
            throw new CorruptStructureException(StructureName, offset, "format version 0");
        }

        int journalCount = BinaryPrimitives.ReadInt32LittleEndian(source[68..]);
        int cleanLength = BinaryPrimitives.ReadInt32LittleEndian(source[88..]);
        if (journalCount < 0 || cleanLength < 0 || (long)HeaderSize + (8L * journalCount) + cleanLength != length)
        {
            throw new CorruptStructureException(StructureName, offset, $"journal bucket count {journalCount} and clean section length {cleanLength} do not add up to length {length}");
        }

        var journal = new long[journalCount];
        for (int i = 0; i < journalCount; i++)
        {
            journal[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(HeaderSize + (8 * i))..]);
        }

        long createdMs = BinaryPrimitives.ReadInt64LittleEndian(source[40..]);
        if (createdMs < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || createdMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new CorruptStructureException(StructureName, offset, $"creation time {createdMs} ms is out of range");
        }

        int cleanAt = HeaderSize + (8 * journalCount);
        var superblock = new Superblock
        {
            FormatVersion = version,
            IsClean = (BinaryPrimitives.ReadUInt16LittleEndian(source[18..]) & CleanFlag) != 0,
            Uuid = new Guid(source[24..40]),
            CreatedUtc = DateTimeOffset.FromUnixTimeMilliseconds(createdMs),
            Sequence = BinaryPrimitives.ReadUInt64LittleEndian(source[48..]),
            BlockSize = BinaryPrimitives.ReadInt32LittleEndian(source[56..]),
            BucketSize = BinaryPrimitives.ReadInt32LittleEndian(source[60..]),
            BtreeNodeSize = BinaryPrimitives.ReadInt32LittleEndian(source[64..]),
            BucketCount = BinaryPrimitives.ReadInt64LittleEndian(source[72..]),
            FirstDataBucket = BinaryPrimitives.ReadInt64LittleEndian(source[80..]),
            JournalBuckets = journal,
            CleanSection = source.Slice(cleanAt, cleanLength).ToArray(),
        };
        string? problem = superblock.FindProblem();
        if (problem is not null)
        {
            throw new CorruptStructureException(StructureName, offset, problem);
        }

        return superblock;
    }

    /// <summary>Field-by-field equality (the record's default compares the list and the memory by reference).</summary>
    public bool Equals(Superblock? other) =>
        other is not null && FormatVersion == other.FormatVersion && Uuid == other.Uuid
        && CreatedUtc.ToUnixTimeMilliseconds() == other.CreatedUtc.ToUnixTimeMilliseconds()
        && Sequence == other.Sequence && BlockSize == other.BlockSize && BucketSize == other.BucketSize
        && BtreeNodeSize == other.BtreeNodeSize && BucketCount == other.BucketCount
        && FirstDataBucket == other.FirstDataBucket && JournalBuckets.SequenceEqual(other.JournalBuckets)
        && IsClean == other.IsClean && CleanSection.Span.SequenceEqual(other.CleanSection.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Uuid, Sequence, BucketCount, BucketSize);

    private static bool IsPow2(long v) => v > 0 && (v & (v - 1)) == 0;

    private string? FindProblem()
    {
        if (FormatVersion is < 1 or > CurrentVersion)
        {
            return $"format version {FormatVersion} (supported: 1..{CurrentVersion})";
        }

        if (!IsPow2(BlockSize) || BlockSize < 512 || BlockSize > 65536)
        {
            return $"block size {BlockSize} is not a power of two from 512 to 65536";
        }

        if (!IsPow2(BtreeNodeSize) || BtreeNodeSize < BlockSize)
        {
            return $"btree node size {BtreeNodeSize} is not a power of two at least the block size {BlockSize}";
        }

        if (!IsPow2(BucketSize) || BucketSize < Size || BucketSize < BlockSize || BucketSize < BtreeNodeSize)
        {
            return $"bucket size {BucketSize} is not a power of two at least {Size}, the block size and the btree node size";
        }

        if (BucketCount < 3)
        {
            return $"bucket count {BucketCount} is below 3";
        }

        if (FirstDataBucket < 1 + JournalBuckets.Count || FirstDataBucket >= BackupBucket)
        {
            return $"first data bucket {FirstDataBucket} is not in [{1 + JournalBuckets.Count}, {BackupBucket})";
        }

        foreach (long bucket in JournalBuckets)
        {
            if (bucket < 1 || bucket >= FirstDataBucket)
            {
                return $"journal bucket {bucket} is not in [1, {FirstDataBucket})";
            }
        }

        if (JournalBuckets.Distinct().Count() != JournalBuckets.Count)
        {
            return "the journal bucket list has duplicates";
        }

        if (CleanSection.Length > MaxCleanSectionLength)
        {
            return $"clean section of {CleanSection.Length} bytes exceeds the {MaxCleanSectionLength} that fit";
        }

        return null;
    }

    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        }

        return text.ToString();
    }
}
