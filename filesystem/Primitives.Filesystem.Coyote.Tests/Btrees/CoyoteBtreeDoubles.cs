using System.Diagnostics.CodeAnalysis;
using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Coyote.Tests.Btrees;

/// <summary>
/// A node space in memory for Coyote runs (a Monitor guards it: Coyote controls it). Checks that
/// nobody writes or reads a location that is not allocated.
/// </summary>
internal sealed class CoyoteNodeSpace(int nodeSize) : IBtreeNodeSpace
{
    private readonly object _gate = new();
    private readonly Dictionary<long, byte[]> _images = [];
    private readonly HashSet<long> _allocated = [];
    private long _next;

    public int NodeSize => nodeSize;

    public NodeLocation Allocate()
    {
        lock (_gate)
        {
            long offset = _next;
            _next += nodeSize;
            _allocated.Add(offset);
            return new NodeLocation(offset, 1);
        }
    }

    public void Free(NodeLocation location, ulong journalSeq)
    {
        lock (_gate)
        {
            if (!_allocated.Remove(location.Offset))
            {
                throw new InvalidOperationException($"double free of {location}");
            }
        }
    }

    public ValueTask WriteAsync(NodeLocation location, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_allocated.Contains(location.Offset))
            {
                throw new InvalidOperationException($"write to unallocated {location}");
            }

            _images[location.Offset] = image.ToArray();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ReadAsync(NodeLocation location, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _images[location.Offset].CopyTo(buffer);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A journal for Coyote runs: every reservation gets the next sequence number; pins are checked
/// (one sequence per pin, never on a sequence already durable and unpinned below); a flush makes
/// durable every sequence below the oldest outstanding reservation (never waits).
/// </summary>
internal sealed class CoyoteBtreeJournal : IBtreeJournal
{
    private readonly object _gate = new();
    private readonly SortedDictionary<ulong, int> _outstanding = [];
    private readonly Dictionary<IBtreeJournalPin, ulong> _pins = new(ReferenceEqualityComparer.Instance);
    private ulong _next = 1;
    private ulong _durable;

    public ulong DurableSeq
    {
        get
        {
            lock (_gate)
            {
                return _durable;
            }
        }
    }

    /// <summary>Every pin and the sequence it is on, now.</summary>
    public List<(IBtreeJournalPin Pin, ulong Seq)> PinnedNow()
    {
        lock (_gate)
        {
            return _pins.Select(p => (p.Key, p.Value)).ToList();
        }
    }

    public int Pins
    {
        get
        {
            lock (_gate)
            {
                return _pins.Count;
            }
        }
    }

    public bool TryReserve(int records, int payloadBytes, bool writeBack, [NotNullWhen(true)] out IBtreeJournalReservation? reservation)
    {
        reservation = Reserve(records, payloadBytes, writeBack);
        return true;
    }

    public IBtreeJournalReservation Reserve(int records, int payloadBytes, bool writeBack)
    {
        lock (_gate)
        {
            ulong seq = _next++;
            _outstanding[seq] = 1;
            return new Reservation(this, seq, records);
        }
    }

    public void PinAdd(IBtreeJournalPin pin, ulong seq)
    {
        lock (_gate)
        {
            if (!_pins.TryAdd(pin, seq))
            {
                throw new InvalidOperationException($"pin already on {_pins[pin]}, asked for {seq}");
            }
        }
    }

    public void PinUpdate(IBtreeJournalPin pin, ulong seq)
    {
        lock (_gate)
        {
            if (_pins.TryGetValue(pin, out ulong current) && current >= seq)
            {
                return;
            }

            _pins[pin] = seq;
        }
    }

    public void PinDrop(IBtreeJournalPin pin)
    {
        lock (_gate)
        {
            _pins.Remove(pin);
        }
    }

    public ValueTask FlushAsync(ulong seq, bool writeBack, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ulong limit = _outstanding.Count == 0 ? _next - 1 : _outstanding.Keys.First() - 1;
            _durable = Math.Max(_durable, limit);
        }

        return ValueTask.CompletedTask;
    }

    private void Release(ulong seq)
    {
        lock (_gate)
        {
            _outstanding.Remove(seq);
        }
    }

    private sealed class Reservation(CoyoteBtreeJournal journal, ulong seq, int records) : IBtreeJournalReservation
    {
        private int _added;
        private bool _disposed;

        public ulong Seq => seq;

        public void Add(byte type, ReadOnlySpan<byte> payload)
        {
            if (_disposed || ++_added > records)
            {
                throw new InvalidOperationException($"reservation {seq} misused: {_added} of {records} records, disposed {_disposed}");
            }
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                journal.Release(seq);
            }
        }
    }
}
