namespace Primitives.Filesystem.Journaling;

/// <summary>
/// A journal entry that recovery needs is corrupt (checksum mismatch) or missing: it lies below
/// the newest valid flush entry, which proves it was durable, so it is damage, not a torn write.
/// </summary>
public sealed class JournalChecksumException : FilesystemException
{
    /// <summary>Creates the exception for entry <paramref name="seq"/> at device byte <paramref name="offset"/> (-1: not found at all).</summary>
    public JournalChecksumException(long seq, long offset, string message)
        : base(message)
    {
        Seq = seq;
        Offset = offset;
    }

    /// <summary>The sequence number of the damaged or missing entry.</summary>
    public long Seq { get; }

    /// <summary>The device byte offset of the damaged entry, or -1 when no header of it was found.</summary>
    public long Offset { get; }
}
