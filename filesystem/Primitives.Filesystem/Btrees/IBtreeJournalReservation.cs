namespace Primitives.Filesystem.Btrees;

/// <summary>A reservation in one journal entry: records added through it land in entry <see cref="Seq"/>.</summary>
public interface IBtreeJournalReservation : IDisposable
{
    /// <summary>The journal sequence of the entry the records go to.</summary>
    ulong Seq { get; }

    /// <summary>Adds one record (see <see cref="BtreeJournalRecords"/> for the btree record types).</summary>
    void Add(byte type, ReadOnlySpan<byte> payload);
}
