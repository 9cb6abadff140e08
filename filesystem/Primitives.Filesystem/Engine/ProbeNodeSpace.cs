using System.Collections.Concurrent;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// A node space that reads the device but never writes it: nodes the btrees rewrite (journal replay
/// in memory) get locations past the end of the device and live in memory. Used to read the alloc
/// keys before the allocator exists, and for read-only mounts (fsck check, dump).
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ProbeNodeSpace : IBtreeNodeSpace
{
    private readonly BlockDevice _device;
    private readonly ConcurrentDictionary<long, byte[]> _memory = new();
    private readonly ConcurrentDictionary<NodeLocation, byte> _freed = new();
    private long _next;

    public ProbeNodeSpace(BlockDevice device, int nodeSize)
    {
        _device = device;
        NodeSize = nodeSize;
        _next = (device.Size + nodeSize - 1) / nodeSize * nodeSize;
    }

    public int NodeSize { get; }

    /// <summary>Whether <paramref name="location"/> is an in-memory location of this probe (not on the device).</summary>
    public bool IsInMemory(NodeLocation location) => location.Offset >= _device.Size;

    public NodeLocation Allocate() => new(Interlocked.Add(ref _next, NodeSize) - NodeSize, 0);

    /// <summary>Device locations of nodes the probe rewrote: on disk they were live when the probe started.</summary>
    public IReadOnlyCollection<NodeLocation> FreedDeviceLocations => _freed.Keys.ToArray();

    public void Free(NodeLocation location, ulong journalSeq)
    {
        if (IsInMemory(location))
        {
            _memory.TryRemove(location.Offset, out _);
        }
        else
        {
            _freed.TryAdd(location, 0);
        }
    }

    public ValueTask WriteAsync(NodeLocation location, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default)
    {
        if (!IsInMemory(location))
        {
            throw new InvalidOperationException($"the read-only probe was asked to write device location {location}");
        }

        _memory[location.Offset] = image.ToArray();
        return ValueTask.CompletedTask;
    }

    public ValueTask ReadAsync(NodeLocation location, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (IsInMemory(location))
        {
            if (!_memory.TryGetValue(location.Offset, out byte[]? image))
            {
                throw new InvalidOperationException($"in-memory node {location} was never written");
            }

            image.CopyTo(buffer);
            return ValueTask.CompletedTask;
        }

        return _device.ReadAsync(location.Offset, buffer, cancellationToken);
    }
}
