namespace Primitives.Filesystem.Alloc;

/// <summary>A bucket's alloc key changed (the engine journals the new key).</summary>
/// <param name="Bucket">The bucket number.</param>
/// <param name="Key">Its new alloc key.</param>
public readonly record struct BucketChange(long Bucket, AllocKey Key);
