using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Tests.Btrees;

/// <summary>
/// An in-memory journal double that keeps the real journal's rules and checks them:
/// records go to the entry open when the reservation was taken; an entry is written (durable) only
/// after every reservation on it is released, in order; each written entry carries the btree roots
/// of that moment (<see cref="BtreeStore.RootsAt"/>) and its last_seq (oldest pinned sequence);
/// pins on a reclaimed sequence are rejected (the journal race of seed 003); a pin is on at most one
/// sequence. <see cref="Crash"/> returns what recovery would read.
/// </summary>
internal sealed class TestBtreeJournal : IBtreeJournal
{
    private readonly object _gate = new();
    private readonly Dictionary<ulong, List<(byte Type, byte[] Payload)>> _records = [];
    private readonly Dictionary<ulong, int> _outstanding = [];
    private readonly Dictionary<IBtreeJournalPin, ulong> _pins = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ulong, (ulong LastSeq, BtreeRoots? Roots)> _written = [];
    private ulong _open = 1;
    private ulong _durable;
    private ulong _reclaimedBelow = 1;

    /// <summary>Entries close after this many reservations (more entries, more interleavings).</summary>
    public int ReservationsPerEntry { get; init; } = 4;

    /// <summary>Supplies the roots written into each entry (set once the store exists).</summary>
    public Func<ulong, BtreeRoots>? RootsProvider { get; set; }

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

    public int PinCount
    {
        get
        {
            lock (_gate)
            {
                return _pins.Count;
            }
        }
    }

    public long RecordsAdded { get; private set; }

    private int _reservationsInOpen;

    /// <summary>The next this-many <see cref="TryReserve"/> calls report a full journal (exercises the wait-and-retry path).</summary>
    public int RefuseTryReserves { get; set; }

    /// <summary>How many times <see cref="TryReserve"/> reported a full journal.</summary>
    public int TryReserveRefusals { get; private set; }

    public bool TryReserve(int records, int payloadBytes, bool writeBack, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IBtreeJournalReservation? reservation)
    {
        lock (_gate)
        {
            if (RefuseTryReserves > 0)
            {
                RefuseTryReserves--;
                TryReserveRefusals++;
                reservation = null;
                return false;
            }
        }

        reservation = Reserve(records, payloadBytes, writeBack);
        return true;
    }

    public IBtreeJournalReservation Reserve(int records, int payloadBytes, bool writeBack)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(records);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadBytes);
        lock (_gate)
        {

            if (_reservationsInOpen >= ReservationsPerEntry)
            {
                _open++;
                _reservationsInOpen = 0;
            }

            _reservationsInOpen++;
            ulong seq = _open;
            _outstanding[seq] = _outstanding.GetValueOrDefault(seq) + 1;
            return new Reservation(this, seq, records, payloadBytes);
        }
    }

    public void PinAdd(IBtreeJournalPin pin, ulong seq)
    {
        lock (_gate)
        {
            if (_pins.ContainsKey(pin))
            {
                throw new InvalidOperationException($"pin already on sequence {_pins[pin]}, asked to pin {seq}");
            }

            if (seq < _reclaimedBelow || seq > _open)
            {
                throw new InvalidOperationException($"pin on sequence {seq} outside the live range [{_reclaimedBelow}, {_open}]");
            }

            _pins[pin] = seq;
        }
    }

    public void PinUpdate(IBtreeJournalPin pin, ulong seq)
    {
        lock (_gate)
        {
            if (!_pins.TryGetValue(pin, out ulong current))
            {
                throw new InvalidOperationException($"PinUpdate of an unpinned pin to {seq}");
            }

            if (seq < _reclaimedBelow || seq > _open)
            {
                throw new InvalidOperationException($"pin moved to sequence {seq} outside the live range [{_reclaimedBelow}, {_open}]");
            }

            if (seq > current)
            {
                _pins[pin] = seq;
            }
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
            ulong target = seq == 0 || seq > _open ? _open : seq;
            if (target == _open)
            {
                _open++;
                _reservationsInOpen = 0;
            }

            // Entries are written in order, each once no reservation on it is outstanding.
            while (_durable < target)
            {
                ulong next = _durable + 1;
                while (_outstanding.GetValueOrDefault(next) > 0)
                {
                    Monitor.Wait(_gate);
                }

                WriteEntryLocked(next);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Reclaim: asks every pin on a sequence up to <paramref name="upTo"/> to flush, then advances last_seq.</summary>
    public async Task ReclaimAsync(ulong upTo)
    {
        List<IBtreeJournalPin> pins;
        lock (_gate)
        {
            pins = _pins.Where(p => p.Value <= upTo).Select(p => p.Key).ToList();
        }

        foreach (IBtreeJournalPin pin in pins)
        {
            await pin.FlushAsync();
        }

        lock (_gate)
        {
            ulong oldestPinned = _pins.Count == 0 ? ulong.MaxValue : _pins.Values.Min();
            _reclaimedBelow = Math.Max(_reclaimedBelow, Math.Min(Math.Min(oldestPinned, _durable + 1), upTo + 1));
        }
    }

    /// <summary>What recovery reads after a crash now: the newest durable entry's roots, its durable seq, and the btree records of [last_seq, newest].</summary>
    public (BtreeRoots? Roots, ulong Durable, List<BtreeJournalRecord> Records) Crash()
    {
        lock (_gate)
        {
            if (_durable == 0)
            {
                return (null, 0, []);
            }

            var (lastSeq, roots) = _written[_durable];
            var records = new List<BtreeJournalRecord>();
            for (ulong s = lastSeq; s <= _durable; s++)
            {
                foreach (var (type, payload) in _records.GetValueOrDefault(s) ?? [])
                {
                    if (!BtreeJournalRecords.TryDecode(s, type, payload, out BtreeJournalRecord record))
                    {
                        throw new InvalidOperationException($"entry {s} holds an undecodable record of type {type}");
                    }

                    records.Add(record);
                }
            }

            return (roots, _durable, records);
        }
    }

    /// <summary>A fresh journal continuing after <paramref name="durable"/> (what mount does after recovery).</summary>
    public static TestBtreeJournal ContinueAfter(ulong durable, int reservationsPerEntry = 4)
    {
        var journal = new TestBtreeJournal { ReservationsPerEntry = reservationsPerEntry };
        journal._open = durable + 1;
        journal._durable = durable;
        journal._reclaimedBelow = durable + 1;
        for (ulong s = 1; s <= durable; s++)
        {
            journal._written[s] = (durable + 1, null);
        }

        return journal;
    }

    private void WriteEntryLocked(ulong seq)
    {
        ulong oldestPinned = _pins.Count == 0 ? seq : Math.Min(seq, _pins.Values.Min());
        ulong lastSeq = Math.Max(Math.Min(oldestPinned, seq), _reclaimedBelow);
        _written[seq] = (lastSeq, RootsProvider?.Invoke(seq));
        _durable = seq;
    }

    private void Release(ulong seq, List<(byte Type, byte[] Payload)> added)
    {
        lock (_gate)
        {
            if (added.Count > 0)
            {
                if (!_records.TryGetValue(seq, out var list))
                {
                    _records[seq] = list = [];
                }

                list.AddRange(added);
                RecordsAdded += added.Count;
            }

            _outstanding[seq]--;
            Monitor.PulseAll(_gate);
        }
    }

    private sealed class Reservation(TestBtreeJournal journal, ulong seq, int records, int payloadBytes) : IBtreeJournalReservation
    {
        private readonly List<(byte Type, byte[] Payload)> _added = [];
        private int _bytes;
        private bool _disposed;

        public ulong Seq => seq;

        public void Add(byte type, ReadOnlySpan<byte> payload)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _bytes += payload.Length;
            if (_added.Count + 1 > records || _bytes > payloadBytes)
            {
                throw new InvalidOperationException($"reservation for {records} records / {payloadBytes} bytes overrun ({_added.Count + 1} records, {_bytes} bytes)");
            }

            _added.Add((type, payload.ToArray()));
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                journal.Release(seq, _added);
            }
        }
    }
}
