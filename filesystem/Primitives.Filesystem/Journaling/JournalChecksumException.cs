using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Journaling;

/// <summary>
/// A journal entry that recovery needs is corrupt (checksum mismatch) or missing: it lies below
/// the newest valid flush entry, which proves it was durable, so it is damage, not a torn write.
/// A <see cref="CorruptStructureException"/> whose structure is "journal entry".
/// </summary>
public sealed class JournalChecksumException : CorruptStructureException
{
    /// <summary>Creates the exception for entry <paramref name="seq"/> at device byte <paramref name="offset"/> (-1: not found at all).</summary>
    /// <param name="seq">The sequence number of the damaged or missing entry.</param>
    /// <param name="offset">The device byte offset of the damaged entry, or -1 when no header of it was found.</param>
    /// <param name="detail">What is wrong.</param>
    public JournalChecksumException(long seq, long offset, string detail)
        : base("journal entry", offset, $"seq {seq}: {detail}")
    {
        Seq = seq;
    }

    /// <summary>The sequence number of the damaged or missing entry.</summary>
    public long Seq { get; }
}
