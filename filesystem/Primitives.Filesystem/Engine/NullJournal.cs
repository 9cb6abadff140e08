using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// A journal that records nothing, for btrees that never persist (the read-only probe): every
/// reservation gets the next sequence number and is durable at once.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class NullJournal : IBtreeJournal
{
    private long _seq;

    public NullJournal(ulong startAfter)
    {
        _seq = (long)startAfter;
    }

    public ulong DurableSeq => (ulong)Interlocked.Read(ref _seq);

    public IBtreeJournalReservation Reserve(int records, int payloadBytes, bool writeBack) => new Reservation((ulong)Interlocked.Increment(ref _seq));

    public bool TryReserve(int records, int payloadBytes, bool writeBack, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IBtreeJournalReservation? reservation)
    {
        reservation = Reserve(records, payloadBytes, writeBack);
        return true;
    }

    public void PinAdd(IBtreeJournalPin pin, ulong seq)
    {
    }

    public void PinUpdate(IBtreeJournalPin pin, ulong seq)
    {
    }

    public void PinDrop(IBtreeJournalPin pin)
    {
    }

    public ValueTask FlushAsync(ulong seq, bool writeBack, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    private sealed class Reservation(ulong seq) : IBtreeJournalReservation
    {
        public ulong Seq => seq;

        public void Add(byte type, ReadOnlySpan<byte> payload)
        {
        }

        public void Dispose()
        {
        }
    }
}
