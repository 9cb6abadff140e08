using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// The btrees' node space over the bucket allocator: nodes are carved sequentially out of the
/// allocator's btree write point (several nodes per bucket), each node counting as live sectors of
/// its bucket until it is freed at the journal sequence that made its replacement reachable.
/// </summary>
/// <remarks>Thread-safe: the allocator and the device are.</remarks>
internal sealed class NodeSpace : IBtreeNodeSpace
{
    private readonly BucketAllocator _allocator;
    private readonly BlockDevice _device;
    private readonly bool _readOnly;
    private long _allocated;
    private long _freed;
    private long _writes;
    private long _inconsistentFrees;

    /// <summary>Frees the allocator did not expect (bucket already empty or of another generation).</summary>
    public long InconsistentFrees => Interlocked.Read(ref _inconsistentFrees);

    public NodeSpace(BucketAllocator allocator, BlockDevice device, int nodeSize, bool readOnly)
    {
        if (nodeSize % AllocKey.SectorSize != 0 || nodeSize % device.LogicalBlockSize != 0 || nodeSize > allocator.BucketSize)
        {
            throw new ArgumentException($"btree node size {nodeSize} must be a multiple of {AllocKey.SectorSize} and of {device.Name}'s {device.LogicalBlockSize}-byte blocks, and at most the bucket size {allocator.BucketSize}", nameof(nodeSize));
        }

        _allocator = allocator;
        _device = device;
        _readOnly = readOnly;
        NodeSize = nodeSize;
    }

    public int NodeSize { get; }

    /// <summary>Node locations handed out since mount.</summary>
    public long Allocated => Interlocked.Read(ref _allocated);

    /// <summary>Node locations freed since mount.</summary>
    public long Freed => Interlocked.Read(ref _freed);

    /// <summary>Node images written since mount.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public NodeLocation Allocate()
    {
        SpaceAllocation space = _allocator.AllocateSpace(BucketDataType.Btree, NodeSize);
        Interlocked.Increment(ref _allocated);
        return new NodeLocation(((long)space.Bucket * _allocator.BucketSize) + space.Offset, space.Generation);
    }

    public void Free(NodeLocation location, ulong journalSeq)
    {
        long bucket = BucketOf(location);
        bool released;
        try
        {
            released = _allocator.TryReleaseSectors(bucket, location.Generation, (uint)(NodeSize / AllocKey.SectorSize), journalSeq);
        }
        catch (InvalidOperationException)
        {
            released = false;
        }

        if (!released)
        {
            // The allocator no longer counts this node (it was corrected at mount, or freed twice):
            // nothing to release. Counted, and left for fsck; throwing here would fail the node write.
            Interlocked.Increment(ref _inconsistentFrees);
            return;
        }

        Interlocked.Increment(ref _freed);
    }

    public ValueTask WriteAsync(NodeLocation location, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default)
    {
        if (_readOnly)
        {
            // A read-only mount never writes: nodes dirtied by replay stay in memory.
            throw new FilesystemReadOnlyException($"{_device.Name}: mounted read-only; btree node {location} was not written");
        }

        Interlocked.Increment(ref _writes);
        return _device.WriteAsync(location.Offset, image, cancellationToken);
    }

    public ValueTask ReadAsync(NodeLocation location, Memory<byte> buffer, CancellationToken cancellationToken = default)
        => _device.ReadAsync(location.Offset, buffer, cancellationToken);

    public long BucketOf(NodeLocation location) => location.Offset / _allocator.BucketSize;
}
