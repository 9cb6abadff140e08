namespace Primitives.Filesystem.Journaling;

/// <summary>
/// Space in one journal entry, taken by <see cref="Journal.Reserve"/>: add records with
/// <see cref="Add"/>, pin dirty objects on <see cref="Seq"/> with <see cref="SetPin"/>, then
/// dispose it. The entry is written only after every reservation on it is disposed.
/// </summary>
/// <remarks>
/// Owned by one caller: <see cref="Add"/> and <see cref="SetPin"/> are not thread-safe. Unused
/// space becomes padding. <see cref="Dispose"/> is idempotent.
/// </remarks>
public sealed class JournalReservation : IDisposable
{
    private readonly Journal _journal;
    private readonly JournalBuffer _buffer;
    private int _position;
    private readonly int _end;
    private int _released;

    internal JournalReservation(Journal journal, JournalBuffer buffer, long seq, int position, int length)
    {
        _journal = journal;
        _buffer = buffer;
        Seq = seq;
        _position = position;
        _end = position + length;
    }

    /// <summary>The sequence of the entry the records go to.</summary>
    public long Seq { get; }

    /// <summary>Bytes still free in the reservation.</summary>
    public int Remaining => _end - _position;

    /// <summary>Appends a record to the entry.</summary>
    /// <param name="type">The record type, 1-255 (0 is the journal's padding).</param>
    /// <param name="payload">The payload, copied.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is 0.</exception>
    /// <exception cref="InvalidOperationException">The record does not fit in what is left of the reservation.</exception>
    /// <exception cref="ObjectDisposedException">The reservation was disposed.</exception>
    public void Add(byte type, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfZero(type);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
        int size = Journal.RecordSize(payload.Length);
        if (size > Remaining)
        {
            throw new InvalidOperationException($"a record of {payload.Length} bytes needs {size} bytes; {Remaining} are left in this reservation");
        }

        _position += JournalEntryFormat.EncodeRecord(_buffer.Data.AsSpan(_position), type, payload);
    }

    /// <summary>
    /// Pins this reservation's sequence for a dirty object (<see cref="Journal.PinUpdate"/>): the
    /// sequence is still pinned by the entry's buffer, so this never misses it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="pin"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The reservation was disposed.</exception>
    public void SetPin(JournalPin pin)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
        _journal.PinUpdate(pin, Seq);
    }

    /// <summary>Releases the reservation (the buffer reference); the last release of a closed entry starts its write.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _journal.ReleaseBuffer(_buffer.Index);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"reservation on seq {Seq}, {Remaining} bytes left";
}
