namespace Primitives.Filesystem.Journaling;

/// <summary>
/// Given to <see cref="JournalOptions.EntryWriteHook"/> while an entry is being finished: appends
/// records to that entry within the space the journal kept for the hook.
/// </summary>
/// <remarks>Valid only during the hook call; not thread-safe (one writer at a time uses it).</remarks>
public sealed class JournalEntryAppender
{
    private byte[] _buffer = [];
    private int _position;
    private int _end;

    internal JournalEntryAppender()
    {
    }

    /// <summary>The sequence of the entry being written.</summary>
    public long Seq { get; private set; }

    /// <summary>Bytes still available to the hook (each record costs 5 bytes plus its payload).</summary>
    public int Remaining => _end - _position;

    /// <summary>Appends a record.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is 0 (reserved for padding).</exception>
    /// <exception cref="InvalidOperationException">The record does not fit in the hook's reserve.</exception>
    public void Add(byte type, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfZero(type);
        if (JournalEntryFormat.RecordHeaderSize + payload.Length > Remaining)
        {
            throw new InvalidOperationException($"journal entry hook record of {payload.Length} bytes does not fit: {Remaining} bytes left of JournalOptions.HookReserveBytes");
        }

        _position += JournalEntryFormat.EncodeRecord(_buffer.AsSpan(_position), type, payload);
    }

    internal void Reset(byte[] buffer, long seq, int position, int end)
    {
        _buffer = buffer;
        Seq = seq;
        _position = position;
        _end = end;
    }

    internal int Position => _position;
}
