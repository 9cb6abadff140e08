using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Format;

/// <summary>The geometry and identity of a new filesystem (<see cref="Formatter.FormatAsync"/>).</summary>
public sealed record FormatOptions
{
    /// <summary>Default bucket size: 256 KiB.</summary>
    public const int DefaultBucketSize = 256 * 1024;

    /// <summary>Default btree node size: 256 KiB.</summary>
    public const int DefaultBtreeNodeSize = 256 * 1024;

    /// <summary>Default filesystem block size: 4 KiB.</summary>
    public const int DefaultBlockSize = 4096;

    /// <summary>Default number of journal buckets.</summary>
    public const int DefaultJournalBuckets = 8;

    /// <summary>Bucket size in bytes (power of two, at least 4096, the block size and the btree node size).</summary>
    public int BucketSize { get; init; } = DefaultBucketSize;

    /// <summary>Filesystem block size in bytes (power of two, 512 to 65536, a multiple of the device's logical block size).</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>Btree node size in bytes (power of two, at least the block size, at most the bucket size).</summary>
    public int BtreeNodeSize { get; init; } = DefaultBtreeNodeSize;

    /// <summary>Number of journal buckets (1 to 64), placed right after the superblock bucket.</summary>
    public int JournalBuckets { get; init; } = DefaultJournalBuckets;

    /// <summary>The filesystem UUID; <see langword="null"/> for a new random one.</summary>
    public Guid? Uuid { get; init; }

    /// <summary>The creation time; <see langword="null"/> for now.</summary>
    public DateTimeOffset? CreatedUtc { get; init; }

    /// <summary>Format even if the device holds another filesystem's signature (default false: refuse).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// The engine's hook: runs after the journal buckets are zeroed and before the superblock is
    /// written (so a crash inside it leaves no valid filesystem behind). It may write the initial
    /// btree nodes and return the superblock to write (e.g. with a clean section holding the roots);
    /// it must not write to bucket 0, the journal buckets or the last bucket.
    /// </summary>
    public Func<BlockDevice, Superblock, CancellationToken, ValueTask<Superblock>>? Initialize { get; init; }
}
