namespace Primitives.Filesystem.Alloc;

/// <summary>Space handed out by a write point: a block-aligned range inside a bucket.</summary>
/// <param name="Bucket">The bucket number.</param>
/// <param name="Generation">The bucket's generation (pointers to this space carry it).</param>
/// <param name="Offset">Byte offset inside the bucket (a multiple of the block size).</param>
/// <param name="Length">Bytes reserved (the request rounded up to the block size).</param>
public readonly record struct SpaceAllocation(long Bucket, uint Generation, int Offset, int Length);
