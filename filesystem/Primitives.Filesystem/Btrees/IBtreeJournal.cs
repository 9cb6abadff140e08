namespace Primitives.Filesystem.Btrees;

/// <summary>
/// What the btrees need from the journal (the engine adapts the real journal to it).
/// </summary>
/// <remarks>
/// <para>Protocol: the btree code takes intent on the nodes whose keys it will change, then calls
/// <see cref="TryReserve"/> (never waits: a reservation that waited for journal space while holding a
/// lock that reclaim needs would deadlock); on failure it drops its locks, waits in
/// <see cref="Reserve"/>, and starts again. It adds its records, sets pins for the nodes it dirtied,
/// then disposes the reservation. The pin for a sequence is always added before the reservation on
/// that sequence is released.</para>
/// <para>Reclaim asks a pinned node to write itself through <see cref="IBtreeJournalPin.FlushAsync"/>;
/// the write-back pass that does it journals one record per btree root it writes, with
/// <c>writeBack</c> set: the journal must keep space back for those (a few hundred bytes and one
/// entry), which ordinary reservations may not use.</para>
/// <para>All members must be thread-safe.</para>
/// </remarks>
public interface IBtreeJournal
{
    /// <summary>The newest sequence whose entry (and every older one) is durable.</summary>
    ulong DurableSeq { get; }

    /// <summary>
    /// Reserves room for <paramref name="records"/> records with <paramref name="payloadBytes"/> payload
    /// bytes in all, in the currently open entry, without waiting; false when there is no room now.
    /// Called while holding node locks (so records on one key get sequences in the order the key changes).
    /// </summary>
    /// <param name="records">How many records will be added.</param>
    /// <param name="payloadBytes">Their payload bytes in all.</param>
    /// <param name="writeBack">A write-back pass's root records: may use the space kept back for freeing space.</param>
    /// <param name="reservation">The reservation, when granted.</param>
    bool TryReserve(int records, int payloadBytes, bool writeBack, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IBtreeJournalReservation? reservation);

    /// <summary>
    /// Reserves like <see cref="TryReserve"/> but waits for journal space (reclaim). Called with no node
    /// lock held; the btree code uses it only to wait for room (it disposes it unused and retries).
    /// </summary>
    /// <param name="records">How many records will be added.</param>
    /// <param name="payloadBytes">Their payload bytes in all.</param>
    /// <param name="writeBack">As for <see cref="TryReserve"/>.</param>
    IBtreeJournalReservation Reserve(int records, int payloadBytes, bool writeBack);

    /// <summary>Pins sequence <paramref name="seq"/> for <paramref name="pin"/> (which is not pinned now).</summary>
    void PinAdd(IBtreeJournalPin pin, ulong seq);

    /// <summary>
    /// Moves the pin of <paramref name="pin"/> forward to <paramref name="seq"/> (a node written and
    /// durable, but dirtied again since in <paramref name="seq"/>); no-op when it is already there or later.
    /// </summary>
    void PinUpdate(IBtreeJournalPin pin, ulong seq);

    /// <summary>Drops the pin of <paramref name="pin"/> (no-op when it is not pinned).</summary>
    void PinDrop(IBtreeJournalPin pin);

    /// <summary>Makes every entry up to <paramref name="seq"/> durable (0: everything so far).</summary>
    /// <param name="seq">The sequence to make durable (0: everything so far).</param>
    /// <param name="writeBack">A write-back pass making its node writes reachable: it may use the space kept back for freeing space.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask FlushAsync(ulong seq, bool writeBack, CancellationToken cancellationToken = default);
}
