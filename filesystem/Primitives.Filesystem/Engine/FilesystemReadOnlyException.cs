namespace Primitives.Filesystem.Engine;

/// <summary>A write was refused because the filesystem is mounted read-only or has shut down after an error.</summary>
public sealed class FilesystemReadOnlyException : FilesystemException
{
    /// <summary>Creates the exception with a message naming the device and the reason.</summary>
    public FilesystemReadOnlyException(string message)
        : base(message)
    {
    }
}
