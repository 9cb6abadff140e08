namespace Primitives.Filesystem.Format;

/// <summary>
/// An on-disk structure failed validation: a bad magic, an impossible field, a truncated record.
/// Names the structure (e.g. "superblock", "journal entry", "btree node") and its byte offset.
/// </summary>
public class CorruptStructureException : FilesystemException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="structure">What was being read, e.g. "superblock".</param>
    /// <param name="offset">Its byte offset on the device, or -1 when not known.</param>
    /// <param name="detail">What is wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public CorruptStructureException(string structure, long offset, string detail, Exception? innerException = null)
        : base($"corrupt {structure}{(offset >= 0 ? $" at offset {offset}" : string.Empty)}: {detail}", innerException!)
    {
        Structure = structure;
        Offset = offset;
    }

    /// <summary>What was being read.</summary>
    public string Structure { get; }

    /// <summary>Its byte offset on the device, or -1.</summary>
    public long Offset { get; }
}
