namespace Primitives.Filesystem.Alloc;

/// <content>
/// Write points: one open bucket per data type, filled sequentially in block-sized steps, so
/// small writes share a bucket (buckets are written sequentially, never overwritten in place).
/// </content>
public sealed partial class BucketAllocator
{
    /// <summary>The current bucket of each data type's write point. Guarded by <c>_lock</c>.</summary>
    private readonly Dictionary<BucketDataType, WritePoint> _writePoints = [];

    /// <summary>
    /// Hands out <paramref name="bytes"/> (rounded up to the block size) of new space for
    /// <paramref name="type"/>: the next free range of that type's open bucket, or of a newly
    /// allocated bucket when it is full. The space counts as live sectors at once; release it with
    /// <see cref="TryReleaseSectors"/> (the caller's pointer carries bucket and generation).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is below 1 or above the bucket size, or <paramref name="type"/> is not Btree, User or Journal.</exception>
    /// <exception cref="NoSpaceException">A new bucket was needed and none is free.</exception>
    public SpaceAllocation AllocateSpace(BucketDataType type, int bytes)
    {
        CheckClaimType(type);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, BucketSize);
        int length = (int)(((long)bytes + BlockSize - 1) / BlockSize * BlockSize);
        lock (_lock)
        {
            if (!_writePoints.TryGetValue(type, out WritePoint? point) || point.Used + length > BucketSize)
            {
                if (point is not null)
                {
                    CloseWritePointOfLocked(point.Bucket); // full: leave it to be emptied by releases
                }

                BucketAllocation fresh = AllocateLocked(type);
                point = new WritePoint(fresh.Bucket, fresh.Generation);
                _writePoints[type] = point;
                _open[fresh.Bucket] = true;
            }

            int offset = point.Used;
            point.Used += length;
            if (!TryAddSectorsLocked(point.Bucket, point.Generation, (uint)(length / AllocKey.SectorSize), 0, out string? error))
            {
                throw new InvalidOperationException(error);
            }

            return new SpaceAllocation(point.Bucket, point.Generation, offset, length);
        }
    }

    private void CloseWritePointOfLocked(long bucket)
    {
        _open[bucket] = false;
        foreach ((BucketDataType type, WritePoint point) in _writePoints)
        {
            if (point.Bucket == bucket)
            {
                _writePoints.Remove(type);
                return;
            }
        }
    }

    private sealed class WritePoint(long bucket, uint generation)
    {
        public long Bucket { get; } = bucket;

        public uint Generation { get; } = generation;

        public int Used { get; set; }
    }
}
