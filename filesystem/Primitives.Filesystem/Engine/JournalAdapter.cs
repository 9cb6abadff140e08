using System.Runtime.CompilerServices;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// The btrees' view of the journal (<see cref="IBtreeJournal"/>) over the real <see cref="Journal"/>:
/// reservations sized from record counts (write-back passes at the reclaim watermark), pins mapped
/// one to one onto <see cref="JournalPin"/>s whose reclaim callback asks the btree object to write
/// itself, and flush with 0 meaning "everything so far".
/// </summary>
/// <remarks>Thread-safe: the journal is, and the pin map is a <see cref="ConditionalWeakTable{TKey, TValue}"/>.</remarks>
internal sealed class JournalAdapter : IBtreeJournal
{
    private readonly Journal _journal;
    private readonly ConditionalWeakTable<IBtreeJournalPin, JournalPin> _pins = new();

    public JournalAdapter(Journal journal)
    {
        _journal = journal;
    }

    public ulong DurableSeq => (ulong)Math.Max(0, _journal.DurableSeq);

    public IBtreeJournalReservation Reserve(int records, int payloadBytes, bool writeBack) =>
        new Reservation(_journal.Reserve(Bytes(records, payloadBytes), Watermark(writeBack)));

    public bool TryReserve(int records, int payloadBytes, bool writeBack, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IBtreeJournalReservation? reservation)
    {
        if (_journal.TryReserve(Bytes(records, payloadBytes), out JournalReservation? inner, Watermark(writeBack)))
        {
            reservation = new Reservation(inner);
            return true;
        }

        reservation = null;
        return false;
    }

    private static int Bytes(int records, int payloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(records);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadBytes);
        return checked((records * Journal.RecordSize(0)) + payloadBytes);
    }

    /// <summary>Write-back passes free journal space: they may use the reclaim reserve, everything else may not.</summary>
    private static JournalWatermark Watermark(bool writeBack) => writeBack ? JournalWatermark.Reclaim : JournalWatermark.Normal;

    public void PinAdd(IBtreeJournalPin pin, ulong seq) => _journal.PinAdd(JournalPinFor(pin), checked((long)seq));

    public void PinUpdate(IBtreeJournalPin pin, ulong seq) => _journal.PinUpdate(JournalPinFor(pin), checked((long)seq));

    private JournalPin JournalPinFor(IBtreeJournalPin pin) =>
        _pins.GetValue(pin, p => new JournalPin((_, _, ct) => p.FlushAsync(ct)));

    public void PinDrop(IBtreeJournalPin pin)
    {
        if (_pins.TryGetValue(pin, out JournalPin? journalPin))
        {
            _journal.PinDrop(journalPin);
        }
    }

    public async ValueTask FlushAsync(ulong seq, bool writeBack, CancellationToken cancellationToken = default)
    {
        long target = seq == 0 ? _journal.CurrentSeq : checked((long)seq);
        await _journal.FlushAsync(target, Watermark(writeBack), cancellationToken).ConfigureAwait(false);
    }

    private sealed class Reservation : IBtreeJournalReservation
    {
        private readonly JournalReservation _inner;

        public Reservation(JournalReservation inner)
        {
            _inner = inner;
        }

        public ulong Seq => (ulong)_inner.Seq;

        public void Add(byte type, ReadOnlySpan<byte> payload) => _inner.Add(type, payload);

        public void Dispose() => _inner.Dispose();
    }
}
