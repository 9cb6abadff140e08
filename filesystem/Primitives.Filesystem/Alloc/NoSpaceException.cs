namespace Primitives.Filesystem.Alloc;

/// <summary>The filesystem has no space for the request (no free bucket, or the free-space reservation is exhausted).</summary>
public sealed class NoSpaceException : FilesystemException
{
    /// <summary>Creates the exception; the message says what was asked for and what is left.</summary>
    public NoSpaceException(string message)
        : base(message)
    {
    }
}
