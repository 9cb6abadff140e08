namespace Primitives.Filesystem.Posix;

/// <summary>A POSIX operation failed with an error number (what a system call would return as -errno).</summary>
public sealed class PosixException : FilesystemException
{
    /// <summary>Creates the exception for <paramref name="errno"/> with a default message.</summary>
    /// <param name="errno">The error number.</param>
    public PosixException(Errno errno)
        : base(errno.ToString())
    {
        Errno = errno;
    }

    /// <summary>Creates the exception for <paramref name="errno"/> with a message saying what failed.</summary>
    /// <param name="errno">The error number.</param>
    /// <param name="message">What failed.</param>
    public PosixException(Errno errno, string message)
        : base($"{errno}: {message}")
    {
        Errno = errno;
    }

    /// <summary>The error number.</summary>
    public Errno Errno { get; }
}
