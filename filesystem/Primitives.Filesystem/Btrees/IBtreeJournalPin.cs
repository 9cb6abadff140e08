namespace Primitives.Filesystem.Btrees;

/// <summary>A pinned btree object (a dirty node) that journal reclaim can ask to write itself.</summary>
public interface IBtreeJournalPin
{
    /// <summary>
    /// Writes the object (copy-on-write) so the pinned sequence is no longer needed, then drops the pin
    /// through <see cref="IBtreeJournal.PinDrop"/> once the write is reachable from a durable entry.
    /// </summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
