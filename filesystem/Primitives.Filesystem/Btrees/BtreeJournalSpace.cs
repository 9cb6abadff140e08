namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A journal reservation taken only when the operation first needs it, while it holds the node
/// locks that order its records (intent on the leaves or the parent): two operations journalling
/// the same key then get sequence numbers in the order they change it, which is the order replay
/// applies them. Taking it never waits (<see cref="IBtreeJournal.TryReserve"/>); when the journal
/// has no room, <see cref="Take"/> throws <see cref="BtreeJournalFullException"/>, the operation drops
/// its locks, calls <see cref="WaitForSpace"/> and starts again. A write-back pass's reservation
/// (<paramref name="writeBack"/>) may use the space the journal keeps back for freeing space.
/// </summary>
internal sealed class BtreeJournalSpace(IBtreeJournal journal, int records, int payloadBytes, bool writeBack = false) : IDisposable
{
    private IBtreeJournalReservation? _reservation;

    public ulong Seq => Take().Seq;

    public IBtreeJournalReservation Take()
    {
        if (_reservation is null && !journal.TryReserve(records, payloadBytes, writeBack, out _reservation))
        {
            throw new BtreeJournalFullException();
        }

        return _reservation!;
    }

    public void Add(byte type, ReadOnlySpan<byte> payload) => Take().Add(type, payload);

    /// <summary>Waits (holding no node lock) until the journal has room for this operation.</summary>
    public void WaitForSpace() => journal.Reserve(records, payloadBytes, writeBack).Dispose();

    public void Dispose()
    {
        _reservation?.Dispose();
        _reservation = null;
    }
}
