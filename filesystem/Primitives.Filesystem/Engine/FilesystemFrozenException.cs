namespace Primitives.Filesystem.Engine;

/// <summary>
/// A write was refused because the filesystem is frozen (<see cref="MountedFilesystem.FreezeAsync"/>)
/// and the mount asked for refusal rather than waiting (<see cref="MountOptions.WaitWhenFrozen"/> false).
/// Nothing of the refused write was applied.
/// </summary>
public sealed class FilesystemFrozenException : FilesystemException
{
    /// <summary>Creates the exception for the named filesystem.</summary>
    public FilesystemFrozenException(string device)
        : base($"{device}: the filesystem is frozen; the write was refused (nothing was applied)")
    {
    }
}
