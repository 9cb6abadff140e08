namespace Primitives.Filesystem.Data;

/// <summary>
/// Where a piece of user data lives: a bucket, the bucket's generation when the data was written
/// (a pointer whose generation no longer matches the bucket's is stale), and a byte range inside
/// the bucket.
/// </summary>
/// <param name="Bucket">The bucket number.</param>
/// <param name="Generation">The bucket's generation at write time.</param>
/// <param name="Offset">Byte offset inside the bucket (a multiple of the block size).</param>
/// <param name="Length">Length in bytes of the data (the space used is rounded up to the block size).</param>
public readonly record struct DataPointer(ulong Bucket, uint Generation, uint Offset, uint Length);
