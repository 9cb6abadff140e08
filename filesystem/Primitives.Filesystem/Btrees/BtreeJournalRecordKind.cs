namespace Primitives.Filesystem.Btrees;

/// <summary>The kinds of btree journal records.</summary>
public enum BtreeJournalRecordKind : byte
{
    /// <summary>A key set or deleted (whiteout) at a level: leaf keys at 0, child pointers above.</summary>
    Key = BtreeJournalRecords.KeyType,

    /// <summary>The tree grew a level: the new root (not written yet) has the old root as its only child.</summary>
    RootGrown = BtreeJournalRecords.RootGrownType,

    /// <summary>The root was written to a new location.</summary>
    RootWritten = BtreeJournalRecords.RootWrittenType,
}
