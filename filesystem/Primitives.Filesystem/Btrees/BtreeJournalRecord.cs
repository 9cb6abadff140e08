namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A decoded btree journal record (see <see cref="BtreeJournalRecords"/> for the wire format).
/// </summary>
/// <param name="Seq">The journal sequence of the entry that holds the record.</param>
/// <param name="Kind">What the record does.</param>
/// <param name="Btree">The btree it applies to.</param>
/// <param name="Level">The node level the key applies at (0: a leaf key; above: a child pointer), or the new root level.</param>
/// <param name="Key">The key (for <see cref="BtreeJournalRecordKind.Key"/>).</param>
/// <param name="RootLocation">The root's new location (for <see cref="BtreeJournalRecordKind.RootWritten"/>).</param>
public readonly record struct BtreeJournalRecord(ulong Seq, BtreeJournalRecordKind Kind, BtreeId Btree, int Level, BtreeKey Key, NodeLocation RootLocation);
