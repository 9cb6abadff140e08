namespace Primitives.Filesystem.Engine;

/// <summary>The geometry of a new filesystem (<see cref="FileSystem.FormatAsync"/>).</summary>
public sealed record FormatOptions
{
    /// <summary>The default bucket size: 256 KiB.</summary>
    public const int DefaultBucketSize = 256 * 1024;

    /// <summary>The default btree node size: 64 KiB (a quarter bucket; tests use 16 KiB).</summary>
    public const int DefaultBtreeNodeSize = 64 * 1024;

    /// <summary>The default number of journal buckets.</summary>
    public const int DefaultJournalBuckets = 8;

    /// <summary>The filesystem block size: the unit of data allocation (4 KiB).</summary>
    public int BlockSize { get; init; } = 4096;

    /// <summary>The bucket size in bytes: a power of two, at least the btree node size.</summary>
    public int BucketSize { get; init; } = DefaultBucketSize;

    /// <summary>The btree node size in bytes: a power of two, at most the bucket size.</summary>
    public int BtreeNodeSize { get; init; } = DefaultBtreeNodeSize;

    /// <summary>How many buckets the journal ring gets.</summary>
    public int JournalBuckets { get; init; } = DefaultJournalBuckets;

    /// <summary>A fixed filesystem UUID (tests, reproducible images); a random one when null.</summary>
    public Guid? Uuid { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> unless the options are consistent.</summary>
    public void Validate()
    {
        static bool Pow2(int v) => v > 0 && (v & (v - 1)) == 0;
        if (!Pow2(BlockSize) || BlockSize < 512)
        {
            throw new ArgumentException($"block size {BlockSize} must be a power of two of at least 512 bytes", nameof(BlockSize));
        }

        if (!Pow2(BtreeNodeSize) || BtreeNodeSize < BlockSize)
        {
            throw new ArgumentException($"btree node size {BtreeNodeSize} must be a power of two of at least the block size {BlockSize}", nameof(BtreeNodeSize));
        }

        if (!Pow2(BucketSize) || BucketSize < BtreeNodeSize)
        {
            throw new ArgumentException($"bucket size {BucketSize} must be a power of two of at least the btree node size {BtreeNodeSize}", nameof(BucketSize));
        }

        if (JournalBuckets is < 2 or > 64)
        {
            throw new ArgumentException($"journal buckets {JournalBuckets} must be in [2, 64]", nameof(JournalBuckets));
        }
    }
}
