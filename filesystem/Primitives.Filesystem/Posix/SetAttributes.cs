namespace Primitives.Filesystem.Posix;

/// <summary>Which attributes <see cref="PosixFilesystem.SetAttributes"/> changes: every non-null one.</summary>
public sealed class SetAttributes
{
    /// <summary>New permission bits (the file type bits are ignored).</summary>
    public uint? Mode { get; init; }

    /// <summary>New owner.</summary>
    public uint? Uid { get; init; }

    /// <summary>New group.</summary>
    public uint? Gid { get; init; }

    /// <summary>New size (truncate or extend with a hole); regular files only.</summary>
    public ulong? Size { get; init; }

    /// <summary>New access time in ns since the epoch.</summary>
    public long? AtimeNs { get; init; }

    /// <summary>New modification time in ns since the epoch.</summary>
    public long? MtimeNs { get; init; }

    /// <summary>Set the access time to now.</summary>
    public bool AtimeNow { get; init; }

    /// <summary>Set the modification time to now.</summary>
    public bool MtimeNow { get; init; }
}
