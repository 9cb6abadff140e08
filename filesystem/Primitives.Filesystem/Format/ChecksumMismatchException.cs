namespace Primitives.Filesystem.Format;

/// <summary>An on-disk structure's stored checksum does not match its contents.</summary>
public sealed class ChecksumMismatchException : CorruptStructureException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="structure">What was being read, e.g. "superblock".</param>
    /// <param name="offset">Its byte offset on the device, or -1 when not known.</param>
    /// <param name="expected">The checksum stored in the structure.</param>
    /// <param name="actual">The checksum computed over the contents read.</param>
    public ChecksumMismatchException(string structure, long offset, uint expected, uint actual)
        : base(structure, offset, $"checksum mismatch (stored crc32c 0x{expected:x8}, computed 0x{actual:x8})")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The checksum stored in the structure.</summary>
    public uint Expected { get; }

    /// <summary>The checksum computed over what was read.</summary>
    public uint Actual { get; }
}
