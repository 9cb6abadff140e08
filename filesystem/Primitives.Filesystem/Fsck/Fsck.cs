using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Fsck;

/// <summary>Checks and repairs a filesystem.</summary>
public static class Fsck
{
    /// <summary>Runs fsck.</summary>
    public static Task<FsckReport> RunAsync(BlockDevice device, FsckOptions options, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("pending");
}
