using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Tests.Alloc;

internal static class AllocTestData
{
    /// <summary>64 buckets of 64 KiB: bucket 0 superblock, 1-2 journal, 3..62 data (60), 63 backup.</summary>
    public static Superblock Geometry(long buckets = 64) => new()
    {
        Uuid = Guid.NewGuid(),
        BlockSize = 4096,
        BucketSize = 64 * 1024,
        BtreeNodeSize = 16 * 1024,
        BucketCount = buckets,
        FirstDataBucket = 3,
        JournalBuckets = [1, 2],
    };

    public static (BucketAllocator Allocator, MemoryBlockDevice Device, List<BucketChange> Changes) Create(long buckets = 64, BucketAllocatorOptions? options = null)
    {
        Superblock geometry = Geometry(buckets);
        BucketAllocator allocator = BucketAllocator.Create(geometry, options: options);
        var changes = new List<BucketChange>();
        allocator.Changed += changes.Add;
        return (allocator, new MemoryBlockDevice(geometry.BucketCount * geometry.BucketSize), changes);
    }
}
