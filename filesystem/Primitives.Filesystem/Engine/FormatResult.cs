namespace Primitives.Filesystem.Engine;

/// <summary>The geometry of a freshly formatted filesystem.</summary>
/// <param name="Uuid">The filesystem's UUID.</param>
/// <param name="BucketSize">Bucket size in bytes.</param>
/// <param name="Buckets">Number of buckets.</param>
/// <param name="JournalBuckets">Buckets of the journal ring.</param>
/// <param name="BtreeNodeSize">Btree node size in bytes.</param>
/// <param name="BlockSize">Filesystem block size in bytes.</param>
public sealed record FormatResult(Guid Uuid, int BucketSize, long Buckets, int JournalBuckets, int BtreeNodeSize, int BlockSize)
{
    /// <inheritdoc />
    public override string ToString()
        => $"uuid {Uuid}, {Buckets} buckets of {BucketSize / 1024} KiB, {JournalBuckets} journal buckets, btree nodes {BtreeNodeSize / 1024} KiB, blocks {BlockSize} B";
}
