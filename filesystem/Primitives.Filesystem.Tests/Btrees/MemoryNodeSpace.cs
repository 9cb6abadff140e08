using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Tests.Btrees;

/// <summary>
/// A node space over memory for tests: a growing array of node slots. Freed slots become reusable
/// only once the journal sequence they were freed at is durable (then their generation is bumped),
/// and reuse happens first, so a pointer kept past its free is caught (its bytes are overwritten or
/// its generation is stale). Writes land immediately (a crash keeps every completed write).
/// </summary>
internal sealed class MemoryNodeSpace(int nodeSize, Func<ulong> durableSeq) : IBtreeNodeSpace
{
    private readonly object _gate = new();
    private readonly List<byte[]?> _slots = [];
    private readonly List<uint> _generations = [];
    private readonly List<(int Slot, ulong Seq)> _pendingFree = [];
    private readonly Stack<int> _free = new();
    private readonly HashSet<int> _allocated = [];

    public int NodeSize => nodeSize;

    public int Allocated
    {
        get
        {
            lock (_gate)
            {
                return _allocated.Count;
            }
        }
    }

    public int Reused { get; private set; }

    public NodeLocation Allocate()
    {
        lock (_gate)
        {
            ReleaseDurable();
            int slot;
            if (_free.Count > 0)
            {
                slot = _free.Pop();
                _generations[slot]++;
                Reused++;
            }
            else
            {
                slot = _slots.Count;
                _slots.Add(null);
                _generations.Add(1);
            }

            _allocated.Add(slot);
            return new NodeLocation((long)slot * nodeSize, _generations[slot]);
        }
    }

    public void Free(NodeLocation location, ulong journalSeq)
    {
        lock (_gate)
        {
            int slot = SlotOf(location);
            if (!_allocated.Remove(slot))
            {
                throw new InvalidOperationException($"double free of {location}");
            }

            _pendingFree.Add((slot, journalSeq));
        }
    }

    public ValueTask WriteAsync(NodeLocation location, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default)
    {
        if (image.Length != nodeSize)
        {
            throw new ArgumentException($"a node image is {nodeSize} bytes, not {image.Length}");
        }

        lock (_gate)
        {
            int slot = SlotOf(location);
            if (!_allocated.Contains(slot))
            {
                throw new InvalidOperationException($"write to unallocated {location}");
            }

            _slots[slot] = image.ToArray();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ReadAsync(NodeLocation location, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            int slot = SlotOf(location);
            if (_generations[slot] != location.Generation)
            {
                throw new FilesystemException($"stale node pointer {location}: the slot is at generation {_generations[slot]}");
            }

            (_slots[slot] ?? new byte[nodeSize]).CopyTo(buffer);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Flips one byte of the image at <paramref name="location"/> (corruption tests).</summary>
    public void Corrupt(NodeLocation location, int offset)
    {
        lock (_gate)
        {
            _slots[SlotOf(location)]![offset] ^= 0x5A;
        }
    }

    /// <summary>A copy with the same bytes and allocation state (the device after a crash).</summary>
    public MemoryNodeSpace CloneForCrash(Func<ulong> newDurableSeq)
    {
        lock (_gate)
        {
            ReleaseDurable();
            var copy = new MemoryNodeSpace(nodeSize, newDurableSeq);
            copy._slots.AddRange(_slots.Select(s => s?.ToArray()));
            copy._generations.AddRange(_generations);
            ulong durable = durableSeq();
            foreach (var (slot, seq) in _pendingFree)
            {
                // A free at a sequence that never became durable never happened: the old pointer is still live.
                if (seq <= durable)
                {
                    copy._pendingFree.Add((slot, seq));
                }
                else
                {
                    copy._allocated.Add(slot);
                }
            }

            foreach (int f in _free.Reverse())
            {
                copy._free.Push(f);
            }

            copy._allocated.UnionWith(_allocated);
            return copy;
        }
    }

    private int SlotOf(NodeLocation location)
    {
        if (location.Offset % nodeSize != 0 || location.Offset < 0 || location.Offset / nodeSize >= _slots.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(location), location, "not a node location of this space");
        }

        return (int)(location.Offset / nodeSize);
    }

    private void ReleaseDurable()
    {
        ulong durable = durableSeq();
        for (int i = _pendingFree.Count - 1; i >= 0; i--)
        {
            if (_pendingFree[i].Seq <= durable)
            {
                _free.Push(_pendingFree[i].Slot);
                _pendingFree.RemoveAt(i);
            }
        }
    }
}
