namespace Primitives.Filesystem.Alloc;

/// <summary>A bucket handed out by the allocator, with its new generation.</summary>
/// <param name="Bucket">The bucket number.</param>
/// <param name="Generation">Its generation after this allocation.</param>
public readonly record struct BucketAllocation(long Bucket, uint Generation);
