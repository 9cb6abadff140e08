namespace Primitives.Filesystem.Fuse;

/// <summary>FUSE cannot be used here: libfuse3 is missing or of another version, /dev/fuse is missing, or the mount failed.</summary>
public sealed class FuseUnavailableException : FilesystemException
{
    /// <summary>Creates the exception.</summary>
    public FuseUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public FuseUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
