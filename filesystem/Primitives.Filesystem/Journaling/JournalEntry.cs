namespace Primitives.Filesystem.Journaling;

/// <summary>A journal entry read back by replay (checksum verified).</summary>
public sealed class JournalEntry
{
    internal JournalEntry(long seq, long prevSeq, long lastSeq, bool isFlush, long deviceOffset, int length, int region, IReadOnlyList<JournalRecord> records)
    {
        Seq = seq;
        PrevSeq = prevSeq;
        LastSeq = lastSeq;
        IsFlush = isFlush;
        DeviceOffset = deviceOffset;
        Length = length;
        Region = region;
        Records = records;
    }

    /// <summary>The entry's sequence number.</summary>
    public long Seq { get; }

    /// <summary>The sequence of the entry written before it (a gap means sequences skipped at recovery).</summary>
    public long PrevSeq { get; }

    /// <summary>The oldest sequence still needed when the entry was written.</summary>
    public long LastSeq { get; }

    /// <summary>Whether it was written as a flush entry (between two device flushes).</summary>
    public bool IsFlush { get; }

    /// <summary>Device byte offset of the entry.</summary>
    public long DeviceOffset { get; }

    /// <summary>Bytes of header and records.</summary>
    public int Length { get; }

    /// <summary>Index of the journal region holding it.</summary>
    public int Region { get; }

    /// <summary>The records in write order (padding removed).</summary>
    public IReadOnlyList<JournalRecord> Records { get; }

    /// <inheritdoc/>
    public override string ToString() => $"jset {Seq} (prev {PrevSeq}, last {LastSeq}{(IsFlush ? ", flush" : "")}, {Records.Count} records at {DeviceOffset})";
}
