namespace Primitives.Filesystem.Journaling;

/// <summary>
/// What <see cref="Journal.ReadAsync"/> found: the entries to replay, in sequence order, and what
/// <see cref="Journal.Open"/> needs to continue after them.
/// </summary>
public sealed class JournalReplay
{
    internal JournalReplay(ulong journalId, IReadOnlyList<JournalEntry> entries, JournalEntry? newest, long maxSeenSeq, IReadOnlyList<JournalEntry> ignoredTail, IReadOnlyList<(long Seq, long Offset)> tornEntries)
    {
        JournalId = journalId;
        Entries = entries;
        Newest = newest;
        MaxSeenSeq = maxSeenSeq;
        IgnoredTail = ignoredTail;
        TornEntries = tornEntries;
    }

    /// <summary>The journal id the entries were read with.</summary>
    public ulong JournalId { get; }

    /// <summary>
    /// The entries from the newest trusted entry's last_seq up to it, in sequence order (a
    /// sequence missing in between was skipped by a recovery, never lost: the back links prove it).
    /// Empty for an empty journal.
    /// </summary>
    public IReadOnlyList<JournalEntry> Entries { get; }

    /// <summary>The newest trusted entry (the newest valid flush entry), whose hook records hold the newest roots; null for an empty journal.</summary>
    public JournalEntry? Newest { get; }

    /// <summary>The oldest sequence replay needs (the newest entry's last_seq); 0 when empty.</summary>
    public long LastSeq => Newest?.LastSeq ?? 0;

    /// <summary>The highest sequence number seen on disk, valid or not (new entries are numbered above it).</summary>
    public long MaxSeenSeq { get; }

    /// <summary>Valid entries newer than <see cref="Newest"/> that no flush entry covers: written but never durable, so not replayed.</summary>
    public IReadOnlyList<JournalEntry> IgnoredTail { get; }

    /// <summary>Entries with a plausible header but a bad checksum that replay did not need (a torn write at the tail): sequence and device offset.</summary>
    public IReadOnlyList<(long Seq, long Offset)> TornEntries { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        Newest is null ? "empty journal" : $"replay [{LastSeq}, {Newest.Seq}]: {Entries.Count} entries, {IgnoredTail.Count} unflushed and {TornEntries.Count} torn ignored";
}
