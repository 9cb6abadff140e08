namespace Primitives.Filesystem;

/// <summary>
/// The base of every error the sample filesystem reports: device errors, corrupt or foreign
/// on-disk structures, no space, a frozen or shut-down filesystem. Callers catch this one type to
/// tell filesystem errors from programming errors (<see cref="ArgumentException"/> and friends).
/// </summary>
public class FilesystemException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public FilesystemException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public FilesystemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
