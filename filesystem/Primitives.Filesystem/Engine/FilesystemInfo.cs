using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Engine;

/// <summary>A description of a mounted filesystem for <c>fs dump</c>.</summary>
/// <param name="Superblock">The superblock's fields, as (name, value) text.</param>
/// <param name="Mount">What the mount did.</param>
/// <param name="Btrees">Each btree's shape.</param>
/// <param name="BucketsByType">Bucket counts by data type (free, need_discard, superblock, journal, btree, user).</param>
public sealed record FilesystemInfo(
    IReadOnlyList<(string Name, string Value)> Superblock,
    MountReport Mount,
    IReadOnlyList<BtreeInfo> Btrees,
    IReadOnlyList<(string DataType, long Buckets)> BucketsByType);

/// <summary>One btree's shape.</summary>
/// <param name="Btree">Which btree.</param>
/// <param name="Depth">Levels (1 = a single leaf).</param>
/// <param name="Nodes">Nodes.</param>
/// <param name="Keys">Keys in its leaves.</param>
public sealed record BtreeInfo(BtreeId Btree, int Depth, long Nodes, long Keys);
