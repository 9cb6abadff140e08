using System.Runtime.CompilerServices;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// The btrees' view of the journal (<see cref="IBtreeJournal"/>) over the real <see cref="Journal"/>:
/// reservations sized from record counts, pins mapped one to one onto <see cref="JournalPin"/>s whose
/// reclaim callback asks the btree object to write itself, and flush with 0 meaning "everything so far".
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

    public IBtreeJournalReservation Reserve(int records, int payloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(records);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadBytes);
        int bytes = checked((records * Journal.RecordSize(0)) + payloadBytes);
        return new Reservation(_journal.Reserve(bytes));
    }

    public bool TryReserve(int records, int payloadBytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IBtreeJournalReservation? reservation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(records);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadBytes);
        int bytes = checked((records * Journal.RecordSize(0)) + payloadBytes);

        // The journal's public API has no non-waiting reserve: ReserveAsync with a cancelled token
        // takes the fast path (one compare-and-swap) and gives up where it would wait.
        ValueTask<JournalReservation> attempt = _journal.ReserveAsync(bytes, s_cancelled);
        if (attempt.IsCompletedSuccessfully)
        {
            reservation = new Reservation(attempt.Result);
            return true;
        }

        try
        {
            attempt.AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        reservation = null;
        return false;
    }

    private static readonly CancellationToken s_cancelled = new(canceled: true);

    public void PinAdd(IBtreeJournalPin pin, ulong seq)
    {
        JournalPin journalPin = _pins.GetValue(pin, p => new JournalPin((self, seq, ct) => FlushPinnedAsync(p, self, seq, ct)));
        // A btree node may name a sequence its pin was moved past (see FlushPinnedAsync): everything
        // before that sequence is written, so pinning the oldest live sequence instead is as safe.
        for (int attempt = 0; ; attempt++)
        {
            long target = Math.Max(checked((long)seq), _journal.LastSeq);
            try
            {
                _journal.PinAdd(journalPin, target);
                return;
            }
            catch (InvalidOperationException) when (attempt < 8 && journalPin.Seq == 0 && _journal.LastSeq > target)
            {
                // last_seq moved on between the read and the pin: retry with the new one.
            }
        }
    }

    public void PinDrop(IBtreeJournalPin pin)
    {
        if (_pins.TryGetValue(pin, out JournalPin? journalPin))
        {
            _journal.PinDrop(journalPin);
        }
    }

    public async ValueTask FlushAsync(ulong seq, CancellationToken cancellationToken = default)
    {
        long target = seq == 0 ? _journal.CurrentSeq : checked((long)seq);
        await _journal.FlushAsync(target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reclaim's callback: asks the btree object to write itself. A commit can dirty the object
    /// again between its write and its pin drop, leaving the pin on the old sequence. Every change
    /// the write did not include came from a commit that reserved its journal space after the write
    /// locked the node (the btree reserves under the node lock), so at or after the sequence that
    /// was open before the write started: the pin moves there (never backwards), and reclaim of the
    /// old sequence can go on.
    /// </summary>
    private async ValueTask FlushPinnedAsync(IBtreeJournalPin pin, JournalPin journalPin, long seq, CancellationToken cancellationToken)
    {
        long openBefore = _journal.CurrentSeq;
        await pin.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (journalPin.Seq == seq && openBefore > seq)
        {
            _journal.PinUpdate(journalPin, openBefore);
            Interlocked.Increment(ref _pinsMoved);
        }
    }

    private long _pinsMoved;

    /// <summary>Pins moved forward after a node was dirtied again during its reclaim write.</summary>
    public long PinsMoved => Interlocked.Read(ref _pinsMoved);

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
