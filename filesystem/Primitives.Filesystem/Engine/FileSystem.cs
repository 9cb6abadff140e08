using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Engine;

/// <summary>Formats and mounts the sample filesystem on a <see cref="BlockDevice"/>.</summary>
public static partial class FileSystem
{
    /// <summary>Writes a new, empty filesystem: superblock (primary and backup), an empty journal, empty btrees whose roots land in the superblock's clean section.</summary>
    public static Task<FormatResult> FormatAsync(BlockDevice device, Format.FormatOptions options, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("pending integration");

    /// <summary>Mounts the filesystem on <paramref name="device"/>.</summary>
    public static Task<MountedFilesystem> MountAsync(BlockDevice device, MountOptions options, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("pending integration");
}
